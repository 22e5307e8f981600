/**
 * ICMP for IPv4 (RFC 792) and IPv6 (RFC 4443): type, code, checksum, and the identifier and
 * sequence number of echo messages. Quoted headers of error messages come later.
 *
 * @example
 * ```ts
 * import { IcmpHeader } from "./icmp.ts";
 * const bytes = new Uint8Array([8, 0, 0xf7, 0xfe, 0, 1, 0, 1]);
 * const icmp = new IcmpHeader().bindVersion(new DataView(bytes.buffer), 0, 8, 4);
 * console.log(icmp.typeName, icmp.id, icmp.sequence); // "echo request" 1 1
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";

/** Type, code and checksum: 4 bytes. */
export const ICMP_TYPE_CODE_CHECKSUM_LENGTH = 4;
/** Every ICMP and ICMPv6 message has at least 4 bytes after type, code and checksum. */
export const ICMP_HEADER_LENGTH = 8;

/** ICMPv4 echo reply. */
export const ICMP_ECHO_REPLY = 0;
/** ICMPv4 destination unreachable. */
export const ICMP_UNREACHABLE = 3;
/** ICMPv4 echo request. */
export const ICMP_ECHO_REQUEST = 8;
/** ICMPv6 echo request. */
export const ICMPV6_ECHO_REQUEST = 128;
/** ICMPv6 echo reply. */
export const ICMPV6_ECHO_REPLY = 129;

const ICMPV4_TYPES: ReadonlyMap<number, string> = new Map([
  [ICMP_ECHO_REPLY, "echo reply"],
  [ICMP_UNREACHABLE, "unreachable"],
  [4, "source quench"],
  [5, "redirect"],
  [ICMP_ECHO_REQUEST, "echo request"],
  [9, "router advertisement"],
  [10, "router solicitation"],
  [11, "time exceeded"],
  [12, "parameter problem"],
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

const ICMPV6_TYPES: ReadonlyMap<number, string> = new Map([
  [1, "destination unreachable"],
  [2, "packet too big"],
  [3, "time exceeded"],
  [4, "parameter problem"],
  [ICMPV6_ECHO_REQUEST, "echo request"],
  [ICMPV6_ECHO_REPLY, "echo reply"],
  [130, "multicast listener query"],
  [131, "multicast listener report"],
  [132, "multicast listener done"],
  [133, "router solicitation"],
  [134, "router advertisement"],
  [135, "neighbor solicitation"],
  [136, "neighbor advertisement"],
  [137, "redirect"],
  [143, "multicast listener report v2"],
]);

/** The JSON form of an ICMP or ICMPv6 header (docs/json.md). */
export interface IcmpJson {
  type: number;
  code: number;
  typeName: string;
  checksum: number;
  id?: number | null;
  sequence?: number | null;
}

/** A view of one ICMP or ICMPv6 header. */
export class IcmpHeader extends HeaderView {
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
    return this.view.getUint8(this.offset);
  }

  /** Message code. */
  get code(): number {
    return this.view.getUint8(this.offset + 1);
  }

  /** Checksum as transmitted. */
  get checksum(): number {
    return this.view.getUint16(this.offset + 2);
  }

  /** Whether this is an echo request or reply, which carry an identifier and sequence. */
  get isEcho(): boolean {
    const type = this.type;
    return this.version === 4
      ? type === ICMP_ECHO_REQUEST || type === ICMP_ECHO_REPLY
      : type === ICMPV6_ECHO_REQUEST || type === ICMPV6_ECHO_REPLY;
  }

  /** Echo identifier; `null` for other messages or when not captured. */
  get id(): number | null {
    return this.isEcho && !this.truncated ? this.view.getUint16(this.offset + 4) : null;
  }

  /** Echo sequence number; `null` for other messages or when not captured. */
  get sequence(): number | null {
    return this.isEcho && !this.truncated ? this.view.getUint16(this.offset + 6) : null;
  }

  /** A name for the type, as tcpdump words it, or `type N`. */
  get typeName(): string {
    const type = this.type;
    const name = (this.version === 4 ? ICMPV4_TYPES : ICMPV6_TYPES).get(type);
    return name ?? `type ${type}`;
  }

  /** A name for the code when the type defines named codes (ICMPv4 unreachable), else `null`. */
  get codeName(): string | null {
    if (this.version === 4 && this.type === ICMP_UNREACHABLE) {
      return ICMPV4_UNREACHABLE_CODES[this.code] ?? `code ${this.code}`;
    }
    return null;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): IcmpJson {
    return {
      type: this.type,
      code: this.code,
      typeName: this.typeName,
      checksum: this.checksum,
      ...(this.isEcho ? { id: this.id, sequence: this.sequence } : {}),
    };
  }
}
