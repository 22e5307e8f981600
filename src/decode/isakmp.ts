/**
 * ISAKMP's header (RFC 2408 section 3.1, IKEv1; RFC 7296 section 3.1, IKEv2): the initiator's
 * and responder's cookies (SPIs), the first payload's type, the version, the exchange type, the
 * flags, the message ID and the length. UDP port 500, and port 4500 after the four zero bytes
 * of the non-ESP marker (RFC 3948 section 2.2). The payloads after the header are not decoded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IsakmpHeader } from "./mod.ts";
 * const bytes = new Uint8Array(28);
 * bytes.set([0xcf, 0x02, 0x32, 0x6f, 0x14, 0xa9, 0x5b, 0x93]); // the initiator's cookie
 * bytes.set([1, 0x10, 2, 0], 16); // SA payload first, version 1.0, identity protection
 * bytes.set([0, 0, 0, 148], 24);
 * const isakmp = new IsakmpHeader().bind(new DataView(bytes.buffer), 0, 28);
 * assert.deepEqual(
 *   [isakmp.initiatorSpi, isakmp.majorVersion, isakmp.exchangeType, isakmp.length],
 *   ["cf02326f14a95b93", 1, 2, 148],
 * );
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** ISAKMP's port (RFC 2408 section 2.5.2). */
export const ISAKMP_PORT = 500;
/** The fixed header's length. */
export const ISAKMP_HEADER_LENGTH = 28;

// Fields, in bytes from the header's start.
const FIELD_INITIATOR_SPI = 0;
const FIELD_RESPONDER_SPI = 8;
const SPI_LENGTH = 8;
const FIELD_NEXT_PAYLOAD = 16;
const FIELD_VERSION = 17;
const FIELD_EXCHANGE_TYPE = 18;
const FIELD_FLAGS = 19;
const FIELD_MESSAGE_ID = 20;
const FIELD_LENGTH = 24;

/** IKEv1's encryption flag (RFC 2408 section 3.1): the payloads are encrypted. */
export const ISAKMP_FLAG_ENCRYPTION = 0x01;
/** IKEv1's commit flag. */
export const ISAKMP_FLAG_COMMIT = 0x02;
/** IKEv1's authentication-only flag. */
export const ISAKMP_FLAG_AUTHENTICATION = 0x04;
/** IKEv2's initiator flag (RFC 7296 section 3.1): sent by the original initiator. */
export const IKEV2_FLAG_INITIATOR = 0x08;
/** IKEv2's version flag: the sender can speak a higher major version. */
export const IKEV2_FLAG_VERSION = 0x10;
/** IKEv2's response flag. */
export const IKEV2_FLAG_RESPONSE = 0x20;

/** The JSON form of an ISAKMP header (docs/json.md). */
export interface IsakmpJson {
  /** The initiator's cookie (IKEv2: SPI), 16 hexadecimal digits. */
  initiatorSpi: string;
  /** The responder's cookie (SPI): all zeros in an exchange's first message. */
  responderSpi: string;
  /** The first payload's type. */
  nextPayload: number;
  /** The major version: 1 (IKEv1) or 2 (IKEv2). */
  majorVersion: number;
  /** The minor version (0). */
  minorVersion: number;
  /** The exchange type (2 identity protection, 32 quick mode, 34 IKE_SA_INIT, …). */
  exchangeType: number;
  /** The flags byte. */
  flags: number;
  /** The message ID: 0 in phase 1 (IKEv1) or IKE_SA_INIT (IKEv2). */
  messageId: number;
  /** The whole message's length, header included, as the header says. */
  length: number;
  /** Carried on UDP port 4500 after the non-ESP marker. */
  nonEspMarker: boolean;
  /** Present (true) when the header was cut short by the snapshot length. */
  truncated?: true;
}

/** A view of an ISAKMP header. */
export class IsakmpHeader extends HeaderView {
  /** Whether it followed the non-ESP marker on UDP port 4500 (set by the decoder). */
  nonEspMarker = false;
  /** The message's length on the wire, as UDP carries it (set by the decoder). */
  wireLength = 0;

  /** The initiator's cookie (SPI) as 16 hexadecimal digits. */
  get initiatorSpi(): string {
    return this.hexBytes(FIELD_INITIATOR_SPI, SPI_LENGTH);
  }

  /** The responder's cookie (SPI) as 16 hexadecimal digits. */
  get responderSpi(): string {
    return this.hexBytes(FIELD_RESPONDER_SPI, SPI_LENGTH);
  }

  /** Whether the responder's cookie is all zeros (an exchange's first message). */
  get responderSpiIsZero(): boolean {
    return this.u32(FIELD_RESPONDER_SPI) === 0 && this.u32(FIELD_RESPONDER_SPI + 4) === 0;
  }

