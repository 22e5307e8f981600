/**
 * The decoder: one frame in, its layers out, with no allocation per packet. A `Decoder` owns
 * one view per header kind and re-points them at each frame, so the layers of a packet are
 * valid until the next call to `decode` on the same decoder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Decoder } from "./mod.ts";
 * import { LINKTYPE_RAW } from "./mod.ts";
 * const udp = new Uint8Array([
 *   0x45, 0, 0, 33, 0, 1, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
 *   0x13, 0x88, 0x13, 0x89, 0, 13, 0, 0, 104, 101, 108, 108, 111,
 * ]);
 * const decoder = new Decoder();
 * const packet = decoder.decode(udp, LINKTYPE_RAW);
 * assert.deepEqual([packet.ipv4?.df, packet.udp?.dstPort, packet.error], [true, 5001, undefined]);
 * ```
 * @module
 */

import { ARP_FIXED_LENGTH, ArpPacket } from "./arp.ts";
import { AH_FIXED_LENGTH, AhHeader, IPPROTO_AH } from "./ah.ts";
import { VXLAN_HEADER_LENGTH, VXLAN_PORT, VxlanHeader } from "./vxlan.ts";
import { GRE_MIN_LENGTH, GRE_PROTOCOL_ETHERNET, GreHeader, IPPROTO_GRE } from "./gre.ts";
import {
  ERSPAN2_LENGTH,
  ERSPAN3_LENGTH,
  ErspanHeader,
  GRE_PROTOCOL_ERSPAN,
  GRE_PROTOCOL_ERSPAN3,
} from "./erspan.ts";
import { LLC_MIN_LENGTH, LLC_SAP_IP, LLC_UI, LlcHeader } from "./llc.ts";
import { STP_MIN_LENGTH, StpBpdu } from "./stp.ts";
import {
  ETHERTYPE_PPPOE_DISCOVERY,
  ETHERTYPE_PPPOE_SESSION,
  PPPOE_HEADER_LENGTH,
  PppoeHeader,
} from "./pppoe.ts";
import {
  PPP_IPV4,
  PPP_IPV6,
  PPP_MESSAGE_HEADER_LENGTH,
  PPP_MPLS_MULTICAST,
  PPP_MPLS_UNICAST,
  PppFrame,
} from "./ppp.ts";
import {
  ETHERTYPE_NSH,
  NSH_FIXED_LENGTH,
  NSH_NEXT_ETHERNET,
  NSH_NEXT_IPV4,
  NSH_NEXT_IPV6,
  NshHeader,
} from "./nsh.ts";
import { ARISTA_FIXED_LENGTH, AristaHeader, ETHERTYPE_ARISTA } from "./arista.ts";
import {
  ETHERTYPE_MACSEC,
  MACSEC_HEADER_LENGTH,
  MACSEC_ICV_LENGTH,
  MacsecHeader,
} from "./macsec.ts";
import { GENEVE_FIXED_LENGTH, GENEVE_PORT, GeneveHeader } from "./geneve.ts";
import {
  ETHERTYPE_MPLS_MULTICAST,
  ETHERTYPE_MPLS_UNICAST,
  MAX_MPLS_LABELS,
  MPLS_ENTRY_LENGTH,
  MPLS_UDP_PORT,
  MplsStack,
} from "./mpls.ts";
import { HttpMessage, httpStart, SSDP_PORT } from "./http.ts";
import { isWireGuard, WIREGUARD_PORT, WireGuardMessage } from "./wireguard.ts";
import { SOMEIP_HEADER_LENGTH, SOMEIP_PORT, SomeIpMessage } from "./someip.ts";
import { DHCPV6_CLIENT_PORT, DHCPV6_SERVER_PORT, Dhcpv6Message } from "./dhcpv6.ts";
import { ISAKMP_HEADER_LENGTH, ISAKMP_PORT, IsakmpHeader } from "./isakmp.ts";
import { isTlsRecordStart, TlsRecords } from "./tls.ts";
import { QUIC_PORT, QuicDatagram } from "./quic.ts";
import {
  ESP_HEADER_LENGTH,
  EspHeader,
  IPPROTO_ESP,
  IPSEC_NAT_T_PORT,
  NON_ESP_MARKER_LENGTH,
} from "./esp.ts";
import { NTP_PORT, NtpMessage } from "./ntp.ts";
import { SYSLOG_PORT, SyslogMessage } from "./syslog.ts";
import { BOOTP_CLIENT_PORT, BOOTP_FIXED_LENGTH, BOOTP_SERVER_PORT, DhcpMessage } from "./dhcp.ts";
import { DNS_HEADER_LENGTH, DNS_PORT, DnsMessage, LLMNR_PORT, MDNS_PORT } from "./dns.ts";
import { ETHERNET_HEADER_LENGTH, EthernetHeader } from "./ethernet.ts";
import {
  ETHERNET_MAX_LENGTH_FIELD,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  isVlanEtherType,
} from "./ethertype.ts";
import { ICMP_HEADER_LENGTH, ICMP_TYPE_CODE_CHECKSUM_LENGTH, IcmpHeader } from "./icmp.ts";
import { IGMP_HEADER_LENGTH, igmpLengthProblem, IgmpMessage } from "./igmp.ts";
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_IGMP, IPPROTO_TCP, IPPROTO_UDP } from "./ipproto.ts";
import { IPV4_MIN_HEADER_LENGTH, Ipv4Header } from "./ipv4.ts";
import {
  IPV6_CHAIN_TOO_LONG,
  IPV6_CHAIN_TRUNCATED,
  IPV6_ESP,
  IPV6_HEADER_LENGTH,
  Ipv6Header,
  MAX_IPV6_EXTENSIONS,
} from "./ipv6.ts";
import { Ipv6RoutingHeader } from "./ipv6_routing.ts";
import {
  DLT_RAW,
  DLT_RAW_OPENBSD,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
} from "./linktype.ts";
import { LOOPBACK_HEADER_LENGTH, LoopbackHeader } from "./loopback.ts";
import { SLL2_HEADER_LENGTH, SLL_HEADER_LENGTH, SllHeader } from "./sll.ts";
import { TCP_FIELD_OFFSETS, TCP_MIN_HEADER_LENGTH, tcpDataOffset, TcpHeader } from "./tcp.ts";
import { UDP_HEADER_LENGTH, UdpHeader } from "./udp.ts";
import { VLAN_TAG_LENGTH, VlanTag } from "./vlan.ts";

/** The most VLAN tags one frame may stack before the decoder calls it malformed. */
export const MAX_VLAN_TAGS = 8;

/** IP protocol numbers of IPv4 in IP (RFC 2003) and IPv6 in IP (RFC 4213, 6in4). */
const IPPROTO_IPIP = 4;
const IPPROTO_IPV6_IN_IP = 41;
/** IP protocol number of an Ethernet frame carried in IP (RFC 8986 section 10.1, SRv6). */
const IPPROTO_ETHERNET = 143;
/** GRE's routing bit (RFC 1701): source routes are not followed. */
const GRE_ROUTING = 0x4000;
/** What GRE and Geneve may carry that is decoded, by its EtherType, as a link type. */
const TUNNEL_LINK_TYPES: ReadonlyMap<number, number> = new Map([
  [ETHERTYPE_IPV4, LINKTYPE_IPV4],
  [ETHERTYPE_IPV6, LINKTYPE_IPV6],
  [GRE_PROTOCOL_ETHERNET, LINKTYPE_ETHERNET],
]);

/** What NSH may carry that is decoded, by its next protocol (RFC 8300 section 11.2.5). */
const NSH_LINK_TYPES: Readonly<Record<number, number>> = {
  [NSH_NEXT_IPV4]: LINKTYPE_IPV4,
  [NSH_NEXT_IPV6]: LINKTYPE_IPV6,
  [NSH_NEXT_ETHERNET]: LINKTYPE_ETHERNET,
};

