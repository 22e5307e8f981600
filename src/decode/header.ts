/**
 * The shared shape of every header view: a window onto captured bytes that is re-pointed at
 * each packet instead of allocated anew (gopacket's `DecodingLayerParser` idea).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HeaderView } from "./mod.ts";
 * class Byte extends HeaderView {
 *   get value(): number {
 *     return this.view.getUint8(this.offset);
 *   }
 * }
 * const byte = new Byte();
 * byte.bind(new DataView(new Uint8Array([7]).buffer), 0, 1);
 * assert.deepEqual(byte.value, 7);
 * ```
 * @module
 */

const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

/**
 * A header at `offset` in `view`, with captured bytes up to (not including) `end`.
 * Accessors read the bytes when called, so a view is valid only while its packet is.
 */
export abstract class HeaderView {
  /** The bytes the header lies in (the whole capture buffer, not just this frame). */
  protected view: DataView = EMPTY_VIEW;
  /** Absolute offset of the header's first byte in `view`. */
  offset = 0;
  /** Absolute offset just past the last captured byte that belongs to this layer. */
  end = 0;

  /** Points the view at a new header; the caller has checked the fixed length. */
  bind(view: DataView, offset: number, end: number): this {
    this.view = view;
    this.offset = offset;
    this.end = end;
    this.truncated = false;
    return this;
  }

  /**
   * Whether the header was cut short by the snapshot length. Fields wholly past the captured
   * bytes then read as 0 (never as stale bytes); check this before trusting them.
   */
  truncated = false;

  /** Points the view at a header that may be cut short; see `truncated`. */
  bindPartial(view: DataView, offset: number, end: number, fixedLength: number): this {
    this.bind(view, offset, end);
    this.truncated = end - offset < fixedLength;
    return this;
  }

  /** A 16-bit field at `at` bytes into the header, or 0 when it was not captured. */
  protected u16(at: number): number {
    const offset = this.offset + at;
    return offset + 2 <= this.end ? this.view.getUint16(offset) : 0;
  }

  /** A 32-bit field at `at` bytes into the header, or 0 when it was not captured. */
  protected u32(at: number): number {
    const offset = this.offset + at;
    return offset + 4 <= this.end ? this.view.getUint32(offset) : 0;
  }

  /** An 8-bit field at `at` bytes into the header, or 0 when it was not captured. */
  protected u8(at: number): number {
    const offset = this.offset + at;
    return offset < this.end ? this.view.getUint8(offset) : 0;
  }

  /** `count` bytes at `at` into the header as hex digits, those not captured as `00`. */
  protected hexBytes(at: number, count: number): string {
    let text = "";
    for (let i = 0; i < count; i++) text += this.u8(at + i).toString(16).padStart(2, "0");
    return text;
  }

  /** The bytes the header lies in, for writers that read fields without allocating. */
  get dataView(): DataView {
    return this.view;
  }

  /** Captured bytes from the header's start to the end of its layer. */
  get capturedLength(): number {
    return this.end - this.offset;
  }
}

/**
 * The standard Internet checksum (RFC 1071) of `length` bytes at `offset`, added to `initial`
 * (for a pseudo-header); returns the folded one's-complement sum, not yet inverted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onesComplementSum } from "./mod.ts";
 * const bytes = new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
 * // RFC 1071 section 3's example: the sum is 0xddf2.
 * assert.deepEqual(onesComplementSum(new DataView(bytes.buffer), 0, 8).toString(16), "ddf2");
 * ```
 */
export function onesComplementSum(
  view: DataView,
  offset: number,
  length: number,
  initial = 0,
): number {
  // RFC 1071 2(B) and 2(C): the sum is independent of byte order and can be taken over wider
  // words and folded. So 32-bit words are read in the machine's order (little-endian: no
  // byte swap) and their halves summed in two small integers, exact up to 64 KiB; the
  // result is swapped back to network order at the end.
  if (length > SUM_BLOCK_BYTES) return longSum(view, offset, length, initial);
  let high = 0;
  let low = 0;
  let at = offset;
  const end = offset + length;
  for (const wordsEnd = end - 3; at < wordsEnd; at += 4) {
    const word = view.getUint32(at, true);
    high = (high + (word >>> 16)) | 0;
    low = (low + (word & 0xffff)) | 0;
  }
  if (end - at >= 2) {
    low += view.getUint16(at, true);
    at += 2;
  }
  if (at < end) low += view.getUint8(at);
  // Below 2^31: two folds bring it to 16 bits.
  let sum = high + low;
  sum = (sum >>> 16) + (sum & 0xffff);
  sum = (sum >>> 16) + (sum & 0xffff);
  sum = ((sum & 0xff) << 8) + (sum >> 8) + (initial <= 0xffff ? initial : fold(initial));
  return (sum & 0xffff) + (sum >>> 16);
}

/** `onesComplementSum` of more than 64 KiB (jumbo frames): summed 64 KiB at a time. */
function longSum(view: DataView, offset: number, length: number, initial: number): number {
  let sum = fold(initial);
  for (let at = offset; at < offset + length; at += SUM_BLOCK_BYTES) {
    const block = Math.min(SUM_BLOCK_BYTES, offset + length - at);
    // A block of odd length can only be the last, so every block starts on a 16-bit word.
    sum = fold(sum + onesComplementSum(view, at, block));
  }
  return sum;
}

/** Bytes summed before the 16-bit halves are folded: 16,384 words, well within 2^31. */
const SUM_BLOCK_BYTES = 0x10000;

