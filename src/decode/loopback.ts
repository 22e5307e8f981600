/**
 * BSD loopback headers: `LINKTYPE_NULL` (a 4-byte address family in the byte order of the
 * host that captured) and `LINKTYPE_LOOP` (the same in network byte order).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LoopbackHeader } from "./mod.ts";
 * const bytes = new Uint8Array([2, 0, 0, 0]); // AF_INET written by a little-endian host
 * const header = new LoopbackHeader().bindOrder(new DataView(bytes.buffer), 0, 4, false);
 * assert.deepEqual([header.family, header.network], [2, "ipv4"]);
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** The family word: 4 bytes. */
export const LOOPBACK_HEADER_LENGTH = 4;

/** `AF_INET` on every BSD and Linux. */
export const AF_INET = 2;
/** `AF_INET6` values seen in loopback captures: NetBSD/OpenBSD, FreeBSD, macOS, Linux. */
export const AF_INET6_VALUES: readonly number[] = [24, 28, 30, 10];

/** A view of one loopback header. */
export class LoopbackHeader extends HeaderView {
  /** Whether the family is known to be big-endian (`LINKTYPE_LOOP`). */
  networkOrder = false;

  /** Binds a header; `networkOrder` for `LINKTYPE_LOOP`. */
  bindOrder(view: DataView, offset: number, end: number, networkOrder: boolean): this {
    this.networkOrder = networkOrder;
    return this.bind(view, offset, end);
  }

  /** The address family. For `NULL` the byte order is guessed: families are small numbers. */
  get family(): number {
    const bigEndian = this.view.getUint32(this.offset);
    if (this.networkOrder || bigEndian <= 0xffff) return bigEndian;
    return this.view.getUint32(this.offset, true);
  }

  /** `ipv4`, `ipv6`, or `other`. */
  get network(): "ipv4" | "ipv6" | "other" {
    const family = this.family;
    if (family === AF_INET) return "ipv4";
    return AF_INET6_VALUES.includes(family) ? "ipv6" : "other";
  }

  /** The documented JSON form: `{ family }`. */
  toJSON(): { family: number } {
    return { family: this.family };
  }
}

/** The loopback header's field under tshark's name. */
export const LOOPBACK_FIELDS: FieldTable<LoopbackHeader> = {
  "null.family": (loopback) => loopback.family,
};

/**
 * The JSON object's keys in their order: `toJSON`, the fast JSON writer and docs/json.md follow
 * this one declaration (tests/json_keys_test.ts holds all three to it). A key may be absent
 * from an object, never out of order.
 */
export const LOOPBACK_JSON_KEYS: readonly string[] = ["family"] as const;
