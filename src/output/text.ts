/**
 * One readable line per packet, modeled on tcpdump's, with its `-v`, `-e`, `-x` and `-X`
 * forms.
 *
 * @example
 * ```ts
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { TextFormatter } from "./text.ts";
 * const bytes = new Uint8Array([
 *   0x45, 0, 0, 33, 0, 1, 0x40, 0, 64, 17, 0x3c, 0xca, 127, 0, 0, 1, 127, 0, 0, 1,
 *   0x13, 0x88, 0x13, 0x89, 0, 13, 0, 0, 104, 101, 108, 108, 111,
 * ]);
 * const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 33, len: 33 };
 * const line = new TextFormatter().format(decode(bytes, LINKTYPE_RAW), header);
 * console.log(line.slice(16)); // "IP 127.0.0.1.5000 > 127.0.0.1.5001: UDP, length 5\n"
 * ```
 * @module
 */

import {
  type DnsMessage,
  ETHERNET_MAX_LENGTH_FIELD,
  type EthernetHeader,
  etherTypeName,
  ICMP_PARAMETER_PROBLEM,
  ICMP_REDIRECT,
  ICMP_TIME_EXCEEDED,
  ICMP_UNREACHABLE,
  type IcmpHeader,
  ICMPV6_PACKET_TOO_BIG,
  ICMPV6_PARAMETER_PROBLEM,
  ICMPV6_TIME_EXCEEDED,
  ICMPV6_UNREACHABLE,
  ipProtocolName,
  type Ipv4Header,
  IPV6_FRAGMENT,
  type Ipv6Header,
  ND_NEIGHBOR_ADVERT,
  ND_NEIGHBOR_SOLICIT,
  ND_REDIRECT,
  type Packet,
  type QuotedPacket,
  TCP_ACK,
  TCP_FIN,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  type TcpHeader,
  TCPOPT_MSS,
  TCPOPT_SACK,
  TCPOPT_TIMESTAMP,
  TCPOPT_WSCALE,
} from "../decode/mod.ts";
import type { TcpAnalysis } from "../analysis/flows.ts";
import type { Reassembled } from "../analysis/reassembly.ts";
import { ECN_NAMES } from "../decode/ipv4.ts";
import { hexDump } from "./hexdump.ts";
import { type FrameHeader, TimeOfDay } from "./timestamp.ts";

/** What the stateful analysis adds to a packet's line. */
export interface PacketExtras {
  /** TCP analysis (relative numbers, flags) for a TCP segment. */
  analysis?: TcpAnalysis;
  /** The datagram this fragment completed. */
  reassembled?: Reassembled;
}

/** What to show besides the summary line. */
export interface TextOptions {
  /** `-S`: absolute TCP sequence numbers instead of relative ones. */
  absoluteSequence?: boolean;
  /** `-v`: every field of the network header, on an indented line before the summary. */
  verbose?: boolean;
  /** `-e`: the link-layer header. */
  link?: boolean;
  /** `-x` (hex) or `-X` (hex and ASCII) dump of the packet from the network layer on. */
  hex?: "none" | "hex" | "ascii";
  /** ANSI colour: only for a terminal, and only without `NO_COLOR`. */
  color?: boolean;
}

const DSCP_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "CS0"],
  [1, "LE"],
  [8, "CS1"],
  [10, "AF11"],
  [12, "AF12"],
  [14, "AF13"],
  [16, "CS2"],
  [18, "AF21"],
  [20, "AF22"],
  [22, "AF23"],
  [24, "CS3"],
  [26, "AF31"],
  [28, "AF32"],
  [30, "AF33"],
  [32, "CS4"],
  [34, "AF41"],
  [36, "AF42"],
  [38, "AF43"],
  [40, "CS5"],
  [44, "VA"],
  [46, "EF"],
  [48, "CS6"],
  [56, "CS7"],
]);

type Paint = (text: string) => string;
const plain: Paint = (text) => text;
const ansi = (open: number, close: number): Paint => (text) => `\x1b[${open}m${text}\x1b[${close}m`;

function hex16(value: number): string {
  return "0x" + value.toString(16).padStart(4, "0");
}

function etherTypeText(type: number): string {
  return `ethertype ${etherTypeName(type)} (${hex16(type)})`;
}

