/**
 * UDP header (RFC 768).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UdpHeader } from "./mod.ts";
 * const bytes = new Uint8Array([0x13, 0x88, 0x00, 0x35, 0x00, 0x0d, 0, 0]);
 * const udp = new UdpHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual([udp.srcPort, udp.dstPort, udp.length], [5000, 53, 13]);
 * ```
 * @module
 */

import { ChecksummedView } from "./header.ts";
import { IPPROTO_UDP } from "./ipproto.ts";
import type { TruncatedPortsJson } from "./tcp.ts";
import { checksumStatus, type FieldPlaces, type FieldTable } from "./field.ts";

/** The UDP header: 8 bytes. */
export const UDP_HEADER_LENGTH = 8;

// Where each field lies (RFC 768), in bytes from the header's start.
const FIELD_SOURCE_PORT = 0;
const FIELD_DESTINATION_PORT = 2;
const FIELD_LENGTH = 4;
const FIELD_CHECKSUM = 6;

/** The JSON form of a UDP header (docs/json.md). */
export interface UdpJson {
  /** Source port (TCP/UDP). */
  srcPort: number;
  /** Destination port (TCP/UDP). */
  dstPort: number;
  /** Length in bytes. */
  length: number;
  /** Checksum as transmitted. */
  checksum: number;
  /** Whether the checksum is right; null when it cannot be verified. */
  checksumOk: boolean | null;
}

/** A view of one UDP header. */
export class UdpHeader extends ChecksummedView {
  /** The IP protocol number the pseudo-header carries. */
  protected readonly protocolNumber: number = IPPROTO_UDP;
  /** Offset of the checksum field within the header. */
  protected readonly checksumOffset: number = FIELD_CHECKSUM;

  /** Source port. */
  get srcPort(): number {
    return this.u16(FIELD_SOURCE_PORT);
  }

  /** Destination port. */
  get dstPort(): number {
    return this.u16(FIELD_DESTINATION_PORT);
  }

  /** Length of header and data, as the header states it. */
  get length(): number {
    return this.u16(FIELD_LENGTH);
  }

  /**
   * Bytes the IP packet carries after its headers (this header included), a fragment's too;
   * set by the decoder. tcpdump's applications count no further than it.
   */
  ipPayloadLength = 0;

  /** tcpdump's length for what UDP carries: by UDP's length and the IP packet's, the less. */
  get carriedLength(): number {
    return Math.min(this.payloadLength, this.ipPayloadLength - UDP_HEADER_LENGTH);
  }

  /** Checksum as transmitted (0: none, for IPv4). */
  get checksum(): number {
    return this.u16(FIELD_CHECKSUM);
  }

  /** Whether the checksum is right; `null` when unverifiable, or absent (0) over IPv4. */
  override get checksumOk(): boolean | null {
    if (this.ipVersion === 4 && this.checksum === 0) return null;
    return super.checksumOk;
  }

  /** The checksum the datagram should carry (0 is sent as 0xffff); `null` when unknown. */
  override get expectedChecksum(): number | null {
    const expected = super.expectedChecksum;
    return expected === 0 ? 0xffff : expected;
  }

  /** Bytes of data, by the header's length field (0 when that field is below 8). */
  get payloadLength(): number {
    return Math.max(0, this.length - UDP_HEADER_LENGTH);
  }

  /**
   * Bytes of data as tcpdump counts them for the application: by the length field, but no
   * further than the IP packet's end (a whole datagram's; a fragment's counts by the field).
   */
  get messageLength(): number {
    const whole = this.segmentLength;
    return whole >= UDP_HEADER_LENGTH
      ? Math.min(this.payloadLength, whole - UDP_HEADER_LENGTH)
      : this.payloadLength;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): UdpJson | TruncatedPortsJson {
    if (this.truncated) return { srcPort: this.srcPort, dstPort: this.dstPort, truncated: true };
    return {
      srcPort: this.srcPort,
      dstPort: this.dstPort,
      length: this.length,
      checksum: this.checksum,
      checksumOk: this.checksumOk,
    };
  }
}

/** tshark's checksum status for a UDP/IPv4 datagram sent without one (a zero checksum). */
const CHECKSUM_ABSENT = 3;

/** UDP's fields under tshark's names. */
export const UDP_FIELDS: FieldTable<UdpHeader> = {
  "udp.srcport": (udp) => udp.srcPort,
  "udp.dstport": (udp) => udp.dstPort,
  "udp.length": (udp) => udp.truncated ? undefined : udp.length,
  "udp.checksum.status": (udp) => {
    if (udp.truncated) return undefined;
    const ok = udp.checksumOk;
    return ok === null && udp.checksum === 0 ? CHECKSUM_ABSENT : checksumStatus(ok);
  },
};

/**
 * The JSON object's keys in their order: `toJSON`, the fast JSON writer and docs/json.md follow
 * this one declaration (tests/json_keys_test.ts holds all three to it). A key may be absent
 * from an object, never out of order.
 */
export const UDP_JSON_KEYS: readonly string[] = [
  "srcPort",
  "dstPort",
  "length",
  "checksum",
  "checksumOk",
  "truncated",
] as const;

/** Where each JSON key's bytes lie in the header (RFC 768). */
export const UDP_FIELD_PLACES: FieldPlaces<UdpHeader> = {
  srcPort: [FIELD_SOURCE_PORT, 2],
  dstPort: [FIELD_DESTINATION_PORT, 2],
  length: [FIELD_LENGTH, 2],
  checksum: [FIELD_CHECKSUM, 2],
  checksumOk: [FIELD_CHECKSUM, 2],
};
