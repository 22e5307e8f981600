/**
 * Per-connection state over a stream of decoded packets: conversations (packets and bytes each
 * way, start, duration, TCP handshake and close), and TCP analysis as Wireshark users know it
 * (relative sequence numbers; retransmission, out-of-order, duplicate ACK, zero window, window
 * full, keep-alive, lost segment, reset). Pure TypeScript; memory is bounded: idle flows are
 * retired after a timeout of capture time, and a cap on tracked flows evicts the oldest.
 *
 * @example
 * ```ts
 * import { FlowTracker } from "./flows.ts";
 * const flows = new FlowTracker();
 * console.log(flows.summary().conversations.length); // 0
 * ```
 * @module
 */

import {
  IPV4_FLAG_MF,
  IPV4_FRAGMENT_OFFSET_MASK,
  type Packet,
  TCP_ACK,
  TCP_FIN,
  TCP_RST,
  TCP_SYN,
} from "../decode/mod.ts";
import { type FrameHeader, frameSeconds } from "../frame.ts";
import {
  FLOW_BYTES_A_TO_B,
  FLOW_BYTES_B_TO_A,
  FLOW_END,
  FLOW_FRAMES_A_TO_B,
  FLOW_FRAMES_B_TO_A,
  FLOW_STATE_SHIFT,
  FlowTable,
  MAX_FLOW_ID,
} from "./flow_table.ts";
import {
  addressText,
  BYTES_A_TO_B,
  BYTES_B_TO_A,
  type Conversation,
  CONVERSATION_NUMBERS,
  ConversationList,
  END,
  ENDPOINT_B,
  ENDPOINT_WORDS,
  FRAMES_A_TO_B,
  FRAMES_B_TO_A,
  NO_PORT,
  START,
  TCP_FIN as CONVERSATION_FIN,
  TCP_HANDSHAKE as CONVERSATION_HANDSHAKE,
  TCP_RST as CONVERSATION_RST,
} from "./conversations.ts";
import { grown } from "./grown.ts";
import { WordTable } from "./word_table.ts";

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
}

export type { Conversation, Endpoint } from "./conversations.ts";

/** Per-layer frame and byte counts. */
export type ProtocolHierarchy = Record<string, { frames: number; bytes: number }>;

/** What `--stats` reports. */
export interface FlowSummary {
  frames: number;
  bytes: number;
  /** Capture time of the first and last frame. */
  start: number;
  end: number;
  hierarchy: ProtocolHierarchy;
  conversations: Conversation[];
  /** Hosts by bytes sent and received, most first. */
  talkers: { address: string; frames: number; bytes: number }[];
  /** Flows that were not kept because the table was full, and their totals. */
  evicted: { flows: number; frames: number; bytes: number };
}

/** `FlowSummary` with the conversations as columns (`FlowTracker.summaryColumns`). */
export interface FlowSummaryColumns extends Omit<FlowSummary, "conversations"> {
  conversations: ConversationList;
}

/** Limits that keep memory flat. */
export interface FlowLimits {
  /** Flows idle for longer (capture time, seconds) are retired; default 300. */
  idleTimeout?: number;
  /** Most flows tracked at once; default 100,000, and at most 16,777,216 (`MAX_FLOW_ID` + 1). */
  maxFlows?: number;
  /** Most retired conversations kept for the summary; default 100,000. */
  maxRetired?: number;
  /** Most hosts counted for top talkers; default 100,000. */
  maxHosts?: number;
  /**
   * Count every packet for the summary (conversations of every protocol, hierarchy, talkers).
   * Off, only TCP connections are followed, for the analysis; default on.
   */
  summary?: boolean;
  /**
   * Analyse TCP segments (relative numbers, retransmissions, …) and return the findings; off,
   * a connection's handshake and close are still followed for the summary. Default on.
   */
  analysis?: boolean;
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
}

// A flow's state bits, kept in its row's id-and-state word (see flow_table.ts) beside its
// counters, so that following a connection touches nothing else.
/** A is the lower endpoint of the key: a packet from the lower one goes A to B. */
const STATE_A_IS_LOW = 1 << FLOW_STATE_SHIFT;
const STATE_SYN = 1 << (FLOW_STATE_SHIFT + 1);
const STATE_SYN_ACK = 1 << (FLOW_STATE_SHIFT + 2);
/** The handshake's final ACK was seen. */
const STATE_HANDSHAKE = 1 << (FLOW_STATE_SHIFT + 3);
const STATE_FIN = 1 << (FLOW_STATE_SHIFT + 4);
const STATE_RST = 1 << (FLOW_STATE_SHIFT + 5);

