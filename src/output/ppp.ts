/**
 * PPPoE and the PPP frame in it, as tcpdump 4.99 prints them (print-pppoe.c, print-ppp.c):
 * `PPPoE PADI [Service-Name] [Host-Uniq 0x16372C16]` for discovery, `PPPoE  [ses 0x17] ` and
 * the PPP frame for a session: an IPv4 or IPv6 packet as usual, or a control message
 * (`LCP, Echo-Request (0x09), id 106, length 14`), CHAP or PAP. `-e` adds the PPP protocol and
 * length (`LCP (0xc021), length 14: `). The `-v` option lines of control messages are not
 * printed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PppFrame } from "../decode/mod.ts";
 * import { pppText } from "./ppp.ts";
 * const bytes = new Uint8Array([0xc0, 0x21, 9, 106, 0, 12, 0xa4, 0xcb, 0xea, 0x34, 0, 0, 0, 0]);
 * const ppp = new PppFrame().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.equal(pppText(ppp, 14, false), "LCP, Echo-Request (0x09), id 106, length 14");
 * assert.equal(
 *   pppText(ppp, 14, true),
 *   "LCP (0xc021), length 14: LCP, Echo-Request (0x09), id 106, length 14",
 * );
 * ```
 * @module
 */

import { PPP_CHAP, PPP_PAP, type PppFrame, type PppoeHeader } from "../decode/mod.ts";
import { dumpLines, hexDigits as hex } from "./hexdump.ts";
import { printableText } from "./printable.ts";

/** tcpdump's names of PPP protocols (ppptype2str). */
const PPP_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0021, "IP"],
  [0x0023, "OSI"],
  [0x0025, "NS"],
  [0x0027, "DECNET"],
  [0x0029, "APPLE"],
  [0x002b, "IPX"],
  [0x002d, "VJC IP"],
  [0x002f, "VJNC IP"],
  [0x0031, "BRPDU"],
  [0x0033, "STII"],
  [0x0035, "VINES"],
  [0x003d, "MLPPP"],
  [0x0057, "IP6"],
  [0x00fd, "Compressed"],
  [0x0201, "HELLO"],
  [0x0231, "LUXCOM"],
  [0x0233, "SNS"],
  [0x0281, "MPLS"],
  [0x0283, "MPLS"],
  [0x8021, "IPCP"],
  [0x8023, "OSICP"],
  [0x8025, "NSCP"],
  [0x8027, "DECNETCP"],
  [0x8029, "APPLECP"],
  [0x802b, "IPXCP"],
  [0x8033, "STIICP"],
  [0x8035, "VINESCP"],
  [0x8057, "IP6CP"],
  [0x8281, "MPLSCP"],
  [0x80fd, "CCP"],
  [0xc021, "LCP"],
  [0xc023, "PAP"],
  [0xc025, "LQM"],
  [0xc027, "SPAP"],
  [0xc02b, "BACP"],
  [0xc02d, "BAP"],
  [0xc223, "CHAP"],
  [0xc227, "EAP"],
]);

/** Protocols whose packets the decoder goes on with: nothing to say about the PPP frame. */
const NETWORK_PROTOCOLS: ReadonlySet<number> = new Set([0x0021, 0x0057, 0x0281, 0x0283]);
const PPP_COMPRESSED = 0x00fd;

/** Control protocols' codes (RFC 1661 section 5, RFC 1962), in tcpdump's words. */
const CONTROL_CODES = [
  "",
  "Conf-Request",
  "Conf-Ack",
  "Conf-Nack",
  "Conf-Reject",
  "Term-Request",
  "Term-Ack",
  "Code-Reject",
  "Prot-Reject",
  "Echo-Request",
  "Echo-Reply",
  "Disc-Req",
  "Ident",
  "Time-Rem",
  "Reset-Req",
  "Reset-Ack",
];
const CHAP_CODES = ["", "Challenge", "Response", "Success", "Fail"];
const PAP_CODES = ["", "Auth-Req", "Auth-ACK", "Auth-NACK"];

