/**
 * TCP analysis as Wireshark users know it, per connection: relative sequence numbers, and
 * retransmission, out-of-order, duplicate ACK, zero window, window full, keep-alive, lost
 * segment and reset, following Wireshark's order of tests (packet-tcp.c). The flow
 * bookkeeping (flows.ts) finds each segment's connection and direction; this module keeps
 * the sequence state of each direction. tests/tcp_analysis_test.ts holds it against tshark's
 * own analysis of a real capture.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { TcpAnalyser } from "./tcp_analysis.ts";
 * // A SYN, ISN 1000: the first segment of its direction, relative sequence 0.
 * const syn = decode(new Uint8Array([0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2,
 *   0xc8, 0x22, 0x01, 0xbb, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0x50, 0x02, 0xfa, 0xf0, 0, 0, 0, 0]),
 *   LINKTYPE_RAW);
 * const analysis = new TcpAnalyser().analyse(0, true, syn.tcp!, 0, 0);
 * assert.deepEqual([analysis.relativeSeq, analysis.isnSeen, analysis.relativeAck], [0, true, null]);
 * ```
 * @module
 */

import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpHeader } from "../decode/mod.ts";
import { grown } from "./grown.ts";

/** TCP analysis findings for one segment (the JSON `tcp.analysis`). */
export interface TcpAnalysis {
  /** Sequence number relative to the sender's first (the ISN for a seen handshake). */
  relativeSeq: number;
  /**
   * Acknowledgment number relative to the other side's first sequence number; `null` without
   * the ACK flag, or before the other side's first segment was seen.
   */
  relativeAck: number | null;
  /** Whether netpeek saw this direction's SYN, so the numbers are relative to the ISN. */
  isnSeen: boolean;
  /** The other side's first sequence number (absolute), for relative SACK edges; or null. */
  peerBase: number | null;
  /** Data sent before, sent again. */
  retransmission?: true;
  /** A retransmission after two or more duplicate ACKs. */
  fastRetransmission?: true;
  /** Data the other side had already acknowledged. */
  spuriousRetransmission?: true;
  /** Data before the highest seen, arriving within the initial round trip. */
  outOfOrder?: true;
  /** The segment after a gap: data before it was not captured. */
  lostSegment?: true;
  /** No data, the same numbers as before, and a new window (Wireshark's window update). */
  windowUpdate?: true;
  /** How many times this ACK has now been repeated. */
  duplicateAck?: number;
  /** The sender advertises a zero window. */
  zeroWindow?: true;
  /** The segment fills the receiver's window exactly. */
  windowFull?: true;
  /** A keep-alive segment. */
  keepAlive?: true;
  /** RST. */
  reset?: true;
  /**
   * tcpdump's bases for this segment's relative numbers, when tcpdump prints them relative:
   * what it subtracts from the sequence number (this one), and from the acknowledgment number
   * and SACK edges (`tcpdumpAckBase`); both 0 where tcpdump prints absolute numbers. See
   * `TcpAnalyser.observe`. For the text: JSON leaves both out.
   */
  tcpdumpSeqBase: number;
  /** See `tcpdumpSeqBase`. */
  tcpdumpAckBase: number;
  /**
   * What tcpdump subtracts from SACK edges: the other side's base, even on the segment that
   * sets it (whose own numbers print absolute); 0 while there is none.
   */
  tcpdumpSackBase: number;
}

/**
 * The analysis' optional `true` flags, in the order `FlowTracker` sets them, which is their
 * order in the object (and in its JSON); `duplicateAck`, a count, comes after them.
 */
export const TCP_ANALYSIS_FLAGS = [
  "reset",
  "zeroWindow",
  "keepAlive",
  "windowFull",
  "lostSegment",
  "retransmission",
  "fastRetransmission",
  "outOfOrder",
  "spuriousRetransmission",
  "windowUpdate",
] as const;