const DEFAULTS: Required<FlowLimits> = {
  summary: true,
  analysis: true,
  idleTimeout: 300,
  maxFlows: 100_000,
  maxRetired: 100_000,
  maxHosts: 100_000,
};

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
] as const;

/** Wireshark's default threshold for telling out-of-order from retransmission: 3 ms. */
const OUT_OF_ORDER_THRESHOLD = 0.003;

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
  };
}

/** The layers the protocol hierarchy counts, in the order the summary lists them. */
export const LAYERS: readonly string[] = [
  "eth",
  "sll",
  "vlan",
  "ipv4",
  "ipv6",
  "arp",
  "tcp",
  "udp",
  "icmp",
  "icmpv6",
  "dns",
  "other",
];
const LAYER_ETH = 0;
const LAYER_SLL = 1;
const LAYER_VLAN = 2;
const LAYER_IPV4 = 3;
const LAYER_IPV6 = 4;
const LAYER_ARP = 5;
const LAYER_TCP = 6;
const LAYER_UDP = 7;
const LAYER_ICMP = 8;
const LAYER_ICMPV6 = 9;
const LAYER_DNS = 10;
const LAYER_OTHER = 11;
/** Every set of layers a packet can have: a bit per layer. */
const SHAPES = 1 << LAYERS.length;

/** Words in a flow key: protocol, then two endpoints of address words and a port. */
const FLOW_KEY_WORDS_V4 = 5;
const FLOW_KEY_WORDS_V6 = 11;

/** A host's counts, filed under its address words. */
interface Host {
  readonly key: Uint32Array;
  frames: number;
  bytes: number;
}

