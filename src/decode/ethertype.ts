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

/**
 * tcpdump 4.99's names (ethertype.c's `ethertype_values`, read back from `tcpdump -e` over every
 * EtherType from 0x0600).
 */
const NAMES: ReadonlyMap<number, string> = new Map([
  [0x0600, "NS"],
  [0x0707, "GeoNet (old)"],
  [ETHERTYPE_IPV4, "IPv4"],
  [ETHERTYPE_ARP, "ARP"],
  [0x1000, "Trail"],
  [0x1111, "CALM FAST"],
  [0x6001, "MOP DL"],
  [0x6002, "MOP RC"],
  [0x6003, "DN"],
  [0x6004, "LAT"],
  [0x6007, "SCA"],
  [0x6558, "TEB"],
  [0x8035, "Reverse ARP"],
  [0x8038, "Lanbridge"],
  [0x803c, "DEC DNS"],
  [0x803e, "DEC DTS"],
  [0x805b, "VEXP"],
  [0x805c, "VPROD"],
  [0x809b, "Appletalk"],
  [0x80f3, "Appletalk ARP"],
  [ETHERTYPE_VLAN, "802.1Q"],
  [0x8137, "IPX"],
  [ETHERTYPE_IPV6, "IPv6"],
  [0x8808, "MPCP"],
  [0x8809, "Slow Protocols"],
  [0x880b, "PPP"],
  [0x8847, "MPLS unicast"],
  [0x8848, "MPLS multicast"],
  [0x8863, "PPPoE D"],
  [0x8864, "PPPoE S"],
  [0x886f, "MS NLB heartbeat"],
  [0x888e, "EAPOL"],
  [0x8899, "Realtek protocols"],
  [0x88a2, "AoE"],
  [ETHERTYPE_QINQ, "802.1Q-QinQ"],
  [0x88ca, "TIPC"],
  [0x88cc, "LLDP"],
  [0x88e5, "802.1AE MACsec"],
  [0x88f7, "PTP"],
  [0x8902, "CFM"],
  [0x893a, "IEEE1905.1"],
  [0x8947, "GeoNet"],
  [0x894f, "NSH"],
  [0x9000, "Loopback"],
  [ETHERTYPE_QINQ_OLD, "802.1Q-9100"],
  [0x9200, "802.1Q-9200"],
  [0xabcd, "CFM (old)"],
  [0xd28b, "Arista Vendor Specific Protocol"],
  [0xfefe, "OSI"],
]);

/**
 * The EtherTypes tcpdump names but does not decode: it prints the Ethernet header and a dump of
 * the bytes after it, as for one it has no name for.
 */
const NAMED_NOT_DECODED: ReadonlySet<number> = new Set([
  0x0600,
  0x1000,
  0x6001,
  0x6002,
  0x6004,
  0x6007,
  0x6558,
  0x8038,
  0x803c,
  0x803e,
  0x805b,
  0x805c,
  0x893a,
]);

/**
 * Whether tcpdump prints frames of this EtherType as bare Ethernet (addresses, type, length and
 * a dump): it has no name for it, or names it without decoding it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { etherTypeUndecodedByTcpdump } from "./mod.ts";
 * assert.deepEqual(
 *   [0x1234, 0x6004, 0x0800].map(etherTypeUndecodedByTcpdump),
 *   [true, true, false],
 * );
 * ```
 */
export function etherTypeUndecodedByTcpdump(etherType: number): boolean {
  return !NAMES.has(etherType) || NAMED_NOT_DECODED.has(etherType);
}

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