  /** The first payload's type (RFC 2408 section 3.1, RFC 7296 section 3.2). */
  get nextPayload(): number {
    return this.u8(FIELD_NEXT_PAYLOAD);
  }

  /** The version byte: the major version in the high nibble, the minor in the low. */
  get version(): number {
    return this.u8(FIELD_VERSION);
  }

  /** The major version: 1 for IKEv1, 2 for IKEv2. */
  get majorVersion(): number {
    return this.version >> 4;
  }

  /** The minor version. */
  get minorVersion(): number {
    return this.version & 0x0f;
  }

  /** The exchange type (2 identity protection, 32 quick mode, 34 IKE_SA_INIT, …). */
  get exchangeType(): number {
    return this.u8(FIELD_EXCHANGE_TYPE);
  }

  /** The flags byte (`ISAKMP_FLAG_*` in IKEv1, `IKEV2_FLAG_*` in IKEv2). */
  get flags(): number {
    return this.u8(FIELD_FLAGS);
  }

  /** The message ID. */
  get messageId(): number {
    return this.u32(FIELD_MESSAGE_ID);
  }

  /** The message's length as the header gives it. */
  get length(): number {
    return this.u32(FIELD_LENGTH);
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): IsakmpJson {
    const json: IsakmpJson = {
      initiatorSpi: this.initiatorSpi,
      responderSpi: this.responderSpi,
      nextPayload: this.nextPayload,
      majorVersion: this.majorVersion,
      minorVersion: this.minorVersion,
      exchangeType: this.exchangeType,
      flags: this.flags,
      messageId: this.messageId,
      length: this.length,
      nonEspMarker: this.nonEspMarker,
    };
    if (this.truncated) json.truncated = true;
    return json;
  }
}

/**
 * Whether tshark gives the header's fields: a whole header whose length field is at least the
 * header's own (tshark adds none below that).
 */
function fielded(isakmp: IsakmpHeader): boolean {
  return !isakmp.truncated && isakmp.length >= ISAKMP_HEADER_LENGTH;
}

/** Whether the version is one tshark reads the exchange type, flags and length of. */
function known(isakmp: IsakmpHeader): boolean {
  const major = isakmp.majorVersion;
  return fielded(isakmp) && (major === 1 || major === 2);
}

/** A flag of IKEv1 (`v1`) or IKEv2: tshark shows each version's own flags only. */
function flag(bit: number, v1: boolean) {
  return (isakmp: IsakmpHeader) =>
    !known(isakmp) || (isakmp.majorVersion === 1) !== v1
      ? undefined
      : (isakmp.flags & bit) !== 0
      ? 1
      : 0;
}

/** The header's fields under tshark's names, where tshark gives them. */
export const ISAKMP_FIELDS: FieldTable<IsakmpHeader> = {
  "isakmp.ispi": (isakmp) => fielded(isakmp) ? isakmp.initiatorSpi : undefined,
  "isakmp.rspi": (isakmp) => fielded(isakmp) ? isakmp.responderSpi : undefined,
  "isakmp.version": (isakmp) => fielded(isakmp) ? isakmp.version : undefined,
  "isakmp.mjver": (isakmp) => fielded(isakmp) ? isakmp.majorVersion : undefined,
  "isakmp.mnver": (isakmp) => fielded(isakmp) ? isakmp.minorVersion : undefined,
  "isakmp.exchangetype": (isakmp) => known(isakmp) ? isakmp.exchangeType : undefined,
  "isakmp.flags": (isakmp) => fielded(isakmp) ? isakmp.flags : undefined,
  "isakmp.flag_e": flag(ISAKMP_FLAG_ENCRYPTION, true),
  "isakmp.flag_c": flag(ISAKMP_FLAG_COMMIT, true),
  "isakmp.flag_a": flag(ISAKMP_FLAG_AUTHENTICATION, true),
  "isakmp.flag_i": flag(IKEV2_FLAG_INITIATOR, false),
  "isakmp.flag_v": flag(IKEV2_FLAG_VERSION, false),
  "isakmp.flag_r": flag(IKEV2_FLAG_RESPONSE, false),
  "isakmp.messageid": (isakmp) => fielded(isakmp) ? isakmp.messageId : undefined,
  // tshark gives the length only where the datagram holds that much.
  "isakmp.length": (isakmp) =>
    fielded(isakmp) && isakmp.length <= isakmp.wireLength ? isakmp.length : undefined,
};

/** The JSON object's keys in their order. */
export const ISAKMP_JSON_KEYS: readonly string[] = [
  "initiatorSpi",
  "responderSpi",
  "nextPayload",
  "majorVersion",
  "minorVersion",
  "exchangeType",
  "flags",
  "messageId",
  "length",
  "nonEspMarker",
  "truncated",
] as const satisfies readonly (keyof IsakmpJson)[];
