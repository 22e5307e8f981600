/**
 * The IPv6 Routing header (RFC 8200 section 4.4): next header, length, routing type and
 * segments left, then data of the type's own: the deprecated source route of type 0 (RFC 2460
 * section 4.4, deprecated by RFC 5095) and Mobile IPv6's type 2 (RFC 6275 section 6.4), both a
 * reserved word then addresses, and the Segment Routing Header of type 4 (RFC 8754 section 2):
 * last entry, flags and tag, then the segment list and optional TLVs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Ipv6RoutingHeader } from "./mod.ts";
 * // RFC 8754 section 2: an SRH for UDP (17) with two segments, one left to visit, tag 0x12ab.
 * const bytes = new Uint8Array(40);
 * bytes.set([17, 4, 4, 1, 1, 0, 0x12, 0xab]);
 * bytes.set([0x20, 0x01, 0x0d, 0xb8], 8); // segment 0: 2001:db8::3 (the final destination)
 * bytes[23] = 3;
 * bytes.set([0x20, 0x01, 0x0d, 0xb8], 24); // segment 1: 2001:db8::4
 * bytes[39] = 4;
 * const srh = new Ipv6RoutingHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual(
 *   [srh.routingType, srh.segmentsLeft, srh.lastEntry, srh.tag, srh.addresses],
 *   [4, 1, 1, 0x12ab, ["2001:db8::3", "2001:db8::4"]],
 * );
 * // The final destination, segment 0, goes in the transport checksum's pseudo-header: its
 * // 16-bit words summed, 0x2001 + 0x0db8 + 0x0003.
 * assert.equal(srh.finalDestinationSum(0), 0x2dbc);
 * ```
 * @module
 */

import { formatIpv6 } from "./address.ts";
import { HeaderView, onesComplementSum } from "./header.ts";

// RFC 8200 section 4.4, in bytes from the header's start.
const FIELD_NEXT_HEADER = 0;
const FIELD_LENGTH = 1;
const FIELD_TYPE = 2;
const FIELD_SEGMENTS_LEFT = 3;
/** Types 0 and 2: a reserved word (RFC 2460 section 4.4, RFC 6275 section 6.4). */
const FIELD_RESERVED = 4;
/** Type 4 (RFC 8754 section 2): last entry, flags, tag. */
const FIELD_LAST_ENTRY = 4;
const FIELD_FLAGS = 5;
const FIELD_TAG = 6;
/** Type 3 (RFC 6554 section 3): the octets elided (CmprI, CmprE), then the padding. */
const FIELD_RPL_COMPRESSION = 4;
const FIELD_RPL_PADDING = 5;
/** Where the addresses begin, for the types that carry them. */
const FIELD_ADDRESSES = 8;
const ADDRESS_LENGTH = 16;
/** The length field counts 8-byte units past the first 8 (RFC 8200 section 4.4). */
const UNIT = 8;
/** Where an RPL header's last address is put together with the octets it elides. */
const RPL_ADDRESS = new DataView(new ArrayBuffer(ADDRESS_LENGTH));

/** The deprecated source route (RFC 5095). */
export const ROUTING_TYPE_SOURCE = 0;
/** Mobile IPv6's home address (RFC 6275). */
export const ROUTING_TYPE_MOBILE = 2;
/** RPL's source route (RFC 6554): compressed addresses, not decoded. */
export const ROUTING_TYPE_RPL = 3;
/** The Segment Routing Header (RFC 8754). */
export const ROUTING_TYPE_SEGMENT = 4;

/**
 * How many bytes of a routing header must be captured to read each field (through its last
 * byte): what tcpdump prints of a header cut short, and tshark shows, stop there.
 */
export const ROUTING_CAPTURED_THROUGH = {
  nextHeader: FIELD_NEXT_HEADER + 1,
  length: FIELD_LENGTH + 1,
  type: FIELD_TYPE + 1,
  segmentsLeft: FIELD_SEGMENTS_LEFT + 1,
  reserved: FIELD_RESERVED + 4,
  lastEntry: FIELD_LAST_ENTRY + 1,
  flags: FIELD_FLAGS + 1,
  tag: FIELD_TAG + 2,
} as const;

/** The JSON form of a routing header's own fields (docs/json.md). */
export interface Ipv6RoutingJson {
  /** The routing type. */
  type: number;
  /** Segments left to visit. */
  segmentsLeft: number;
  /**
   * The addresses captured: types 0 and 2 as many as the length makes room for; type 4 the
   * segment list up to its last entry, final destination first.
   */
  addresses: string[];
  /** Type 4: the index of the segment list's last element. */
  lastEntry?: number;
  /** Type 4: the flags. */
  flags?: number;
  /** Type 4: the tag. */
  tag?: number;
}

/** A view of one routing header; fields not captured read as 0. */
export class Ipv6RoutingHeader extends HeaderView {
  /** The header that follows. */
  get nextHeader(): number {
    return this.u8(FIELD_NEXT_HEADER);
  }

  /** The length field as sent: 8-byte units past the first 8. */
  get lengthUnits(): number {
    return this.u8(FIELD_LENGTH);
  }

  /** The routing type. */
  get routingType(): number {
    return this.u8(FIELD_TYPE);
  }

