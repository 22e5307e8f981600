/**
 * Every name a display filter and `-T fields` know, by tshark's name: the fields each
 * protocol declares (`PACKET_FIELDS`, from the protocols' own tables), read in every layer of
 * a tunnelled packet; the frame's own fields; the fields tshark derives from others
 * (`ip.addr`, `tcp.port`, `tcp.flags.syn`); what following the stream adds (`tcp.stream`,
 * `tcp.seq`, `tcp.analysis.*`); and the protocols themselves (`tcp`, `dns`), which test that
 * the layer is there. Each field's type is tshark's (`FIELD_TYPES`, made from `tshark -G
 * fields` by scripts/make_field_types.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { FILTER_FIELDS } from "./fields.ts";
 * import { FilterFrame } from "./frame.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 17, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2, 0x13, 0x88, 0x00, 0x35, 0, 8, 0, 0]), LINKTYPE_RAW);
 * const frame = new FilterFrame();
 * frame.next(packet, { seconds: 0, fraction: 0, nanosecond: false, caplen: 28, len: 28 });
 * const addresses = FILTER_FIELDS.get("ip.addr")!;
 * assert.deepEqual([addresses.type, addresses.read(frame)], ["FT_IPv4", ["192.0.2.1", "198.51.100.2"]]);
 * assert.deepEqual(FILTER_FIELDS.get("udp")!.read(frame), 1);
 * ```
 * @module
 */

import { TCP_ANALYSIS_FLAGS, type TcpAnalysis } from "../analysis/tcp_analysis.ts";
import {
  type FieldValue,
  LLMNR_PORT,
  MDNS_PORT,
  type Packet,
  PACKET_FIELDS,
  type PacketField,
  TCP_ACK,
  TCP_FIELDS,
} from "../decode/mod.ts";
import { FIELD_TYPES } from "./field_types.ts";
import { type FilterFrame, NANOSECONDS } from "./frame.ts";

/** Reads one field of a frame: a value, one per occurrence, or undefined when absent. */
export type FrameField = (frame: FilterFrame) => FieldValue;

/** A field a filter may name: its type, how to read it, and what reading it needs. */
export interface FilterField {
  /** tshark's name. */
  readonly name: string;
  /** tshark's type (`FT_UINT16`, `FT_IPv4`, `FT_PROTOCOL`, …). */
  readonly type: string;
  /** tshark's display base for integers (`BASE_HEX`, `BASE_DEC`, …), or "". */
  readonly base: string;
  /** The value, one per occurrence, or undefined when the frame has none. */
  readonly read: FrameField;
  /** A protocol's bytes (header to the end of its layer), for `contains`, `matches` and slices. */
  readonly bytes?: (frame: FilterFrame) => Uint8Array | undefined;
  /** What the stream bookkeeping has to provide: TCP analysis, or stream numbers. */
  readonly needs?: "analysis" | "streams";
  /**
   * For a field made of two (`ip.addr` of `ip.src` and `ip.dst`): the two, each read alone, so
   * that a test of a frame without a tunnel reads both without making a list of them.
   */
  readonly parts?: readonly [FrameField, FrameField];
}

const fields = new Map<string, FilterField>();

function add(
  name: string,
  read: FrameField,
  extra: Partial<Pick<FilterField, "bytes" | "needs" | "parts">> = {},
): void {
  const [type, base] = FIELD_TYPES[name] ?? ["", ""];
  fields.set(name, { name, type, base, read, ...extra });
}

/** Each value of `value` (one, or one per occurrence) appended to `into`. */
function collect(into: (number | string)[], value: FieldValue): void {
  if (value === undefined) return;
  if (typeof value === "object") into.push(...value);
  else into.push(value);
}

/** One value, a list of several, or undefined for none. */
function occurrences(values: (number | string)[]): FieldValue {
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}

/**
 * What tshark dissects of a layer, and what a field needs of the layers it is read in (each
 * bit). `IP_PAYLOAD`: what the layer's IP datagram carries (not in a fragment, which tshark
 * waits to reassemble). `APPLICATION`: the protocol above TCP or UDP (not in the packet an
 * ICMP redirect quotes). `OWN`: the layer is the frame's own or a tunnel's, not a packet an
 * ICMP error quotes.
 */
const IP_PAYLOAD = 1;
const APPLICATION = 2;
const OWN = 4;
/** A layer of the frame's own that tshark dissects whole. */
const WHOLE = IP_PAYLOAD | APPLICATION | OWN;

