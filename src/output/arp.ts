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
 * import { arpText } from "./arp.ts";
 * const frame = new Uint8Array([
 *   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06,
 *   0, 1, 0x08, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 192, 0, 2, 2, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1,
 * ]);
 * const packet = decode(frame, LINKTYPE_ETHERNET);
 * assert.equal(arpText(packet.arp!, 28), "Request who-has 192.0.2.1 tell 192.0.2.2, length 28");
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

/**
 * tcpdump's words for the packet, after `ARP, `: with -v the address types, then the
 * operation and the addresses (RARP's and Inverse ARP's too); an operation it has no words for
 * is named and its bytes dumped, as tcpdump does.
 */
export function arpText(arp: ArpPacket, networkLength: number, verbose = false): string {
  const op = arp.operationName;
  if (!arp.isEthernetIpv4) return `${op}, hardware ${arp.hardwareType}, length ${networkLength}`;
  const types = verbose ? "Ethernet (len 6), IPv4 (len 4), " : "";
  const length = `, length ${networkLength}`;
  switch (arp.operation) {
    case ARP_REQUEST: {
      const targetMac = arp.targetMac!;
      const asked = targetMac === UNSET_MAC ? "" : ` (${targetMac})`;
      // netpeek's word, after tcpdump's line.
      const what = arp.senderIp === arp.targetIp ? " (gratuitous)" : "";
      return `${types}${op} who-has ${arp.targetIp}${asked} tell ${arp.senderIp}${length}${what}`;
    }
    case ARP_REPLY:
      return `${types}${op} ${arp.senderIp} is-at ${arp.senderMac}${length}`;
    case ARP_REVERSE_REQUEST:
    case ARP_INVERSE_REQUEST:
      return `${types}${op} who-is ${arp.targetMac} tell ${arp.senderMac}${length}`;
    case ARP_REVERSE_REPLY:
      return `${types}${op} ${arp.targetMac} at ${arp.targetIp}${length}`;
    case ARP_INVERSE_REPLY:
      return `${types}${op} ${arp.senderMac} at ${arp.senderIp}${length}`;
  }
  const end = Math.min(arp.end, arp.offset + networkLength);
  return `${types}${op} \n${dumpLines(arp.dataView, arp.offset, end, true)}`;
}

/** A target address not filled in yet. */
const UNSET_MAC = "00:00:00:00:00:00";

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
