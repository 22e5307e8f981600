/**
 * ERSPAN's words, netpeek's own: tcpdump 4.99 stops at `gre-proto-0x88be`, and netpeek adds the
 * header after it (`: ERSPAN type II, session 666, vlan 342, cos 6, index 32760: `) and then
 * the mirrored frame, on the same line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ErspanHeader } from "../decode/mod.ts";
 * import { erspanText } from "./erspan.ts";
 * const bytes = new Uint8Array([0x11, 0x56, 0xc2, 0x9a, 0, 0, 0x7f, 0xf8]);
 * const erspan = new ErspanHeader().bindType(new DataView(bytes.buffer), 0, bytes.length, 2);
 * assert.equal(erspanText(erspan), "ERSPAN type II, session 666, vlan 342, cos 6, index 32760");
 * ```
 * @module
 */

import type { ErspanHeader } from "../decode/mod.ts";

const TYPES = ["", "I", "II", "III"];

/** The header's words (type I has none but its name). */
export function erspanText(erspan: ErspanHeader): string {
  const type = erspan.type;
  let text = `ERSPAN type ${TYPES[type]}`;
  if (type === 1) return text;
  text += `, session ${erspan.sessionId}, vlan ${erspan.vlan}, cos ${erspan.cos}`;
  if (erspan.frameTruncated) text += ", truncated";
  if (type === 2) return `${text}, index ${erspan.index}`;
  return `${text}, timestamp ${erspan.timestamp}, sgt ${erspan.sgt}, hw ${erspan.hardwareId}, ${
    erspan.direction === 0 ? "ingress" : "egress"
  }`;
}
