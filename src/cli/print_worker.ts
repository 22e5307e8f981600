/**
 * The printing half of a large file read (`print_pipeline.ts` starts it): takes the batches
 * the reader fills, in ring order, decodes each frame again, formats its text or JSON line
 * with the TCP analysis the reader worked out, and writes a batch's lines to standard output
 * when its turn comes. It tells the reader through the control words when a slot is free
 * again, when standard output went away, and when it is done.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openPrintOutput } from "./print_worker.ts";
 * // The worker writes where its setup says: standard output, or (for tests) a file.
 * const outputPath = await Deno.makeTempFile();
 * const output = openPrintOutput({ json: false, text: {}, nanosecond: false, outputPath });
 * output.sink.writeSync(new TextEncoder().encode("a line\n"));
 * output.close();
 * assert.equal(Deno.readTextFileSync(outputPath), "a line\n");
 * ```
 * @module
 */

import { Decoder } from "../decode/mod.ts";
import type { FrameHeader } from "../frame.ts";
import { OutputBuffer, type SyncSink } from "../output/writer.ts";
import { loadPacketFormatter, type PacketFormat, type PrintFormat } from "./print_format.ts";
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
  PrintBatches,
  type SharedBuffers,
  SLOT_COUNT,
  SLOT_FREE,
  SLOT_LAST,
  SLOT_PACKETS,
  unpackAnalysis,
  writeAndPassTurn,
} from "./print_batch.ts";

/** Bytes of lines gathered before they are written, once it is the worker's turn. */
const OUTPUT_CHUNK = 1 << 16;

/** What the worker is started with: the run's print format, and where the batches are. */
export interface PrintSetup extends PrintFormat {
  buffers: SharedBuffers;
  nanosecond: boolean;
  /** Where the lines go: standard output, or the end of this file (for tests). */
  outputPath?: string;
}

/** Where the lines go: standard output, or `PrintSetup.outputPath` opened to append. */
export function openPrintOutput(setup: Omit<PrintSetup, "buffers">): PrintOutput {
  if (setup.outputPath === undefined) return { sink: Deno.stdout, close() {} };
  const file = Deno.openSync(setup.outputPath, { append: true });
  return { sink: file, close: () => file.close() };
}

/** An output and how to let go of it (standard output stays open). */
export interface PrintOutput {
  sink: SyncSink;
  close(): void;
}

/**
 * Prints every batch until the last, each line with `format`; returns when all is written (or
 * output went away).
 */
export function printBatches(
  batches: PrintBatches,
  setup: PrintSetup,
  format: PacketFormat,
): void {
  const { control, data, meta } = batches;
  const decoder = new Decoder();
  const output = openPrintOutput(setup);
  const out = new OutputBuffer(output.sink);
  const header: FrameHeader = {
    seconds: 0,
    fraction: 0,
    nanosecond: setup.nanosecond,
    caplen: 0,
    len: 0,
  };
  for (let slot = 0;; slot = (slot + 1) % SLOT_COUNT) {
    let state: number;
    while ((state = Atomics.load(control, slot)) === SLOT_FREE) {
      Atomics.wait(control, slot, SLOT_FREE);
    }
    const count = control[CONTROL_COUNTS + slot];
    const sequence = control[CONTROL_SEQUENCES + slot];
    const closed = Atomics.load(control, CONTROL_CLOSED) === 1;
    // In turn already (as the worker mostly is), the lines go out as they are made, through
    // a buffer that stays in the cache; otherwise they wait in `out` until the turn comes.
    let inTurn = false;
    for (let i = 0; i < count && !closed; i++) {
      if ((i & 255) === 0 && !inTurn) inTurn = Atomics.load(control, CONTROL_TURN) === sequence;
      const at = (slot * SLOT_PACKETS + i) * META_WORDS;
      header.seconds = meta[at + META_SECONDS];
      header.fraction = meta[at + META_FRACTION];
      header.caplen = meta[at + META_CAPLEN];
      header.len = meta[at + META_LEN];
      const packet = decoder.decodeAt(
        data,
        meta[at + META_OFFSET],
        header.caplen,
        meta[at + META_LINK_TYPE],
        header.len,
      );
      format(out.bytes, packet, header, {
        analysis: unpackAnalysis(meta, at),
        ikeRole: meta[at + META_IKE_ROLE],
      });
      if (inTurn && out.bytes.length >= OUTPUT_CHUNK) written(control, () => out.flush());
    }
    // The frames are read: the reader may fill the slot again while the lines wait their turn.
    Atomics.store(control, slot, SLOT_FREE);
    Atomics.notify(control, slot);
    writeInTurn(control, sequence, out);
    if (state === SLOT_LAST) break;
  }
  output.close();
}

/**
 * Waits until batch `sequence` is next to be written, then writes what is left in `out` and
 * passes the turn on. (The reader's thread does not wait: it looks again later.)
 */
function writeInTurn(control: Int32Array, sequence: number, out: OutputBuffer): void {
  for (let turn; (turn = Atomics.load(control, CONTROL_TURN)) !== sequence;) {
    Atomics.wait(control, CONTROL_TURN, turn);
  }
  writeAndPassTurn(control, sequence, out, () => written(control, () => out.flush()));
}

/** Runs `write`, marked as a write for the reader (see `CONTROL_WRITING`). */
function written(control: Int32Array, write: () => void): void {
  Atomics.store(control, CONTROL_WRITING, 1);
  try {
    write();
  } finally {
    Atomics.store(control, CONTROL_WRITING, 0);
  }
}

/** Tells the reader that printing is over, or failed (and why). */
function finish(batches: PrintBatches, failure?: unknown): void {
  if (failure !== undefined) {
    batches.fail(
      failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure),
    );
  }
  const control = batches.control;
  Atomics.store(control, CONTROL_DONE, 1);
  for (let word = 0; word < control.length; word++) Atomics.notify(control, word);
}

/** The worker's global scope, as far as this module uses it. */
interface WorkerScope {
  onmessage: ((event: MessageEvent<PrintSetup>) => void) | null;
  postMessage(message: unknown): void;
}

if ("WorkerGlobalScope" in globalThis) {
  const scope = globalThis as unknown as WorkerScope;
  scope.onmessage = async (event) => {
    const batches = new PrintBatches(event.data.buffers);
    // Loaded before the worker says it runs: one that cannot load takes no batch (the reader's
    // thread prints them all).
    const format = await loadPacketFormatter(event.data);
    Atomics.store(batches.control, CONTROL_STARTED, 1);
    scope.postMessage("started");
    try {
      printBatches(batches, event.data, format);
      finish(batches);
    } catch (error) {
      finish(batches, error);
    }
  };
}
