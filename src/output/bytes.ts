/**
 * A growable byte buffer that output is written straight into: digits without `toString`,
 * addresses from lookup tables, text without building a string per field. The text and
 * JSON formatters write into one of these; the capture loop writes it out in big chunks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteWriter } from "./bytes.ts";
 * const out = new ByteWriter();
 * out.text("port ");
 * out.uint(5353);
 * out.byte(0x20);
 * out.ipv4(0xc0000201);
 * assert.deepEqual(out.toString(), "port 5353 192.0.2.1");
 * ```
 * @module
 */

import { isIpv4Mapped, zeroRunStart } from "../decode/address.ts";

const DOT = 0x2e;
const COLON = 0x3a;

/**
 * Numbers are written in groups of three digits, each group one 32-bit store of a word from
 * these tables (4 KB each, so they stay in the cache): `DIGITS[n]` holds the digits of n
 * below 1000 in its low bytes, little-endian, and `DIGIT_COUNT[n]` how many there are;
 * `THREE_DIGITS[n]` holds n as exactly three digits ("007"); `OCTET_DOT[n]` holds the digits
 * of n below 256 followed by a dot. A store may write a byte or two past the digits; those
 * lie beyond `length`, where the next write goes.
 */
const DIGITS = new Uint32Array(1000);
const DIGIT_COUNT = new Uint8Array(1000);
const THREE_DIGITS = new Uint32Array(1000);
const OCTET_DOT = new Uint32Array(256);
/** Each byte as two lower-case hexadecimal digits and a colon, for MAC addresses. */
const HEX_COLON = new Uint32Array(256);
for (let value = 0; value < 1000; value++) {
  const digits = String(value);
  const three = digits.padStart(3, "0");
  DIGIT_COUNT[value] = digits.length;
  for (let i = 0; i < digits.length; i++) DIGITS[value] |= digits.charCodeAt(i) << (8 * i);
  for (let i = 0; i < 3; i++) THREE_DIGITS[value] |= three.charCodeAt(i) << (8 * i);
  if (value < 256) {
    OCTET_DOT[value] = DIGITS[value] | (DOT << (8 * digits.length));
    const hex = value.toString(16).padStart(2, "0");
    HEX_COLON[value] = hex.charCodeAt(0) | (hex.charCodeAt(1) << 8) | (COLON << 16);
  }
}

/** ASCII code of each (lower-case) hexadecimal digit. */
export const HEX_DIGITS = new TextEncoder().encode("0123456789abcdef");

const UTF8 = new TextDecoder();
const ZERO = 0x30;

/** The longest text a number, an IPv4 or an IPv6 address can take, with room to spare. */
const FIELD_ROOM = 64;

/**
 * A fixed piece of output (a key, a word, punctuation) encoded once, as UTF-8 and as
 * little-endian float64s, zero-padded: `ByteWriter.piece` copies it eight bytes at a time,
 * which beats four at a time, a byte loop and `Uint8Array.set` for the short runs output is
 * made of.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteWriter, Piece } from "./bytes.ts";
 * const out = new ByteWriter();
 * out.piece(new Piece(" port "));
 * assert.deepEqual(JSON.stringify(out.toString()), "\" port \"");
 * ```
 */
export class Piece {
  /** The UTF-8 bytes. */
  readonly bytes: Uint8Array;
  /**
   * The bytes as little-endian float64s, the last one padded with zeros: eight bytes a store.
   * A float64 store keeps every bit pattern but a NaN's, and UTF-8 never makes a NaN: that
   * would take a 0x7f or 0xff byte right after one of 0xf0 to 0xff, the last two of a group.
   */
  readonly doubles: Float64Array;
  /** How many bytes the piece writes. */
  readonly length: number;

  constructor(text: string) {
    this.bytes = new TextEncoder().encode(text);
    this.length = this.bytes.length;
    const padded = new Uint8Array(Math.ceil(this.length / 8) * 8);
    padded.set(this.bytes);
    this.doubles = new Float64Array(padded.buffer);
  }
}

/**
 * Pieces for the numbers 0 to `size - 1` (flag combinations, type codes), each encoded from
 * `text(n)` the first time it is asked for. Made all at once, the formatters' tables cost
 * every run several milliseconds of start-up, for entries most runs never use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteWriter, PieceTable } from "./bytes.ts";
 * const squares = new PieceTable(10, (n) => `${n * n} `);
 * const out = new ByteWriter();
 * out.piece(squares.get(3));
 * out.piece(squares.get(4));
 * assert.deepEqual(out.toString(), "9 16 ");
 * ```
 */