/** Whether a layer of `flags` has what a field of `needs` needs. */
function serves(flags: number, needs: number): boolean {
  return (flags & needs) === needs;
}

/**
 * A packet field read in every layer of the packet: the outer one, then each packet a tunnel
 * carries, then the packet an ICMP error quotes, as tshark lists a field once per header that
 * has it.
 */
function inEveryLayer(read: PacketField, needs: number): FrameField {
  return (frame) => {
    const packet = frame.packet;
    if (isSingleLayer(packet)) return serves(ownFlags(packet), needs) ? read(packet) : undefined;
    const layers = layersOf(frame);
    const values: (number | string)[] = [];
    for (let i = 0; i < layers.count; i++) {
      if (serves(layers.flags[i], needs)) collect(values, read(layers.packets[i]));
    }
    return occurrences(values);
  };
}

/** Whether a frame's packet is its only layer: no tunnel, no ICMP error quoting a packet. */
export function isSingleLayer(packet: Packet): boolean {
  return packet.inner === undefined && (packet.icmp === undefined || !packet.icmp.isError);
}

/** What tshark dissects of a layer of the frame's own (or a tunnel's). */
function ownFlags(packet: Packet): number {
  return packet.heldForReassembly ? OWN : WHOLE;
}

/**
 * The layers tshark dissects in a frame, outermost first: the frame's packet, each packet a
 * tunnel carries, then the packet an ICMP error in the innermost quotes (and what that
 * carries), each with what tshark dissects of it.
 */
interface FrameLayers {
  readonly packets: Packet[];
  readonly flags: number[];
  count: number;
  /** The index of the quoted packet, or -1. */
  quoted: number;
}
const frameLayers: FrameLayers = { packets: [], flags: [], count: 0, quoted: -1 };
let layersFrame: FilterFrame | undefined;
let layersNumber = -1;

function addLayer(packet: Packet, flags: number): void {
  frameLayers.packets[frameLayers.count] = packet;
  frameLayers.flags[frameLayers.count] = flags;
  frameLayers.count++;
}

/** The frame's layers, found once per frame. */
function layersOf(frame: FilterFrame): FrameLayers {
  if (layersFrame === frame && layersNumber === frame.number) return frameLayers;
  layersFrame = frame;
  layersNumber = frame.number;
  frameLayers.count = 0;
  frameLayers.quoted = -1;
  let innermost = frame.packet;
  for (let layer: Packet | undefined = innermost; layer; layer = below(layer)) {
    addLayer(layer, ownFlags(layer));
    innermost = layer;
  }
  if (innermost.heldForReassembly) return frameLayers; // tshark dissects no ICMP in a fragment
  const quoted = frame.quotedBy(innermost);
  if (quoted === undefined) return frameLayers;
  frameLayers.quoted = frameLayers.count;
  // A quoted datagram is not reassembled: tshark dissects what a first fragment carries, but
  // not the application protocol of a packet a redirect quotes.
  let flags = laterFragment(quoted) ? 0 : IP_PAYLOAD | APPLICATION;
  if (innermost.icmp?.isRedirect) flags &= ~APPLICATION;
  addLayer(quoted, flags);
  for (let layer = below(quoted); layer; layer = below(layer)) addLayer(layer, flags);
  return frameLayers;
}

/**
 * Fields tshark does not give for the segment an ICMP error quotes: its length is that of a
 * segment cut short.
 */
const NOT_IN_QUOTED = new Set(["tcp.len"]);

/**
 * The protocols carried in an IP datagram, and what those carry (by tshark's protocol name,
 * the first part of a field's name). tshark dissects none of them in a fragment: it waits for
 * the whole datagram, where netpeek's text shows a first fragment's transport header as
 * tcpdump does. The display filter and `-T fields` follow tshark.
 */
const ABOVE_IP = new Set([
  "tcp",
  "udp",
  "icmp",
  "icmpv6",
  "igmp",
  "dns",
  "mdns",
  "llmnr",
  "http",
  "ntp",
  "syslog",
  "dhcp",
  "dhcpv6",
  "tls",
  "quic",
  "esp",
  "ah",
  "vxlan",
  "gre",
  "geneve",
  "erspan",
  "wg",
  "ssdp",
  "isakmp",
  "someip",
]);

/** The protocols of ABOVE_IP that IP carries directly, or that TCP and UDP are. */
const IP_PROTOCOLS = new Set(["tcp", "udp", "icmp", "icmpv6", "igmp", "esp", "ah", "gre"]);

