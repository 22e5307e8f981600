/**
 * NSH's words as tcpdump 4.99 prints them (print-nsh.c): `NSH, flags [none],
 * service-path-id 0x000309, service-index 0x7`; `-vv` adds the version and the next protocol,
 * `-vvv` the TTL, length and MD type, and the context headers on lines of their own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NshHeader } from "../decode/mod.ts";
 * import { nshText } from "./nsh.ts";
 * const bytes = new Uint8Array([0, 2, 1, 1, 0, 3, 9, 7]);
 * const nsh = new NshHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.equal(nshText(nsh, 0), "NSH, flags [none], service-path-id 0x000309, service-index 0x7");
 * assert.equal(
 *   nshText(nsh, 2),
 *   "NSH, ver 0, flags [none], next-protocol IPv4, service-path-id 0x000309, service-index 0x7",
 * );
 * ```
 * @module
 */

import { NSH_MD_TYPE_1, NSH_MD_TYPE_2, type NshHeader } from "../decode/mod.ts";

const MD_TYPES: Readonly<Record<number, string>> = {
  0: "reserved",
  1: "1",
  2: "2",
  15: "experimental",
};
const NEXT_PROTOCOLS: Readonly<Record<number, string>> = {
  1: "IPv4",
  2: "IPv6",
  3: "Ethernet",
  4: "NSH",
  5: "MPLS",
  0xfe: "Experiment 1",
  0xff: "Experiment 2",
};

const unknown = (value: number) => `unknown (0x${value.toString(16).padStart(2, "0")})`;

/** tcpdump's words for an NSH at `-v` level `verbosity` (0 for none). */
export function nshText(nsh: NshHeader, verbosity: number): string {
  let text = "NSH, ";
  if (verbosity > 1) text += `ver ${nsh.version}, `;
  if (nsh.version !== 0) return text;
  text += `flags [${(nsh.flags & 0x2) !== 0 ? "O" : "none"}], `;
  if (verbosity > 2) {
    text += `TTL ${nsh.ttl}, length ${nsh.length}, md type ${
      MD_TYPES[nsh.mdType] ?? unknown(nsh.mdType)
    }, `;
  }
  if (verbosity > 1) {
    text += `next-protocol ${NEXT_PROTOCOLS[nsh.nextProtocol] ?? unknown(nsh.nextProtocol)}, `;
  }
  // tcpdump's words for the lengths that do not fit, in its order.
  if (nsh.headerLength > nsh.wireLength) {
    return `${text} (too many headers for packet length ${nsh.wireLength}) (invalid)`;
  }
  text += `service-path-id 0x${nsh.spi.toString(16).padStart(6, "0")}, service-index 0x${
    nsh.si.toString(16)
  }`;
  if (nsh.length < 2) return `${text} (less than two headers) (invalid)`;
  if (verbosity > 2 && nsh.mdType === NSH_MD_TYPE_2) text += tlvText(nsh.contexts);
  if (verbosity > 2 && nsh.mdType === NSH_MD_TYPE_1 && nsh.length === 6) {
    nsh.contexts.forEach((word, i) => {
      text += `\n        Context[${String(i).padStart(2, "0")}]: 0x${
        word.toString(16).padStart(8, "0")
      }`;
    });
  }
  return text;
}

/**
 * MD type 2's TLVs (RFC 8300 section 2.5.1: class, type, a 7-bit length in bytes, the value
 * padded to whole words) as tcpdump's -vvv prints them, from the words after the base header.
 */
function tlvText(words: readonly number[]): string {
  let text = "";
  for (let at = 0; at < words.length;) {
    const head = words[at++];
    const length = head & 0x7f;
    text += `\n        TLV Class ${head >>> 16}, Type ${(head >>> 8) & 0xff}, Len ${length}`;
    if (length === 0) continue;
    const bytes: string[] = [];
    for (let i = 0; i < length && at + (i >> 2) < words.length; i++) {
      const byte = (words[at + (i >> 2)] >>> (24 - 8 * (i & 3))) & 0xff;
      bytes.push(byte.toString(16).padStart(2, "0"));
    }
    text += `\n            Value: 0x${bytes.join(":")}`;
    at += Math.ceil(length / 4);
  }
  return text;
}
