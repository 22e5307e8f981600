/**
 * Live capture on a thread of its own, so that taking frames from the kernel never waits
 * for decoding, writing or printing them. The handle is opened, filtered and checked on the
 * main thread (where errors become messages); then a worker takes it over: it waits in a
 * blocking `poll()`, drains the kernel's ring with `FrameReader` and puts each frame in a
 * `CaptureRing` in shared memory, and does nothing else, so a pause of the main thread (a
 * garbage collection, a slow write) fills the shared ring instead of the kernel's. The main
 * thread takes frames from the ring in order and in place.
 *
 * When the ring is full the capture thread waits for room, and the kernel holds what comes
 * meanwhile (and counts what it drops): the caller keeps the ring from filling by doing less
 * per frame when `waiting` grows (netpeek stops printing, see `cli/live.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadLibpcap } from "./library.ts";
 * import { LiveCapture } from "./capture.ts";
 * import { CaptureThread } from "./capture_thread.ts";
 * // Needs root or CAP_NET_RAW; stops after half a second whatever arrives.
 * const capture = LiveCapture.open(loadLibpcap(), "lo", { snaplen: 65535 });
 * const thread = await CaptureThread.start(capture, 1 << 20);
 * assert.ok(thread !== undefined);
 * setTimeout(() => thread.stop(), 500);
 * let frames = 0;
 * await thread.run(() => {
 *   frames++;
 *   return true;
 * });
 * assert.ok(frames >= 0 && thread.fullWaits === 0);
 * capture.close();
 * ```
 * @module
 */

import {
  BATCH_SIZE,
  CaptureError,
  type FrameHandler,
  type LiveCapture,
  POLL_FAILURE,
  POLLIN,
  socketFailure,
  yieldToEventLoop,
} from "./capture.ts";
import {
  CaptureRing,
  REQUEST_RUN,
  REQUEST_STOP_DRAINING,
  REQUEST_STOP_NOW,
  RING_CONSUMED,
  RING_DONE,
  RING_FULL_WAITS,
  RING_PRODUCED,
  RING_REQUEST,
  type RingBuffers,
  type RingConsumer,
} from "./capture_ring.ts";
import { FRAME_OFFSET, FrameReader } from "./frame_reader.ts";
import { startWorker } from "../start_worker.ts";
import {
  cString,
  HOST_LITTLE_ENDIAN,
  type Libpcap,
  loadLibpcap,
  PCAP_ERROR,
  PCAP_ERROR_BREAK,
} from "./library.ts";

/** How long the worker may take to start before the capture runs on the main thread. */
const START_TIMEOUT_MS = 5000;
/** The longest wait for frames on the main thread before it looks at stop requests again. */
const WAIT_MS = 100;
/** Frames put between two wake-ups of a waiting consumer, in a long drain. */
const NOTIFY_EVERY = 256;
/** The longest wait for room in a full ring before the stop request is looked at again. */
const FULL_WAIT_MS = 10;
/**
 * The ring's pages the capture thread touches ahead of the furthest it has written, when
 * idle, a step at a time: a burst up to this much further than any before finds them there.
 */
const TOUCH_AHEAD = 32 << 20;
const TOUCH_STEP = 1 << 20;
/** `setpriority`'s "which" for one thread (its id); and the capture thread's nice value. */
const PRIO_PROCESS = 0;
const CAPTURE_NICE = -10;
/** How long the capture thread may take to let go of the handle once told to stop. */
const STOP_TIMEOUT_MS = 5000;

/** What the capture thread is started with. */
export interface CaptureThreadSetup {
  /** The activated libpcap handle's address. */
  handle: bigint;
  device: string;
  fd: number;
  snaplen: number;
  nanosecond: boolean;
  timeoutMs: number;
  buffers: RingBuffers;
}

/** What the capture thread says: it runs, or it failed (and why). */
type ThreadMessage = { started: true } | { error: string; status: number };

/** The main thread's side of a capture thread. */
export class CaptureThread {
  readonly #worker: Worker;
  readonly #ring: CaptureRing;
  readonly #consumer: RingConsumer;
  #failure: CaptureError | undefined;

  private constructor(worker: Worker, ring: CaptureRing, nanosecond: boolean) {
    this.#worker = worker;
    this.#ring = ring;
    this.#consumer = ring.consumer();
    this.#consumer.header.nanosecond = nanosecond;
    worker.onmessage = (event: MessageEvent<ThreadMessage>) => {
      const message = event.data;
      if ("error" in message) this.#failure = new CaptureError(message.error, message.status);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.#failure = new CaptureError(`capture thread failed: ${event.message}`, PCAP_ERROR);
      Atomics.store(ring.control, RING_DONE, 1);
    };
  }

