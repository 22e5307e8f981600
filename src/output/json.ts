/**
 * One JSON object per packet, with the stable field names documented in docs/json.md.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { packetToJson } from "./json.ts";
 * const bytes = new Uint8Array([
 *   0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
 *   8, 0, 0xf7, 0xfe, 0, 1, 0, 1,
 * ]);
 * const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 28, len: 28 };
 * const object = packetToJson(decode(bytes, LINKTYPE_RAW), header);
 * assert.deepEqual([object.ipv4?.df, object.icmp?.typeName], [true, "echo request"]);
 * ```
 * @module
 */

import {
  type AhJson,
  type AristaJson,
  type ArpJson,
  type DhcpJson,
  type Dhcpv6Json,
  type DnsJson,
  type ErspanJson,
  type EspJson,
  type GeneveJson,
  type GreJson,
  type HttpJson,
  type IcmpJson,
  type IgmpJson,
  type Ipv4Json,
  type Ipv6Json,
  type IsakmpJson,
  linkTypeInfo,
  type LlcJson,
  type MacsecJson,
  type MplsEntry,
  type NshJson,
  type NtpJson,
  type Packet,
  type PppJson,
  type PppoeJson,
  type QuicJson,
  type SomeIpJson,
  type StpJson,
  type SyslogJson,
  type SyslogUnreadJson,
  type TcpJson,
  type TlsJson,
  type TruncatedPortsJson,
  type UdpJson,
  type VxlanJson,
  type WireGuardJson,
} from "../decode/mod.ts";
import type { TcpAnalysis } from "../analysis/tcp_analysis.ts";
import type { PacketExtras } from "./packet_extras.ts";
import type { FrameHeader } from "../frame.ts";
import { isoTimestamp } from "./timestamp.ts";
import { sllJson } from "./link.ts";

/** The JSON object of one packet; the layer objects are described in docs/json.md. */
export interface PacketJson {
  /** Capture time, ISO 8601 UTC. */
  ts: string;
  /** Bytes captured. */
  caplen: number;
  /** Bytes on the wire. */
  len: number;
  /** Link type name (ethernet, linux_sll2, raw, …). */
  link: string;
  /** Ethernet header. */
  eth?: ReturnType<NonNullable<Packet["eth"]>["toJSON"]>;
  /** Linux cooked header, with the interface's name when the run knows it. */
  sll?: ReturnType<NonNullable<Packet["sll"]>["toJSON"]> & { interfaceName?: string };
  /** BSD loopback header. */
  loopback?: ReturnType<NonNullable<Packet["loopback"]>["toJSON"]>;
  /** VLAN tags, outermost first. */
  vlan?: ReturnType<Packet["vlanTags"][number]["toJSON"]>[];
  /** Arista timestamp header (EtherType 0xd28b). */
  arista?: AristaJson;
  /** IEEE 802.2 LLC (and SNAP). */
  llc?: LlcJson;
  /** Spanning tree BPDU. */
  stp?: StpJson;
  /** PPPoE header. */
  pppoe?: PppoeJson;
  /** The PPP frame a PPPoE session carries. */
  ppp?: PppJson;
  /** MACsec SecTAG (EtherType 0x88e5). */
  macsec?: MacsecJson;
  /** IPv4 header. */
  ipv4?: Ipv4Json;
  /** IPv6 header. */
  ipv6?: Ipv6Json;
  /** ARP packet. */
  arp?: ArpJson;
  /** TCP header (with `analysis` from the command line's flow tracking). */
  tcp?: (TcpJson & { analysis?: TcpAnalysisJson }) | TruncatedPortsJson;
  /** UDP header. */
  udp?: UdpJson | TruncatedPortsJson;
  /** ICMP or ICMPv6 header. */
  icmp?: IcmpJson;
  /** IGMP message. */
  igmp?: IgmpJson;
  /** DNS summary. */
  dns?: DnsJson;
  /** The start of an HTTP/1.x message. */
  http?: HttpJson;
  /** NTP message. */
  ntp?: NtpJson;
  /** Syslog message. */
  syslog?: SyslogJson | SyslogUnreadJson;
  /** BOOTP/DHCP message. */
  dhcp?: DhcpJson;
  /** TLS records. */
  tls?: TlsJson;
  /** QUIC packets. */
  quic?: QuicJson;
  /** IPsec ESP's clear header. */
  esp?: EspJson;
  /** IPsec AH (IPv4's, or the first of IPv6's chain). */
  ah?: AhJson;
  /** VXLAN header. */
  vxlan?: VxlanJson;
  /** GRE header. */
  gre?: GreJson;
  /** Geneve header. */
  geneve?: GeneveJson;
  /** ERSPAN header (in GRE). */
  erspan?: ErspanJson;
  /** MPLS label stack, outermost first. */
  mpls?: MplsEntry[];
  /** Network Service Header. */
  nsh?: NshJson;
  /** The packet a tunnel carries: its length on the wire, link type and layers. */
  inner?: InnerPacketJson;
  /** WireGuard message. */
  wireguard?: WireGuardJson;
  /** DHCPv6 message. */
  dhcpv6?: Dhcpv6Json;
  /** ISAKMP (IKE) header. */
  isakmp?: IsakmpJson;
  /** SOME/IP header. */
  someip?: SomeIpJson;
  /** Why decoding stopped early. */
  error?: string;
  /** A comment the capture file attached. */
  comment?: string;
  /** With `--payload`: the bytes after the last decoded header, as hex. */
  payload?: string;
  /** The datagram this fragment completed (`--reassemble`). */
  reassembled?: {
    fragments: number;
    length: number;
    overlaps: number;
    duplicates: number;
    tcp?: TcpJson | TruncatedPortsJson;
    udp?: UdpJson | TruncatedPortsJson;
    icmp?: IcmpJson;
    dns?: DnsJson;
  };
}

