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
  ETHERTYPE_IPV4,
  etherTypeName,
  formatIpv4,
  formatMac,
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

/** The fixed words of tcpdump's lines for the two common operations, encoded once. */
const TEXT_PIECE = encodePieces({
  requestWhoHas: "Request who-has ",
  tell: " tell ",
  reply: "Reply ",
  isAt: " is-at ",
  length: ", length ",
  gratuitous: " (gratuitous)",
});

/**
 * tcpdump's words for the packet, after `ARP, ` (print-arp.c): with -v the address types, then
 * the operation and the addresses (RARP's and Inverse ARP's too); an operation it has no words
 * for is named and its bytes dumped, as tcpdump does. A packet whose addresses are not IPv4
 * ones of 4 bytes, or have no hardware length, gets its address types and length only. An
 * Ethernet/IPv4 request or reply (nearly every ARP packet) is written byte by byte, the rest
 * through strings. The caller leaves out a packet not captured whole (tcpdump's `[|arp]`), and
 * ATM's ARP cut short (`atmArpCutShort`); a whole one is written as the others are.
 */
export function writeArpText(
  out: ByteWriter,
  arp: ArpPacket,
  networkLength: number,
  verbose: boolean,
): void {
  const protocol = arp.protocolType;
  const ipAddresses = (protocol === ETHERTYPE_IPV4 || protocol === ETHERTYPE_TRAIL) &&
    arp.protocolLength === IPV4_LENGTH;
  if (!ipAddresses || arp.hardwareLength === 0 || verbose) {
    out.text(addressTypesText(arp));
    if (!verbose) {
      out.text(`, length ${networkLength}`);
      return;
    }
    out.text(", ");
  }
  const operation = arp.operation;
  if ((operation === ARP_REQUEST || operation === ARP_REPLY) && arp.isEthernetIpv4 && ipAddresses) {
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
      out.field(TEXT_PIECE.length, networkLength);
      // netpeek's word, after tcpdump's line.
      if (senderIp === targetIp) out.piece(TEXT_PIECE.gratuitous);
    } else {
      out.piece(TEXT_PIECE.reply);
      out.ipv4(senderIp);
      out.piece(TEXT_PIECE.isAt);
      out.mac(view, arp.senderMacAt);
      out.field(TEXT_PIECE.length, networkLength);
    }
    return;
  }
  const op = arp.operationName;
  const length = `, length ${networkLength}`;
  const hardware = (at: number) => hardwareAddressText(arp, at);
  const ip = (at: number) => protocolAddressText(arp, at);
  switch (operation) {
    case ARP_REQUEST: {
      const target = arp.targetHardwareAt;
      const filled = hasNonZeroByte(arp, target, arp.hardwareLength)
        ? ` (${hardware(target)})`
        : "";
      out.text(
        `${op} who-has ${ip(arp.targetProtocolAt)}${filled} tell ${
          ip(arp.senderProtocolAt)
        }${length}`,
      );
      return;
    }
    case ARP_REPLY:
      out.text(
        `${op} ${ip(arp.senderProtocolAt)} is-at ${hardware(arp.senderHardwareAt)}${length}`,
      );
      return;
    case ARP_REVERSE_REQUEST:
    case ARP_INVERSE_REQUEST:
      out.text(
        `${op} who-is ${hardware(arp.targetHardwareAt)} tell ${
          hardware(arp.senderHardwareAt)
        }${length}`,
      );
      return;
    case ARP_REVERSE_REPLY:
      out.text(`${op} ${hardware(arp.targetHardwareAt)} at ${ip(arp.targetProtocolAt)}${length}`);
      return;
    case ARP_INVERSE_REPLY:
      out.text(`${op} ${hardware(arp.senderHardwareAt)} at ${ip(arp.senderProtocolAt)}${length}`);
      return;
  }
  const end = Math.min(arp.end, arp.offset + networkLength);
  out.text(`${op} \n${dumpLines(arp.dataView, arp.offset, end, true)}`);
}

