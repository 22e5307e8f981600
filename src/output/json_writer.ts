/**
 * The JSON line of a packet written straight as text: the same bytes `JSON.stringify` makes
 * of `packetToJson(…)` (the tests compare the two on every fixture packet and on fuzzed
 * ones), without building an object per layer first. The common layers (Ethernet, VLAN,
 * Ethernet/IPv4 ARP, IPv4, IPv6 with its extension headers, TCP with its common options,
 * UDP, ICMP echo, DNS) are written field by field, fixed text in pieces encoded once; the
 * rarer ones (Linux cooked headers, IPv4 options, other ICMP messages, IGMP, errors) go
 * through their `toJSON` and `JSON.stringify`. This module writes the frame's own fields and puts
 * the line together; each protocol's writer is in its own output file (`link.ts`, `ipv4.ts`,
 * `ipv6.ts`, `tcp.ts`, `udp.ts`, `icmp.ts`, `arp.ts`, `dns.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { writeJsonLine } from "./json_writer.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 253, 0, 0,
 *   10, 0, 0, 1, 10, 0, 0, 2]), LINKTYPE_RAW);
 * const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 20, len: 20 };
 * assert.deepEqual(JSON.parse(writeJsonLine(packet, header)).ipv4.df, true);
 * ```
 * @module
 */

import {
  linkTypeInfo,
  type Packet,
  TLS_APPLICATION_DATA,
  TLS_CHANGE_CIPHER_SPEC,
  TLS_RECORD_VERSION_MAX,
  TLS_RECORD_VERSION_MIN,
  type TlsRecords,
  tlsRecordTypeName,
} from "../decode/mod.ts";
import { ByteWriter, encodePieces, Piece, PieceTable } from "./bytes.ts";
import { writeArpJson } from "./arp.ts";
import { writeDnsJson } from "./dns.ts";
import { writeNtpJson } from "./ntp.ts";
import { writeHttpJson } from "./http.ts";
import { writeSyslogJson } from "./syslog.ts";
import { writeLinkJson } from "./link.ts";
import { writeTcpJson } from "./tcp.ts";
import { writeIpv4Json } from "./ipv4.ts";
import { writeIpv6Json } from "./ipv6.ts";
import { writeUdpJson } from "./udp.ts";
import { writeIcmpJson } from "./icmp.ts";
import { packetToJson, payloadHex } from "./json.ts";
import type { PacketExtras } from "./packet_extras.ts";
import type { FrameHeader } from "../frame.ts";
import { writeIsoTimestamp } from "./timestamp.ts";

/** The fixed pieces of the output, encoded once. */
const PIECE = encodePieces({
  thenCaplen: '","caplen":',
  len: ',"len":',
  icmp: ',"icmp":',
  endLine: "}\n",
  ipv6: ',"ipv6":',
  dns: ',"dns":',
  ntp: ',"ntp":',
  syslog: ',"syslog":',
  quicShort: ',"quic":{"packets":[{"header":"short"}]}',
  tlsRecords: ',"tls":{"records":[',
});

const LINK_FIELDS = new Map<number, Piece>();
/**
 * The last link type asked for, and its piece: a file's packets share one link type, and a
 * comparison costs less than a `Map` look-up for each packet.
 */
let lastLinkType = -1;
let lastLinkField: Piece | undefined;

/** `,"link":"…"` for the link type, encoded the first time it is needed. */
function linkField(linkType: number): Piece {
  if (linkType === lastLinkType) return lastLinkField!;
  let field = LINK_FIELDS.get(linkType);
  if (field === undefined) {
    field = new Piece(`,"link":${JSON.stringify(linkTypeInfo(linkType).key)}`);
    LINK_FIELDS.set(linkType, field);
  }
  lastLinkType = linkType;
  lastLinkField = field;
  return field;
}

/**
 * Appends the packet's JSON line (ending in a newline) to `out`: the same bytes as
 * `JSON.stringify(packetToJson(packet, header, extras)) + "\n"`.
 */
