/**
 * A captured frame's record header: the one type that every layer of netpeek shares. The
 * capture layers (`src/ffi`, `src/file`) fill it, the analysis reads its time, the output
 * prints it; this module imports nothing, so none of them depends on another through it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FrameHeader, frameSeconds } from "./frame.ts";
 * const header: FrameHeader = { seconds: 10, fraction: 500000, nanosecond: false, caplen: 0, len: 0 };
 * assert.deepEqual(frameSeconds(header), 10.5);
 * ```
 * @module
 */

/** Counters from `pcap_stats`: what the kernel saw of a live capture. */
export interface CaptureStats {
  /** Packets the filter accepted (on `lo` each frame counts twice: sent and received). */
  received: number;
  /** Packets dropped because the buffer was full. */
  dropped: number;
  /** Packets the interface or its driver dropped, where known. */
  interfaceDropped: number;
  /**
   * Live, printing: packets captured (and written, counted, followed) but not printed,
   * because the output could not keep up (see `--buffer-packets`).
   */
  notPrinted?: number;
}

/** A pcap record header: when the frame was seen and how long it was. */
export interface FrameHeader {
  /** Whole seconds since the Unix epoch. */
  seconds: number;
  /** Microseconds, or nanoseconds when `nanosecond` is set, past `seconds`. */
  fraction: number;
  /** Whether `fraction` counts nanoseconds. */
  nanosecond: boolean;
  /** Bytes captured (at most the snapshot length). */
  caplen: number;
  /** Bytes the frame had on the wire. */
  len: number;
  /** A comment a capture file attached to the frame (pcapng), if any. */
  comment?: string | undefined;
}

/**
 * The frame's time as seconds since the epoch, fraction included (as a float: for intervals
 * and timeouts, not for printing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameSeconds } from "./frame.ts";
 * const nano = { seconds: 1, fraction: 250_000_000, nanosecond: true, caplen: 0, len: 0 };
 * assert.deepEqual(frameSeconds(nano), 1.25);
 * ```
 */
export function frameSeconds(header: FrameHeader): number {
  return header.seconds + header.fraction / (header.nanosecond ? 1e9 : 1e6);
}
