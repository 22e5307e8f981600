/**
 * The shared memory a file read hands packets to the printing worker through
 * (`print_pipeline.ts`, `print_worker.ts`): a ring of `SLOT_COUNT` batches, each up to
 * `SLOT_PACKETS` frames copied into `SLOT_BYTES` of data, with each frame's record header and
 * TCP analysis as numbers beside it; a state word per batch to hand it over and back, and a
 * turn word that says whose output is written next.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packAnalysis, PrintBatches, unpackAnalysis } from "./print_batch.ts";
 * const batches = PrintBatches.allocate();
 * packAnalysis(batches.meta, 0, {
 *   relativeSeq: 1, relativeAck: null, isnSeen: true, peerBase: 7,
 *   tcpdumpSeqBase: 1000, tcpdumpAckBase: 0, tcpdumpSackBase: 0, keepAlive: true,
 * });
 * assert.equal(
 *   JSON.stringify(unpackAnalysis(batches.meta, 0)), // the keys in their order, too
 *   '{"relativeSeq":1,"relativeAck":null,"isnSeen":true,"peerBase":7,' +
 *     '"tcpdumpSeqBase":1000,"tcpdumpAckBase":0,"tcpdumpSackBase":0,"keepAlive":true}',
 * );
 * ```
 * @module
 */

import { TCP_ANALYSIS_FLAGS, type TcpAnalysis } from "../analysis/tcp_analysis.ts";
import type { OutputBuffer } from "../output/writer.ts";

/** Batches in the ring: the reader fills one while the worker prints others. */
export const SLOT_COUNT = 4;
/** Frame bytes a batch holds. */
export const SLOT_BYTES = 1 << 20;
/** Frames a batch holds. */
export const SLOT_PACKETS = 4096;

/** A batch's state word: free for the reader, handed to the worker, or the last one. */
export const SLOT_FREE = 0;
export const SLOT_FULL = 1;
export const SLOT_LAST = 2;

// The control array: a state word per slot (indexed by slot), then these.
/** Frames in each slot, one word per slot. */
export const CONTROL_COUNTS = SLOT_COUNT;
/** Each slot's batch number: batches are printed in this order, whoever formats them. */
export const CONTROL_SEQUENCES = 2 * SLOT_COUNT;
/** The number of the batch whose output is to be written next. */
export const CONTROL_TURN = 3 * SLOT_COUNT;
/** Set when standard output went away (a closed pipe). */
export const CONTROL_CLOSED = CONTROL_TURN + 1;
/** Set by the worker once everything is printed and flushed. */
export const CONTROL_DONE = CONTROL_TURN + 2;
/** Set by the worker when printing failed (see `PrintBatches.failureReason`). */
export const CONTROL_FAILED = CONTROL_TURN + 3;
/**
 * How many writes the worker is in (0 or 1): a write to a slow reader (`| less`) may take
 * minutes, and is no sign of a stuck worker.
 */
export const CONTROL_WRITING = CONTROL_TURN + 4;
/**
 * Set by the worker once it runs. The reader does not wait for it to start (its modules take
 * some 80 ms to load): until then it formats every batch itself.
 */
export const CONTROL_STARTED = CONTROL_TURN + 5;
const CONTROL_WORDS = CONTROL_TURN + 6;

/**
 * Numbers kept per frame, at `frame * META_WORDS` in `meta`: 32-bit words, every one of them
 * an unsigned 32-bit field (15 words, 60 bytes a frame, less of the other core's cache to fetch).
 */
export const META_WORDS = 15;
export const META_OFFSET = 0;
export const META_CAPLEN = 1;
export const META_LEN = 2;
export const META_SECONDS = 3;
export const META_FRACTION = 4;
export const META_LINK_TYPE = 5;
const META_RELATIVE_SEQ = 6;
/** Meaningless when `ANALYSIS_NO_RELATIVE_ACK` is set. */
const META_RELATIVE_ACK = 7;
/** Meaningless when `ANALYSIS_NO_PEER_BASE` is set. */
const META_PEER_BASE = 8;
/** `ANALYSIS_*` bits; 0 when the frame has no TCP analysis. */
const META_FLAGS = 9;
/** 0 when absent. */
const META_DUPLICATE_ACK = 10;
/** tcpdump's bases (0 for absolute numbers). */
const META_TCPDUMP_SEQ_BASE = 11;
const META_TCPDUMP_ACK_BASE = 12;
const META_TCPDUMP_SACK_BASE = 13;
/** An IKEv1 message's side (`IKE_ROLE_*` of analysis/ike_initiators.ts), else 0. */
export const META_IKE_ROLE = 14;