/** IPv4's address length, and the Trailer encapsulation's EtherType tcpdump takes for IPv4. */
const IPV4_LENGTH = 4;
const ETHERTYPE_TRAIL = 0x1000;

/** print-arp.c's names for the hardware types it knows. */
const HARDWARE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "Ethernet"],
  [6, "TokenRing"],
  [7, "ArcNet"],
  [15, "FrameRelay"],
  [19, "ATM"],
  [23, "Strip"],
  [24, "IEEE 1394"],
  [32, "InfiniBand"],
]);

/** ATM's hardware type, whose ARP (RFC 2225 section 8.7) has a layout of its own. */
const HARDWARE_ATM = 19;
/** ATM ARP's fixed part, and where its six address lengths lie (the low six bits of some). */
const ATM_ARP_FIXED_LENGTH = 12;
const ATM_ARP_LENGTHS: readonly [at: number, mask: number][] = [
  [4, 0x3f], // source ATM number
  [5, 0x3f], // source ATM subaddress
  [8, 0xff], // source protocol address
  [9, 0x3f], // target ATM number
  [10, 0x3f], // target ATM subaddress
  [11, 0xff], // target protocol address
];

/**
 * Whether the packet is ATM's ARP (RFC 2225), which tcpdump reads by its own layout, and was
 * not captured through its last address: tcpdump then prints its `[|arp]` alone.
 */
export function atmArpCutShort(arp: ArpPacket): boolean {
  return arp.hardwareType === HARDWARE_ATM && !atmArpCaptured(arp);
}

function atmArpCaptured(arp: ArpPacket): boolean {
  if (arp.capturedLength < ATM_ARP_FIXED_LENGTH) return false;
  let length = ATM_ARP_FIXED_LENGTH;
  for (const [at, mask] of ATM_ARP_LENGTHS) {
    length += arp.dataView.getUint8(arp.offset + at) & mask;
  }
  return arp.capturedLength >= length;
}

/** `Ethernet (len 6), IPv4 (len 4)`: the address types and lengths, as tcpdump names them. */
function addressTypesText(arp: ArpPacket): string {
  const hardware = arp.hardwareType;
  const protocol = arp.protocolType;
  const hardwareName = HARDWARE_NAMES.get(hardware) ?? `Unknown Hardware (${hardware})`;
  const protocolName = etherTypeName(protocol);
  const protocolText = protocolName === "Unknown"
    ? `Unknown Protocol (0x${protocol.toString(16).padStart(4, "0")})`
    : protocolName;
  return `${hardwareName} (len ${arp.hardwareLength}), ${protocolText} (len ${arp.protocolLength})`;
}

/** A hardware address of the packet's length at `at`, as colon-separated hex bytes. */
function hardwareAddressText(arp: ArpPacket, at: number): string {
  const length = arp.hardwareLength;
  return length === 0 ? "" : formatMac(arp.dataView, at, length);
}

/** A protocol address at `at`: IPv4's dotted quad, or tcpdump's words for another kind. */
function protocolAddressText(arp: ArpPacket, at: number): string {
  const protocol = arp.protocolType;
  if (protocol !== ETHERTYPE_IPV4 && protocol !== ETHERTYPE_TRAIL) return "<wrong proto type>";
  if (arp.protocolLength !== IPV4_LENGTH) return "<wrong len>";
  return formatIpv4(arp.dataView, at);
}

/** Whether any of `length` bytes at `at` is not zero. */
function hasNonZeroByte(arp: ArpPacket, at: number, length: number): boolean {
  const view = arp.dataView;
  for (let i = 0; i < length; i++) if (view.getUint8(at + i) !== 0) return true;
  return false;
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
  out.field(JSON_PIECE.arpHardwareType, arp.hardwareType);
  out.field(JSON_PIECE.protocolType, arp.protocolType);
  out.field(JSON_PIECE.operation, arp.operation);
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
