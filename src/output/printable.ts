/**
 * tcpdump's way of printing bytes that may not be text (`nd_printn`): printable ASCII as it
 * is, a byte above 0x7f as `M-` and its low seven bits, a control byte as `^` and the byte
 * XOR 0x40. No raw control byte reaches the terminal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteWriter } from "./bytes.ts";
 * import { writePrintableByte } from "./printable.ts";
 * const out = new ByteWriter();
 * for (const byte of [0x41, 0x00, 0xe9]) writePrintableByte(out, byte);
 * assert.equal(out.toString(), "A^@M-i");
 * ```
 * @module
 */

import { ByteWriter } from "./bytes.ts";

/** Writes one byte as tcpdump prints it in text it does not trust. */
export function writePrintableByte(out: ByteWriter, byte: number): void {
  if (byte > 0x7f) {
    out.byte(0x4d); // M
    out.byte(0x2d); // -
  }
  const low = byte & 0x7f;
  if (low < 0x20 || low === 0x7f) {
    out.byte(0x5e); // ^
    out.byte(low ^ 0x40);
  } else out.byte(low);
}

/** The bytes from `start` to `end` of `view`, each as `writePrintableByte` writes it. */
export function printableText(view: DataView, start: number, end: number): string {
  const out = new ByteWriter(Math.max(16, 4 * (end - start)));
  for (let at = start; at < end; at++) writePrintableByte(out, view.getUint8(at));
  return out.toString();
}

/** A string of bytes (each character one byte, as a decoder read it), made printable the same way. */
export function printableBytes(text: string): string {
  const out = new ByteWriter(Math.max(16, 4 * text.length));
  for (let i = 0; i < text.length; i++) writePrintableByte(out, text.charCodeAt(i) & 0xff);
  return out.toString();
}