  /**
   * Hands `capture`'s handle to a new capture thread with a ring of `ringBytes`;
   * `undefined` where that cannot be (no `poll()`, no workers): the caller then runs the
   * capture on its own thread. `capture` must not be read from until `run` has returned.
   */
  static async start(capture: LiveCapture, ringBytes: number): Promise<CaptureThread | undefined> {
    const lib = loadLibpcap();
    if (lib.libc.poll_wait === undefined || capture.selectableFd < 0) return undefined;
    const ring = CaptureRing.allocate(ringBytes);
    const worker = await startWorker(
      new URL("./capture_thread.ts", import.meta.url),
      {
        handle: BigInt(Deno.UnsafePointer.value(capture.handle)),
        device: capture.device,
        fd: capture.selectableFd,
        snaplen: capture.snaplen,
        nanosecond: capture.nanosecond,
        timeoutMs: capture.timeoutMs,
        buffers: ring.buffers,
      } satisfies CaptureThreadSetup,
      START_TIMEOUT_MS,
    );
    if (worker === undefined) return undefined;
    return new CaptureThread(worker, ring, capture.nanosecond);
  }

  /** Frames captured and not yet handed to `run`'s handler. */
  get waiting(): number {
    return this.#ring.waiting;
  }

  /** The share of the ring the frames waiting fill, 0 to 1. */
  get waitingShare(): number {
    return this.#ring.waitingBytes / this.#ring.size;
  }

  /** Whether the frames waiting fill half the ring or more. */
  get halfFull(): boolean {
    return this.waitingShare >= 0.5;
  }