export class PieceTable {
  /** How many numbers the table covers. */
  readonly size: number;
  readonly #pieces: (Piece | undefined)[];
  readonly #text: (value: number) => string;

  constructor(size: number, text: (value: number) => string) {
    this.size = size;
    this.#pieces = new Array(size);
    this.#text = text;
  }

  /** The piece for `value` (below `size`). */
  get(value: number): Piece {
    return this.#pieces[value] ??= new Piece(this.#text(value));
  }
}

/**
 * Encodes the fixed pieces of a formatter's output once, for `ByteWriter.piece`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteWriter, encodePieces } from "./bytes.ts";
 * const PIECE = encodePieces({ port: " port " });
 * const out = new ByteWriter();
 * out.piece(PIECE.port);
 * assert.deepEqual(JSON.stringify(out.toString()), "\" port \"");
 * ```
 */
export function encodePieces<Name extends string>(
  pieces: Readonly<Record<Name, string>>,
): Readonly<Record<Name, Piece>> {
  // A copy of the literal, its values then replaced, keeps the literal's fast shape: an object
  // grown key by key past some thirty keys falls into V8's slow dictionary mode.
  const encoded = { ...pieces } as unknown as Record<Name, Piece>;
  for (const name in pieces) encoded[name] = new Piece(pieces[name]);
  return encoded;
}

/** Output bytes, appended field by field; `length` bytes of `bytes` are in use. */
export class ByteWriter {
  /** The buffer; replaced by a larger one when it fills, so never keep a reference. */
  bytes: Uint8Array;
  /** Bytes written so far. */
  length = 0;
  /** A view of `bytes`, for writing pieces a word at a time. */
  #view: DataView;
  readonly #encoder = new TextEncoder();
  readonly #groups = new Uint16Array(8);

  constructor(size = 1 << 16) {
    this.bytes = new Uint8Array(size);
    this.#view = new DataView(this.bytes.buffer);
  }

  /** Makes room for `needed` more bytes. */
  reserve(needed: number): void {
    if (this.length + needed <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + needed) size *= 2;
    const larger = new Uint8Array(size);
    larger.set(this.bytes.subarray(0, this.length));
    this.bytes = larger;
    this.#view = new DataView(larger.buffer);
  }

  /** Appends one byte. */
  byte(value: number): void {
    if (this.length === this.bytes.length) this.reserve(1);
    this.bytes[this.length++] = value;
  }

  /**
   * Appends a piece encoded beforehand, eight bytes a store. The last store may write up to
   * seven bytes past the piece; they lie beyond `length`, where the next write goes.
   */
  piece(piece: Piece): void {
    const count = piece.length;
    if (this.length + count + 8 > this.bytes.length) this.reserve(count + 8);
    const view = this.#view;
    const at = this.length;
    const doubles = piece.doubles;
    for (let i = 0; i < doubles.length; i++) view.setFloat64(at + 8 * i, doubles[i], true);
    this.length = at + count;
  }

  /**
   * Appends `piece`, then `value` as `uint` writes it. A key and its number are most of a line,
   * and were two calls: V8 inlines few of a writer's calls (some 900 bytes of bytecode a
   * function, `piece` alone 126), so writing both in one call makes the line cheaper
   * (docs/performance.md, the eighteenth session).
   */
  field(piece: Piece, value: number): void {
    const count = piece.length;
    if (this.length + count + FIELD_ROOM > this.bytes.length) this.reserve(count + FIELD_ROOM);
    const view = this.#view;
    let at = this.length;
    const doubles = piece.doubles;
    for (let i = 0; i < doubles.length; i++) view.setFloat64(at + 8 * i, doubles[i], true);
    at += count;
    if ((value | 0) !== value || value < 0) {
      this.length = at;
      this.#largeNumber(value);
      return;
    }
    this.#smallAt(view, at, value | 0);
  }

