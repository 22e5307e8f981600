/**
 * IPv4 header (RFC 791), with options and header checksum verification (RFC 1071).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Ipv4Header } from "./mod.ts";
 * // RFC 791 fixed header: 20 bytes, DF set, TTL 64, UDP, 192.0.2.1 -> 198.51.100.2
 * const bytes = new Uint8Array([
 *   0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
 *   192, 0, 2, 1, 198, 51, 100, 2,
 * ]);
 * const ip = new Ipv4Header().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual([ip.df, ip.mf, ip.ttl, ip.src, ip.dst], [true, false, 64, "192.0.2.1", "198.51.100.2"]);
 * ```
 * @module
 */

import { formatIpv4 } from "./address.ts";
import { HeaderView, onesComplementSum } from "./header.ts";
import { checksumStatus, type FieldPlaces, type FieldTable } from "./field.ts";

/** The header without options: 20 bytes. */
export const IPV4_MIN_HEADER_LENGTH = 20;

// Where each field lies in the header (RFC 791 section 3.1), in bytes from its start.
/** Version (high nibble) and IHL in 32-bit words (low nibble). */
const FIELD_VERSION_IHL = 0;
const FIELD_TOS = 1;
const FIELD_TOTAL_LENGTH = 2;
const FIELD_IDENTIFICATION = 4;
const FIELD_FLAGS_FRAGMENT_OFFSET = 6;
const FIELD_TTL = 8;
const FIELD_PROTOCOL = 9;
const FIELD_CHECKSUM = 10;
const FIELD_SOURCE = 12;
const FIELD_DESTINATION = 16;
const FIELD_OPTIONS = 20;
/** "Don't Fragment", bit 1 of the flags (0x4000 of the flags/offset word). */
export const IPV4_FLAG_DF = 0x4000;
/** "More Fragments", bit 2 of the flags (0x2000 of the flags/offset word). */
export const IPV4_FLAG_MF = 0x2000;
/** The reserved ("evil") bit, 0x8000 of the flags/offset word. */
export const IPV4_FLAG_RESERVED = 0x8000;
/** Fragment offset in 8-byte units: the low 13 bits. */
export const IPV4_FRAGMENT_OFFSET_MASK = 0x1fff;

/** Option type 0: end of option list. */
export const IPV4_OPTION_EOL = 0;
/** Option type 1: no operation (padding). */
export const IPV4_OPTION_NOP = 1;

const OPTION_NAMES: ReadonlyMap<number, string> = new Map([
  [IPV4_OPTION_EOL, "EOL"],
  [IPV4_OPTION_NOP, "NOP"],
  [7, "RR"],
  [68, "TS"],
  [130, "SEC"],
  [131, "LSRR"],
  [133, "E-SEC"],
  [136, "SID"],
  [137, "SSRR"],
  [148, "RA"],
]);

/** RFC 791's short name of an option type (`RR`, `TS`, `LSRR`, `RA`, …), or `unknown`. */
export function ipv4OptionName(type: number): string {
  return OPTION_NAMES.get(type) ?? "unknown";
}

/** One IPv4 option as found in the header. */
export interface Ipv4Option {
  /** The option type octet (copy flag, class and number). */
  type: number;
  /** RFC 791's short name (`RR`, `TS`, `LSRR`, `RA`, …) or `unknown`. */
  name: string;
  /** Length including type and length octets (1 for EOL and NOP). */
  length: number;
  /** Set when the option runs past the header or has an impossible length. */
  malformed?: true;
}

/** The ECN codepoints of RFC 3168, indexed by the two low bits of the TOS byte. */
export const ECN_NAMES: readonly string[] = ["Not-ECT", "ECT(1)", "ECT(0)", "CE"];

/** The JSON form of an IPv4 header (docs/json.md). */
export interface Ipv4Json {
  /** IP version. */
  version: number;
  /** Header length in bytes. */
  ihl: number;
  /** Differentiated services code point. */
  dscp: number;
  /** ECN codepoint. */
  ecn: number;
  /** Length in bytes. */
  length: number;
  /** Identification (or DNS/echo identifier). */
  id: number;
  /** Don't Fragment. */
  df: boolean;
  /** More Fragments. */
  mf: boolean;
  /** Fragment offset in bytes. */
  fragOffset: number;
  /** Time to live. */
  ttl: number;
  /** Protocol of the payload. */
  protocol: number;
  /** Checksum as transmitted. */
  checksum: number;
  /** Whether the checksum is right; null when it cannot be verified. */
  checksumOk: boolean | null;
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** Options, in order. */
  options: Ipv4Option[];
}

