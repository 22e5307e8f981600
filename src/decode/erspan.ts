/**
 * ERSPAN, the mirrored frames Cisco's (and Linux's) switches send over GRE
 * (draft-foschiano-erspan-03): type I is GRE protocol 0x88be without a sequence number and no
 * header of its own; type II is 0x88be with one, and an 8-byte header (version 1, VLAN, CoS,
 * encapsulation, truncated, session ID, index); type III is 0x22eb, a 12-byte header (version 2,
 * VLAN, CoS, BSO, truncated, session ID, a timestamp, the security group tag, and the P, FT,
 * hardware ID, direction, granularity and O bits), 8 more bytes of platform data when O is set.
 * The mirrored Ethernet frame follows, decoded as `Packet.inner`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ErspanHeader } from "./mod.ts";
 * // Type II: VLAN 342, CoS 6, session 666, index 32760.
 * const bytes = new Uint8Array([0x11, 0x56, 0xc2, 0x9a, 0, 0, 0x7f, 0xf8]);
 * const erspan = new ErspanHeader().bindType(new DataView(bytes.buffer), 0, bytes.length, 2);
 * assert.deepEqual(
 *   [erspan.version, erspan.vlan, erspan.cos, erspan.sessionId, erspan.index, erspan.headerLength],
 *   [1, 342, 6, 666, 32760, 8],
 * );
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** GRE's protocol for ERSPAN types I and II. */
export const GRE_PROTOCOL_ERSPAN = 0x88be;
/** GRE's protocol for ERSPAN type III. */
export const GRE_PROTOCOL_ERSPAN3 = 0x22eb;
/** Type II's header. */
export const ERSPAN2_LENGTH = 8;
/** Type III's header, without its platform subheader. */
export const ERSPAN3_LENGTH = 12;
/** Type III's platform-specific subheader, when the O bit is set. */
const ERSPAN3_PLATFORM_LENGTH = 8;

/** The JSON form (docs/json.md). */
export interface ErspanJson {
  /** 1, 2 or 3. */
  type: number;
  /** The header's version field (1 for type II, 2 for type III); absent for type I. */
  version?: number;
  /** The mirrored frame's VLAN. */
  vlan?: number;
  /** Its class of service. */
  cos?: number;
  /** The session ID. */
  sessionId?: number;
  /** Whether the frame was truncated. */
  truncated?: boolean;
  /** Type II: the port index. */
  index?: number;
  /** Type III: the timestamp, in the granularity's units. */
  timestamp?: number;
  /** Type III: the security group tag. */
  sgt?: number;
  /** Type III: the hardware ID. */
  hardwareId?: number;
  /** Type III: 0 ingress, 1 egress. */
  direction?: number;
}

/** A view of an ERSPAN header of type 1 (empty), 2 or 3. */
export class ErspanHeader extends HeaderView {
  /** 1, 2 or 3, as the GRE header tells it. */
  type: 1 | 2 | 3 = 2;

  /** Binds a header of the given type. */
  bindType(view: DataView, offset: number, end: number, type: 1 | 2 | 3): this {
    this.type = type;
    return this.bind(view, offset, end);
  }

  /** The header's length: 0 (type I), 8 (type II), 12 or 20 (type III). */
  get headerLength(): number {
    if (this.type === 1) return 0;
    if (this.type === 2) return ERSPAN2_LENGTH;
    return ERSPAN3_LENGTH + (this.optional ? ERSPAN3_PLATFORM_LENGTH : 0);
  }

  /** The version field (4 bits). */
  get version(): number {
    return this.u8(0) >>> 4;
  }

  /** The mirrored frame's VLAN (12 bits). */
  get vlan(): number {
    return this.u16(0) & 0x0fff;
  }

  /** Class of service (3 bits). */
  get cos(): number {
    return this.u8(2) >>> 5;
  }

  /** Type II's encapsulation, type III's BSO (2 bits). */
  get encapsulation(): number {
    return (this.u8(2) >>> 3) & 0x3;
  }

  /** Whether the mirrored frame was truncated. */
  get frameTruncated(): boolean {
    return (this.u8(2) & 0x04) !== 0;
  }