/**
 * What a field or protocol needs of a layer to be read in it: `IP_PAYLOAD` for one carried in
 * an IP datagram, `APPLICATION` as well for one carried above that, `OWN` for one tshark does
 * not give for a quoted packet.
 */
function needsOf(name: string): number {
  const dot = name.indexOf(".");
  const protocol = dot < 0 ? name : name.slice(0, dot);
  let needs = 0;
  if (ABOVE_IP.has(protocol)) {
    needs |= IP_PROTOCOLS.has(protocol) ? IP_PAYLOAD : IP_PAYLOAD | APPLICATION;
  }
  if (NOT_IN_QUOTED.has(name)) needs |= OWN;
  return needs;
}

/** Whether a layer's IP datagram is a fragment other than the first. */
function laterFragment(packet: Packet): boolean {
  const ip4 = packet.ipv4;
  if (ip4 !== undefined) return ip4.fragOffset !== 0;
  const ip6 = packet.ipv6;
  return ip6 !== undefined && ip6.laterFragment;
}

/** The packet a layer's tunnel carries, unless the layer is a fragment (tshark goes no deeper). */
function below(packet: Packet): Packet | undefined {
  return packet.heldForReassembly ? undefined : packet.inner;
}

/** The frame's own fields (tshark's `frame` protocol). */
function frameText(seconds: number, nanoseconds: number): string {
  // The two parts may differ in sign (1 s less 200 ns): brought to one sign first.
  if (seconds > 0 && nanoseconds < 0) {
    seconds--;
    nanoseconds += NANOSECONDS;
  } else if (seconds < 0 && nanoseconds > 0) {
    seconds++;
    nanoseconds -= NANOSECONDS;
  }
  const sign = seconds < 0 || nanoseconds < 0 ? "-" : "";
  return `${sign}${Math.abs(seconds)}.${String(Math.abs(nanoseconds)).padStart(9, "0")}`;
}
add("frame.number", (frame) => frame.number);
add("frame.len", (frame) => frame.header.len);
add("frame.cap_len", (frame) => frame.header.caplen);
add(
  "frame.time_relative",
  (frame) => frameText(frame.relativeSeconds, frame.relativeNanoseconds),
);
add("frame.time_delta", (frame) => frameText(frame.deltaSeconds, frame.deltaNanoseconds));
add("frame.time_epoch", (frame) => {
  const header = frame.header;
  const nanoseconds = header.nanosecond ? header.fraction : header.fraction * 1000;
  return `${header.seconds}.${String(nanoseconds).padStart(9, "0")}`;
});
add("frame.comment", (frame) => frame.header.comment);

for (const [name, read] of Object.entries(PACKET_FIELDS)) {
  add(name, inEveryLayer(read, needsOf(name)));
}

/** A field made of two declared ones: `ip.addr` of `ip.src` and `ip.dst`. */
function either(name: string, first: string, second: string): void {
  const a = PACKET_FIELDS[first];
  const b = PACKET_FIELDS[second];
  const needs = needsOf(name);
  add(
    name,
    inEveryLayer((packet) => {
      const one = a(packet);
      const other = b(packet);
      if (one === undefined) return other;
      if (other === undefined) return one;
      return [one as number | string, other as number | string];
    }, needs),
    { parts: [inEveryLayer(a, needs), inEveryLayer(b, needs)] },
  );
}
/** A field made of declared ones, `parts` the high bits first, each `width` bits wide. */
function packed(name: string, parts: readonly (readonly [string, number])[]): void {
  const reads = parts.map(([part, width]) => [PACKET_FIELDS[part], width] as const);
  add(
    name,
    inEveryLayer((packet) => {
      let value = 0;
      for (const [read, width] of reads) {
        const part = read(packet);
        if (typeof part !== "number") return undefined;
        value = value * 2 ** width + part;
      }
      return value;
    }, needsOf(name)),
  );
}
// tshark's whole flags field (three bits) and DS byte.
packed("ip.flags", [["ip.flags.rb", 1], ["ip.flags.df", 1], ["ip.flags.mf", 1]]);
packed("ip.dsfield", [["ip.dsfield.dscp", 6], ["ip.dsfield.ecn", 2]]);

either("eth.addr", "eth.dst", "eth.src"); // in the header's order, as tshark lists them
either("ip.addr", "ip.src", "ip.dst");
either("ipv6.addr", "ipv6.src", "ipv6.dst");
either("tcp.port", "tcp.srcport", "tcp.dstport");
either("udp.port", "udp.srcport", "udp.dstport");

