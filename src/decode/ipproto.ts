/**
 * IP protocol numbers (IANA "Assigned Internet Protocol Numbers") and tcpdump's names for them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IPPROTO_TCP, ipProtocolName } from "./mod.ts";
 * assert.deepEqual(ipProtocolName(IPPROTO_TCP), "TCP");
 * ```
 * @module
 */

/** Internet Control Message Protocol. */
export const IPPROTO_ICMP = 1;
/** Internet Group Management Protocol. */
export const IPPROTO_IGMP = 2;
/** Transmission Control Protocol. */
export const IPPROTO_TCP = 6;
/** User Datagram Protocol. */
export const IPPROTO_UDP = 17;
/** Datagram Congestion Control Protocol (RFC 4340). */
export const IPPROTO_DCCP = 33;
/** ICMP for IPv6. */
export const IPPROTO_ICMPV6 = 58;
/** Stream Control Transmission Protocol (RFC 9260). */
export const IPPROTO_SCTP = 132;

const NAMES: ReadonlyMap<number, string> = new Map([
  [0, "HOPOPTS"],
  [IPPROTO_ICMP, "ICMP"],
  [IPPROTO_IGMP, "IGMP"],
  [4, "IPIP"],
  [IPPROTO_TCP, "TCP"],
  [IPPROTO_UDP, "UDP"],
  [41, "IPv6"],
  [43, "Routing"],
  [44, "Fragment"],
  [46, "RSVP"],
  [47, "GRE"],
  [50, "ESP"],
  [51, "AH"],
  [IPPROTO_ICMPV6, "ICMPv6"],
  [59, "NONE"],
  [60, "DSTOPTS"],
  [88, "EIGRP"],
  [89, "OSPF"],
  [103, "PIM"],
  [112, "VRRP"],
  [132, "SCTP"],
]);

/**
 * The protocol's name, or `unknown` when IANA's short list here does not have it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ipProtocolName } from "./mod.ts";
 * assert.deepEqual([ipProtocolName(17), ipProtocolName(253)], ["UDP", "unknown"]);
 * ```
 */
export function ipProtocolName(protocol: number): string {
  return NAMES.get(protocol) ?? "unknown";
}
