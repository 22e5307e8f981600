/**
 * Printing a large capture file on two cores. Formatting a line costs more than reading,
 * decoding and following the packet, and the following (the TCP analysis) has to see every
 * packet in order; so the reader's thread decodes and follows each packet, and the lines
 * are formatted by a worker (`print_worker.ts`) as well as by the reader's thread when the
 * worker has enough to do. The reader hands the worker batches of frames in shared memory
 * (`print_batch.ts`), each frame copied with its record header and analysis; when the
 * worker's ring is full, and until the worker runs, it formats the next batch itself instead
 * of waiting. Every batch has a number, and batches are written in that order, whoever
 * formatted them: the output is byte for byte what one thread prints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { loadPacketFormatter } from "./print_format.ts";
 * import { PrintPipeline } from "./print_pipeline.ts";
 * const format = { json: true, text: {} };
 * const outputPath = await Deno.makeTempFile();
 * const pipeline = PrintPipeline.start(
 *   { ...format, nanosecond: false, outputPath },
 *   await loadPacketFormatter(format),
 * );
 * // The reader need not wait for the worker (it prints alone until then); here it does.
 * assert.equal(await pipeline?.running, true);
 * const frame = new Uint8Array([0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 253, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
 * const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 20, len: 20 };
 * for (let i = 0; i < 3; i++) {
 *   pipeline?.add(frame, 0, frame.length, header, LINKTYPE_RAW, decode(frame, LINKTYPE_RAW), undefined);
 * }
 * pipeline?.finish();
 * const lines = Deno.readTextFileSync(outputPath).trimEnd().split("\n");
 * assert.deepEqual(lines.map((line) => JSON.parse(line).ipv4.ttl), [64, 64, 64]);
 * ```
 * @module
 */

import type { TcpAnalysis } from "../analysis/tcp_analysis.ts";
import type { Packet } from "../decode/mod.ts";
import type { FrameHeader } from "../frame.ts";
import { OutputBuffer } from "../output/writer.ts";
import {
  CONTROL_CLOSED,
  CONTROL_COUNTS,
  CONTROL_DONE,
  CONTROL_SEQUENCES,
  CONTROL_STARTED,
  CONTROL_TURN,
  CONTROL_WRITING,
  META_CAPLEN,
  META_FRACTION,
  META_IKE_ROLE,
  META_LEN,
  META_LINK_TYPE,
  META_OFFSET,
  META_SECONDS,
  META_WORDS,
  packAnalysis,
  PrintBatches,
  SLOT_BYTES,
  SLOT_COUNT,
  SLOT_FREE,
  SLOT_FULL,
  SLOT_LAST,
  SLOT_PACKETS,
  writeAndPassTurn,
} from "./print_batch.ts";
import type { PacketFormat } from "./print_format.ts";
import { openPrintOutput, type PrintOutput, type PrintSetup } from "./print_worker.ts";

/** How long a wait on the worker lasts before its failure flag is looked at again. */
const WAIT_MS = 50;
/**
 * Frames (a power of two) between two looks at whether the worker waits for frames: the batch
 * being formatted here when the worker starts to run ends at the next look, and the first
 * batch handed to the worker holds this many, so that it starts printing at once (without
 * these, it waited some 30 ms after it ran for a whole batch: 4,096 frames, the first ones
 * formatted by code not yet compiled; with them, some 9 ms).
 */
const WORKER_LOOK_INTERVAL = 256;
/**
 * Frames (a power of two) between two looks at whether one of this thread's batches may be
 * written. The worker, when its batch is next but one of ours is before it, waits for that
 * look: every 1,024 frames, it waited some 30 ms a run; every 64, some 16.
 */
const PENDING_LOOK_INTERVAL = 64;
/** This thread's formatted batches that may wait for their turn (output held in memory). */
const MAX_PENDING = 4;
/** How long the worker may go without printing a batch, while waited for, before it counts as stuck. */
const STALL_MS = 30_000;
/** The most bytes between two frames of a run (a record header, which is copied along). */
const MAX_RECORD_GAP = 64;
/**
 * A run starts in the slot at the same offset modulo this as it lies in the reader's buffer:
 * V8 copies into shared memory a word at a time only when source and target are aligned
 * alike, and a byte at a time otherwise (measured: 34 against 4 GB/s, 1 MiB runs; the
 * reader's thread spent half as long copying the bench capture's frames).
 */
