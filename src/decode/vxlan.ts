/**
 * VXLAN (RFC 7348 section 5): an 8-byte header on UDP port 4789, then an Ethernet frame of
 * the overlay network. The decoder decodes that frame as a packet of its own
 * (`Packet.inner`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VxlanHeader } from "./mod.ts";
 * // RFC 7348 figure: the I flag, VNI 100.
 * const bytes = new Uint8Array([0x08, 0, 0, 0, 0, 0, 100, 0]);
 * const vxlan = new VxlanHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual([vxlan.flags, vxlan.vni, vxlan.vniValid], [0x08, 100, true]);
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** VXLAN's UDP port (IANA). */
export const VXLAN_PORT = 4789;
/** Flags, reserved, VNI, reserved. */
export const VXLAN_HEADER_LENGTH = 8;

// RFC 7348 section 5, in bytes from the header's start.
const FIELD_FLAGS = 0;
const FIELD_VNI = 4;
/** The I flag: the VNI is valid. */
const FLAG_VNI_VALID = 0x08;

/** The JSON form of a VXLAN header (docs/json.md). */
export interface VxlanJson {
  /** The flags byte (0x08: the I flag, a valid VNI). */
  flags: number;
  /** The VXLAN network identifier. */
  vni: number;
}

/** A view of a VXLAN header. */
export class VxlanHeader extends HeaderView {
  /** The first 16 bits, which tshark reads as the flags (VXLAN-GPE's layout). */
  get flagsWord(): number {
    return this.u16(FIELD_FLAGS);
  }

  /** The flags byte. */
  get flags(): number {
    return this.u8(FIELD_FLAGS);
  }

  /** Whether the I flag says the VNI is valid. */
  get vniValid(): boolean {
    return (this.flags & FLAG_VNI_VALID) !== 0;
  }

  /** The VXLAN network identifier (24 bits). */
  get vni(): number {
    return this.u32(FIELD_VNI) >>> 8;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): VxlanJson {
    return { flags: this.flags, vni: this.vni };
  }
}

/** VXLAN's fields under tshark's names (tshark reads the first 16 bits as the flags). */
export const VXLAN_FIELDS: FieldTable<VxlanHeader> = {
  "vxlan.flags": (vxlan) => vxlan.flagsWord,
  "vxlan.vni": (vxlan) => vxlan.vni,
};

/** The JSON object's keys in their order. */
export const VXLAN_JSON_KEYS: readonly string[] = [
  "flags",
  "vni",
] as const satisfies readonly (keyof VxlanJson)[];
