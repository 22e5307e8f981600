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

import { formatIpv6, type Packet, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from "../decode/mod.ts";
import { type FrameHeader, frameSeconds } from "../output/timestamp.ts";

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

/** One endpoint of a conversation. */
export interface Endpoint {
  address: string;
  port: number | null;
}

/** A conversation's figures. */
export interface Conversation {
  /** `tcp`, `udp`, `icmp`, `icmpv6`, or `ip-N`. */
  protocol: string;
  /** The endpoint that sent the first packet seen. */
  a: Endpoint;
  b: Endpoint;
  framesAtoB: number;
  bytesAtoB: number;
  framesBtoA: number;
  bytesBtoA: number;
  /** Capture time of the first and last packet, in seconds. */
  start: number;
  end: number;
  /** TCP only: the handshake was seen; the connection was closed by FIN or RST. */
  tcp?: { handshake: boolean; fin: boolean; rst: boolean };
}

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

/** Limits that keep memory flat. */
export interface FlowLimits {
  /** Flows idle for longer (capture time, seconds) are retired; default 300. */
  idleTimeout?: number;
  /** Most flows tracked at once; default 100,000. */
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

interface Flow {
  conversation: Conversation;
  /** The A endpoint's key, to tell a packet's direction. */
  forward: string | number;
  /** Where the flow is filed in the index. */
  key: FlowKey;
  ab?: Direction;
  ba?: Direction;
  synSeen: boolean;
  synAckSeen: boolean;
  handshakeAckSeen: boolean;
  /** Initial round-trip time from the handshake, seconds; 0 until known. */
  initialRtt: number;
  synTime: number;
  /** Set once the flow left the index (retired or evicted). */
  removed?: true;
}

/** A flow's place in the index: numbers for IPv4, a short binary string for IPv6 (no text per packet). */
export type FlowKey = { protocol: number; low: number; high: number } | string;

/**
 * Flows by endpoints. IPv4 endpoints are numbers (address × 65536 + port, exact below 2^53)
 * in maps nested by protocol, lower and higher endpoint: finding a flow builds no string.
 */
/** The text of an IPv6 address from its map key (`Ipv6Header.srcKey`). */
function ipv6KeyText(key: string): string {
  const view = new DataView(new ArrayBuffer(16));
  for (let i = 0; i < 8; i++) view.setUint16(2 * i, key.charCodeAt(i));
  return formatIpv6(view, 0);
}

/** Mixes an endpoint number (below 2^48) into 32 bits. */
function mix(value: number): number {
  const low = value % 4294967296 | 0;
  const high = (value / 4294967296) | 0;
  return Math.imul(low ^ Math.imul(high, 0x85ebca6b), 0x9e3779b1);
}

/**
 * Flows by endpoints (exported for its tests). IPv4 flows live in an open-addressing table
 * keyed by numbers; others in a map keyed by string.
 */
export class FlowIndex<T extends { key: FlowKey } = Flow> {
  // IPv4 flows in an open-addressing table (linear probing, backward-shift deletion): the
  // keys are plain numbers in typed arrays, so a lookup hashes and allocates nothing.
  #lows: Float64Array;
  #highs: Float64Array;
  #protocols: Uint8Array;
  #flows: (T | undefined)[];
  #mask: number;
  #count = 0;
  readonly #other = new Map<string, T>();
  /** How many flows are filed. */
  size = 0;

  /** An empty index with room for `capacity` IPv4 flows (a power of two) before it grows. */
  constructor(capacity = 1024) {
    this.#lows = new Float64Array(capacity);
    this.#highs = new Float64Array(capacity);
    this.#protocols = new Uint8Array(capacity);
    this.#flows = new Array(capacity);
    this.#mask = capacity - 1;
  }

  #slot(protocol: number, low: number, high: number): number {
    return (mix(low) ^ Math.imul(mix(high), 31) ^ protocol) & this.#mask;
  }

  /** The flow filed under `key`. */
  get(key: FlowKey): T | undefined {
    if (typeof key === "string") return this.#other.get(key);
    return this.getV4(key.protocol, key.low, key.high);
  }

  /** The IPv4 flow of a protocol and its lower and higher endpoint numbers. */
  getV4(protocol: number, low: number, high: number): T | undefined {
    const flows = this.#flows;
    for (let i = this.#slot(protocol, low, high);; i = (i + 1) & this.#mask) {
      const flow = flows[i];
      if (flow === undefined) return undefined;
      if (this.#lows[i] === low && this.#highs[i] === high && this.#protocols[i] === protocol) {
        return flow;
      }
    }
  }

  /** Files a flow (its key must not be filed already). */
  set(key: FlowKey, flow: T): void {
    this.size++;
    if (typeof key === "string") {
      this.#other.set(key, flow);
      return;
    }
    if ((this.#count + 1) * 2 > this.#flows.length) this.#grow();
    this.#insert(key.protocol, key.low, key.high, flow);
    this.#count++;
  }

  #insert(protocol: number, low: number, high: number, flow: T): void {
    let i = this.#slot(protocol, low, high);
    while (this.#flows[i] !== undefined) i = (i + 1) & this.#mask;
    this.#lows[i] = low;
    this.#highs[i] = high;
    this.#protocols[i] = protocol;
    this.#flows[i] = flow;
  }

  #grow(): void {
    const flows = this.#flows;
    const lows = this.#lows;
    const highs = this.#highs;
    const protocols = this.#protocols;
    const capacity = flows.length * 2;
    this.#lows = new Float64Array(capacity);
    this.#highs = new Float64Array(capacity);
    this.#protocols = new Uint8Array(capacity);
    this.#flows = new Array(capacity);
    this.#mask = capacity - 1;
    for (let i = 0; i < flows.length; i++) {
      const flow = flows[i];
      if (flow !== undefined) this.#insert(protocols[i], lows[i], highs[i], flow);
    }
  }

  /** Removes the flow filed under `key`, if any. */
  delete(key: FlowKey): void {
    if (typeof key === "string") {
      if (this.#other.delete(key)) this.size--;
      return;
    }
    const mask = this.#mask;
    let i = this.#slot(key.protocol, key.low, key.high);
    for (;; i = (i + 1) & mask) {
      if (this.#flows[i] === undefined) return;
      if (
        this.#lows[i] === key.low && this.#highs[i] === key.high &&
        this.#protocols[i] === key.protocol
      ) break;
    }
    this.size--;
    this.#count--;
    // Backward-shift: move later entries of the probe run into the hole, so no tombstones.
    for (let hole = i, j = (i + 1) & mask;; j = (j + 1) & mask) {
      const flow = this.#flows[j];
      if (flow === undefined) {
        this.#flows[hole] = undefined;
        return;
      }
      const home = this.#slot(this.#protocols[j], this.#lows[j], this.#highs[j]);
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (between) continue;
      this.#lows[hole] = this.#lows[j];
      this.#highs[hole] = this.#highs[j];
      this.#protocols[hole] = this.#protocols[j];
      this.#flows[hole] = flow;
      hole = j;
    }
  }

  /** Every flow filed. */
  *values(): Generator<T> {
    for (const flow of this.#flows) if (flow !== undefined) yield flow;
    yield* this.#other.values();
  }
}

const DEFAULTS: Required<FlowLimits> = {
  summary: true,
  idleTimeout: 300,
  maxFlows: 100_000,
  maxRetired: 100_000,
  maxHosts: 100_000,
};

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

/** The layers the hierarchy counts, by the names the summary gives them. */
const LAYERS = [
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
] as const;
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

/** A copy of a conversation that later packets will not change (keys in the same order). */
function copyConversation(conversation: Conversation): Conversation {
  const copy = { ...conversation, a: { ...conversation.a }, b: { ...conversation.b } };
  if (conversation.tcp !== undefined) copy.tcp = { ...conversation.tcp };
  return copy;
}

function protocolName(protocol: number): string {
  return protocol === 6
    ? "tcp"
    : protocol === 17
    ? "udp"
    : protocol === 1
    ? "icmp"
    : protocol === 58
    ? "icmpv6"
    : `ip-${protocol}`;
}

/** Tracks flows across packets; feed it every packet in capture order. */
export class FlowTracker {
  readonly #limits: Required<FlowLimits>;
  readonly #flows = new FlowIndex<Flow>();
  readonly #retired: Conversation[] = [];
  /** Frames and bytes per layer (indexed as `LAYERS`), and the layers in order first seen. */
  readonly #layerFrames = new Float64Array(LAYERS.length);
  readonly #layerBytes = new Float64Array(LAYERS.length);
  readonly #layerOrder: number[] = [];
  readonly #hosts = new Map<string | number, { frames: number; bytes: number }>();
  #frames = 0;
  #bytes = 0;
  #start = Number.NaN;
  #end = 0;
  #evicted = { flows: 0, frames: 0, bytes: 0 };
  #lastSweep = 0;
  /** Flows in creation order, for eviction (a queue: `#head` is its front). */
  #order: Flow[] = [];
  #head = 0;

  constructor(limits: FlowLimits = {}) {
    this.#limits = { ...DEFAULTS, ...limits };
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
      if (Number.isNaN(this.#start)) this.#start = time;
      this.#end = time;
      this.#countLayers(packet, bytes);
    } else if (packet.tcp === undefined) {
      return undefined; // only TCP connections are followed then
    }

    const ip4 = packet.ipv4;
    const ip6 = packet.ipv6;
    if (ip4 === undefined && ip6 === undefined) return undefined;
    const protocol = ip4 !== undefined ? ip4.protocol : ip6!.protocol;
    // As tshark without reassembly: a first fragment counts with its ports, a later one
    // (no transport header) in its hosts' conversation without ports, unless it completed a
    // reassembled datagram (`ports`).
    const laterFragment = (ip4?.fragOffset ?? 0) !== 0 || (ip6?.fragment?.offset ?? 0) !== 0;
    const fragment = (ip4?.isFragment ?? false) ||
      (ip6 !== undefined && ip6.fragmentHeaderOffset >= 0);
    const transport = laterFragment ? ports : packet.tcp ?? packet.udp;
    const srcPort = transport ? transport.srcPort : null;
    const dstPort = transport ? transport.dstPort : null;
    if (summary) {
      // Hosts by number (IPv4) or by the address's groups as a short string (IPv6); both
      // are formatted once, for the summary.
      const src = ip4 !== undefined ? ip4.srcNumber : ip6!.srcKey;
      const dst = ip4 !== undefined ? ip4.dstNumber : ip6!.dstKey;
      this.#countHost(src, bytes);
      if (dst !== src) this.#countHost(dst, bytes); // a packet to itself counts once
    }

    let from: string | number;
    let key: FlowKey;
    let flow: Flow | undefined;
    if (ip4 !== undefined) {
      // No port: 65536, outside any real port.
      from = ip4.srcNumber * 65536 + (srcPort ?? 65535 + 1);
      const to = ip4.dstNumber * 65536 + (dstPort ?? 65535 + 1);
      const low = from < to ? from : to;
      const high = from < to ? to : from;
      flow = this.#flows.getV4(protocol, low, high);
      key = flow?.key ?? { protocol, low, high };
    } else {
      // Eight code units of address, then the port (or 65535 with a marker for none).
      from = ip6!.srcKey + String.fromCharCode(srcPort ?? 65535, srcPort === null ? 1 : 0);
      const to = ip6!.dstKey + String.fromCharCode(dstPort ?? 65535, dstPort === null ? 1 : 0);
      key = from < to
        ? String.fromCharCode(protocol) + from + to
        : String.fromCharCode(protocol) + to + from;
      flow = this.#flows.get(key);
    }
    if (flow === undefined) {
      const ip = (ip4 ?? ip6)!;
      const name = protocolName(protocol);
      flow = {
        conversation: {
          protocol: name,
          a: { address: ip.src, port: srcPort },
          b: { address: ip.dst, port: dstPort },
          framesAtoB: 0,
          bytesAtoB: 0,
          framesBtoA: 0,
          bytesBtoA: 0,
          start: time,
          end: time,
        },
        forward: from,
        key,
        synSeen: false,
        synAckSeen: false,
        handshakeAckSeen: false,
        initialRtt: 0,
        synTime: 0,
      };
      if (name === "tcp") flow.conversation.tcp = { handshake: false, fin: false, rst: false };
      if (this.#flows.size >= this.#limits.maxFlows) this.#evictOldest(time);
      this.#flows.set(key, flow);
      this.#order.push(flow);
    }
    const conversation = flow.conversation;
    const forward = from === flow.forward;
    if (forward) {
      conversation.framesAtoB++;
      conversation.bytesAtoB += bytes;
    } else {
      conversation.framesBtoA++;
      conversation.bytesBtoA += bytes;
    }
    conversation.end = time;
    const tcp = packet.tcp;
    if (tcp === undefined || tcp.truncated || fragment) return undefined;
    return this.#analyse(flow, forward, packet, time);
  }

  #analyse(flow: Flow, forward: boolean, packet: Packet, time: number): TcpAnalysis {
    const tcp = packet.tcp!;
    const flags = tcp.flagBits;
    const syn = (flags & TCP_SYN) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const ackFlag = (flags & TCP_ACK) !== 0;
    const state = flow.conversation.tcp!;
    const mine = forward ? (flow.ab ??= newDirection()) : (flow.ba ??= newDirection());
    const other = forward ? (flow.ba ??= newDirection()) : (flow.ab ??= newDirection());

    // Handshake and close.
    if (syn && !ackFlag) {
      flow.synSeen = true;
      flow.synTime = time;
    } else if (syn && ackFlag && flow.synSeen) {
      flow.synAckSeen = true;
    } else if (ackFlag && flow.synAckSeen && !flow.handshakeAckSeen) {
      flow.handshakeAckSeen = true;
      state.handshake = true;
      flow.initialRtt = time - flow.synTime;
    }
    if (fin) state.fin = true;
    if (rst) state.rst = true;

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
        const threshold = flow.initialRtt > 0 ? flow.initialRtt : OUT_OF_ORDER_THRESHOLD;
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

  #countLayers(packet: Packet, bytes: number): void {
    if (packet.eth) this.#count(LAYER_ETH, bytes);
    if (packet.sll) this.#count(LAYER_SLL, bytes);
    if (packet.vlanCount > 0) this.#count(LAYER_VLAN, bytes);
    if (packet.ipv4) this.#count(LAYER_IPV4, bytes);
    if (packet.ipv6) this.#count(LAYER_IPV6, bytes);
    if (packet.arp) this.#count(LAYER_ARP, bytes);
    if (packet.tcp) this.#count(LAYER_TCP, bytes);
    if (packet.udp) this.#count(LAYER_UDP, bytes);
    if (packet.icmp) this.#count(packet.icmp.version === 4 ? LAYER_ICMP : LAYER_ICMPV6, bytes);
    if (packet.dns) this.#count(LAYER_DNS, bytes);
    if (!packet.ipv4 && !packet.ipv6 && !packet.arp) this.#count(LAYER_OTHER, bytes);
  }

  #count(layer: number, bytes: number): void {
    if (this.#layerFrames[layer]++ === 0) this.#layerOrder.push(layer);
    this.#layerBytes[layer] += bytes;
  }

  /** The per-layer counts, layers in the order they were first seen. */
  #hierarchy(): ProtocolHierarchy {
    const hierarchy: ProtocolHierarchy = {};
    for (const layer of this.#layerOrder) {
      hierarchy[LAYERS[layer]] = {
        frames: this.#layerFrames[layer],
        bytes: this.#layerBytes[layer],
      };
    }
    return hierarchy;
  }

  #countHost(address: string | number, bytes: number): void {
    let host = this.#hosts.get(address);
    if (host === undefined) {
      if (this.#hosts.size >= this.#limits.maxHosts) return;
      host = { frames: 0, bytes: 0 };
      this.#hosts.set(address, host);
    }
    host.frames++;
    host.bytes += bytes;
  }

  /** How often idle flows are looked for: a tenth of the timeout, at least a second. */
  get #sweepInterval(): number {
    return Math.max(1, this.#limits.idleTimeout / 10);
  }

  /** Retires every flow idle for longer than the timeout. */
  #sweep(now: number): void {
    this.#lastSweep = now;
    const idle: Flow[] = [];
    for (const flow of this.#flows.values()) {
      if (now - flow.conversation.end >= this.#limits.idleTimeout) idle.push(flow);
    }
    for (const flow of idle) this.#remove(flow);
    this.#compactOrder();
  }

  /**
   * Makes room for a new flow: the oldest-created one goes, unless it was active in the last
   * second, in which case it gets a second chance at the back of the queue (a few times at
   * most, so this stays cheap).
   */
  #evictOldest(now: number): void {
    let chances = 64;
    while (this.#head < this.#order.length) {
      const flow = this.#order[this.#head++];
      if (flow.removed) continue; // already retired by a sweep
      if (chances-- > 0 && now - flow.conversation.end < 1) {
        this.#order.push(flow);
        continue;
      }
      this.#remove(flow);
      break;
    }
    this.#compactOrder();
  }

  #remove(flow: Flow): void {
    flow.removed = true;
    this.#flows.delete(flow.key);
    this.#retire(flow.conversation);
  }

  /** Drops the queue's consumed front and keys of retired flows, so it stays proportional. */
  #compactOrder(): void {
    if (this.#head > 4096 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head).filter((flow) => !flow.removed);
      this.#head = 0;
    } else if (this.#order.length - this.#head > 2 * this.#flows.size + 4096) {
      this.#order = this.#order.slice(this.#head).filter((flow) => !flow.removed);
      this.#head = 0;
    }
  }

  #retire(conversation: Conversation): void {
    if (this.#retired.length < this.#limits.maxRetired) {
      this.#retired.push(conversation);
      return;
    }
    this.#evicted.flows++;
    this.#evicted.frames += conversation.framesAtoB + conversation.framesBtoA;
    this.#evicted.bytes += conversation.bytesAtoB + conversation.bytesBtoA;
  }

  /** How many flows are being tracked now. */
  get activeFlows(): number {
    return this.#flows.size;
  }

  /** Everything `--stats` shows, as of now. */
  summary(topTalkers = 10): FlowSummary {
    const conversations = [
      ...this.#retired,
      ...Array.from(this.#flows.values(), (flow) => flow.conversation),
    ].map(copyConversation)
      .sort((x, y) => x.start - y.start);
    const talkers = Array.from(this.#hosts, ([address, host]) => ({
      address: typeof address === "number"
        ? `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`
        : ipv6KeyText(address),
      ...host,
    }))
      .sort((x, y) => y.bytes - x.bytes || x.address.localeCompare(y.address))
      .slice(0, topTalkers);
    return {
      frames: this.#frames,
      bytes: this.#bytes,
      start: Number.isNaN(this.#start) ? 0 : this.#start,
      end: this.#end,
      hierarchy: this.#hierarchy(),
      conversations,
      talkers,
      evicted: { ...this.#evicted },
    };
  }
}