/** PPPoE's codes (RFC 2516 section 5): session data has none. */
const PPPOE_CODES: ReadonlyMap<number, string> = new Map([
  [0x09, "PADI"],
  [0x07, "PADO"],
  [0x19, "PADR"],
  [0x65, "PADS"],
  [0xa7, "PADT"],
  [0x00, ""],
]);
const PADI = 0x09;
/** tcpdump flags a PADI longer than an Ethernet frame leaves room for. */
const PADI_MAX_LENGTH = 1484 - 6;
const TAG_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0000, "EOL"],
  [0x0101, "Service-Name"],
  [0x0102, "AC-Name"],
  [0x0103, "Host-Uniq"],
  [0x0104, "AC-Cookie"],
  [0x0105, "Vendor-Specific"],
  [0x0110, "Relay-Session-ID"],
  [0x0120, "PPP-Max-Payload"],
  [0x0201, "Service-Name-Error"],
  [0x0202, "AC-System-Error"],
  [0x0203, "Generic-Error"],
]);
/** tcpdump shows at most this many characters of a tag's text. */
const MAX_TAG_TEXT = 79;

/**
 * The PPPoE header's words, and a discovery packet's tags; a session's end in a space, before
 * the PPP frame. `available` is what the frame holds after the header, on the wire.
 */
export function pppoeText(pppoe: PppoeHeader, available: number): string {
  let text = "";
  if (pppoe.version !== 1) text += ` [ver ${pppoe.version}]`;
  if (pppoe.type !== 1) text += ` [type ${pppoe.type}]`;
  const code = pppoe.code;
  text += `PPPoE ${PPPOE_CODES.get(code) ?? `PAD-${code.toString(16)}`}`;
  const length = pppoe.length;
  if (code === PADI && length > PADI_MAX_LENGTH) text += ` [len ${length}!]`;
  if (length > available) text += ` [len ${length} > ${available}!]`;
  if (pppoe.sessionId !== 0) text += ` [ses 0x${pppoe.sessionId.toString(16)}]`;
  if (code === 0) return text + " ";
  const view = pppoe.dataView;
  for (const tag of pppoe.tags()) {
    const name = TAG_NAMES.get(tag.type) ?? `TAG-0x${tag.type.toString(16)}`;
    if (tag.length === 0) {
      text += ` [${name}]`;
      continue;
    }
    const captured = Math.min(tag.length, pppoe.end - tag.offset);
    let shown = "";
    let printable = 0;
    for (let i = 0; i < Math.min(captured, MAX_TAG_TEXT); i++) {
      const byte = view.getUint8(tag.offset + i);
      const ok = byte >= 0x20 && byte < 0x7f;
      if (ok) printable++;
      shown += ok ? String.fromCharCode(byte) : ".";
    }
    if (printable > shown.length - printable) text += ` [${name} "${shown}"]`;
    else {
      let value = "";
      for (let i = 0; i < captured; i++) value += hex(view.getUint8(tag.offset + i), 2);
      text += ` [${name} 0x${value.toUpperCase()}]`;
    }
  }
  return text;
}

/**
 * The PPP frame's words: with `-e` its protocol and `length` (the PPPoE payload's), then a
 * control message, CHAP or PAP; nothing for IPv4, IPv6 and MPLS, which print as usual.
 */