/** A view of one IPv4 header. */
export class Ipv4Header extends HeaderView {
  /** The version nibble; 4 for a well-formed header. */
  get version(): number {
    return this.view.getUint8(this.offset + FIELD_VERSION_IHL) >>> 4;
  }

  /** Header length in bytes (IHL × 4). */
  get ihl(): number {
    return (this.view.getUint8(this.offset + FIELD_VERSION_IHL) & 0x0f) * 4;
  }

  /** The whole TOS / traffic-class byte. */
  get tos(): number {
    return this.view.getUint8(this.offset + FIELD_TOS);
  }

  /** Differentiated services code point (RFC 2474): the high six bits of TOS. */
  get dscp(): number {
    return this.tos >>> 2;
  }

  /** Explicit congestion notification (RFC 3168): the low two bits of TOS. */
  get ecn(): number {
    return this.tos & 0x03;
  }

  /** Total length of the datagram (header and payload) in bytes. */
  get length(): number {
    return this.view.getUint16(this.offset + FIELD_TOTAL_LENGTH);
  }

  /** Identification. */
  get id(): number {
    return this.view.getUint16(this.offset + FIELD_IDENTIFICATION);
  }

  /** The 16-bit flags and fragment offset word. */
  get flagsAndOffset(): number {
    return this.view.getUint16(this.offset + FIELD_FLAGS_FRAGMENT_OFFSET);
  }

  /** Don't Fragment. */
  get df(): boolean {
    return (this.flagsAndOffset & IPV4_FLAG_DF) !== 0;
  }

  /** More Fragments. */
  get mf(): boolean {
    return (this.flagsAndOffset & IPV4_FLAG_MF) !== 0;
  }

  /** The reserved bit, which must be zero (RFC 3514 notwithstanding). */
  get reservedFlag(): boolean {
    return (this.flagsAndOffset & IPV4_FLAG_RESERVED) !== 0;
  }

  /** Fragment offset in bytes (the field is in 8-byte units), as tcpdump and Wireshark show it. */
  get fragOffset(): number {
    return (this.flagsAndOffset & IPV4_FRAGMENT_OFFSET_MASK) * 8;
  }

  /** Whether this datagram is one fragment of a larger one (MF set or a non-zero offset). */
  get isFragment(): boolean {
    return (this.flagsAndOffset & (IPV4_FLAG_MF | IPV4_FRAGMENT_OFFSET_MASK)) !== 0;
  }

  /**
   * Whether the datagram holds data past its header and every byte of it, by the total length,
   * was captured. Wireshark reassembles only such fragments; a first fragment cut short by the
   * snapshot length it dissects as though it were the datagram.
   */
  get capturedWhole(): boolean {
    const total = this.length;
    return total > this.ihl && this.end - this.offset >= total;
  }

  /** Time to live. */
  get ttl(): number {
    return this.view.getUint8(this.offset + FIELD_TTL);
  }

  /** The protocol of the payload (6 TCP, 17 UDP, 1 ICMP, …). */
  get protocol(): number {
    return this.view.getUint8(this.offset + FIELD_PROTOCOL);
  }

  /** The header checksum as transmitted. */
  get checksum(): number {
    return this.view.getUint16(this.offset + FIELD_CHECKSUM);
  }

  /** Source address. */
  get src(): string {
    return formatIpv4(this.view, this.offset + FIELD_SOURCE);
  }

  /** Destination address. */
  get dst(): string {
    return formatIpv4(this.view, this.offset + FIELD_DESTINATION);
  }

  /** Source address as an unsigned 32-bit number. */
  get srcNumber(): number {
    return this.view.getUint32(this.offset + FIELD_SOURCE);
  }

  /** Destination address as an unsigned 32-bit number. */
  get dstNumber(): number {
    return this.view.getUint32(this.offset + FIELD_DESTINATION);
  }

  /**
   * What makes the header unusable, or `undefined`: RFC 791 wants version 4 and a header
   * length (IHL) of at least five words. `at` is the header's offset in its frame, for the
   * message.
   */
  headerProblem(at: number): string | undefined {
    const version = this.version;
    if (version !== 4) return `version field is ${version}, not 4, at offset ${at}`;
    const ihl = this.ihl;
    if (ihl < IPV4_MIN_HEADER_LENGTH) {
      return `header length ${ihl} is below ${IPV4_MIN_HEADER_LENGTH}`;
    }
    return undefined;
  }