/** PPP's network protocols, as the EtherTypes the decoder goes on with. */
const PPP_NETWORK_TYPES: ReadonlyMap<number, number> = new Map([
  [PPP_IPV4, ETHERTYPE_IPV4],
  [PPP_IPV6, ETHERTYPE_IPV6],
  [PPP_MPLS_UNICAST, ETHERTYPE_MPLS_UNICAST],
  [PPP_MPLS_MULTICAST, ETHERTYPE_MPLS_MULTICAST],
]);
/** A PPP frame's least: a protocol of one byte and one of data, or two of protocol. */
const PPP_MIN_LENGTH = 2;

/** RARP (RFC 903): ARP's format under an EtherType of its own. */
const ETHERTYPE_RARP = 0x8035;

/** An EtherType field inside a payload (MACsec's secure data, SNAP). */
const ETHERTYPE_LENGTH = 2;

/** How many packets deep tunnels may nest (the outermost counts as one). */
export const MAX_ENCAPSULATION_DEPTH = 8;

/** Whether either port is DNS's (or multicast DNS's). */
function isDnsPort(srcPort: number, dstPort: number): boolean {
  return srcPort === DNS_PORT || dstPort === DNS_PORT || srcPort === MDNS_PORT ||
    dstPort === MDNS_PORT || srcPort === LLMNR_PORT || dstPort === LLMNR_PORT;
}

/**
 * The protocols a UDP port names, in the order tcpdump 4.99 tries them (DNS, multicast DNS,
 * BOOTP, ISAKMP, IPsec NAT traversal, NTP, DHCPv6, SIP, syslog, VXLAN, Geneve, MPLS, SOME/IP),
 * then those it does not decode (WireGuard, SSDP, QUIC, LLMNR); where both ports name one,
 * the earlier wins. WireGuard and QUIC are taken only when the datagram looks like theirs:
 * otherwise the other port's protocol, if any, is tried.
 */
const UDP_DNS = 1;
const UDP_BOOTP = 2;
const UDP_ISAKMP = 3;
const UDP_NAT_T = 4;
const UDP_NTP = 5;
const UDP_DHCPV6 = 6;
const UDP_SIP = 7;
const UDP_SYSLOG = 8;
const UDP_VXLAN = 9;
const UDP_GENEVE = 10;
const UDP_MPLS = 11;
const UDP_SOMEIP = 12;
const UDP_WIREGUARD = 13;
const UDP_SSDP = 14;
const UDP_QUIC = 15;
const UDP_LLMNR = 16;

/** SIP's port: its lines are text only (the decoder keeps no layer of them). */
export const SIP_PORT = 5060;

/** Each port's protocol (`UDP_DNS` …), 0 for none: two loads tell most datagrams apart. */
const UDP_PROTOCOL_BY_PORT: Uint8Array = (() => {
  const table = new Uint8Array(1 << 16);
  const ports: [number, number][] = [
    [DNS_PORT, UDP_DNS],
    [MDNS_PORT, UDP_DNS],
    [NTP_PORT, UDP_NTP],
    [BOOTP_SERVER_PORT, UDP_BOOTP],
    [BOOTP_CLIENT_PORT, UDP_BOOTP],
    [VXLAN_PORT, UDP_VXLAN],
    [GENEVE_PORT, UDP_GENEVE],
    [MPLS_UDP_PORT, UDP_MPLS],
    [WIREGUARD_PORT, UDP_WIREGUARD],
    [SSDP_PORT, UDP_SSDP],
    [IPSEC_NAT_T_PORT, UDP_NAT_T],
    [ISAKMP_PORT, UDP_ISAKMP],
    [QUIC_PORT, UDP_QUIC],
    [DHCPV6_CLIENT_PORT, UDP_DHCPV6],
    [DHCPV6_SERVER_PORT, UDP_DHCPV6],
    [SYSLOG_PORT, UDP_SYSLOG],
    [SOMEIP_PORT, UDP_SOMEIP],
    [SIP_PORT, UDP_SIP],
    [LLMNR_PORT, UDP_LLMNR],
  ];
  for (const [port, protocol] of ports) table[port] = protocol;
  return table;
})();

/**
 * Whether a UDP port names an application protocol to the decoder (or to tcpdump's words for
 * an empty datagram): a datagram between two ports that name none is plain UDP.
 */
export function udpPortNamesProtocol(port: number): boolean {
  return UDP_PROTOCOL_BY_PORT[port] !== 0;
}

/** Source and destination port: the first 4 bytes of TCP and UDP. */
const PORTS_LENGTH = 4;

/**
 * Where and why decoding stopped (etherparse's "slice error"): the layers before it are
 * decoded; `packet.error` says the same in words.
 */
export interface DecodeStop {
  /** The layer whose header could not be read whole (`ipv4`, `tcp`, …; `link`, `ip`). */
  layer: string;
  /** `truncated`: the capture ends inside the header; `malformed`: a field is impossible. */
  kind: "truncated" | "malformed";
  /** Where the layer (or the bad part of it) starts, in bytes from the frame's start. */
  offset: number;
}

/** The layers of one decoded frame. Absent layers are `undefined`. */
export class Packet {
  /** The libpcap link type the frame was decoded as. */
  linkType = 0;
  #bytes: Uint8Array = new Uint8Array(0);
  #offset = 0;
  #length = 0;
  #frame: Uint8Array | undefined;

  /**
   * Whether Wireshark keeps this packet's IP datagram to reassemble, dissecting nothing above IP
   * in it: an IPv6 fragment, or an IPv4 one unless it is a first fragment cut short by the
   * snapshot length (which it dissects as though it were the datagram).
   */
  get heldForReassembly(): boolean {
    const ip4 = this.ipv4;
    if (ip4 !== undefined) return ip4.isFragment && (ip4.fragOffset !== 0 || ip4.capturedWhole);
    const ip6 = this.ipv6;
    return ip6 !== undefined && ip6.fragmentHeaderOffset >= 0;
  }

  /** The captured bytes of the frame (a view, made the first time it is asked for). */
  get frame(): Uint8Array {
    return this.#frame ??= this.#bytes.subarray(this.#offset, this.#offset + this.#length);
  }