/** The text of `-v`'s IPv4 header: every field, in tcpdump's parenthesised style. */
export function ipv4Details(ip: Ipv4Header): string {
  const dscp = ip.dscp;
  const flags = [ip.df && "DF", ip.mf && "MF", ip.reservedFlag && "rsvd"].filter(Boolean);
  const checksumOk = ip.checksumOk;
  const checksum = checksumOk === null
    ? `cksum ${hex16(ip.checksum)} (unverified)`
    : checksumOk
    ? `cksum ${hex16(ip.checksum)} (correct)`
    : `cksum ${hex16(ip.checksum)} (incorrect -> ${hex16(ip.expectedChecksum ?? 0)})`;
  const options = ip.ihl > 20
    ? `, options [${
      ip.options.map((option) =>
        option.length > 1
          ? `${option.name} (${option.type}) len ${option.length}${
            option.malformed ? " malformed" : ""
          }`
          : option.name
      ).join(", ")
    }]`
    : "";
  return `(version ${ip.version}, ihl ${ip.ihl}, tos 0x${ip.tos.toString(16)} [dscp ${
    DSCP_NAMES.get(dscp) ?? dscp
  } (${dscp}), ecn ${ECN_NAMES[ip.ecn]}], ttl ${ip.ttl}, id ${ip.id}, offset ${ip.fragOffset}, ` +
    `flags [${flags.length ? flags.join(", ") : "none"}], proto ${
      ipProtocolName(ip.protocol)
    } (${ip.protocol}), length ${ip.length}, ${checksum}${options})`;
}

/** The text of `-v`'s IPv6 fixed header. */
export function ipv6Details(ip: Ipv6Header): string {
  return `(class 0x${ip.trafficClass.toString(16)}, flowlabel 0x${
    ip.flowLabel.toString(16).padStart(5, "0")
  }, hlim ${ip.hopLimit}, next-header ${ipProtocolName(ip.nextHeader)} (${ip.nextHeader}), ` +
    `payload length ${ip.payloadLength})`;
}

/** Wireshark's words for the analysis flags, in brackets: ` [retransmission] [dup ack #2]`. */
function analysisText(analysis: TcpAnalysis): string {
  let text = "";
  if (analysis.fastRetransmission) text += " [fast retransmission]";
  else if (analysis.retransmission) text += " [retransmission]";
  if (analysis.spuriousRetransmission) text += " [spurious retransmission]";
  if (analysis.outOfOrder) text += " [out-of-order]";
  if (analysis.lostSegment) text += " [previous segment not captured]";
  if (analysis.duplicateAck) text += ` [dup ack #${analysis.duplicateAck}]`;
  if (analysis.zeroWindow) text += " [zero window]";
  if (analysis.windowFull) text += " [window full]";
  if (analysis.keepAlive) text += " [keep-alive]";
  if (analysis.reset) text += " [reset]";
  return text;
}

/** `cksum 0x1234 (correct)`, `(incorrect -> 0x5678)`, `(unverified)` or `(offloaded)`. */
function checksumText(
  sent: number,
  ok: boolean | null,
  expected: number | null,
  offloaded = false,
): string {
  if (offloaded) return `cksum ${hex16(sent)} (unverified, offloaded)`;
  if (ok === null) return `cksum ${hex16(sent)} (unverified)`;
  return ok
    ? `cksum ${hex16(sent)} (correct)`
    : `cksum ${hex16(sent)} (incorrect -> ${hex16(expected ?? 0)})`;
}

/** tcpdump's option list: `mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7`. */
function tcpOptionsText(tcp: TcpHeader, sackBase = 0): string {
  return tcp.options.map((option) => {
    if (option.malformed) {
      return `${
        option.name === "unknown" ? `opt-${option.kind}` : option.name
      } [bad length ${option.length}]`;
    }
    switch (option.kind) {
      case TCPOPT_MSS:
      case TCPOPT_WSCALE:
        return `${option.name} ${option.value}`;
      case TCPOPT_TIMESTAMP:
        return `TS val ${option.tsval} ecr ${option.tsecr}`;
      case TCPOPT_SACK:
        return `sack ${option.blocks?.length ?? 0} ${
          (option.blocks ?? []).map(([left, right]) =>
            `{${(left - sackBase) >>> 0}:${(right - sackBase) >>> 0}}`
          ).join("")
        }`;
      default:
        return option.name === "unknown"
          ? `unknown-${option.kind}${option.data ? " 0x" + option.data : ""}`
          : option.name;
    }
  }).join(",");
}