/** Wireshark's default threshold for telling out-of-order from retransmission: 3 ms. */
const OUT_OF_ORDER_THRESHOLD = 0.003;

/**
 * A connection's state set aside by `TcpAnalyser.park`, by endpoint: what the lower endpoint
 * of its key sent, and what the higher one did (`DIRECTION_WORDS` each, copies).
 */
export interface ParkedConnection {
  readonly low: Float64Array;
  readonly high: Float64Array;
}

// The sequence state of one direction of a connection: `DIRECTION_WORDS` numbers in one
// typed array, A to B's then B to A's for each flow id, so that a segment's state is a few
// adjacent cache lines rather than two objects and the boxes of their large numbers. All
// zeros is a direction nothing was seen of.
/** The sender's first sequence number (absolute). */
const BASE = 0;
/** `STATE_*` bits. */
const STATE = 1;
/** Relative sequence number just past the highest byte (and SYN/FIN) seen. */
const NEXT_SEQ = 2;
/** Capture time of the segment that set `NEXT_SEQ`. */
const NEXT_SEQ_TIME = 3;
/** The last acknowledgment sent, relative. */
const LAST_ACK = 4;
/** When this side last sent a new (or duplicate) ACK. */
const LAST_ACK_TIME = 5;
/** The last window advertised, plus one (0: none yet). */
const LAST_WINDOW = 6;
const DUPLICATE_ACKS = 7;
/** The SYN's window scale shift, plus one (0: no SYN, or none in it). */
const WINDOW_SCALE = 8;
/** Where the receive window this side advertised ends, in the other side's space. */
const WINDOW_END = 9;
/** tcpdump's base for this direction's numbers (print-tcp.c's `tcp_seq_hash`). */
const TCPDUMP_BASE = 10;
/** Words a direction: the fields above, and one spare (two directions are three cache lines). */
const DIRECTION_WORDS = 12;

const STATE_BASE_SET = 1;
const STATE_ISN_SEEN = 2;
const STATE_LAST_ACK_SET = 4;
const STATE_WINDOW_END_SET = 8;
/** The conversation has tcpdump's entry (kept on the A-to-B direction). */
const STATE_TCPDUMP_SET = 16;

/** Flow ids the state has room for at first; it doubles as ids grow. */
const INITIAL_IDS = 1024;

/** An analysis with its numbers unset, and none of the findings. */
function newAnalysis(): TcpAnalysis {
  return {
    relativeSeq: 0,
    relativeAck: null,
    isnSeen: false,
    peerBase: null,
    // Always present (0 for absolute numbers), so that every analysis has one shape.
    tcpdumpSeqBase: 0,
    tcpdumpAckBase: 0,
    tcpdumpSackBase: 0,
  };
}

/**
 * The sequence state of every connection's two directions, by flow id (two slots an id:
 * A to B, then B to A). Ids are the flow table's; `forget` frees an id's state for reuse.
 */
export class TcpAnalyser {
  /** Each direction's `DIRECTION_WORDS`, at `(2 * id + side) * DIRECTION_WORDS`. */
  #state = new Float64Array(2 * INITIAL_IDS * DIRECTION_WORDS);
  /**
   * Whether the other side's SYN was seen, for the segment `analyse` saw last: tshark counts
   * a side's numbers from one before its first segment when its SYN was not seen.
   */
  peerIsnSeen = false;
  /** Where the state of the directions `numbers` saw last lies: the sender's, the other's. */
  #mine = 0;
  #other = 0;
  /** What `numbers` returns, refilled each time: no object a segment. */
  readonly #numbers: TcpAnalysis = newAnalysis();

