/**
 * Text forms of link and network addresses, read straight from a `DataView`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatIpv4, formatIpv6, formatMac } from "./mod.ts";
 * const view = new DataView(new Uint8Array([192, 0, 2, 1]).buffer);
 * assert.deepEqual(formatIpv4(view, 0), "192.0.2.1");
 * ```
 * @module
 */

const HEX_BYTE: readonly string[] = Array.from(
  { length: 256 },
  (_, byte) => byte.toString(16).padStart(2, "0"),
);

/**
 * Dotted-quad text of the IPv4 address at `offset`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatIpv4 } from "./mod.ts";
 * const view = new DataView(new Uint8Array([10, 0, 0, 1]).buffer);
 * assert.deepEqual(formatIpv4(view, 0), "10.0.0.1");
 * ```
 */
export function formatIpv4(view: DataView, offset: number): string {
  return `${view.getUint8(offset)}.${view.getUint8(offset + 1)}.${view.getUint8(offset + 2)}.${
    view.getUint8(offset + 3)
  }`;
}

/**
 * Colon-separated lower-case text of a link-layer address of `length` bytes (a MAC for 6).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatMac } from "./mod.ts";
 * const view = new DataView(new Uint8Array([0, 0x1b, 0x21, 0xaa, 0xbb, 0xcc]).buffer);
 * assert.deepEqual(formatMac(view, 0), "00:1b:21:aa:bb:cc");
 * ```
 */
export function formatMac(view: DataView, offset: number, length = 6): string {
  let text = HEX_BYTE[view.getUint8(offset)];
  for (let i = 1; i < length; i++) text += ":" + HEX_BYTE[view.getUint8(offset + i)];
  return text;
}

/**
 * The `length` bytes at `offset` as lower-case hexadecimal, two digits each, nothing between.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatHex } from "./mod.ts";
 * const view = new DataView(new Uint8Array([0, 0x1b, 0xaa]).buffer);
 * assert.deepEqual([formatHex(view, 0, 3), formatHex(view, 0, 0)], ["001baa", ""]);
 * ```
 */
export function formatHex(view: DataView, offset: number, length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += HEX_BYTE[view.getUint8(offset + i)];
  return text;
}

/**
 * RFC 5952 text of the IPv6 address at `offset`: lower case, leading zeros dropped, the
 * longest run of two or more zero groups (the first when tied) shortened to `::`, and an
 * IPv4-mapped address (`::ffff:0:0/96`) written with its IPv4 part dotted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatIpv6 } from "./mod.ts";
 * const bytes = new Uint8Array(16);
 * bytes[0] = 0x20; bytes[1] = 0x01; bytes[2] = 0x0d; bytes[3] = 0xb8; bytes[15] = 1;
 * assert.deepEqual(formatIpv6(new DataView(bytes.buffer), 0), "2001:db8::1");
 * ```
 */
export function formatIpv6(view: DataView, offset: number): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = view.getUint16(offset + 2 * i);
  if (isIpv4Mapped(groups)) return "::ffff:" + formatIpv4(view, offset + 12);
  const start = zeroRunStart(groups);
  if (start < 0) return groups.map((group) => group.toString(16)).join(":");
  let end = start;
  while (end < 8 && groups[end] === 0) end++;
  const head = groups.slice(0, start).map((group) => group.toString(16)).join(":");
  const tail = groups.slice(end).map((group) => group.toString(16)).join(":");
  return head + "::" + tail;
}

/**
 * Whether eight 16-bit groups are an IPv4-mapped address (`::ffff:0:0/96`), which RFC 5952
 * section 5 writes with a dotted IPv4 tail.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isIpv4Mapped } from "./mod.ts";
 * assert.deepEqual(isIpv4Mapped([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]), true);
 * ```
 */
export function isIpv4Mapped(groups: ArrayLike<number>): boolean {
  return groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 &&
    groups[4] === 0 && groups[5] === 0xffff;
}

/**
 * Where the run of zero groups that RFC 5952 writes as `::` starts: the longest run of two or
 * more (the first when tied), or -1 when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zeroRunStart } from "./mod.ts";
 * assert.deepEqual(zeroRunStart([0x2001, 0xdb8, 0, 0, 1, 0, 0, 0]), 5);
 * ```
 */
export function zeroRunStart(groups: ArrayLike<number>): number {
  let bestStart = -1;
  let bestLength = 1; // RFC 5952 4.2.2: a single zero group is never shortened
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  return bestStart;
}
