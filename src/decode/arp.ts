/**
 * ARP (RFC 826) for IPv4 over Ethernet-style hardware; other hardware and protocol types are
 * named by their numbers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ArpPacket } from "./mod.ts";
 * const bytes = new Uint8Array([
 *   0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
 * ]);
 * const arp = new ArpPacket().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual([arp.operationName, arp.targetIp, arp.senderIp], ["Request", "10.0.0.2", "10.0.0.1"]);
 * ```
 * @module
 */

import { formatIpv4, formatMac } from "./address.ts";
import { HeaderView } from "./header.ts";
import type { FieldPlaces, FieldTable } from "./field.ts";

/** The fixed part before the addresses: 8 bytes. */
export const ARP_FIXED_LENGTH = 8;

// Where each field lies (RFC 826), in bytes from the packet's start; the addresses' places are
// those of Ethernet (6-byte) and IPv4 (4-byte) addresses, the only ones netpeek reads.
const FIELD_HARDWARE_TYPE = 0;
const FIELD_PROTOCOL_TYPE = 2;
const FIELD_HARDWARE_LENGTH = 4;
const FIELD_PROTOCOL_LENGTH = 5;
const FIELD_OPERATION = 6;
const FIELD_SENDER_MAC = 8;
const FIELD_SENDER_IP = 14;
const FIELD_TARGET_MAC = 18;
const FIELD_TARGET_IP = 24;
/** Operation 1: request. */
export const ARP_REQUEST = 1;
/** Operation 2: reply. */
export const ARP_REPLY = 2;
/** RARP's request (RFC 903), whose answer names the target's IPv4 address. */
export const ARP_REVERSE_REQUEST = 3;
/** RARP's reply. */
export const ARP_REVERSE_REPLY = 4;
/** Inverse ARP's request (RFC 2390). */
export const ARP_INVERSE_REQUEST = 8;
/** Inverse ARP's reply. */
export const ARP_INVERSE_REPLY = 9;
/** The operations and tcpdump's names for them (print-arp.c's arpop_values). */
const ARP_OPERATION_NAMES: ReadonlyMap<number, string> = new Map([
  [ARP_REQUEST, "Request"],
  [ARP_REPLY, "Reply"],
  [ARP_REVERSE_REQUEST, "Reverse Request"],
  [ARP_REVERSE_REPLY, "Reverse Reply"],
  [ARP_INVERSE_REQUEST, "Inverse Request"],
  [ARP_INVERSE_REPLY, "Inverse Reply"],
  [10, "NACK Reply"],
]);

/** The JSON form of an ARP packet (docs/json.md). */
export interface ArpJson {
  /** Hardware type (1 for Ethernet). */
  hardwareType: number;
  /** Protocol type (0x0800 for IPv4). */
  protocolType: number;
  /** Operation: 1 request, 2 reply. */
  operation: number;
  /** Sender hardware address, or null unless Ethernet/IPv4. */
  senderMac: string | null;
  /** Sender protocol address, or null unless Ethernet/IPv4. */
  senderIp: string | null;
  /** Target hardware address, or null unless Ethernet/IPv4. */
  targetMac: string | null;
  /** Target protocol address, or null unless Ethernet/IPv4. */
  targetIp: string | null;
}

/** A view of one ARP packet. */
export class ArpPacket extends HeaderView {
  /** Hardware type (1 Ethernet). */
  get hardwareType(): number {
    return this.view.getUint16(this.offset + FIELD_HARDWARE_TYPE);
  }

  /** Protocol type (0x0800 IPv4). */
  get protocolType(): number {
    return this.view.getUint16(this.offset + FIELD_PROTOCOL_TYPE);
  }

  /** Hardware address length. */
  get hardwareLength(): number {
    return this.view.getUint8(this.offset + FIELD_HARDWARE_LENGTH);
  }

  /** Protocol address length. */
  get protocolLength(): number {
    return this.view.getUint8(this.offset + FIELD_PROTOCOL_LENGTH);
  }

  /** Operation: 1 request, 2 reply, 3/4 RARP. */
  get operation(): number {
    return this.view.getUint16(this.offset + FIELD_OPERATION);
  }

  /** `Request`, `Reply`, or `op N`. */
  get operationName(): string {
    const op = this.operation;
    return ARP_OPERATION_NAMES.get(op) ?? `Unknown (${op})`;
  }

  /** Length of the fixed part and the four addresses. */
  get wireLength(): number {
    return ARP_FIXED_LENGTH + 2 * (this.hardwareLength + this.protocolLength);
  }

  /** Whether the addresses are Ethernet/IPv4 and were all captured. */
  get isEthernetIpv4(): boolean {
    return this.hardwareLength === 6 && this.protocolLength === 4 &&
      this.capturedLength >= this.wireLength;
  }

