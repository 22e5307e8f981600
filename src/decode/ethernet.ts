/**
 * Ethernet II / IEEE 802.3 MAC header (IEEE 802.3 clause 3.1.1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EthernetHeader, ETHERNET_HEADER_LENGTH } from "./mod.ts";
 * const frame = new Uint8Array(ETHERNET_HEADER_LENGTH);
 * frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06]);
 * const eth = new EthernetHeader().bind(new DataView(frame.buffer), 0, frame.length);
 * assert.deepEqual([eth.src, eth.etherType.toString(16)], ["02:00:00:00:00:01", "806"]);
 * ```
 * @module
 */

import { formatMac } from "./address.ts";
import { ETHERNET_MAX_LENGTH_FIELD } from "./ethertype.ts";
import { HeaderView } from "./header.ts";
import type { FieldPlaces, FieldTable } from "./field.ts";

/** Destination, source and EtherType/length: 14 bytes. */
export const ETHERNET_HEADER_LENGTH = 14;

// Where each field lies (IEEE 802.3 clause 3.2), in bytes from the header's start.
const FIELD_DESTINATION = 0;
const FIELD_SOURCE = 6;
const FIELD_ETHER_TYPE = 12;

/** A view of one Ethernet header. */
export class EthernetHeader extends HeaderView {
  /** Absolute offset of the destination address's 6 bytes (for writers that print bytes). */
  get dstAt(): number {
    return this.offset + FIELD_DESTINATION;
  }

  /** Absolute offset of the source address's 6 bytes. */
  get srcAt(): number {
    return this.offset + FIELD_SOURCE;
  }

  /** Destination MAC address. */
  get dst(): string {
    return formatMac(this.view, this.dstAt);
  }

  /** Source MAC address. */
  get src(): string {
    return formatMac(this.view, this.srcAt);
  }

  /** The EtherType (above 1500) or the 802.3 payload length (1500 and below). */
  get etherType(): number {
    return this.view.getUint16(this.offset + FIELD_ETHER_TYPE);
  }

  /** The documented JSON form: `{ src, dst, type }`. */
  toJSON(): { src: string; dst: string; type: number } {
    return { src: this.src, dst: this.dst, type: this.etherType };
  }
}

/**
 * Ethernet's fields under tshark's names: an IEEE 802.3 frame's third field (1500 or less) is
 * its length, `eth.len`, not a type.
 */
export const ETHERNET_FIELDS: FieldTable<EthernetHeader> = {
  "eth.src": (eth) => eth.src,
  "eth.dst": (eth) => eth.dst,
  "eth.type": (eth) => eth.etherType > ETHERNET_MAX_LENGTH_FIELD ? eth.etherType : undefined,
  "eth.len": (eth) => eth.etherType <= ETHERNET_MAX_LENGTH_FIELD ? eth.etherType : undefined,
};

/**
 * The JSON object's keys in their order: `toJSON`, the fast JSON writer and docs/json.md follow
 * this one declaration (tests/json_keys_test.ts holds all three to it). A key may be absent
 * from an object, never out of order.
 */
export const ETHERNET_JSON_KEYS: readonly string[] = ["src", "dst", "type"] as const;

/** Where each JSON key's bytes lie in the header. */
export const ETHERNET_FIELD_PLACES: FieldPlaces<EthernetHeader> = {
  dst: [FIELD_DESTINATION, 6],
  src: [FIELD_SOURCE, 6],
  type: [FIELD_ETHER_TYPE, 2],
};
