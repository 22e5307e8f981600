/**
 * MACsec (IEEE 802.1AE), EtherType 0x88e5: the SecTAG after the Ethernet addresses, the secure
 * data, and a 16-byte integrity check value (ICV) at the frame's end. When the frame is only
 * integrity-protected (neither the E nor the C bit), the secure data is the original frame's
 * EtherType and payload in the clear, which the decoder goes on to decode; encrypted or
 * changed text stays payload.
 *
 * SecTAG (802.1AE-2018 figure 9-2): TCI and AN (1 byte: V, ES, SC, SCB, E, C, then the
 * association number in the low 2 bits), short length (1 byte, 6 bits used), packet number
 * (4 bytes), and the secure channel identifier (8 bytes) when the SC bit is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MacsecHeader } from "./mod.ts";
 * // SC set (an SCI follows), AN 0, packet number 68: integrity only.
 * const bytes = new Uint8Array([0x20, 0, 0, 0, 0, 68, 0x2e, 0xb7, 0x3f, 0x39, 0x95, 0xc3, 0, 1]);
 * const macsec = new MacsecHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual(
 *   [macsec.packetNumber, macsec.sci, macsec.headerLength, macsec.integrityOnly],
 *   [68, "2eb73f3995c30001", 14, true],
 * );
 * ```
 * @module
 */

import { formatMac } from "./address.ts";
import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** MACsec's EtherType. */
export const ETHERTYPE_MACSEC = 0x88e5;
/** The SecTAG without a secure channel identifier. */
export const MACSEC_HEADER_LENGTH = 6;
/** The SecTAG with one. */
export const MACSEC_HEADER_LENGTH_WITH_SCI = 14;
/** The default cipher suites' integrity check value, at the end of the frame. */
export const MACSEC_ICV_LENGTH = 16;

// 802.1AE-2018 section 9, in bytes from the SecTAG's start (after the EtherType).
const FIELD_TCI_AN = 0;
const FIELD_SHORT_LENGTH = 1;
const FIELD_PACKET_NUMBER = 2;
const FIELD_SCI = 6;
const SCI_SYSTEM_LENGTH = 6;
const FIELD_SCI_PORT = FIELD_SCI + SCI_SYSTEM_LENGTH;
/** The SCI: a system identifier (MAC address) and a 2-byte port. */
const SCI_LENGTH = 8;

/** TCI bits (the high 6 bits of the first byte). */
const TCI_VERSION = 0x80;
const TCI_END_STATION = 0x40;
const TCI_SC = 0x20;
const TCI_SINGLE_COPY_BROADCAST = 0x10;
const TCI_ENCRYPTED = 0x08;
const TCI_CHANGED = 0x04;
const AN_MASK = 0x03;
/** The short length's 6 bits; the 2 above them must be zero. */
const SHORT_LENGTH_MASK = 0x3f;

/** The TCI bits in tcpdump's order, with the letters it prints for them. */
export const MACSEC_FLAG_LETTERS: readonly (readonly [number, string])[] = [
  [TCI_ENCRYPTED, "E"],
  [TCI_CHANGED, "C"],
  [TCI_END_STATION, "S"],
  [TCI_SINGLE_COPY_BROADCAST, "B"],
  [TCI_SC, "I"],
];

/** The JSON form of a SecTAG (docs/json.md). */
export interface MacsecJson {
  /** The TCI bits as the byte holds them (0x20 SC, 0x08 E, 0x04 C, …), AN left out. */
  tci: number;
  /** Association number. */
  an: number;
  /** Short length: the secure data's length when under 48 bytes, else 0. */
  shortLength: number;
  /** Packet number. */
  packetNumber: number;
  /** Secure channel identifier, 16 hex digits, when the SC bit is set. */
  sci?: string;
  /** Whether the secure data is in the clear (neither E nor C): decoded after it. */
  integrityOnly: boolean;
  /** The EtherType of the frame inside, when it is in the clear. */
  etherType?: number;
}

/** A view of a MACsec SecTAG (from the TCI on; the EtherType before it is the link's). */
export class MacsecHeader extends HeaderView {
  /** The TCI/AN byte. */
  get tciAn(): number {
    return this.u8(FIELD_TCI_AN);
  }

  /** The TCI bits (the AN's two bits cleared). */
  get tci(): number {
    return this.tciAn & ~AN_MASK;
  }

  /** The association number. */
  get an(): number {
    return this.tciAn & AN_MASK;
  }

  /** The short-length byte as sent (its top two bits must be zero). */
  get shortLengthByte(): number {
    return this.u8(FIELD_SHORT_LENGTH);
  }