  /** Times the capture thread found the ring full and had to leave frames to the kernel. */
  get fullWaits(): number {
    return Atomics.load(this.#ring.control, RING_FULL_WAITS);
  }

  /** Asks the capture to stop once it has taken what the kernel still holds. */
  stop(): void {
    Atomics.compareExchange(this.#ring.control, RING_REQUEST, REQUEST_RUN, REQUEST_STOP_DRAINING);
  }

  /**
   * Hands every frame, in capture order, to `onFrame` until `stop()` and the last frame, or
   * until `onFrame` returns `false`; `onDrained` runs after each batch and whenever no frame
   * is waiting. Rejects with a `CaptureError` when the capture failed. When it returns, the
   * capture thread has let go of the handle.
   */
  async run(onFrame: FrameHandler, onDrained: () => void = () => {}): Promise<void> {
    const ring = this.#ring;
    const control = ring.control;
    const consumer = this.#consumer;
    try {
      for (;;) {
        let taken = 0;
        for (; taken < BATCH_SIZE; taken++) {
          const at = consumer.next();
          if (at < 0) break;
          const keepGoing = onFrame(consumer.bytes, at, consumer.header.caplen, consumer.header);
          consumer.release();
          if (keepGoing === false) return;
        }
        onDrained();
        if (taken === BATCH_SIZE) {
          await yieldToEventLoop();
          continue;
        }
        if (this.#failure !== undefined) throw this.#failure;
        if (Atomics.load(control, RING_DONE) === 1 && ring.waiting === 0) {
          // A thread that ended unasked failed: its last words may still be on their way.
          const unasked = Atomics.load(control, RING_REQUEST) === REQUEST_RUN;
          const started = Date.now();
          while (unasked && this.#failure === undefined && Date.now() - started < WAIT_MS * 10) {
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          if (this.#failure !== undefined) throw this.#failure;
          return;
        }
        await this.#waitForFrames();
      }
    } finally {
      await this.close();
    }
  }

  /** Waits (without blocking the event loop) until a frame is put, at most `WAIT_MS`. */
  async #waitForFrames(): Promise<void> {
    await waitAsync(this.#ring.control, RING_PRODUCED, this.#consumer.consumed, WAIT_MS);
  }

  /**
   * Tells the thread to stop now, waits until it lets go of the handle, and ends it; the
   * handle may be closed then. `run` does this as it returns; safe to call again.
   */
  async close(): Promise<void> {
    const control = this.#ring.control;
    Atomics.store(control, RING_REQUEST, REQUEST_STOP_NOW);
    Atomics.notify(control, RING_CONSUMED);
    const started = Date.now();
    while (Atomics.load(control, RING_DONE) !== 1 && Date.now() - started < STOP_TIMEOUT_MS) {
      await waitAsync(control, RING_DONE, 0, WAIT_MS);
    }
    this.#worker.terminate();
  }
}

/** Waits until `control[word]` is no longer `value`, at most `timeoutMs`. */
async function waitAsync(
  control: Int32Array,
  word: number,
  value: number,
  timeoutMs: number,
): Promise<void> {
  const result = Atomics.waitAsync(control, word, value, timeoutMs);
  if (!result.async) return;
  // The event loop does not stay up for an atomic wait alone.
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    result.value,
    new Promise((resolve) => timer = setTimeout(resolve, timeoutMs)),
  ]);
  clearTimeout(timer);
}

/** The capture thread's loop: frames from the kernel into the ring until told to stop. */
function captureFrames(lib: Libpcap, setup: CaptureThreadSetup): void {
  const handle = Deno.UnsafePointer.create(setup.handle);
  const reader = new FrameReader(lib, handle, setup.snaplen, setup.nanosecond);
  const ring = new CaptureRing(setup.buffers);
  const producer = ring.producer();
  const control = ring.control;
  const pollfd = new Uint8Array(8);
  const pollView = new DataView(pollfd.buffer);
  pollView.setInt32(0, setup.fd, HOST_LITTLE_ENDIAN);
  pollView.setInt16(4, POLLIN, HOST_LITTLE_ENDIAN);
  const poll = lib.libc.poll_wait!;
  const wait = (timeoutMs: number) => {
    poll(pollfd, 1n, timeoutMs);
    if (pollView.getInt16(6, HOST_LITTLE_ENDIAN) & POLL_FAILURE) {
      throw socketFailure(lib, setup.fd, setup.device);
    }
  };
  /** A frame read but not yet put (the ring was full): it stays in the reader's buffer. */
  let held = false;
  let draining = false;
  for (;;) {
    const request = Atomics.load(control, RING_REQUEST);
    if (request === REQUEST_STOP_NOW) return;
    if (request === REQUEST_STOP_DRAINING && !draining) {
      // One more read timeout retires the kernel's current block; then take what it held.
      draining = true;
      wait(setup.timeoutMs + 20);
    }
    let status = 1;
    let put = 0;
    for (;;) {
      if (!held) {
        status = reader.read();
        if (status !== 1) break;
      }
      held = !producer.put(reader.bytes, FRAME_OFFSET, reader.header);
      if (held) break;
      if (++put % NOTIFY_EVERY === 0) {
        producer.notify();
        if (Atomics.load(control, RING_REQUEST) === REQUEST_STOP_NOW) return;
      }
    }
    if (put > 0) producer.notify();
    if (status < 0 && status !== PCAP_ERROR_BREAK) {
      throw new CaptureError(
        `${setup.device}: ${cString(lib.pcap.pcap_geterr(handle))}`,
        status,
      );
    }
    if (status === PCAP_ERROR_BREAK) return;
    if (held) {
      Atomics.add(control, RING_FULL_WAITS, 1);
      Atomics.wait(control, RING_CONSUMED, Atomics.load(control, RING_CONSUMED), FULL_WAIT_MS);
      continue;
    }
    if (draining) return;
    // Idle: touch some of the ring's pages ahead, and if more remain, look again soon.
    const touching = producer.touchAhead(TOUCH_AHEAD, TOUCH_STEP);
    wait(touching ? 0 : setup.timeoutMs);
  }
}

/**
 * Asks Linux to schedule this thread ahead of the others where it may (root, or
 * CAP_SYS_NICE; otherwise nothing changes). The capture thread needs little CPU but needs it
 * soon: on two busy cores, waiting its turn behind the printing thread and the garbage
 * collector let the kernel's buffer overflow during bursts.
 */
function raisePriority(lib: Libpcap): void {
  const tid = lib.libc.gettid?.();
  if (tid !== undefined && tid > 0) lib.libc.setpriority?.(PRIO_PROCESS, tid, CAPTURE_NICE);
}

/** The worker's global scope, as far as this module uses it. */
interface WorkerScope {
  onmessage: ((event: MessageEvent<CaptureThreadSetup>) => void) | null;
  postMessage(message: ThreadMessage): void;
}

if ("WorkerGlobalScope" in globalThis) {
  const scope = globalThis as unknown as WorkerScope;
  scope.onmessage = (event) => {
    const setup = event.data;
    const control = new Int32Array(setup.buffers.control);
    try {
      const lib = loadLibpcap();
      scope.postMessage({ started: true });
      raisePriority(lib);
      captureFrames(lib, setup);
    } catch (error) {
      scope.postMessage(
        error instanceof CaptureError
          ? { error: error.message, status: error.status }
          : { error: `capture thread failed: ${String(error)}`, status: PCAP_ERROR },
      );
    } finally {
      Atomics.store(control, RING_DONE, 1);
      Atomics.notify(control, RING_DONE);
      Atomics.notify(control, RING_PRODUCED);
    }
  };
}
