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
 * of its key sent, and what the higher one did (either unset when that side never sent).
 */
export interface ParkedConnection {
  readonly low: Direction | undefined;
  readonly high: Direction | undefined;
}

/** Sequence state of one direction of a TCP connection. */
interface Direction {
  base: number;
  baseSet: boolean;
  isnSeen: boolean;
  /** Relative sequence number just past the highest byte (and SYN/FIN) seen. */
  nextSeq: number;
  /** Capture time of the segment that set `nextSeq`. */
  nextSeqTime: number;
  lastAck: number;
  lastAckSet: boolean;
  /** When this side last sent a new (or duplicate) ACK. */
  lastAckTime: number;
  lastWindow: number;
  duplicateAcks: number;
  windowScale: number;
  /** Receive window this side advertised, scaled, and where it ends (other side's space). */
  windowEnd: number;
  windowEndSet: boolean;
  /** tcpdump's base for this direction's numbers (print-tcp.c's `tcp_seq_hash`). */
  tcpdumpBase: number;
  /** Whether the conversation has tcpdump's entry (kept on the A-to-B direction). */
  tcpdumpSet: boolean;
}

function newDirection(): Direction {
  return {
    base: 0,
    baseSet: false,
    isnSeen: false,
    nextSeq: 0,
    nextSeqTime: 0,
    lastAck: 0,
    lastAckSet: false,
    lastAckTime: 0,
    lastWindow: -1,
    duplicateAcks: 0,
    windowScale: -1,
    windowEnd: 0,
    windowEndSet: false,
    tcpdumpBase: 0,
    tcpdumpSet: false,
  };
}

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
  readonly #directions: (Direction | undefined)[] = [];
  /**
   * Whether the other side's SYN was seen, for the segment `analyse` saw last: tshark counts
   * a side's numbers from one before its first segment when its SYN was not seen.
   */
  peerIsnSeen = false;
  /** The directions `numbers` saw last: the segment's sender's, and the other side's. */
  #mine: Direction | undefined;
  #other: Direction | undefined;
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
    const mine = this.#mine!;
    const other = this.#other!;
    const flags = tcp.flagBits;
    const syn = (flags & TCP_SYN) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const ackFlag = (flags & TCP_ACK) !== 0;
    if (syn) mine.windowScale = tcp.windowScale;
    const relativeSeq = analysis.relativeSeq;
    const length = tcp.payloadLength;
    const segmentLength = length + (syn ? 1 : 0) + (fin ? 1 : 0);
    const window = tcp.window;
    const scaling = mine.windowScale >= 0 && other.windowScale >= 0;
    const scaledWindow = syn ? window : window * (scaling ? 2 ** mine.windowScale : 1);

    // The flags below are set in a fixed order (TCP_ANALYSIS_FLAGS), which the JSON writer
    // (json_writer.ts) and the printing worker's batches rely on for their order in the
    // object: keep new ones in step with it.
    if (rst) analysis.reset = true;
    if (window === 0 && !syn && !fin && !rst) analysis.zeroWindow = true;

    // Keep-alive: one byte (or none) just before what was already sent.
    const keepAlive = segmentLength <= 1 && !syn && !fin && !rst && mine.nextSeq > 0 &&
      relativeSeq === ((mine.nextSeq - 1) >>> 0);
    if (keepAlive) analysis.keepAlive = true;

    // Window full: the segment fills the receiver's advertised window exactly.
    if (
      length > 0 && other.windowEndSet && !syn && !fin && !rst &&
      ((relativeSeq + length) >>> 0) === other.windowEnd
    ) analysis.windowFull = true;

    // Wireshark's order of tests (packet-tcp.c): a segment that does not advance the
    // sequence is a fast retransmission, out-of-order, spurious, or a plain retransmission.
    if (segmentLength > 0 && mine.nextSeq > 0) {
      const ahead = (relativeSeq - mine.nextSeq) | 0;
      if (ahead > 0 && !rst) analysis.lostSegment = true;
      else if (ahead < 0 && !keepAlive) {
        const end = (relativeSeq + segmentLength) >>> 0;
        const sinceAck = time - other.lastAckTime;
        const sinceHighest = time - mine.nextSeqTime;
        const threshold = initialRtt > 0 ? initialRtt : OUT_OF_ORDER_THRESHOLD;
        if (other.duplicateAcks >= 2 && other.lastAck === relativeSeq && sinceAck < 0.02) {
          analysis.retransmission = true;
          analysis.fastRetransmission = true;
        } else if (sinceHighest < threshold && mine.nextSeq !== end) {
          analysis.outOfOrder = true;
        } else if (
          length > 0 && other.lastAckSet && other.lastAck !== 0 && ((end - other.lastAck) | 0) <= 0
        ) {
          analysis.spuriousRetransmission = true;
        } else {
          analysis.retransmission = true;
        }
      }
    }
    const mineNextBefore = mine.nextSeq;
    const end = (relativeSeq + segmentLength) >>> 0;
    if (segmentLength > 0 && (mine.nextSeq === 0 || ((end - mine.nextSeq) | 0) > 0)) {
      mine.nextSeq = end;
      mine.nextSeqTime = time;
    }

    // Duplicate ACKs (Wireshark's test): no data, a non-zero window equal to the last one,
    // the expected sequence number, and the same acknowledgment as before.
    if (ackFlag) {
      const ack = (tcp.ack - (other.baseSet ? other.base : 0)) >>> 0;
      // A window update (Wireshark's test): the same but for a new, non-zero window.
      if (
        length === 0 && window !== 0 && mine.lastWindow >= 0 && window !== mine.lastWindow &&
        !syn && !fin && !rst && mine.lastAckSet && ack === mine.lastAck &&
        relativeSeq === mineNextBefore
      ) analysis.windowUpdate = true;
      if (
        length === 0 && window !== 0 && window === mine.lastWindow && !syn && !fin && !rst &&
        mine.lastAckSet && ack === mine.lastAck && relativeSeq === mineNextBefore
      ) {
        mine.duplicateAcks++;
        analysis.duplicateAck = mine.duplicateAcks;
      } else if (!mine.lastAckSet || ack !== mine.lastAck) {
        mine.duplicateAcks = 0;
      }
      if (!mine.lastAckSet || ack !== mine.lastAck) mine.lastAckTime = time;
      if (analysis.duplicateAck) mine.lastAckTime = time;
      mine.lastAck = ack;
      mine.lastAckSet = true;
      mine.lastWindow = window;
      mine.windowEnd = (ack + scaledWindow) >>> 0;
      mine.windowEndSet = !syn;
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
    const directions = this.#directions;
    const ab = 2 * id;
    const mine = this.#mine = forward
      ? (directions[ab] ??= newDirection())
      : (directions[ab + 1] ??= newDirection());
    const other = this.#other = forward
      ? (directions[ab + 1] ??= newDirection())
      : (directions[ab] ??= newDirection());

    const seqRaw = tcp.seq;
    if (!mine.baseSet || (syn && !mine.isnSeen)) {
      mine.base = seqRaw;
      mine.baseSet = true;
      mine.isnSeen = syn;
      mine.nextSeq = 0;
    }
    this.peerIsnSeen = other.isnSeen;
    analysis.relativeSeq = (seqRaw - mine.base) >>> 0;
    analysis.relativeAck = ackFlag && other.baseSet ? (tcp.ack - other.base) >>> 0 : null;
    analysis.isnSeen = mine.isnSeen;
    analysis.peerBase = other.baseSet ? other.base : null;
    // tcpdump numbers a conversation from its first segment with ACK set, or its SYN-ACK:
    // that one prints absolute and gives both sides' bases (the other side's is its ACK less
    // one); later segments with ACK print relative to them.
    let seqBase = 0;
    let ackBase = 0;
    let sackBase = 0;
    if (ackFlag) {
      const pair = directions[ab]!;
      if (!pair.tcpdumpSet || syn) {
        pair.tcpdumpSet = true;
        mine.tcpdumpBase = seqRaw;
        other.tcpdumpBase = (tcp.ack - 1) >>> 0;
      } else {
        seqBase = mine.tcpdumpBase;
        ackBase = other.tcpdumpBase;
      }
      sackBase = other.tcpdumpBase;
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
    const aToB = this.#directions[2 * id];
    const bToA = this.#directions[2 * id + 1];
    return aIsLow ? { low: aToB, high: bToA } : { low: bToA, high: aToB };
  }

  /**
   * Goes on with a parked connection under flow id `id`, whose A (the sender of its first
   * segment now) is the lower endpoint when `aIsLow`: the numbers stay relative to the same
   * bases, as tcpdump and tshark keep them.
   */
  resume(id: number, parked: ParkedConnection, aIsLow: boolean): void {
    const aToB = (aIsLow ? parked.low : parked.high) ?? newDirection();
    const bToA = (aIsLow ? parked.high : parked.low) ?? newDirection();
    // tcpdump's bases are marked set on the A to B direction: the mark moves with A.
    const tcpdumpSet = aToB.tcpdumpSet || bToA.tcpdumpSet;
    bToA.tcpdumpSet = false;
    aToB.tcpdumpSet = tcpdumpSet;
    this.#directions[2 * id] = aToB;
    this.#directions[2 * id + 1] = bToA;
  }

  /** Drops the state of the connection with flow id `id` (the id is about to be reused). */
  forget(id: number): void {
    this.#directions[2 * id] = this.#directions[2 * id + 1] = undefined;
  }
}