  /** Appends bytes (copied a byte at a time when short, else with `set`). */
  raw(piece: Uint8Array): void {
    const count = piece.length;
    if (this.length + count > this.bytes.length) this.reserve(count);
    if (count > 16) {
      this.bytes.set(piece, this.length);
      this.length += count;
      return;
    }
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < count; i++) bytes[at++] = piece[i];
    this.length = at;
  }

  /**
   * Appends text as UTF-8. Short ASCII strings (what formatters mostly write) are copied a
   * character at a time, which is cheaper than an `encodeInto` call each.
   */
  text(text: string): void {
    const count = text.length;
    if (this.length + count * 3 > this.bytes.length) this.reserve(count * 3);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < count; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) {
        this.length = at;
        this.#encodeRest(text, i);
        return;
      }
      bytes[at++] = code;
    }
    this.length = at;
  }

  #encodeRest(text: string, from: number): void {
    const written = this.#encoder.encodeInto(
      text.slice(from),
      this.bytes.subarray(this.length),
    ).written;
    this.length += written;
  }

  /**
   * Appends a number in decimal, as `String(value)` would write it. Non-negative integers
   * below 2^31 (nearly every header field) take a fast path of small-integer arithmetic.
   */
  uint(value: number): void {
    if ((value | 0) !== value || value < 0) {
      this.#largeNumber(value);
      return;
    }
    if (this.length + FIELD_ROOM > this.bytes.length) this.reserve(FIELD_ROOM);
    // `| 0` types the value as a 32-bit integer for the optimiser, so that the divisions
    // below become integer multiplications even where larger numbers (not small integers to
    // V8) have passed through.
    this.#smallAt(this.#view, this.length, value | 0);
  }

  /**
   * Writes `small` (a non-negative integer below 2^31) in decimal at `at`, which is
   * `length` or the end of a piece just written there, room made; `length` ends past it.
   */
  #smallAt(view: DataView, at: number, small: number): void {
    if (small < 1000) {
      view.setUint32(at, DIGITS[small], true);
      this.length = at + DIGIT_COUNT[small];
      return;
    }
    if (small < 1000000) {
      const high = (small / 1000) | 0;
      view.setUint32(at, DIGITS[high], true);
      at += DIGIT_COUNT[high];
      view.setUint32(at, THREE_DIGITS[small - high * 1000], true);
      this.length = at + 3;
      return;
    }
    this.length = at;
    const high = (small / 1000000) | 0;
    this.#millions(high, small - high * 1000000);
  }

  /** Writes `high` (below 10^6), then `low` (below 10^6) as exactly six digits. */
  #millions(high: number, low: number): void {
    const view = this.#view;
    let at = this.length;
    if (high < 1000) {
      view.setUint32(at, DIGITS[high], true);
      at += DIGIT_COUNT[high];
    } else {
      const top = (high / 1000) | 0;
      view.setUint32(at, DIGITS[top], true);
      at += DIGIT_COUNT[top];
      view.setUint32(at, THREE_DIGITS[high - top * 1000], true);
      at += 3;
    }
    const middle = (low / 1000) | 0;
    view.setUint32(at, THREE_DIGITS[middle], true);
    view.setUint32(at + 3, THREE_DIGITS[low - middle * 1000], true);
    this.length = at + 6;
  }

  /** 2^31 and above (32-bit sequence numbers), fractions, negatives, NaN. */
  #largeNumber(value: number): void {
    if (value >= 0x80000000 && value >>> 0 === value) {
      // Ten digits: the millions (2147 to 4294) and the six digits below them, which fit
      // small integers.
      if (this.length + FIELD_ROOM > this.bytes.length) this.reserve(FIELD_ROOM);
      const high = Math.floor(value / 1000000);
      this.#millions(high, (value - high * 1000000) | 0);
      return;
    }
    this.text(String(value));
  }

  /** Appends a non-negative integer in decimal, zero-padded to `width` digits. */
  padded(value: number, width: number): void {
    if (this.length + FIELD_ROOM + width > this.bytes.length) this.reserve(FIELD_ROOM + width);
    const bytes = this.bytes;
    if (width === 6 && value >= 0 && value < 1000000 && (value | 0) === value) {
      // Microseconds, on every line: two groups of three digits.
      const high = (value / 1000) | 0;
      const view = this.#view;
      view.setUint32(this.length, THREE_DIGITS[high], true);
      view.setUint32(this.length + 3, THREE_DIGITS[value - high * 1000], true);
      this.length += 6;
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 10 && digits < width; rest = Math.floor(rest / 10)) digits++;
    for (let i = digits; i < width; i++) bytes[this.length++] = ZERO;
    this.uint(value);
  }

  /** Appends an integer in lower-case hexadecimal, zero-padded to `width` digits. */
  hex(value: number, width = 1): void {
    if (this.length + FIELD_ROOM + width > this.bytes.length) this.reserve(FIELD_ROOM + width);
    const bytes = this.bytes;
    if (value >>> 0 === value) {
      // Every caller's case (address groups, checksums, flow labels): integer shifts.
      let digits = Math.max(1, (35 - Math.clz32(value)) >> 2, width);
      let at = this.length + digits;
      this.length = at;
      for (let rest = value; digits > 0; digits--, rest >>>= 4) bytes[--at] = HEX_DIGITS[rest & 15];
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 16; rest = Math.floor(rest / 16)) digits++;
    if (digits < width) digits = width;
    let at = this.length + digits;
    this.length = at;
    for (let rest = value; digits > 0; digits--) {
      bytes[--at] = HEX_DIGITS[rest % 16];
      rest = Math.floor(rest / 16);
    }
  }

  /** Appends the `count` bytes at `offset` in `view` as they are. */
  viewBytes(view: DataView, offset: number, count: number): void {
    if (this.length + count > this.bytes.length) this.reserve(count);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < count; i++) bytes[at++] = view.getUint8(offset + i);
    this.length = at;
  }

  /** Appends the `count` bytes at `offset` in `view` as two lower-case hex digits each. */
  hexBytes(view: DataView, offset: number, count: number): void {
    for (let i = 0; i < count; i++) this.hex(view.getUint8(offset + i), 2);
  }

  /** Appends the 6-byte MAC address at `offset` in `view` as `xx:xx:xx:xx:xx:xx`. */
  mac(view: DataView, offset: number): void {
    if (this.length + FIELD_ROOM > this.bytes.length) this.reserve(FIELD_ROOM);
    const out = this.#view;
    const at = this.length;
    for (let i = 0; i < 6; i++) {
      out.setUint32(at + 3 * i, HEX_COLON[view.getUint8(offset + i)], true);
    }
    this.length = at + 17; // the last colon is past the end
  }

  /** Appends an IPv4 address (given as its 32-bit number) as a dotted quad. */
  ipv4(address: number): void {
    if (this.length + FIELD_ROOM > this.bytes.length) this.reserve(FIELD_ROOM);
    const view = this.#view;
    let at = this.length;
    let octet = address >>> 24;
    view.setUint32(at, OCTET_DOT[octet], true);
    at += DIGIT_COUNT[octet] + 1;
    octet = (address >>> 16) & 0xff;
    view.setUint32(at, OCTET_DOT[octet], true);
    at += DIGIT_COUNT[octet] + 1;
    octet = (address >>> 8) & 0xff;
    view.setUint32(at, OCTET_DOT[octet], true);
    at += DIGIT_COUNT[octet] + 1;
    octet = address & 0xff;
    view.setUint32(at, DIGITS[octet], true);
    this.length = at + DIGIT_COUNT[octet];
  }

  /**
   * Appends the IPv6 address at `offset` in `view` as RFC 5952 text (the same text as
   * `formatIpv6` in the decoder): lower case, the longest run of two or more zero groups (the
   * first when tied) as `::`, IPv4-mapped addresses with a dotted tail.
   */
  ipv6(view: DataView, offset: number): void {
    if (this.length + FIELD_ROOM > this.bytes.length) this.reserve(FIELD_ROOM);
    const groups = this.#groups;
    for (let i = 0; i < 8; i++) groups[i] = view.getUint16(offset + 2 * i);
    if (isIpv4Mapped(groups)) {
      this.text("::ffff:");
      this.ipv4(view.getUint32(offset + 12));
      return;
    }
    const bestStart = zeroRunStart(groups);
    let bestEnd = bestStart;
    while (bestEnd >= 0 && bestEnd < 8 && groups[bestEnd] === 0) bestEnd++;
    const bestLength = bestEnd - bestStart;
    for (let i = 0; i < 8; i++) {
      // `hex` may replace the buffer, so it is looked up afresh for each colon.
      if (i === bestStart) {
        this.bytes[this.length++] = COLON;
        this.bytes[this.length++] = COLON;
        i += bestLength - 1;
        continue;
      }
      if (i > 0 && i !== bestStart + bestLength) this.bytes[this.length++] = COLON;
      this.hex(groups[i]);
    }
  }

  /** The bytes written so far (a view, valid until the next write or `clear`). */
  written(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  /** Forgets what was written, keeping the buffer. */
  clear(): void {
    this.length = 0;
  }

  /** What was written, decoded as UTF-8. */
  toString(): string {
    return UTF8.decode(this.written());
  }
}
