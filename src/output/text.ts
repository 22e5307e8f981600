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
  ETHERNET_MAX_LENGTH_FIELD,
  type EthernetHeader,
  etherTypeName,
  type IcmpHeader,
  ipProtocolName,
  type Ipv4Header,
  type Ipv6Header,
  type Packet,
  TCP_ACK,
  TCP_FIN,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  type TcpHeader,
} from "../decode/mod.ts";
import { ECN_NAMES } from "../decode/ipv4.ts";
import { hexDump } from "./hexdump.ts";
import { type FrameHeader, TimeOfDay } from "./timestamp.ts";

/** What to show besides the summary line. */
export interface TextOptions {
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

/** Turns decoded packets into tcpdump-style text; keep one per output stream. */
export class TextFormatter {
  readonly #options: TextOptions;
  readonly #clock = new TimeOfDay();
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
  format(packet: Packet, header: FrameHeader): string {
    const options = this.#options;
    let line = this.#dim(this.#clock.format(header)) + " ";
    if (options.link) line += this.#linkText(packet, header);
    line += this.#networkText(packet, header);
    if (packet.error !== undefined) line += " " + this.#red(`[|${packet.error}]`);
    line += "\n";
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
      return this.#ipText(
        "IP",
        ipv4Details(ip4),
        this.#endpointsText(packet, ip4.src, ip4.dst, ip4),
      );
    }
    const ip6 = packet.ipv6;
    if (ip6 !== undefined) {
      return this.#ipText("IP6", ipv6Details(ip6), this.#endpointsText(packet, ip6.src, ip6.dst));
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
    const tcp = packet.tcp;
    if (tcp?.truncated) return `${src}.${tcp.srcPort} > ${dst}.${tcp.dstPort}:${fragment}`;
    const udpPorts = packet.udp;
    if (udpPorts?.truncated) {
      return `${src}.${udpPorts.srcPort} > ${dst}.${udpPorts.dstPort}:${fragment}`;
    }
    if (tcp !== undefined) {
      return `${src}.${tcp.srcPort} > ${dst}.${tcp.dstPort}: ${
        this.#tcpText(tcp, verbose)
      }${fragment}`;
    }
    const udp = packet.udp;
    if (udp !== undefined) {
      const checksum = verbose ? `, cksum ${hex16(udp.checksum)}` : "";
      return `${src}.${udp.srcPort} > ${dst}.${udp.dstPort}: UDP${checksum}, length ${udp.payloadLength}${fragment}`;
    }
    const icmp = packet.icmp;
    if (icmp !== undefined) return `${src} > ${dst}: ${this.#icmpText(icmp)}${fragment}`;
    if (ip4 !== undefined && ip4.fragOffset !== 0) {
      // A later fragment: its transport header is in the first one.
      return `${src} > ${dst}: ip-proto-${ip4.protocol}${fragment}`;
    }
    if (packet.error !== undefined) return `${src} > ${dst}:${fragment}`;
    const protocol = ip4 !== undefined ? ip4.protocol : packet.ipv6?.nextHeader ?? 0;
    const name = ipProtocolName(protocol);
    const payload = ip4 !== undefined
      ? Math.max(0, ip4.length - ip4.ihl)
      : packet.ipv6?.payloadLength ?? 0;
    const what = name === "unknown" ? `ip-proto-${protocol}` : name;
    return `${src} > ${dst}: ${what}, length ${payload}${fragment}`;
  }

  #tcpText(tcp: TcpHeader, verbose: boolean): string {
    const bits = tcp.flagBits;
    const length = tcp.payloadLength;
    let text = `Flags [${this.#flag(tcp.flagText)}]`;
    if (verbose) text += `, cksum ${hex16(tcp.checksum)}`;
    if (length > 0 || (bits & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0) {
      const seq = tcp.seq;
      text += length > 0 ? `, seq ${seq}:${(seq + length) >>> 0}` : `, seq ${seq}`;
    }
    if (bits & TCP_ACK) text += `, ack ${tcp.ack}`;
    text += `, win ${tcp.window}`;
    if (bits & TCP_URG) text += `, urg ${tcp.urgent}`;
    return `${text}, length ${length}`;
  }

  #icmpText(icmp: IcmpHeader): string {
    const label = icmp.version === 4 ? "ICMP " : "ICMP6, ";
    const what = icmp.codeName ?? icmp.typeName;
    if (icmp.truncated) return label + what;
    const echo = icmp.isEcho ? `, id ${icmp.id}, seq ${icmp.sequence}` : "";
    return `${label}${what}${echo}, length ${icmp.messageLength}`;
  }
}
