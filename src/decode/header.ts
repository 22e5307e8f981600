/**
 * The shared shape of every header view: a window onto captured bytes that is re-pointed at
 * each packet instead of allocated anew (gopacket's `DecodingLayerParser` idea).
 *
 * @example
 * ```ts
 * import { HeaderView } from "./header.ts";
 * class Byte extends HeaderView {
 *   get value(): number {
 *     return this.view.getUint8(this.offset);
 *   }
 * }
 * const byte = new Byte();
 * byte.bind(new DataView(new Uint8Array([7]).buffer), 0, 1);
 * console.log(byte.value); // 7
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
 * import { onesComplementSum } from "./header.ts";
 * const bytes = new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
 * // RFC 1071 section 3's example: the sum is 0xddf2.
 * console.log(onesComplementSum(new DataView(bytes.buffer), 0, 8).toString(16)); // "ddf2"
 * ```
 */
export function onesComplementSum(
  view: DataView,
  offset: number,
  length: number,
  initial = 0,
): number {
  let sum = initial;
  const evenEnd = offset + (length & ~1);
  for (let i = offset; i < evenEnd; i += 2) sum += view.getUint16(i);
  if (length & 1) sum += view.getUint8(evenEnd) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}