/** Compares `count` words at `a` and at `b` in `words`, in order: negative, 0 or positive. */
function compareWords(words: Uint32Array, a: number, b: number, count: number): number {
  for (let i = 0; i < count; i++) {
    const difference = words[a + i] - words[b + i];
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Side arrays indexed by flow id start this long and double as ids are handed out. */
const INITIAL_IDS = 1024;

/**
 * Tracks flows across packets; feed it every packet in capture order.
 *
 * A flow's key, state and counters are a row of its family's `FlowTable`; what is read rarely
 * (start, creation order, handshake times, the TCP analysis state) lies in arrays indexed by
 * the flow's id. A summary copies the rows into a `ConversationList`, which makes the
 * documented shape when asked. A key is the protocol, then the lower and the higher endpoint,
 * each its address words and its port (65536 for none): 5 words for IPv4, 11 for IPv6.
 */
export class FlowTracker {
  readonly #limits: Required<FlowLimits>;
  readonly #flows4 = new FlowTable(FLOW_KEY_WORDS_V4);
  readonly #flows6 = new FlowTable(FLOW_KEY_WORDS_V6);
  /** The key of the packet at hand, filled in place: a lookup allocates nothing. */
  readonly #flowKey4 = new Uint32Array(FLOW_KEY_WORDS_V4);
  readonly #flowKey6 = new Uint32Array(FLOW_KEY_WORDS_V6);
  /** Per flow id: whether it is IPv6, its start, and its creation number (-1 once gone). */
  #isV6 = new Uint8Array(INITIAL_IDS);
  #flowStart = new Float64Array(INITIAL_IDS);
  #serial = new Float64Array(INITIAL_IDS);
  /** Per flow id: when its SYN was seen; the initial round-trip time (0 until known). */
  #synTime = new Float64Array(INITIAL_IDS);
  #initialRtt = new Float64Array(INITIAL_IDS);
  /** Per flow id, two: the TCP analysis state of A to B, then of B to A. */
  readonly #directions: (Direction | undefined)[] = [];
  readonly #freeIds: number[] = [];
  #nextId = 0;
  #serials = 0;
  readonly #retired = new ConversationList();
  /** Frames and bytes per shape (see `#countLayers`), and the layers in order first seen. */
  readonly #shapeFrames = new Float64Array(SHAPES);
  readonly #shapeBytes = new Float64Array(SHAPES);
  readonly #layerOrder: number[] = [];
  /** Frames and bytes of the hosts of retired flows (active ones are added in `summary`). */
  readonly #hosts4 = new WordTable<Host>(1);
  readonly #hosts6 = new WordTable<Host>(4);
  #frames = 0;
  #bytes = 0;
  #firstTime = Number.NaN;
  #end = 0;
  #evicted = { flows: 0, frames: 0, bytes: 0 };
  #lastSweep = 0;
  /** How often idle flows are looked for: a tenth of the timeout, at least a second. */
  readonly #sweepInterval: number;
  /**
   * Flows in creation order, for eviction: pairs of id and creation number (a pair whose
   * number is no longer its id's is a flow gone since). A queue: `#head` is its front.
   */
  #order: number[] = [];
  #head = 0;

  constructor(limits: FlowLimits = {}) {
    this.#limits = { ...DEFAULTS, ...limits };
    this.#limits.maxFlows = Math.min(this.#limits.maxFlows, MAX_FLOW_ID + 1);
    this.#sweepInterval = Math.max(1, this.#limits.idleTimeout / 10);
  }

  /**
   * Counts the packet and, for TCP, analyses it. Returns the TCP analysis (a fresh object),
   * or `undefined` for anything else. `ports` are those of a datagram this fragment completed.
   */
  observe(
    packet: Packet,
    header: FrameHeader,
    ports?: { srcPort: number; dstPort: number },
  ): TcpAnalysis | undefined {
    const time = frameSeconds(header);
    const bytes = header.len;
    const summary = this.#limits.summary;
    if (time - this.#lastSweep >= this.#sweepInterval) this.#sweep(time);
    if (summary) {
      this.#frames++;
      this.#bytes += bytes;
      if (Number.isNaN(this.#firstTime)) this.#firstTime = time;
      this.#end = time;
      this.#countLayers(packet, bytes);
    } else if (packet.tcp === undefined) {
      return undefined; // only TCP connections are followed then
    }

    const ip4 = packet.ipv4;
    const ip6 = packet.ipv6;
    if (ip4 === undefined && ip6 === undefined) return undefined;
    let protocol: number;
    // As tshark without reassembly: a first fragment counts with its ports, a later one
    // (no transport header) in its hosts' conversation without ports, unless it completed a
    // reassembled datagram (`ports`).
    let laterFragment: boolean;
    let fragment: boolean;
    if (ip4 !== undefined) {
      protocol = ip4.protocol;
      const flags = ip4.flagsAndOffset;
      laterFragment = (flags & IPV4_FRAGMENT_OFFSET_MASK) !== 0;
      fragment = (flags & (IPV4_FLAG_MF | IPV4_FRAGMENT_OFFSET_MASK)) !== 0;
    } else {
      protocol = ip6!.protocol;
      fragment = ip6!.fragmentHeaderOffset >= 0;
      laterFragment = fragment && ip6!.fragmentOffset !== 0;
    }
    const transport = laterFragment ? ports : packet.tcp ?? packet.udp;
    const srcPortWord = transport ? transport.srcPort : NO_PORT;
    const dstPortWord = transport ? transport.dstPort : NO_PORT;
    let key: Uint32Array;
    let srcIsLow: boolean;
    if (ip4 !== undefined) {
      const srcAddress = ip4.srcNumber;
      const dstAddress = ip4.dstNumber;
      srcIsLow = srcAddress < dstAddress ||
        (srcAddress === dstAddress && srcPortWord <= dstPortWord);
      key = this.#flowKey4;
      key[0] = protocol;
      key[1] = srcIsLow ? srcAddress : dstAddress;
      key[2] = srcIsLow ? srcPortWord : dstPortWord;
      key[3] = srcIsLow ? dstAddress : srcAddress;
      key[4] = srcIsLow ? dstPortWord : srcPortWord;
    } else {
      key = this.#flowKey6;
      key[0] = protocol;
      ip6!.copyAddress(true, key, 1);
      key[5] = srcPortWord;
      ip6!.copyAddress(false, key, 6);
      key[10] = dstPortWord;
      srcIsLow = compareWords(key, 1, 6, 5) <= 0;
      if (!srcIsLow) {
        for (let i = 1; i <= 5; i++) {
          const word = key[i];
          key[i] = key[i + 5];
          key[i + 5] = word;
        }
      }
    }
    const table = ip4 !== undefined ? this.#flows4 : this.#flows6;
    let row = table.find(key);
    if (row < 0) row = this.#create(table, key, srcIsLow, time);
    const words = table.words;
    const numbers = table.numbers;
    const stateAt = row + table.stateWord;
    const forward = srcIsLow === ((words[stateAt] & STATE_A_IS_LOW) !== 0);
    const at = table.numberIndex(row);
    if (forward) {
      numbers[at + FLOW_FRAMES_A_TO_B]++;
      numbers[at + FLOW_BYTES_A_TO_B] += bytes;
    } else {
      numbers[at + FLOW_FRAMES_B_TO_A]++;
      numbers[at + FLOW_BYTES_B_TO_A] += bytes;
    }
    numbers[at + FLOW_END] = time;
    const tcp = packet.tcp;
    if (tcp === undefined || tcp.truncated || fragment) return undefined;
    const id = table.idAt(row);
    this.#trackConnection(words, stateAt, id, tcp.flagBits, time);
    if (!this.#limits.analysis) return undefined;
    return this.#analyse(id, forward, packet, time);
  }

  /** Files a new flow under `key` (making room first when the table is full); its row. */
  #create(table: FlowTable, key: Uint32Array, srcIsLow: boolean, time: number): number {
    if (this.activeFlows >= this.#limits.maxFlows) this.#evictOldest(time);
    const id = this.#freeIds.pop() ?? this.#newId();
    this.#isV6[id] = table === this.#flows6 ? 1 : 0;
    this.#flowStart[id] = time;
    const serial = this.#serials++;
    this.#serial[id] = serial;
    this.#synTime[id] = 0;
    this.#initialRtt[id] = 0;
    this.#order.push(id, serial);
    const row = table.insert(key, id);
    if (srcIsLow) table.words[row + table.stateWord] |= STATE_A_IS_LOW;
    return row;
  }

  /** A never used id, the side arrays grown to hold it. */
  #newId(): number {
    const id = this.#nextId++;
    if (id >= this.#flowStart.length) {
      const length = this.#flowStart.length * 2;
      this.#isV6 = grown(this.#isV6, length);
      this.#flowStart = grown(this.#flowStart, length);
      this.#serial = grown(this.#serial, length);
      this.#synTime = grown(this.#synTime, length);
      this.#initialRtt = grown(this.#initialRtt, length);
    }
    return id;
  }

  /** The table the flow with `id` is filed in. */
  #tableOf(id: number): FlowTable {
    return this.#isV6[id] === 1 ? this.#flows6 : this.#flows4;
  }

  /**
   * Follows the handshake and the close (the conversation's state in the summary) in the
   * state word at `stateAt` in `words`.
   */
  #trackConnection(
    words: Uint32Array,
    stateAt: number,
    id: number,
    flags: number,
    time: number,
  ): void {
    let state = words[stateAt];
    const syn = (flags & TCP_SYN) !== 0;
    const ackFlag = (flags & TCP_ACK) !== 0;
    if (syn && !ackFlag) {
      state |= STATE_SYN;
      this.#synTime[id] = time;
    } else if (syn && ackFlag && (state & STATE_SYN) !== 0) {
      state |= STATE_SYN_ACK;
    } else if (ackFlag && (state & STATE_SYN_ACK) !== 0 && (state & STATE_HANDSHAKE) === 0) {
      state |= STATE_HANDSHAKE;
      this.#initialRtt[id] = time - this.#synTime[id];
    }
    if (flags & TCP_FIN) state |= STATE_FIN;
    if (flags & TCP_RST) state |= STATE_RST;
    words[stateAt] = state;
  }

  #analyse(id: number, forward: boolean, packet: Packet, time: number): TcpAnalysis {
    const tcp = packet.tcp!;
    const flags = tcp.flagBits;
    const syn = (flags & TCP_SYN) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const ackFlag = (flags & TCP_ACK) !== 0;
    const directions = this.#directions;
    const ab = 2 * id;
    const mine = forward
      ? (directions[ab] ??= newDirection())
      : (directions[ab + 1] ??= newDirection());
    const other = forward
      ? (directions[ab + 1] ??= newDirection())
      : (directions[ab] ??= newDirection());

    const seqRaw = tcp.seq;
    const length = tcp.payloadLength;
    if (!mine.baseSet || (syn && !mine.isnSeen)) {
      mine.base = seqRaw;
      mine.baseSet = true;
      mine.isnSeen = syn;
      mine.nextSeq = 0;
    }
    if (syn) {
      const scale = tcp.windowScale;
      mine.windowScale = scale;
    }
    const relativeSeq = (seqRaw - mine.base) >>> 0;
    const relativeAck = ackFlag && other.baseSet ? (tcp.ack - other.base) >>> 0 : null;
    const analysis: TcpAnalysis = {
      relativeSeq,
      relativeAck,
      isnSeen: mine.isnSeen,
      peerBase: other.baseSet ? other.base : null,
    };
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
        const initialRtt = this.#initialRtt[id];
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
   * Counts the packet under its shape: the set of layers it has, one bit each (`LAYERS`'
   * indexes). A packet costs two counter updates whatever its depth, and the few shapes a
   * capture holds are summed per layer when a summary is made.
   */
  #countLayers(packet: Packet, bytes: number): void {
    const icmp = packet.icmp;
    const network = packet.ipv4 !== undefined || packet.ipv6 !== undefined ||
      packet.arp !== undefined;
    const shape = (packet.eth !== undefined ? 1 << LAYER_ETH : 0) |
      (packet.sll !== undefined ? 1 << LAYER_SLL : 0) |
      (packet.vlanCount > 0 ? 1 << LAYER_VLAN : 0) |
      (packet.ipv4 !== undefined ? 1 << LAYER_IPV4 : 0) |
      (packet.ipv6 !== undefined ? 1 << LAYER_IPV6 : 0) |
      (packet.arp !== undefined ? 1 << LAYER_ARP : 0) |
      (packet.tcp !== undefined ? 1 << LAYER_TCP : 0) |
      (packet.udp !== undefined ? 1 << LAYER_UDP : 0) |
      (icmp !== undefined ? 1 << (icmp.version === 4 ? LAYER_ICMP : LAYER_ICMPV6) : 0) |
      (packet.dns !== undefined ? 1 << LAYER_DNS : 0) |
      (network ? 0 : 1 << LAYER_OTHER);
    if (this.#shapeFrames[shape]++ === 0) this.#newShape(shape);
    this.#shapeBytes[shape] += bytes;
  }

  /** Notes the layers of a shape not seen before, in the order a packet has them. */
  #newShape(shape: number): void {
    for (let layer = 0; layer < LAYERS.length; layer++) {
      if ((shape & (1 << layer)) !== 0 && !this.#layerOrder.includes(layer)) {
        this.#layerOrder.push(layer);
      }
    }
  }

  /** The per-layer counts, layers in the order they were first seen. */
  #hierarchy(): ProtocolHierarchy {
    const frames = new Float64Array(LAYERS.length);
    const bytes = new Float64Array(LAYERS.length);
    for (let shape = 0; shape < SHAPES; shape++) {
      if (this.#shapeFrames[shape] === 0) continue;
      for (let layer = 0; layer < LAYERS.length; layer++) {
        if ((shape & (1 << layer)) === 0) continue;
        frames[layer] += this.#shapeFrames[shape];
        bytes[layer] += this.#shapeBytes[shape];
      }
    }
    const hierarchy: ProtocolHierarchy = {};
    for (const layer of this.#layerOrder) {
      hierarchy[LAYERS[layer]] = { frames: frames[layer], bytes: bytes[layer] };
    }
    return hierarchy;
  }

  /**
   * Adds the frames and bytes of the flow with `id` to both of its hosts (once when they are
   * the same) in `hosts4`/`hosts6`. Hosts are counted from flows, when a flow is retired or a
   * summary is made, not per packet: every IP packet is in exactly one flow, so the sums are
   * the same, and a packet costs two hash lookups fewer.
   */
  #countHosts(id: number, hosts4: WordTable<Host>, hosts6: WordTable<Host>): void {
    const flows = this.#tableOf(id);
    const row = flows.rowOf(id);
    const key = flows.words;
    const v4 = flows === this.#flows4;
    const table = v4 ? hosts4 : hosts6;
    const at = flows.numberIndex(row);
    const numbers = flows.numbers;
    const frames = numbers[at + FLOW_FRAMES_A_TO_B] + numbers[at + FLOW_FRAMES_B_TO_A];
    const bytes = numbers[at + FLOW_BYTES_A_TO_B] + numbers[at + FLOW_BYTES_B_TO_A];
    // The key: the protocol, then each endpoint's address words and its port.
    const low = row + 1;
    const high = low + table.width + 1;
    this.#countHost(table, hosts4.size + hosts6.size, key, low, frames, bytes);
    if (compareWords(key, low, high, table.width) !== 0) {
      this.#countHost(table, hosts4.size + hosts6.size, key, high, frames, bytes);
    }
  }

  /** Counts a host under the address words at `at` in `key`, unless the hosts are full. */
  #countHost(
    table: WordTable<Host>,
    counted: number,
    key: Uint32Array,
    at: number,
    frames: number,
    bytes: number,
  ): void {
    let host = table.get(key, at);
    if (host === undefined) {
      if (counted >= this.#limits.maxHosts) return;
      host = { key: key.slice(at, at + table.width), frames: 0, bytes: 0 };
      table.set(host);
    }
    host.frames += frames;
    host.bytes += bytes;
  }

  /** Capture time of the last packet of the flow with `id`. */
  #endOf(id: number): number {
    const table = this.#tableOf(id);
    return table.numbers[table.numberIndex(table.rowOf(id)) + FLOW_END];
  }

  /** Retires every flow idle for longer than the timeout. */
  #sweep(now: number): void {
    this.#lastSweep = now;
    const idle: number[] = [];
    for (const id of this.#activeIds()) {
      if (now - this.#endOf(id) >= this.#limits.idleTimeout) idle.push(id);
    }
    for (const id of idle) this.#remove(id);
    this.#compactOrder();
  }

  /**
   * Makes room for a new flow: the oldest-created one goes, unless it was active in the last
   * second, in which case it gets a second chance at the back of the queue (a few times at
   * most, so this stays cheap).
   */
  #evictOldest(now: number): void {
    let chances = 64;
    const order = this.#order;
    while (this.#head < order.length) {
      const id = order[this.#head];
      const serial = order[this.#head + 1];
      this.#head += 2;
      if (this.#serial[id] !== serial) continue; // already retired by a sweep
      if (chances-- > 0 && now - this.#endOf(id) < 1) {
        order.push(id, serial);
        continue;
      }
      this.#remove(id);
      break;
    }
    this.#compactOrder();
  }

  #remove(id: number): void {
    if (this.#limits.summary) this.#countHosts(id, this.#hosts4, this.#hosts6);
    this.#retire(id);
    this.#tableOf(id).remove(id);
    this.#serial[id] = -1;
    this.#directions[2 * id] = this.#directions[2 * id + 1] = undefined;
    this.#freeIds.push(id);
  }

  /** Drops the queue's consumed front and pairs of gone flows, so it stays proportional. */
  #compactOrder(): void {
    const pairs = (this.#order.length - this.#head) / 2;
    if (
      (this.#head > 8192 && this.#head > this.#order.length / 2) ||
      pairs > 2 * this.activeFlows + 4096
    ) {
      const order: number[] = [];
      for (let i = this.#head; i < this.#order.length; i += 2) {
        const id = this.#order[i];
        if (this.#serial[id] === this.#order[i + 1]) order.push(id, this.#order[i + 1]);
      }
      this.#order = order;
      this.#head = 0;
    }
  }

  /** Keeps the conversation of the flow with `id`, or counts it as evicted past the limit. */
  #retire(id: number): void {
    if (this.#retired.length < this.#limits.maxRetired) {
      this.#appendConversation(this.#retired, id);
      return;
    }
    const table = this.#tableOf(id);
    const at = table.numberIndex(table.rowOf(id));
    const numbers = table.numbers;
    this.#evicted.flows++;
    this.#evicted.frames += numbers[at + FLOW_FRAMES_A_TO_B] + numbers[at + FLOW_FRAMES_B_TO_A];
    this.#evicted.bytes += numbers[at + FLOW_BYTES_A_TO_B] + numbers[at + FLOW_BYTES_B_TO_A];
  }

  /** How many flows are being tracked now. */
  get activeFlows(): number {
    return this.#flows4.size + this.#flows6.size;
  }

  /**
   * The ids of the flows tracked now, in the eviction queue's order (creation order, mostly).
   * Each is in the queue once: a second chance takes it from the front to the back.
   */
  #activeIds(): number[] {
    const ids: number[] = [];
    for (let i = this.#head; i < this.#order.length; i += 2) {
      const id = this.#order[i];
      if (this.#serial[id] === this.#order[i + 1]) ids.push(id);
    }
    return ids;
  }

  /** Appends the conversation of the flow with `id`, as of now, to `list`. */
  #appendConversation(list: ConversationList, id: number): void {
    const table = this.#tableOf(id);
    const row = table.rowOf(id);
    const words = table.words;
    const numbers = table.numbers;
    const v4 = table === this.#flows4;
    const width = v4 ? 1 : 4;
    const at = list.add(words[row], v4 ? 4 : 6);
    const state = words[row + table.stateWord];
    list.states[at] = ((state & STATE_HANDSHAKE) !== 0 ? CONVERSATION_HANDSHAKE : 0) |
      ((state & STATE_FIN) !== 0 ? CONVERSATION_FIN : 0) |
      ((state & STATE_RST) !== 0 ? CONVERSATION_RST : 0);
    // The key holds the lower endpoint first: address words, then port.
    const low = row + 1;
    const high = low + width + 1;
    const aIsLow = (state & STATE_A_IS_LOW) !== 0;
    const endpoints = list.endpoints;
    const into = at * ENDPOINT_WORDS;
    const copy = (to: number, from: number) => {
      for (let i = 0; i < 4; i++) endpoints[to + i] = i < width ? words[from + i] : 0;
      endpoints[to + 4] = words[from + width];
    };
    copy(into, aIsLow ? low : high);
    copy(into + ENDPOINT_B, aIsLow ? high : low);
    const from = table.numberIndex(row);
    const figures = list.numbers;
    const to = at * CONVERSATION_NUMBERS;
    figures[to + FRAMES_A_TO_B] = numbers[from + FLOW_FRAMES_A_TO_B];
    figures[to + BYTES_A_TO_B] = numbers[from + FLOW_BYTES_A_TO_B];
    figures[to + FRAMES_B_TO_A] = numbers[from + FLOW_FRAMES_B_TO_A];
    figures[to + BYTES_B_TO_A] = numbers[from + FLOW_BYTES_B_TO_A];
    figures[to + START] = this.#flowStart[id];
    figures[to + END] = numbers[from + FLOW_END];
  }

  /**
   * The conversations `summary` lists, in its order (by start; retired ones, then active ones
   * in creation order, where they start together), as columns.
   */
  conversationList(): ConversationList {
    const active = this.#activeIds();
    const list = new ConversationList(this.#retired.length + active.length + 1);
    list.append(this.#retired);
    for (const id of active) this.#appendConversation(list, id);
    return list.sortedByStart();
  }

  /** Everything `--stats` shows, as of now. */
  summary(topTalkers = 10): FlowSummary {
    const columns = this.summaryColumns(topTalkers);
    return {
      frames: columns.frames,
      bytes: columns.bytes,
      start: columns.start,
      end: columns.end,
      hierarchy: columns.hierarchy,
      conversations: columns.conversations.toArray(),
      talkers: columns.talkers,
      evicted: columns.evicted,
    };
  }

  /**
   * `summary`, with the conversations as columns rather than objects: what the statistics
   * are written from, since a capture can hold a hundred thousand conversations.
   */
  summaryColumns(topTalkers = 10): FlowSummaryColumns {
    // The retired flows' hosts, and the active flows' added to a copy of them.
    const hosts4 = new WordTable<Host>(1);
    const hosts6 = new WordTable<Host>(4);
    for (const host of this.#hosts4.values()) hosts4.set({ ...host });
    for (const host of this.#hosts6.values()) hosts6.set({ ...host });
    if (this.#limits.summary) {
      for (const id of this.#activeIds()) this.#countHosts(id, hosts4, hosts6);
    }
    const talkers = [...hosts4.values(), ...hosts6.values()].map((host) => ({
      address: addressText(host.key, 0, host.key.length),
      frames: host.frames,
      bytes: host.bytes,
    }))
      .sort((x, y) => y.bytes - x.bytes || x.address.localeCompare(y.address))
      .slice(0, topTalkers);
    return {
      frames: this.#frames,
      bytes: this.#bytes,
      start: Number.isNaN(this.#firstTime) ? 0 : this.#firstTime,
      end: this.#end,
      hierarchy: this.#hierarchy(),
      conversations: this.conversationList(),
      talkers,
      evicted: { ...this.#evicted },
    };
  }
}