const ANALYSIS_PRESENT = 1;
const ANALYSIS_ISN_SEEN = 2;
const ANALYSIS_NO_RELATIVE_ACK = 4;
const ANALYSIS_NO_PEER_BASE = 8;
/** `TCP_ANALYSIS_FLAGS[i]` is bit `FIRST_OPTIONAL_BIT + i`. */
const FIRST_OPTIONAL_BIT = 4;

/** Room for the worker's reason when it fails, as UTF-8. */
const FAILURE_BYTES = 1024;

/** The shared buffers, as the reader and the worker each view them. */
export class PrintBatches {
  /** Slot states, flags and frame counts. */
  readonly control: Int32Array;
  /** Why the worker failed (UTF-8, zero-padded), once `CONTROL_FAILED` is set. */
  readonly failure: Uint8Array;
  /** Frame bytes: slot `s` starts at `s * SLOT_BYTES`. */
  readonly data: Uint8Array;
  /** Per frame numbers: slot `s`'s frame `i` at `(s * SLOT_PACKETS + i) * META_WORDS`. */
  readonly meta: Uint32Array;

  constructor(buffers: SharedBuffers) {
    this.control = new Int32Array(buffers.control);
    this.failure = new Uint8Array(buffers.failure);
    this.data = new Uint8Array(buffers.data);
    this.meta = new Uint32Array(buffers.meta);
  }

  /** New, empty buffers. */
  static allocate(): PrintBatches {
    return new PrintBatches({
      control: new SharedArrayBuffer(CONTROL_WORDS * 4),
      failure: new SharedArrayBuffer(FAILURE_BYTES),
      data: new SharedArrayBuffer(SLOT_COUNT * SLOT_BYTES),
      meta: new SharedArrayBuffer(SLOT_COUNT * SLOT_PACKETS * META_WORDS * 4),
    });
  }

  /** The buffers, to post to the worker. */
  get buffers(): SharedBuffers {
    return {
      control: this.control.buffer as SharedArrayBuffer,
      failure: this.failure.buffer as SharedArrayBuffer,
      data: this.data.buffer as SharedArrayBuffer,
      meta: this.meta.buffer as SharedArrayBuffer,
    };
  }

  /** The worker's side: records why it failed, then tells the reader. */
  fail(reason: string): void {
    const written = new TextEncoder().encodeInto(reason, this.failure.subarray(0, FAILURE_BYTES))
      .written;
    this.failure.fill(0, written);
    Atomics.store(this.control, CONTROL_FAILED, 1);
  }

  /** The reason `fail` recorded, or undefined while the worker has not failed. */
  get failureReason(): string | undefined {
    if (Atomics.load(this.control, CONTROL_FAILED) !== 1) return undefined;
    const end = this.failure.indexOf(0);
    // A shared buffer's bytes are copied first: TextDecoder does not take shared memory.
    return new TextDecoder().decode(this.failure.slice(0, end < 0 ? FAILURE_BYTES : end));
  }
}

/** What `PrintBatches` is made of (what is posted to the worker). */
export interface SharedBuffers {
  control: SharedArrayBuffer;
  failure: SharedArrayBuffer;
  data: SharedArrayBuffer;
  meta: SharedArrayBuffer;
}

