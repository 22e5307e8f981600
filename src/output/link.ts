/**
 * The link layers' output: `-e`'s words (Ethernet addresses and EtherType, the Linux cooked
 * header's direction and address, the loopback family, each VLAN tag) as tcpdump prints them,
 * and their JSON objects (`eth` and `vlan` field by field, `sll` and `loopback` through their
 * `toJSON`; the same bytes as `JSON.stringify`, which tests/json_writer_test.ts holds them to).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_ETHERNET } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { linkText, writeLinkJson } from "./link.ts";
 * const frame = new Uint8Array(60);
 * frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06]);
 * const packet = decode(frame, LINKTYPE_ETHERNET);
 * assert.equal(
 *   linkText(packet, 60),
 *   "02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: ",
 * );
 * const out = new ByteWriter();
 * writeLinkJson(out, packet);
 * assert.equal(out.toString(), `,"eth":${JSON.stringify(packet.eth)}`);
 * ```
 * @module
 */

import {
  DLT_RAW,
  DLT_RAW_OPENBSD,
  ETHERNET_MAX_LENGTH_FIELD,
  type EthernetHeader,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  etherTypeName,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_RAW,
  type Packet,
  type SllHeader,
} from "../decode/mod.ts";
import { type ByteWriter, encodePieces } from "./bytes.ts";
import { keyed, keyedBool } from "./json_pieces.ts";
import { macsecText } from "./macsec.ts";
import { aristaText } from "./arista.ts";
import { llcLinkText } from "./llc.ts";

/** Link types whose frames are bare IP packets. */
const RAW_LINK_TYPES: ReadonlySet<number> = new Set([
  LINKTYPE_RAW,
  DLT_RAW,
  DLT_RAW_OPENBSD,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
]);

/** print-sll.c's widths: `%-5s ` for the interface name, `%-3s ` for the direction. */
const COOKED_NAME_WIDTH = 5;
const COOKED_DIRECTION_WIDTH = 3;
/** Linux's `ETH_P_802_3` and `ETH_P_802_2`, which a cooked header gives instead of an EtherType. */
const LINUX_SLL_P_802_3 = 0x0001;
const LINUX_SLL_P_802_2 = 0x0004;

/**
 * What tcpdump 4.99 starts a `LINUX_SLL2` line with (`-i any`): the interface's name and the
 * direction, `lo    In  `, whether or not `-e` is given.
 */
export function cookedPrefix(sll: SllHeader, interfaceName = "?"): string {
  return `${interfaceName.padEnd(COOKED_NAME_WIDTH)} ${
    sll.directionWord.padEnd(COOKED_DIRECTION_WIDTH)
  } `;
}

/** A cooked header's protocol as `-e` names it: an EtherType, or Linux's 802.3 and 802.2. */
function cookedProtocolText(protocol: number): string {
  if (protocol > ETHERNET_MAX_LENGTH_FIELD) return etherTypeText(protocol);
  if (protocol === LINUX_SLL_P_802_3) return "802.3";
  if (protocol === LINUX_SLL_P_802_2) return "802.2";
  return `ethertype Unknown (${hex16(protocol)})`;
}

/** The fixed pieces of the JSON objects, encoded once. */
const JSON_PIECE = encodePieces({
  ethSrc: ',"eth":{"src":"',
  thenDst: '","dst":"',
  thenTypeIpv4: '","type":2048}',
  thenTypeIpv6: '","type":34525}',
  thenType: '","type":',
  vlanTpid: ',"vlan":[{"tpid":',
  nextTpid: ',{"tpid":',
  pcp: ',"pcp":',
  type: ',"type":',
  closeList: "]",
});

/** `,"dei":…,"id":` for each value of the DEI bit. */
const DEI = keyedBool("dei", ',"id":');

function hex16(value: number): string {
  return "0x" + value.toString(16).padStart(4, "0");
}

/** `ethertype IPv4 (0x0800)`, as tcpdump names an EtherType. */
export function etherTypeText(type: number): string {
  return `ethertype ${etherTypeName(type)} (${hex16(type)})`;
}

/**
 * `-e`'s link-layer words before the network layer's: `02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff,
 * ethertype IPv4 (0x0800), length 74: `, the cooked header's direction and address, the loopback
 * family, and each VLAN tag. `len` is the frame's length on the wire.
 */
