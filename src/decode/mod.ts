/**
 * netpeek's packet decoder: pure TypeScript, no FFI, importable by any Deno script.
 *
 * `decode` is the friendly entry point: bytes and a libpcap link type in, typed layers out.
 * For many packets, keep one `Decoder` and call `decoder.decode` per frame: it reuses its
 * layer views and allocates nothing, so each result is valid until the next call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_ETHERNET } from "./mod.ts";
 *
 * const frame = new Uint8Array([
 *   // Ethernet: dst, src, IPv4
 *   0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
 *   // IPv4: 40 bytes, DF, TTL 64, TCP, 10.0.0.1 -> 10.0.0.2
 *   0x45, 0, 0, 40, 0x1c, 0x46, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
 *   // TCP: 51234 -> 443, SYN
 *   0xc8, 0x22, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
 * ]);
 * const packet = decode(frame, LINKTYPE_ETHERNET);
 * assert.deepEqual(packet.eth?.src, "02:00:00:00:00:01");
 * assert.deepEqual([packet.ipv4?.df, packet.ipv4?.ttl], [true, 64]);
 * assert.deepEqual([packet.tcp?.dstPort, packet.tcp?.flags.syn], [443, true]);
 * ```
 * @module
 */

import { Decoder, type Packet } from "./packet.ts";

export * from "./address.ts";
export * from "./arp.ts";
export * from "./dns.ts";
export * from "./dns_rdata.ts";
export * from "./dns_types.ts";
export * from "./http.ts";
export * from "./ntp.ts";
export * from "./syslog.ts";
export * from "./dhcp.ts";
export * from "./tls.ts";
export * from "./quic.ts";
export * from "./esp.ts";
export * from "./ah.ts";
export * from "./wireguard.ts";
export * from "./someip.ts";
export * from "./dhcpv6.ts";
export * from "./isakmp.ts";
export * from "./ethernet.ts";
export * from "./ethertype.ts";
export * from "./field.ts";
export * from "./header.ts";
export * from "./icmp.ts";
export * from "./igmp.ts";
export * from "./ipproto.ts";
export * from "./ipv4.ts";
export * from "./ipv6.ts";
export * from "./ipv6_routing.ts";
export * from "./linktype.ts";
export * from "./loopback.ts";
export * from "./packet.ts";
export * from "./packet_fields.ts";
export * from "./sll.ts";
export * from "./tcp.ts";
export * from "./udp.ts";
export * from "./vlan.ts";

/**
 * Decodes one frame of the given libpcap link type into a fresh `Packet` whose layers stay
 * valid as long as `bytes` is unchanged. Never throws on packet bytes: a truncated or
 * malformed frame yields the layers that fit and `packet.error`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "./mod.ts";
 * const truncated = new Uint8Array([0x45, 0, 0, 60, 0, 0, 0x20, 0]);
 * const packet = decode(truncated, LINKTYPE_RAW);
 * assert.deepEqual([packet.ipv4, packet.error], [undefined, "ipv4: truncated: 8 of 20 header bytes captured at offset 0"]);
 * assert.deepEqual(packet.stop, { layer: "ipv4", kind: "truncated", offset: 0 });
 * ```
 */
export function decode(bytes: Uint8Array, linkType: number, wireLength?: number): Packet {
  return new Decoder().decode(bytes, linkType, wireLength);
}
export * from "./vxlan.ts";
export * from "./gre.ts";
export * from "./geneve.ts";
export * from "./mpls.ts";
export * from "./macsec.ts";
export * from "./arista.ts";
export * from "./nsh.ts";
export * from "./pppoe.ts";
export * from "./ppp.ts";
export * from "./llc.ts";
export * from "./stp.ts";
export * from "./erspan.ts";
