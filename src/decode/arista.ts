/**
 * Arista's vendor EtherType (0xd28b), as its TapAgg switches insert it after the Ethernet
 * addresses: a subtype (1, a timestamp), then the timescale (0 TAI, 1 UTC), a byte of format
 * (high nibble: 1 for 64 bits, 2 for 48 bits) and hardware (low nibble: 0 R/R2, 1 R3), the
 * timestamp itself, and the frame's own EtherType. (Arista's "Overview of Arista Timestamps"
 * white paper; tcpdump's print-arista.c reads it the same way.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AristaHeader } from "./mod.ts";
 * // Timestamp subtype, TAI, 64-bit on R3: 1559162199 s and 944724424 ns, then IPv4.
 * const bytes = new Uint8Array([0, 1, 0, 0x11, 0x5c, 0xee, 0xed, 0x57, 0x38, 0x4f, 0x59, 0xc8, 8, 0]);
 * const arista = new AristaHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual(
 *   [arista.format, arista.hardware, arista.seconds, arista.nanoseconds, arista.headerLength],
 *   [1, 1, 1559162199, 944724424, 14],
 * );
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";

/** Arista's vendor EtherType. */
export const ETHERTYPE_ARISTA = 0xd28b;
/** The subtype, then a timescale and a format byte: what must be there to know the length. */
export const ARISTA_FIXED_LENGTH = 4;
/** The one subtype defined: a timestamp. */
export const ARISTA_SUBTYPE_TIMESTAMP = 1;
/** Timestamp format 1 (the format byte's high nibble): 32-bit seconds of the epoch. */
export const ARISTA_FORMAT_64_BIT = 1;
/** Timestamp format 2: 16-bit seconds of the switch's counter. */
export const ARISTA_FORMAT_48_BIT = 2;

const FIELD_SUBTYPE = 0;
const FIELD_TIMESCALE = 2;
const FIELD_FORMAT = 3;
const FIELD_TIMESTAMP = 4;
/** Seconds and nanoseconds: 4 and 4 bytes, or 2 and 4. */
const TIMESTAMP_LENGTHS: Readonly<Record<number, number>> = {
  [ARISTA_FORMAT_64_BIT]: 8,
  [ARISTA_FORMAT_48_BIT]: 6,
};
const ETHERTYPE_LENGTH = 2;
const NANOSECONDS_PER_SECOND = 1_000_000_000;

/** The JSON form (docs/json.md). */
export interface AristaJson {
  /** 1: a timestamp. */
  subtype: number;
  /** 0 TAI, 1 UTC. */
  timescale: number;
  /** 1 for 64 bits, 2 for 48 bits. */
  format: number;
  /** 0 R/R2 series, 1 R3 series. */
  hardware: number;
  /** Seconds (of the epoch for 64 bits; of the switch's counter for 48). */
  seconds?: number;
  /** Nanoseconds within the second. */
  nanoseconds?: number;
  /** The frame's own EtherType after the header. */
  etherType?: number;
}

/** A view of an Arista timestamp header (from the subtype on). */
export class AristaHeader extends HeaderView {
  /** The subtype (1: timestamp). */
  get subtype(): number {
    return this.u16(FIELD_SUBTYPE);
  }

  /** 0 TAI, 1 UTC. */
  get timescale(): number {
    return this.u8(FIELD_TIMESCALE);
  }

  /** The timestamp's format: 1 (64 bits) or 2 (48 bits). */
  get format(): number {
    return this.u8(FIELD_FORMAT) >>> 4;
  }

  /** The hardware that stamped it: 0 R/R2 series, 1 R3 series. */
  get hardware(): number {
    return this.u8(FIELD_FORMAT) & 0x0f;
  }

  /**
   * The header's length up to the frame's own EtherType (included), or 0 for a subtype or
   * format whose length is not known.
   */
  get headerLength(): number {
    if (this.subtype !== ARISTA_SUBTYPE_TIMESTAMP) return 0;
    const timestamp = TIMESTAMP_LENGTHS[this.format];
    return timestamp === undefined ? 0 : FIELD_TIMESTAMP + timestamp + ETHERTYPE_LENGTH;
  }

  /** The timestamp's seconds, with whole seconds carried from the nanoseconds as tcpdump. */
  get seconds(): number {
    const raw = this.format === ARISTA_FORMAT_48_BIT
      ? this.u16(FIELD_TIMESTAMP)
      : this.u32(FIELD_TIMESTAMP);
    return raw + Math.floor(this.#rawNanoseconds / NANOSECONDS_PER_SECOND);
  }

  /** The nanoseconds within the second. */
  get nanoseconds(): number {
    return this.#rawNanoseconds % NANOSECONDS_PER_SECOND;
  }

  get #rawNanoseconds(): number {
    return this.u32(FIELD_TIMESTAMP + (this.format === ARISTA_FORMAT_48_BIT ? 2 : 4));
  }

  /** The frame's own EtherType, after the timestamp (0 when the length is not known). */
  get etherType(): number {
    const length = this.headerLength;
    return length === 0 ? 0 : this.u16(length - ETHERTYPE_LENGTH);
  }

  /** The documented JSON form (see docs/json.md); a subtype not known stops at `hardware`. */
  toJSON(): AristaJson {
    const known = this.headerLength !== 0;
    return {
      subtype: this.subtype,
      timescale: this.timescale,
      format: this.format,
      hardware: this.hardware,
      ...(known
        ? { seconds: this.seconds, nanoseconds: this.nanoseconds, etherType: this.etherType }
        : {}),
    };
  }
}

/** The JSON object's keys in their order. */
export const ARISTA_JSON_KEYS: readonly string[] = [
  "subtype",
  "timescale",
  "format",
  "hardware",
  "seconds",
  "nanoseconds",
  "etherType",
] as const satisfies readonly (keyof AristaJson)[];