  /** The secure data's length when it is under 48 bytes, else 0. */
  get shortLength(): number {
    return this.shortLengthByte & SHORT_LENGTH_MASK;
  }

  /** The packet number. */
  get packetNumber(): number {
    return this.u32(FIELD_PACKET_NUMBER);
  }

  /** Whether a secure channel identifier follows the packet number. */
  get hasSci(): boolean {
    return (this.tciAn & TCI_SC) !== 0;
  }

  /** The SecTAG's length: 6 bytes, or 14 with the SCI. */
  get headerLength(): number {
    return this.hasSci ? MACSEC_HEADER_LENGTH_WITH_SCI : MACSEC_HEADER_LENGTH;
  }

  /** The secure channel identifier as 16 hex digits (tcpdump's form), or "" without one. */
  get sci(): string {
    return this.hasSci ? this.hexBytes(FIELD_SCI, SCI_LENGTH) : "";
  }

  /** The SCI's system identifier: a MAC address. */
  get sciSystem(): string {
    return this.hasSci ? formatMac(this.view, this.offset + FIELD_SCI, SCI_SYSTEM_LENGTH) : "";
  }

  /** The SCI's port identifier. */
  get sciPort(): number {
    return this.hasSci ? this.u16(FIELD_SCI_PORT) : 0;
  }

  /** Whether the E bit is set: the secure data is encrypted. */
  get encrypted(): boolean {
    return (this.tciAn & TCI_ENCRYPTED) !== 0;
  }

  /** Whether the C bit is set: the secure data differs from the frame's (changed text). */
  get changed(): boolean {
    return (this.tciAn & TCI_CHANGED) !== 0;
  }

  /** Neither E nor C: the frame's EtherType and payload follow in the clear. */
  get integrityOnly(): boolean {
    return (this.tciAn & (TCI_ENCRYPTED | TCI_CHANGED)) === 0;
  }

  /** Why the SecTAG is invalid (a version bit, short-length bits set), or undefined. */
  get problem(): string | undefined {
    if ((this.tciAn & TCI_VERSION) !== 0) return "version bit set";
    if ((this.shortLengthByte & ~SHORT_LENGTH_MASK) !== 0) {
      return `short length byte 0x${this.shortLengthByte.toString(16)} has reserved bits set`;
    }
    return undefined;
  }

  /** The EtherType in the clear after the SecTAG (integrity only), or undefined. */
  get etherType(): number | undefined {
    const at = this.headerLength;
    return this.integrityOnly && this.offset + at + 2 <= this.end ? this.u16(at) : undefined;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): MacsecJson {
    const etherType = this.etherType;
    return {
      tci: this.tci,
      an: this.an,
      shortLength: this.shortLength,
      packetNumber: this.packetNumber,
      ...(this.hasSci ? { sci: this.sci } : {}),
      integrityOnly: this.integrityOnly,
      ...(etherType !== undefined ? { etherType } : {}),
    };
  }
}

const bit = (macsec: MacsecHeader, mask: number) => (macsec.tciAn & mask) !== 0 ? 1 : 0;

/** The SecTAG's fields under tshark's names (its TCI is the byte shifted past the AN). */
export const MACSEC_FIELDS: FieldTable<MacsecHeader> = {
  "macsec.TCI": (macsec) => macsec.tciAn >>> 2,
  "macsec.TCI.ES": (macsec) => bit(macsec, TCI_END_STATION),
  "macsec.TCI.SC": (macsec) => bit(macsec, TCI_SC),
  "macsec.TCI.SCB": (macsec) => bit(macsec, TCI_SINGLE_COPY_BROADCAST),
  "macsec.TCI.E": (macsec) => bit(macsec, TCI_ENCRYPTED),
  "macsec.TCI.C": (macsec) => bit(macsec, TCI_CHANGED),
  "macsec.AN": (macsec) => macsec.an,
  "macsec.SL": (macsec) => macsec.shortLength,
  "macsec.PN": (macsec) => macsec.packetNumber,
  "macsec.SCI.system_identifier": (macsec) => macsec.hasSci ? macsec.sciSystem : undefined,
  "macsec.SCI.port_identifier": (macsec) => macsec.hasSci ? macsec.sciPort : undefined,
  "macsec.etype": (macsec) => macsec.etherType,
};

/** The JSON object's keys in their order. */
export const MACSEC_JSON_KEYS: readonly string[] = [
  "tci",
  "an",
  "shortLength",
  "packetNumber",
  "sci",
  "integrityOnly",
  "etherType",
] as const satisfies readonly (keyof MacsecJson)[];
