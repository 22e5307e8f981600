/**
 * EtherType values (IEEE 802 numbers) that netpeek dispatches on, and their display names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ETHERTYPE_IPV4, etherTypeName } from "./mod.ts";
 * assert.deepEqual(etherTypeName(ETHERTYPE_IPV4), "IPv4");
 * ```
 * @module
 */

/** Internet Protocol version 4. */
export const ETHERTYPE_IPV4 = 0x0800;
/** Address Resolution Protocol. */
export const ETHERTYPE_ARP = 0x0806;
/** IEEE 802.1Q customer VLAN tag. */
export const ETHERTYPE_VLAN = 0x8100;
/** Internet Protocol version 6. */
export const ETHERTYPE_IPV6 = 0x86dd;
/** IEEE 802.1ad service VLAN tag (QinQ). */
export const ETHERTYPE_QINQ = 0x88a8;
/** Pre-standard QinQ tag some switches still send. */
export const ETHERTYPE_QINQ_OLD = 0x9100;
/** Values up to this are an IEEE 802.3 length, not an EtherType. */
export const ETHERNET_MAX_LENGTH_FIELD = 1500;

const NAMES: ReadonlyMap<number, string> = new Map([
  [ETHERTYPE_IPV4, "IPv4"],
  [ETHERTYPE_ARP, "ARP"],
  [ETHERTYPE_VLAN, "802.1Q"],
  [ETHERTYPE_IPV6, "IPv6"],
  [ETHERTYPE_QINQ, "802.1Q-QinQ"],
  [ETHERTYPE_QINQ_OLD, "802.1Q-9100"],
  [0x8035, "Reverse ARP"],
  [0x8847, "MPLS unicast"],
  [0x8848, "MPLS multicast"],
  [0x8863, "PPPoE D"],
  [0x8864, "PPPoE S"],
  [0x888e, "EAPOL"],
  [0x88cc, "LLDP"],
  [0x88e5, "802.1AE MACsec"],
  [0x88f7, "PTP"],
  [0x8906, "FCoE"],
  [0x894f, "NSH"],
  [0xd28b, "Arista Vendor Specific Protocol"],
]);

/**
 * tcpdump's name for an EtherType, or `Unknown` for one it does not name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { etherTypeName } from "./mod.ts";
 * assert.deepEqual([etherTypeName(0x88cc), etherTypeName(0x1234)], ["LLDP", "Unknown"]);
 * ```
 */
export function etherTypeName(etherType: number): string {
  return NAMES.get(etherType) ?? "Unknown";
}

/**
 * Whether an EtherType announces a VLAN tag (802.1Q, 802.1ad or the old 0x9100).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isVlanEtherType } from "./mod.ts";
 * assert.deepEqual(isVlanEtherType(0x88a8), true);
 * ```
 */
export function isVlanEtherType(etherType: number): boolean {
  return etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ ||
    etherType === ETHERTYPE_QINQ_OLD;
}
