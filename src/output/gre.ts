/**
 * GRE's words as tcpdump 4.99 prints them before the packet GRE carries:
 * `GREv0, key=0x28, seq 9, length 72`; with `-v` the flags by name (`Flags [key present]`)
 * and the checksum, with `-e` the protocol (`proto TEB (0x6558)`). What GRE carries follows
 * after `: `, or with `-v` on a line of its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GreHeader } from "../decode/mod.ts";
 * import { greText } from "./gre.ts";
 * const bytes = new Uint8Array([0x20, 0x00, 0x08, 0x00, 0, 0, 0, 0x28]);
 * const gre = new GreHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.equal(greText(gre, 52, 0, false), "GREv0, key=0x28, length 52");
 * assert.equal(greText(gre, 52, 1, false), "GREv0, Flags [key present], key=0x28, length 52");
 * ```
 * @module
 */

import { etherTypeName, type GreHeader } from "../decode/mod.ts";

/**
 * tcpdump's names of GRE's flag bits (`gre_flag_values`), in its order. Its list also names the
 * three-bit recursion count, but tcpdump names a flag only where it is one bit of the header
 * (`bittok2str`), so that name is never printed.
 */
const FLAG_NAMES: readonly [number, string][] = [
  [0x8000, "checksum present"],
  [0x4000, "routing present"],
  [0x2000, "key present"],
  [0x1000, "sequence# present"],
  [0x0800, "source routing present"],
  [0x0080, "ack present"],
];

/** tcpdump's name of the EtherType GRE carries, as `-e` prints it. */
function protocolName(protocol: number): string {
  if (protocol === 0x6558) return "TEB";
  const name = etherTypeName(protocol);
  return name === "Unknown" ? "unknown" : name;
}

/**
 * tcpdump's words for a GRE header of a packet `length` bytes long (GRE header included).
 */
export function greText(gre: GreHeader, length: number, verbosity: number, link: boolean): string {
  let text = `GREv${gre.version}`;
  if (gre.version !== 0) return `${text}, length ${length}`;
  const flags = gre.flagsAndVersion;
  if (verbosity > 0) {
    const names = FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
    text += `, Flags [${names.length === 0 ? "none" : names.join(", ")}]`;
  }
  if (gre.hasChecksumWord) {
    if (verbosity > 0) text += `, sum 0x${gre.checksum.toString(16)}`;
    text += `, off 0x${gre.routingOffset.toString(16)}`;
  }
  if (gre.keyPresent) text += `, key=0x${gre.key.toString(16)}`;
  if (gre.sequencePresent) text += `, seq ${gre.sequence}`;
  if (link) {
    text += `, proto ${protocolName(gre.protocol)} (0x${
      gre.protocol.toString(16).padStart(4, "0")
    })`;
  }
  return `${text}, length ${length}`;
}
