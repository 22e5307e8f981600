/**
 * The ring in shared memory between the capture thread (`capture_thread.ts`), which takes
 * frames from libpcap and does nothing else, and the thread that decodes, writes and prints
 * them. One producer, one consumer, no locks: each side owns one position and publishes it
 * with an atomic store; a frame is published only once its bytes are in place, and its
 * space is reused only once the consumer has moved past it.
 *
 * A record is a 24-byte header (caplen, len, seconds low and high, fraction, spare: 32-bit
 * words) and the frame, padded to 8 bytes. A record that would run past the end of the ring
 * starts again at 0: a wrap mark (caplen `WRAP`) says so where at least a header fits;
 * otherwise the consumer wraps by itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CaptureRing } from "./capture_ring.ts";
 * const ring = CaptureRing.allocate(4096);
 * const producer = ring.producer();
 * const consumer = new CaptureRing(ring.buffers).consumer();
 * const header = { seconds: 1, fraction: 2, nanosecond: false, caplen: 3, len: 60 };
 * assert.equal(producer.put(new Uint8Array([7, 8, 9]), 0, header), true);
 * const at = consumer.next();
 * assert.deepEqual([...consumer.bytes.subarray(at, at + consumer.header.caplen)], [7, 8, 9]);
 * assert.equal(consumer.header.len, 60);
 * consumer.release();
 * assert.equal(consumer.next(), -1);
 * ```
 * @module
 */

import type { FrameHeader } from "../frame.ts";
import { PagesAhead } from "../pages_ahead.ts";

/** The shared buffers, as handed to the capture thread. */
export interface RingBuffers {
  data: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

// Control words (32-bit).
/** How many frames the producer has put (wraps at 2^32). */
export const RING_PRODUCED = 0;
/** Where the consumer reads next, and how many frames it has taken. */
export const RING_READ_POSITION = 1;
export const RING_CONSUMED = 2;
/** What the consumer asks of the capture thread: `RUN`, `STOP_DRAINING` or `STOP_NOW`. */
export const RING_REQUEST = 3;
/** Set by the capture thread once it no longer touches the libpcap handle. */
export const RING_DONE = 4;
/** Times the capture thread found the ring full and waited for room. */
export const RING_FULL_WAITS = 5;
/** Bytes of records put, and taken (both wrap at 2^32). */
const RING_BYTES_PUT = 6;
const RING_BYTES_TAKEN = 7;
const CONTROL_WORDS = 8;

export const REQUEST_RUN = 0;
/** Stop, after taking what the kernel still holds (a signal, `--duration`). */
export const REQUEST_STOP_DRAINING = 1;
/** Stop at once (`-c` reached, the output went away). */
export const REQUEST_STOP_NOW = 2;

const RECORD_HEADER = 24;
/** See `CaptureRing.restartAfter`: some 6,000 frames of the bench's mix. */
const RESTART_AFTER = 4 << 20;
const WRAP = 0xffffffff;
const ALIGN = 8;

/** Bytes a record of a `caplen`-byte frame takes in the ring. */
function recordBytes(caplen: number): number {
  return (RECORD_HEADER + caplen + ALIGN - 1) & ~(ALIGN - 1);
}

/** A ring of frames in shared memory; `producer()` and `consumer()` are its two ends. */
export class CaptureRing {
  readonly buffers: RingBuffers;
  readonly control: Int32Array;
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;
  readonly size: number;
  /** How far in the producer must be to start again at 0 when all is taken. */
  readonly restartAfter: number;

  constructor(buffers: RingBuffers) {
    this.buffers = buffers;
    this.control = new Int32Array(buffers.control);
    this.bytes = new Uint8Array(buffers.data);
    this.words = new Uint32Array(buffers.data);
    this.size = buffers.data.byteLength;
    this.restartAfter = Math.min(RESTART_AFTER, this.size / 4);
  }

  /** A ring of `bytes` (rounded down to 16) of frames. */
  static allocate(bytes: number): CaptureRing {
    const size = Math.max(bytes & ~(2 * ALIGN - 1), 4 * RECORD_HEADER);
    return new CaptureRing({
      data: new SharedArrayBuffer(size),
      control: new SharedArrayBuffer(CONTROL_WORDS * 4),
    });
  }

  /** The largest frame that can ever fit. */
  get largestFrame(): number {
    return this.size / 2 - RECORD_HEADER;
  }

  /** Frames put and not yet taken. */
  get waiting(): number {
    return (Atomics.load(this.control, RING_PRODUCED) -
      Atomics.load(this.control, RING_CONSUMED)) >>> 0;
  }

  /** Bytes put and not yet taken (records, headers included). */
  get waitingBytes(): number {
    return (Atomics.load(this.control, RING_BYTES_PUT) -
      Atomics.load(this.control, RING_BYTES_TAKEN)) >>> 0;
  }

  producer(): RingProducer {
    return new RingProducer(this);
  }

  consumer(): RingConsumer {
    return new RingConsumer(this);
  }
}

/** The capture thread's end: puts frames in, never waits itself (see `put`). */
export class RingProducer {
  readonly #ring: CaptureRing;
  #position = 0;
  #produced = 0;
  #bytesPut = 0;
  /** The end of the furthest record ever put: the pages past it were never written. */
  #highest = 0;
  readonly #pagesAhead = new PagesAhead();
  /**
   * Views of the caller's buffer, one per frame length, made once: the capture thread puts
   * every frame from the same place, and a view made per frame was its only allocation.
   */
  #views: Uint8Array[] = [];
  #viewsOf: Uint8Array | undefined;
  #viewsAt = 0;

  constructor(ring: CaptureRing) {
    this.#ring = ring;
  }

