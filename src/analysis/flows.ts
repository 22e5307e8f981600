/**
 * The flow and connection bookkeeping over a stream of decoded packets: each packet is filed
 * under its conversation (packets and bytes each way, start, duration, and for TCP the
 * handshake and close), TCP segments are handed to the analysis (tcp_analysis.ts) with their
 * direction, and every packet is counted in the protocol hierarchy (hierarchy.ts) and, from
 * its flow, for the top talkers. Memory is bounded: idle flows are retired after a timeout
 * of capture time, and a cap on tracked flows evicts the oldest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FlowTracker } from "./flows.ts";
 * const flows = new FlowTracker();
 * assert.deepEqual(flows.summary().conversations.length, 0);
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
  type TcpHeader,
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
  CONVERSATION_FIN_SEEN,
  CONVERSATION_HANDSHAKE_SEEN,
  CONVERSATION_NUMBERS,
  CONVERSATION_RST_SEEN,
  ConversationList,
  END,
  ENDPOINT_B,
  ENDPOINT_WORDS,
  FRAMES_A_TO_B,
  FRAMES_B_TO_A,
  NO_PORT,
  START,
} from "./conversations.ts";
import { grown } from "./grown.ts";
import { LayerCounter, type ProtocolHierarchy } from "./hierarchy.ts";
import { type ParkedConnection, TcpAnalyser, type TcpAnalysis } from "./tcp_analysis.ts";
import { WordTable } from "./word_table.ts";

export type { Conversation, Endpoint } from "./conversations.ts";

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
   * Analyse TCP segments (relative numbers, retransmissions, …) and return the findings;
   * `"numbers"`, only the relative numbers and tcpdump's bases (`TcpAnalyser.numbers`: what
   * tcpdump's line prints, in one object refilled each time); off, a connection's handshake
   * and close are still followed for the summary. Default on.
   */
  analysis?: boolean | "numbers";
  /**
   * Number the TCP and UDP conversations as tshark's `tcp.stream` and `udp.stream` do (see
   * `tcpStream`); UDP is then followed even without a summary. Default off.
   */
  streams?: boolean;
  /**
   * Flow export (IPFIX): called with each flow record as it ends or its active timeout passes,
   * every protocol followed even without a summary. See `FlowExport`.
   */
  export?: FlowExport;
  /** With `export`: seconds after which a long flow's counts so far are exported. Default 60. */
  activeTimeout?: number;
  /**
   * With `export`: the index of the interface the packets came in on, or 0 where unknown; a
   * cooked (`LINUX_SLL2`) packet's own index wins.
   */
  interfaceIndex?: number;
}

/**
 * Why a flow record was exported: IPFIX's `flowEndReason` (RFC 5102 section 5.11.3).
 */
export const FLOW_END_IDLE = 1;
export const FLOW_END_ACTIVE = 2;
export const FLOW_END_DETECTED = 3;
export const FLOW_END_FORCED = 4;
export const FLOW_END_LACK_OF_RESOURCES = 5;

/** What a flow record carries besides the conversation's figures (IPFIX sends -1 as 0). */
export interface FlowRecordExtras {
  /** The TCP flags seen each way since the flow's last record. */
  tcpFlagsAtoB: number;
  tcpFlagsBtoA: number;
  /** The first packet's IPv4 type of service or IPv6 traffic class. */
  classOfService: number;
  /** The first packet's (outermost) VLAN id, or -1 without one. */
  vlan: number;
  /** ICMP: each way's first type × 256 + code, or -1. */
  icmpAtoB: number;
  icmpBtoA: number;
  /** The interface the flow's first packet came in on, or 0 where unknown. */
  interfaceIndex: number;
}

/**
 * Receives flow records: `list` holds one conversation at `at`, its frames and bytes those
 * since the flow's last record (deltas), its start the first packet's time (or the last
 * record's, after an active timeout). `extras` is reused for the next record: copy what you
 * keep.
 */
export type FlowExport = (
  list: ConversationList,
  at: number,
  reason: number,
  extras: Readonly<FlowRecordExtras>,
) => void;

