/**
 * Takes one frame at a time from a libpcap handle into a reused buffer, at the per-packet
 * cost shared/notes/deno-ffi.md measured as the least: `pcap_next_ex` with its two out-slots
 * in one `BigUint64Array` whose address is taken once, then libc `memcpy` of the header and
 * the frame into one large buffer (outside V8's moving heap) whose address is taken once.
 * Three fast calls and two BigInt reads a frame; no pointer objects, no views made. Used on
 * the main thread (`LiveCapture`) and on the capture thread (`capture_thread.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FRAME_OFFSET, frameBufferBytes } from "./frame_reader.ts";
 * // The frame lies past the copied record header, 8-byte aligned, and any snapshot fits.
 * assert.equal(FRAME_OFFSET % 8, 0);
 * assert.ok(frameBufferBytes(65535) >= FRAME_OFFSET + 262144);
 * ```
 * @module
 */

import type { FrameHeader } from "../frame.ts";
import { HOST_LITTLE_ENDIAN, type Libpcap, PKTHDR } from "./library.ts";

/** Frames are copied to this offset of the buffer, past the copied header, 8-byte aligned. */
export const FRAME_OFFSET = 32;
/** The largest snapshot length libpcap accepts (`MAXIMUM_SNAPLEN`). */
const LARGEST_SNAPLEN = 262144;
const IS_WINDOWS = Deno.build.os === "windows";

/** The reader's buffer size for a handle of snapshot length `snaplen`. */
export function frameBufferBytes(snaplen: number): number {
  return FRAME_OFFSET + Math.max(snaplen, LARGEST_SNAPLEN);
}

/** Reads frames from one handle; `bytes` and `header` hold the last one read. */
export class FrameReader {
  readonly #lib: Libpcap;
  readonly #handle: Deno.PointerValue;
  /** The buffer the frame is copied into, at `FRAME_OFFSET`. */
  readonly bytes: Uint8Array;
  /** The last frame's header. */
  readonly header: FrameHeader;
  readonly #view: DataView;
  readonly #bufferPointer: Deno.PointerObject;
  readonly #framePointer: Deno.PointerObject;
  readonly #slots = new BigUint64Array(2);
  readonly #headerSlot: Deno.PointerObject;
  readonly #dataSlot: Deno.PointerObject;
  /** A BigInt per distinct length, made once: the copy then allocates nothing. */
  readonly #lengths: bigint[] = [];
  readonly #pkthdrSize = BigInt(PKTHDR.size);

  constructor(lib: Libpcap, handle: Deno.PointerValue, snaplen: number, nanosecond: boolean) {
    this.#lib = lib;
    this.#handle = handle;
    this.header = { seconds: 0, fraction: 0, nanosecond, caplen: 0, len: 0 };
    const buffer = new ArrayBuffer(frameBufferBytes(snaplen));
    this.bytes = new Uint8Array(buffer);
    this.#view = new DataView(buffer);
    this.#bufferPointer = Deno.UnsafePointer.of(this.bytes)!;
    this.#framePointer = Deno.UnsafePointer.offset(this.#bufferPointer, FRAME_OFFSET)!;
    const slots = Deno.UnsafePointer.of(this.#slots)!;
    this.#headerSlot = slots;
    this.#dataSlot = Deno.UnsafePointer.offset(slots, 8)!;
  }

  /**
   * One `pcap_next_ex`, and the copy of its header and frame: 1 read a frame, 0 nothing
   * is waiting, negative is libpcap's error status.
   */
  read(): number {
    const { pcap, libc } = this.#lib;
    const status = pcap.pcap_next_ex(this.#handle, this.#headerSlot, this.#dataSlot);
    if (status !== 1) return status;
    const view = this.#view;
    libc.memcpy(this.#bufferPointer, this.#slots[0], this.#pkthdrSize);
    const header = this.header;
    const low = view.getUint32(0, HOST_LITTLE_ENDIAN);
    const high = IS_WINDOWS ? 0 : view.getInt32(4, HOST_LITTLE_ENDIAN);
    header.seconds = HOST_LITTLE_ENDIAN || IS_WINDOWS
      ? high * 0x100000000 + low
      : low * 0x100000000 + (high >>> 0);
    header.fraction = view.getUint32(
      PKTHDR.usec + (HOST_LITTLE_ENDIAN ? 0 : 4),
      HOST_LITTLE_ENDIAN,
    );
    const caplen = Math.min(
      view.getUint32(PKTHDR.caplen, HOST_LITTLE_ENDIAN),
      this.bytes.length - FRAME_OFFSET,
    );
    header.caplen = caplen;
    header.len = view.getUint32(PKTHDR.len, HOST_LITTLE_ENDIAN);
    libc.memcpy(this.#framePointer, this.#slots[1], this.#lengths[caplen] ??= BigInt(caplen));
    return 1;
  }
}
