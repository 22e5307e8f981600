/**
 * GRE (RFC 2784, with RFC 2890's key and sequence number): IP protocol 47, a header of 4 to 16
 * bytes, then the packet it carries, named by an EtherType: IPv4, IPv6, or an Ethernet frame
 * (0x6558, transparent Ethernet bridging). The decoder decodes those as `Packet.inner`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GreHeader } from "./mod.ts";
 * // Key present (RFC 2890 section 2.1): key 0x28, carrying IPv4.
 * const bytes = new Uint8Array([0x20, 0x00, 0x08, 0x00, 0, 0, 0, 0x28]);
 * const gre = new GreHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual([gre.version, gre.protocol, gre.key, gre.headerLength], [0, 0x0800, 0x28, 8]);
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** IP protocol number of GRE. */
export const IPPROTO_GRE = 47;
/** Flags and version, protocol type. */
export const GRE_MIN_LENGTH = 4;
/** Transparent Ethernet bridging: GRE carries an Ethernet frame. */
export const GRE_PROTOCOL_ETHERNET = 0x6558;

// RFC 2784 section 2 and RFC 2890 section 2, in bytes from the header's start.
const FIELD_FLAGS_VERSION = 0;
const FIELD_PROTOCOL = 2;
const FIELD_OPTIONAL = 4;
const FLAG_CHECKSUM = 0x8000;
const FLAG_ROUTING = 0x4000;
const FLAG_KEY = 0x2000;
const FLAG_SEQUENCE = 0x1000;
const VERSION_MASK = 0x0007;
const WORD = 4;

/** The JSON form of a GRE header (docs/json.md). */
export interface GreJson {
  /** The flags and version word (RFC 2784: C, R, K, S bits, version in the low three). */
  flags: number;
  /** The version: 0 (RFC 2784), 1 for PPTP's enhanced GRE. */
  version: number;
  /** The EtherType of what it carries. */
  protocol: number;
  /** With the C bit: the checksum. */
  checksum?: number;
  /** With the C or R bit: the routing offset. */
  offset?: number;
  /** With the K bit: the key. */
  key?: number;
  /** With the S bit: the sequence number. */
  sequence?: number;
}

/** A view of a GRE header. */
export class GreHeader extends HeaderView {
  /** The flags and version word. */
  get flagsAndVersion(): number {
    return this.u16(FIELD_FLAGS_VERSION);
  }

  /** The version (the word's low three bits). */
  get version(): number {
    return this.flagsAndVersion & VERSION_MASK;
  }

  /** The EtherType of what it carries. */
  get protocol(): number {
    return this.u16(FIELD_PROTOCOL);
  }

  /** Whether the checksum and offset word is there (C or R set). */
  get hasChecksumWord(): boolean {
    return (this.flagsAndVersion & (FLAG_CHECKSUM | FLAG_ROUTING)) !== 0;
  }

  /** Whether the C bit says the checksum is meaningful. */
  get checksumPresent(): boolean {
    return (this.flagsAndVersion & FLAG_CHECKSUM) !== 0;
  }

  /** Whether a key follows (K). */
  get keyPresent(): boolean {
    return (this.flagsAndVersion & FLAG_KEY) !== 0;
  }

  /** Whether a sequence number follows (S). */
  get sequencePresent(): boolean {
    return (this.flagsAndVersion & FLAG_SEQUENCE) !== 0;
  }

  /** The checksum (meaningful with the C bit). */
  get checksum(): number {
    return this.u16(FIELD_OPTIONAL);
  }

  /** The routing offset (with the C or R bit). */
  get routingOffset(): number {
    return this.u16(FIELD_OPTIONAL + 2);
  }

  #keyAt(): number {
    return FIELD_OPTIONAL + (this.hasChecksumWord ? WORD : 0);
  }

  /** The key (with the K bit). */
  get key(): number {
    return this.u32(this.#keyAt());
  }

  /** The sequence number (with the S bit). */
  get sequence(): number {
    return this.u32(this.#keyAt() + (this.keyPresent ? WORD : 0));
  }

  /** The header's length: 4 bytes, and 4 for each of the checksum, key and sequence words. */
  get headerLength(): number {
    return GRE_MIN_LENGTH + (this.hasChecksumWord ? WORD : 0) + (this.keyPresent ? WORD : 0) +
      (this.sequencePresent ? WORD : 0);
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): GreJson {
    const json: GreJson = {
      flags: this.flagsAndVersion,
      version: this.version,
      protocol: this.protocol,
    };
    if (this.hasChecksumWord) {
      json.checksum = this.checksum;
      json.offset = this.routingOffset;
    }
    if (this.keyPresent) json.key = this.key;
    if (this.sequencePresent) json.sequence = this.sequence;
    return json;
  }
}

/** GRE's fields under tshark's names (tshark shows the checksum only with the C bit). */
export const GRE_FIELDS: FieldTable<GreHeader> = {
  "gre.flags_and_version": (gre) => gre.flagsAndVersion,
  "gre.proto": (gre) => gre.protocol,
  "gre.checksum": (gre) => gre.checksumPresent ? gre.checksum : undefined,
  "gre.offset": (gre) => gre.hasChecksumWord ? gre.routingOffset : undefined,
  "gre.key": (gre) => gre.keyPresent ? gre.key : undefined,
  "gre.sequence_number": (gre) => gre.sequencePresent ? gre.sequence : undefined,
};

/** The JSON object's keys in their order. */
export const GRE_JSON_KEYS: readonly string[] = [
  "flags",
  "version",
  "protocol",
  "checksum",
  "offset",
  "key",
  "sequence",
] as const satisfies readonly (keyof GreJson)[];