// A flow's state bits, kept in its row's id-and-state word (see flow_table.ts) beside its
// counters, so that following a connection touches nothing else.
/** A is the lower endpoint of the key: a packet from the lower one goes A to B. */
const FLOW_A_IS_LOW = 1 << FLOW_STATE_SHIFT;
const FLOW_SAW_SYN = 1 << (FLOW_STATE_SHIFT + 1);
const FLOW_SAW_SYN_ACK = 1 << (FLOW_STATE_SHIFT + 2);
/** The handshake's final ACK was seen. */
const FLOW_SAW_HANDSHAKE = 1 << (FLOW_STATE_SHIFT + 3);
const FLOW_SAW_FIN = 1 << (FLOW_STATE_SHIFT + 4);
const FLOW_SAW_RST = 1 << (FLOW_STATE_SHIFT + 5);
/**
 * Each way's first sequence number is kept (`#baseSeq`): told here, in the word every packet
 * reads anyway, so that a segment touches that array only on its way's first.
 */
const FLOW_BASE_A_TO_B = 1 << (FLOW_STATE_SHIFT + 6);
const FLOW_BASE_B_TO_A = 1 << (FLOW_STATE_SHIFT + 7);

/** TCP's protocol number, the first word of a TCP flow's key. */
const IPPROTO_TCP = 6;

/** How many idle TCP connections are kept to be resumed (the oldest goes first). */
const PARKED_CONNECTIONS_MAX = 16_384;

/**
 * A TCP connection retired for idleness before it closed, kept so that it goes on where it
 * was if it resumes: tcpdump and tshark keep a connection's state for the whole capture.
 */
interface IdleConnection {
  readonly analysis: ParkedConnection;
  readonly stream: number;
  /** Each endpoint's first sequence number (-1: none), the lower endpoint's first. */
  readonly lowBaseSeq: number;
  readonly highBaseSeq: number;
  readonly initialRtt: number;
}

/** The limits with every default filled in; only the export may be absent. */
type Limits = Required<Omit<FlowLimits, "export">> & Pick<FlowLimits, "export">;

