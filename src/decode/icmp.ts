/**
 * ICMP for IPv4 (RFC 792) and IPv6 (RFC 4443, neighbor discovery RFC 4861): type and code
 * with names, checksum verification, echo identifier and sequence, the IP header and ports
 * quoted by error messages, redirect gateways, MTUs, and neighbor-discovery targets, flags and
 * options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IcmpHeader } from "./mod.ts";
 * const bytes = new Uint8Array([8, 0, 0xf7, 0xfe, 0, 1, 0, 1]);
 * const icmp = new IcmpHeader().bindVersion(new DataView(bytes.buffer), 0, 8, 4);
 * assert.deepEqual([icmp.typeName, icmp.id, icmp.sequence], ["echo request", 1, 1]);
 * ```
 * @module
 */

import { formatIpv4, formatIpv6, formatMac } from "./address.ts";
import { ChecksummedView, onesComplementSum } from "./header.ts";
import { IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from "./ipproto.ts";
import { IPV4_MIN_HEADER_LENGTH, Ipv4Header } from "./ipv4.ts";
import { IPV6_HEADER_LENGTH, Ipv6Header } from "./ipv6.ts";
import { UDP_HEADER_LENGTH, UdpHeader } from "./udp.ts";
import { checksumStatus, type FieldPlaces, type FieldTable } from "./field.ts";

/** Type, code and checksum: 4 bytes. */
export const ICMP_TYPE_CODE_CHECKSUM_LENGTH = 4;
/** Every ICMP and ICMPv6 message has at least 4 bytes after type, code and checksum. */
export const ICMP_HEADER_LENGTH = 8;

// Where each field lies, in bytes from the message's start: type, code and checksum (RFC 792, RFC
// 4443 section 2.1), then the four bytes whose meaning depends on the type, then the body (the
// quoted packet of an error, or a neighbor-discovery message's target).
const FIELD_TYPE = 0;
const FIELD_CODE = 1;
const FIELD_CHECKSUM = 2;
/** Echo (RFC 792; RFC 4443 section 4.1): identifier, then sequence number. */
const FIELD_ECHO_ID = 4;
const FIELD_ECHO_SEQUENCE = 6;
/** Redirect (RFC 792): the gateway's address. */
const FIELD_GATEWAY = 4;
/** ICMPv6 packet too big (RFC 4443 section 3.2): the MTU, 4 bytes. */
const FIELD_PACKET_TOO_BIG_MTU = 4;
/** ICMPv4 "fragmentation needed" (RFC 1191 section 4): the next-hop MTU, 2 bytes. */
const FIELD_NEXT_HOP_MTU = 6;
/** Parameter problem: a 1-byte pointer (RFC 792), a 4-byte one (RFC 4443 section 3.4). */
const FIELD_POINTER = 4;
/** Neighbor advertisement's R, S, O flags (RFC 4861 section 4.4). */
const FIELD_NEIGHBOR_FLAGS = 4;
/** Router advertisement's M and O flags (RFC 4861 section 4.2). */
const FIELD_ROUTER_FLAGS = 5;
/** An error's quoted packet, or a solicitation, advertisement or redirect's target. */
const FIELD_BODY = 8;
// Multicast Listener Discovery (RFC 2710 section 3, RFC 3810 sections 5.1 and 5.2).
/** Maximum Response Delay (v1) or Code (v2 query). */
const FIELD_MLD_DELAY = 4;
/** MLDv2 report: the number of multicast address records. */
const FIELD_MLD_RECORDS = 6;
/** The multicast address (v1, v2 query). */
const FIELD_MLD_ADDRESS = 8;
/** MLDv2 query: the number of sources. */
const FIELD_MLD_SOURCES = 26;
/** An MLDv1 message: 24 bytes; an MLDv2 query: 28 or more. */
export const MLD_V1_LENGTH = 24;
/** The shortest MLDv2 query. */
export const MLD_V2_QUERY_LENGTH = 28;

/** Where neighbor-discovery options start in each message (RFC 4861 section 4). */
const ND_OPTIONS_AT_ROUTER_SOLICIT = 8;
const ND_OPTIONS_AT_ROUTER_ADVERT = 16;
const ND_OPTIONS_AT_NEIGHBOR = 24;
const ND_OPTIONS_AT_REDIRECT = 40;

/** A neighbor-discovery option (RFC 4861 section 4.6): type, length in 8-byte units. */
const ND_OPTION_TYPE = 0;
const ND_OPTION_LENGTH = 1;
const ND_OPTION_LINK_ADDRESS = 2;
const ND_OPTION_PREFIX_LENGTH = 2;
const ND_OPTION_PREFIX = 16;
const ND_OPTION_MTU = 4;

/** Source and destination port: the first 4 bytes of a quoted TCP or UDP header. */
const PORTS_LENGTH = 4;

/** The 16-byte address after an IPv6 target field. */
const IPV6_ADDRESS_LENGTH = 16;

/** Views of the packet an error message quotes (allocated once, used by `quoted`). */
const QUOTED_IPV4 = new Ipv4Header();
const QUOTED_IPV6 = new Ipv6Header();
const QUOTED_PORTS = new UdpHeader();

/** ICMPv4 echo reply. */
export const ICMP_ECHO_REPLY = 0;
/** ICMPv4 destination unreachable. */
export const ICMP_UNREACHABLE = 3;
/** ICMPv4 source quench. */
export const ICMP_SOURCE_QUENCH = 4;
/** ICMPv4 redirect. */
export const ICMP_REDIRECT = 5;
/** ICMPv4 echo request. */
export const ICMP_ECHO_REQUEST = 8;
/** ICMPv4 time exceeded. */
export const ICMP_TIME_EXCEEDED = 11;
/** ICMPv4 parameter problem. */
export const ICMP_PARAMETER_PROBLEM = 12;
/** ICMPv6 destination unreachable. */
export const ICMPV6_UNREACHABLE = 1;
/** ICMPv6 packet too big. */
export const ICMPV6_PACKET_TOO_BIG = 2;
/** ICMPv6 time exceeded. */
export const ICMPV6_TIME_EXCEEDED = 3;
/** ICMPv6 parameter problem. */
export const ICMPV6_PARAMETER_PROBLEM = 4;
/** ICMPv6 echo request. */
export const ICMPV6_ECHO_REQUEST = 128;
/** ICMPv6 echo reply. */
export const ICMPV6_ECHO_REPLY = 129;
/** Router solicitation. */
export const ND_ROUTER_SOLICIT = 133;
/** Router advertisement. */
export const ND_ROUTER_ADVERT = 134;
/** Neighbor solicitation. */
export const ND_NEIGHBOR_SOLICIT = 135;
/** Neighbor advertisement. */
export const ND_NEIGHBOR_ADVERT = 136;
/** Redirect. */
export const ND_REDIRECT = 137;

const ICMPV4_TYPES: ReadonlyMap<number, string> = new Map([
  [ICMP_ECHO_REPLY, "echo reply"],
  [ICMP_UNREACHABLE, "unreachable"],
  [ICMP_SOURCE_QUENCH, "source quench"],
  [ICMP_REDIRECT, "redirect"],
  [ICMP_ECHO_REQUEST, "echo request"],
  [9, "router advertisement"],
  [10, "router solicitation"],
  [ICMP_TIME_EXCEEDED, "time exceeded"],
  [ICMP_PARAMETER_PROBLEM, "parameter problem"],
  [13, "time stamp request"],
  [14, "time stamp reply"],
]);

const ICMPV4_UNREACHABLE_CODES: readonly string[] = [
  "net unreachable",
  "host unreachable",
  "protocol unreachable",
  "port unreachable",
  "need to frag",
  "source route failed",
  "net unknown",
  "host unknown",
  "source host isolated",
  "net prohibited",
  "host prohibited",
  "net unreachable for TOS",
  "host unreachable for TOS",
  "communication prohibited",
  "host precedence violation",
  "precedence cutoff",
];

const ICMPV4_TIME_EXCEEDED_CODES: readonly string[] = ["in-transit", "ip reassembly"];
const ICMPV4_REDIRECT_CODES: readonly string[] = ["net", "host", "tos-net", "tos-host"];

const ICMPV6_TYPES: ReadonlyMap<number, string> = new Map([
  [ICMPV6_UNREACHABLE, "destination unreachable"],
  [ICMPV6_PACKET_TOO_BIG, "packet too big"],
  [ICMPV6_TIME_EXCEEDED, "time exceeded"],
  [ICMPV6_PARAMETER_PROBLEM, "parameter problem"],
  [ICMPV6_ECHO_REQUEST, "echo request"],
  [ICMPV6_ECHO_REPLY, "echo reply"],
  [130, "multicast listener query"],
  [131, "multicast listener report"],
  [132, "multicast listener done"],
  [ND_ROUTER_SOLICIT, "router solicitation"],
  [ND_ROUTER_ADVERT, "router advertisement"],
  [ND_NEIGHBOR_SOLICIT, "neighbor solicitation"],
  [ND_NEIGHBOR_ADVERT, "neighbor advertisement"],
  [ND_REDIRECT, "redirect"],
  [143, "multicast listener report v2"],
]);

const ICMPV6_UNREACHABLE_CODES: readonly string[] = [
  "no route to destination",
  "administratively prohibited",
  "beyond scope of source address",
  "unreachable address",
  "unreachable port",
  "source address failed policy",
  "reject route to destination",
];

const ICMPV6_TIME_EXCEEDED_CODES: readonly string[] = ["in-transit", "reassembly"];

const ND_OPTION_NAMES: Record<number, string> = {
  1: "source link-address",
  2: "target link-address",
  3: "prefix info",
  4: "redirected header",
  5: "mtu",
  25: "rdnss",
  31: "dnssl",
};

/** The IP header and ports an ICMP error message quotes. */
export interface QuotedPacket {
  /** IP version of the quoted header. */
  version: 4 | 6;
  /** Its source and destination. */
  src: string;
  /** Destination address. */
  dst: string;
  /** Its protocol (next header). */
  protocol: number;
  /** TCP or UDP ports, when the quote reaches them. */
  srcPort?: number;
  /** Destination port (TCP/UDP). */
  dstPort?: number;
}

/** A neighbor-discovery option (RFC 4861 section 4.6). */
export interface NdOption {
  /** Option type. */
  type: number;
  /** `source link-address`, `target link-address`, `prefix info`, `mtu`, … */
  name: string;
  /** Length in bytes. */
  length: number;
  /** Link-layer address (source/target link-address options). */
  linkAddress?: string;
  /** Prefix and its length (prefix information). */
  prefix?: string;
  /** Prefix length in bits. */
  prefixLength?: number;
  /** MTU (MTU option). */
  mtu?: number;
}

/** The JSON form of an ICMP or ICMPv6 header (docs/json.md). */
export interface IcmpJson {
  /** Message type. */
  type: number;
  /** Message code. */
  code: number;
  /** The type as text. */
  typeName: string;
  /** The code as text, for types with named codes. */
  codeName?: string;
  /** Checksum as transmitted. */
  checksum: number;
  /** Whether the checksum is right; null when it cannot be verified. */
  checksumOk: boolean | null;
  /** Identification (or DNS/echo identifier). */
  id?: number | null;
  /** Echo sequence number (echo messages only). */
  sequence?: number | null;
  /** The header an error message quotes. */
  quoted?: QuotedPacket | null;
  /** ICMPv4 redirect gateway. */
  gateway?: string;
  /** The MTU (packet too big, need to frag). */
  mtu?: number;
  /** Parameter problem: offset of the problem. */
  pointer?: number;
  /** Neighbor discovery target address. */
  target?: string;
  /** The flags, each a boolean. */
  flags?: Record<string, boolean>;
  /** Options, in order. */
  options?: NdOption[];
}

/** A view of one ICMP or ICMPv6 message. */
export class IcmpHeader extends ChecksummedView {
  /** The IP protocol number the pseudo-header carries. */
  protected readonly protocolNumber: number = IPPROTO_ICMPV6;
  /** Offset of the checksum field within the header. */
  protected readonly checksumOffset: number = 2;
  /** 4 for ICMP, 6 for ICMPv6. */
  version: 4 | 6 = 4;

  /** Length of the whole ICMP message by the IP lengths; set by the decoder. */
  messageLength = 0;

  /** Binds a header of the given IP version. */
  bindVersion(view: DataView, offset: number, end: number, version: 4 | 6): this {
    this.version = version;
    return this.bind(view, offset, end);
  }

  /** Message type. */
  get type(): number {
    return this.view.getUint8(this.offset + FIELD_TYPE);
  }

  /** Message code. */
  get code(): number {
    return this.view.getUint8(this.offset + FIELD_CODE);
  }

  /** Checksum as transmitted. */
  get checksum(): number {
    return this.view.getUint16(this.offset + FIELD_CHECKSUM);
  }

  /** ICMPv4's checksum covers the message alone; ICMPv6's also a pseudo-header. */
  override get checksumOk(): boolean | null {
    if (this.version === 6) return super.checksumOk;
    if (!this.verifiable) return null;
    return onesComplementSum(this.view, this.offset, this.segmentLength) === 0xffff;
  }

  /** The checksum the message should carry; `null` when it cannot be computed. */
  override get expectedChecksum(): number | null {
    if (this.version === 6) return super.expectedChecksum;
    if (!this.verifiable) return null;
    // The sum less the checksum field, complemented: RFC 1624's recomputation.
    let sum = onesComplementSum(this.view, this.offset, this.segmentLength) +
      (~this.checksum & 0xffff);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    return ~sum & 0xffff;
  }

  /** Whether this is an ICMPv4 redirect (RFC 792), which quotes the packet it redirects. */
  get isRedirect(): boolean {
    return this.version === 4 && this.type === ICMP_REDIRECT;
  }

  /** Whether this is an echo request or reply, which carry an identifier and sequence. */
  get isEcho(): boolean {
    const type = this.type;
    return this.version === 4
      ? type === ICMP_ECHO_REQUEST || type === ICMP_ECHO_REPLY
      : type === ICMPV6_ECHO_REQUEST || type === ICMPV6_ECHO_REPLY;
  }

  /** Whether this is an error message, which quotes the packet that caused it. */
  get isError(): boolean {
    const type = this.type;
    return this.version === 4
      ? type === ICMP_UNREACHABLE || type === ICMP_SOURCE_QUENCH || type === ICMP_REDIRECT ||
        type === ICMP_TIME_EXCEEDED || type === ICMP_PARAMETER_PROBLEM
      : type >= ICMPV6_UNREACHABLE && type <= ICMPV6_PARAMETER_PROBLEM;
  }

  /** Echo identifier; `null` for other messages or when not captured. */
  get id(): number | null {
    return this.isEcho && !this.truncated ? this.view.getUint16(this.offset + FIELD_ECHO_ID) : null;
  }

  /** Echo sequence number; `null` for other messages or when not captured. */
  get sequence(): number | null {
    return this.isEcho && !this.truncated
      ? this.view.getUint16(this.offset + FIELD_ECHO_SEQUENCE)
      : null;
  }

  /** A name for the type, as tcpdump words it, or `type N`. */
  get typeName(): string {
    return this.knownTypeName ?? `type ${this.type}`;
  }

  /** The type's name as tcpdump words it, or `null` for a type it does not name. */
  get knownTypeName(): string | null {
    return (this.version === 4 ? ICMPV4_TYPES : ICMPV6_TYPES).get(this.type) ?? null;
  }

  /** A name for the code where the type defines named codes, else `null`. */
  get codeName(): string | null {
    const type = this.type;
    const code = this.code;
    let names: readonly string[] | undefined;
    if (this.version === 4) {
      if (type === ICMP_UNREACHABLE) names = ICMPV4_UNREACHABLE_CODES;
      else if (type === ICMP_TIME_EXCEEDED) names = ICMPV4_TIME_EXCEEDED_CODES;
      else if (type === ICMP_REDIRECT) names = ICMPV4_REDIRECT_CODES;
    } else if (type === ICMPV6_UNREACHABLE) names = ICMPV6_UNREACHABLE_CODES;
    else if (type === ICMPV6_TIME_EXCEEDED) names = ICMPV6_TIME_EXCEEDED_CODES;
    if (names === undefined) return null;
    return names[code] ?? `code ${code}`;
  }

  /** The redirect's gateway (ICMPv4 redirect), else `null`. */
  get gateway(): string | null {
    return this.version === 4 && this.type === ICMP_REDIRECT && !this.truncated
      ? formatIpv4(this.view, this.offset + FIELD_GATEWAY)
      : null;
  }

  /** An MLD message's Maximum Response Delay (v1) or Code (v2 query). */
  get mldDelay(): number {
    return this.u16(FIELD_MLD_DELAY);
  }

  /** An MLD message's multicast address (v1, v2 query), or null when not captured. */
  get mldAddress(): string | null {
    const at = this.offset + FIELD_MLD_ADDRESS;
    return at + 16 <= this.end ? formatIpv6(this.view, at) : null;
  }

  /** An MLDv2 report's number of records. */
  get mldRecordCount(): number {
    return this.u16(FIELD_MLD_RECORDS);
  }

  /** An MLDv2 query's number of sources. */
  get mldSourceCount(): number {
    return this.u16(FIELD_MLD_SOURCES);
  }

  /** The MTU of "packet too big" (v6) or "need to frag" (v4), else `null`. */
  get mtu(): number | null {
    if (this.truncated) return null;
    if (this.version === 6 && this.type === ICMPV6_PACKET_TOO_BIG) {
      return this.view.getUint32(this.offset + FIELD_PACKET_TOO_BIG_MTU);
    }
    if (this.version === 4 && this.type === ICMP_UNREACHABLE && this.code === 4) {
      return this.view.getUint16(this.offset + FIELD_NEXT_HOP_MTU);
    }
    return null;
  }

  /** The parameter problem's pointer, else `null`. */
  get pointer(): number | null {
    if (this.truncated) return null;
    if (this.version === 4 && this.type === ICMP_PARAMETER_PROBLEM) {
      return this.view.getUint8(this.offset + FIELD_POINTER);
    }
    if (this.version === 6 && this.type === ICMPV6_PARAMETER_PROBLEM) {
      return this.view.getUint32(this.offset + FIELD_POINTER);
    }
    return null;
  }

  /**
   * The bytes of the packet an error message quotes (after its 8-byte header, to the end of
   * the message), or `null` for a message that quotes none. tshark dissects them as a packet of
   * its own, whose fields it lists after the message's.
   */
  get quotedBytes(): Uint8Array | null {
    const start = this.offset + FIELD_BODY;
    if (!this.isError || start >= this.end) return null;
    const view = this.view;
    return new Uint8Array(view.buffer, view.byteOffset + start, this.end - start);
  }

  /** The header (and ports) an error message quotes; `null` when none was captured. */
  get quoted(): QuotedPacket | null {
    if (!this.isError) return null;
    const view = this.view;
    const at = this.offset + FIELD_BODY;
    const end = this.end;
    if (at + 1 > end) return null;
    const version = view.getUint8(at) >>> 4;
    let quoted: QuotedPacket;
    let transport: number;
    if (version === 4 && at + IPV4_MIN_HEADER_LENGTH <= end) {
      const ip = QUOTED_IPV4.bind(view, at, end);
      quoted = { version: 4, src: ip.src, dst: ip.dst, protocol: ip.protocol };
      const ihl = ip.ihl;
      transport = ihl >= IPV4_MIN_HEADER_LENGTH ? at + ihl : end;
    } else if (version === 6 && at + IPV6_HEADER_LENGTH <= end) {
      const ip = QUOTED_IPV6.bind(view, at, end);
      quoted = { version: 6, src: ip.src, dst: ip.dst, protocol: ip.nextHeader };
      transport = at + IPV6_HEADER_LENGTH;
    } else {
      return null;
    }
    // The ports are the first four bytes of TCP and UDP alike.
    if ((quoted.protocol === IPPROTO_TCP || quoted.protocol === IPPROTO_UDP) && transport < end) {
      const ports = QUOTED_PORTS.bindPartial(view, transport, end, UDP_HEADER_LENGTH);
      if (ports.capturedLength >= PORTS_LENGTH) {
        quoted.srcPort = ports.srcPort;
        quoted.dstPort = ports.dstPort;
      }
    }
    return quoted;
  }

  /** Whether this is a neighbor-discovery message (ICMPv6 133 to 137). */
  get isNeighborDiscovery(): boolean {
    return this.version === 6 && this.type >= ND_ROUTER_SOLICIT && this.type <= ND_REDIRECT;
  }

  /** Target address of a neighbor solicitation, advertisement or redirect, else `null`. */
  get target(): string | null {
    const type = this.type;
    if (
      this.version !== 6 ||
      !(type === ND_NEIGHBOR_SOLICIT || type === ND_NEIGHBOR_ADVERT || type === ND_REDIRECT) ||
      this.offset + FIELD_BODY + IPV6_ADDRESS_LENGTH > this.end
    ) return null;
    return formatIpv6(this.view, this.offset + FIELD_BODY);
  }

  /** Flags of a neighbor or router advertisement, else `null`. */
  get ndFlags(): Record<string, boolean> | null {
    if (this.version !== 6 || this.truncated) return null;
    if (this.type === ND_NEIGHBOR_ADVERT) {
      const bits = this.view.getUint8(this.offset + FIELD_NEIGHBOR_FLAGS);
      return {
        router: (bits & 0x80) !== 0,
        solicited: (bits & 0x40) !== 0,
        override: (bits & 0x20) !== 0,
      };
    }
    if (this.type === ND_ROUTER_ADVERT) {
      const bits = this.view.getUint8(this.offset + FIELD_ROUTER_FLAGS);
      return { managed: (bits & 0x80) !== 0, other: (bits & 0x40) !== 0 };
    }
    return null;
  }

  /** Where a neighbor-discovery message's options start, or -1. */
  #optionsStart(): number {
    switch (this.isNeighborDiscovery ? this.type : -1) {
      case ND_ROUTER_SOLICIT:
        return this.offset + ND_OPTIONS_AT_ROUTER_SOLICIT;
      case ND_ROUTER_ADVERT:
        return this.offset + ND_OPTIONS_AT_ROUTER_ADVERT;
      case ND_NEIGHBOR_SOLICIT:
      case ND_NEIGHBOR_ADVERT:
        return this.offset + ND_OPTIONS_AT_NEIGHBOR;
      case ND_REDIRECT:
        return this.offset + ND_OPTIONS_AT_REDIRECT;
      default:
        return -1;
    }
  }

  /** Neighbor-discovery options (allocates); `null` for other messages. */
  get ndOptions(): NdOption[] | null {
    let at = this.#optionsStart();
    if (at < 0) return null;
    const view = this.view;
    const end = this.end;
    const options: NdOption[] = [];
    while (at + ND_OPTION_LENGTH + 1 <= end) {
      const type = view.getUint8(at + ND_OPTION_TYPE);
      const length = view.getUint8(at + ND_OPTION_LENGTH) * 8;
      if (length === 0 || at + length > end) break; // a zero length would loop for ever
      const option: NdOption = { type, name: ND_OPTION_NAMES[type] ?? "unknown", length };
      if ((type === 1 || type === 2) && length >= 8) {
        option.linkAddress = formatMac(
          view,
          at + ND_OPTION_LINK_ADDRESS,
          Math.min(length - ND_OPTION_LINK_ADDRESS, 6),
        );
      } else if (type === 3 && length >= 32) {
        option.prefixLength = view.getUint8(at + ND_OPTION_PREFIX_LENGTH);
        option.prefix = formatIpv6(view, at + ND_OPTION_PREFIX);
      } else if (type === 5 && length >= 8) {
        option.mtu = view.getUint32(at + ND_OPTION_MTU);
      }
      options.push(option);
      at += length;
    }
    return options;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): IcmpJson {
    const json: IcmpJson = {
      type: this.type,
      code: this.code,
      typeName: this.typeName,
      checksum: this.checksum,
      checksumOk: this.checksumOk,
    };
    const codeName = this.codeName;
    if (codeName !== null) json.codeName = codeName;
    if (this.isEcho) {
      json.id = this.id;
      json.sequence = this.sequence;
    }
    if (this.isError) json.quoted = this.quoted;
    const gateway = this.gateway;
    if (gateway !== null) json.gateway = gateway;
    const mtu = this.mtu;
    if (mtu !== null) json.mtu = mtu;
    const pointer = this.pointer;
    if (pointer !== null) json.pointer = pointer;
    const target = this.target;
    if (target !== null) json.target = target;
    const flags = this.ndFlags;
    if (flags !== null) json.flags = flags;
    const options = this.ndOptions;
    if (options !== null) json.options = options;
    return json;
  }
}

