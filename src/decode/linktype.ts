/**
 * libpcap link-layer types (the `LINKTYPE_*` values of tcpdump.org/linktypes.html, and the
 * platform `DLT_*` values libpcap may report for live captures).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LINKTYPE_ETHERNET, linkTypeInfo } from "./mod.ts";
 * assert.deepEqual(linkTypeInfo(LINKTYPE_ETHERNET).name, "EN10MB");
 * ```
 * @module
 */

/** BSD loopback: a 4-byte address family in the capturing host's byte order. */
export const LINKTYPE_NULL = 0;
/** Ethernet II (and 802.3). */
export const LINKTYPE_ETHERNET = 1;
/** Raw IP as `DLT_RAW` on most platforms (libpcap reports it for live captures). */
export const DLT_RAW = 12;
/** Raw IP as `DLT_RAW` on OpenBSD. */
export const DLT_RAW_OPENBSD = 14;
/** Raw IP, version taken from the first nibble. */
export const LINKTYPE_RAW = 101;
/** OpenBSD loopback: a 4-byte address family in network byte order. */
export const LINKTYPE_LOOP = 108;
/** Linux cooked capture v1 (`-i any` on older libpcap). */
export const LINKTYPE_LINUX_SLL = 113;
/** Raw IPv4 only. */
export const LINKTYPE_IPV4 = 228;
/** Raw IPv6 only. */
export const LINKTYPE_IPV6 = 229;
/** Linux cooked capture v2 (`-i any` on libpcap 1.10+). */
export const LINKTYPE_LINUX_SLL2 = 276;

/** How netpeek names a link type: libpcap's name, its description, and the JSON `link` value. */
export interface LinkTypeInfo {
  /** libpcap's name, as `tcpdump` prints it after `link-type`. */
  readonly name: string;
  /** A short description, as `tcpdump` prints it in parentheses. */
  readonly description: string;
  /** The stable JSON `link` value. */
  readonly key: string;
}

const LINK_TYPES: ReadonlyMap<number, LinkTypeInfo> = new Map([
  [LINKTYPE_NULL, { name: "NULL", description: "BSD loopback", key: "null" }],
  [LINKTYPE_ETHERNET, { name: "EN10MB", description: "Ethernet", key: "ethernet" }],
  [DLT_RAW, { name: "RAW", description: "Raw IP", key: "raw" }],
  [DLT_RAW_OPENBSD, { name: "RAW", description: "Raw IP", key: "raw" }],
  [LINKTYPE_RAW, { name: "RAW", description: "Raw IP", key: "raw" }],
  [LINKTYPE_LOOP, { name: "LOOP", description: "OpenBSD loopback", key: "loop" }],
  [LINKTYPE_LINUX_SLL, {
    name: "LINUX_SLL",
    description: "Linux cooked v1",
    key: "linux_sll",
  }],
  [LINKTYPE_IPV4, { name: "IPV4", description: "Raw IPv4", key: "ipv4" }],
  [LINKTYPE_IPV6, { name: "IPV6", description: "Raw IPv6", key: "ipv6" }],
  [LINKTYPE_LINUX_SLL2, {
    name: "LINUX_SLL2",
    description: "Linux cooked v2",
    key: "linux_sll2",
  }],
]);

/**
 * Names of a link type; an unknown one is named by its number and still reported.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linkTypeInfo } from "./mod.ts";
 * assert.deepEqual(linkTypeInfo(276).key, "linux_sll2");
 * assert.deepEqual(linkTypeInfo(9999).key, "linktype-9999");
 * ```
 */
export function linkTypeInfo(linkType: number): LinkTypeInfo {
  return LINK_TYPES.get(linkType) ?? {
    name: `DLT_${linkType}`,
    description: "not decoded",
    key: `linktype-${linkType}`,
  };
}

/**
 * Whether netpeek decodes frames of this link type past the capture header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSupportedLinkType } from "./mod.ts";
 * assert.deepEqual([isSupportedLinkType(1), isSupportedLinkType(105)], [true, false]);
 * ```
 */
export function isSupportedLinkType(linkType: number): boolean {
  return LINK_TYPES.has(linkType);
}
