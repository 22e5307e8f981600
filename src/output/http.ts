/**
 * HTTP's output. On ports 80 and 8080 tcpdump prints every segment's payload as text
 * (`txtproto_print`): `: HTTP`, then the first line when the segment begins a request or a
 * response (`: HTTP: GET /app.js HTTP/1.1`), and with `-v` every printable line of it, each on
 * its own line after a tab. netpeek prints the same there, and on other ports, where tcpdump
 * prints nothing of HTTP, adds the first line of a segment that begins a message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpMessage } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeHttpText } from "./http.ts";
 * const bytes = new TextEncoder().encode("HTTP/1.1 404 Not Found\r\nServer: x\r\n\r\n");
 * const view = new DataView(bytes.buffer);
 * const out = new ByteWriter();
 * writeHttpText(out, view, 0, bytes.length, bytes.length, 0);
 * assert.equal(out.toString(), ": HTTP: HTTP/1.1 404 Not Found");
 * assert.equal(new HttpMessage().bind(view, 0, bytes.length).status, 404);
 * ```
 * @module
 */

import { HTTP_METHODS } from "../decode/mod.ts";
import { type ByteWriter, Piece } from "./bytes.ts";

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
/** tcpdump's longest token (`MAX_TOKEN`). */
const MAX_TOKEN = 128;
const PROTOCOL = ": HTTP";
const PROTOCOL_PIECE = new Piece(PROTOCOL);
const LINE_PREFIX = "\n\t";
const CUT = " [|http]";

function printable(byte: number): boolean {
  return byte >= 0x20 && byte <= 0x7e;
}

/**
 * tcpdump's `fetch_token`: the token at `at` (up to a space, tab, CR or LF) and where the
 * next begins after white space; `null` when there is none, it holds a byte that is not
 * printable ASCII, or it is longer than `MAX_TOKEN`.
 */
function fetchToken(
  view: DataView,
  at: number,
  end: number,
): { token: string; next: number } | null {
  let token = "";
  let index = at;
  for (; index < end; index++) {
    const byte = view.getUint8(index);
    if (byte > 0x7f) return null;
    if (byte === SPACE || byte === TAB || byte === CR || byte === LF) break;
    if (!printable(byte)) return null;
    if (token.length + 2 > MAX_TOKEN + 1) return null;
    token += String.fromCharCode(byte);
  }
  if (token === "") return null;
  for (; index < end; index++) {
    const byte = view.getUint8(index);
    if (byte === CR || byte === LF || !printable(byte)) break;
    if (byte !== SPACE && byte !== TAB) break;
  }
  return { token, next: index };
}

/**
 * tcpdump's `print_txt_line`: writes `prefix` and the line at `at` (without its line end)
 * when it is printable ASCII or tabs; returns where the next line begins, or 0 when there is
 * none (a byte that is not text, a CR without LF, or the end of the bytes: a last line with
 * no end is still written, marked ` [|http]` as tcpdump marks it).
 */
function writeLine(
  out: ByteWriter,
  prefix: string,
  view: DataView,
  at: number,
  end: number,
): number {
  const start = at;
  let next = 0;
  let lineEnd = at;
  for (; at < end; at++) {
    const byte = view.getUint8(at);
    if (byte === LF) {
      lineEnd = at;
      next = at + 1;
      break;
    }
    if (byte === CR) {
      if (at + 1 >= end) return 0;
      if (view.getUint8(at + 1) !== LF) return 0;
      lineEnd = at;
      next = at + 2;
      break;
    }
    if (!printable(byte) && byte !== TAB) return 0;
  }
  if (next === 0) lineEnd = end;
  out.text(prefix);
  out.reserve(lineEnd - start);
  for (let i = start; i < lineEnd; i++) out.byte(view.getUint8(i));
  // Text to the end with no line end: tcpdump takes it for a line cut short.
  if (next === 0) out.text(CUT);
  return next;
}

/**
 * Writes a segment's payload (`start` to `end` captured, `length` on the wire) as tcpdump
 * prints HTTP on its ports: `: HTTP`, then `: <first line>` for a request or response, or
 * with `verbosity` 1 or more `, length: N` and every text line after `\n\t`.
 */
export function writeHttpText(
  out: ByteWriter,
  view: DataView,
  start: number,
  end: number,
  length: number,
  verbosity: number,
): void {
  // tcpdump reads the wire length; what the capture lacks it would not print anyway.
  const stop = Math.min(end, start + length);
  let isMessage = false;
  const first = fetchToken(view, start, stop);
  if (first !== null) {
    if (HTTP_METHODS.has(first.token.toUpperCase())) isMessage = true;
    const second = fetchToken(view, first.next, stop);
    if (second !== null && /^\d{3}$/.test(second.token)) isMessage = true;
  }
  out.piece(PROTOCOL_PIECE);
  if (!isMessage) return;
  if (verbosity > 0) {
    out.text(`, length: ${length}`);
    for (let at = start; at < stop;) {
      const next = writeLine(out, LINE_PREFIX, view, at, stop);
      if (next === 0) break;
      at = next;
    }
  } else writeLine(out, ": ", view, start, stop);
}

/**
 * netpeek's hint on a port where tcpdump prints no HTTP: `: HTTP: <first line>` (without the
 * protocol's name when `named` is false: SSDP names itself).
 */
export function writeHttpHint(
  out: ByteWriter,
  view: DataView,
  start: number,
  end: number,
  named = true,
): void {
  if (named) out.text(PROTOCOL);
  writeLine(out, ": ", view, start, end);
}