const v4 = <T>(icmp: IcmpHeader, read: (icmp: IcmpHeader) => T) =>
  icmp.version === 4 ? read(icmp) : undefined;
const v6 = <T>(icmp: IcmpHeader, read: (icmp: IcmpHeader) => T) =>
  icmp.version === 6 ? read(icmp) : undefined;
const advert = (icmp: IcmpHeader, flag: "router" | "solicited" | "override") =>
  icmp.version === 6 && icmp.type === ND_NEIGHBOR_ADVERT
    ? (icmp.ndFlags?.[flag] ? 1 : 0)
    : undefined;
const ndOptions = (icmp: IcmpHeader, read: (option: NdOption) => number | string | undefined) => {
  const values = (v6(icmp, (m) => m.ndOptions) ?? []).map(read).filter((v) => v !== undefined);
  return values.length === 0 ? undefined : values as (number | string)[];
};

/** ICMP's fields (`icmp.*`) and ICMPv6's (`icmpv6.*`) under tshark's names. */
export const ICMP_FIELDS: FieldTable<IcmpHeader> = {
  "icmp.type": (icmp) => v4(icmp, (m) => m.type),
  "icmp.code": (icmp) => v4(icmp, (m) => m.code),
  "icmp.ident": (icmp) => v4(icmp, (m) => m.id) ?? undefined,
  "icmp.seq": (icmp) => v4(icmp, (m) => m.sequence) ?? undefined,
  "icmp.checksum.status": (icmp) => v4(icmp, (m) => checksumStatus(m.checksumOk)),
  "icmp.redir_gw": (icmp) => v4(icmp, (m) => m.gateway) ?? undefined,
  "icmp.mtu": (icmp) => v4(icmp, (m) => m.mtu) ?? undefined,
  "icmp.pointer": (icmp) => v4(icmp, (m) => m.pointer) ?? undefined,
  "icmpv6.type": (icmp) => v6(icmp, (m) => m.type),
  "icmpv6.code": (icmp) => v6(icmp, (m) => m.code),
  "icmpv6.echo.identifier": (icmp) => v6(icmp, (m) => m.id) ?? undefined,
  "icmpv6.echo.sequence_number": (icmp) => v6(icmp, (m) => m.sequence) ?? undefined,
  "icmpv6.checksum.status": (icmp) => v6(icmp, (m) => checksumStatus(m.checksumOk)),
  "icmpv6.mtu": (icmp) => v6(icmp, (m) => m.mtu) ?? undefined,
  "icmpv6.pointer": (icmp) => v6(icmp, (m) => m.pointer) ?? undefined,
  "icmpv6.nd.ns.target_address": (icmp) =>
    v6(icmp, (m) => m.type === ND_NEIGHBOR_SOLICIT ? m.target ?? undefined : undefined),
  "icmpv6.nd.na.target_address": (icmp) =>
    v6(icmp, (m) => m.type === ND_NEIGHBOR_ADVERT ? m.target ?? undefined : undefined),
  "icmpv6.nd.na.flag.r": (icmp) => advert(icmp, "router"),
  "icmpv6.nd.na.flag.s": (icmp) => advert(icmp, "solicited"),
  "icmpv6.nd.na.flag.o": (icmp) => advert(icmp, "override"),
  "icmpv6.opt.type": (icmp) => ndOptions(icmp, (option) => option.type),
  "icmpv6.opt.linkaddr": (icmp) => ndOptions(icmp, (option) => option.linkAddress),
  "icmpv6.opt.prefix": (icmp) => ndOptions(icmp, (option) => option.prefix),
  "icmpv6.opt.prefix.length": (icmp) => ndOptions(icmp, (option) => option.prefixLength),
};