export const COPY_ALIGNMENT = 8;

/**
 * Where in a slot a run of frames goes that lies at `sourceOffset` (from its buffer's start)
 * when `used` bytes of the slot are taken: the first place from `used` aligned as the source
 * is (slots start on a multiple of `COPY_ALIGNMENT`, as shared memory does).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { alignedRunStart, COPY_ALIGNMENT } from "./print_pipeline.ts";
 * assert.equal(alignedRunStart(7, 1000), 1007); // 1007 and 7 alike modulo 8
 * for (let source = 0; source < 32; source++) {
 *   for (let used = 0; used < 32; used++) {
 *     const start = alignedRunStart(source, used);
 *     assert.ok(start >= used && start - used < COPY_ALIGNMENT);
 *     assert.equal(start % COPY_ALIGNMENT, source % COPY_ALIGNMENT);
 *   }
 * }
 * ```
 */
export function alignedRunStart(sourceOffset: number, used: number): number {
  return used + ((sourceOffset - used) & (COPY_ALIGNMENT - 1));
}

/** The printing worker failed; the reason, for an "internal error" line. */
export class PrintWorkerError extends Error {
  override name = "PrintWorkerError";
}

/** A batch formatted on this thread, waiting for its turn to be written. */
interface OwnBatch {
  sequence: number;
  out: OutputBuffer;
}

/** The reader's side: fills batches for the worker, or formats them itself. */
export class PrintPipeline {
  readonly #worker: Worker;
  readonly #batches: PrintBatches;
  readonly #format: PacketFormat;
  /** The next batch's number, and the next ring slot to hand the worker. */
  #sequence = 0;
  #slot = 0;
  /** The batch being filled: a slot for the worker, one of this thread's, or none yet. */
  #filling: "slot" | "own" | undefined;
  #own: OwnBatch | undefined;
  /** Frames and bytes in the batch being filled. */
  #count = 0;
  #used = 0;
  /**
   * Frames queued for the slot but not copied yet: they lie one after another (record
   * headers between) from `#runStart` to `#runEnd` in `#runBytes`, and go to the slot in one
   * copy, to `#runSlotStart`.
   */
  #runBytes: Uint8Array | undefined;
  #runStart = 0;
  #runEnd = 0;
  #runSlotStart = 0;
  /** This thread's batches formatted and waiting for their turn, oldest first. */
  readonly #pending: OwnBatch[] = [];
  readonly #spare: OutputBuffer[] = [];
  /** The turn last seen while waiting, and when it was first seen. */
  #lastTurn = -1;
  #lastTurnTime = 0;
  /** Batches this thread formatted (see `batches`). */
  formattedHere = 0;
  /** Whether the worker runs (`CONTROL_STARTED`). */
  #started = false;
  /**
   * Settles when the worker runs (true) or cannot start (false). The reader does not wait
   * for it: until the worker runs, this thread formats every batch.
   */
  readonly running: Promise<boolean>;
  /** Where this thread's batches are written: where the worker writes. */
  readonly #output: PrintOutput;

  private constructor(
    worker: Worker,
    batches: PrintBatches,
    format: PacketFormat,
    output: PrintOutput,
    running: Promise<boolean>,
  ) {
    this.#worker = worker;
    this.#batches = batches;
    this.#format = format;
    this.#output = output;
    this.running = running;
  }

  /**
   * Starts the worker, without waiting for it to run (see `running`); `undefined` when it
   * cannot be made at all (the caller then prints on its own thread). `format` formats the
   * batches this thread takes.
   */
  static start(
    setup: Omit<PrintSetup, "buffers">,
    format: PacketFormat,
  ): PrintPipeline | undefined {
    let worker: Worker;
    try {
      worker = new Worker(new URL("./print_worker.ts", import.meta.url), { type: "module" });
    } catch {
      return undefined;
    }
    const batches = PrintBatches.allocate();
    const running = new Promise<boolean>((resolve) => {
      // A module that failed to load reports an error instead of answering: this thread
      // then goes on printing every batch, as without a worker.
      worker.onerror = (event) => {
        event.preventDefault();
        resolve(false);
      };
      worker.onmessage = () => resolve(true);
    });
    worker.postMessage({ ...setup, buffers: batches.buffers } satisfies PrintSetup);
    return new PrintPipeline(worker, batches, format, openPrintOutput(setup), running);
  }