  /** Segments left to visit. */
  get segmentsLeft(): number {
    return this.u8(FIELD_SEGMENTS_LEFT);
  }

  /** Types 0 and 2: the reserved word. */
  get reserved(): number {
    return this.u32(FIELD_RESERVED);
  }

  /** Type 4: the index of the last element of the segment list. */
  get lastEntry(): number {
    return this.u8(FIELD_LAST_ENTRY);
  }

  /** Type 4: the flags byte. */
  get flags(): number {
    return this.u8(FIELD_FLAGS);
  }

  /** Type 4: the tag. */
  get tag(): number {
    return this.u16(FIELD_TAG);
  }

  /** Whether it is a Segment Routing Header (type 4). */
  get isSegmentRouting(): boolean {
    return this.routingType === ROUTING_TYPE_SEGMENT;
  }

  /**
   * Type 4: the segment list as its last entry bounds it (within the length), captured whole
   * (allocates).
   */
  get segments(): string[] {
    return this.#capturedAddresses(Math.min(this.lastEntry + 1, this.addressCount));
  }

  /** Whether the type is one whose data is a reserved word or SRH's fields, then addresses. */
  get carriesAddresses(): boolean {
    const type = this.routingType;
    return type === ROUTING_TYPE_SOURCE || type === ROUTING_TYPE_MOBILE ||
      type === ROUTING_TYPE_SEGMENT;
  }

  /**
   * How many addresses the length makes room for (two 8-byte units each), for the types that
   * carry them; what tcpdump lists, for type 4 too (not the last entry's count).
   */
  get addressCount(): number {
    return this.carriesAddresses ? this.lengthUnits >> 1 : 0;
  }

  /** Where address `index` begins, absolute in the buffer. */
  addressOffset(index: number): number {
    return this.offset + FIELD_ADDRESSES + index * ADDRESS_LENGTH;
  }

  /** Whether address `index` was captured whole. */
  addressCaptured(index: number): boolean {
    return this.addressOffset(index) + ADDRESS_LENGTH <= this.end;
  }

  /** Address `index` as text (RFC 5952). */
  address(index: number): string {
    return formatIpv6(this.view, this.addressOffset(index));
  }

  /** The addresses captured whole (allocates). */
  get addresses(): string[] {
    return this.#capturedAddresses(this.addressCount);
  }

  /** The first `count` addresses, up to the first not captured whole. */
  #capturedAddresses(count: number): string[] {
    const list: string[] = [];
    for (let i = 0; i < count && this.addressCaptured(i); i++) list.push(this.address(i));
    return list;
  }

  /**
   * The one's-complement sum of the packet's final destination, for the transport checksum's
   * pseudo-header (RFC 8200 section 8.1), or -1 to keep the IPv6 header's destination (at
   * `destinationAt`). While segments are left, the final destination is in the routing header:
   * type 0's last address, type 2's home address (RFC 6275 section 6.4), the Segment Routing
   * Header's first segment (RFC 8754 section 2: the list is in reverse), RPL's last address
   * with its elided first octets from the IPv6 destination (RFC 6554 section 3). With none
   * left, the IPv6 destination is the final one (as tshark reads it).
   */
  finalDestinationSum(destinationAt: number): number {
    if (this.segmentsLeft === 0) return -1;
    const type = this.routingType;
    if (type === ROUTING_TYPE_RPL) return this.#rplDestinationSum(destinationAt);
    const count = this.addressCount;
    if (count === 0) return -1;
    const index = type === ROUTING_TYPE_SEGMENT ? 0 : count - 1;
    if (!this.addressCaptured(index)) return -1;
    return onesComplementSum(this.view, this.addressOffset(index), ADDRESS_LENGTH);
  }

  #rplDestinationSum(destinationAt: number): number {
    const compression = this.u8(FIELD_RPL_COMPRESSION);
    const elidedInner = compression >>> 4;
    const elidedLast = compression & 0x0f;
    const padding = this.u8(FIELD_RPL_PADDING) >>> 4;
    const innerLength = ADDRESS_LENGTH - elidedInner;
    const lastLength = ADDRESS_LENGTH - elidedLast;
    const addressBytes = this.lengthUnits * UNIT - padding - lastLength;
    if (addressBytes < 0 || addressBytes % innerLength !== 0) return -1;
    const lastAt = this.offset + FIELD_ADDRESSES + addressBytes;
    if (lastAt + lastLength > this.end) return -1;
    for (let i = 0; i < elidedLast; i++) {
      RPL_ADDRESS.setUint8(i, this.view.getUint8(destinationAt + i));
    }
    for (let i = 0; i < lastLength; i++) {
      RPL_ADDRESS.setUint8(elidedLast + i, this.view.getUint8(lastAt + i));
    }
    return onesComplementSum(RPL_ADDRESS, 0, ADDRESS_LENGTH);
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): Ipv6RoutingJson {
    const json: Ipv6RoutingJson = {
      type: this.routingType,
      segmentsLeft: this.segmentsLeft,
      addresses: this.isSegmentRouting ? this.segments : this.addresses,
    };
    if (this.isSegmentRouting) {
      json.lastEntry = this.lastEntry;
      json.flags = this.flags;
      json.tag = this.tag;
    }
    return json;
  }
}
