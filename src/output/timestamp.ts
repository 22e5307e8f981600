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