export function linkText(packet: Packet, len: number): string {
  const eth = packet.eth;
  let text = "";
  if (eth !== undefined) text = ethernetText(eth, len);
  const arista = packet.arista;
  if (arista !== undefined) {
    text += aristaText(arista);
    // print-ether.c starts over on the frame's own EtherType, with the frame's length.
    if (arista.headerLength !== 0) text += `${etherTypeText(arista.etherType)}, length ${len}: `;
  } else if (packet.sll !== undefined) {
    // print-sll.c: v2's direction is already at the start of the line (cookedPrefix).
    const sll = packet.sll;
    text = sll.version === 2
      ? `ifindex ${sll.interfaceIndex} `
      : `${sll.directionWord.padStart(COOKED_DIRECTION_WIDTH)} `;
    if (sll.hasEthernetAddress) text += `${sll.address} `;
    text += `${cookedProtocolText(sll.protocol)}, length ${len}: `;
  } else if (packet.loopback !== undefined) {
    text = `AF ${packet.loopback.family}, length ${len}: `;
  } else if (RAW_LINK_TYPES.has(packet.linkType)) {
    // print-raw.c: a raw IP link has no header, and -e says so.
    text = "ip: ";
  }
  for (let i = 0; i < packet.vlanCount; i++) {
    const tag = packet.vlanTags[i];
    // A length after the tag: print-ether.c says "802.3" and goes straight on to LLC's words.
    text += `vlan ${tag.id}, p ${tag.pcp}${tag.dei ? ", DEI" : ""}, ${
      tag.etherType <= ETHERNET_MAX_LENGTH_FIELD ? "802.3" : `${etherTypeText(tag.etherType)}, `
    }`;
  }
  if (packet.llc !== undefined) text += llcLinkText(packet.llc, packet.llcLength);
  const macsec = packet.macsec;
  if (macsec !== undefined && macsec.problem === undefined) {
    text += macsecText(macsec);
    const etherType = macsec.etherType;
    if (etherType !== undefined && packet.stop?.layer !== "macsec") {
      text += `${etherTypeText(etherType)}, `;
    }
  }
  return text;
}
function ethernetText(eth: EthernetHeader, len: number): string {
  const type = eth.etherType;
  // An 802.3 length field: tcpdump gives it as the length.
  if (type <= ETHERNET_MAX_LENGTH_FIELD) return `${eth.src} > ${eth.dst}, 802.3, length ${type}: `;
  return `${eth.src} > ${eth.dst}, ${etherTypeText(type)}, length ${len}: `;
}
/** The cooked header's JSON object, with the interface's name (version 2) when it is known. */
export function sllJson(
  sll: SllHeader,
  interfaceName: string | undefined,
): ReturnType<SllHeader["toJSON"]> & { interfaceName?: string } {
  const json = sll.toJSON();
  return sll.version === 2 && interfaceName !== undefined ? { ...json, interfaceName } : json;
}

/** The link layers' JSON, each preceded by its key: `eth`, `sll`, `loopback`, then `vlan`. */
export function writeLinkJson(out: ByteWriter, packet: Packet, interfaceName?: string): void {
  const eth = packet.eth;
  if (eth) {
    out.piece(JSON_PIECE.ethSrc);
    out.mac(eth.dataView, eth.srcAt);
    out.piece(JSON_PIECE.thenDst);
    out.mac(eth.dataView, eth.dstAt);
    const etherType = eth.etherType;
    if (etherType === ETHERTYPE_IPV4) out.piece(JSON_PIECE.thenTypeIpv4);
    else if (etherType === ETHERTYPE_IPV6) out.piece(JSON_PIECE.thenTypeIpv6);
    else {
      out.field(JSON_PIECE.thenType, etherType);
      out.byte(0x7d);
    }
  }
  if (packet.sll) out.text(`,"sll":${JSON.stringify(sllJson(packet.sll, interfaceName))}`);
  if (packet.loopback) out.text(`,"loopback":{"family":${packet.loopback.family}}`);
  if (packet.vlanCount > 0) vlanJson(out, packet);
}

function vlanJson(out: ByteWriter, packet: Packet): void {
  for (let i = 0; i < packet.vlanCount; i++) {
    const tag = packet.vlanTags[i];
    out.field(i === 0 ? JSON_PIECE.vlanTpid : JSON_PIECE.nextTpid, tag.tpid);
    out.field(JSON_PIECE.pcp, tag.pcp);
    keyed(out, DEI, tag.dei);
    out.uint(tag.id);
    out.field(JSON_PIECE.type, tag.etherType);
    out.byte(0x7d);
  }
  out.piece(JSON_PIECE.closeList);
}
