/**
 * How tcpdump's verbose lines show a checksum: `cksum 0x1c46 (correct)`, `(incorrect -> 0x…)`,
 * `(unverified)`; shared by the IPv4, TCP and UDP text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeChecksum } from "./checksum_text.ts";
 * const out = new ByteWriter();
 * writeChecksum(out, 0x1c46, false, 0x1c47);
 * assert.equal(out.toString(), "cksum 0x1c46 (incorrect -> 0x1c47)");
 * ```
 * @module
 */

import { type ByteWriter, encodePieces } from "./bytes.ts";

const CHECKSUM = encodePieces({
  cksum: "cksum 0x",
  offloaded: " (unverified, offloaded)",
  unverified: " (unverified)",
  correct: " (correct)",
  incorrect: " (incorrect -> 0x",
  close: ")",
});

/** `cksum 0x1234 (correct)`, `(incorrect -> 0x5678)`, `(unverified)` or `(offloaded)`. */
export function writeChecksum(
  out: ByteWriter,
  sent: number,
  ok: boolean | null,
  expected: number | null,
  offloaded = false,
): void {
  out.piece(CHECKSUM.cksum);
  out.hex(sent, 4);
  if (offloaded) out.piece(CHECKSUM.offloaded);
  else if (ok === null) out.piece(CHECKSUM.unverified);
  else if (ok) out.piece(CHECKSUM.correct);
  else {
    out.piece(CHECKSUM.incorrect);
    out.hex(expected ?? 0, 4);
    out.piece(CHECKSUM.close);
  }
}
