/**
 * How tcpdump's verbose lines show a transport checksum: TCP's `, cksum 0x1c46 (correct)` or
 * `(incorrect -> 0x…)`, and the bracketed UDP and ICMPv6 verdicts (`[udp sum ok] `,
 * `[bad icmp6 cksum 0x1 -> 0x2!] `). A segment not captured whole gets no words, as in
 * tcpdump.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeChecksum } from "./checksum_text.ts";
 * const out = new ByteWriter();
 * writeChecksum(out, { checksum: 0x1c46, verifiable: true, checksumOk: false, expectedChecksum: 0x1c47 });
 * assert.equal(out.toString(), ", cksum 0x1c46 (incorrect -> 0x1c47)");
 * ```
 * @module
 */

import { type ByteWriter, encodePieces } from "./bytes.ts";

/** What a checksummed header tells about its checksum. */
export interface ChecksumFacts {
  /** As sent. */
  readonly checksum: number;
  /** Whether the whole segment was captured, so that it can be checked. */
  readonly verifiable: boolean;
  /** Whether it is right (`null`: not checked, or left for the network card to fill in). */
  readonly checksumOk: boolean | null;
  /** What it should be. */
  readonly expectedChecksum: number | null;
}

const CHECKSUM = encodePieces({
  cksum: ", cksum 0x",
  correct: " (correct)",
  incorrect: " (incorrect -> 0x",
  close: ")",
});

/**
 * TCP's `, cksum 0x1234 (correct)` or `(incorrect -> 0x5678)`; nothing when the segment was
 * not captured whole. A checksum left for the card to fill in is incorrect on the wire's
 * bytes, as tcpdump says.
 */
export function writeChecksum(out: ByteWriter, header: ChecksumFacts): void {
  if (!header.verifiable) return;
  out.piece(CHECKSUM.cksum);
  out.hex(header.checksum, 4);
  if (header.checksumOk === true) out.piece(CHECKSUM.correct);
  else {
    out.piece(CHECKSUM.incorrect);
    out.hex(header.expectedChecksum ?? 0, 4);
    out.piece(CHECKSUM.close);
  }
}

/**
 * UDP's and ICMPv6's verdict before the message: `[udp sum ok] ` or
 * `[bad udp cksum 0x1234 -> 0x5678!] ` (`protocol` names it); nothing when not captured whole.
 */
export function checksumVerdict(protocol: string, header: ChecksumFacts): string {
  if (!header.verifiable) return "";
  if (header.checksumOk === true) return `[${protocol} sum ok] `;
  const sent = header.checksum.toString(16).padStart(4, "0");
  const expected = (header.expectedChecksum ?? 0).toString(16).padStart(4, "0");
  return `[bad ${protocol} cksum 0x${sent} -> 0x${expected}!] `;
}
