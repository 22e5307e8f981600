/**
 * Arista's timestamp header as tcpdump 4.99 prints it (print-arista.c), before the frame's own
 * layers: `SubType Timestamp (0x0001), Timescale TAI (0), Format 64-bit (1), HwInfo R/R2 (0),
 * Timestamp 2019-05-29 20:36:39.944724424: `.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AristaHeader } from "../decode/mod.ts";
 * import { aristaText } from "./arista.ts";
 * const bytes = new Uint8Array([0, 1, 1, 0x20, 0xed, 0x95, 0x18, 0x15, 0x24, 0x74, 8, 0]);
 * const arista = new AristaHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.equal(
 *   aristaText(arista),
 *   "SubType Timestamp (0x0001), Timescale UTC (1), Format 48-bit (2), HwInfo R/R2 (0), " +
 *     "Timestamp 60821.404038772: ",
 * );
 * ```
 * @module
 */

import {
  ARISTA_FORMAT_64_BIT,
  ARISTA_SUBTYPE_TIMESTAMP,
  type AristaHeader,
} from "../decode/mod.ts";

const TIMESCALES = ["TAI", "UTC"];
const FORMATS: Readonly<Record<number, string>> = { 1: "64-bit", 2: "48-bit" };
const HARDWARE = ["R/R2", "R3"];

/** The header's words, ending in `: ` when the timestamp was read (`, ` when not). */
export function aristaText(arista: AristaHeader): string {
  const subtype = arista.subtype;
  const known = subtype === ARISTA_SUBTYPE_TIMESTAMP;
  let text = `SubType ${known ? "Timestamp" : "Unknown"} (0x${
    subtype.toString(16).padStart(4, "0")
  }), `;
  if (!known) return text;
  const format = arista.format;
  text += `Timescale ${TIMESCALES[arista.timescale] ?? "Unknown"} (${arista.timescale}), ` +
    `Format ${FORMATS[format] ?? "Unknown"} (${format}), ` +
    `HwInfo ${HARDWARE[arista.hardware] ?? "Unknown"} (${arista.hardware}), Timestamp `;
  if (arista.headerLength === 0) return text;
  const nanoseconds = String(arista.nanoseconds).padStart(9, "0");
  if (format !== ARISTA_FORMAT_64_BIT) return `${text}${arista.seconds}.${nanoseconds}: `;
  const date = new Date(arista.seconds * 1000).toISOString().slice(0, 19).replace("T", " ");
  return `${text}${date}.${nanoseconds}: `;
}