/** tcpdump's words for the IPv6 extension headers in front of the payload. */
function ipv6ChainText(ip6: Ipv6Header): string {
  let text = "";
  for (let i = 0; i < ip6.extensionCount; i++) {
    const type = ip6.extensionTypes[i];
    if (type === IPV6_FRAGMENT) {
      const fragment = ip6.fragment!;
      const bytes = ip6.payloadLength - (ip6.extensionOffsets[i] + 8 - ip6.offset - 40);
      text += `frag (${fragment.offset}|${bytes}) `;
    } else {
      text +=
        ({ 0: "HBH", 43: "srcrt", 60: "DSTOPT", 51: "AH", 50: "ESP" } as Record<number, string>)[
          type
        ] ??
          `ext-${type}`;
      text += " ";
    }
  }
  return text;
}

/** `4660+ A? example.com. (29)` for a query; `4660 NXDomain q: A? … 0/1/0 (…)` for a reply. */
function dnsText(dns: DnsMessage, length: number): string {
  const name = dns.questionName;
  const question = name === null
    ? ""
    : `${dns.questionTypeName}? ${name === "." ? "." : name + "."} `;
  const flags = dns.flagsWord;
  if (!dns.isResponse) {
    return `${dns.id}${flags & 0x0100 ? "+" : ""} ${question}(${length})`;
  }
  const marks = `${flags & 0x0400 ? "*" : ""}${flags & 0x0080 ? "" : "-"}${
    flags & 0x0200 ? "|" : ""
  }`;
  const rcode = dns.rcode === 0 ? "" : ` ${dns.rcodeName}`;
  return `${dns.id}${marks}${rcode} ${
    question ? `q: ${question}` : ""
  }${dns.answerCount}/${dns.authorityCount}/${dns.additionalCount} (${length})`;
}

/** `, 2001:db8::2 udp port 53` for what an ICMP error quotes. */
function quotedText(quoted: QuotedPacket | null): string {
  if (quoted === null) return "";
  const protocol = ipProtocolName(quoted.protocol).toLowerCase();
  return quoted.dstPort === undefined
    ? `, ${quoted.dst} ${protocol}`
    : `, ${quoted.dst} ${protocol} port ${quoted.dstPort}`;
}

/** tcpdump's wording of ICMPv4 unreachable messages. */
function unreachableText(icmp: IcmpHeader, quoted: QuotedPacket | null): string {
  const dst = quoted?.dst ?? "?";
  switch (icmp.code) {
    case 0:
      return `net ${dst} unreachable`;
    case 1:
      return `host ${dst} unreachable`;
    case 2:
      return `${dst} protocol ${quoted?.protocol ?? "?"} unreachable`;
    case 3: {
      const protocol = ipProtocolName(quoted?.protocol ?? 0).toLowerCase();
      return `${dst} ${protocol} port ${quoted?.dstPort ?? "?"} unreachable`;
    }
    case 4:
      return `${dst} unreachable - need to frag (mtu ${icmp.mtu})`;
    default:
      return `${dst} unreachable - ${icmp.codeName}`;
  }
}

/** Turns decoded packets into tcpdump-style text; keep one per output stream. */
export class TextFormatter {
  readonly #options: TextOptions;
  readonly #clock = new TimeOfDay();
  #analysis: TcpAnalysis | undefined;
  readonly #dim: Paint;
  readonly #bold: Paint;
  readonly #red: Paint;
  readonly #flag: Paint;

  constructor(options: TextOptions = {}) {
    this.#options = options;
    const color = options.color === true;
    this.#dim = color ? ansi(2, 22) : plain;
    this.#bold = color ? ansi(1, 22) : plain;
    this.#red = color ? ansi(31, 39) : plain;
    this.#flag = color ? ansi(33, 39) : plain;
  }