  /**
   * Analyses one segment of the connection with flow id `id`, sent A to B when `forward`:
   * its numbers (see `numbers`) and Wireshark's findings. `initialRtt` is the handshake's
   * round trip (0 when not seen): Wireshark's threshold for out-of-order. Returns a fresh
   * object.
   */
  analyse(
    id: number,
    forward: boolean,
    tcp: TcpHeader,
    time: number,
    initialRtt: number,
  ): TcpAnalysis {
    const analysis = newAnalysis();
    this.#fillNumbers(analysis, id, forward, tcp);
    const state = this.#state;
    const mine = this.#mine;
    const other = this.#other;
    const flags = tcp.flagBits;
    const syn = (flags & TCP_SYN) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const ackFlag = (flags & TCP_ACK) !== 0;
    if (syn) state[mine + WINDOW_SCALE] = tcp.windowScale + 1;
    const relativeSeq = analysis.relativeSeq;
    const length = tcp.payloadLength;
    const segmentLength = length + (syn ? 1 : 0) + (fin ? 1 : 0);
    const window = tcp.window;
    const mineScale = state[mine + WINDOW_SCALE];
    const scaling = mineScale > 0 && state[other + WINDOW_SCALE] > 0;
    const scaledWindow = syn ? window : window * (scaling ? 2 ** (mineScale - 1) : 1);
    const mineState = state[mine + STATE];
    const otherState = state[other + STATE];
    const mineNextBefore = state[mine + NEXT_SEQ];

    // The flags below are set in a fixed order (TCP_ANALYSIS_FLAGS), which the JSON writer
    // (json_writer.ts) and the printing worker's batches rely on for their order in the
    // object: keep new ones in step with it.
    if (rst) analysis.reset = true;
    if (window === 0 && !syn && !fin && !rst) analysis.zeroWindow = true;

    // Keep-alive: one byte (or none) just before what was already sent.
    const keepAlive = segmentLength <= 1 && !syn && !fin && !rst && mineNextBefore > 0 &&
      relativeSeq === ((mineNextBefore - 1) >>> 0);
    if (keepAlive) analysis.keepAlive = true;

    // Window full: the segment fills the receiver's advertised window exactly.
    if (
      length > 0 && (otherState & STATE_WINDOW_END_SET) !== 0 && !syn && !fin && !rst &&
      ((relativeSeq + length) >>> 0) === state[other + WINDOW_END]
    ) analysis.windowFull = true;

    // Wireshark's order of tests (packet-tcp.c): a segment that does not advance the
    // sequence is a fast retransmission, out-of-order, spurious, or a plain retransmission.
    if (segmentLength > 0 && mineNextBefore > 0) {
      const ahead = (relativeSeq - mineNextBefore) | 0;
      if (ahead > 0 && !rst) analysis.lostSegment = true;
      else if (ahead < 0 && !keepAlive) {
        const end = (relativeSeq + segmentLength) >>> 0;
        const otherLastAck = state[other + LAST_ACK];
        const sinceAck = time - state[other + LAST_ACK_TIME];
        const sinceHighest = time - state[mine + NEXT_SEQ_TIME];
        const threshold = initialRtt > 0 ? initialRtt : OUT_OF_ORDER_THRESHOLD;
        if (
          state[other + DUPLICATE_ACKS] >= 2 && otherLastAck === relativeSeq && sinceAck < 0.02
        ) {
          analysis.retransmission = true;
          analysis.fastRetransmission = true;
        } else if (sinceHighest < threshold && mineNextBefore !== end) {
          analysis.outOfOrder = true;
        } else if (
          length > 0 && (otherState & STATE_LAST_ACK_SET) !== 0 && otherLastAck !== 0 &&
          ((end - otherLastAck) | 0) <= 0
        ) {
          analysis.spuriousRetransmission = true;
        } else {
          analysis.retransmission = true;
        }
      }
    }
    const end = (relativeSeq + segmentLength) >>> 0;
    if (segmentLength > 0 && (mineNextBefore === 0 || ((end - mineNextBefore) | 0) > 0)) {
      state[mine + NEXT_SEQ] = end;
      state[mine + NEXT_SEQ_TIME] = time;
    }

    // Duplicate ACKs (Wireshark's test): no data, a non-zero window equal to the last one,
    // the expected sequence number, and the same acknowledgment as before.
    if (ackFlag) {
      // As `#fillNumbers` makes `relativeAck`, but from the typed state: reading that back
      // from the analysis (a boxed number) measured 0-3 % slower on one thread's JSON.
      const otherBase = (otherState & STATE_BASE_SET) !== 0 ? state[other + BASE] : 0;
      const ack = (tcp.ack - otherBase) >>> 0;
      const lastWindow = state[mine + LAST_WINDOW] - 1;
      const sameAck = (mineState & STATE_LAST_ACK_SET) !== 0 && ack === state[mine + LAST_ACK];
      const sameSegment = length === 0 && window !== 0 && !syn && !fin && !rst && sameAck &&
        relativeSeq === mineNextBefore;
      // A window update (Wireshark's test): the same but for a new, non-zero window.
      if (sameSegment && lastWindow >= 0 && window !== lastWindow) analysis.windowUpdate = true;
      if (sameSegment && window === lastWindow) {
        const duplicateAcks = ++state[mine + DUPLICATE_ACKS];
        analysis.duplicateAck = duplicateAcks;
        state[mine + LAST_ACK_TIME] = time;
      } else if (!sameAck) {
        state[mine + DUPLICATE_ACKS] = 0;
        state[mine + LAST_ACK_TIME] = time;
      }
      state[mine + LAST_ACK] = ack;
      state[mine + LAST_WINDOW] = window + 1;
      state[mine + WINDOW_END] = (ack + scaledWindow) >>> 0;
      const acked = mineState | STATE_LAST_ACK_SET;
      state[mine + STATE] = syn ? acked & ~STATE_WINDOW_END_SET : acked | STATE_WINDOW_END_SET;
    }
    return analysis;
  }