/**
 * tshark's TCP flag bits (RFC 9293 section 3.1, RFC 3168's ECE and CWR, RFC 3540's NS, now
 * AccECN's AE, and the three reserved bits above them).
 */
const TCP_FLAG_BITS: Readonly<Record<string, number>> = {
  "tcp.flags.fin": 0x001,
  "tcp.flags.syn": 0x002,
  "tcp.flags.reset": 0x004,
  "tcp.flags.push": 0x008,
  "tcp.flags.ack": 0x010,
  "tcp.flags.urg": 0x020,
  "tcp.flags.ece": 0x040,
  "tcp.flags.cwr": 0x080,
  "tcp.flags.ae": 0x100,
};
const tcpFlags = PACKET_FIELDS["tcp.flags"];
for (const [name, bit] of Object.entries(TCP_FLAG_BITS)) {
  add(
    name,
    inEveryLayer((packet) => {
      const flags = tcpFlags(packet);
      return typeof flags === "number" ? ((flags & bit) !== 0 ? 1 : 0) : undefined;
    }, IP_PAYLOAD),
  );
}
/** The reserved bits' place in tshark's 12-bit `tcp.flags`; tshark's field is a boolean. */
const TCP_RESERVED_SHIFT = 9;
add(
  "tcp.flags.res",
  inEveryLayer((packet) => {
    const flags = tcpFlags(packet);
    return typeof flags === "number" ? ((flags >>> TCP_RESERVED_SHIFT) & 0b111 ? 1 : 0) : undefined;
  }, IP_PAYLOAD),
);

/** The TCP header the analysis is of: the innermost one. */
function innermostTcp(packet: Packet) {
  let tcp = packet.tcp;
  for (let inner = packet.inner; inner !== undefined; inner = inner.inner) tcp = inner.tcp ?? tcp;
  return tcp;
}

/** What following the stream adds: TCP's analysis of the frame's (innermost) segment. */
function fromAnalysis(name: string, read: (analysis: TcpAnalysis) => number | undefined) {
  add(name, (frame) => {
    const analysis = frame.analysis;
    return analysis === undefined ? undefined : read(analysis);
  }, { needs: "analysis" });
}
/** Where a TCP header's sequence and acknowledgment numbers end (RFC 9293 section 3.1). */
const TCP_SEQUENCE_END = 8;
const TCP_ACKNOWLEDGMENT_END = 12;

/**
 * The sequence or acknowledgment number of the segment an ICMP error in the frame quotes, as
 * sent (tshark does not make a quoted segment's numbers relative), when captured.
 */
function quotedTcpNumber(frame: FilterFrame, end: number): number | undefined {
  if (isSingleLayer(frame.packet)) return undefined;
  const layers = layersOf(frame);
  const tcp = layers.quoted < 0 ? undefined : layers.packets[layers.quoted].tcp;
  if (tcp === undefined || tcp.capturedLength < end) return undefined;
  return end === TCP_SEQUENCE_END ? tcp.seq : tcp.ack;
}

/** A frame's own value followed by its quoted segment's, as tshark lists them. */
function withQuoted(own: number | undefined, quoted: number | undefined): FieldValue {
  if (quoted === undefined) return own;
  return own === undefined ? quoted : [own, quoted];
}

// tshark counts a side's numbers from its SYN, or from one before its first segment when the
// SYN was not seen (so that the first byte is 1); netpeek's analysis from the first segment.
// Without the ACK flag tshark shows the acknowledgment number as sent.
add("tcp.seq", (frame) => {
  const analysis = frame.analysis;
  const own = analysis === undefined
    ? undefined
    : (analysis.relativeSeq + (analysis.isnSeen ? 0 : 1)) >>> 0;
  return withQuoted(own, quotedTcpNumber(frame, TCP_SEQUENCE_END));
}, { needs: "analysis" });
add("tcp.ack", (frame) => {
  const analysis = frame.analysis;
  let own: number | undefined;
  if (analysis !== undefined) {
    const relative = analysis.relativeAck;
    if (relative !== null) own = (relative + (frame.peerIsnSeen ? 0 : 1)) >>> 0;
    else {
      const tcp = innermostTcp(frame.packet);
      const base = unseenPeerBase(analysis, tcp);
      own = tcp === undefined ? undefined : base === null ? tcp.ack : (tcp.ack - base) >>> 0;
    }
  }
  return withQuoted(own, quotedTcpNumber(frame, TCP_ACKNOWLEDGMENT_END));
}, { needs: "analysis" });

