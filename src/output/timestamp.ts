/**
 * The two ways netpeek writes a frame's time: tcpdump's local `HH:MM:SS.ffffff` and ISO 8601 UTC for JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isoTimestamp } from "./timestamp.ts";
 * const header = { seconds: 1767225600, fraction: 42, nanosecond: false, caplen: 60, len: 60 };
 * assert.deepEqual(isoTimestamp(header), "2026-01-01T00:00:00.000042Z");
 * ```
 * @module
 */

import type { FrameHeader } from "../frame.ts";
import { type ByteWriter, Piece } from "./bytes.ts";

function pad(value: number, width: number): string {
  return value.toString().padStart(width, "0");
}

/**
 * The time as ISO 8601 UTC with six or nine fractional digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isoTimestamp } from "./timestamp.ts";
 * const nano = { seconds: 0, fraction: 5, nanosecond: true, caplen: 0, len: 0 };
 * assert.deepEqual(isoTimestamp(nano), "1970-01-01T00:00:00.000000005Z");
 * ```
 */
export function isoTimestamp(header: FrameHeader): string {
  return `${isoSecond(header.seconds)}.${pad(header.fraction, header.nanosecond ? 9 : 6)}Z`;
}

/** `YYYY-MM-DDTHH:MM:SS` of a second: consecutive packets mostly share it, so it is kept. */
function isoSecond(seconds: number): string {
  if (seconds !== isoSeconds) {
    isoSeconds = seconds;
    isoPrefix = new Date(seconds * 1000).toISOString().slice(0, 19);
  }
  return isoPrefix;
}

let isoSeconds = Number.NaN;
let isoPrefix = "";
/** `isoBefore`, the second's text and its dot, encoded, for the second `isoBytesSeconds`. */
let isoPrefixBytes = new Piece("");
let isoBytesSeconds = Number.NaN;
let isoBefore = "";

/**
 * Writes `before` (JSON's opening, say: it is encoded with the date once a second), then
 * the same text as `isoTimestamp`, into `out`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeIsoTimestamp } from "./timestamp.ts";
 * const out = new ByteWriter();
 * writeIsoTimestamp(out, { seconds: 0, fraction: 5, nanosecond: false, caplen: 0, len: 0 }, "@");
 * assert.deepEqual(out.toString(), "@1970-01-01T00:00:00.000005Z");
 * ```
 */
export function writeIsoTimestamp(out: ByteWriter, header: FrameHeader, before = ""): void {
  if (header.seconds !== isoBytesSeconds || before !== isoBefore) {
    isoPrefixBytes = new Piece(`${before}${isoSecond(header.seconds)}.`);
    isoBytesSeconds = header.seconds;
    isoBefore = before;
  }
  out.piece(isoPrefixBytes);
  out.padded(header.fraction, header.nanosecond ? 9 : 6);
  out.byte(0x5a);
}

/**
 * Writes tcpdump's time of day in the local time zone, caching the `HH:MM:SS` part since
 * consecutive packets mostly share their second.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TimeOfDay } from "./timestamp.ts";
 * const clock = new TimeOfDay();
 * const text = clock.format({ seconds: 0, fraction: 7, nanosecond: false, caplen: 0, len: 0 });
 * assert.deepEqual(text.endsWith(".000007"), true);
 * ```
 */
export class TimeOfDay {
  #seconds = Number.NaN;
  /** `HH:MM:SS.` of `#seconds`, as text and encoded. */
  #prefix = "";
  #piece = new Piece("");

  /** `HH:MM:SS.ffffff` (or nine digits for nanosecond captures). */
  format(header: FrameHeader): string {
    this.#toSecond(header.seconds);
    return this.#prefix + pad(header.fraction, header.nanosecond ? 9 : 6);
  }