/** A tunnel's packet in JSON: a packet's object without the capture's timestamp and caplen. */
export type InnerPacketJson = Omit<PacketJson, "ts" | "caplen" | "comment">;

/** A TCP analysis in JSON: all but tcpdump's bases, which are for the text. */
export type TcpAnalysisJson = Omit<
  TcpAnalysis,
  "tcpdumpSeqBase" | "tcpdumpAckBase" | "tcpdumpSackBase"
>;

/**
 * The packet as a plain object, with only the layers it has.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode } from "../decode/mod.ts";
 * import { packetToJson } from "./json.ts";
 * const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 3, len: 3 };
 * assert.deepEqual(packetToJson(decode(new Uint8Array(3), 1), header).error, "eth: truncated: 3 of 14 header bytes captured at offset 0");
 * ```
 */
export function packetToJson(
  packet: Packet,
  header: FrameHeader,
  extras: PacketExtras = {},
  payload = false,
): PacketJson {
  const json: PacketJson = {
    ts: isoTimestamp(header),
    caplen: header.caplen,
    len: header.len,
    link: linkTypeInfo(packet.linkType).key,
  };
  if (packet.eth) json.eth = packet.eth.toJSON();
  if (packet.sll) json.sll = sllJson(packet.sll, extras.interfaceName);
  if (packet.loopback) json.loopback = packet.loopback.toJSON();
  if (packet.vlanCount > 0) json.vlan = packet.vlan.map((tag) => tag.toJSON());
  if (packet.arista) json.arista = packet.arista.toJSON();
  if (packet.macsec) json.macsec = packet.macsec.toJSON();
  if (packet.llc) json.llc = packet.llc.toJSON();
  if (packet.stp) json.stp = packet.stp.toJSON();
  if (packet.pppoe) json.pppoe = packet.pppoe.toJSON();
  if (packet.ppp) json.ppp = packet.ppp.toJSON();
  if (packet.ipv4) json.ipv4 = packet.ipv4.toJSON();
  if (packet.ipv6) json.ipv6 = packet.ipv6.toJSON();
  if (packet.arp) json.arp = packet.arp.toJSON();
  if (packet.tcp) {
    json.tcp = packet.tcp.toJSON();
    // A tunnelled packet's analysis is its innermost segment's.
    const analysed = extras.analysis !== undefined && packet.inner === undefined;
    if (analysed && !("truncated" in json.tcp)) {
      // tcpdump's bases are for the text: the JSON keeps Wireshark's numbers.
      const { tcpdumpSeqBase: _, tcpdumpAckBase: __, tcpdumpSackBase: ___, ...analysis } = extras
        .analysis!;
      json.tcp.analysis = analysis;
    }
  }
  if (packet.udp) json.udp = packet.udp.toJSON();
  if (packet.icmp) json.icmp = packet.icmp.toJSON();
  if (packet.igmp) json.igmp = packet.igmp.toJSON();
  if (packet.dns) json.dns = packet.dns.toJSON();
  if (packet.http) json.http = packet.http.toJSON();
  if (packet.ntp) json.ntp = packet.ntp.toJSON();
  if (packet.syslog) json.syslog = packet.syslog.toJSON();
  if (packet.dhcp) json.dhcp = packet.dhcp.toJSON();
  if (packet.tls) json.tls = packet.tls.toJSON();
  if (packet.quic) json.quic = packet.quic.toJSON();
  if (packet.esp) json.esp = packet.esp.toJSON();
  if (packet.ah) json.ah = packet.ah.toJSON();
  if (packet.vxlan) json.vxlan = packet.vxlan.toJSON();
  if (packet.gre) json.gre = packet.gre.toJSON();
  if (packet.geneve) json.geneve = packet.geneve.toJSON();
  if (packet.erspan) json.erspan = packet.erspan.toJSON();
  if (packet.mpls) json.mpls = packet.mpls.toJSON();
  if (packet.nsh) json.nsh = packet.nsh.toJSON();
  if (packet.wireguard) json.wireguard = packet.wireguard.toJSON();
  if (packet.dhcpv6) json.dhcpv6 = packet.dhcpv6.toJSON();
  if (packet.isakmp) json.isakmp = packet.isakmp.toJSON();
  if (packet.someip) json.someip = packet.someip.toJSON();
  if (packet.inner) json.inner = innerPacketJson(packet.inner, packet.innerLength, extras);
  if (packet.error !== undefined) json.error = packet.error;
  if (header.comment !== undefined) json.comment = header.comment;
  if (payload) json.payload = payloadHex(packet);
  const reassembled = extras.reassembled;
  if (reassembled !== undefined) {
    const inner = packetToJson(reassembled.packet, header);
    json.reassembled = {
      fragments: reassembled.fragments,
      length: reassembled.length,
      overlaps: reassembled.overlaps,
      duplicates: reassembled.duplicates,
      ...(inner.tcp ? { tcp: inner.tcp } : {}),
      ...(inner.udp ? { udp: inner.udp } : {}),
      ...(inner.icmp ? { icmp: inner.icmp } : {}),
      ...(inner.dns ? { dns: inner.dns } : {}),
    };
  }
  return json;
}

/** A tunnel's packet, `length` bytes on the wire, with the analysis of its TCP (if innermost). */
function innerPacketJson(
  inner: Packet,
  length: number,
  extras: PacketExtras,
): InnerPacketJson {
  const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 0, len: length };
  const { ts: _, caplen: __, ...layers } = packetToJson(inner, header, {
    analysis: extras.analysis,
  });
  return layers;
}

/**
 * The packet as one line of JSON, ending in a newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode } from "../decode/mod.ts";
 * import { formatJsonLine } from "./json.ts";
 * const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 0, len: 0 };
 * assert.deepEqual(formatJsonLine(decode(new Uint8Array(0), 1), header).startsWith('{"ts":'), true);
 * ```
 */
export function formatJsonLine(
  packet: Packet,
  header: FrameHeader,
  extras: PacketExtras = {},
): string {
  return JSON.stringify(packetToJson(packet, header, extras)) + "\n";
}

/** The captured bytes after the last header the decoder read (`Packet.payloadOffset`), as hex. */
export function payloadHex(packet: Packet): string {
  const bytes = packet.frame.subarray(packet.payloadOffset);
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += HEX_DIGITS[bytes[i]];
  return text;
}

const HEX_DIGITS = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