  /**
   * Ends the layer at the datagram's total length, since what follows it (Ethernet pads short
   * frames to 60 bytes) is not IP payload; returns what is wrong with the total length, or
   * `undefined`. `wireEnd` is where the frame ended on the wire (past the captured bytes when
   * the snapshot length cut it).
   */
  endAtTotalLength(wireEnd: number): string | undefined {
    const total = this.length;
    const ihl = this.ihl;
    if (total === 0 && wireEnd - this.offset > ihl) {
      // GSO and BIG TCP hand over a segment larger than 64 KiB with a total length of 0: its
      // length is the frame's, as tshark takes it.
      this.lengthFromFrame = wireEnd - this.offset;
      return undefined;
    }
    if (total < ihl) return `total length ${total} is below the header length ${ihl}`;
    this.end = Math.min(this.end, this.offset + total);
    if (this.offset + total <= wireEnd) return undefined;
    this.missingBytes = this.offset + total - wireEnd;
    return `total length ${total} exceeds the ${wireEnd - this.offset} bytes left in the frame`;
  }

  /**
   * Bytes after the header by the total length; by what was captured when the total length
   * is below the header's.
   */
  get payloadLength(): number {
    const total = this.length;
    const ihl = this.ihl;
    if (this.lengthFromFrame !== 0) return this.lengthFromFrame - ihl;
    return total >= ihl ? total - ihl : this.end - this.offset - ihl;
  }

  /**
   * For a packet whose total length is 0 (GSO, BIG TCP), the length the frame gives it; 0 for
   * any other. Set by `endAtTotalLength`.
   */
  lengthFromFrame = 0;

  /**
   * How many bytes the total length says past the frame's end on the wire (tcpdump's
   * `truncated-ip - N bytes missing!`); 0 when it fits. Set by `endAtTotalLength`.
   */
  missingBytes = 0;

  /** Points the view at a header, its lengths not yet read (`endAtTotalLength`). */
  override bind(view: DataView, offset: number, end: number): this {
    this.lengthFromFrame = 0;
    this.missingBytes = 0;
    return super.bind(view, offset, end);
  }

  /** Whether the whole header, options included, was captured. */
  get headerCaptured(): boolean {
    const ihl = this.ihl;
    return ihl >= IPV4_MIN_HEADER_LENGTH && this.capturedLength >= ihl;
  }

  /**
   * Whether the header checksum is right; `null` when it cannot be verified (the header was
   * not captured whole, or its length field is impossible).
   */
  get checksumOk(): boolean | null {
    if (!this.headerCaptured) return null;
    const ihl = this.ihl;
    if (ihl !== IPV4_MIN_HEADER_LENGTH) {
      return onesComplementSum(this.view, this.offset, ihl) === 0xffff;
    }
    // Most headers have no options: their ten 16-bit words summed without the general loop
    // (RFC 1071), then folded twice.
    const view = this.view;
    const at = this.offset;
    const first = view.getUint32(at);
    const second = view.getUint32(at + 4);
    const third = view.getUint32(at + 8);
    const fourth = view.getUint32(at + 12);
    const fifth = view.getUint32(at + 16);
    let sum = (first >>> 16) + (first & 0xffff) + (second >>> 16) + (second & 0xffff) +
      (third >>> 16) + (third & 0xffff) + (fourth >>> 16) + (fourth & 0xffff) +
      (fifth >>> 16) + (fifth & 0xffff);
    sum = (sum >>> 16) + (sum & 0xffff);
    return (sum >>> 16) + (sum & 0xffff) === 0xffff;
  }

  /** The checksum the header should carry; `null` when it cannot be computed. */
  get expectedChecksum(): number | null {
    if (!this.headerCaptured) return null;
    const sum = onesComplementSum(this.view, this.offset, this.ihl);
    // Remove the transmitted checksum from the sum and take the complement of the rest.
    let withoutField = sum + (~this.checksum & 0xffff);
    while (withoutField > 0xffff) withoutField = (withoutField & 0xffff) + (withoutField >>> 16);
    return ~withoutField & 0xffff;
  }

  /** The options in order, each with its type, name and length (allocates; not for hot paths). */
  get options(): Ipv4Option[] {
    const options: Ipv4Option[] = [];
    this.forEachOption((type, length, malformed) => {
      const name = ipv4OptionName(type);
      options.push(malformed ? { type, name, length, malformed: true } : { type, name, length });
    });
    return options;
  }