  /** Writes the same text as `format` into `out`. */
  write(out: ByteWriter, header: FrameHeader): void {
    this.#toSecond(header.seconds);
    out.piece(this.#piece);
    out.padded(header.fraction, header.nanosecond ? 9 : 6);
  }

  #toSecond(seconds: number): void {
    if (seconds === this.#seconds) return;
    const date = new Date(seconds * 1000);
    this.#seconds = seconds;
    this.#prefix = `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${
      pad(date.getSeconds(), 2)
    }.`;
    this.#piece = new Piece(this.#prefix);
  }
}

/**
 * tcpdump's time stamp formats, by how many `-t` were given: 0 the time of day; 1 none; 2
 * seconds since 1970 (`-tt`); 3 the time since the previous packet (`-ttt`); 4 the date and
 * time of day (`-tttt`); 5 the time since the first packet (`-ttttt`).
 */
export type TimeFormat = 0 | 1 | 2 | 3 | 4 | 5;

/** No `-t`: the time of day. */
const TIME_OF_DAY = 0;
/** `-t`: no time stamp. */
export const TIME_NONE = 1;
/** `-tt`: seconds since 1970. */
const TIME_EPOCH = 2;
/** `-ttt`: the time since the previous packet. */
const TIME_SINCE_PREVIOUS = 3;
/** `-tttt`: the date, then the time of day. */
const TIME_DATE = 4;
/** `-ttttt`: the time since the first packet. */
const TIME_SINCE_FIRST = 5;

/**
 * Whether a format's time stamp depends on the packets before (`-ttt`, `-ttttt`), so that the
 * packets must be formatted in order by one clock.
 */
export function countsFromEarlierPackets(format: TimeFormat): boolean {
  return format === TIME_SINCE_PREVIOUS || format === TIME_SINCE_FIRST;
}

/**
 * Writes a frame's time stamp in one of tcpdump's formats (`TimeFormat`), followed by the
 * space before the rest of the line (none for `-t`). Keeps the previous and first packet's
 * times that `-ttt` and `-ttttt` subtract.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteWriter } from "./bytes.ts";
 * import { PacketClock } from "./timestamp.ts";
 * const clock = new PacketClock(3);
 * const out = new ByteWriter();
 * clock.write(out, { seconds: 100, fraction: 900_000, nanosecond: false, caplen: 0, len: 0 });
 * clock.write(out, { seconds: 3701, fraction: 950_000, nanosecond: false, caplen: 0, len: 0 });
 * // tcpdump -ttt: a space, then hours, minutes and seconds since the packet before.
 * assert.deepEqual(out.toString(), " 00:00:00.000000  01:00:01.050000 ");
 * ```
 */
export class PacketClock {
  readonly #format: TimeFormat;
  readonly #timeOfDay = new TimeOfDay();
  /** The first and the previous packet's time, in units of the fraction (µs or ns). */
  #first: bigint | undefined;
  #previous: bigint | undefined;
  #dateSeconds = Number.NaN;
  #datePrefix = "";
  readonly #nanosecond: boolean;
  /** A nanosecond time stamp cut to microseconds. */
  readonly #micro: FrameHeader = { seconds: 0, fraction: 0, nanosecond: false, caplen: 0, len: 0 };

  /**
   * `nanosecond`: nanosecond time stamps keep their nine digits (tcpdump's
   * `--time-stamp-precision nano`); otherwise they are cut to microseconds, as tcpdump prints
   * them by default.
   */
  constructor(format: TimeFormat = 0, nanosecond = true) {
    this.#format = format;
    this.#nanosecond = nanosecond;
  }

  /** The time stamp and its trailing space, into `out`. */
  write(out: ByteWriter, frame: FrameHeader): void {
    let header = frame;
    if (frame.nanosecond && !this.#nanosecond) {
      header = this.#micro;
      header.seconds = frame.seconds;
      header.fraction = Math.floor(frame.fraction / 1000);
    }
    switch (this.#format) {
      case TIME_OF_DAY:
        this.#timeOfDay.write(out, header);
        break;
      case TIME_NONE:
        return;
      case TIME_EPOCH:
        out.uint(header.seconds);
        out.byte(0x2e);
        out.padded(header.fraction, header.nanosecond ? 9 : 6);
        break;
      case TIME_DATE:
        if (header.seconds !== this.#dateSeconds) {
          const date = new Date(header.seconds * 1000);
          this.#dateSeconds = header.seconds;
          this.#datePrefix = `${date.getFullYear()}-${pad(date.getMonth() + 1, 2)}-${
            pad(date.getDate(), 2)
          } `;
        }
        out.text(this.#datePrefix);
        this.#timeOfDay.write(out, header);
        break;
      case TIME_SINCE_PREVIOUS:
      case TIME_SINCE_FIRST:
        this.#writeDelta(out, header);
        break;
    }
    out.byte(0x20);
  }

  #writeDelta(out: ByteWriter, header: FrameHeader): void {
    const unit = header.nanosecond ? 1_000_000_000n : 1_000_000n;
    const now = BigInt(header.seconds) * unit + BigInt(header.fraction);
    this.#first ??= now;
    const since = this.#format === TIME_SINCE_FIRST ? this.#first : this.#previous ?? now;
    this.#previous = now;
    let delta = now - since;
    // tcpdump writes a space before the delta, or a minus for a packet earlier than the last.
    out.byte(delta < 0n ? 0x2d : 0x20);
    if (delta < 0n) delta = -delta;
    const seconds = Number(delta / unit);
    out.text(
      `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${
        pad(seconds % 60, 2)
      }.`,
    );
    out.padded(Number(delta % unit), header.nanosecond ? 9 : 6);
  }
}
