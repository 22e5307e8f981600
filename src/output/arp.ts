/**
 * ARP's output: tcpdump's words after `ARP, ` (`Request who-has 192.0.2.1 tell 192.0.2.2`,
 * `Reply 192.0.2.1 is-at 02:00:00:00:00:01`) and the JSON object, Ethernet/IPv4 field by field
 * (the same bytes as `JSON.stringify` of its `toJSON`, which tests/json_writer_test.ts holds it
 * to).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_ETHERNET } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeArpText } from "./arp.ts";
 * const frame = new Uint8Array([
 *   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06,
 *   0, 1, 0x08, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 192, 0, 2, 2, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1,
 * ]);
 * const packet = decode(frame, LINKTYPE_ETHERNET);
 * const out = new ByteWriter();
 * writeArpText(out, packet.arp!, 28, false);
 * assert.equal(out.toString(), "Request who-has 192.0.2.1 tell 192.0.2.2, length 28");
 * ```
 * @module
 */

import {
  ARP_INVERSE_REPLY,
  ARP_INVERSE_REQUEST,
  ARP_REPLY,
  ARP_REQUEST,
  ARP_REVERSE_REPLY,
  ARP_REVERSE_REQUEST,
  type ArpPacket,
} from "../decode/mod.ts";
import { dumpLines } from "./hexdump.ts";
import { type ByteWriter, encodePieces } from "./bytes.ts";

/** The fixed pieces of the JSON object, encoded once. */
const JSON_PIECE = encodePieces({
  arpHardwareType: ',"arp":{"hardwareType":',
  protocolType: ',"protocolType":',
  operation: ',"operation":',
  senderMac: ',"senderMac":"',
  thenSenderIp: '","senderIp":"',
  thenTargetMac: '","targetMac":"',
  thenTargetIp: '","targetIp":"',
  closeStringObject: '"}',
});

/** What `-v` adds before the operation: the address types (Ethernet/IPv4 only). */
const ADDRESS_TYPES = "Ethernet (len 6), IPv4 (len 4), ";

/** The fixed words of tcpdump's lines for the two common operations, encoded once. */
const TEXT_PIECE = encodePieces({
  types: ADDRESS_TYPES,
  requestWhoHas: "Request who-has ",
  tell: " tell ",
  reply: "Reply ",
  isAt: " is-at ",
  length: ", length ",
  gratuitous: " (gratuitous)",
});

/**
 * tcpdump's words for the packet, after `ARP, `: with -v the address types, then the
 * operation and the addresses (RARP's and Inverse ARP's too); an operation it has no words for
 * is named and its bytes dumped, as tcpdump does. An Ethernet/IPv4 request or reply (nearly
 * every ARP packet) is written byte by byte, the rest through strings.
 */
export function writeArpText(
  out: ByteWriter,
  arp: ArpPacket,
  networkLength: number,
  verbose: boolean,
): void {
  if (!arp.isEthernetIpv4) {
    out.text(`${arp.operationName}, hardware ${arp.hardwareType}, length ${networkLength}`);
    return;
  }
  const operation = arp.operation;
  if (operation === ARP_REQUEST || operation === ARP_REPLY) {
    if (verbose) out.piece(TEXT_PIECE.types);
    const view = arp.dataView;
    const senderIp = arp.senderIpNumber;
    if (operation === ARP_REQUEST) {
      const targetIp = arp.targetIpNumber;
      out.piece(TEXT_PIECE.requestWhoHas);
      out.ipv4(targetIp);
      const targetMacAt = arp.targetMacAt;
      if (view.getUint32(targetMacAt) !== 0 || view.getUint16(targetMacAt + 4) !== 0) {
        // tcpdump shows a target address already filled in.
        out.text(" (");
        out.mac(view, targetMacAt);
        out.byte(0x29);
      }
      out.piece(TEXT_PIECE.tell);
      out.ipv4(senderIp);
      out.piece(TEXT_PIECE.length);
      out.uint(networkLength);
      // netpeek's word, after tcpdump's line.
      if (senderIp === targetIp) out.piece(TEXT_PIECE.gratuitous);
    } else {
      out.piece(TEXT_PIECE.reply);
      out.ipv4(senderIp);
      out.piece(TEXT_PIECE.isAt);
      out.mac(view, arp.senderMacAt);
      out.piece(TEXT_PIECE.length);
      out.uint(networkLength);
    }
    return;
  }
  const op = arp.operationName;
  const types = verbose ? ADDRESS_TYPES : "";
  const length = `, length ${networkLength}`;
  switch (operation) {
    case ARP_REVERSE_REQUEST:
    case ARP_INVERSE_REQUEST:
      out.text(`${types}${op} who-is ${arp.targetMac} tell ${arp.senderMac}${length}`);
      return;
    case ARP_REVERSE_REPLY:
      out.text(`${types}${op} ${arp.targetMac} at ${arp.targetIp}${length}`);
      return;
    case ARP_INVERSE_REPLY:
      out.text(`${types}${op} ${arp.senderMac} at ${arp.senderIp}${length}`);
      return;
  }
  const end = Math.min(arp.end, arp.offset + networkLength);
  out.text(`${types}${op} \n${dumpLines(arp.dataView, arp.offset, end, true)}`);
}

/**
 * The packet's JSON as `JSON.stringify` writes it, preceded by its key: Ethernet/IPv4 field by
 * field, other address kinds through `toJSON`.
 */
export function writeArpJson(out: ByteWriter, arp: ArpPacket): void {
  if (!arp.isEthernetIpv4) {
    out.text(`,"arp":${JSON.stringify(arp)}`);
    return;
  }
  const view = arp.dataView;
  out.piece(JSON_PIECE.arpHardwareType);
  out.uint(arp.hardwareType);
  out.piece(JSON_PIECE.protocolType);
  out.uint(arp.protocolType);
  out.piece(JSON_PIECE.operation);
  out.uint(arp.operation);
  out.piece(JSON_PIECE.senderMac);
  out.mac(view, arp.senderMacAt);
  out.piece(JSON_PIECE.thenSenderIp);
  out.ipv4(arp.senderIpNumber);
  out.piece(JSON_PIECE.thenTargetMac);
  out.mac(view, arp.targetMacAt);
  out.piece(JSON_PIECE.thenTargetIp);
  out.ipv4(arp.targetIpNumber);
  out.piece(JSON_PIECE.closeStringObject);
}
