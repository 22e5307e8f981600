/**
 * tcpdump's `-x` and `-X` dumps: offset, sixteen bytes in groups of two, and (for `-X`) the
 * printable ASCII. Bytes outside 0x21..0x7e (space too, as tcpdump) print as `.`, so no packet reaches the terminal raw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hexDump } from "./hexdump.ts";
 * assert.deepEqual(hexDump(new TextEncoder().encode("GET / HTTP/1.1\r\n"), true), "\t0x0000:  4745 5420 2f20 4854 5450 2f31 2e31 0d0a  GET./.HTTP/1.1..\n");
 * ```
 * @module
 */

import type { ByteWriter } from "./bytes.ts";

const HEX = "0123456789abcdef";

/**
 * One line per sixteen bytes, each starting with a tab and ending with a newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hexDump } from "./hexdump.ts";
 * assert.deepEqual(hexDump(new Uint8Array([0x45, 0x00, 0x00]), false), "\t0x0000:  4500 00\n");
 * ```
 */
export function hexDump(bytes: Uint8Array, ascii: boolean): string {
  let out = "";
  for (let line = 0; line < bytes.length; line += 16) {
    const end = Math.min(line + 16, bytes.length);
    let hex = "";
    let text = "";
    for (let i = line; i < end; i++) {
      const byte = bytes[i];
      if (i > line && (i - line) % 2 === 0) hex += " ";
      hex += HEX[byte >> 4] + HEX[byte & 15];
      text += byte > 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".";
    }
    out += `\t0x${line.toString(16).padStart(4, "0")}:  `;
    out += ascii ? `${hex.padEnd(39)}  ${text}\n` : `${hex}\n`;
  }
  return out;
}

/**
 * The dump tcpdump prints of bytes it does not decode (`ND_DEFAULTPRINT`): the bytes from
 * `start` to `end` of `view`, as `hexDump` lays them out, without the last newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dumpLines } from "./hexdump.ts";
 * const view = new DataView(new Uint8Array([0x45, 0x00, 0x00, 0x54]).buffer);
 * assert.equal(dumpLines(view, 1, 3, false), "\t0x0000:  0000");
 * ```
 */
export function dumpLines(view: DataView, start: number, end: number, ascii: boolean): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + start, Math.max(0, end - start));
  return hexDump(bytes, ascii).trimEnd();
}

/** `value` in hex, at least `digits` digits: `hexDigits(0x2a, 4)` is `002a`. */
export function hexDigits(value: number, digits: number): string {
  return value.toString(16).padStart(digits, "0");
}

/**
 * tcpdump's `-A` (`ascii_print`): the bytes as text, a line of their own after the packet's,
 * printable ASCII, tabs, spaces and newlines as they are, other bytes as `.`; a CR before a
 * newline, or among the last two bytes, left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeAscii } from "./hexdump.ts";
 * const out = new ByteWriter();
 * writeAscii(out, new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n\x00"));
 * assert.equal(out.toString(), "GET / HTTP/1.1\nHost: a\n\n.\n");
 * ```
 */
export function writeAscii(out: ByteWriter, bytes: Uint8Array): void {
  out.reserve(bytes.length + 1);
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    const left = bytes.length - i - 1;
    if (byte === CR) {
      if (left > 1 && bytes[i + 1] !== NEWLINE) out.byte(DOT);
    } else if ((byte > 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x20 || byte === NEWLINE) {
      out.byte(byte);
    } else out.byte(DOT);
  }
  out.byte(NEWLINE);
}

const CR = 0x0d;
const NEWLINE = 0x0a;
const DOT = 0x2e;