  /** The packet's text: one line (more with `-v`, `-x`, `-X`), ending in a newline. */
  format(packet: Packet, header: FrameHeader, extras: PacketExtras = {}): string {
    const options = this.#options;
    this.#analysis = extras.analysis;
    let line = this.#dim(this.#clock.format(header)) + " ";
    if (options.link) line += this.#linkText(packet, header);
    line += this.#networkText(packet, header);
    if (packet.error !== undefined) line += " " + this.#red(`[|${packet.error}]`);
    line += "\n";
    const reassembled = extras.reassembled;
    if (reassembled !== undefined) {
      this.#analysis = undefined;
      const inner = reassembled.packet;
      const ip = inner.ipv4 ?? inner.ipv6;
      const notes = (reassembled.overlaps ? `, ${reassembled.overlaps} overlapping` : "") +
        (reassembled.duplicates ? `, ${reassembled.duplicates} duplicate` : "");
      line +=
        `    reassembled ${reassembled.fragments} fragments${notes} (${reassembled.length} bytes): ${
          ip ? this.#endpointsText(inner, ip.src, ip.dst, inner.ipv4) : ""
        }\n`;
    }
    if (options.verbose && header.comment !== undefined) {
      // The file's words, not ours: no control character reaches the terminal.
      // deno-lint-ignore no-control-regex -- matching control characters is the point
      line += `    comment: ${header.comment.replace(/[\x00-\x1f\x7f]/g, ".")}\n`;
    }
    if (options.hex === "hex" || options.hex === "ascii") {
      line += hexDump(packet.frame.subarray(packet.networkOffset), options.hex === "ascii");
    }
    return line;
  }