  /** Absolute offset of the sender's hardware address (of `hardwareLength` bytes). */
  get senderHardwareAt(): number {
    return this.offset + ARP_FIXED_LENGTH;
  }

  /** Absolute offset of the sender's protocol address (of `protocolLength` bytes). */
  get senderProtocolAt(): number {
    return this.senderHardwareAt + this.hardwareLength;
  }

  /** Absolute offset of the target's hardware address. */
  get targetHardwareAt(): number {
    return this.senderProtocolAt + this.protocolLength;
  }

  /** Absolute offset of the target's protocol address. */
  get targetProtocolAt(): number {
    return this.targetHardwareAt + this.hardwareLength;
  }

  /** Absolute offset of the sender's 6-byte hardware address (Ethernet/IPv4 only). */
  get senderMacAt(): number {
    return this.offset + FIELD_SENDER_MAC;
  }

  /** Absolute offset of the target's 6-byte hardware address (Ethernet/IPv4 only). */
  get targetMacAt(): number {
    return this.offset + FIELD_TARGET_MAC;
  }

  /** The sender's IPv4 address as a number (Ethernet/IPv4 only). */
  get senderIpNumber(): number {
    return this.view.getUint32(this.offset + FIELD_SENDER_IP);
  }

  /** The target's IPv4 address as a number (Ethernet/IPv4 only). */
  get targetIpNumber(): number {
    return this.view.getUint32(this.offset + FIELD_TARGET_IP);
  }

  /** Sender hardware address (`null` unless Ethernet/IPv4). */
  get senderMac(): string | null {
    return this.isEthernetIpv4 ? formatMac(this.view, this.senderMacAt) : null;
  }

  /** Sender protocol address (`null` unless Ethernet/IPv4). */
  get senderIp(): string | null {
    return this.isEthernetIpv4 ? formatIpv4(this.view, this.offset + FIELD_SENDER_IP) : null;
  }

  /** Target hardware address (`null` unless Ethernet/IPv4). */
  get targetMac(): string | null {
    return this.isEthernetIpv4 ? formatMac(this.view, this.targetMacAt) : null;
  }

  /** Target protocol address (`null` unless Ethernet/IPv4). */
  get targetIp(): string | null {
    return this.isEthernetIpv4 ? formatIpv4(this.view, this.offset + FIELD_TARGET_IP) : null;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): ArpJson {
    return {
      hardwareType: this.hardwareType,
      protocolType: this.protocolType,
      operation: this.operation,
      senderMac: this.senderMac,
      senderIp: this.senderIp,
      targetMac: this.targetMac,
      targetIp: this.targetIp,
    };
  }
}

/** ARP's fields under tshark's names (`arp.isgratuitous` only on the gratuitous ones). */
export const ARP_FIELDS: FieldTable<ArpPacket> = {
  // tshark judges requests and replies only.
  "arp.isgratuitous": (arp) =>
    arp.senderIp !== null && arp.senderIp === arp.targetIp &&
      (arp.operation === ARP_REQUEST || arp.operation === ARP_REPLY)
      ? 1
      : undefined,
  "arp.opcode": (arp) => arp.operation,
  "arp.src.hw_mac": (arp) => arp.senderMac ?? undefined,
  "arp.src.proto_ipv4": (arp) => arp.senderIp ?? undefined,
  "arp.dst.hw_mac": (arp) => arp.targetMac ?? undefined,
  "arp.dst.proto_ipv4": (arp) => arp.targetIp ?? undefined,
};

/**
 * The JSON object's keys in their order: `toJSON`, the fast JSON writer and docs/json.md follow
 * this one declaration (tests/json_keys_test.ts holds all three to it). A key may be absent
 * from an object, never out of order.
 */
export const ARP_JSON_KEYS: readonly string[] = [
  "hardwareType",
  "protocolType",
  "operation",
  "senderMac",
  "senderIp",
  "targetMac",
  "targetIp",
] as const satisfies readonly (keyof ArpJson)[];

/** Where each JSON key's bytes lie; the addresses' places follow their lengths (RFC 826). */
export const ARP_FIELD_PLACES: FieldPlaces<ArpPacket> = {
  hardwareType: [FIELD_HARDWARE_TYPE, 2],
  protocolType: [FIELD_PROTOCOL_TYPE, 2],
  operation: [FIELD_OPERATION, 2],
  senderMac: (arp) => [FIELD_SENDER_MAC, arp.hardwareLength],
  senderIp: (arp) => [FIELD_SENDER_MAC + arp.hardwareLength, arp.protocolLength],
  targetMac: (
    arp,
  ) => [FIELD_SENDER_MAC + arp.hardwareLength + arp.protocolLength, arp.hardwareLength],
  targetIp: (
    arp,
  ) => [FIELD_SENDER_MAC + 2 * arp.hardwareLength + arp.protocolLength, arp.protocolLength],
};