/**
 * The base tshark counts the other side's numbers from before that side has sent: one less
 * than the first acknowledgment of them (so that it reads 1), which is tcpdump's base for that
 * side too (`tcpdumpSackBase`, 0 while there is none). Null for a segment without ACK, whose
 * acknowledgment number tshark shows as sent.
 */
function unseenPeerBase(analysis: TcpAnalysis, tcp: { flagBits: number } | undefined) {
  if (tcp === undefined || (tcp.flagBits & TCP_ACK) === 0) return null;
  return analysis.tcpdumpSackBase === 0 ? null : analysis.tcpdumpSackBase;
}

/**
 * A SACK block's edges (`side` 0 left, 1 right) count in the other side's sequence space, so
 * tshark makes them relative as it does the acknowledgment number.
 */
function relativeSackEdges(name: "tcp.options.sack_le" | "tcp.options.sack_re") {
  const absolute = TCP_FIELDS[name];
  return (frame: FilterFrame) => {
    const analysis = frame.analysis;
    const tcp = innermostTcp(frame.packet);
    if (analysis === undefined || tcp === undefined) return undefined;
    const edges = absolute(tcp) as readonly number[] | undefined;
    if (edges === undefined) return edges;
    // Relative to the other side's first segment, or (before it has sent) to one less than the
    // first acknowledgment of it.
    const seenBase = analysis.peerBase;
    const base = seenBase ?? unseenPeerBase(analysis, tcp);
    if (base === null) return edges;
    const shift = seenBase !== null && !frame.peerIsnSeen ? 1 : 0;
    return edges.map((edge) => (edge - base + shift) >>> 0);
  };
}
add("tcp.options.sack_le", relativeSackEdges("tcp.options.sack_le"), { needs: "analysis" });
add("tcp.options.sack_re", relativeSackEdges("tcp.options.sack_re"), { needs: "analysis" });
/** tshark's name for each of the analysis' flags. */
const ANALYSIS_FIELD_NAMES: Readonly<Record<(typeof TCP_ANALYSIS_FLAGS)[number], string>> = {
  reset: "", // tshark flags no reset in tcp.analysis
  zeroWindow: "tcp.analysis.zero_window",
  keepAlive: "tcp.analysis.keep_alive",
  windowFull: "tcp.analysis.window_full",
  lostSegment: "tcp.analysis.lost_segment",
  retransmission: "tcp.analysis.retransmission",
  fastRetransmission: "tcp.analysis.fast_retransmission",
  outOfOrder: "tcp.analysis.out_of_order",
  spuriousRetransmission: "tcp.analysis.spurious_retransmission",
  windowUpdate: "tcp.analysis.window_update",
};
for (const flag of TCP_ANALYSIS_FLAGS) {
  const name = ANALYSIS_FIELD_NAMES[flag];
  if (name !== "") fromAnalysis(name, (analysis) => analysis[flag] ? 1 : undefined);
}
fromAnalysis("tcp.analysis.duplicate_ack", (analysis) => analysis.duplicateAck ? 1 : undefined);
fromAnalysis("tcp.analysis.duplicate_ack_num", (analysis) => analysis.duplicateAck);
fromAnalysis("tcp.analysis.flags", (analysis) => {
  for (const flag of TCP_ANALYSIS_FLAGS) {
    if (analysis[flag] && ANALYSIS_FIELD_NAMES[flag] !== "") return 1;
  }
  return analysis.duplicateAck ? 1 : undefined;
});
add("tcp.stream", (frame) => frame.tcpStream < 0 ? undefined : frame.tcpStream, {
  needs: "streams",
});
add("udp.stream", (frame) => frame.udpStream < 0 ? undefined : frame.udpStream, {
  needs: "streams",
});

/** A layer of a packet, as a protocol name tests it and its bytes are read. */
interface LayerView {
  readonly offset: number;
  readonly end: number;
}

/** DNS over its own ports is tshark's `mdns` and `llmnr`, not `dns`. */
function dnsPort(packet: Packet): number {
  const transport = packet.udp ?? packet.tcp;
  if (transport === undefined) return 0;
  for (const port of [MDNS_PORT, LLMNR_PORT]) {
    if (transport.srcPort === port || transport.dstPort === port) return port;
  }
  return 0;
}

/**
 * The DNS layer, or where a malformed one stopped: tshark shows the protocol for a message
 * too short to decode, as it does any dissector it called.
 */