/**
 * The JSON object's keys in their order: `toJSON`, the fast JSON writer and docs/json.md follow
 * this one declaration (tests/json_keys_test.ts holds all three to it). A key may be absent
 * from an object, never out of order.
 */
export const ICMP_JSON_KEYS: readonly string[] = [
  "type",
  "code",
  "typeName",
  "checksum",
  "checksumOk",
  "codeName",
  "id",
  "sequence",
  "quoted",
  "gateway",
  "mtu",
  "pointer",
  "target",
  "flags",
  "options",
] as const satisfies readonly (keyof IcmpJson)[];

/** Where each JSON key's bytes lie in the message; those of one type only where it has them. */
export const ICMP_FIELD_PLACES: FieldPlaces<IcmpHeader> = {
  type: [FIELD_TYPE, 1],
  code: [FIELD_CODE, 1],
  checksum: [FIELD_CHECKSUM, 2],
  checksumOk: [FIELD_CHECKSUM, 2],
  id: (icmp) => icmp.id !== null ? [FIELD_ECHO_ID, 2] : undefined,
  sequence: (icmp) => icmp.sequence !== null ? [FIELD_ECHO_SEQUENCE, 2] : undefined,
  gateway: (icmp) => icmp.gateway !== null ? [FIELD_GATEWAY, 4] : undefined,
  mtu: (icmp) =>
    icmp.mtu === null
      ? undefined
      : icmp.version === 6
      ? [FIELD_PACKET_TOO_BIG_MTU, 4]
      : [FIELD_NEXT_HOP_MTU, 2],
  pointer: (icmp) =>
    icmp.pointer === null ? undefined : [FIELD_POINTER, icmp.version === 6 ? 4 : 1],
};
