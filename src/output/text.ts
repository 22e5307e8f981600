/**
 * One readable line per packet, modeled on tcpdump's, with its `-v`, `-e`, `-x` and `-X`
 * forms.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { TextFormatter } from "./text.ts";
 * const bytes = new Uint8Array([
 *   0x45, 0, 0, 33, 0, 1, 0x40, 0, 64, 17, 0x3c, 0xca, 127, 0, 0, 1, 127, 0, 0, 1,
 *   0x13, 0x88, 0x13, 0x89, 0, 13, 0, 0, 104, 101, 108, 108, 111,
 * ]);
 * const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 33, len: 33 };
 * const line = new TextFormatter().format(decode(bytes, LINKTYPE_RAW), header);
 * assert.deepEqual(line.slice(16), "IP 127.0.0.1.5000 > 127.0.0.1.5001: UDP, length 5\n");
 * ```
 * @module
 */

import {
  Decoder,
  DNS_PORT,
  ETHERNET_MAX_LENGTH_FIELD,
  ETHERTYPE_ARISTA,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_MACSEC,
  ETHERTYPE_PPPOE_DISCOVERY,
  ETHERTYPE_PPPOE_SESSION,
  etherTypeName,
  etherTypeUndecodedByTcpdump,
  ICMP_HEADER_LENGTH,
  IPPROTO_AH,
  IPPROTO_DCCP,
  IPPROTO_ESP,
  IPPROTO_GRE,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_IGMP,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  ipProtocolName,
  type Ipv4Header,
  IPV6_DESTINATION,
  IPV6_FRAGMENT,
  IPV6_HOP_BY_HOP,
  IPV6_ROUTING,
  type Ipv6Header,
  type LlcHeader,
  type MacsecHeader,
  type NshHeader,
  type Packet,
  PPPOE_HEADER_LENGTH,
  type PppoeHeader,
  SIP_PORT,
  SOMEIP_HEADER_LENGTH,
  SOMEIP_PORT,
  SomeIpMessage,
  SYSLOG_PORT,
  SyslogMessage,
  UDP_HEADER_LENGTH,
  udpPortNamesProtocol,
} from "../decode/mod.ts";
import type { TcpAnalysis } from "../analysis/tcp_analysis.ts";
import { ByteWriter, encodePieces, type Piece } from "./bytes.ts";
import { dumpLines, hexDigits, hexDump, writeAscii } from "./hexdump.ts";
import { atmArpCutShort, writeArpText } from "./arp.ts";
import { cookedPrefix, etherTypeText, linkText } from "./link.ts";
import { isLlmnrOnly, isMdns, writeDns } from "./dns.ts";
import { TEXT_PROTOCOL, type TextProtocol, writeHttpHint, writeTextProtocol } from "./http.ts";
import { writeNtp } from "./ntp.ts";
import { writeSyslog } from "./syslog.ts";
import { writeDhcp } from "./dhcp.ts";
import { writeTlsHint } from "./tls.ts";
import { writeQuicHint } from "./quic.ts";
import { writeDhcpv6 } from "./dhcpv6.ts";
import { writeWireGuardHint } from "./wireguard.ts";
import { writeSomeIp } from "./someip.ts";
import {
  DLT_RAW,
  DLT_RAW_OPENBSD,
  HTTP_ALT_PORT,
  HTTP_PORT,
  IPSEC_NAT_T_PORT,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_RAW,
  type MplsStack,
  NON_ESP_MARKER_LENGTH,
  TCP_RST,
  type TcpHeader,
  type UdpHeader,
} from "../decode/mod.ts";
import { writeIcmp } from "./icmp.ts";
import { ahText } from "./ah.ts";
import { espText, natTraversalText } from "./esp.ts";
import { vxlanText } from "./vxlan.ts";
import { greText } from "./gre.ts";
import { geneveText } from "./geneve.ts";
import { mplsText } from "./mpls.ts";
import { macsecText } from "./macsec.ts";
import { aristaText } from "./arista.ts";
import { nshText } from "./nsh.ts";
import { erspanText } from "./erspan.ts";
import { pppoeText, pppText } from "./ppp.ts";
import { llcFrameText, snapText, stpText } from "./llc.ts";
import { writeIgmp } from "./igmp.ts";
import { checksumVerdict } from "./checksum_text.ts";
import { writeRstData, writeTcp, writeTcpAnalysis } from "./tcp.ts";
import { writeIpv4Details, writeIpv4FragmentText } from "./ipv4.ts";
import {
  ipv6ChainShown,
  ipv6ChainWords,
  ipv6MissingText,
  jumboMissingText,
  writeIpv6Details,
} from "./ipv6.ts";
import type { FrameHeader } from "../frame.ts";
import type { PacketExtras } from "./packet_extras.ts";
import { isakmpText } from "./isakmp.ts";
import { IKE_ROLE_NONE } from "../analysis/ike_initiators.ts";
import { writeJson } from "./json_writer.ts";
import { fieldTree } from "./tree.ts";
import { PacketClock, TIME_NONE, type TimeFormat } from "./timestamp.ts";

/** What to show besides the summary line. */
export interface TextOptions {
  /** `-S`: absolute TCP sequence numbers instead of relative ones. */
  absoluteSequence?: boolean;
  /** `-v`: every field of the network header, on an indented line before the summary. */
  verbose?: boolean;
  /** How many `-v`: from 2 (`-vv`) some protocols show more, as tcpdump's do. */
  verbosity?: number;
  /** `-e`: the link-layer header. */
  link?: boolean;
  /**
   * `-x` (hex), `-X` (hex and ASCII) or `-A` (ASCII alone, as tcpdump -A) dump of the packet
   * from the network layer on.
   */
  hex?: "none" | "hex" | "ascii" | "text";
  /** ANSI colour: only for a terminal, and only without `NO_COLOR`. */
  color?: boolean;
  /** tcpdump's `-t` formats: how many `-t` were given (default 0, the time of day). */
  timeFormat?: TimeFormat;
  /** `-q`: tcpdump's quiet lines (`tcp 0`, `UDP, length 6`: no flags, no application). */
  quiet?: boolean;
  /** `-#`: each line begins with the packet's number, counted from 1. */
  numbered?: boolean;
  /** `-K` is false: no checksum is checked or shown. Default true. */
  checkChecksums?: boolean;
  /** `-V`: every field of every layer as an indented tree after the line. */
  tree?: boolean;
  /**
   * Whether a nanosecond capture's time stamps show nine digits (`--time-stamp-precision
   * nano`); otherwise six, as tcpdump prints them. Default true.
   */
  nanosecondTime?: boolean;
}

/** The fixed pieces of the output, encoded once. */
const PIECE = encodePieces({
  nextLine: "\n    ",
  to: " > ",
  colonSpace: ": ",
  udp: "UDP",
  length: ", length ",
  ip: "IP ",
  ip6: "IP6 ",
  arp: "ARP, ",
  commaSpace: ", ",
  space: " ",
  ipProto: ": ip-proto-",
});

/** An ANSI style: the escape sequences that open and close it. */
export interface Style {
  /** What turns it on. */
  open: string;
  /** What turns it off. */
  close: string;
}