export function pppText(ppp: PppFrame, length: number, link: boolean): string {
  const protocol = ppp.protocol;
  const name = PPP_NAMES.get(protocol);
  let text = "";
  if (link) {
    text = `${name ?? "unknown"} (0x${hex(protocol, 4)}), length ${length}`;
    if (name === undefined) return text;
    text += ": ";
  }
  if (NETWORK_PROTOCOLS.has(protocol)) return text;
  const payloadLength = length - ppp.headerLength;
  if (ppp.isControl) {
    if (!ppp.messageCaptured) return `${text}${name}, `;
    const code = ppp.code;
    return `${text}${name}, ${CONTROL_CODES[code] || "Unknown Opcode"} (0x${
      hex(code, 2)
    }), id ${ppp.identifier}, length ${payloadLength + 2}`;
  }
  if (protocol === PPP_CHAP) return text + chapText(ppp, payloadLength);
  if (protocol === PPP_PAP) return text + papText(ppp, payloadLength);
  if (protocol === PPP_COMPRESSED) return `${text}compressed PPP data`;
  const start = ppp.offset + ppp.headerLength;
  return `${text}${name ?? `unknown PPP protocol (0x${hex(protocol, 4)})`} \n${
    dumpLines(ppp.dataView, start, ppp.end, false)
  }`;
}

/** Up to `count` bytes from `at`, as many as were captured, as tcpdump's fn_print_char shows them. */
function chars(ppp: PppFrame, at: number, count: number): string {
  return printableText(ppp.dataView, at, Math.min(at + count, ppp.end));
}

/** CHAP (RFC 1994) as print-ppp.c's handle_chap. */
function chapText(ppp: PppFrame, length: number): string {
  const start = ppp.offset + ppp.headerLength;
  if (length < 1 || !ppp.messageCaptured) return "[|chap]";
  const code = ppp.code;
  let text = `CHAP, ${CHAP_CODES[code] || "unknown"} (0x${hex(code, 2)}), id ${ppp.identifier}`;
  const declared = ppp.messageLength;
  let at = 4;
  if (code === 1 || code === 2) {
    if (length - at < 1 || start + at >= ppp.end) return text;
    const valueSize = ppp.dataView.getUint8(start + at);
    at++;
    if (length - at < valueSize) return text;
    text += ", Value ";
    for (let i = 0; i < valueSize && start + at < ppp.end; i++, at++) {
      text += hex(ppp.dataView.getUint8(start + at), 2);
    }
    text += `, Name ${chars(ppp, start + at, declared - at)}`;
  } else if (code === 3 || code === 4) {
    text += `, Msg ${chars(ppp, start + at, declared - at)}`;
  }
  return text;
}

/** PAP (RFC 1334) as print-ppp.c's handle_pap. */
function papText(ppp: PppFrame, length: number): string {
  const start = ppp.offset + ppp.headerLength;
  if (length < 1) return "[|pap]";
  if (length < 4 || !ppp.messageCaptured) return `[|pap 0x${hex(ppp.code, 2)}]`;
  const code = ppp.code;
  let text = `PAP, ${PAP_CODES[code] || "unknown"} (0x${hex(code, 2)}), id ${ppp.identifier}`;
  const declared = ppp.messageLength;
  if (declared > length) return `${text}, length ${declared} > packet size`;
  if (declared < 4) return `${text}, length ${declared} < PAP header length`;
  const byteAt = (at: number) => start + at < ppp.end ? ppp.dataView.getUint8(start + at) : -1;
  let at = 4;
  if (code === 1) {
    if (declared < 6) return `${text}[|pap]`;
    const peerLength = byteAt(at++);
    if (peerLength < 0 || declared - at < peerLength) return text;
    text += `, Peer ${chars(ppp, start + at, peerLength)}`;
    at += peerLength;
    const passwordLength = byteAt(at++);
    if (passwordLength < 0 || declared - at < passwordLength) return text;
    text += `, Name ${chars(ppp, start + at, passwordLength)}`;
  } else if (code === 2 || code === 3) {
    if (declared < 5) return `${text}[|pap]`;
    const messageLength = byteAt(at++);
    if (messageLength < 0 || declared - at < messageLength) return text;
    text += `, Msg ${chars(ppp, start + at, messageLength)}`;
  }
  return text;
}