  /** Points the packet at its frame: `length` bytes at `offset` in `bytes`. */
  setFrame(bytes: Uint8Array, offset: number, length: number): void {
    this.#bytes = bytes;
    this.#offset = offset;
    this.#length = length;
    this.#frame = offset === 0 && length === bytes.length ? bytes : undefined;
  }
  /** Ethernet header, for `LINKTYPE_ETHERNET`. */
  eth: EthernetHeader | undefined;
  /** Linux cooked header, for `LINKTYPE_LINUX_SLL` and `LINKTYPE_LINUX_SLL2`. */
  sll: SllHeader | undefined;
  /** BSD loopback header, for `LINKTYPE_NULL` and `LINKTYPE_LOOP`. */
  loopback: LoopbackHeader | undefined;
  /** Preallocated tag views; the first `vlanCount` belong to this packet, outermost first. */
  readonly vlanTags: readonly VlanTag[] = Array.from(
    { length: MAX_VLAN_TAGS },
    () => new VlanTag(),
  );
  /** How many VLAN tags the frame carries. */
  vlanCount = 0;
  /** EtherType (or equivalent) of the network layer; 0 when the link layer names none. */
  networkType = 0;
  /** IPv4 header. */
  ipv4: Ipv4Header | undefined;
  /** IPv6 fixed header. */
  ipv6: Ipv6Header | undefined;
  /** ARP packet. */
  arp: ArpPacket | undefined;
  /** TCP header. */
  tcp: TcpHeader | undefined;
  /** UDP header. */
  udp: UdpHeader | undefined;
  /** ICMP or ICMPv6 header (see `icmp.version`). */
  icmp: IcmpHeader | undefined;
  /** DNS message summary (UDP or TCP, port 53 or 5353). */
  dns: DnsMessage | undefined;
  /** IGMP message (IPv4 protocol 2). */
  igmp: IgmpMessage | undefined;
  /** The start of an HTTP/1.x request or response (a TCP segment that begins one). */
  http: HttpMessage | undefined;
  /** NTP message (UDP port 123). */
  ntp: NtpMessage | undefined;
  /** Syslog message (UDP port 514). */
  syslog: SyslogMessage | undefined;
  /** BOOTP/DHCP message (UDP ports 67 and 68). */
  dhcp: DhcpMessage | undefined;
  /** TLS records (a TCP segment that begins with one). */
  tls: TlsRecords | undefined;
  /** QUIC packets (UDP port 443). */
  quic: QuicDatagram | undefined;
  /** IPsec ESP over IPv4 or in UDP (IPv6's is in its extension chain). */
  esp: EspHeader | undefined;
  /** IPsec AH: IPv4's, or the first in IPv6's extension chain. */
  ah: AhHeader | undefined;
  /** VXLAN header (UDP port 4789); the frame it carries is `inner`. */
  vxlan: VxlanHeader | undefined;
  /** GRE header (IP protocol 47); the packet it carries is `inner`. */
  gre: GreHeader | undefined;
  /** Geneve header (UDP port 6081); the packet it carries is `inner`. */
  geneve: GeneveHeader | undefined;
  /** MPLS label stack (EtherType 0x8847 or 0x8848, UDP port 6635); its payload is `inner`. */
  mpls: MplsStack | undefined;
  /** IEEE 802.2 LLC (and SNAP) after an 802.3 length field. */
  llc: LlcHeader | undefined;
  /** A spanning tree BPDU (LLC SAP 0x42, or Cisco's PVST over SNAP). */
  stp: StpBpdu | undefined;
  /**
   * Whether the frame has a tunnel or link-layer shim (MACsec, Arista, PPPoE, LLC, MPLS, GRE,
   * VXLAN, Geneve, NSH): one check tells a plain packet from one to look into.
   */
  encapsulated = false;
  /** The 802.3 length field's value when the frame has one (LLC's length), else 0. */
  llcLength = 0;
  /** ERSPAN header (GRE protocol 0x88be or 0x22eb); the mirrored frame is `inner`. */
  erspan: ErspanHeader | undefined;
  /** PPPoE header (EtherType 0x8863 discovery, 0x8864 session). */
  pppoe: PppoeHeader | undefined;
  /** The PPP frame a PPPoE session carries; an IPv4 or IPv6 packet in it is the frame's own. */
  ppp: PppFrame | undefined;
  /** Network Service Header (EtherType 0x894f); what it carries is `inner`. */
  nsh: NshHeader | undefined;
  /** Arista timestamp header (EtherType 0xd28b); the frame's own layers follow it. */
  arista: AristaHeader | undefined;
  /** MACsec SecTAG (EtherType 0x88e5); an integrity-only frame's own layers follow it. */
  macsec: MacsecHeader | undefined;
  /** The packet a tunnel carries, decoded as one of its own (its `inner` may nest further). */
  inner: Packet | undefined;
  /** The carried packet's length on the wire (what its tunnel header says it holds). */
  innerLength = 0;
  /** WireGuard message (UDP port 51820). */
  wireguard: WireGuardMessage | undefined;
  /** DHCPv6 message (UDP ports 546 and 547). */
  dhcpv6: Dhcpv6Message | undefined;
  /** ISAKMP (IKE) header: UDP port 500, or 4500 after the non-ESP marker. */
  isakmp: IsakmpHeader | undefined;
  /** SOME/IP header (UDP port 30490, where no other protocol of the port list came first). */
  someip: SomeIpMessage | undefined;
  /** Offset in `frame` where the network layer starts (`frame.length` when there is none). */
  networkOffset = 0;
  /** Offset in `frame` of what the decoder did not decode (the application payload). */
  payloadOffset = 0;
  /** Why decoding stopped early (a truncated or malformed header), or `undefined`. */
  error: string | undefined;
  /** The same as `error`, structured for scripts: which layer, what, and where. */
  stop: DecodeStop | undefined;

  /** The VLAN tags as an array (allocates; the hot path reads `vlanTags` and `vlanCount`). */
  get vlan(): VlanTag[] {
    return this.vlanTags.slice(0, this.vlanCount);
  }
}

/**
 * Decodes frames into a `Packet` that it reuses: call `decode` per frame, read the layers,
 * and copy what must outlive the next call.
 */
export class Decoder {
  /** The packet every `decode` call fills and returns. */
  readonly packet: Packet = new Packet();
  readonly #eth = new EthernetHeader();
  readonly #sll = new SllHeader();
  readonly #loopback = new LoopbackHeader();
  readonly #ipv4 = new Ipv4Header();
  readonly #ipv6 = new Ipv6Header();
  readonly #arp = new ArpPacket();
  readonly #tcp = new TcpHeader();
  readonly #udp = new UdpHeader();
  readonly #icmp = new IcmpHeader();
  readonly #dns = new DnsMessage();
  readonly #igmp = new IgmpMessage();
  readonly #http = new HttpMessage();
  readonly #ntp = new NtpMessage();
  readonly #syslog = new SyslogMessage();
  readonly #dhcp = new DhcpMessage();
  readonly #tls = new TlsRecords();
  readonly #quic = new QuicDatagram();
  readonly #esp = new EspHeader();
  readonly #ah = new AhHeader();
  readonly #routing = new Ipv6RoutingHeader();
  readonly #vxlan = new VxlanHeader();
  readonly #gre = new GreHeader();
  readonly #geneve = new GeneveHeader();
  readonly #mpls = new MplsStack();
  readonly #macsec = new MacsecHeader();
  readonly #arista = new AristaHeader();
  readonly #nsh = new NshHeader();
  readonly #pppoe = new PppoeHeader();
  readonly #erspan = new ErspanHeader();
  readonly #llc = new LlcHeader();
  readonly #stp = new StpBpdu();
  readonly #ppp = new PppFrame();
  /** How many tunnels this decoder's packets are inside (0 for the outermost). */
  readonly #depth: number;
  /** Decodes what a tunnel carries; made on the first tunnel. */
  #innerDecoder: Decoder | undefined;
  #bytes: Uint8Array = new Uint8Array(0);
  readonly #wireguard = new WireGuardMessage();
  readonly #dhcpv6 = new Dhcpv6Message();
  readonly #isakmp = new IsakmpHeader();
  readonly #someip = new SomeIpMessage();
  #buffer: ArrayBufferLike | undefined;
  #view: DataView = new DataView(new ArrayBuffer(0));

  /** `depth`: how many tunnels its packets are inside (0, the default, for a frame's own). */
  constructor(depth = 0) {
    this.#depth = depth;
  }

  #base = 0;
  #end = 0;
  #wireEnd = 0;

  /**
   * Decodes one frame. `wireLength` is the frame's length on the wire (pcap's `len`); when
   * given, an IP length beyond it is reported as malformed rather than as snaplen truncation.
   * Never throws on packet bytes: problems end up in `packet.error`.
   */
  decode(frame: Uint8Array, linkType: number, wireLength: number = frame.length): Packet {
    return this.decodeAt(frame, 0, frame.length, linkType, wireLength);
  }