const ansiStyle = (open: number, close: number): Style => ({
  open: `\x1b[${open}m`,
  close: `\x1b[${close}m`,
});

/**
 * Turns decoded packets into tcpdump-style text; keep one per output stream. `write` puts the
 * text straight into a byte buffer (the capture loop's path); `format` returns it as a string.
 */
export class TextFormatter {
  readonly #options: TextOptions;
  readonly #verbosity: number;
  readonly #clock: PacketClock;
  readonly #timeFormat: TimeFormat;
  readonly #checkChecksums: boolean;
  readonly #quiet: boolean;
  /** The number of the packet `-#` writes next. */
  #number = 1;
  readonly #scratch = new ByteWriter(1024);
  /** `-V`'s packet JSON, which its tree is made from. */
  readonly #treeScratch = new ByteWriter(1024);
  /** The frame header a tunnel's packet is written with: its own length. */
  readonly #innerHeader: FrameHeader = {
    seconds: 0,
    fraction: 0,
    nanosecond: false,
    caplen: 0,
    len: 0,
  };
  #analysis: TcpAnalysis | undefined;
  /** The IKEv1 side of the packet being written (`PacketExtras.ikeRole`). */
  #ikeRole = IKE_ROLE_NONE;
  /** Decodes the packets ICMP errors quote (made when first needed). */
  #quotedDecoder: Decoder | undefined;
  /** Writing a quoted packet: its transport header is cut short on purpose. */
  #quoting = false;
  readonly #dim: Style | null;
  readonly #bold: Style | null;
  readonly #red: Style | null;
  readonly #flag: Style | null;

  constructor(options: TextOptions = {}) {
    this.#options = options;
    this.#verbosity = options.verbosity ?? (options.verbose ? 1 : 0);
    this.#timeFormat = options.timeFormat ?? 0;
    this.#clock = new PacketClock(this.#timeFormat, options.nanosecondTime !== false);
    this.#checkChecksums = options.checkChecksums !== false;
    this.#quiet = options.quiet === true;
    const color = options.color === true;
    this.#dim = color ? ansiStyle(2, 22) : null;
    this.#bold = color ? ansiStyle(1, 22) : null;
    this.#red = color ? ansiStyle(31, 39) : null;
    this.#flag = color ? ansiStyle(33, 39) : null;
  }

  /** The packet's text: one line (more with `-v`, `-x`, `-X`), ending in a newline. */
  format(packet: Packet, header: FrameHeader, extras: PacketExtras = {}): string {
    const out = this.#scratch;
    out.clear();
    this.write(out, packet, header, extras);
    const text = out.toString();
    out.clear();
    return text;
  }

  /** Appends the packet's text (the same as `format` returns) to `out`. */
  write(out: ByteWriter, packet: Packet, header: FrameHeader, extras: PacketExtras = {}): void {
    const options = this.#options;
    this.#analysis = extras.analysis;
    this.#ikeRole = extras.ikeRole ?? IKE_ROLE_NONE;
    if (options.numbered) {
      // tcpdump's "%5u  ".
      out.text(`${this.#number++}`.padStart(5) + "  ");
    }
    const dim = this.#timeFormat === TIME_NONE ? null : this.#dim;
    if (dim !== null) out.text(dim.open);
    this.#clock.write(out, header);
    if (dim !== null) out.text(dim.close);
    const sll = packet.sll;
    if (sll !== undefined && sll.version === 2) out.text(cookedPrefix(sll, extras.interfaceName));
    if (options.link) out.text(linkText(packet, header.len));
    else if (packet.arista !== undefined) {
      // tcpdump names this EtherType even without -e (-q: by name alone), then the frame's
      // own layers.
      out.text(
        `${
          this.#quiet ? etherTypeName(ETHERTYPE_ARISTA) : etherTypeText(ETHERTYPE_ARISTA)
        }, length ${header.len}: `,
      );
      out.text(aristaText(packet.arista));
    }
    if (packet.pppoe !== undefined) this.#writePppoe(out, packet, packet.pppoe, header);
    this.#writeNetwork(out, packet, header);
    if (packet.error !== undefined) {
      out.byte(0x20);
      this.#paint(out, this.#red, `[|${packet.error}]`);
    }
    out.byte(0x0a);
    const reassembled = extras.reassembled;
    if (reassembled !== undefined) {
      this.#analysis = undefined;
      const inner = reassembled.packet;
      const notes = (reassembled.overlaps ? `, ${reassembled.overlaps} overlapping` : "") +
        (reassembled.duplicates ? `, ${reassembled.duplicates} duplicate` : "");
      out.text(
        `    reassembled ${reassembled.fragments} fragments${notes} (${reassembled.length} bytes): `,
      );
      const ip4 = inner.ipv4;
      const ip6 = ip4 === undefined ? inner.ipv6 : undefined;
      if (ip4 !== undefined || ip6 !== undefined) this.#writeEndpoints(out, inner, ip4, ip6);
      out.byte(0x0a);
    }
    if (options.verbose && header.comment !== undefined) {
      // The file's words, not ours: no control character reaches the terminal.
      // deno-lint-ignore no-control-regex -- matching control characters is the point
      out.text(`    comment: ${header.comment.replace(/[\x00-\x1f\x7f]/g, ".")}\n`);
    }
    if (options.tree) {
      const json = this.#treeScratch;
      json.clear();
      writeJson(json, packet, header, extras);
      out.text(fieldTree(JSON.parse(json.toString())));
    }
    if (options.hex === "hex" || options.hex === "ascii") {
      out.text(hexDump(packet.frame.subarray(packet.networkOffset), options.hex === "ascii"));
    } else if (options.hex === "text") {
      writeAscii(out, packet.frame.subarray(packet.networkOffset));
    }
  }

  /**
   * Whether tcpdump's `-v` shows the transport checksum of this packet: not with `-K`, and
   * not in a fragment, whose segment is not all there.
   */
  #checksumShown(packet: Packet, despiteK = false): boolean {
    if (!this.#options.verbose || (!this.#checkChecksums && !despiteK)) return false;
    const ip4 = packet.ipv4;
    if (ip4 !== undefined) return !ip4.isFragment;
    return (packet.ipv6?.fragmentHeaderOffset ?? -1) < 0;
  }

  /**
   * The network protocol's name before its words, bold when coloured: `plain` is the name
   * and `separator` already joined, for the uncoloured line.
   */
  #writeProtocolName(out: ByteWriter, name: string, plain: Piece, separator: Piece): void {
    if (this.#bold === null) out.piece(plain);
    else {
      this.#paint(out, this.#bold, name);
      out.piece(separator);
    }
  }

  #paint(out: ByteWriter, style: Style | null, text: string): void {
    if (style === null) {
      out.text(text);
      return;
    }
    out.text(style.open);
    out.text(text);
    out.text(style.close);
  }

  #writeNetwork(out: ByteWriter, packet: Packet, header: FrameHeader): void {
    // (Such a header always leaves a note: most packets skip the test.)
    const rawVersion = packet.error !== undefined ? rawIpOtherVersion(packet) : -1;
    if (rawVersion >= 0) {
      // tcpdump reads every raw IP link type by the version (ipN_print), and names no other.
      out.text(`unknown ip ${rawVersion}`);
      return;
    }
    const ip4 = packet.ipv4;
    const ip6 = ip4 === undefined ? packet.ipv6 : undefined;
    if (ip4 === undefined && ip6 === undefined) {
      if (packet.mpls !== undefined) this.#writeMpls(out, packet, packet.mpls);
      else if (packet.nsh !== undefined) this.#writeNsh(out, packet, packet.nsh);
      else this.#writeOtherNetwork(out, packet, header);
      return;
    }
    const options = this.#options;
    if (ip4 !== undefined && ip4.version !== 4) {
      // tcpdump's words for another version, in place of the protocol's name, even after -e.
      const version = ip4.version;
      out.text(
        version === 6 ? "IP6, wrong link-layer encapsulation (invalid)" : `IP${version} (invalid)`,
      );
      return;
    }
    if (!options.link) {
      if (ip4 !== undefined) this.#writeProtocolName(out, "IP", PIECE.ip, PIECE.space);
      else this.#writeProtocolName(out, "IP6", PIECE.ip6, PIECE.space);
    }
    if (ip6 !== undefined && ip6.version !== 6) {
      out.text(`version error: ${ip6.version} != 6`);
      return;
    }
    if (ip4 !== undefined && ip4.lengthFromFrame !== 0) {
      // tcpdump stops at a total length of 0; netpeek goes on with the frame's length.
      out.text("bad-len 0 ");
    }
    // The frame ended on the wire before the IP length: tcpdump's words (IPv6's run on; a
    // jumbogram's come after its hop-by-hop header, in `ipv6ChainWords`).
    if (ip4 !== undefined) {
      if (ip4.missingBytes > 0) out.text(`truncated-ip - ${ip4.missingBytes} bytes missing! `);
    } else if (ip6!.missingBytes > 0 && ip6!.jumboLength === 0) {
      out.text(ipv6MissingText(ip6!.missingBytes));
    }
    if (options.verbose) {
      if (ip4 !== undefined) {
        const optionsEnd = writeIpv4Details(out, ip4, this.#checkChecksums);
        if (optionsEnd === "line-cut") return;
        out.piece(PIECE.nextLine);
        if (optionsEnd === "option-cut") {
          // tcpdump's hosts, then its mark: the options it could not read end the packet.
          this.#writeHosts(out, ip4, undefined);
          out.text(":  [|ip]");
          return;
        }
      } else writeIpv6Details(out, ip6!);
    }
    if (ip4 !== undefined && ip4.fragOffset === 0 && ipv4HeaderCut(packet, ip4)) {
      this.#writeIpv4HeaderCut(out, ip4);
      return;
    }
    this.#writeEndpoints(out, packet, ip4, ip6);
  }

  /**
   * A first fragment whose header (with its options) was not all captured, in tcpdump's
   * words: the hosts (but where TCP, UDP, SCTP or DCCP would write them with their ports),
   * then how many of the header's bytes there are, and its mark.
   */
  #writeIpv4HeaderCut(out: ByteWriter, ip4: Ipv4Header): void {
    if (!PORTS_WRITE_HOSTS.has(ip4.protocol)) {
      this.#writeHosts(out, ip4, undefined);
      out.piece(PIECE.colonSpace);
    }
    // What tcpdump has of the datagram: the captured bytes, cut at its total length.
    const total = ip4.length === 0 ? Infinity : ip4.offset + ip4.length;
    const remaining = Math.max(0, Math.min(ip4.end, total) - ip4.offset);
    out.text(` [remaining caplen(${remaining}) < header length(${ip4.ihl})] [|ip]`);
  }

  /** ARP and what netpeek does not decode past the link layer. */
  #writeOtherNetwork(out: ByteWriter, packet: Packet, header: FrameHeader): void {
    const link = this.#options.link === true;
    const networkLength = Math.max(0, header.len - packet.networkOffset);
    const llc = packet.llc;
    if (llc !== undefined) {
      out.text(this.#llcText(packet, llc));
      return;
    }
    // PPPoE's words, and a PPP frame's that carries no network packet, are printed already.
    if (
      packet.pppoe !== undefined &&
      (packet.networkType === ETHERTYPE_PPPOE_SESSION ||
        packet.networkType === ETHERTYPE_PPPOE_DISCOVERY)
    ) return;
    // An Arista header whose subtype is not known: its words are printed, then the note.
    if (packet.networkType === ETHERTYPE_ARISTA && packet.arista !== undefined) return;
    if (packet.networkType === ETHERTYPE_MACSEC) {
      const macsec = packet.macsec;
      // A SecTAG cut short: tcpdump prints its note alone.
      if (macsec !== undefined) out.text(this.#macsecText(packet, macsec));
      return;
    }
    const arp = packet.arp;
    if (arp !== undefined) {
      // Not captured whole: tcpdump prints its note alone (netpeek's follows).
      if (arp.capturedLength < arp.wireLength) return;
      if (atmArpCutShort(arp)) {
        out.text(" [|arp]");
        return;
      }
      if (!link) this.#writeProtocolName(out, "ARP", PIECE.arp, PIECE.commaSpace);
      writeArpText(out, arp, networkLength, this.#options.verbose === true);
      return;
    }
    if (this.#unknownEtherType(out, packet, header)) return;
    out.text(otherLinkText(packet, header, networkLength, link));
  }

  /**
   * An Ethernet frame of a type tcpdump does not decode (no name, or a name only): as its
   * `ether_print` does, the addresses, the type and the frame's length (unless `-e` printed
   * them), then the bytes after the type as its default dump (not with `-q`, nor with
   * `-x`/`-X`, which dump them).
   */
  #unknownEtherType(out: ByteWriter, packet: Packet, header: FrameHeader): boolean {
    const eth = packet.eth;
    const type = packet.networkType;
    if (
      eth === undefined || type <= ETHERNET_MAX_LENGTH_FIELD || !etherTypeUndecodedByTcpdump(type)
    ) {
      return false;
    }
    if (this.#options.link !== true) {
      const name = etherTypeName(type);
      const typeText = !this.#quiet
        ? etherTypeText(type)
        : name === "Unknown"
        ? `Unknown Ethertype (0x${hexDigits(type, 4)})`
        : name;
      out.text(`${eth.src} > ${eth.dst}, ${typeText}, length ${header.len}: `);
    }
    const hex = this.#options.hex;
    const frame = packet.frame;
    if (this.#quiet || hex === "hex" || hex === "ascii" || packet.networkOffset >= frame.length) {
      return true;
    }
    const view = new DataView(frame.buffer, frame.byteOffset, frame.length);
    out.text(`\n${dumpLines(view, packet.networkOffset, frame.length, true)}`);
    return true;
  }

  /**
   * What LLC carries when it is not a network packet: a spanning tree BPDU; SNAP's words
   * (netpeek's: tcpdump goes on to CDP, DTP and others); or the LLC frame itself, with the
   * dump of its bytes that tcpdump prints after it.
   */
  #llcText(packet: Packet, llc: LlcHeader): string {
    const link = this.#options.link === true;
    const stp = packet.stp;
    if (stp !== undefined) {
      const invalid = packet.stop?.layer === "stp" && packet.stop.kind === "malformed";
      return stpText(
        stp,
        packet.llcLength - llc.headerLength,
        this.#options.verbose === true,
        invalid,
      );
    }
    if (packet.stop?.layer === "llc") return "";
    if (llc.isSnap) return link ? "" : snapText(llc, packet.llcLength - llc.llcLength);
    const eth = packet.eth;
    const text = llcFrameText(
      llc,
      packet.llcLength,
      link || eth === undefined ? undefined : { src: eth.src, dst: eth.dst },
    );
    const end = Math.min(llc.end, llc.offset + packet.llcLength);
    return `${text}\n${dumpLines(llc.dataView, llc.offset, end, true)}`;
  }

  /** PPPoE's words and the PPP frame's, before the network packet a session carries. */
  #writePppoe(out: ByteWriter, packet: Packet, pppoe: PppoeHeader, header: FrameHeader): void {
    const frameStart = packet.frame.byteOffset;
    const available = Math.max(
      0,
      header.len - (pppoe.offset - frameStart) - PPPOE_HEADER_LENGTH,
    );
    out.text(pppoeText(pppoe, available));
    const ppp = packet.ppp;
    if (ppp !== undefined) {
      out.text(pppText(ppp, Math.min(pppoe.length, available), this.#options.link === true));
    }
  }

  /**
   * A MACsec frame whose data is not decoded: as tcpdump, nothing before a note (a SecTAG
   * cut short or invalid), else the SecTAG (after the addresses without -e, which printed
   * them) and a dump of the data it cannot read.
   */
  #macsecText(packet: Packet, macsec: MacsecHeader): string {
    if (packet.stop?.layer === "macsec") return "";
    const eth = packet.eth;
    const words = this.#options.link === true || eth === undefined
      ? ""
      : `${eth.src} > ${eth.dst} 802.1AE MACsec, ${macsecText(macsec)}`;
    const start = macsec.offset + macsec.headerLength;
    if (start >= macsec.end) return words;
    return `${words}\n${dumpLines(macsec.dataView, start, macsec.end, true)}`;
  }

  /** An address of the packet's IP header: its source or its destination. */
  #writeAddress(
    out: ByteWriter,
    ip4: Ipv4Header | undefined,
    ip6: Ipv6Header | undefined,
    source: boolean,
  ): void {
    if (ip4 !== undefined) out.ipv4(source ? ip4.srcNumber : ip4.dstNumber);
    else out.ipv6(ip6!.dataView, source ? ip6!.srcAt : ip6!.dstAt);
  }

  /** `src > dst` */
  #writeHosts(out: ByteWriter, ip4: Ipv4Header | undefined, ip6: Ipv6Header | undefined): void {
    this.#writeAddress(out, ip4, ip6, true);
    out.piece(PIECE.to);
    this.#writeAddress(out, ip4, ip6, false);
  }

  /** `src.port > dst.port` */
  #writePorts(
    out: ByteWriter,
    ip4: Ipv4Header | undefined,
    ip6: Ipv6Header | undefined,
    srcPort: number,
    dstPort: number,
  ): void {
    this.#writeAddress(out, ip4, ip6, true);
    out.byte(0x2e);
    out.uint(srcPort);
    out.piece(PIECE.to);
    this.#writeAddress(out, ip4, ip6, false);
    out.byte(0x2e);
    out.uint(dstPort);
  }

  #writeEndpoints(
    out: ByteWriter,
    packet: Packet,
    ip4: Ipv4Header | undefined,
    ip6: Ipv6Header | undefined,
  ): void {
    // -v shows the fragment in the IP header's words instead.
    const fragment = ip4 !== undefined && ip4.isFragment && !this.#options.verbose
      ? ip4
      : undefined;
    const ah = ip4 !== undefined ? packet.ah : undefined;
    const words = ip6 !== undefined && ipv6ChainShown(ip6)
      ? ipv6ChainWords(ip6, this.#verbosity)
      : undefined;
    const chain = words !== undefined
      ? words.text
      : ah !== undefined
      ? ahText(ah, this.#verbosity)
      : "";
    if (words?.endsLine) {
      // A header tcpdump calls invalid: its words end the line.
      this.#writeHosts(out, ip4, ip6);
      out.piece(PIECE.colonSpace);
      out.text(chain);
      return;
    }
    const tcp = packet.tcp;
    const udp = packet.udp;
    if (tcp !== undefined || udp !== undefined) {
      const ports = (tcp ?? udp)!;
      if (chain !== "" && (!ports.truncated || (ip6 !== undefined && !this.#quoting))) {
        // After IPv6 extension headers tcpdump writes the hosts, the headers, then the ports.
        this.#writeHosts(out, ip4, ip6);
        out.piece(PIECE.colonSpace);
        out.text(chain);
        out.uint(ports.srcPort);
        out.field(PIECE.to, ports.dstPort);
        if (ports.truncated) {
          // The rest of the header was not captured: its note follows.
          out.byte(0x3a);
          return;
        }
        out.piece(PIECE.colonSpace);
      } else {
        this.#writePorts(out, ip4, ip6, ports.srcPort, ports.dstPort);
        if (ports.truncated) {
          out.byte(0x3a);
          if (this.#quoting) {
            // tcpdump's note for a quoted header cut short, after a colon and a space.
            out.text(tcp !== undefined ? "  [|tcp]" : "  [|udp]");
            return;
          }
          if (chain !== "") out.text(" " + chain.trimEnd());
          writeIpv4FragmentText(out, fragment);
          return;
        }
        out.piece(PIECE.colonSpace);
      }
      if (this.#quiet) {
        // -q: the transport's name and its payload's length, nothing of the application.
        if (tcp !== undefined) out.text(`tcp ${tcp.payloadLength}`);
        else if (udpLengthTooShort(udp!)) out.text(`truncated-udplength ${udp!.length}`);
        else {
          out.piece(PIECE.udp);
          writeUdpLength(out, packet, udp!, udpDataLength(udp!));
        }
      } else if (tcp !== undefined) this.#writeSegment(out, packet, tcp);
      else if (!this.#writeDatagram(out, packet, udp!)) return;
      writeIpv4FragmentText(out, fragment);
      return;
    }
    this.#writeOtherIp(out, packet, ip4, ip6, chain, fragment);
  }

  /** A TCP segment after its ports: tcpdump's words, then its payload's. */
  #writeSegment(out: ByteWriter, packet: Packet, tcp: TcpHeader): void {
    const verbose = this.#options.verbose === true;
    const analysis = this.#options.absoluteSequence === true ? undefined : this.#analysis;
    writeTcp(out, tcp, analysis, this.#checksumShown(packet), this.#flag, this.#verbosity > 1);
    if (this.#verbosity > 0 && (tcp.flagBits & TCP_RST) !== 0 && tcp.payloadLength > 0) {
      writeRstData(out, tcp);
    } else if (tcp.payloadLength > 0) {
      const view = tcp.dataView;
      const start = tcp.offset + tcp.dataOffset;
      const length = tcp.payloadLength;
      const verbosity = this.#verbosity;
      const reading = tcpdumpTcpReading(tcp);
      if (reading === undefined) {
        // Nothing tcpdump decodes: netpeek's words after its line.
        if (packet.dns !== undefined) {
          out.byte(0x20);
          writeDns(out, packet.dns, length - 2, verbosity, false);
        } else if (packet.http !== undefined) writeHttpHint(out, view, start, tcp.end);
        else if (packet.tls !== undefined) writeTlsHint(out, packet.tls);
      } else if (reading === "dns") writeDnsOverTcp(out, packet, tcp, verbosity);
      else if (reading === "ssh") writeSshBanner(out, view, start, tcp.end);
      else if (reading !== "telnet") {
        // (Telnet: tcpdump prints only its option commands, which netpeek does not read.)
        writeTextProtocol(out, reading, view, start, tcp.end, length, verbosity);
      }
    }
    if (verbose) writeTcpAnalysis(out, this.#analysis);
  }

  /**
   * A UDP datagram after its ports: `UDP, length N` or its application's words. False when
   * the line is complete already (a DNS port's message shorter than DNS's header).
   */
  #writeDatagram(out: ByteWriter, packet: Packet, udp: UdpHeader): boolean {
    // Read once: the tests below ask for them again and again.
    const srcPort = udp.srcPort;
    const dstPort = udp.dstPort;
    // Most datagrams: between ports that name no protocol, so nothing below applies.
    if (
      !udpPortNamesProtocol(srcPort) && !udpPortNamesProtocol(dstPort) &&
      !udpLengthTooShort(udp) && !this.#checksumShown(packet)
    ) {
      out.piece(PIECE.udp);
      writeUdpLength(out, packet, udp, udpDataLength(udp));
      return true;
    }
    if (udpLengthTooShort(udp)) {
      // tcpdump reads nothing past a length field shorter than UDP's own header.
      out.text(`truncated-udplength ${udp.length}`);
      return true;
    }
    if (this.#checksumShown(packet)) {
      // tcpdump checks UDP over IPv4 from -vv on, over IPv6 (where it is mandatory) from -v.
      if (packet.ipv4 === undefined) out.text(checksumVerdict("udp", udp));
      else if (this.#verbosity > 1) {
        out.text(udp.checksum === 0 ? "[no cksum] " : checksumVerdict("udp", udp));
      }
    }
    if (this.#quoting && (srcPort === DNS_PORT || dstPort === DNS_PORT)) {
      const payloadStart = udp.offset + UDP_HEADER_LENGTH;
      if (udp.end - payloadStart < udp.payloadLength) {
        // A quoted DNS datagram whose message was not quoted: tcpdump's note for it.
        out.text(" [|domain]");
        return false;
      }
    }
    // LLMNR is DNS that tcpdump does not decode: its plain line, then the message's words.
    const llmnr = isLlmnrOnly(udp);
    const dns = llmnr ? undefined : packet.dns;
    const stop = packet.stop;
    if (
      !llmnr && stop !== undefined && stop.layer === "dns" && stop.kind === "malformed"
    ) {
      // Shorter than a DNS header on the wire: tcpdump's words for it.
      out.text(`domain [length ${udp.messageLength} < 12] (invalid)`);
      const ip4 = packet.ipv4;
      if (ip4 !== undefined && ip4.isFragment) writeIpv4FragmentText(out, ip4);
      return false;
    }
    const ntp = packet.ntp;
    const syslog = packet.syslog;
    const dhcp = packet.dhcp;
    const esp = packet.esp;
    const dhcpv6 = packet.dhcpv6;
    const vxlan = packet.vxlan;
    const geneve = packet.geneve;
    const mpls = packet.mpls;
    const isakmp = packet.isakmp;
    if (
      syslog === undefined && udp.payloadLength === 0 &&
      (srcPort === SYSLOG_PORT || dstPort === SYSLOG_PORT)
    ) {
      // An empty datagram is no syslog message (tshark's, the decoder's), but tcpdump reads a
      // priority from what follows it in the IP packet: its words for that.
      const payload = udp.offset + UDP_HEADER_LENGTH;
      writeSyslog(
        out,
        EMPTY_SYSLOG.bind(udp.dataView, payload, payload, udp.end),
        0,
        this.#verbosity,
      );
      return true;
    }
    const application = dns !== undefined || ntp !== undefined || syslog !== undefined ||
      dhcp !== undefined || dhcpv6 !== undefined || vxlan !== undefined ||
      geneve !== undefined || mpls !== undefined || isakmp !== undefined;
    if (
      esp !== undefined ||
      (!application && (srcPort === IPSEC_NAT_T_PORT || dstPort === IPSEC_NAT_T_PORT))
    ) {
      const start = udp.offset + UDP_HEADER_LENGTH;
      const length = udp.carriedLength;
      const text = natTraversalText(udp.dataView, start, length, udp.end - start);
      if (text !== undefined) {
        out.text(text);
        return true;
      }
    }
    const length = udpDataLength(udp);
    if (!application && (srcPort === SIP_PORT || dstPort === SIP_PORT)) {
      // SIP: tcpdump's words in place of UDP's (the decoder gave no other protocol the port).
      const start = udp.offset + UDP_HEADER_LENGTH;
      writeTextProtocol(
        out,
        TEXT_PROTOCOL.sip,
        udp.dataView,
        start,
        udp.end,
        length,
        this.#verbosity,
      );
      return true;
    }
    if (!application && (srcPort === SOMEIP_PORT || dstPort === SOMEIP_PORT)) {
      // SOME/IP as the decoder read it; else tcpdump's reading of an empty datagram
      // (`(invalid)`), which the decoder leaves alone.
      let someip = packet.someip;
      if (someip === undefined) {
        const payload = udp.offset + UDP_HEADER_LENGTH;
        const end = Math.min(udp.end, payload + length);
        someip = SOMEIP_SCRATCH.bindPartial(udp.dataView, payload, end, SOMEIP_HEADER_LENGTH);
      }
      writeSomeIp(out, someip, length);
      return true;
    }
    if (!application) {
      out.piece(PIECE.udp);
      writeUdpLength(out, packet, udp, length);
      if (llmnr && packet.dns !== undefined) {
        out.text(": LLMNR ");
        writeDns(out, packet.dns, -1, this.#verbosity, false);
      } else if (packet.quic !== undefined) writeQuicHint(out, packet.quic);
      else if (packet.wireguard !== undefined) writeWireGuardHint(out, packet.wireguard);
      else if (packet.http !== undefined) {
        // SSDP: tcpdump prints a plain UDP line; netpeek adds the first line.
        out.text(": SSDP");
        writeHttpHint(out, packet.http.dataView, packet.http.offset, packet.http.end, false);
      }
    } else if (vxlan !== undefined) {
      out.text(vxlanText(vxlan));
      this.#writeInner(out, packet);
    } else if (mpls !== undefined) this.#writeMpls(out, packet, mpls);
    else if (geneve !== undefined) {
      out.text(geneveText(geneve, this.#verbosity, this.#options.link === true));
      if (geneve.version === 0 && geneve.capturedLength >= geneve.headerLength) {
        // With -v tcpdump starts the carried packet on a line of its own, after a tab.
        out.text(this.#options.verbose ? "\n\t" : ": ");
        if (packet.inner === undefined) out.text(`geneve-proto-0x${geneve.protocol.toString(16)}`);
        else this.#writeInnerInline(out, packet);
      }
    } else if (dns !== undefined) writeDns(out, dns, length, this.#verbosity, isMdns(udp));
    else if (ntp !== undefined) writeNtp(out, ntp, length, this.#verbosity);
    else if (syslog !== undefined) writeSyslog(out, syslog, length, this.#verbosity);
    else if (dhcp !== undefined) writeDhcp(out, dhcp, length, this.#verbosity);
    else if (dhcpv6 !== undefined) writeDhcpv6(out, dhcpv6, this.#verbosity);
    else if (isakmp !== undefined) {
      if (isakmp.nonEspMarker) out.text("NONESP-encap: ");
      const carried = udp.carriedLength;
      const messageLength = isakmp.nonEspMarker ? carried - NON_ESP_MARKER_LENGTH : carried;
      out.text(isakmpText(isakmp, this.#ikeRole, messageLength, this.#verbosity));
    }
    return true;
  }

  /**
   * What a tunnel carries, on a line of its own as tcpdump prints it: its link header with
   * `-e`, then its network layer on, and its own note if it was cut short.
   */
  #writeInner(out: ByteWriter, packet: Packet): void {
    if (packet.inner === undefined) return;
    out.byte(0x0a);
    this.#writeInnerInline(out, packet);
  }

  /** What a tunnel carries, where the line is: GRE's and IP in IP's follow on the same line. */
  #writeInnerInline(out: ByteWriter, packet: Packet): void {
    const inner = packet.inner!;
    const header = this.#innerHeader;
    header.len = packet.innerLength;
    if (this.#options.link && inner.linkType === LINKTYPE_ETHERNET) {
      out.text(linkText(inner, header.len));
    }
    if (inner.ipv4 === undefined && inner.ipv6 === undefined && inner.error !== undefined) {
      // An IP header cut short: tcpdump names the protocol before its note.
      if (this.#options.link) {
        // -e: no name before it.
      } else if (inner.linkType === LINKTYPE_IPV4) out.text("IP ");
      else if (inner.linkType === LINKTYPE_IPV6) out.text("IP6 ");
    } else this.#writeNetwork(out, inner, header);
    if (inner.error !== undefined) {
      out.byte(0x20);
      this.#paint(out, this.#red, `[|${inner.error}]`);
    }
  }

  /**
   * `-v`: the IPv4 packet an ICMP error quotes, on a line of its own after a tab, as tcpdump
   * prints it: its header in `-v`'s words, then what of its transport was quoted.
   */
  #writeQuoted(out: ByteWriter, view: DataView, start: number, end: number): void {
    if (start >= end || this.#quoting) return;
    const bytes = new Uint8Array(view.buffer, view.byteOffset + start, end - start);
    // Its IP length is the original's: the quote is cut short, not malformed.
    const quoted = (this.#quotedDecoder ??= new Decoder()).decode(bytes, LINKTYPE_IPV4, 0xffff);
    if (quoted.ipv4 === undefined) return;
    out.text("\n\t");
    this.#quoting = true;
    const analysis = this.#analysis;
    this.#analysis = undefined;
    try {
      this.#writeNetwork(out, quoted, this.#innerHeader);
    } finally {
      this.#quoting = false;
      this.#analysis = analysis;
    }
  }

  /** A Network Service Header, then what it carries: after `: `, or with -v on a new line. */
  #writeNsh(out: ByteWriter, packet: Packet, nsh: NshHeader): void {
    out.text(nshText(nsh, this.#verbosity));
    if (nsh.version !== 0 || packet.stop?.layer === "nsh") return;
    out.text(this.#options.verbose ? "\n    " : ": ");
    if (packet.inner === undefined) out.text("ERROR: unknown-next-protocol");
    else this.#writeInnerInline(out, packet);
  }

  /** An MPLS label stack, then its payload: after a space, or with -v on a line of its own. */
  #writeMpls(out: ByteWriter, packet: Packet, mpls: MplsStack): void {
    out.text(mplsText(mpls, this.#verbosity));
    if (mpls.endsOnTheWire) {
      out.text(" (invalid)");
      return;
    }
    if (packet.inner === undefined || !mpls.payloadReadAsIpByTcpdump()) {
      // Neither IPv4 nor IPv6 after the bottom label (as tcpdump guesses): tcpdump dumps the
      // payload's bytes.
      const start = mpls.offset + mpls.length;
      if (mpls.complete && start < mpls.end && packet.error === undefined) {
        out.byte(0x0a);
        out.text(dumpLines(mpls.dataView, start, mpls.end, true));
      }
      return;
    }
    out.text(this.#options.verbose ? "\n\t" : " ");
    this.#writeInnerInline(out, packet);
  }

  /** IP without TCP or UDP: ICMP, IGMP, ESP, a later fragment, another protocol. */
  #writeOtherIp(
    out: ByteWriter,
    packet: Packet,
    ip4: Ipv4Header | undefined,
    ip6: Ipv6Header | undefined,
    chain: string,
    fragment: Ipv4Header | undefined,
  ): void {
    const cut = chain === "" ? "" : " " + chain.trimEnd();
    this.#writeHosts(out, ip4, ip6);
    const gre = packet.gre;
    if (gre !== undefined && gre.capturedLength >= gre.headerLength) {
      out.piece(PIECE.colonSpace);
      out.text(chain);
      const length = ip4 !== undefined ? Math.max(0, ip4.length - ip4.ihl) : ip6!.upperLayerLength;
      out.text(greText(gre, length, this.#verbosity, this.#options.link === true));
      // With -v tcpdump starts the carried packet on a line of its own, after a tab.
      out.text(this.#options.verbose ? "\n\t" : ": ");
      const erspan = packet.erspan;
      if (erspan !== undefined) {
        // tcpdump 4.99 names the protocol and stops; netpeek goes on after its words.
        out.text(`gre-proto-0x${gre.protocol.toString(16)}: ${erspanText(erspan)}`);
        if (packet.inner !== undefined) {
          out.piece(PIECE.colonSpace);
          this.#writeInnerInline(out, packet);
        }
      } else if (packet.inner === undefined) out.text(`gre-proto-0x${gre.protocol.toString(16)}`);
      else this.#writeInnerInline(out, packet);
      writeIpv4FragmentText(out, fragment);
      return;
    }
    if (packet.inner !== undefined) {
      // IPv4 or IPv6 in IP: the carried packet follows the outer hosts.
      out.piece(PIECE.colonSpace);
      out.text(chain);
      this.#writeInnerInline(out, packet);
      writeIpv4FragmentText(out, fragment);
      return;
    }
    const icmp = packet.icmp;
    if (icmp !== undefined) {
      out.piece(PIECE.colonSpace);
      out.text(chain);
      // tcpdump checks ICMP's checksum with -v even under -K, which spares IP, TCP and UDP.
      writeIcmp(out, icmp, this.#verbosity, this.#checksumShown(packet, true));
      if (this.#options.verbose && icmp.version === 4 && icmp.isError && !icmp.truncated) {
        this.#writeQuoted(out, icmp.dataView, icmp.offset + ICMP_HEADER_LENGTH, icmp.end);
      }
      writeIpv4FragmentText(out, fragment);
      return;
    }
    const igmp = packet.igmp;
    if (igmp !== undefined) {
      out.piece(PIECE.colonSpace);
      out.text(chain);
      writeIgmp(out, igmp, this.#verbosity);
      writeIpv4FragmentText(out, fragment);
      return;
    }
    if (ip4 !== undefined && ip4.fragOffset !== 0) {
      // A later fragment: its transport header is in the first one.
      out.field(PIECE.ipProto, ip4.protocol);
      writeIpv4FragmentText(out, fragment);
      return;
    }
    // An IP length past the frame is noted where tcpdump says `truncated-ip`; it goes on.
    const lengthNoteOnly = ipLengthNoteOnly(packet, ip4, ip6);
    if (ip6 !== undefined && ip6.jumboMissing) {
      out.text(`: ${jumboMissingText(ip6, this.#verbosity)}`);
      return;
    }
    if (packet.error !== undefined && !lengthNoteOnly) {
      out.text(`:${cut}`);
      writeIpv4FragmentText(out, fragment);
      if (cut !== "" && ip6 !== undefined && packet.stop?.layer === "tcp") {
        // TCP cut before its ports, after IPv6 extension headers: tcpdump's TCP printer
        // names the hosts again.
        out.byte(0x20);
        this.#writeHosts(out, ip4, ip6);
        out.byte(0x3a);
      }
      return;
    }
    if (ip6?.fragment && ip6.fragment.offset !== 0) {
      out.text(`:${cut}`);
      return;
    }
    // What follows IPv4's header and its AH, if any.
    const ah = ip4 !== undefined ? packet.ah : undefined;
    const ahLength = ah !== undefined ? ah.length : 0;
    const ipv4Payload = ip4 !== undefined ? Math.max(0, ip4.length - ip4.ihl - ahLength) : 0;
    const ipv4Esp = packet.esp;
    if (ipv4Esp !== undefined && ip4 !== undefined) {
      const captured = ipv4Esp.end - ipv4Esp.offset;
      out.text(`: ${chain}${espText(ipv4Esp.spi, ipv4Esp.sequence, ipv4Payload, captured)}`);
      writeIpv4FragmentText(out, fragment);
      return;
    }
    const esp = ip6?.esp;
    if (esp) {
      const words = espText(esp.spi, esp.sequence, esp.length, esp.captured);
      out.text(`: ${chain.replace(/ESP $/, "")}${words}`);
      return;
    }
    const protocol = ah !== undefined
      ? ah.nextHeader
      : ip4 !== undefined
      ? ip4.protocol
      : ip6?.protocol ?? 0;
    if (lengthNoteOnly && DECODED_IP_PROTOCOLS.has(protocol)) {
      // Its header was not captured whole: the note says so (after tcpdump's words for ESP's).
      out.text(protocol === IPPROTO_ESP ? `: ${chain} [|esp]` : `:${cut}`);
      writeIpv4FragmentText(out, fragment);
      return;
    }
    const name = ipProtocolName(protocol);
    const payload = ip4 !== undefined ? ipv4Payload : ip6?.upperLayerLength ?? 0;
    if (protocol === IPPROTO_NONE) {
      // tcpdump's ip_demux_print says so, and nothing more.
      out.text(`: ${chain}no next header`);
      writeIpv4FragmentText(out, fragment);
      return;
    }
    if (name === "unknown") {
      // ip_demux_print's default, as -n has it: the number and the length, after a space.
      out.text(`: ${chain} ip-proto-${protocol} ${payload}`);
      writeIpv4FragmentText(out, fragment);
      return;
    }
    out.text(`: ${chain}${name}, length ${payload}`);
    writeIpv4FragmentText(out, fragment);
  }
}

/** A scratch view for the priority tcpdump reads after an empty datagram on the syslog port. */
const EMPTY_SYSLOG = new SyslogMessage();

/** The largest length a UDP header's field can state; a jumbogram's is 0 (RFC 2675). */
const MAX_UDP_LENGTH = 0xffff;

/** Whether UDP's length field is shorter than its header (and no jumbogram's 0). */
function udpLengthTooShort(udp: UdpHeader): boolean {
  return udp.length < UDP_HEADER_LENGTH &&
    !(udp.length === 0 && udp.segmentLength > MAX_UDP_LENGTH);
}

/**
 * `, length N` after `UDP`, or tcpdump's `, bad length N > M` when the length field claims more
 * than the IP packet holds (M) and the datagram is whole (a fragment's field counts the rest).
 */
function writeUdpLength(out: ByteWriter, packet: Packet, udp: UdpHeader, length: number): void {
  const carried = udp.ipPayloadLength - UDP_HEADER_LENGTH;
  const fragment = packet.ipv4 !== undefined
    ? packet.ipv4.isFragment
    : (packet.ipv6?.fragmentHeaderOffset ?? -1) >= 0;
  if (length > carried && !fragment) out.text(`, bad length ${length} > ${carried}`);
  else {
    out.field(PIECE.length, length);
  }
}

/**
 * A datagram's data length as tcpdump prints it: by the length field, but by the IP length in
 * a jumbogram, whose field is 0 (RFC 2675 section 4; tshark shows the field, `udp.length` 0).
 */
function udpDataLength(udp: UdpHeader): number {
  return udp.length === 0 && udp.segmentLength > MAX_UDP_LENGTH
    ? udp.segmentLength - UDP_HEADER_LENGTH
    : udp.payloadLength;
}

/** "No next header" (RFC 8200 section 4.7), in IPv4 and IPv6 alike. */
const IPPROTO_NONE = 59;

/**
 * What IP carries that netpeek decodes (or walks, as IPv6's extension headers): the line of
 * one of them that reaches the plain protocol's words lacks its header.
 */
const DECODED_IP_PROTOCOLS: ReadonlySet<number> = new Set([
  IPV6_HOP_BY_HOP,
  IPPROTO_ICMP,
  IPPROTO_IGMP,
  4, // IPv4 in IP
  IPPROTO_TCP,
  IPPROTO_UDP,
  41, // IPv6 in IP
  IPV6_ROUTING,
  IPV6_FRAGMENT,
  IPPROTO_GRE,
  IPPROTO_ESP,
  IPPROTO_AH,
  IPPROTO_ICMPV6,
  IPV6_DESTINATION,
]);

/**
 * Whether the packet's one note is that its IP length runs past the frame (tcpdump's
 * `truncated-ip - N bytes missing!`), after which tcpdump goes on to what IP carries.
 */
function ipLengthNoteOnly(
  packet: Packet,
  ip4: Ipv4Header | undefined,
  ip6: Ipv6Header | undefined,
): boolean {
  const stop = packet.stop;
  if (stop === undefined || stop.kind !== "malformed") return false;
  if (ip4 !== undefined) return stop.layer === "ipv4" && ip4.missingBytes > 0;
  return ip6 !== undefined && stop.layer === "ipv6" && ip6.missingBytes > 0 &&
    ip6.chainNeed === 0;
}

/** SOME/IP's words where the decoder gave the datagram to a protocol tcpdump does not know. */
const SOMEIP_SCRATCH = new SomeIpMessage();

/** Whether the packet stopped at its IPv4 header, captured only in part (options cut). */
function ipv4HeaderCut(packet: Packet, ip4: Ipv4Header): boolean {
  const stop = packet.stop;
  return stop !== undefined && stop.layer === "ipv4" && stop.kind === "truncated" &&
    ip4.capturedLength < ip4.ihl;
}

/** The protocols whose printers write the hosts with the ports (tcpdump's `ip_print`). */
const PORTS_WRITE_HOSTS: ReadonlySet<number> = new Set([
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_SCTP,
  IPPROTO_DCCP,
]);

/** The link types whose frames begin with an IP header, of either version. */
const RAW_IP_LINK_TYPES = new Set([
  LINKTYPE_RAW,
  DLT_RAW,
  DLT_RAW_OPENBSD,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
]);

/**
 * The version of a raw IP frame's header that is neither 4 nor 6 (tcpdump's `unknown ip 3`),
 * else -1.
 */
function rawIpOtherVersion(packet: Packet): number {
  if (!RAW_IP_LINK_TYPES.has(packet.linkType)) return -1;
  const frame = packet.frame;
  if (frame.length < 1) return -1;
  const version = frame[0] >>> 4;
  return version === 4 || version === 6 ? -1 : version;
}

/**
 * What netpeek does not decode past the link layer, named by its type and length (`link`:
 * `-e` printed the type already).
 */
function otherLinkText(
  packet: Packet,
  header: FrameHeader,
  networkLength: number,
  link: boolean,
): string {
  if (link) return `length ${networkLength}`;
  const type = packet.networkType;
  // An IP header cut short: tcpdump names the protocol, then its note.
  if (type === ETHERTYPE_IPV4 && packet.stop?.layer === "ipv4") return "IP ";
  if (type === ETHERTYPE_IPV6 && packet.stop?.layer === "ipv6") return "IP6 ";
  if (packet.eth !== undefined && type <= ETHERNET_MAX_LENGTH_FIELD) {
    return `802.3, length ${networkLength}`;
  }
  if (type === 0) return `length ${header.len}`;
  return `${etherTypeText(type)}, length ${networkLength}`;
}

/** TCP ports tcpdump decodes that netpeek follows it on (SSH: the version banner). */
const FTP_PORT = 21;
const SSH_PORT = 22;
const TELNET_PORT = 23;
const SMTP_PORT = 25;
const WHOIS_PORT = 43;
const RTSP_PORT = 554;

/**
 * What tcpdump reads a TCP port's segments as, where netpeek follows it: a text protocol's
 * lines, or telnet's option commands (which netpeek does not read), SSH's banner, DNS.
 */
type TcpReading = TextProtocol | "telnet" | "ssh" | "dns";

/**
 * The TCP ports netpeek prints tcpdump's words for, in the order tcpdump 4.99 tries them
 * (measured on every pair of them), and what it reads on each.
 */
const TCPDUMP_TCP_READINGS: readonly { ports: readonly number[]; reading: TcpReading }[] = [
  { ports: [TELNET_PORT], reading: "telnet" },
  { ports: [SMTP_PORT], reading: TEXT_PROTOCOL.smtp },
  { ports: [WHOIS_PORT], reading: TEXT_PROTOCOL.whois },
  { ports: [SSH_PORT], reading: "ssh" },
  { ports: [FTP_PORT], reading: TEXT_PROTOCOL.ftp },
  { ports: [HTTP_PORT, HTTP_ALT_PORT], reading: TEXT_PROTOCOL.http },
  { ports: [RTSP_PORT], reading: TEXT_PROTOCOL.rtsp },
  { ports: [DNS_PORT], reading: "dns" },
];

/** Each port's place in `TCPDUMP_TCP_READINGS`, from 1; 0 for a port not in it. */
const TCPDUMP_TCP_RANK: Uint8Array = (() => {
  const ranks = new Uint8Array(1 << 16);
  TCPDUMP_TCP_READINGS.forEach(({ ports }, index) => {
    for (const port of ports) ranks[port] = index + 1;
  });
  return ranks;
})();

/**
 * What tcpdump reads a segment as, by the earlier of its ports in tcpdump's order, or
 * `undefined` when it reads none of those netpeek follows: two loads for most segments.
 */
function tcpdumpTcpReading(tcp: TcpHeader): TcpReading | undefined {
  const bySource = TCPDUMP_TCP_RANK[tcp.srcPort];
  const byDestination = TCPDUMP_TCP_RANK[tcp.dstPort];
  const rank = bySource === 0
    ? byDestination
    : byDestination === 0
    ? bySource
    : Math.min(bySource, byDestination);
  return rank === 0 ? undefined : TCPDUMP_TCP_READINGS[rank - 1].reading;
}

/**
 * DNS over TCP on port 53 as tcpdump prints it: the message after its two-byte length, or
 * tcpdump's words when that length is not the rest of the segment's (a message split across
 * segments, or two in one, which tcpdump does not follow).
 */
function writeDnsOverTcp(
  out: ByteWriter,
  packet: Packet,
  tcp: TcpHeader,
  verbosity: number,
): void {
  const start = tcp.offset + tcp.dataOffset;
  const length = tcp.payloadLength;
  if (length < 2) {
    out.text(` [DNS over TCP: length ${length} < 2] (invalid)`);
    return;
  }
  if (start + 2 > tcp.end) {
    out.text(" [|domain]");
    return;
  }
  const prefix = tcp.dataView.getUint16(start);
  if (prefix !== length - 2) {
    out.text(` [prefix length(${prefix}) != length(${length - 2})] (invalid)`);
  } else if (packet.dns !== undefined) {
    out.byte(0x20);
    writeDns(out, packet.dns, length - 2, verbosity, false);
  }
}

/** RFC 4253 section 4.2: the banner's line is at most 255 bytes, CR LF included. */
const SSH_BANNER_MAX = 255;

/**
 * tcpdump's `: SSH: SSH-2.0-OpenSSH_9.2` for a segment on port 22 that begins with the
 * version banner (RFC 4253 section 4.2), up to its line end; nothing for any other.
 */
function writeSshBanner(out: ByteWriter, view: DataView, start: number, end: number): void {
  const limit = Math.min(end, start + SSH_BANNER_MAX);
  if (limit - start < 4) return;
  const magic = [0x53, 0x53, 0x48, 0x2d]; // "SSH-"
  for (let i = 0; i < 4; i++) if (view.getUint8(start + i) !== magic[i]) return;
  let text = "";
  for (let at = start; at < limit; at++) {
    const byte = view.getUint8(at);
    if (byte === 0x0d || byte === 0x0a) break;
    // Only what prints: the banner is the peer's bytes, not ours to send to a terminal.
    if (byte < 0x20 || byte > 0x7e) return;
    text += String.fromCharCode(byte);
  }
  out.text(`: SSH: ${text}`);
}