function dnsLayer(packet: Packet): LayerView | undefined {
  if (packet.dns !== undefined) return packet.dns;
  const stop = packet.stop;
  if (stop?.layer !== "dns") return undefined;
  const transport = packet.udp ?? packet.tcp;
  if (transport === undefined) return undefined;
  return { offset: packet.frame.byteOffset + stop.offset, end: transport.end };
}

/** Each protocol's layer in a packet, by tshark's protocol name. */
const PROTOCOL_LAYERS: Readonly<Record<string, (packet: Packet) => LayerView | undefined>> = {
  eth: (packet) => packet.eth,
  sll: (packet) => packet.sll,
  null: (packet) => packet.loopback,
  vlan: (packet) => packet.vlanCount > 0 ? packet.vlanTags[0] : undefined,
  ip: (packet) => packet.ipv4,
  ipv6: (packet) => packet.ipv6,
  arp: (packet) => packet.arp,
  tcp: (packet) => packet.tcp,
  udp: (packet) => packet.udp,
  icmp: (packet) => packet.icmp?.version === 4 ? packet.icmp : undefined,
  icmpv6: (packet) => packet.icmp?.version === 6 ? packet.icmp : undefined,
  igmp: (packet) => packet.igmp,
  dns: (packet) => dnsPort(packet) === 0 ? dnsLayer(packet) : undefined,
  mdns: (packet) => dnsPort(packet) === MDNS_PORT ? dnsLayer(packet) : undefined,
  llmnr: (packet) => dnsPort(packet) === LLMNR_PORT ? dnsLayer(packet) : undefined,
  http: (packet) => packet.http,
  ntp: (packet) => packet.ntp,
  syslog: (packet) => packet.syslog,
  dhcp: (packet) => packet.dhcp,
  tls: (packet) => packet.tls,
  quic: (packet) => packet.quic,
  esp: (packet) => packet.esp,
  ah: (packet) => packet.ah,
  vxlan: (packet) => packet.vxlan,
  gre: (packet) => packet.gre,
  geneve: (packet) => packet.geneve,
  mpls: (packet) => packet.mpls,
  macsec: (packet) => packet.macsec,
  nsh: (packet) => packet.nsh,
  erspan: (packet) => packet.erspan,
  // tshark's PPPoE dissectors add pppoed (discovery) or pppoes (session), never pppoe itself;
  // netpeek's pppoe is either (docs/filters.md lists the difference).
  pppoe: (packet) => packet.pppoe,
  pppoed: (packet) => packet.pppoe?.code !== 0 ? packet.pppoe : undefined,
  pppoes: (packet) => packet.pppoe?.code === 0 ? packet.pppoe : undefined,
  ppp: (packet) => packet.ppp,
  llc: (packet) => packet.llc,
  stp: (packet) => packet.stp,
  wg: (packet) => packet.wireguard,
  dhcpv6: (packet) => packet.dhcpv6,
  isakmp: (packet) => packet.isakmp,
  someip: (packet) => packet.someip,
};

/** The bytes of a packet's whole frame. */
const frameBytes = (frame: FilterFrame) => frame.packet.frame;
add("frame", () => 1, { bytes: frameBytes });

for (const [name, layerOf] of Object.entries(PROTOCOL_LAYERS)) {
  const needs = needsOf(name);
  // The protocol's first layer tshark would dissect.
  const firstLayer = (frame: FilterFrame): LayerView | undefined => {
    const packet = frame.packet;
    if (isSingleLayer(packet)) return serves(ownFlags(packet), needs) ? layerOf(packet) : undefined;
    const layers = layersOf(frame);
    for (let i = 0; i < layers.count; i++) {
      if (!serves(layers.flags[i], needs)) continue;
      const layer = layerOf(layers.packets[i]);
      if (layer !== undefined) return layer;
    }
    return undefined;
  };
  const present = (frame: FilterFrame): FieldValue =>
    firstLayer(frame) === undefined ? undefined : 1;
  // The bytes of the first layer of the protocol, from its header to the end of the layer.
  const bytes = (frame: FilterFrame): Uint8Array | undefined => {
    const layer = firstLayer(frame);
    if (layer === undefined) return undefined;
    // Views count offsets in the whole buffer the frame lies in.
    const whole = frame.packet.frame;
    return whole.subarray(layer.offset - whole.byteOffset, layer.end - whole.byteOffset);
  };
  add(name, present, { bytes });
}

/** Every field a display filter or `-T fields` may name, by tshark's name. */
export const FILTER_FIELDS: ReadonlyMap<string, FilterField> = fields;
