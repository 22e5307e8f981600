/**
 * IEEE 802.1Q / 802.1ad VLAN tag: the tag control information and the EtherType after it.
 * The tag's own TPID is the EtherType field of the header before it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VlanTag } from "./mod.ts";
 * const bytes = new Uint8Array([0xa0, 0x64, 0x08, 0x00]); // PCP 5, VLAN 100, then IPv4
 * const tag = new VlanTag().bindTag(new DataView(bytes.buffer), 0, 4, 0x8100);
 * assert.deepEqual([tag.id, tag.pcp, tag.etherType], [100, 5, 2048]);
 * ```
 * @module
 */

import { ETHERNET_MAX_LENGTH_FIELD } from "./ethertype.ts";
import { HeaderView } from "./header.ts";
import type { FieldPlaces, FieldTable } from "./field.ts";

/** TCI and inner EtherType: 4 bytes. */
export const VLAN_TAG_LENGTH = 4;

// Where each field of a tag lies (IEEE 802.1Q clause 9.6), from the tag control information that
// follows the TPID: priority (3 bits), DEI (1) and VLAN id (12), then the EtherType.
const FIELD_TCI = 0;
const FIELD_ETHER_TYPE = 2;

/** A view of one VLAN tag. */
export class VlanTag extends HeaderView {
  /** The EtherType that announced this tag (0x8100, 0x88a8 or 0x9100). */
  tpid = 0;

  /** Binds the tag at `offset` (the TCI) and records the TPID that announced it. */
  bindTag(view: DataView, offset: number, end: number, tpid: number): this {
    this.tpid = tpid;
    return this.bind(view, offset, end);
  }

  /** Priority code point (802.1p), 0 to 7. */
  get pcp(): number {
    return this.view.getUint8(this.offset + FIELD_TCI) >>> 5;
  }

  /** Drop eligible indicator (formerly CFI). */
  get dei(): boolean {
    return (this.view.getUint8(this.offset + FIELD_TCI) & 0x10) !== 0;
  }

  /** VLAN identifier, 0 to 4095. */
  get id(): number {
    return this.view.getUint16(this.offset + FIELD_TCI) & 0x0fff;
  }

  /** The EtherType of what follows the tag. */
  get etherType(): number {
    return this.view.getUint16(this.offset + FIELD_ETHER_TYPE);
  }

  /** The documented JSON form: `{ tpid, pcp, dei, id, type }`. */
  toJSON(): { tpid: number; pcp: number; dei: boolean; id: number; type: number } {
    return { tpid: this.tpid, pcp: this.pcp, dei: this.dei, id: this.id, type: this.etherType };
  }
}

/** The TPID of an 802.1ad (QinQ) service tag, which tshark names `ieee8021ad`. */
const TPID_8021AD = 0x88a8;
/** The TPID of an 802.1Q tag. */
const TPID_8021Q = 0x8100;

const q = (tag: VlanTag, read: (tag: VlanTag) => number) =>
  tag.tpid === TPID_8021Q ? read(tag) : undefined;
const ad = (tag: VlanTag, read: (tag: VlanTag) => number) =>
  tag.tpid === TPID_8021AD ? read(tag) : undefined;

/** A tag's fields under tshark's names: `vlan.*` for 802.1Q, `ieee8021ad.*` for 802.1ad. */
export const VLAN_FIELDS: FieldTable<VlanTag> = {
  "vlan.id": (tag) => q(tag, (t) => t.id),
  "vlan.priority": (tag) => q(tag, (t) => t.pcp),
  "vlan.dei": (tag) => q(tag, (t) => t.dei ? 1 : 0),
  // Under a tag too, a value of 1500 or less is an 802.3 length.
  "vlan.etype": (tag) =>
    tag.etherType > ETHERNET_MAX_LENGTH_FIELD ? q(tag, (t) => t.etherType) : undefined,
  "vlan.len": (tag) =>
    tag.etherType <= ETHERNET_MAX_LENGTH_FIELD ? q(tag, (t) => t.etherType) : undefined,
  "ieee8021ad.id": (tag) => ad(tag, (t) => t.id),
  "ieee8021ad.priority": (tag) => ad(tag, (t) => t.pcp),
  "ieee8021ad.dei": (tag) => ad(tag, (t) => t.dei ? 1 : 0),
};

/**
 * The JSON object's keys in their order: `toJSON`, the fast JSON writer and docs/json.md follow
 * this one declaration (tests/json_keys_test.ts holds all three to it). A key may be absent
 * from an object, never out of order.
 */
export const VLAN_JSON_KEYS: readonly string[] = ["tpid", "pcp", "dei", "id", "type"] as const;

/** Where each JSON key's bytes lie, from the TCI (the TPID is the two bytes before it). */
export const VLAN_FIELD_PLACES: FieldPlaces<VlanTag> = {
  tpid: [FIELD_TCI - 2, 2],
  pcp: [FIELD_TCI, 1],
  dei: [FIELD_TCI, 1],
  id: [FIELD_TCI, 2],
  type: [FIELD_ETHER_TYPE, 2],
};
