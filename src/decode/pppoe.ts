/**
 * PPP over Ethernet (RFC 2516): a 6-byte header (version and type, 1 and 1; a code; the
 * session ID; the payload length) after EtherType 0x8863 (discovery: PADI, PADO, PADR, PADS,
 * PADT, whose payload is tags) or 0x8864 (session: code 0, the payload a PPP frame).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PppoeHeader } from "./mod.ts";
 * // A PADI (RFC 2516 section 5.1) with an empty Service-Name tag.
 * const bytes = new Uint8Array([0x11, 0x09, 0, 0, 0, 4, 0x01, 0x01, 0, 0]);
 * const pppoe = new PppoeHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual(
 *   [pppoe.version, pppoe.type, pppoe.code, pppoe.sessionId, pppoe.length, pppoe.tags()],
 *   [1, 1, 9, 0, 4, [{ type: 0x0101, length: 0, offset: 10 }]],
 * );
 * ```
 * @module
 */

import { formatHex } from "./address.ts";
import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** PPPoE discovery's EtherType. */
export const ETHERTYPE_PPPOE_DISCOVERY = 0x8863;
/** PPPoE session's EtherType. */
export const ETHERTYPE_PPPOE_SESSION = 0x8864;
/** Version and type, code, session ID, length. */
export const PPPOE_HEADER_LENGTH = 6;
/** Tags read from one discovery packet at most (a 1500-byte frame holds at most 373). */
export const MAX_PPPOE_TAGS = 64;
/** Tag type and length. */
const TAG_HEADER_LENGTH = 4;

// RFC 2516 section 4, in bytes from the header's start.
const FIELD_VERSION_TYPE = 0;
const FIELD_CODE = 1;
const FIELD_SESSION_ID = 2;
const FIELD_LENGTH = 4;

/** A discovery tag: its type, its value's length, and where the value starts. */
export interface PppoeTag {
  /** The tag's type (0x0101 Service-Name, 0x0103 Host-Uniq, …). */
  type: number;
  /** Its value's length. */
  length: number;
  /** The value's offset in the view's buffer. */
  offset: number;
}

/** The JSON form (docs/json.md). */
export interface PppoeJson {
  /** 1. */
  version: number;
  /** 1. */
  type: number;
  /** 0 session data; 0x09 PADI, 0x07 PADO, 0x19 PADR, 0x65 PADS, 0xa7 PADT. */
  code: number;
  /** The session ID (0 before PADS). */
  sessionId: number;
  /** The payload's length, as the header gives it. */
  length: number;
  /** A discovery packet's tags: type and value as hex. */
  tags?: { type: number; value: string }[];
}

/** A view of a PPPoE header. */
export class PppoeHeader extends HeaderView {
  /** The version (4 bits; 1). */
  get version(): number {
    return this.u8(FIELD_VERSION_TYPE) >>> 4;
  }

  /** The type (4 bits; 1). */
  get type(): number {
    return this.u8(FIELD_VERSION_TYPE) & 0x0f;
  }

  /** The code: 0 for session data, else the discovery stage. */
  get code(): number {
    return this.u8(FIELD_CODE);
  }

  /** The session ID (0 before PADS). */
  get sessionId(): number {
    return this.u16(FIELD_SESSION_ID);
  }

  /** The payload's length as the header gives it. */
  get length(): number {
    return this.u16(FIELD_LENGTH);
  }

  /**
   * A discovery packet's tags, up to the payload length, the captured bytes, an End-Of-List
   * tag, or `MAX_PPPOE_TAGS`, as tcpdump walks them.
   */
  tags(): PppoeTag[] {
    const tags: PppoeTag[] = [];
    const end = Math.min(this.offset + PPPOE_HEADER_LENGTH + this.length, this.end);
    let at = this.offset + PPPOE_HEADER_LENGTH;
    while (at + TAG_HEADER_LENGTH <= end && tags.length < MAX_PPPOE_TAGS) {
      const type = this.view.getUint16(at);
      const length = this.view.getUint16(at + 2);
      tags.push({ type, length, offset: at + TAG_HEADER_LENGTH });
      at += TAG_HEADER_LENGTH + length;
      if (type === 0) break;
    }
    return tags;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): PppoeJson {
    const json: PppoeJson = {
      version: this.version,
      type: this.type,
      code: this.code,
      sessionId: this.sessionId,
      length: this.length,
    };
    if (this.code !== 0) {
      json.tags = this.tags().map((tag) => ({
        type: tag.type,
        value: formatHex(this.view, tag.offset, Math.min(tag.length, this.end - tag.offset)),
      }));
    }
    return json;
  }
}

/** PPPoE's fields under tshark's names (tshark files each tag under a field of its own). */
export const PPPOE_FIELDS: FieldTable<PppoeHeader> = {
  "pppoe.version": (pppoe) => pppoe.version,
  "pppoe.type": (pppoe) => pppoe.type,
  "pppoe.code": (pppoe) => pppoe.code,
  "pppoe.session_id": (pppoe) => pppoe.sessionId,
  "pppoe.payload_length": (pppoe) => pppoe.length,
};

/** The JSON object's keys in their order. */
export const PPPOE_JSON_KEYS: readonly string[] = [
  "version",
  "type",
  "code",
  "sessionId",
  "length",
  "tags",
] as const satisfies readonly (keyof PppoeJson)[];