const DEFAULTS: Limits = {
  summary: true,
  analysis: true,
  streams: false,
  activeTimeout: 60,
  interfaceIndex: 0,
  idleTimeout: 300,
  maxFlows: 100_000,
  maxRetired: 100_000,
  maxHosts: 100_000,
};

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
  readonly #limits: Limits;
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
  /** Per flow id: its TCP or UDP stream number (-1 until it has a segment or datagram). */
  #stream = new Float64Array(INITIAL_IDS);
  /**
   * Per flow id, two: the first sequence number seen A to B, then B to A (-1 until seen): a
   * SYN with another number starts a new connection on the same ports, as in tshark.
   */
  #baseSeq = new Float64Array(2 * INITIAL_IDS);
  #tcpStreams = 0;
  #udpStreams = 0;
  /**
   * With export, per flow id: the frames and bytes each way already exported (four), when the
   * last record was made, and the TCP flags seen each way since (two).
   */
  #exported = new Float64Array(4 * INITIAL_IDS);
  #exportedAt = new Float64Array(INITIAL_IDS);
  #exportFlags = new Float64Array(2 * INITIAL_IDS);
  /** With export, per flow id: the first packet's IP class of service, and VLAN id (or -1). */
  #flowClass = new Float64Array(INITIAL_IDS);
  #flowVlan = new Float64Array(INITIAL_IDS);
  /** With export, per flow id: the interface its first packet came in on (0: unknown). */
  #flowInterface = new Float64Array(INITIAL_IDS);
  /** With export, per flow id, two: each way's first ICMP type × 256 + code, or -1. */
  #icmpTypeCode = new Float64Array(2 * INITIAL_IDS);
  /** What `export` is handed besides the conversation: reused, one object for every record. */
  readonly #extras: FlowRecordExtras = {
    tcpFlagsAtoB: 0,
    tcpFlagsBtoA: 0,
    classOfService: 0,
    vlan: -1,
    icmpAtoB: -1,
    icmpBtoA: -1,
    interfaceIndex: 0,
  };
  /** The one-conversation list a record is handed over in. */
  readonly #record = new ConversationList(1);
  /**
   * tshark's `tcp.stream` and `udp.stream` of the packet `observe` saw last (the innermost
   * of a tunnel's), or -1; numbered with the `streams` limit only. A conversation is numbered
   * from 0 in the order of its first segment or datagram; a SYN with a new sequence number on
   * the ports of an earlier connection starts a new one (tshark's "port numbers reused").
   */
  tcpStream = -1;
  udpStream = -1;

  /** Whether the peer's SYN was seen, for the last analysed segment (see `TcpAnalyser`). */
  get peerIsnSeen(): boolean {
    return this.#analyser.peerIsnSeen;
  }
  /** Per flow id, two: the TCP analysis state of A to B, then of B to A. */
  readonly #analyser = new TcpAnalyser();
  readonly #freeIds: number[] = [];
  #nextId = 0;
  #serials = 0;
  readonly #retired = new ConversationList();
  readonly #layers = new LayerCounter();
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
  /** TCP connections retired for idleness and not closed, by their key's words. */
  readonly #parked = new Map<string, IdleConnection>();

  constructor(limits: FlowLimits = {}) {
    this.#limits = { ...DEFAULTS, ...limits };
    this.#limits.maxFlows = Math.min(this.#limits.maxFlows, MAX_FLOW_ID + 1);
    this.#sweepInterval = Math.max(1, this.#limits.idleTimeout / 10);
  }

  /**
   * Counts the packet and, for TCP, analyses it. Returns the TCP analysis (a fresh object;
   * with `analysis: "numbers"` one object, refilled by the next segment), or `undefined` for
   * anything else. `ports` are those of a datagram this fragment completed.
   */
  observe(
    packet: Packet,
    header: FrameHeader,
    ports?: { srcPort: number; dstPort: number },
  ): TcpAnalysis | undefined {
    const time = frameSeconds(header);
    const bytes = header.len;
    const summary = this.#limits.summary;
    this.tcpStream = -1;
    this.udpStream = -1;
    if (time - this.#lastSweep >= this.#sweepInterval) this.#sweep(time);
    if (summary) {
      this.#frames++;
      this.#bytes += bytes;
      if (Number.isNaN(this.#firstTime)) this.#firstTime = time;
      this.#end = time;
      this.#layers.count(packet, bytes);
    }
    const analysis = this.#observeIp(packet, time, bytes, summary, ports);
    if (packet.inner === undefined) return analysis;
    // A tunnel's packet counts in its own conversations too, as each IP header does in
    // tshark's conversation tables; the TCP analysis is the innermost segment's.
    let innermost = analysis;
    for (let inner: Packet | undefined = packet.inner; inner !== undefined; inner = inner.inner) {
      innermost = this.#observeIp(inner, time, bytes, summary, undefined) ?? innermost;
    }
    return innermost;
  }

  /** Counts one IP header's conversation and, for TCP, analyses the segment. */
  #observeIp(
    packet: Packet,
    time: number,
    bytes: number,
    summary: boolean,
    ports: { srcPort: number; dstPort: number } | undefined,
  ): TcpAnalysis | undefined {
    // Without a summary only TCP connections are followed (and UDP ones, to number them).
    if (
      !summary && packet.tcp === undefined &&
      !(this.#limits.streams && packet.udp !== undefined) && this.#limits.export === undefined
    ) return undefined;
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
      // Under AH the conversation is the protocol AH protects, as IPv6's chain gives it.
      const ah = packet.ah;
      protocol = ah !== undefined && ah.complete ? ah.nextHeader : ip4.protocol;
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
    let created = false;
    if (row < 0) {
      row = this.#create(table, key, srcIsLow, time);
      created = true;
      // A connection that went quiet goes on where it was, unless this SYN opens a new one
      // (which the quiet one's state must not outlive).
      const tcp = packet.tcp;
      if (this.#parked.size > 0 && protocol === IPPROTO_TCP && tcp !== undefined) {
        if ((tcp.flagBits & TCP_SYN) === 0) this.#resume(table, row, key, srcIsLow);
        else this.#parked.delete(key.join());
      }
    } else if (
      packet.tcp !== undefined && transport === packet.tcp &&
      this.#portsReused(table, row, srcIsLow, packet.tcp)
    ) {
      this.#remove(table.idAt(row), FLOW_END_DETECTED);
      row = this.#create(table, key, srcIsLow, time);
      created = true;
    }
    if (created && this.#limits.export !== undefined) {
      // What a flow record carries of the first packet: its class of service and VLAN.
      const id = table.idAt(row);
      this.#flowClass[id] = ip4 !== undefined ? ip4.tos : ip6!.trafficClass;
      this.#flowVlan[id] = packet.vlanCount > 0 ? packet.vlanTags[0].id : -1;
      this.#icmpTypeCode[2 * id] = -1;
      this.#icmpTypeCode[2 * id + 1] = -1;
      const sll = packet.sll;
      this.#flowInterface[id] = sll !== undefined && sll.version === 2
        ? sll.interfaceIndex
        : this.#limits.interfaceIndex;
    }
    const words = table.words;
    const numbers = table.numbers;
    const stateAt = row + table.stateWord;
    const forward = srcIsLow === ((words[stateAt] & FLOW_A_IS_LOW) !== 0);
    const at = table.numberIndex(row);
    if (forward) {
      numbers[at + FLOW_FRAMES_A_TO_B]++;
      numbers[at + FLOW_BYTES_A_TO_B] += bytes;
    } else {
      numbers[at + FLOW_FRAMES_B_TO_A]++;
      numbers[at + FLOW_BYTES_B_TO_A] += bytes;
    }
    numbers[at + FLOW_END] = time;
    const icmp = packet.icmp;
    if (icmp !== undefined && this.#limits.export !== undefined) {
      // A flow record carries each way's first ICMP type and code (icmpTypeCodeIPv4/IPv6).
      const side = 2 * table.idAt(row) + (forward ? 0 : 1);
      if (this.#icmpTypeCode[side] < 0) this.#icmpTypeCode[side] = icmp.type * 256 + icmp.code;
    }
    const tcp = packet.tcp;
    const id = table.idAt(row);
    // tshark numbers a stream at its first datagram whose transport it dissects (not in a
    // fragment it keeps to reassemble).
    if (
      this.#limits.streams && transport !== undefined && !(fragment && packet.heldForReassembly)
    ) {
      if (this.#stream[id] < 0) {
        this.#stream[id] = transport === tcp ? this.#tcpStreams++ : this.#udpStreams++;
      }
      if (transport === tcp) this.tcpStream = this.#stream[id];
      else this.udpStream = this.#stream[id];
    }
    if (tcp === undefined || tcp.truncated || fragment) return undefined;
    const baseAt = 2 * id + (forward ? 0 : 1);
    const baseKept = forward ? FLOW_BASE_A_TO_B : FLOW_BASE_B_TO_A;
    if ((words[stateAt] & baseKept) === 0) {
      words[stateAt] |= baseKept;
      this.#baseSeq[baseAt] = tcp.seq;
    }
    if (this.#limits.export !== undefined) this.#exportFlags[baseAt] |= tcp.flagBits;
    this.#trackConnection(words, stateAt, id, tcp.flagBits, time);
    const analysis = this.#limits.analysis;
    if (!analysis) return undefined;
    if (analysis === "numbers") return this.#analyser.numbers(id, forward, tcp);
    return this.#analyser.analyse(id, forward, tcp, time, this.#initialRtt[id]);
  }

  /**
   * Whether the TCP segment at hand, on the flow at `row`, is a SYN that opens a new
   * connection on an old one's ports: its sender's first sequence number is known and this
   * SYN's differs (tshark's test for "port numbers reused").
   */
  #portsReused(table: FlowTable, row: number, srcIsLow: boolean, tcp: TcpHeader): boolean {
    if ((tcp.flagBits & (TCP_SYN | TCP_ACK)) !== TCP_SYN || tcp.truncated) return false;
    const forward = srcIsLow === ((table.words[row + table.stateWord] & FLOW_A_IS_LOW) !== 0);
    const base = this.#baseSeq[2 * table.idAt(row) + (forward ? 0 : 1)];
    return base >= 0 && base !== tcp.seq;
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
    this.#stream[id] = -1;
    this.#baseSeq[2 * id] = -1;
    this.#baseSeq[2 * id + 1] = -1;
    if (this.#limits.export !== undefined) {
      this.#exported.fill(0, 4 * id, 4 * id + 4);
      this.#exportedAt[id] = time;
      this.#exportFlags[2 * id] = 0;
      this.#exportFlags[2 * id + 1] = 0;
    }
    this.#order.push(id, serial);
    const row = table.insert(key, id);
    if (srcIsLow) table.words[row + table.stateWord] |= FLOW_A_IS_LOW;
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
      this.#stream = grown(this.#stream, length);
      this.#baseSeq = grown(this.#baseSeq, 2 * length);
      this.#exported = grown(this.#exported, 4 * length);
      this.#exportedAt = grown(this.#exportedAt, length);
      this.#exportFlags = grown(this.#exportFlags, 2 * length);
      this.#flowClass = grown(this.#flowClass, length);
      this.#flowVlan = grown(this.#flowVlan, length);
      this.#icmpTypeCode = grown(this.#icmpTypeCode, 2 * length);
      this.#flowInterface = grown(this.#flowInterface, length);
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
      state |= FLOW_SAW_SYN;
      this.#synTime[id] = time;
    } else if (syn && ackFlag && (state & FLOW_SAW_SYN) !== 0) {
      state |= FLOW_SAW_SYN_ACK;
    } else if (ackFlag && (state & FLOW_SAW_SYN_ACK) !== 0 && (state & FLOW_SAW_HANDSHAKE) === 0) {
      state |= FLOW_SAW_HANDSHAKE;
      this.#initialRtt[id] = time - this.#synTime[id];
    }
    if (flags & TCP_FIN) state |= FLOW_SAW_FIN;
    if (flags & TCP_RST) state |= FLOW_SAW_RST;
    words[stateAt] = state;
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
    const exporting = this.#limits.export !== undefined;
    for (const id of this.#activeIds()) {
      if (now - this.#endOf(id) >= this.#limits.idleTimeout) idle.push(id);
      else if (exporting && now - this.#exportedAt[id] >= this.#limits.activeTimeout) {
        this.#exportRecord(id, FLOW_END_ACTIVE, now);
      }
    }
    for (const id of idle) this.#remove(id, FLOW_END_IDLE);
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
      this.#remove(id, FLOW_END_LACK_OF_RESOURCES);
      break;
    }
    this.#compactOrder();
  }

  #remove(id: number, reason: number): void {
    if (reason === FLOW_END_IDLE) this.#park(id);
    if (this.#limits.export !== undefined) {
      // A flow that ended in a FIN or RST ended as the protocol says, whatever retired it.
      const table = this.#tableOf(id);
      const state = table.words[table.rowOf(id) + table.stateWord];
      const closed = (state & (FLOW_SAW_FIN | FLOW_SAW_RST)) !== 0;
      this.#exportRecord(id, closed && reason === FLOW_END_IDLE ? FLOW_END_DETECTED : reason);
    }
    if (this.#limits.summary) this.#countHosts(id, this.#hosts4, this.#hosts6);
    this.#retire(id);
    this.#tableOf(id).remove(id);
    this.#serial[id] = -1;
    this.#analyser.forget(id);
    this.#freeIds.push(id);
  }

  /** Keeps a TCP connection that went idle before it closed, to be resumed. */
  #park(id: number): void {
    const table = this.#tableOf(id);
    const row = table.rowOf(id);
    const words = table.words;
    if (words[row] !== IPPROTO_TCP) return;
    const state = words[row + table.stateWord];
    if ((state & (FLOW_SAW_FIN | FLOW_SAW_RST)) !== 0) return;
    const aIsLow = (state & FLOW_A_IS_LOW) !== 0;
    const aBase = this.#baseSeq[2 * id];
    const bBase = this.#baseSeq[2 * id + 1];
    const parked = this.#parked;
    if (parked.size >= PARKED_CONNECTIONS_MAX) parked.delete(parked.keys().next().value!);
    parked.set(words.subarray(row, row + table.keyWords).join(), {
      analysis: this.#analyser.park(id, aIsLow),
      stream: this.#stream[id],
      lowBaseSeq: aIsLow ? aBase : bBase,
      highBaseSeq: aIsLow ? bBase : aBase,
      initialRtt: this.#initialRtt[id],
    });
  }

  /** Goes on with a parked connection, if there is one under `key`, as the flow at `row`. */
  #resume(table: FlowTable, row: number, key: Uint32Array, aIsLow: boolean): void {
    const name = key.join();
    const connection = this.#parked.get(name);
    if (connection === undefined) return;
    this.#parked.delete(name);
    const id = table.idAt(row);
    this.#analyser.resume(id, connection.analysis, aIsLow);
    this.#stream[id] = connection.stream;
    this.#initialRtt[id] = connection.initialRtt;
    const aBase = aIsLow ? connection.lowBaseSeq : connection.highBaseSeq;
    const bBase = aIsLow ? connection.highBaseSeq : connection.lowBaseSeq;
    this.#baseSeq[2 * id] = aBase;
    this.#baseSeq[2 * id + 1] = bBase;
    const stateAt = row + table.stateWord;
    if (aBase >= 0) table.words[stateAt] |= FLOW_BASE_A_TO_B;
    if (bBase >= 0) table.words[stateAt] |= FLOW_BASE_B_TO_A;
  }

  /**
   * Hands the flow's record (what it carried since its last one) to the export; with `now`,
   * the flow goes on and its next record starts there (an active timeout).
   */
  #exportRecord(id: number, reason: number, now?: number): void {
    const record = this.#record;
    record.length = 0;
    this.#appendConversation(record, id);
    const figures = record.numbers;
    const sent = this.#exported;
    const at = 4 * id;
    const deltas = [
      figures[FRAMES_A_TO_B] - sent[at],
      figures[BYTES_A_TO_B] - sent[at + 1],
      figures[FRAMES_B_TO_A] - sent[at + 2],
      figures[BYTES_B_TO_A] - sent[at + 3],
    ];
    if (deltas[0] + deltas[2] === 0) return; // nothing since the last record
    sent[at] = figures[FRAMES_A_TO_B];
    sent[at + 1] = figures[BYTES_A_TO_B];
    sent[at + 2] = figures[FRAMES_B_TO_A];
    sent[at + 3] = figures[BYTES_B_TO_A];
    figures[FRAMES_A_TO_B] = deltas[0];
    figures[BYTES_A_TO_B] = deltas[1];
    figures[FRAMES_B_TO_A] = deltas[2];
    figures[BYTES_B_TO_A] = deltas[3];
    figures[START] = Math.max(figures[START], this.#exportedAt[id]);
    const flags = this.#exportFlags;
    const extras = this.#extras;
    extras.tcpFlagsAtoB = flags[2 * id];
    extras.tcpFlagsBtoA = flags[2 * id + 1];
    extras.classOfService = this.#flowClass[id];
    extras.vlan = this.#flowVlan[id];
    extras.icmpAtoB = this.#icmpTypeCode[2 * id];
    extras.icmpBtoA = this.#icmpTypeCode[2 * id + 1];
    extras.interfaceIndex = this.#flowInterface[id];
    this.#limits.export!(record, 0, reason, extras);
    flags[2 * id] = 0;
    flags[2 * id + 1] = 0;
    if (now !== undefined) this.#exportedAt[id] = now;
  }

  /**
   * Runs the idle and active timeouts at `now` (seconds) when they are due, though no packet
   * came: a live capture's quiet moments end idle flows too.
   */
  expire(now: number): void {
    if (now - this.#lastSweep >= this.#sweepInterval) this.#sweep(now);
  }

  /** Exports every flow still open (at the end of a run: IPFIX's forced end). */
  flushExport(): void {
    if (this.#limits.export === undefined) return;
    for (const id of this.#activeIds()) this.#exportRecord(id, FLOW_END_FORCED, Infinity);
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
    list.states[at] = ((state & FLOW_SAW_HANDSHAKE) !== 0 ? CONVERSATION_HANDSHAKE_SEEN : 0) |
      ((state & FLOW_SAW_FIN) !== 0 ? CONVERSATION_FIN_SEEN : 0) |
      ((state & FLOW_SAW_RST) !== 0 ? CONVERSATION_RST_SEEN : 0);
    // The key holds the lower endpoint first: address words, then port.
    const low = row + 1;
    const high = low + width + 1;
    const aIsLow = (state & FLOW_A_IS_LOW) !== 0;
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
      hierarchy: this.#layers.hierarchy(),
      conversations: this.conversationList(),
      talkers,
      evicted: { ...this.#evicted },
    };
  }
}