/** Stores `analysis` (or its absence) in the frame whose numbers start at `at`. */
export function packAnalysis(meta: Uint32Array, at: number, analysis?: TcpAnalysis): void {
  if (analysis === undefined) {
    meta[at + META_FLAGS] = 0;
    return;
  }
  // Named reads, not a loop over the names: this runs for every TCP segment.
  const relativeAck = analysis.relativeAck;
  const peerBase = analysis.peerBase;

  const flags = ANALYSIS_PRESENT | (analysis.isnSeen ? ANALYSIS_ISN_SEEN : 0) |
    (relativeAck === null ? ANALYSIS_NO_RELATIVE_ACK : 0) |
    (peerBase === null ? ANALYSIS_NO_PEER_BASE : 0) |
    (analysis.reset ? 1 << FIRST_OPTIONAL_BIT : 0) |
    (analysis.zeroWindow ? 1 << (FIRST_OPTIONAL_BIT + 1) : 0) |
    (analysis.keepAlive ? 1 << (FIRST_OPTIONAL_BIT + 2) : 0) |
    (analysis.windowFull ? 1 << (FIRST_OPTIONAL_BIT + 3) : 0) |
    (analysis.lostSegment ? 1 << (FIRST_OPTIONAL_BIT + 4) : 0) |
    (analysis.retransmission ? 1 << (FIRST_OPTIONAL_BIT + 5) : 0) |
    (analysis.fastRetransmission ? 1 << (FIRST_OPTIONAL_BIT + 6) : 0) |
    (analysis.outOfOrder ? 1 << (FIRST_OPTIONAL_BIT + 7) : 0) |
    (analysis.spuriousRetransmission ? 1 << (FIRST_OPTIONAL_BIT + 8) : 0) |
    (analysis.windowUpdate ? 1 << (FIRST_OPTIONAL_BIT + 9) : 0);
  meta[at + META_TCPDUMP_SEQ_BASE] = analysis.tcpdumpSeqBase;
  meta[at + META_TCPDUMP_ACK_BASE] = analysis.tcpdumpAckBase;
  meta[at + META_TCPDUMP_SACK_BASE] = analysis.tcpdumpSackBase;
  meta[at + META_RELATIVE_SEQ] = analysis.relativeSeq;
  meta[at + META_RELATIVE_ACK] = relativeAck ?? 0;
  meta[at + META_PEER_BASE] = peerBase ?? 0;
  meta[at + META_FLAGS] = flags;
  meta[at + META_DUPLICATE_ACK] = analysis.duplicateAck ?? 0;
}

/** The analysis `packAnalysis` stored at `at`, with its keys in the same order; or undefined. */
export function unpackAnalysis(meta: Uint32Array, at: number): TcpAnalysis | undefined {
  const flags = meta[at + META_FLAGS];
  if (flags === 0) return undefined;
  const analysis: TcpAnalysis = {
    relativeSeq: meta[at + META_RELATIVE_SEQ],
    relativeAck: flags & ANALYSIS_NO_RELATIVE_ACK ? null : meta[at + META_RELATIVE_ACK],
    isnSeen: (flags & ANALYSIS_ISN_SEEN) !== 0,
    peerBase: flags & ANALYSIS_NO_PEER_BASE ? null : meta[at + META_PEER_BASE],
    tcpdumpSeqBase: meta[at + META_TCPDUMP_SEQ_BASE],
    tcpdumpAckBase: meta[at + META_TCPDUMP_ACK_BASE],
    tcpdumpSackBase: meta[at + META_TCPDUMP_SACK_BASE],
  };
  if (flags >= 1 << FIRST_OPTIONAL_BIT) {
    for (let i = 0; i < TCP_ANALYSIS_FLAGS.length; i++) {
      if (flags & (1 << (FIRST_OPTIONAL_BIT + i))) analysis[TCP_ANALYSIS_FLAGS[i]] = true;
    }
  }
  const duplicateAck = meta[at + META_DUPLICATE_ACK];
  if (duplicateAck !== 0) analysis.duplicateAck = duplicateAck;
  return analysis;
}

/**
 * Writes the lines of batch `sequence`, gathered in `out`, unless output went away (noting it
 * when this write finds it gone), and passes the turn to the next batch. Only for the batch
 * whose turn it is; both threads write their batches through this. `write` does the writing
 * (the worker marks it as a write, see `CONTROL_WRITING`).
 */
export function writeAndPassTurn(
  control: Int32Array,
  sequence: number,
  out: OutputBuffer,
  write: () => void = () => out.flush(),
): void {
  if (Atomics.load(control, CONTROL_CLOSED) === 0) {
    write();
    if (out.closed) Atomics.store(control, CONTROL_CLOSED, 1);
  }
  out.bytes.clear();
  Atomics.store(control, CONTROL_TURN, sequence + 1);
  Atomics.notify(control, CONTROL_TURN);
}