export function writeJson(
  out: ByteWriter,
  packet: Packet,
  header: FrameHeader,
  extras: PacketExtras = {},
  payload = false,
): void {
  // Rarer packets (reassembled, commented, tunnels) are written through the objects.
  // (`encapsulated` says in one test that a tunnel or shim was decoded: MACsec, Arista,
  // PPPoE, LLC, MPLS, GRE, VXLAN, Geneve, NSH, a packet inside.)
  if (
    extras.reassembled !== undefined || header.comment !== undefined || packet.encapsulated
  ) {
    out.text(JSON.stringify(packetToJson(packet, header, extras, payload)));
    out.byte(0x0a);
    return;
  }
  writeIsoTimestamp(out, header, '{"ts":"');
  out.field(PIECE.thenCaplen, header.caplen);
  out.field(PIECE.len, header.len);
  out.piece(linkField(packet.linkType));
  writeLinkJson(out, packet, extras.interfaceName);
  if (packet.ipv4) writeIpv4Json(out, packet.ipv4);
  if (packet.ipv6) {
    out.piece(PIECE.ipv6);
    writeIpv6Json(out, packet.ipv6);
  }
  if (packet.arp) writeArpJson(out, packet.arp);
  if (packet.tcp) writeTcpJson(out, packet.tcp, extras.analysis);
  if (packet.udp) writeUdpJson(out, packet.udp);
  if (packet.icmp) {
    out.piece(PIECE.icmp);
    writeIcmpJson(out, packet.icmp);
  }
  if (packet.igmp) out.text(`,"igmp":${JSON.stringify(packet.igmp)}`);
  if (packet.dns) {
    out.piece(PIECE.dns);
    writeDnsJson(out, packet.dns);
  }
  // The rarer application layers below have a shape each and are in few packets: the
  // reference writes most of them. HTTP's, NTP's and syslog's have writers of their own
  // (HTTP's copies a plain message's bytes instead of making text of them; NTP's and syslog's
  // spare a `Date` a time and a string built a character at a time).
  if (packet.http) writeHttpJson(out, packet.http);
  if (packet.ntp) {
    out.piece(PIECE.ntp);
    writeNtpJson(out, packet.ntp);
  }
  if (packet.syslog) {
    out.piece(PIECE.syslog);
    writeSyslogJson(out, packet.syslog);
  }
  if (packet.dhcp) out.text(`,"dhcp":${JSON.stringify(packet.dhcp)}`);
  if (packet.tls) writeTlsJson(out, packet.tls);
  if (packet.quic) {
    // Most of QUIC is 1-RTT datagrams: one short-header packet, whose object never changes.
    if (packet.quic.isShortHeaderOnly) out.piece(PIECE.quicShort);
    else out.text(`,"quic":${JSON.stringify(packet.quic)}`);
  }
  if (packet.esp) out.text(`,"esp":${JSON.stringify(packet.esp)}`);
  if (packet.ah) out.text(`,"ah":${JSON.stringify(packet.ah)}`);
  if (packet.wireguard) out.text(`,"wireguard":${JSON.stringify(packet.wireguard)}`);
  if (packet.dhcpv6) out.text(`,"dhcpv6":${JSON.stringify(packet.dhcpv6)}`);
  if (packet.isakmp) out.text(`,"isakmp":${JSON.stringify(packet.isakmp)}`);
  if (packet.someip) out.text(`,"someip":${JSON.stringify(packet.someip)}`);
  if (packet.error !== undefined) out.text(`,"error":${JSON.stringify(packet.error)}`);
  if (payload) {
    out.text(',"payload":"');
    out.text(payloadHex(packet));
    out.byte(0x22);
  }
  out.piece(PIECE.endLine);
}

const scratch = new ByteWriter(1024);

/**
 * One JSON line (ending in a newline) for the packet, equal to
 * `JSON.stringify(packetToJson(packet, header, extras)) + "\n"`.
 */
export function writeJsonLine(
  packet: Packet,
  header: FrameHeader,
  extras: PacketExtras = {},
  payload = false,
): string {
  scratch.clear();
  writeJson(scratch, packet, header, extras, payload);
  const line = scratch.toString();
  scratch.clear();
  return line;
}

/**
 * The TLS records' JSON as `JSON.stringify(tls)` writes it: application data alone (most
 * segments) field by field, a segment with a handshake or an alert through `toJSON`.
 */
function writeTlsJson(out: ByteWriter, tls: TlsRecords): void {
  if (tls.hasHandshakeOrAlert) {
    out.text(`,"tls":${JSON.stringify(tls)}`);
    return;
  }
  out.piece(PIECE.tlsRecords);
  let first = true;
  tls.forEachRecord((at, type, length) => {
    if (!first) out.byte(0x2c);
    first = false;
    out.field(tlsRecordHead(type, tls.recordVersionAt(at)), length);
    out.byte(0x7d);
  });
  out.byte(0x5d);
  out.byte(0x7d);
}

/**
 * The record types (change_cipher_spec to application_data) and versions (SSL 3.0 to TLS 1.3)
 * a record header can have where the decoder finds one (`isTlsRecordStart`).
 */
const TLS_RECORD_TYPE_COUNT = TLS_APPLICATION_DATA - TLS_CHANGE_CIPHER_SPEC + 1;
const TLS_VERSION_COUNT = TLS_RECORD_VERSION_MAX - TLS_RECORD_VERSION_MIN + 1;

/** `{"type":…,"typeName":…,"version":…,"length":` for a record. */
function tlsRecordHeadText(type: number, version: number): string {
  return `{"type":${type},"typeName":${JSON.stringify(tlsRecordTypeName(type))},` +
    `"version":${version},"length":`;
}

/** The heads of the records a decoded segment can hold, encoded once when first met. */
const TLS_RECORD_HEADS = new PieceTable(
  TLS_RECORD_TYPE_COUNT * TLS_VERSION_COUNT,
  (index) =>
    tlsRecordHeadText(
      TLS_CHANGE_CIPHER_SPEC + Math.floor(index / TLS_VERSION_COUNT),
      TLS_RECORD_VERSION_MIN + (index % TLS_VERSION_COUNT),
    ),
);

/** A record's head: from the table, or made for a record bound by hand outside its range. */
function tlsRecordHead(type: number, version: number): Piece {
  const typeIndex = type - TLS_CHANGE_CIPHER_SPEC;
  const versionIndex = version - TLS_RECORD_VERSION_MIN;
  if (
    typeIndex >= 0 && typeIndex < TLS_RECORD_TYPE_COUNT &&
    versionIndex >= 0 && versionIndex < TLS_VERSION_COUNT
  ) return TLS_RECORD_HEADS.get(typeIndex * TLS_VERSION_COUNT + versionIndex);
  return new Piece(tlsRecordHeadText(type, version));
}
