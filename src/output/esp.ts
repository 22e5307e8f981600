/**
 * ESP's words as tcpdump 4.99 prints them: `ESP(spi=0x12345678,seq=0x1), length 116`; in UDP
 * port 4500 (NAT traversal, RFC 3948) after `UDP-encap: `, where a lone 0xff byte is the
 * keep-alive (`isakmp-nat-keep-alive`, section 2.3). tcpdump prints the clear header only when
 * a byte past it was captured: ESP of 8 bytes or fewer is ` [|esp]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { espText, natTraversalText } from "./esp.ts";
 * assert.equal(espText(0x12345678, 1, 116, 116), "ESP(spi=0x12345678,seq=0x1), length 116");
 * assert.equal(espText(0x12345678, 1, 8, 8), " [|esp]");
 * const keepAlive = new DataView(new Uint8Array([0xff]).buffer);
 * assert.equal(natTraversalText(keepAlive, 0, 1, 1), "isakmp-nat-keep-alive");
 * ```
 * @module
 */

import { ESP_HEADER_LENGTH, NON_ESP_MARKER_LENGTH } from "../decode/mod.ts";

/** RFC 3948 section 2.3: the NAT keep-alive is one byte, 0xff. */
const KEEP_ALIVE = 0xff;
/**
 * tcpdump's words for an ESP header with `spi` and `sequence`, of `length` bytes on the wire
 * (as the IP or UDP lengths count them) and `captured` in the frame.
 */
export function espText(spi: number, sequence: number, length: number, captured: number): string {
  if (captured <= ESP_HEADER_LENGTH) return " [|esp]";
  return `ESP(spi=0x${spi.toString(16).padStart(8, "0")},seq=0x${
    sequence.toString(16)
  }), length ${length}`;
}

/**
 * tcpdump's words for a UDP port 4500 datagram whose data starts at `start` in `view`, of
 * `length` bytes (by the UDP and IP lengths, whichever is less) with `captured` of them in the
 * frame; `undefined` for IKE, which netpeek does not decode (tcpdump's `NONESP-encap: isakmp…`).
 */
export function natTraversalText(
  view: DataView,
  start: number,
  length: number,
  captured: number,
): string | undefined {
  if (length === 1 && captured >= 1 && view.getUint8(start) === KEEP_ALIVE) {
    return "isakmp-nat-keep-alive";
  }
  if (length < NON_ESP_MARKER_LENGTH || captured < NON_ESP_MARKER_LENGTH) {
    return " [|isakmp_rfc3948]";
  }
  const spi = view.getUint32(start);
  if (spi === 0) return undefined;
  const sequence = captured >= ESP_HEADER_LENGTH
    ? view.getUint32(start + NON_ESP_MARKER_LENGTH)
    : 0;
  return `UDP-encap: ${espText(spi, sequence, length, captured)}`;
}