  #linkText(packet: Packet, header: FrameHeader): string {
    const eth = packet.eth;
    let text = "";
    if (eth !== undefined) text = this.#ethernetText(eth, header.len);
    else if (packet.sll !== undefined) {
      const sll = packet.sll;
      const index = sll.version === 2 ? `ifindex ${sll.interfaceIndex} ` : "";
      text = `${index}${sll.direction.padStart(3)} ${sll.address || "-"} ${
        etherTypeText(sll.protocol)
      }, length ${header.len}: `;
    } else if (packet.loopback !== undefined) {
      text = `AF ${packet.loopback.family}, length ${header.len}: `;
    }
    for (let i = 0; i < packet.vlanCount; i++) {
      const tag = packet.vlanTags[i];
      text += `vlan ${tag.id}, p ${tag.pcp}${tag.dei ? ", DEI" : ""}, ${
        etherTypeText(tag.etherType)
      }, `;
    }
    return text;
  }

  #ethernetText(eth: EthernetHeader, len: number): string {
    const type = eth.etherType;
    const kind = type <= ETHERNET_MAX_LENGTH_FIELD ? `802.3 length ${type}` : etherTypeText(type);
    return `${eth.src} > ${eth.dst}, ${kind}, length ${len}: `;
  }

  #networkText(packet: Packet, header: FrameHeader): string {
    const link = this.#options.link === true;
    const networkLength = Math.max(0, header.len - packet.networkOffset);
    const ip4 = packet.ipv4;
    if (ip4 !== undefined) {
      const details = this.#options.verbose ? ipv4Details(ip4) : "";
      return this.#ipText("IP", details, this.#endpointsText(packet, ip4.src, ip4.dst, ip4));
    }
    const ip6 = packet.ipv6;
    if (ip6 !== undefined) {
      const details = this.#options.verbose ? ipv6Details(ip6) : "";
      return this.#ipText("IP6", details, this.#endpointsText(packet, ip6.src, ip6.dst));
    }
    const arp = packet.arp;
    if (arp !== undefined) {
      const prefix = link ? "" : this.#bold("ARP") + ", ";
      const op = arp.operationName;
      if (!arp.isEthernetIpv4) {
        return `${prefix}${op}, hardware ${arp.hardwareType}, length ${networkLength}`;
      }
      if (arp.operation === 1) {
        const what = arp.senderIp === arp.targetIp ? " (gratuitous)" : "";
        return `${prefix}${op} who-has ${arp.targetIp} tell ${arp.senderIp}${what}, length ${networkLength}`;
      }
      if (arp.operation === 2) {
        return `${prefix}${op} ${arp.senderIp} is-at ${arp.senderMac}, length ${networkLength}`;
      }
      return `${prefix}${op} ${arp.senderIp} > ${arp.targetIp}, length ${networkLength}`;
    }
    if (link) return `length ${networkLength}`;
    const type = packet.networkType;
    if (packet.eth !== undefined && type <= ETHERNET_MAX_LENGTH_FIELD) {
      return `802.3, length ${networkLength}`;
    }
    if (type === 0) return `length ${header.len}`;
    return `${etherTypeText(type)}, length ${networkLength}`;
  }

  /** `IP …`: the name unless `-e` already said it, `-v`'s header line, then the endpoints. */
  #ipText(name: string, details: string, endpoints: string): string {
    const options = this.#options;
    const prefix = options.link ? "" : this.#bold(name) + " ";
    return options.verbose ? `${prefix}${details}\n    ${endpoints}` : prefix + endpoints;
  }

  #endpointsText(packet: Packet, src: string, dst: string, ip4?: Ipv4Header): string {
    const verbose = this.#options.verbose === true;
    const fragment = ip4 !== undefined && ip4.isFragment
      ? ` (frag ${ip4.id}:${Math.max(0, ip4.length - ip4.ihl)}@${ip4.fragOffset}${
        ip4.mf ? "+" : ""
      })`
      : "";
    const ip6 = ip4 === undefined ? packet.ipv6 : undefined;
    const chain = ip6 !== undefined && ip6.extensionCount > 0 ? ipv6ChainText(ip6) : "";
    const tcp = packet.tcp;
    const cut = chain === "" ? "" : " " + chain.trimEnd();
    if (tcp?.truncated) return `${src}.${tcp.srcPort} > ${dst}.${tcp.dstPort}:${cut}${fragment}`;
    const udpPorts = packet.udp;
    if (udpPorts?.truncated) {
      return `${src}.${udpPorts.srcPort} > ${dst}.${udpPorts.dstPort}:${cut}${fragment}`;
    }
    if (tcp !== undefined) {
      const dns = packet.dns !== undefined ? " " + dnsText(packet.dns, tcp.payloadLength - 2) : "";
      return `${src}.${tcp.srcPort} > ${dst}.${tcp.dstPort}: ${chain}${
        this.#tcpText(tcp, verbose)
      }${dns}${fragment}`;
    }
    const udp = packet.udp;
    if (udp !== undefined) {
      const ports = `${src}.${udp.srcPort} > ${dst}.${udp.dstPort}: ${chain}`;
      const checksum = verbose
        ? `, ${checksumText(udp.checksum, udp.checksumOk, udp.expectedChecksum, udp.offloaded)}`
        : "";
      if (packet.dns !== undefined) {
        return `${ports}${verbose ? `UDP${checksum} ` : ""}${
          dnsText(packet.dns, udp.payloadLength)
        }${fragment}`;
      }
      return `${ports}UDP${checksum}, length ${udp.payloadLength}${fragment}`;
    }
    const icmp = packet.icmp;
    if (icmp !== undefined) return `${src} > ${dst}: ${chain}${this.#icmpText(icmp)}${fragment}`;
    if (ip4 !== undefined && ip4.fragOffset !== 0) {
      // A later fragment: its transport header is in the first one.
      return `${src} > ${dst}: ip-proto-${ip4.protocol}${fragment}`;
    }
    if (packet.error !== undefined) return `${src} > ${dst}:${cut}${fragment}`;
    if (ip6?.fragment && ip6.fragment.offset !== 0) return `${src} > ${dst}:${cut}`;
    const esp = ip6?.esp;
    if (esp) {
      return `${src} > ${dst}: ${chain.replace(/ESP $/, "")}ESP(spi=0x${
        esp.spi.toString(16).padStart(8, "0")
      },seq=0x${esp.sequence.toString(16)}), length ${esp.length}`;
    }
    const protocol = ip4 !== undefined ? ip4.protocol : ip6?.protocol ?? 0;
    const name = ipProtocolName(protocol);
    const payload = ip4 !== undefined ? Math.max(0, ip4.length - ip4.ihl) : ip6?.payloadLength ?? 0;
    const what = name === "unknown" ? `ip-proto-${protocol}` : name;
    return `${src} > ${dst}: ${chain}${what}, length ${payload}${fragment}`;
  }

  #tcpText(tcp: TcpHeader, verbose: boolean): string {
    const bits = tcp.flagBits;
    const length = tcp.payloadLength;
    const analysis = this.#options.absoluteSequence ? undefined : this.#analysis;
    // As tcpdump: numbers relative to the connection's first are shown on segments with ACK
    // set and no SYN (so SYNs and a bare RST show absolute ones), except the first of a
    // stream joined midway.
    const relative = analysis !== undefined && (bits & (TCP_ACK | TCP_SYN)) === TCP_ACK &&
      (analysis.isnSeen || analysis.relativeSeq !== 0);
    let text = `Flags [${this.#flag(tcp.flagText)}]`;
    if (verbose) {
      text += `, ${
        checksumText(tcp.checksum, tcp.checksumOk, tcp.expectedChecksum, tcp.offloaded)
      }`;
    }
    if (length > 0 || (bits & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0) {
      const seq = relative ? analysis.relativeSeq : tcp.seq;
      text += length > 0 ? `, seq ${seq}:${(seq + length) >>> 0}` : `, seq ${seq}`;
    }
    if (bits & TCP_ACK) {
      const ack = relative && analysis.relativeAck !== null ? analysis.relativeAck : tcp.ack;
      text += `, ack ${ack}`;
    }
    text += `, win ${tcp.window}`;
    if (bits & TCP_URG) text += `, urg ${tcp.urgent}`;
    const sackBase = relative && analysis.peerBase !== null ? analysis.peerBase : 0;
    if (tcp.dataOffset > 20) text += `, options [${tcpOptionsText(tcp, sackBase)}]`;
    text += `, length ${length}`;
    if (verbose && this.#analysis !== undefined) text += analysisText(this.#analysis);
    return text;
  }

  #icmpText(icmp: IcmpHeader): string {
    const v4 = icmp.version === 4;
    const label = v4 ? "ICMP " : "ICMP6, ";
    if (icmp.truncated) return label + (icmp.codeName ?? icmp.typeName);
    const length = `, length ${icmp.messageLength}`;
    if (icmp.isEcho) {
      return `${label}${icmp.typeName}, id ${icmp.id}, seq ${icmp.sequence}${length}`;
    }
    const quoted = icmp.quoted;
    if (v4) {
      switch (icmp.type) {
        case ICMP_UNREACHABLE:
          return `ICMP ${unreachableText(icmp, quoted)}${length}`;
        case ICMP_TIME_EXCEEDED:
          return `ICMP time exceeded ${icmp.code === 1 ? "ip reassembly" : "in-transit"}${length}`;
        case ICMP_REDIRECT:
          return `ICMP redirect ${quoted?.dst ?? "?"} to ${
            icmp.code % 2 === 0 ? "net" : "host"
          } ${icmp.gateway}${length}`;
        case ICMP_PARAMETER_PROBLEM:
          return `ICMP parameter problem - octet ${icmp.pointer}${length}`;
      }
      return `ICMP ${icmp.typeName}${length}`;
    }
    switch (icmp.type) {
      case ICMPV6_UNREACHABLE:
        return `ICMP6, destination unreachable, ${icmp.codeName}${quotedText(quoted)}${length}`;
      case ICMPV6_PACKET_TOO_BIG:
        return `ICMP6, packet too big, mtu ${icmp.mtu}${length}`;
      case ICMPV6_TIME_EXCEEDED:
        return `ICMP6, time exceeded ${icmp.codeName}${quotedText(quoted)}${length}`;
      case ICMPV6_PARAMETER_PROBLEM:
        return `ICMP6, parameter problem, octet ${icmp.pointer}${length}`;
      case ND_NEIGHBOR_SOLICIT:
        return `ICMP6, neighbor solicitation, who has ${icmp.target}${length}`;
      case ND_NEIGHBOR_ADVERT: {
        const flags = icmp.ndFlags;
        const set = flags ? Object.entries(flags).filter(([, on]) => on).map(([name]) => name) : [];
        return `ICMP6, neighbor advertisement, tgt is ${icmp.target}${
          set.length ? `, Flags [${set.join(", ")}]` : ""
        }${length}`;
      }
      case ND_REDIRECT:
        return `ICMP6, redirect, ${icmp.target}${length}`;
    }
    return `ICMP6, ${icmp.typeName}${length}`;
  }
}
