/**
 * Geneve (RFC 8926 section 3): UDP port 6081, an 8-byte header and up to 252 bytes of options,
 * then the packet it carries, named by an EtherType (0x6558: an Ethernet frame). The decoder
 * decodes that packet as `Packet.inner`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GeneveHeader } from "./mod.ts";
 * // Version 0, two words of options, the C flag, Ethernet inside, VNI 10; one option.
 * const bytes = new Uint8Array([0x02, 0x40, 0x65, 0x58, 0, 0, 10, 0, 0, 0, 0x80, 1, 0, 0, 0, 12]);
 * const geneve = new GeneveHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual([geneve.vni, geneve.optionsLength, geneve.headerLength], [10, 8, 16]);
 * assert.deepEqual(geneve.options(), [{ optionClass: 0, type: 0x80, length: 8 }]);
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** Geneve's UDP port (IANA). */
export const GENEVE_PORT = 6081;
/** Version and options length, flags, protocol type, VNI, reserved. */
export const GENEVE_FIXED_LENGTH = 8;

// RFC 8926 section 3.4, in bytes from the header's start.
const FIELD_VERSION_OPTIONS = 0;
const FIELD_FLAGS = 1;
const FIELD_PROTOCOL = 2;
const FIELD_VNI = 4;
const FIELD_RESERVED = 7;
const OPTIONS_LENGTH_MASK = 0x3f;
const WORD = 4;
/** An option: class, type, and its length in words after its own 4-byte header. */
const OPTION_HEADER_LENGTH = 4;
const OPTION_LENGTH_MASK = 0x1f;

/** One option's header (RFC 8926 section 3.5). */
export interface GeneveOption {
  /** Its class (who defines it). */
  optionClass: number;
  /** Its type within the class (the top bit: critical). */
  type: number;
  /** Its length in bytes, its header included. */
  length: number;
}

/** The JSON form of a Geneve header (docs/json.md). */
export interface GeneveJson {
  /** The version (0). */
  version: number;
  /** The flags byte: 0x80 O (control message), 0x40 C (critical options). */
  flags: number;
  /** The EtherType of what it carries. */
  protocol: number;
  /** The virtual network identifier. */
  vni: number;
  /** The options' headers. */
  options: GeneveOption[];
}

/** A view of a Geneve header. */
export class GeneveHeader extends HeaderView {
  /** The version (the first byte's top two bits). */
  get version(): number {
    return this.u8(FIELD_VERSION_OPTIONS) >> 6;
  }

  /** The options' length in bytes. */
  get optionsLength(): number {
    return (this.u8(FIELD_VERSION_OPTIONS) & OPTIONS_LENGTH_MASK) * WORD;
  }

  /** The flags byte. */
  get flags(): number {
    return this.u8(FIELD_FLAGS);
  }

  /** The EtherType of what it carries. */
  get protocol(): number {
    return this.u16(FIELD_PROTOCOL);
  }

  /** The virtual network identifier (24 bits). */
  get vni(): number {
    return this.u32(FIELD_VNI) >>> 8;
  }

  /** The reserved byte after the VNI. */
  get reserved(): number {
    return this.u8(FIELD_RESERVED);
  }

  /** The header's length, options included. */
  get headerLength(): number {
    return GENEVE_FIXED_LENGTH + this.optionsLength;
  }

  /**
   * The options' headers, as far as they were captured and fit the options' length (at most
   * 63 of them: the length field allows 252 bytes).
   */
  options(): GeneveOption[] {
    const options: GeneveOption[] = [];
    const end = Math.min(this.end, this.offset + this.headerLength);
    for (let at = this.offset + GENEVE_FIXED_LENGTH; at + OPTION_HEADER_LENGTH <= end;) {
      const length = OPTION_HEADER_LENGTH +
        (this.view.getUint8(at + 3) & OPTION_LENGTH_MASK) * WORD;
      options.push({
        optionClass: this.view.getUint16(at),
        type: this.view.getUint8(at + 2),
        length,
      });
      at += length;
    }
    return options;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): GeneveJson {
    return {
      version: this.version,
      flags: this.flags,
      protocol: this.protocol,
      vni: this.vni,
      options: this.options(),
    };
  }
}

/** One value of each option, or none without options (as tshark has no field then). */
function optionValues(
  geneve: GeneveHeader,
  value: (option: GeneveOption) => number,
): number[] | undefined {
  const options = geneve.options();
  return options.length === 0 ? undefined : options.map(value);
}

/** Geneve's fields under tshark's names. */
export const GENEVE_FIELDS: FieldTable<GeneveHeader> = {
  "geneve.version": (geneve) => geneve.version,
  "geneve.flags": (geneve) => geneve.flags,
  "geneve.proto_type": (geneve) => geneve.protocol,
  "geneve.vni": (geneve) => geneve.vni,
  "geneve.reserved": (geneve) => geneve.reserved,
  "geneve.option.class": (geneve) => optionValues(geneve, (option) => option.optionClass),
  "geneve.option.type": (geneve) => optionValues(geneve, (option) => option.type),
};

/** The JSON object's keys in their order. */
export const GENEVE_JSON_KEYS: readonly string[] = [
  "version",
  "flags",
  "protocol",
  "vni",
  "options",
] as const satisfies readonly (keyof GeneveJson)[];
