/**
 * The JSON line of a packet written straight as text: the same bytes `JSON.stringify` makes
 * of `packetToJson(…)` (the tests compare the two on every fixture packet and on fuzzed
 * ones), without building an object per layer first. The common layers (Ethernet, IPv4,
 * TCP with its options, UDP, ICMP echo) are written field by field; the rarer ones go
 * through their `toJSON` and `JSON.stringify`.
 *
 * @example
 * ```ts
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { writeJsonLine } from "./json_writer.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 253, 0, 0,
 *   10, 0, 0, 1, 10, 0, 0, 2]), LINKTYPE_RAW);
 * const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 20, len: 20 };
 * console.log(JSON.parse(writeJsonLine(packet, header)).ipv4.df); // true
 * ```
 * @module
 */

import {
  type IcmpHeader,
  type Ipv4Header,
  linkTypeInfo,
  type Packet,
  TCP_ACK,
  TCP_CWR,
  TCP_ECE,
  TCP_FIN,
  TCP_NS,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  type TcpHeader,
  type UdpHeader,
} from "../decode/mod.ts";
import { packetToJson } from "./json.ts";
import type { PacketExtras } from "./text.ts";
import { type FrameHeader, isoTimestamp } from "./timestamp.ts";

const LINK_KEYS = new Map<number, string>();

function linkKey(linkType: number): string {
  let key = LINK_KEYS.get(linkType);
  if (key === undefined) {
    key = JSON.stringify(linkTypeInfo(linkType).key);
    LINK_KEYS.set(linkType, key);
  }
  return key;
}

function bool(value: boolean | null): string {
  return value === null ? "null" : value ? "true" : "false";
}

function ipv4Json(ip: Ipv4Header): string {
  const options = ip.ihl > 20 && ip.capturedLength > 20 ? JSON.stringify(ip.options) : "[]";
  return `{"version":${ip.version},"ihl":${ip.ihl},"dscp":${ip.dscp},"ecn":${ip.ecn},"length":${ip.length},"id":${ip.id},"df":${
    bool(ip.df)
  },"mf":${
    bool(ip.mf)
  },"fragOffset":${ip.fragOffset},"ttl":${ip.ttl},"protocol":${ip.protocol},"checksum":${ip.checksum},"checksumOk":${
    bool(ip.checksumOk)
  },"src":"${ip.src}","dst":"${ip.dst}","options":${options}}`;
}

function tcpFlags(bits: number): string {
  return `{"ns":${bool((bits & TCP_NS) !== 0)},"cwr":${bool((bits & TCP_CWR) !== 0)},"ece":${
    bool((bits & TCP_ECE) !== 0)
  },"urg":${bool((bits & TCP_URG) !== 0)},"ack":${bool((bits & TCP_ACK) !== 0)},"psh":${
    bool((bits & TCP_PSH) !== 0)
  },"rst":${bool((bits & TCP_RST) !== 0)},"syn":${bool((bits & TCP_SYN) !== 0)},"fin":${
    bool((bits & TCP_FIN) !== 0)
  }}`;
}

function tcpJson(tcp: TcpHeader, extras: PacketExtras): string {
  if (tcp.truncated) return `{"srcPort":${tcp.srcPort},"dstPort":${tcp.dstPort},"truncated":true}`;
  const options = tcp.dataOffset > 20 ? JSON.stringify(tcp.options) : "[]";
  const analysis = extras.analysis !== undefined
    ? `,"analysis":${JSON.stringify(extras.analysis)}`
    : "";
  return `{"srcPort":${tcp.srcPort},"dstPort":${tcp.dstPort},"seq":${tcp.seq},"ack":${tcp.ack},"dataOffset":${tcp.dataOffset},"flags":${
    tcpFlags(tcp.flagBits)
  },"window":${tcp.window},"checksum":${tcp.checksum},"checksumOk":${
    bool(tcp.checksumOk)
  },"urgent":${tcp.urgent},"payloadLength":${tcp.payloadLength},"options":${options}${analysis}}`;
}

function udpJson(udp: UdpHeader): string {
  if (udp.truncated) return `{"srcPort":${udp.srcPort},"dstPort":${udp.dstPort},"truncated":true}`;
  return `{"srcPort":${udp.srcPort},"dstPort":${udp.dstPort},"length":${udp.length},"checksum":${udp.checksum},"checksumOk":${
    bool(udp.checksumOk)
  }}`;
}

function icmpJson(icmp: IcmpHeader): string {
  // Echo messages are the common case; the rest have many optional fields.
  if (!icmp.isEcho || icmp.codeName !== null) return JSON.stringify(icmp.toJSON());
  const id = icmp.id;
  const sequence = icmp.sequence;
  return `{"type":${icmp.type},"code":${icmp.code},"typeName":"${icmp.typeName}","checksum":${icmp.checksum},"checksumOk":${
    bool(icmp.checksumOk)
  },"id":${id === null ? "null" : id},"sequence":${sequence === null ? "null" : sequence}}`;
}

/**
 * One JSON line (ending in a newline) for the packet, equal to
 * `JSON.stringify(packetToJson(packet, header, extras)) + "\n"`.
 */
export function writeJsonLine(
  packet: Packet,
  header: FrameHeader,
  extras: PacketExtras = {},
): string {
  if (extras.reassembled !== undefined || header.comment !== undefined) {
    return JSON.stringify(packetToJson(packet, header, extras)) + "\n";
  }
  let json = `{"ts":"${
    isoTimestamp(header)
  }","caplen":${header.caplen},"len":${header.len},"link":${linkKey(packet.linkType)}`;
  const eth = packet.eth;
  if (eth) json += `,"eth":{"src":"${eth.src}","dst":"${eth.dst}","type":${eth.etherType}}`;
  if (packet.sll) json += `,"sll":${JSON.stringify(packet.sll)}`;
  if (packet.loopback) json += `,"loopback":{"family":${packet.loopback.family}}`;
  if (packet.vlanCount > 0) json += `,"vlan":${JSON.stringify(packet.vlan)}`;
  if (packet.ipv4) json += `,"ipv4":${ipv4Json(packet.ipv4)}`;
  if (packet.ipv6) json += `,"ipv6":${JSON.stringify(packet.ipv6)}`;
  if (packet.arp) json += `,"arp":${JSON.stringify(packet.arp)}`;
  if (packet.tcp) json += `,"tcp":${tcpJson(packet.tcp, extras)}`;
  if (packet.udp) json += `,"udp":${udpJson(packet.udp)}`;
  if (packet.icmp) json += `,"icmp":${icmpJson(packet.icmp)}`;
  if (packet.dns) json += `,"dns":${JSON.stringify(packet.dns)}`;
  if (packet.error !== undefined) json += `,"error":${JSON.stringify(packet.error)}`;
  return json + "}\n";
}