  /**
   * The numbers of one segment of the connection with flow id `id`, sent A to B when
   * `forward`, without Wireshark's findings: relative to each side's first sequence number,
   * and tcpdump's bases (all that tcpdump's line prints). Keeps each side's first number and
   * tcpdump's bases; the findings' state is `analyse`'s. Returns one object, refilled by the
   * next call: read it before then (the printing path does), or copy it.
   */
  numbers(id: number, forward: boolean, tcp: TcpHeader): TcpAnalysis {
    const numbers = this.#numbers;
    this.#fillNumbers(numbers, id, forward, tcp);
    return numbers;
  }

  /** Sets `analysis`'s numbers for the segment (see `numbers`), and `#mine` and `#other`. */
  #fillNumbers(analysis: TcpAnalysis, id: number, forward: boolean, tcp: TcpHeader): void {
    const flags = tcp.flagBits;
    const syn = (flags & TCP_SYN) !== 0;
    const ackFlag = (flags & TCP_ACK) !== 0;
    const aToB = this.#connectionAt(id);
    const state = this.#state;
    const mine = this.#mine = forward ? aToB : aToB + DIRECTION_WORDS;
    const other = this.#other = forward ? aToB + DIRECTION_WORDS : aToB;

    const seqRaw = tcp.seq;
    let mineState = state[mine + STATE];
    if ((mineState & STATE_BASE_SET) === 0 || (syn && (mineState & STATE_ISN_SEEN) === 0)) {
      mineState = (mineState & ~STATE_ISN_SEEN) | STATE_BASE_SET | (syn ? STATE_ISN_SEEN : 0);
      state[mine + STATE] = mineState;
      state[mine + BASE] = seqRaw;
      state[mine + NEXT_SEQ] = 0;
    }
    const otherState = state[other + STATE];
    const otherBaseSet = (otherState & STATE_BASE_SET) !== 0;
    const otherBase = state[other + BASE];
    this.peerIsnSeen = (otherState & STATE_ISN_SEEN) !== 0;
    analysis.relativeSeq = (seqRaw - state[mine + BASE]) >>> 0;
    analysis.relativeAck = ackFlag && otherBaseSet ? (tcp.ack - otherBase) >>> 0 : null;
    analysis.isnSeen = (mineState & STATE_ISN_SEEN) !== 0;
    analysis.peerBase = otherBaseSet ? otherBase : null;
    // tcpdump numbers a conversation from its first segment with ACK set, or its SYN-ACK:
    // that one prints absolute and gives both sides' bases (the other side's is its ACK less
    // one); later segments with ACK print relative to them.
    let seqBase = 0;
    let ackBase = 0;
    let sackBase = 0;
    if (ackFlag) {
      const pairState = state[aToB + STATE];
      if ((pairState & STATE_TCPDUMP_SET) === 0 || syn) {
        state[aToB + STATE] = pairState | STATE_TCPDUMP_SET;
        state[mine + TCPDUMP_BASE] = seqRaw;
        state[other + TCPDUMP_BASE] = (tcp.ack - 1) >>> 0;
      } else {
        seqBase = state[mine + TCPDUMP_BASE];
        ackBase = state[other + TCPDUMP_BASE];
      }
      sackBase = state[other + TCPDUMP_BASE];
    }
    analysis.tcpdumpSeqBase = seqBase;
    analysis.tcpdumpAckBase = ackBase;
    analysis.tcpdumpSackBase = sackBase;
  }

  /**
   * The state of the connection with flow id `id`, by endpoint (`aIsLow`: its A is the lower
   * endpoint of its key), to be handed back to `resume` when the connection goes on under
   * another id. The flow's own state stays until `forget`.
   */
  park(id: number, aIsLow: boolean): ParkedConnection {
    const at = this.#connectionAt(id);
    const aToB = this.#state.slice(at, at + DIRECTION_WORDS);
    const bToA = this.#state.slice(at + DIRECTION_WORDS, at + 2 * DIRECTION_WORDS);
    return aIsLow ? { low: aToB, high: bToA } : { low: bToA, high: aToB };
  }

  /**
   * Goes on with a parked connection under flow id `id`, whose A (the sender of its first
   * segment now) is the lower endpoint when `aIsLow`: the numbers stay relative to the same
   * bases, as tcpdump and tshark keep them.
   */
  resume(id: number, parked: ParkedConnection, aIsLow: boolean): void {
    const aToB = aIsLow ? parked.low : parked.high;
    const bToA = aIsLow ? parked.high : parked.low;
    // tcpdump's bases are marked set on the A to B direction: the mark moves with A.
    const tcpdumpSet = (aToB[STATE] | bToA[STATE]) & STATE_TCPDUMP_SET;
    const at = this.#connectionAt(id);
    const state = this.#state;
    state.set(aToB, at);
    state.set(bToA, at + DIRECTION_WORDS);
    state[at + STATE] = (state[at + STATE] & ~STATE_TCPDUMP_SET) | tcpdumpSet;
    state[at + DIRECTION_WORDS + STATE] &= ~STATE_TCPDUMP_SET;
  }

  /** Drops the state of the connection with flow id `id` (the id is about to be reused). */
  forget(id: number): void {
    const at = 2 * id * DIRECTION_WORDS;
    if (at < this.#state.length) this.#state.fill(0, at, at + 2 * DIRECTION_WORDS);
  }

  /**
   * Where the state of flow id `id` starts (A to B's words, then B to A's), room made for it:
   * the state doubles when an id lies past its end. Read `#state` after this call.
   */
  #connectionAt(id: number): number {
    const at = 2 * id * DIRECTION_WORDS;
    const words = at + 2 * DIRECTION_WORDS;
    const length = this.#state.length;
    if (words > length) this.#state = grown(this.#state, Math.max(2 * length, words));
    return at;
  }
}
