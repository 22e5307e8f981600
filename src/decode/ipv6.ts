/**
 * IPv6 fixed header (RFC 8200 section 3); addresses are written per RFC 5952.
 *
 * @example
 * ```ts
 * import { Ipv6Header, IPV6_HEADER_LENGTH } from "./ipv6.ts";
 * const bytes = new Uint8Array(IPV6_HEADER_LENGTH);
 * bytes.set([0x60, 0, 0, 0, 0, 8, 17, 64]);
 * bytes[23] = 1; // source ::1
 * bytes[39] = 1; // destination ::1
 * const ip6 = new Ipv6Header().bind(new DataView(bytes.buffer), 0, bytes.length);
 * console.log(ip6.src, ip6.nextHeader, ip6.hopLimit); // "::1" 17 64
 * ```
 * @module
 */

import { formatIpv6 } from "./address.ts";
import { HeaderView } from "./header.ts";

/** The fixed header: 40 bytes. */
export const IPV6_HEADER_LENGTH = 40;

/** The JSON form of an IPv6 fixed header (docs/json.md). */
export interface Ipv6Json {
  version: number;
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  nextHeader: number;
  hopLimit: number;
  src: string;
  dst: string;
}

/** A view of one IPv6 fixed header. */
export class Ipv6Header extends HeaderView {
  /** The version nibble; 6 for a well-formed header. */
  get version(): number {
    return this.view.getUint8(this.offset) >>> 4;
  }

  /** Traffic class (DSCP and ECN, as IPv4's TOS byte). */
  get trafficClass(): number {
    return (this.view.getUint16(this.offset) >>> 4) & 0xff;
  }

  /** Flow label, 20 bits. */
  get flowLabel(): number {
    return this.view.getUint32(this.offset) & 0x000fffff;
  }

  /** Length of everything after the fixed header, extension headers included. */
  get payloadLength(): number {
    return this.view.getUint16(this.offset + 4);
  }

  /** The type of the header that follows. */
  get nextHeader(): number {
    return this.view.getUint8(this.offset + 6);
  }

  /** Hop limit. */
  get hopLimit(): number {
    return this.view.getUint8(this.offset + 7);
  }

  /** Source address, RFC 5952 text. */
  get src(): string {
    return formatIpv6(this.view, this.offset + 8);
  }

  /** Destination address, RFC 5952 text. */
  get dst(): string {
    return formatIpv6(this.view, this.offset + 24);
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): Ipv6Json {
    return {
      version: this.version,
      trafficClass: this.trafficClass,
      flowLabel: this.flowLabel,
      payloadLength: this.payloadLength,
      nextHeader: this.nextHeader,
      hopLimit: this.hopLimit,
      src: this.src,
      dst: this.dst,
    };
  }
}