  /**
   * Decodes the frame of `length` bytes at `offset` in `bytes`, as `decode` does, without a
   * view of its own: a file reader hands over its buffer and where each record lies.
   */
  decodeAt(
    bytes: Uint8Array,
    offset: number,
    length: number,
    linkType: number,
    wireLength: number = length,
  ): Packet {
    const packet = this.packet;
    packet.linkType = linkType;
    packet.setFrame(bytes, offset, length);
    packet.eth = packet.sll = packet.loopback = undefined;
    packet.ipv4 = packet.ipv6 = packet.arp = undefined;
    packet.tcp =
      packet.udp =
      packet.icmp =
      packet.dns =
      packet.igmp =
      packet.http =
      packet.ntp =
      packet.syslog =
      packet.dhcp =
      packet.tls =
      packet.quic =
      packet.esp =
      packet.ah =
      packet.vxlan =
      packet.gre =
      packet.geneve =
      packet.mpls =
      packet.macsec =
      packet.arista =
      packet.nsh =
      packet.pppoe =
      packet.erspan =
      packet.llc =
      packet.stp =
      packet.ppp =
      packet.inner =
      packet.wireguard =
      packet.dhcpv6 =
      packet.isakmp =
      packet.someip =
        undefined;
    packet.vlanCount = 0;
    packet.networkType = 0;
    packet.llcLength = 0;
    packet.encapsulated = false;
    packet.error = undefined;
    packet.stop = undefined;

    // A reader hands over one buffer for many frames; `buffer` is a call into C++ each time.
    if (bytes !== this.#bytes) {
      this.#bytes = bytes;
      if (bytes.buffer !== this.#buffer) {
        this.#buffer = bytes.buffer;
        this.#view = new DataView(bytes.buffer);
      }
    }
    const base = bytes.byteOffset + offset;
    const end = base + length;
    this.#base = base;
    this.#end = end;
    this.#wireEnd = base + Math.max(wireLength, length);
    packet.networkOffset = packet.payloadOffset = length;

    switch (linkType) {
      case LINKTYPE_ETHERNET:
        if (!this.#fits("eth", base, end, ETHERNET_HEADER_LENGTH)) break;
        packet.eth = this.#eth.bind(this.#view, base, end);
        this.#decodeEtherType(this.#eth.etherType, base + ETHERNET_HEADER_LENGTH, end);
        break;
      case LINKTYPE_LINUX_SLL:
      case LINKTYPE_LINUX_SLL2: {
        const version = linkType === LINKTYPE_LINUX_SLL ? 1 : 2;
        const length = version === 1 ? SLL_HEADER_LENGTH : SLL2_HEADER_LENGTH;
        if (!this.#fits("sll", base, end, length)) break;
        const sll = packet.sll = this.#sll.bindVersion(this.#view, base, end, version);
        if (!sll.isNetlink) {
          this.#decodeEtherType(sll.protocol, base + length, end);
        } else {
          packet.payloadOffset = length;
        }
        break;
      }
      case LINKTYPE_NULL:
      case LINKTYPE_LOOP: {
        if (!this.#fits("loopback", base, end, LOOPBACK_HEADER_LENGTH)) break;
        const loopback = this.#loopback.bindOrder(
          this.#view,
          base,
          end,
          linkType === LINKTYPE_LOOP,
        );
        packet.loopback = loopback;
        const network = loopback.network;
        const offset = base + LOOPBACK_HEADER_LENGTH;
        if (network === "ipv4") this.#decodeNetwork(ETHERTYPE_IPV4, offset, end);
        else if (network === "ipv6") this.#decodeNetwork(ETHERTYPE_IPV6, offset, end);
        else packet.payloadOffset = LOOPBACK_HEADER_LENGTH;
        break;
      }
      case LINKTYPE_RAW:
      case DLT_RAW:
      case DLT_RAW_OPENBSD: {
        if (!this.#fits("ip", base, end, 1)) break;
        const version = this.#view.getUint8(base) >>> 4;
        if (version === 4) this.#decodeNetwork(ETHERTYPE_IPV4, base, end);
        else if (version === 6) this.#decodeNetwork(ETHERTYPE_IPV6, base, end);
        else {
          packet.networkOffset = packet.payloadOffset = 0;
          this.#note("ip", base, `version ${version} is neither 4 nor 6`);
        }
        break;
      }
      case LINKTYPE_IPV4: {
        // A file's own frames go by their version, as tcpdump and tshark both read them; a
        // tunnel's packet (whose header named the protocol) by the link type. (For
        // LINKTYPE_IPV6 the two differ: tshark holds to IPv6, and so does netpeek.)
        const v6 = this.#depth === 0 && end > base && this.#view.getUint8(base) >>> 4 === 6;
        this.#decodeNetwork(v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, base, end);
        break;
      }
      case LINKTYPE_IPV6:
        this.#decodeNetwork(ETHERTYPE_IPV6, base, end);
        break;
      default:
        packet.networkOffset = packet.payloadOffset = 0;
        this.#note("link", base, `link type ${linkType} is not decoded`);
    }
    return packet;
  }

  /**
   * Records what is wrong with `layer`'s header at absolute offset `at` (malformed); the
   * first problem found is kept.
   */
  #note(layer: string, at: number, message: string): void {
    this.#stop(layer, "malformed", at, message);
  }

  #stop(layer: string, kind: DecodeStop["kind"], at: number, message: string): void {
    const packet = this.packet;
    if (packet.error !== undefined) return;
    packet.error = `${layer}: ${message}`;
    packet.stop = { layer, kind, offset: Math.max(0, Math.min(at, this.#end) - this.#base) };
  }

  /** Checks that `need` bytes were captured at `offset`; records the error when not. */
  #fits(layer: string, offset: number, end: number, need: number): boolean {
    const have = end - offset;
    if (have >= need) return true;
    const packet = this.packet;
    // Never past the captured bytes, even when a length pointed beyond them.
    packet.payloadOffset = Math.min(offset, end) - this.#base;
    this.#stop(
      layer,
      "truncated",
      offset,
      `truncated: ${Math.max(have, 0)} of ${need} header bytes captured at offset ${
        offset - this.#base
      }`,
    );
    return false;
  }

  #decodeEtherType(etherType: number, offset: number, end: number): void {
    const packet = this.packet;
    let type = etherType;
    let at = offset;
    while (isVlanEtherType(type)) {
      if (packet.vlanCount === MAX_VLAN_TAGS) {
        packet.payloadOffset = at - this.#base;
        this.#note("vlan", at, `more than ${MAX_VLAN_TAGS} stacked tags`);
        return;
      }
      if (!this.#fits("vlan", at, end, VLAN_TAG_LENGTH)) return;
      const tag = packet.vlanTags[packet.vlanCount++].bindTag(this.#view, at, end, type);
      type = tag.etherType;
      at += VLAN_TAG_LENGTH;
    }
    this.#decodeNetwork(type, at, end);
  }

  #decodeNetwork(networkType: number, offset: number, end: number): void {
    const packet = this.packet;
    packet.networkType = networkType;
    packet.networkOffset = packet.payloadOffset = offset - this.#base;
    if (networkType === ETHERTYPE_IPV4) this.#decodeIpv4(offset, end);
    else if (networkType === ETHERTYPE_IPV6) this.#decodeIpv6(offset, end);
    else this.#decodeOtherNetwork(networkType, offset, end);
  }

  /** The network layers other than IP (kept apart so that IP's path stays short). */
  #decodeOtherNetwork(networkType: number, offset: number, end: number): void {
    const packet = this.packet;
    if (networkType === ETHERTYPE_ARP || networkType === ETHERTYPE_RARP) {
      this.#decodeArp(offset, end);
    } else if (networkType === ETHERTYPE_MPLS_UNICAST || networkType === ETHERTYPE_MPLS_MULTICAST) {
      this.#decodeMpls(offset, end, this.#wireEnd - offset);
    } else if (networkType === ETHERTYPE_MACSEC && packet.macsec === undefined) {
      this.#decodeMacsec(offset, end);
    } else if (networkType === ETHERTYPE_ARISTA && packet.arista === undefined) {
      this.#decodeArista(offset, end);
    } else if (
      (networkType === ETHERTYPE_PPPOE_SESSION || networkType === ETHERTYPE_PPPOE_DISCOVERY) &&
      packet.pppoe === undefined
    ) {
      this.#decodePppoe(offset, end, networkType);
    } else if (
      networkType <= ETHERNET_MAX_LENGTH_FIELD && packet.eth !== undefined &&
      packet.llc === undefined
    ) {
      this.#decodeLlc(offset, end, networkType);
    } else if (networkType === ETHERTYPE_NSH) {
      this.#decodeNsh(offset, end, this.#wireEnd - offset);
    }
    // Anything else (802.3 with LLC, LLDP, …) is left as payload for now.
  }

  /**
   * A SecTAG, and for an integrity-only frame what it protects: the EtherType and payload in
   * the clear, up to the ICV at the frame's end (or the short length's end). Encrypted or
   * changed text stays payload.
   */
  #decodeMacsec(offset: number, end: number): void {
    const packet = this.packet;
    if (!this.#fits("macsec", offset, end, MACSEC_HEADER_LENGTH)) return;
    const macsec = this.#macsec.bind(this.#view, offset, end);
    if (!this.#fits("macsec", offset, end, macsec.headerLength)) return;
    packet.macsec = macsec;
    packet.encapsulated = true;
    const data = offset + macsec.headerLength;
    packet.payloadOffset = data - this.#base;
    const problem = macsec.problem;
    if (problem !== undefined) {
      this.#note("macsec", offset, problem);
      return;
    }
    if (!macsec.integrityOnly) return;
    // The ICV ends the frame on the wire; what the capture kept of the data ends before it.
    let dataEnd = this.#wireEnd - MACSEC_ICV_LENGTH;
    const shortLength = macsec.shortLength;
    if (shortLength !== 0) {
      if (data + shortLength > dataEnd) {
        this.#note("macsec", offset, `short length ${shortLength} is beyond the frame`);
        return;
      }
      dataEnd = data + shortLength;
    } else if (dataEnd < data) {
      this.#note("macsec", offset, "no room for the integrity check value");
      return;
    }
    if (!this.#fits("macsec", data, Math.min(end, dataEnd), ETHERTYPE_LENGTH)) return;
    this.#wireEnd = dataEnd;
    this.#decodeEtherType(
      this.#view.getUint16(data),
      data + ETHERTYPE_LENGTH,
      Math.min(end, dataEnd),
    );
  }

  /**
   * A PPPoE header; in a session, the PPP frame, and the network packet in it as the frame's
   * own (tshark's view: the IPv4 header inside is the packet's `ipv4`). Discovery tags are
   * read by whoever shows them.
   */
  #decodePppoe(offset: number, end: number, etherType: number): void {
    const packet = this.packet;
    if (!this.#fits("pppoe", offset, end, PPPOE_HEADER_LENGTH)) return;
    const pppoe = packet.pppoe = this.#pppoe.bind(this.#view, offset, end);
    packet.encapsulated = true;
    const payload = offset + PPPOE_HEADER_LENGTH;
    packet.payloadOffset = payload - this.#base;
    if (etherType !== ETHERTYPE_PPPOE_SESSION || pppoe.code !== 0) return;
    // tcpdump keeps to the payload length, or to the frame when that claims more.
    const pppEnd = Math.min(end, payload + pppoe.length);
    if (!this.#fits("ppp", payload, pppEnd, PPP_MIN_LENGTH)) return;
    const ppp = this.#ppp.bind(this.#view, payload, pppEnd);
    if (!this.#fits("ppp", payload, pppEnd, ppp.headerLength)) return;
    packet.ppp = ppp;
    const data = payload + ppp.headerLength;
    packet.payloadOffset = data - this.#base;
    const networkType = PPP_NETWORK_TYPES.get(ppp.protocol);
    if (networkType !== undefined) {
      this.#wireEnd = Math.min(this.#wireEnd, payload + pppoe.length);
      this.#decodeNetwork(networkType, data, pppEnd);
    } else if (ppp.hasMessage) {
      this.#fits("ppp", data, pppEnd, PPP_MESSAGE_HEADER_LENGTH);
    }
  }

  /**
   * LLC after an 802.3 length field (`length` bytes of it, the rest being padding), and what it
   * carries: a spanning tree BPDU, an EtherType's packet under SNAP, IPv4 under SAP 6.
   */
  #decodeLlc(offset: number, end: number, length: number): void {
    const packet = this.packet;
    packet.llcLength = length;
    const llcEnd = Math.min(end, offset + length);
    if (!this.#fits("llc", offset, llcEnd, LLC_MIN_LENGTH)) return;
    const llc = this.#llc.bind(this.#view, offset, llcEnd);
    if (!this.#fits("llc", offset, llcEnd, llc.llcLength)) return;
    packet.llc = llc;
    packet.encapsulated = true;
    if (!this.#fits("llc", offset, llcEnd, llc.headerLength)) return;
    const data = offset + llc.headerLength;
    packet.payloadOffset = data - this.#base;
    const payloadLength = length - llc.headerLength;
    if (llc.snapIsEtherType && llc.snapPid > ETHERNET_MAX_LENGTH_FIELD) {
      this.#wireEnd = Math.min(this.#wireEnd, offset + length);
      this.#decodeNetwork(llc.snapPid, data, llcEnd);
    } else if (llc.carriesStp) {
      this.#decodeStp(data, llcEnd, payloadLength);
    } else if (
      llc.dsap === LLC_SAP_IP && llc.ssap === LLC_SAP_IP && llc.control === LLC_UI
    ) {
      this.#wireEnd = Math.min(this.#wireEnd, offset + length);
      this.#decodeNetwork(ETHERTYPE_IPV4, data, llcEnd);
    }
  }

  /** A spanning tree BPDU of `length` bytes: its checks are tcpdump's. */
  #decodeStp(offset: number, end: number, length: number): void {
    const packet = this.packet;
    if (!this.#fits("stp", offset, end, STP_MIN_LENGTH)) return;
    const stp = packet.stp = this.#stp.bind(this.#view, offset, end);
    const problem = stp.problem(length);
    if (problem !== undefined) this.#note("stp", offset, problem);
    else this.#fits("stp", offset, end, stp.wholeLength);
  }

  /** A Network Service Header, then the IPv4, IPv6 or Ethernet frame it carries as `inner`. */
  #decodeNsh(offset: number, end: number, length: number): void {
    const packet = this.packet;
    if (!this.#fits("nsh", offset, end, NSH_FIXED_LENGTH)) return;
    const nsh = packet.nsh = this.#nsh.bind(this.#view, offset, end);
    nsh.wireLength = length;
    packet.encapsulated = true;
    packet.payloadOffset = offset + NSH_FIXED_LENGTH - this.#base;
    if (nsh.version !== 0) return;
    const problem = nsh.problem;
    if (problem !== undefined) {
      this.#note("nsh", offset, problem);
      return;
    }
    const headerLength = nsh.headerLength;
    if (headerLength > length) {
      this.#note(
        "nsh",
        offset,
        `length ${headerLength} is beyond the ${length} bytes of the packet`,
      );
      return;
    }
    if (!this.#fits("nsh", offset, end, headerLength)) return;
    packet.payloadOffset = offset + headerLength - this.#base;
    const linkType = NSH_LINK_TYPES[nsh.nextProtocol];
    if (linkType === undefined) return;
    this.#decodeInner(offset + headerLength, end, length - headerLength, linkType, "nsh");
  }

  /** An Arista timestamp, then the frame's own EtherType and what it announces. */
  #decodeArista(offset: number, end: number): void {
    const packet = this.packet;
    if (!this.#fits("arista", offset, end, ARISTA_FIXED_LENGTH)) return;
    const arista = packet.arista = this.#arista.bind(this.#view, offset, end);
    packet.encapsulated = true;
    const length = arista.headerLength;
    if (length === 0) {
      packet.payloadOffset = offset + ARISTA_FIXED_LENGTH - this.#base;
      this.#note(
        "arista",
        offset,
        `subtype ${arista.subtype} format ${arista.format} is not decoded`,
      );
      return;
    }
    if (!this.#fits("arista", offset, end, length)) return;
    this.#decodeEtherType(arista.etherType, offset + length, end);
  }

  #decodeIpv4(offset: number, end: number): void {
    const packet = this.packet;
    if (!this.#fits("ipv4", offset, end, IPV4_MIN_HEADER_LENGTH)) return;
    const ip = packet.ipv4 = this.#ipv4.bind(this.#view, offset, end);
    const problem = ip.headerProblem(offset - this.#base);
    if (problem !== undefined) {
      this.#note("ipv4", offset, problem);
      return;
    }
    const ihl = ip.ihl;
    if (!this.#fits("ipv4", offset, end, ihl)) return;
    const lengthProblem = ip.endAtTotalLength(this.#wireEnd);
    if (lengthProblem !== undefined) this.#note("ipv4", offset, lengthProblem);
    packet.payloadOffset = offset + ihl - this.#base;
    if (ip.fragOffset !== 0) return; // only the first fragment carries the transport header
    if (ip.protocol === IPPROTO_AH) {
      this.#decodeAh(offset + ihl, ip.end, ip.payloadLength, offset, !ip.mf);
      return;
    }
    this.#decodeTransport(ip.protocol, offset + ihl, ip.end, ip.payloadLength, 4, offset, !ip.mf);
  }

  /**
   * IPv4's AH, then the protocol it protects (one AH deep: a second is not followed). A
   * header cut short is kept for what it shows, as tcpdump prints it.
   */
  #decodeAh(
    offset: number,
    end: number,
    ipPayloadLength: number,
    ipOffset: number,
    wholeSegment: boolean,
  ): void {
    const packet = this.packet;
    if (offset >= end) {
      this.#fits("ah", offset, end, AH_FIXED_LENGTH);
      return;
    }
    const ah = packet.ah = this.#ah.bindPartial(this.#view, offset, end, AH_FIXED_LENGTH);
    if (!this.#fits("ah", offset, end, AH_FIXED_LENGTH)) return;
    const length = ah.length;
    if (length < AH_FIXED_LENGTH) {
      this.#note("ah", offset, `length ${length} < ${AH_FIXED_LENGTH}`);
      return;
    }
    if (!this.#fits("ah", offset, end, length)) return;
    packet.payloadOffset = offset + length - this.#base;
    const next = ah.nextHeader;
    if (next === IPPROTO_AH) return;
    this.#decodeTransport(
      next,
      offset + length,
      end,
      ipPayloadLength - length,
      4,
      ipOffset,
      wholeSegment,
    );
  }

  #decodeIpv6(offset: number, end: number): void {
    const packet = this.packet;
    if (!this.#fits("ipv6", offset, end, IPV6_HEADER_LENGTH)) return;
    const ip = packet.ipv6 = this.#ipv6.bind(this.#view, offset, end);
    ip.resetChain();
    const problem = ip.headerProblem(offset - this.#base);
    if (problem !== undefined) {
      this.#note("ipv6", offset, problem);
      return;
    }
    if (ip.jumboMissing) {
      // RFC 2675 section 2: a payload length of 0 names a Jumbo Payload option, and there is none.
      this.#note("ipv6", offset, "payload length 0 without a Jumbo Payload option");
      return;
    }
    const lengthProblem = ip.endAtPayloadLength(this.#wireEnd);
    if (lengthProblem !== undefined) this.#note("ipv6", offset, lengthProblem);
    const chain = ip.walkChain();
    if (chain === IPV6_CHAIN_TRUNCATED) {
      this.#fits("ipv6", ip.chainStop, ip.end, ip.chainNeed);
      return;
    }
    if (chain === IPV6_CHAIN_TOO_LONG) {
      this.#note("ipv6", ip.chainStop, `more than ${MAX_IPV6_EXTENSIONS} extension headers`);
    }
    for (let i = 0; i < ip.extensionCount; i++) {
      if (ip.extensionTypes[i] === IPPROTO_AH) {
        packet.ah = this.#ah.bind(this.#view, ip.extensionOffsets[i], ip.end);
        break;
      }
    }
    const upper = ip.chainStop;
    packet.payloadOffset = upper - this.#base;
    const protocol = ip.protocol;
    if (ip.laterFragment || protocol === IPV6_ESP) return;
    const whole = ip.fragmentHeaderOffset < 0;
    const routing = ip.routingHeaderOffset;
    const destination = routing < 0
      ? -1
      : this.#routing.bind(this.#view, routing, ip.end).finalDestinationSum(ip.dstAt);
    this.#decodeTransport(
      protocol,
      upper,
      ip.end,
      ip.upperLayerLength,
      6,
      offset,
      whole,
      destination,
    );
  }

  #decodeArp(offset: number, end: number): void {
    const packet = this.packet;
    if (!this.#fits("arp", offset, end, ARP_FIXED_LENGTH)) return;
    const arp = packet.arp = this.#arp.bind(this.#view, offset, end);
    const wireLength = arp.wireLength;
    if (!this.#fits("arp", offset, end, wireLength)) return;
    packet.payloadOffset = offset + wireLength - this.#base;
  }

  #decodeDns(offset: number, end: number, wireLength: number): void {
    // A DNS port with less than a DNS header is a malformed message (tcpdump: "invalid").
    if (wireLength < DNS_HEADER_LENGTH) {
      this.#note("dns", offset, `length ${wireLength} < ${DNS_HEADER_LENGTH}`);
      return;
    }
    if (!this.#fits("dns", offset, end, DNS_HEADER_LENGTH)) return;
    const dns = this.packet.dns = this.#dns.bind(
      this.#view,
      offset,
      Math.min(end, offset + wireLength),
    );
    dns.wireEnd = offset + wireLength;
  }

  /**
   * The application layer of a datagram whose ports name one (`UDP_PROTOCOL_BY_PORT`): the
   * earlier protocol of the two, or the later when the earlier's test fails.
   */
  #decodeUdpApplication(
    udp: UdpHeader,
    payload: number,
    end: number,
    bySource: number,
    byDestination: number,
  ): void {
    const first = bySource === 0
      ? byDestination
      : byDestination === 0
      ? bySource
      : Math.min(bySource, byDestination);
    if (this.#decodeUdpProtocol(first, udp, payload, end)) return;
    const second = Math.max(bySource, byDestination);
    if (second !== first) this.#decodeUdpProtocol(second, udp, payload, end);
  }

  /**
   * Decodes the datagram as `protocol`'s (a `UDP_…` value); false when it does not look like
   * one (WireGuard, QUIC), so that the other port's protocol may be tried.
   */
  #decodeUdpProtocol(
    protocol: number,
    udp: UdpHeader,
    payload: number,
    end: number,
  ): boolean {
    if (protocol === UDP_DNS || protocol === UDP_LLMNR) {
      // Even when empty: a DNS port's datagram shorter than DNS's header is a malformed one.
      this.#decodeDns(payload, end, udp.messageLength);
      return true;
    }
    if (udp.payloadLength <= 0) return true;
    const messageEnd = Math.min(end, payload + udp.payloadLength);
    const packet = this.packet;
    switch (protocol) {
      case UDP_NTP:
        // Control and private messages are shorter than the time header: tcpdump names them.
        if (payload < messageEnd) {
          packet.ntp = this.#ntp.bindPartial(this.#view, payload, messageEnd, 1);
        }
        return true;
      case UDP_BOOTP:
        // A message cut short still shows what tcpdump shows of it (see DhcpMessage.truncated).
        if (payload < messageEnd) {
          packet.dhcp = this.#dhcp.bindPartial(this.#view, payload, messageEnd, BOOTP_FIXED_LENGTH);
        }
        return true;
      case UDP_VXLAN:
        this.#decodeVxlan(payload, messageEnd, udp.payloadLength);
        return true;
      case UDP_GENEVE:
        this.#decodeGeneve(payload, messageEnd, udp.payloadLength);
        return true;
      case UDP_MPLS:
        this.#decodeMpls(payload, messageEnd, udp.payloadLength);
        return true;
      case UDP_WIREGUARD:
        if (!isWireGuard(this.#view, payload, messageEnd, udp.payloadLength)) return false;
        packet.wireguard = this.#wireguard.bind(this.#view, payload, messageEnd);
        return true;
      case UDP_SSDP:
        // SSDP: HTTP over UDP (UPnP Device Architecture 2.0 section 1).
        if (httpStart(this.#view, payload, messageEnd) !== "") {
          packet.http = this.#http.bind(this.#view, payload, messageEnd);
        }
        return true;
      case UDP_NAT_T:
        // RFC 3948 section 2.2: a first word of 0 is IKE's marker, anything else an SPI.
        if (messageEnd - payload >= ESP_HEADER_LENGTH && this.#view.getUint32(payload) !== 0) {
          const esp = packet.esp = this.#esp.bind(this.#view, payload, messageEnd);
          esp.udpEncapsulated = true;
        } else if (
          udp.payloadLength >= NON_ESP_MARKER_LENGTH &&
          messageEnd - payload >= NON_ESP_MARKER_LENGTH && this.#view.getUint32(payload) === 0
        ) {
          this.#decodeIsakmp(
            payload + NON_ESP_MARKER_LENGTH,
            messageEnd,
            udp.payloadLength - NON_ESP_MARKER_LENGTH,
            true,
          );
        }
        return true;
      case UDP_ISAKMP:
        if (payload < messageEnd) {
          this.#decodeIsakmp(payload, messageEnd, udp.payloadLength, false);
        }
        return true;
      case UDP_QUIC: {
        if (!QuicDatagram.looksLikeQuic(this.#view, payload, messageEnd)) return false;
        const quic = packet.quic = this.#quic.bind(this.#view, payload, messageEnd);
        quic.fromServer = udp.srcPort === QUIC_PORT && udp.dstPort !== QUIC_PORT;
        return true;
      }
      case UDP_DHCPV6:
        if (payload < messageEnd) {
          packet.dhcpv6 = this.#dhcpv6.bind(this.#view, payload, messageEnd);
        }
        return true;
      case UDP_SYSLOG:
        packet.syslog = this.#syslog.bind(this.#view, payload, messageEnd, end);
        return true;
      case UDP_SIP:
        return true; // text only: the writer reads its lines
      case UDP_SOMEIP:
        // A message shorter than the header, on the wire or as captured, is kept for what it
        // shows.
        if (payload < messageEnd) {
          packet.someip = this.#someip.bindPartial(
            this.#view,
            payload,
            messageEnd,
            SOMEIP_HEADER_LENGTH,
          );
        }
        return true;
    }
    return true;
  }

  /** ISAKMP's header, which may be cut short (`truncated`); its payloads are not decoded. */
  #decodeIsakmp(offset: number, end: number, wireLength: number, nonEspMarker: boolean): void {
    const isakmp = this.packet.isakmp = this.#isakmp.bindPartial(
      this.#view,
      offset,
      end,
      ISAKMP_HEADER_LENGTH,
    );
    isakmp.nonEspMarker = nonEspMarker;
    isakmp.wireLength = wireLength;
  }

  /** VXLAN's header, then the Ethernet frame it carries as `packet.inner`. */
  #decodeVxlan(offset: number, end: number, length: number): void {
    const packet = this.packet;
    if (!this.#fits("vxlan", offset, end, VXLAN_HEADER_LENGTH)) return;
    packet.vxlan = this.#vxlan.bind(this.#view, offset, end);
    packet.encapsulated = true;
    this.#decodeInner(
      offset + VXLAN_HEADER_LENGTH,
      end,
      length - VXLAN_HEADER_LENGTH,
      LINKTYPE_ETHERNET,
      "vxlan",
    );
  }

  /**
   * An MPLS label stack, then (when the bottom label or the first nibble says IPv4 or IPv6)
   * its payload as `packet.inner`.
   */
  #decodeMpls(offset: number, end: number, length: number): void {
    const packet = this.packet;
    if (!this.#fits("mpls", offset, end, MPLS_ENTRY_LENGTH)) return;
    const mpls = packet.mpls = this.#mpls.bind(this.#view, offset, end);
    mpls.wireLength = length;
    packet.encapsulated = true;
    const stack = mpls.length;
    if (!mpls.complete) {
      if (mpls.count === MAX_MPLS_LABELS) {
        this.#note("mpls", offset, `more than ${MAX_MPLS_LABELS} labels`);
      } else this.#fits("mpls", offset, end, stack + MPLS_ENTRY_LENGTH);
      return;
    }
    packet.payloadOffset = offset + stack - this.#base;
    const version = mpls.payloadVersion();
    if (version === 0) return;
    const linkType = version === 4 ? LINKTYPE_IPV4 : LINKTYPE_IPV6;
    this.#decodeInner(offset + stack, end, length - stack, linkType, "mpls");
  }

  /** Geneve's header and options, then what it carries as `packet.inner`. */
  #decodeGeneve(offset: number, end: number, length: number): void {
    const packet = this.packet;
    if (!this.#fits("geneve", offset, end, GENEVE_FIXED_LENGTH)) return;
    const geneve = packet.geneve = this.#geneve.bind(this.#view, offset, end);
    packet.encapsulated = true;
    const headerLength = geneve.headerLength;
    if (!this.#fits("geneve", offset, end, headerLength)) return;
    packet.payloadOffset = offset + headerLength - this.#base;
    if (geneve.version !== 0) return;
    const linkType = TUNNEL_LINK_TYPES.get(geneve.protocol);
    if (linkType === undefined) return;
    this.#decodeInner(offset + headerLength, end, length - headerLength, linkType, "geneve");
  }

  /** GRE's header, then the IPv4, IPv6 or Ethernet frame it carries as `packet.inner`. */
  #decodeGre(offset: number, end: number, length: number): void {
    const packet = this.packet;
    if (!this.#fits("gre", offset, end, GRE_MIN_LENGTH)) return;
    const gre = packet.gre = this.#gre.bind(this.#view, offset, end);
    packet.encapsulated = true;
    const headerLength = gre.headerLength;
    if (!this.#fits("gre", offset, end, headerLength)) return;
    packet.payloadOffset = offset + headerLength - this.#base;
    if (gre.version !== 0 || (gre.flagsAndVersion & GRE_ROUTING) !== 0) return;
    const protocol = gre.protocol;
    if (protocol === GRE_PROTOCOL_ERSPAN || protocol === GRE_PROTOCOL_ERSPAN3) {
      this.#decodeErspan(gre, offset + headerLength, end, length - headerLength);
      return;
    }
    const linkType = TUNNEL_LINK_TYPES.get(protocol);
    if (linkType === undefined) return;
    this.#decodeInner(offset + headerLength, end, length - headerLength, linkType, "gre");
  }

  /**
   * ERSPAN's header (none for type I: GRE without a sequence number), then the mirrored
   * Ethernet frame as `packet.inner`.
   */
  #decodeErspan(gre: GreHeader, offset: number, end: number, length: number): void {
    const packet = this.packet;
    const type = gre.protocol === GRE_PROTOCOL_ERSPAN3 ? 3 : gre.sequencePresent ? 2 : 1;
    const fixed = type === 1 ? 0 : type === 2 ? ERSPAN2_LENGTH : ERSPAN3_LENGTH;
    if (!this.#fits("erspan", offset, end, fixed)) return;
    const erspan = packet.erspan = this.#erspan.bindType(this.#view, offset, end, type);
    const headerLength = erspan.headerLength;
    if (!this.#fits("erspan", offset, end, headerLength)) return;
    // Type III may carry IP rather than Ethernet (frame type 2): left as payload.
    if (type === 3 && erspan.frameType !== 0) {
      packet.payloadOffset = offset + headerLength - this.#base;
      return;
    }
    this.#decodeInner(
      offset + headerLength,
      end,
      length - headerLength,
      LINKTYPE_ETHERNET,
      "erspan",
    );
  }

  /**
   * Decodes the frame a tunnel carries, `end - offset` bytes captured of `length`, as a packet
   * of its own; past `MAX_ENCAPSULATION_DEPTH` tunnels it stops with a note instead.
   */
  #decodeInner(offset: number, end: number, length: number, linkType: number, layer: string): void {
    const packet = this.packet;
    packet.encapsulated = true;
    packet.payloadOffset = offset - this.#base;
    if (this.#depth + 1 >= MAX_ENCAPSULATION_DEPTH) {
      this.#note(layer, offset, `more than ${MAX_ENCAPSULATION_DEPTH} tunnels deep`);
      return;
    }
    const inner = this.#innerDecoder ??= new Decoder(this.#depth + 1);
    const bytes = this.#bytes;
    const captured = Math.max(0, end - offset);
    packet.inner = inner.decodeAt(
      bytes,
      offset - bytes.byteOffset,
      captured,
      linkType,
      Math.max(length, captured),
    );
    packet.innerLength = length;
  }

  #decodeTransport(
    protocol: number,
    offset: number,
    end: number,
    ipPayloadLength: number,
    ipVersion: 4 | 6,
    ipOffset: number,
    wholeSegment = true,
    pseudoDestinationSum = -1,
  ): void {
    // A fragment holds part of the segment: its checksum cannot be verified from it alone.
    const checksummed = wholeSegment ? ipPayloadLength : -1;
    const packet = this.packet;
    if (protocol === IPPROTO_TCP) {
      // Ports alone are worth showing, as tcpdump does for a header cut by the snaplen.
      if (end - offset >= PORTS_LENGTH) {
        packet.tcp = this.#tcp.bindPartial(this.#view, offset, end, TCP_MIN_HEADER_LENGTH)
          .setPseudoHeader(ipVersion, ipOffset, checksummed, pseudoDestinationSum);
      }
      if (!this.#fits("tcp", offset, end, TCP_MIN_HEADER_LENGTH)) return;
      const tcp = this.#tcp;
      // The fixed header is whole: its fields are read straight from the bytes, as the getters
      // would read them, without a bounds check each.
      const view = this.#view;
      const dataOffset = tcpDataOffset(view.getUint16(offset + TCP_FIELD_OFFSETS.offsetAndFlags));
      tcp.payloadLength = Math.max(0, ipPayloadLength - dataOffset);
      if (dataOffset < TCP_MIN_HEADER_LENGTH) {
        this.#note("tcp", offset, tcp.headerProblem!);
        return;
      }
      if (!this.#fits("tcp", offset, end, dataOffset)) return; // options cut short
      packet.payloadOffset = offset + dataOffset - this.#base;
      // DNS over TCP: a two-byte length, then the message (RFC 1035 section 4.2.2).
      if (
        isDnsPort(
          view.getUint16(offset + TCP_FIELD_OFFSETS.sourcePort),
          view.getUint16(offset + TCP_FIELD_OFFSETS.destinationPort),
        ) && tcp.payloadLength >= 2 + DNS_HEADER_LENGTH
      ) {
        this.#decodeDns(offset + dataOffset + 2, end, tcp.payloadLength - 2);
      } else if (tcp.payloadLength > 0) {
        const payload = offset + dataOffset;
        if (httpStart(this.#view, payload, end) !== "") {
          packet.http = this.#http.bind(this.#view, payload, end);
        } else if (isTlsRecordStart(this.#view, payload, end)) {
          packet.tls = this.#tls.bind(this.#view, payload, end);
        }
      }
    } else if (protocol === IPPROTO_UDP) {
      if (end - offset >= PORTS_LENGTH) {
        packet.udp = this.#udp.bindPartial(this.#view, offset, end, UDP_HEADER_LENGTH)
          .setPseudoHeader(ipVersion, ipOffset, checksummed, pseudoDestinationSum);
        this.#udp.ipPayloadLength = ipPayloadLength;
      }
      if (!this.#fits("udp", offset, end, UDP_HEADER_LENGTH)) return;
      packet.payloadOffset = offset + UDP_HEADER_LENGTH - this.#base;
      const udp = this.#udp;
      // The checksum covers the datagram's own length (RFC 768), not bytes the IP packet has
      // after it: tcpdump and tshark sum `udp.length` bytes.
      const udpLength = udp.length;
      if (checksummed > 0 && udpLength >= UDP_HEADER_LENGTH && udpLength < checksummed) {
        udp.segmentLength = udpLength;
      }
      const bySource = UDP_PROTOCOL_BY_PORT[udp.srcPort];
      const byDestination = UDP_PROTOCOL_BY_PORT[udp.dstPort];
      if (bySource !== 0 || byDestination !== 0) {
        this.#decodeUdpApplication(udp, offset + UDP_HEADER_LENGTH, end, bySource, byDestination);
      }
    } else if (
      (protocol === IPPROTO_ICMP && ipVersion === 4) ||
      (protocol === IPPROTO_ICMPV6 && ipVersion === 6)
    ) {
      if (end - offset >= ICMP_TYPE_CODE_CHECKSUM_LENGTH) {
        const icmp = packet.icmp = this.#icmp.bindVersion(this.#view, offset, end, ipVersion);
        icmp.truncated = end - offset < ICMP_HEADER_LENGTH;
        icmp.messageLength = ipPayloadLength;
        icmp.setPseudoHeader(ipVersion, ipOffset, checksummed, pseudoDestinationSum);
      }
      if (!this.#fits("icmp", offset, end, ICMP_HEADER_LENGTH)) return;
      packet.payloadOffset = offset + ICMP_HEADER_LENGTH - this.#base;
    } else if (protocol === IPPROTO_GRE) {
      this.#decodeGre(offset, end, ipPayloadLength);
    } else if (protocol === IPPROTO_IPIP) {
      this.#decodeInner(offset, end, ipPayloadLength, LINKTYPE_IPV4, "ipip");
    } else if (protocol === IPPROTO_IPV6_IN_IP) {
      this.#decodeInner(offset, end, ipPayloadLength, LINKTYPE_IPV6, "ip6");
    } else if (protocol === IPPROTO_ETHERNET) {
      this.#decodeInner(offset, end, ipPayloadLength, LINKTYPE_ETHERNET, "ethernet");
    } else if (protocol === IPPROTO_ESP && ipVersion === 4) {
      if (!this.#fits("esp", offset, end, ESP_HEADER_LENGTH)) return;
      packet.esp = this.#esp.bind(this.#view, offset, end);
      packet.esp.udpEncapsulated = false;
    } else if (protocol === IPPROTO_IGMP && ipVersion === 4) {
      const problem = igmpLengthProblem(ipPayloadLength);
      if (problem !== undefined) {
        this.#note("igmp", offset, problem);
        return;
      }
      if (!this.#fits("igmp", offset, end, IGMP_HEADER_LENGTH)) return;
      packet.igmp = this.#igmp.bindMessage(this.#view, offset, end, ipPayloadLength, wholeSegment);
      packet.payloadOffset = offset + IGMP_HEADER_LENGTH - this.#base;
    }
  }
}
