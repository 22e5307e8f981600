/**
 * The IPsec Authentication Header (RFC 4302 section 2): next header, length, SPI, sequence
 * number and the integrity check value, all in the clear, in front of the protected payload.
 * IPv4 protocol 51, and an extension header of IPv6's chain.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AhHeader } from "./mod.ts";
 * // RFC 4302 figure 1: next header 6 (TCP), length 4 (24 bytes), SPI 0x1000, sequence 1,
 * // a 96-bit ICV.
 * const bytes = new Uint8Array([6, 4, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 1, ...new Array(12).fill(0xab)]);
 * const ah = new AhHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual([ah.nextHeader, ah.length, ah.spi, ah.sequence], [6, 24, 0x1000, 1]);
 * assert.equal(ah.icvHex, "ab".repeat(12));
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** IP protocol number of AH. */
export const IPPROTO_AH = 51;
/** Next header, length, reserved, SPI and sequence number: the header before its ICV. */
export const AH_FIXED_LENGTH = 12;

// RFC 4302 section 2, in bytes from the header's start.
const FIELD_NEXT_HEADER = 0;
const FIELD_PAYLOAD_LENGTH = 1;
const FIELD_RESERVED = 2;
const FIELD_SPI = 4;
const FIELD_SEQUENCE = 8;
const FIELD_ICV = 12;
/** The length field counts 32-bit words less two (RFC 4302 section 2.2). */
const WORD = 4;
const LENGTH_BIAS = 2;

/** The JSON form of an AH header (docs/json.md). */
export interface AhJson {
  /** The protocol it protects. */
  nextHeader: number;
  /** The header's length in bytes, ICV included. */
  length: number;
  /** Security parameter index. */
  spi: number;
  /** Sequence number. */
  sequence: number;
  /** The integrity check value as hex (what was captured of it). */
  icv: string;
}

/** A view of an Authentication Header. */
export class AhHeader extends HeaderView {
  /** The protocol it protects (an IP protocol number). */
  get nextHeader(): number {
    return this.u8(FIELD_NEXT_HEADER);
  }

  /** The length field as sent: 32-bit words less two. */
  get payloadLength(): number {
    return this.u8(FIELD_PAYLOAD_LENGTH);
  }

  /** The header's length in bytes, ICV included. */
  get length(): number {
    return (this.payloadLength + LENGTH_BIAS) * WORD;
  }

  /** The reserved field, which must be zero. */
  get reserved(): number {
    return this.u16(FIELD_RESERVED);
  }

  /** Security parameter index. */
  get spi(): number {
    return this.u32(FIELD_SPI);
  }

  /** Sequence number. */
  get sequence(): number {
    return this.u32(FIELD_SEQUENCE);
  }

  /** The ICV's length by the length field (negative for a malformed one). */
  get icvLength(): number {
    return this.length - AH_FIXED_LENGTH;
  }

  /** Whether the first `length` bytes of the header were captured. */
  captured(length: number): boolean {
    return this.end - this.offset >= length;
  }

  /** Whether the whole header, ICV included, was captured. */
  get complete(): boolean {
    return this.icvLength >= 0 && this.offset + this.length <= this.end;
  }

  /** The captured part of the ICV, as hex. */
  get icvHex(): string {
    const start = this.offset + FIELD_ICV;
    const stop = Math.min(this.end, this.offset + Math.max(FIELD_ICV, this.length));
    let hex = "";
    for (let at = start; at < stop; at++) {
      hex += this.view.getUint8(at).toString(16).padStart(2, "0");
    }
    return hex;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): AhJson {
    return {
      nextHeader: this.nextHeader,
      length: this.length,
      spi: this.spi,
      sequence: this.sequence,
      icv: this.icvHex,
    };
  }
}

/** AH's fields under tshark's names. */
export const AH_FIELDS: FieldTable<AhHeader> = {
  "ah.next_header": (ah) => ah.nextHeader,
  "ah.length": (ah) => ah.payloadLength,
  "ah.spi": (ah) => ah.captured(FIELD_SEQUENCE) ? ah.spi : undefined,
  "ah.sequence": (ah) => ah.captured(FIELD_ICV) ? ah.sequence : undefined,
  // As tshark: the ICV only when all of it was captured (and it has bytes).
  "ah.icv": (ah) => ah.complete && ah.icvLength > 0 ? ah.icvHex : undefined,
};

/** The JSON object's keys in their order. */
export const AH_JSON_KEYS: readonly string[] = [
  "nextHeader",
  "length",
  "spi",
  "sequence",
  "icv",
] as const satisfies readonly (keyof AhJson)[];