  /** The session ID (10 bits). */
  get sessionId(): number {
    return this.u16(2) & 0x03ff;
  }

  /** Type II: the port index (20 bits). */
  get index(): number {
    return this.u32(4) & 0x000fffff;
  }

  /** Type III: the timestamp. */
  get timestamp(): number {
    return this.u32(4);
  }

  /** Type III: the security group tag. */
  get sgt(): number {
    return this.u16(8);
  }

  /** Type III: the last 16 bits (P, FT, HW ID, D, Gra, O). */
  get #flags(): number {
    return this.u16(10);
  }

  /** Type III: whether an Ethernet PDU follows (the P bit). */
  get ethernetPdu(): boolean {
    return (this.#flags & 0x8000) !== 0;
  }

  /** Type III: the frame type (0 Ethernet, 2 IP). */
  get frameType(): number {
    return (this.#flags >>> 10) & 0x1f;
  }

  /** Type III: the hardware ID. */
  get hardwareId(): number {
    return (this.#flags >>> 4) & 0x3f;
  }

  /** Type III: 0 ingress, 1 egress. */
  get direction(): number {
    return (this.#flags >>> 3) & 1;
  }

  /** Type III: the timestamp's granularity. */
  get granularity(): number {
    return (this.#flags >>> 1) & 3;
  }

  /** Type III: whether the platform subheader follows. */
  get optional(): boolean {
    return (this.#flags & 1) !== 0;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): ErspanJson {
    if (this.type === 1) return { type: 1 };
    const common = {
      type: this.type,
      version: this.version,
      vlan: this.vlan,
      cos: this.cos,
      sessionId: this.sessionId,
      truncated: this.frameTruncated,
    };
    if (this.type === 2) return { ...common, index: this.index };
    return {
      ...common,
      timestamp: this.timestamp,
      sgt: this.sgt,
      hardwareId: this.hardwareId,
      direction: this.direction,
    };
  }
}

const typed = (erspan: ErspanHeader, type: 2 | 3, read: (e: ErspanHeader) => number) =>
  erspan.type === type ? read(erspan) : undefined;
const headed = (erspan: ErspanHeader, read: (e: ErspanHeader) => number) =>
  erspan.type !== 1 ? read(erspan) : undefined;

/** ERSPAN's fields under tshark's names. */
export const ERSPAN_FIELDS: FieldTable<ErspanHeader> = {
  "erspan.version": (erspan) => headed(erspan, (e) => e.version),
  "erspan.vlan": (erspan) => headed(erspan, (e) => e.vlan),
  "erspan.cos": (erspan) => headed(erspan, (e) => e.cos),
  "erspan.encap": (erspan) => typed(erspan, 2, (e) => e.encapsulation),
  "erspan.bso": (erspan) => typed(erspan, 3, (e) => e.encapsulation),
  "erspan.truncated": (erspan) => headed(erspan, (e) => e.frameTruncated ? 1 : 0),
  "erspan.spanid": (erspan) => headed(erspan, (e) => e.sessionId),
  "erspan.index": (erspan) => typed(erspan, 2, (e) => e.index),
  "erspan.timestamp": (erspan) => typed(erspan, 3, (e) => e.timestamp),
  "erspan.sgt": (erspan) => typed(erspan, 3, (e) => e.sgt),
  "erspan.p": (erspan) => typed(erspan, 3, (e) => e.ethernetPdu ? 1 : 0),
  "erspan.ft": (erspan) => typed(erspan, 3, (e) => e.frameType),
  "erspan.hw": (erspan) => typed(erspan, 3, (e) => e.hardwareId),
  "erspan.direction": (erspan) => typed(erspan, 3, (e) => e.direction),
  "erspan.gra": (erspan) => typed(erspan, 3, (e) => e.granularity),
  "erspan.o": (erspan) => typed(erspan, 3, (e) => e.optional ? 1 : 0),
};

/** The JSON object's keys in their order. */
export const ERSPAN_JSON_KEYS: readonly string[] = [
  "type",
  "version",
  "vlan",
  "cos",
  "sessionId",
  "truncated",
  "index",
  "timestamp",
  "sgt",
  "hardwareId",
  "direction",
] as const satisfies readonly (keyof ErspanJson)[];
