/**
 * The clear part of an IPsec ESP packet (RFC 4303 section 2): the security parameter index
 * and the sequence number; the rest is encrypted. IPv4 protocol 50, and UDP port 4500 when
 * NAT traversal wraps it (RFC 3948 section 2.2: a first word of 0 marks IKE instead).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EspHeader } from "./mod.ts";
 * const bytes = new Uint8Array([0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 0xaa]);
 * const esp = new EspHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual([esp.spi, esp.sequence], [0x12345678, 1]);
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** IP protocol number of ESP. */
export const IPPROTO_ESP = 50;
/** UDP port of IPsec NAT traversal (RFC 3948). */
export const IPSEC_NAT_T_PORT = 4500;
/** SPI and sequence number: the header's 8 bytes in the clear. */
export const ESP_HEADER_LENGTH = 8;
/** The four zero bytes before an IKE message on UDP port 4500 (RFC 3948 section 2.2). */
export const NON_ESP_MARKER_LENGTH = 4;

const FIELD_SPI = 0;
const FIELD_SEQUENCE = 4;

/** The JSON form of an ESP header (docs/json.md). */
export interface EspJson {
  /** Security parameter index. */
  spi: number;
  /** Sequence number. */
  sequence: number;
  /** Carried in UDP (NAT traversal). */
  udpEncapsulated: boolean;
}

/** A view of an ESP header. */
export class EspHeader extends HeaderView {
  /** Carried in UDP port 4500; set by the decoder. */
  udpEncapsulated = false;

  /** Security parameter index. */
  get spi(): number {
    return this.u32(FIELD_SPI);
  }

  /** Sequence number. */
  get sequence(): number {
    return this.u32(FIELD_SEQUENCE);
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): EspJson {
    return { spi: this.spi, sequence: this.sequence, udpEncapsulated: this.udpEncapsulated };
  }
}

/** ESP's fields under tshark's names. */
export const ESP_FIELDS: FieldTable<EspHeader> = {
  "esp.spi": (esp) => esp.spi,
  "esp.sequence": (esp) => esp.sequence,
};

/** The JSON object's keys in their order. */
export const ESP_JSON_KEYS: readonly string[] = [
  "spi",
  "sequence",
  "udpEncapsulated",
] as const satisfies readonly (keyof EspJson)[];
