/**
 * The Network Service Header (RFC 8300), EtherType 0x894f: a base header (version, O bit,
 * TTL, length in 4-byte words, MD type, next protocol), the service path header (a 24-bit
 * service path identifier and an 8-bit service index), and context headers: four fixed words
 * (MD type 1) or TLVs (MD type 2). The decoder decodes what it carries (IPv4, IPv6, Ethernet)
 * as `Packet.inner`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NshHeader } from "./mod.ts";
 * // RFC 8300 figure 2: version 0, length 6 words, MD type 1, next protocol IPv4; SPI 777, SI 7.
 * const bytes = new Uint8Array([0, 6, 1, 1, 0, 3, 9, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]);
 * const nsh = new NshHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual(
 *   [nsh.version, nsh.mdType, nsh.nextProtocol, nsh.spi, nsh.si, nsh.headerLength, nsh.contexts],
 *   [0, 1, 1, 777, 7, 24, [1, 2, 3, 4]],
 * );
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** NSH's EtherType. */
export const ETHERTYPE_NSH = 0x894f;
/** Base header and service path header: what every NSH has. */
export const NSH_FIXED_LENGTH = 8;
/** RFC 8300 section 2.2: the length counts 4-byte words. */
const WORD = 4;

// RFC 8300 section 2.2, in bytes from the header's start.
const FIELD_BASE = 0;
const FIELD_SERVICE_PATH = 4;
const FIELD_CONTEXT = 8;

/** MD type 1 (RFC 8300 section 2.4): four fixed context words. */
export const NSH_MD_TYPE_1 = 1;
/** MD type 2 (RFC 8300 section 2.5): variable-length TLVs. */
export const NSH_MD_TYPE_2 = 2;
/** Next protocol IPv4 (RFC 8300 section 11.2.5). */
export const NSH_NEXT_IPV4 = 1;
/** Next protocol IPv6. */
export const NSH_NEXT_IPV6 = 2;
/** Next protocol Ethernet. */
export const NSH_NEXT_ETHERNET = 3;

/** The JSON form (docs/json.md). */
export interface NshJson {
  /** Version: 0 is RFC 8300's. */
  version: number;
  /** The O bit: an OAM packet. */
  oam: boolean;
  /** Hops left. */
  ttl: number;
  /** The header's length in 4-byte words (at least 2). */
  length: number;
  /** Metadata type: 1 fixed context, 2 TLVs. */
  mdType: number;
  /** 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS. */
  nextProtocol: number;
  /** Service path identifier. */
  spi: number;
  /** Service index. */
  si: number;
}

/** A view of a Network Service Header. */
export class NshHeader extends HeaderView {
  /**
   * The bytes the header and its payload had on the wire: the captured ones unless the decoder
   * says more.
   */
  wireLength = 0;

  /** Points the view at a header, its wire length that of the bytes given. */
  override bind(view: DataView, offset: number, end: number): this {
    this.wireLength = end - offset;
    return super.bind(view, offset, end);
  }

  /** The base header's first 32 bits. */
  get base(): number {
    return this.u32(FIELD_BASE);
  }

  /** The version (2 bits). */
  get version(): number {
    return this.base >>> 30;
  }

  /** The two flag bits after the version: 0x2 the O bit, 0x1 unassigned (tshark's C). */
  get flags(): number {
    return (this.base >>> 28) & 0x3;
  }

  /** The TTL (6 bits). */
  get ttl(): number {
    return (this.base >>> 22) & 0x3f;
  }

  /** The header's length in 4-byte words (6 bits). */
  get length(): number {
    return (this.base >>> 16) & 0x3f;
  }

  /** The header's length in bytes. */
  get headerLength(): number {
    return this.length * WORD;
  }

  /** The metadata type (4 bits). */
  get mdType(): number {
    return (this.base >>> 8) & 0x0f;
  }

  /** The protocol after the header. */
  get nextProtocol(): number {
    return this.base & 0xff;
  }

  /** The service path identifier (24 bits). */
  get spi(): number {
    return this.u32(FIELD_SERVICE_PATH) >>> 8;
  }

  /** The service index. */
  get si(): number {
    return this.u8(FIELD_SERVICE_PATH + 3);
  }

  /** The context headers' words, as many as the header and the capture hold. */
  get contexts(): number[] {
    const words: number[] = [];
    const end = Math.min(this.offset + this.headerLength, this.end);
    for (let at = this.offset + FIELD_CONTEXT; at + WORD <= end; at += WORD) {
      words.push(this.view.getUint32(at));
    }
    return words;
  }

  /** Why the header cannot be followed (a length under two words), or undefined. */
  get problem(): string | undefined {
    return this.length < 2
      ? `length ${this.length} is under the 2 words every header has`
      : undefined;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): NshJson {
    return {
      version: this.version,
      oam: (this.flags & 0x2) !== 0,
      ttl: this.ttl,
      length: this.length,
      mdType: this.mdType,
      nextProtocol: this.nextProtocol,
      spi: this.spi,
      si: this.si,
    };
  }
}

/**
 * NSH's fields under tshark's names. The context headers are left out: tshark prints them as
 * hex without a prefix, which reads as decimal, and always four of them for MD type 1.
 */
export const NSH_FIELDS: FieldTable<NshHeader> = {
  "nsh.version": (nsh) => nsh.version,
  "nsh.Obit": (nsh) => nsh.flags >>> 1,
  "nsh.CBit": (nsh) => nsh.flags & 1,
  "nsh.ttl": (nsh) => nsh.ttl,
  "nsh.length": (nsh) => nsh.length,
  "nsh.mdtype": (nsh) => nsh.mdType,
  "nsh.nextproto": (nsh) => nsh.nextProtocol,
  "nsh.spi": (nsh) => nsh.spi,
  "nsh.si": (nsh) => nsh.si,
};

/** The JSON object's keys in their order. */
export const NSH_JSON_KEYS: readonly string[] = [
  "version",
  "oam",
  "ttl",
  "length",
  "mdType",
  "nextProtocol",
  "spi",
  "si",
] as const satisfies readonly (keyof NshJson)[];