  /** How many batches were started: the worker's and this thread's. */
  get batches(): number {
    return this.#sequence;
  }

  /** True once standard output went away (`| head`): stop reading. */
  get closed(): boolean {
    return Atomics.load(this.#batches.control, CONTROL_CLOSED) === 1;
  }

  /**
   * Queues the frame of `length` bytes at `offset` in `bytes` (decoded as `packet`) for
   * printing, with its analysis; false once output went away.
   */
  add(
    bytes: Uint8Array,
    offset: number,
    length: number,
    header: FrameHeader,
    linkType: number,
    packet: Packet,
    analysis: TcpAnalysis | undefined,
    ikeRole = 0,
  ): boolean {
    // A frame right after the run (past its record header) joins it; another starts one.
    const joins = bytes === this.#runBytes && offset >= this.#runEnd &&
      offset - this.#runEnd <= MAX_RECORD_GAP;
    // A new run may need up to COPY_ALIGNMENT - 1 bytes before it, to align its copy.
    const needs = joins ? offset + length - this.#runEnd : length + COPY_ALIGNMENT - 1;
    if (this.#filling === undefined) this.#begin();
    else if (
      this.#count === SLOT_PACKETS || this.#used + needs > SLOT_BYTES || this.#workerWaits()
    ) {
      this.#end(SLOT_FULL);
      if (this.closed) return false;
      this.#begin();
    }
    if (this.#filling === "slot") {
      const batches = this.#batches;
      let start: number;
      if (joins && this.#count > 0) {
        start = this.#runSlotStart + (offset - this.#runStart);
        this.#used += needs;
      } else {
        this.#copyRun();
        const used = alignedRunStart(bytes.byteOffset + offset, this.#used);
        start = this.#slot * SLOT_BYTES + used;
        this.#runBytes = bytes;
        this.#runStart = offset;
        this.#runSlotStart = start;
        this.#used = used + length;
      }
      this.#runEnd = offset + length;
      const meta = batches.meta;
      const at = (this.#slot * SLOT_PACKETS + this.#count) * META_WORDS;
      meta[at + META_OFFSET] = start;
      meta[at + META_CAPLEN] = length;
      meta[at + META_LEN] = header.len;
      meta[at + META_SECONDS] = header.seconds;
      meta[at + META_FRACTION] = header.fraction;
      meta[at + META_LINK_TYPE] = linkType;
      packAnalysis(meta, at, analysis);
      meta[at + META_IKE_ROLE] = ikeRole;
    } else {
      this.#format(this.#own!.out.bytes, packet, header, { analysis, ikeRole });
      this.#used += length;
    }
    this.#count++;
    // The worker may be waiting for one of this thread's batches to be written.
    if ((this.#count & (PENDING_LOOK_INTERVAL - 1)) === 0) this.#writePending();
    return true;
  }

  /**
   * Whether the batch being filled ends before it is full, because the worker waits for
   * frames: the first batch handed to it, and this thread's batch when the worker starts to
   * run (looked at every `WORKER_LOOK_INTERVAL` frames).
   */
  #workerWaits(): boolean {
    if (this.#filling === "slot") return this.#count === WORKER_LOOK_INTERVAL && !this.#handed;
    return !this.#started && (this.#count & (WORKER_LOOK_INTERVAL - 1)) === 0 &&
      Atomics.load(this.#batches.control, CONTROL_STARTED) === 1;
  }

  /** Copies the run of frames queued into the slot. */
  #copyRun(): void {
    const bytes = this.#runBytes;
    if (bytes === undefined) return;
    this.#batches.data.set(bytes.subarray(this.#runStart, this.#runEnd), this.#runSlotStart);
    this.#runBytes = undefined;
  }

  /**
   * The reader is done with its buffer (it may read into it next): copies what is queued.
   * Call after the last record of each buffer's worth (`CaptureFileReader.runRanges`).
   */
  chunkEnd(): void {
    this.#copyRun();
  }

  /**
   * Starts a batch: the worker's next slot when it is free, else one for this thread, unless
   * `MAX_PENDING` of those wait already (the worker is writing to a slow reader): then it
   * waits for the slot.
   */
  #begin(): void {
    this.#checkWorker();
    this.#count = 0;
    this.#used = 0;
    const control = this.#batches.control;
    for (let state; (state = Atomics.load(control, this.#slot)) !== SLOT_FREE;) {
      this.#writePending();
      if (this.#pending.length < MAX_PENDING) break;
      this.#wait(this.#slot, state);
    }
    this.#started ||= Atomics.load(control, CONTROL_STARTED) === 1;
    if (this.#started && Atomics.load(control, this.#slot) === SLOT_FREE) {
      this.#filling = "slot";
      return;
    }
    this.#filling = "own";
    this.formattedHere++;
    this.#own = {
      sequence: this.#sequence++,
      out: this.#spare.pop() ?? new OutputBuffer(this.#output.sink),
    };
  }

  /** Ends the batch being filled: hands a slot to the worker (as `state`), or queues ours. */
  #end(state: typeof SLOT_FULL | typeof SLOT_LAST): void {
    if (this.#filling === "slot") this.#hand(state, this.#count);
    else if (this.#own !== undefined) {
      this.#pending.push(this.#own);
      this.#own = undefined;
    }
    this.#filling = undefined;
    this.#writePending();
  }

  /** Whether the worker was handed a slot: not every batch was this thread's. */
  get #handed(): boolean {
    return this.#sequence > this.formattedHere;
  }

  /** Hands the next slot, holding `count` frames, to the worker. */
  #hand(state: typeof SLOT_FULL | typeof SLOT_LAST, count: number): void {
    this.#copyRun();
    const control = this.#batches.control;
    control[CONTROL_COUNTS + this.#slot] = count;
    control[CONTROL_SEQUENCES + this.#slot] = this.#sequence++;
    Atomics.store(control, this.#slot, state);
    Atomics.notify(control, this.#slot);
    this.#slot = (this.#slot + 1) % SLOT_COUNT;
  }

  /** Writes this thread's batches whose turn has come, and passes the turn on. */
  #writePending(): void {
    const control = this.#batches.control;
    const pending = this.#pending;
    while (pending.length > 0 && Atomics.load(control, CONTROL_TURN) === pending[0].sequence) {
      const batch = pending.shift()!;
      writeAndPassTurn(control, batch.sequence, batch.out);
      this.#spare.push(batch.out);
    }
  }

  /**
   * Waits a while for control word `word` to change from `value`; throws if the worker has
   * failed, or has written nothing for `STALL_MS` (a bug: netpeek ends with an error, not
   * a hang).
   */
  #wait(word: number, value: number): void {
    this.#checkWorker();
    const turn = Atomics.load(this.#batches.control, CONTROL_TURN);
    const now = performance.now();
    // A write to a slow reader is progress too: only a worker that neither prints nor writes
    // is stuck.
    if (turn !== this.#lastTurn || Atomics.load(this.#batches.control, CONTROL_WRITING) === 1) {
      this.#lastTurn = turn;
      this.#lastTurnTime = now;
    } else if (now - this.#lastTurnTime > STALL_MS) {
      throw new PrintWorkerError(`no batch printed for ${STALL_MS / 1000} s (batch ${turn} due)`);
    }
    Atomics.wait(this.#batches.control, word, value, WAIT_MS);
  }

  #checkWorker(): void {
    const reason = this.#batches.failureReason;
    if (reason !== undefined) throw new PrintWorkerError(reason);
  }

  /** Ends the last batch and waits until everything is printed and flushed. */
  finish(): void {
    try {
      this.#finish();
    } finally {
      this.#worker.terminate();
      this.#output.close();
    }
  }

  #finish(): void {
    const control = this.#batches.control;
    if (this.#filling === "slot") this.#end(SLOT_LAST);
    else {
      this.#end(SLOT_FULL); // queues this thread's batch, if any
      // A worker that took part still needs a last slot, if only an empty one; one that never
      // did (the file was read before it ran) is let go unasked.
      if (this.#handed) {
        while (Atomics.load(control, this.#slot) !== SLOT_FREE) {
          this.#writePending();
          this.#wait(this.#slot, Atomics.load(control, this.#slot));
        }
        this.#hand(SLOT_LAST, 0);
      }
    }
    while (this.#pending.length > 0) {
      const turn = Atomics.load(control, CONTROL_TURN);
      this.#writePending();
      if (this.#pending.length > 0) this.#wait(CONTROL_TURN, turn);
    }
    if (!this.#handed) return;
    while (Atomics.load(control, CONTROL_DONE) !== 1) this.#wait(CONTROL_DONE, 0);
    this.#checkWorker();
  }
}
