/**
 * Every field a packet's layers declare, by tshark's name: each protocol's `FieldTable`
 * (`IPV4_FIELDS`, `TCP_FIELDS`, …) applied to the packet's layer of that protocol. A name two
 * layers declare (`ip.version` in IPv4 and IPv6) reads from the first layer that has it; a
 * layer that repeats (VLAN tags) gives one value per occurrence. The display filter and
 * `-T fields` read packets through this table; the tests hold it against tshark.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW, PACKET_FIELDS } from "./mod.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 17, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2, 0x13, 0x88, 0x00, 0x35, 0, 8, 0, 0]), LINKTYPE_RAW);
 * assert.deepEqual(
 *   [PACKET_FIELDS["ip.ttl"](packet), PACKET_FIELDS["udp.dstport"](packet), PACKET_FIELDS["tcp.srcport"](packet)],
 *   [64, 53, undefined],
 * );
 * ```
 * @module
 */

import { ARP_FIELDS } from "./arp.ts";
import { DNS_FIELDS } from "./dns.ts";
import { ESP_FIELDS } from "./esp.ts";
import { AH_FIELDS } from "./ah.ts";
import { VXLAN_FIELDS } from "./vxlan.ts";
import { GRE_FIELDS } from "./gre.ts";
import { GENEVE_FIELDS } from "./geneve.ts";
import { MPLS_FIELDS } from "./mpls.ts";
import { MACSEC_FIELDS } from "./macsec.ts";
import { NSH_FIELDS } from "./nsh.ts";
import { ERSPAN_FIELDS } from "./erspan.ts";
import { PPPOE_FIELDS } from "./pppoe.ts";
import { PPP_FIELDS } from "./ppp.ts";
import { LLC_FIELDS } from "./llc.ts";
import { STP_FIELDS } from "./stp.ts";
import { WIREGUARD_FIELDS } from "./wireguard.ts";
import { SOMEIP_FIELDS } from "./someip.ts";
import { DHCPV6_FIELDS } from "./dhcpv6.ts";
import { ISAKMP_FIELDS } from "./isakmp.ts";
import { HTTP_FIELDS } from "./http.ts";
import { NTP_FIELDS } from "./ntp.ts";
import { SYSLOG_FIELDS } from "./syslog.ts";
import { DHCP_FIELDS } from "./dhcp.ts";
import { TLS_FIELDS } from "./tls.ts";
import { QUIC_FIELDS } from "./quic.ts";
import { ETHERNET_FIELDS } from "./ethernet.ts";
import type { FieldTable, FieldValue } from "./field.ts";
import { ICMP_FIELDS } from "./icmp.ts";
import { IGMP_FIELDS } from "./igmp.ts";
import { IPV4_FIELDS } from "./ipv4.ts";
import { IPV6_FIELDS } from "./ipv6.ts";
import { LOOPBACK_FIELDS } from "./loopback.ts";
import type { Packet } from "./packet.ts";
import { SLL_FIELDS } from "./sll.ts";
import { TCP_FIELDS } from "./tcp.ts";
import { UDP_FIELDS } from "./udp.ts";
import { VLAN_FIELDS } from "./vlan.ts";

/** Reads one field of a packet. */
export type PacketField = (packet: Packet) => FieldValue;

const fields: Record<string, PacketField> = {};

/** Adds a layer's table; a name already declared reads the earlier layer first. */
function add<Layer>(table: FieldTable<Layer>, layerOf: (packet: Packet) => Layer | undefined) {
  for (const [name, read] of Object.entries(table)) {
    const here: PacketField = (packet) => {
      const layer = layerOf(packet);
      return layer === undefined ? undefined : read(layer);
    };
    const before = fields[name];
    fields[name] = before === undefined ? here : (packet) => before(packet) ?? here(packet);
  }
}

add(ETHERNET_FIELDS, (packet) => packet.eth);
add(SLL_FIELDS, (packet) => packet.sll);
add(LOOPBACK_FIELDS, (packet) => packet.loopback);
for (const [name, read] of Object.entries(VLAN_FIELDS)) {
  fields[name] = (packet) => {
    const values: (number | string)[] = [];
    for (let i = 0; i < packet.vlanCount; i++) {
      const value = read(packet.vlanTags[i]);
      if (typeof value === "number" || typeof value === "string") values.push(value);
    }
    return values.length === 0 ? undefined : values;
  };
}
add(IPV4_FIELDS, (packet) => packet.ipv4);
add(IPV6_FIELDS, (packet) => packet.ipv6);
add(ARP_FIELDS, (packet) => packet.arp);
add(TCP_FIELDS, (packet) => packet.tcp);
add(UDP_FIELDS, (packet) => packet.udp);
add(ICMP_FIELDS, (packet) => packet.icmp);
add(IGMP_FIELDS, (packet) => packet.igmp);
add(DNS_FIELDS, (packet) => packet.dns);
add(HTTP_FIELDS, (packet) => packet.http);
add(NTP_FIELDS, (packet) => packet.ntp);
add(SYSLOG_FIELDS, (packet) => packet.syslog);
add(DHCP_FIELDS, (packet) => packet.dhcp);
add(TLS_FIELDS, (packet) => packet.tls);
add(QUIC_FIELDS, (packet) => packet.quic);
add(ESP_FIELDS, (packet) => packet.esp);
add(AH_FIELDS, (packet) => packet.ah);
add(VXLAN_FIELDS, (packet) => packet.vxlan);
add(GRE_FIELDS, (packet) => packet.gre);
add(GENEVE_FIELDS, (packet) => packet.geneve);
add(MPLS_FIELDS, (packet) => packet.mpls);
add(MACSEC_FIELDS, (packet) => packet.macsec);
add(NSH_FIELDS, (packet) => packet.nsh);
add(ERSPAN_FIELDS, (packet) => packet.erspan);
add(PPPOE_FIELDS, (packet) => packet.pppoe);
add(PPP_FIELDS, (packet) => packet.ppp);
add(LLC_FIELDS, (packet) => packet.llc);
add(STP_FIELDS, (packet) => packet.stp);
add(WIREGUARD_FIELDS, (packet) => packet.wireguard);
add(SOMEIP_FIELDS, (packet) => packet.someip);
add(DHCPV6_FIELDS, (packet) => packet.dhcpv6);
add(ISAKMP_FIELDS, (packet) => packet.isakmp);

/** Every declared field, by tshark's name. */
export const PACKET_FIELDS: Readonly<Record<string, PacketField>> = fields;