  /**
   * Calls `visit` for each option in order, without allocating: its type, its length
   * (including type and length octets; 1 for EOL and NOP), and whether it runs past the header
   * or has an impossible length (the walk ends there, as it does after EOL).
   */
  forEachOption(visit: (type: number, length: number, malformed: boolean) => void): void {
    const view = this.view;
    const end = this.offset + Math.min(this.ihl, this.capturedLength);
    let at = this.offset + FIELD_OPTIONS;
    while (at < end) {
      const type = view.getUint8(at);
      if (type === IPV4_OPTION_EOL || type === IPV4_OPTION_NOP) {
        visit(type, 1, false);
        at++;
        if (type === IPV4_OPTION_EOL) break;
        continue;
      }
      const length = at + 1 < end ? view.getUint8(at + 1) : 0;
      if (length < 2 || at + length > end) {
        visit(type, length, true);
        break;
      }
      visit(type, length, false);
      at += length;
    }
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): Ipv4Json {
    return {
      version: this.version,
      ihl: this.ihl,
      dscp: this.dscp,
      ecn: this.ecn,
      length: this.length,
      id: this.id,
      df: this.df,
      mf: this.mf,
      fragOffset: this.fragOffset,
      ttl: this.ttl,
      protocol: this.protocol,
      checksum: this.checksum,
      checksumOk: this.checksumOk,
      src: this.src,
      dst: this.dst,
      options: this.options,
    };
  }
}

const bit = (value: boolean): number => value ? 1 : 0;

/** tshark 4.0 shows the fragment offset field as sent, in 8-byte units. */
const FRAGMENT_UNIT = 8;

/** IPv4's fields under tshark's names. */
export const IPV4_FIELDS: FieldTable<Ipv4Header> = {
  "ip.version": (ip) => ip.version,
  "ip.hdr_len": (ip) => ip.ihl,
  "ip.dsfield.dscp": (ip) => ip.dscp,
  "ip.dsfield.ecn": (ip) => ip.ecn,
  "ip.len": (ip) => ip.lengthFromFrame !== 0 ? ip.lengthFromFrame : ip.length,
  "ip.id": (ip) => ip.id,
  "ip.flags.rb": (ip) => bit(ip.reservedFlag),
  "ip.flags.df": (ip) => bit(ip.df),
  "ip.flags.mf": (ip) => bit(ip.mf),
  "ip.frag_offset": (ip) => ip.fragOffset / FRAGMENT_UNIT,
  "ip.ttl": (ip) => ip.ttl,
  "ip.proto": (ip) => ip.protocol,
  "ip.checksum": (ip) => ip.checksum,
  "ip.checksum.status": (ip) => checksumStatus(ip.checksumOk),
  "ip.src": (ip) => ip.src,
  "ip.dst": (ip) => ip.dst,
  "ip.opt.type": (ip) => {
    const types = ip.options.map((option) => option.type);
    return types.length === 0 ? undefined : types;
  },
};

/**
 * The JSON object's keys in their order: `toJSON`, the fast JSON writer and docs/json.md follow
 * this one declaration (tests/json_keys_test.ts holds all three to it). A key may be absent
 * from an object, never out of order.
 */
export const IPV4_JSON_KEYS: readonly string[] = [
  "version",
  "ihl",
  "dscp",
  "ecn",
  "length",
  "id",
  "df",
  "mf",
  "fragOffset",
  "ttl",
  "protocol",
  "checksum",
  "checksumOk",
  "src",
  "dst",
  "options",
] as const satisfies readonly (keyof Ipv4Json)[];

/** Where each JSON key's bytes lie in the header (RFC 791 section 3.1). */
export const IPV4_FIELD_PLACES: FieldPlaces<Ipv4Header> = {
  version: [FIELD_VERSION_IHL, 1],
  ihl: [FIELD_VERSION_IHL, 1],
  dscp: [FIELD_TOS, 1],
  ecn: [FIELD_TOS, 1],
  length: [FIELD_TOTAL_LENGTH, 2],
  id: [FIELD_IDENTIFICATION, 2],
  df: [FIELD_FLAGS_FRAGMENT_OFFSET, 1],
  mf: [FIELD_FLAGS_FRAGMENT_OFFSET, 1],
  fragOffset: [FIELD_FLAGS_FRAGMENT_OFFSET, 2],
  ttl: [FIELD_TTL, 1],
  protocol: [FIELD_PROTOCOL, 1],
  checksum: [FIELD_CHECKSUM, 2],
  checksumOk: [FIELD_CHECKSUM, 2],
  src: [FIELD_SOURCE, 4],
  dst: [FIELD_DESTINATION, 4],
  options: (ip) => ip.ihl > FIELD_OPTIONS ? [FIELD_OPTIONS, ip.ihl - FIELD_OPTIONS] : undefined,
};