  /**
   * Copies the frame at `offset` in `bytes` (`header.caplen` bytes) in, and publishes it;
   * false when the ring has no room (the caller waits for the consumer and tries again).
   */
  put(bytes: Uint8Array, offset: number, header: FrameHeader): boolean {
    const ring = this.#ring;
    const control = ring.control;
    const caplen = Math.min(header.caplen, ring.largestFrame);
    const needed = recordBytes(caplen);
    const size = ring.size;
    let at = this.#position;
    // The consumer publishes its position before its count: a count that says "all taken"
    // comes with the position that goes with it (then `read` is `at`). The producer's
    // position never comes to equal the reader's unless all is taken.
    const empty = Atomics.load(control, RING_CONSUMED) === this.#produced;
    const read = Atomics.load(control, RING_READ_POSITION);
    if (empty && at >= ring.restartAfter && at > needed) {
      // All taken, and far enough in: start again at 0, so that the ring's pages in use (its
      // memory) grow with the frames waiting, not with the frames that went through. Until
      // the consumer passes the wrap mark the room is only what lies before it: far enough.
      at = this.#wrap(at);
    } else if (empty || at > read) {
      if (size - at > needed || (size - at === needed && (empty || read !== 0))) {
        // It fits before the end.
      } else {
        // Start again at 0, before the reader (empty: before the wrap mark at `at`).
        if (needed >= (empty ? at : read)) return false;
        at = this.#wrap(at);
      }
    } else if (read - at <= needed) return false;
    const words = ring.words;
    const word = at >> 2;
    words[word] = caplen;
    words[word + 1] = header.len;
    words[word + 2] = header.seconds >>> 0;
    words[word + 3] = Math.floor(header.seconds / 0x100000000);
    words[word + 4] = header.fraction;
    if (bytes !== this.#viewsOf || offset !== this.#viewsAt) {
      this.#views = [];
      this.#viewsOf = bytes;
      this.#viewsAt = offset;
    }
    const frame = this.#views[caplen] ??= bytes.subarray(offset, offset + caplen);
    ring.bytes.set(frame, at + RECORD_HEADER);
    this.#position = at + needed;
    if (this.#position > this.#highest) this.#highest = this.#position;
    if (this.#position === size) this.#position = 0;
    this.#produced = (this.#produced + 1) | 0;
    this.#bytesPut = (this.#bytesPut + needed) | 0;
    Atomics.store(control, RING_BYTES_PUT, this.#bytesPut);
    Atomics.store(control, RING_PRODUCED, this.#produced);
    return true;
  }

  /**
   * Leaves the wrap mark at `at` (where a record header fits) for the consumer to start again
   * at 0; returns 0. The mark lies past the furthest record: pages are touched after it.
   */
  #wrap(at: number): number {
    const ring = this.#ring;
    if (ring.size - at >= RECORD_HEADER) ring.words[at >> 2] = WRAP;
    this.#highest = Math.max(this.#highest, at + 4);
    return 0;
  }

  /** Where the next record goes (0 after a wrap). */
  get position(): number {
    return this.#position;
  }

  /**
   * Touches up to `step` bytes' worth of the pages that lie ahead of the furthest record
   * put, as long as fewer than `ahead` bytes of them are touched; false once they are. Call
   * when idle: see `PagesAhead`.
   */
  touchAhead(ahead: number, step: number): boolean {
    const highest = this.#highest;
    return this.#pagesAhead.touch(this.#ring.bytes, highest, highest + ahead, step);
  }

  /** Wakes a consumer waiting for frames. */
  notify(): void {
    Atomics.notify(this.#ring.control, RING_PRODUCED);
  }
}

/** The consuming end: `next()` a frame, use it in place, `release()` it. */
export class RingConsumer {
  readonly #ring: CaptureRing;
  readonly bytes: Uint8Array;
  /** The header of the frame `next()` returned. */
  readonly header: FrameHeader = { seconds: 0, fraction: 0, nanosecond: false, caplen: 0, len: 0 };
  #position = 0;
  #consumed = 0;
  #next = 0;
  /** The record bytes of the frame `next()` returned, and of all taken before it. */
  #taking = 0;
  #bytesTaken = 0;

  constructor(ring: CaptureRing) {
    this.#ring = ring;
    this.bytes = ring.bytes;
  }

  /** Frames counted as taken so far. */
  get consumed(): number {
    return this.#consumed;
  }

  /**
   * The offset of the next frame's bytes in `bytes`, its header in `header`; -1 when none
   * is waiting. The bytes stay valid until `release()`.
   */
  next(): number {
    const ring = this.#ring;
    if (Atomics.load(ring.control, RING_PRODUCED) === this.#consumed) return -1;
    let at = this.#position;
    const words = ring.words;
    if (ring.size - at < RECORD_HEADER || words[at >> 2] === WRAP) at = 0;
    const word = at >> 2;
    const header = this.header;
    const caplen = words[word];
    header.caplen = caplen;
    header.len = words[word + 1];
    header.seconds = words[word + 3] * 0x100000000 + words[word + 2];
    header.fraction = words[word + 4];
    this.#position = at;
    this.#taking = recordBytes(caplen);
    this.#next = at + this.#taking;
    return at + RECORD_HEADER;
  }

  /** Gives the space of the frame `next()` returned back to the producer. */
  release(): void {
    const control = this.#ring.control;
    this.#position = this.#next === this.#ring.size ? 0 : this.#next;
    this.#consumed = (this.#consumed + 1) | 0;
    this.#bytesTaken = (this.#bytesTaken + this.#taking) | 0;
    Atomics.store(control, RING_BYTES_TAKEN, this.#bytesTaken);
    Atomics.store(control, RING_READ_POSITION, this.#position);
    Atomics.store(control, RING_CONSUMED, this.#consumed);
  }
}
