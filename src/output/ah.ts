/**
 * AH's words as tcpdump 4.99 prints them before the protocol AH protects:
 * `AH(spi=0x00001000,seq=0x1,icv=0xa0a1…): `; with `-v` the length first
 * (`AH(length=4(24-bytes),spi=…`), and a reserved field that is not zero named
 * (`reserved=0x3030[MustBeZero],`). A header cut short stops where its bytes do, without the
 * closing `): ` (the line's note says where).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AhHeader } from "../decode/mod.ts";
 * import { ahText } from "./ah.ts";
 * const bytes = new Uint8Array([6, 4, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 1, ...new Array(12).fill(0xab)]);
 * const ah = new AhHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.equal(ahText(ah, 0), `AH(spi=0x00001000,seq=0x1,icv=0x${"ab".repeat(12)}): `);
 * assert.equal(ahText(ah, 1).slice(0, 25), "AH(length=4(24-bytes),spi");
 * ```
 * @module
 */

import type { AhHeader } from "../decode/mod.ts";

/** Captured bytes needed for each part: length field, SPI (and reserved), sequence number. */
const HAS_LENGTH = 2;
const HAS_SPI = 8;
const HAS_SEQUENCE = 12;

/** tcpdump's words for an AH header (and `): ` when the whole of it was captured). */
export function ahText(ah: AhHeader, verbosity: number): string {
  let text = "AH(";
  if (verbosity > 0 && ah.captured(HAS_LENGTH)) {
    text += `length=${ah.payloadLength}(${ah.length}-bytes),`;
  }
  if (!ah.captured(HAS_SPI)) return text;
  if (ah.reserved !== 0) {
    text += `reserved=0x${ah.reserved.toString(16)}[MustBeZero],`;
  }
  text += `spi=0x${ah.spi.toString(16).padStart(8, "0")},`;
  if (!ah.captured(HAS_SEQUENCE)) return text;
  text += `seq=0x${ah.sequence.toString(16)},icv=0x${ah.icvHex}`;
  return ah.complete ? text + "): " : text;
}