/** Folds carries above 16 bits back in (one's-complement addition), for sums below 2^53. */
function fold(sum: number): number {
  // Integer operations once the sum fits 32 bits: `%` on a double is a call into C.
  while (sum > 0xffffffff) sum = (sum % 65536) + Math.floor(sum / 65536);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * The one's-complement sum of the TCP/UDP/ICMPv6 pseudo-header (RFC 9293 3.1, RFC 8200 8.1)
 * for the IP header at `ipOffset`: addresses, protocol and upper-layer length. An IPv6 packet
 * with a routing header puts its final destination in the pseudo-header (RFC 8200 section
 * 8.1): `destinationSum` is then that address's one's-complement sum, else -1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pseudoHeaderSum } from "./mod.ts";
 * const ip = new Uint8Array(20);
 * ip.set([10, 0, 0, 1, 10, 0, 0, 2], 12);
 * assert.deepEqual(pseudoHeaderSum(new DataView(ip.buffer), 4, 0, 17, 8).toString(16), "141c");
 * ```
 */
export function pseudoHeaderSum(
  view: DataView,
  ipVersion: 4 | 6,
  ipOffset: number,
  protocol: number,
  length: number,
  destinationSum = -1,
): number {
  if (ipVersion === 4) {
    // Two address words and the rest, unfolded (the callers fold): most segments are IPv4's,
    // and this is cheaper than the general sum over the addresses' 8 bytes.
    const source = view.getUint32(ipOffset + IPV4_SOURCE);
    const destination = view.getUint32(ipOffset + IPV4_DESTINATION);
    return (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff) +
      protocol + (length >>> 16) + (length & 0xffff);
  }
  const lengthSum = protocol + (length >>> 16);
  if (destinationSum >= 0) {
    const source = onesComplementSum(view, ipOffset + IPV6_SOURCE, IPV6_ADDRESS_LENGTH, lengthSum);
    return source + destinationSum + (length & 0xffff);
  }
  const sum = onesComplementSum(view, ipOffset + IPV6_SOURCE, 2 * IPV6_ADDRESS_LENGTH, lengthSum);
  return sum + (length & 0xffff);
}

/** Where IPv4's addresses and IPv6's source lie in their headers; an IPv6 address's length. */
const IPV4_SOURCE = 12;
const IPV4_DESTINATION = 16;
const IPV6_SOURCE = 8;
const IPV6_ADDRESS_LENGTH = 16;

/** A transport header whose checksum covers a pseudo-header and the whole segment. */
export abstract class ChecksummedView extends HeaderView {
  /** IP version of the enclosing header. */
  ipVersion: 4 | 6 = 4;
  /** Absolute offset of the enclosing IP header. */
  ipOffset = 0;
  /** Length of the whole segment (header and data) by the IP lengths. */
  segmentLength = 0;
  /** The sum of the final destination when a routing header names it, else -1. */
  pseudoDestinationSum: number = -1;
  /** The IP protocol number the pseudo-header carries. */
  protected abstract readonly protocolNumber: number;
  /** Offset of the checksum field within the header. */
  protected abstract readonly checksumOffset: number;

  /**
   * Records where the enclosing IP header is, for the pseudo-header, and the sum of an IPv6
   * routing header's final destination (-1: the IPv6 header's own).
   */
  setPseudoHeader(
    ipVersion: 4 | 6,
    ipOffset: number,
    segmentLength: number,
    destinationSum = -1,
  ): this {
    this.ipVersion = ipVersion;
    this.ipOffset = ipOffset;
    this.segmentLength = segmentLength;
    this.pseudoDestinationSum = destinationSum;
    return this;
  }

  /** Whether the whole segment was captured, so its checksum can be verified. */
  get verifiable(): boolean {
    return !this.truncated && this.offset + this.segmentLength <= this.end &&
      this.segmentLength >= this.checksumOffset + 2;
  }

  #sum(): number {
    const pseudo = pseudoHeaderSum(
      this.view,
      this.ipVersion,
      this.ipOffset,
      this.protocolNumber,
      this.segmentLength,
      this.pseudoDestinationSum,
    );
    return onesComplementSum(this.view, this.offset, this.segmentLength, pseudo);
  }

  /**
   * Whether the checksum is right; `null` when it cannot be verified: the segment was not
   * captured whole, or it was captured on the sending host before the network card filled
   * the checksum in (`offloaded`).
   */
  get checksumOk(): boolean | null {
    if (!this.verifiable) return null;
    // A wrong sum is looked at again only for the offload's mark, not summed again.
    if (this.#sum() === 0xffff) return true;
    return this.#holdsPseudoHeaderSum() ? null : false;
  }

  /**
   * Whether the checksum field holds just the pseudo-header's sum: what Linux leaves there for
   * the card to finish when it offloads the checksum (`CHECKSUM_PARTIAL`), as seen when
   * capturing outgoing packets (always on `lo`). Such a checksum is unverified, not bad.
   */
  get offloaded(): boolean {
    return this.verifiable && this.#holdsPseudoHeaderSum() && this.#sum() !== 0xffff;
  }

  /** Whether the checksum field equals the pseudo-header's sum, folded to 16 bits. */
  #holdsPseudoHeaderSum(): boolean {
    let pseudo = pseudoHeaderSum(
      this.view,
      this.ipVersion,
      this.ipOffset,
      this.protocolNumber,
      this.segmentLength,
      this.pseudoDestinationSum,
    );
    while (pseudo > 0xffff) pseudo = (pseudo & 0xffff) + (pseudo >>> 16);
    return this.view.getUint16(this.offset + this.checksumOffset) === pseudo;
  }

  /** The checksum the segment should carry; `null` when it cannot be computed. */
  get expectedChecksum(): number | null {
    if (!this.verifiable) return null;
    const sent = this.view.getUint16(this.offset + this.checksumOffset);
    let sum = this.#sum() + (~sent & 0xffff);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    return ~sum & 0xffff;
  }
}
