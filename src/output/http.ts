/**
 * HTTP's output. On ports 80 and 8080 tcpdump prints every segment's payload as text
 * (`txtproto_print`): `: HTTP`, then the first line when the segment begins a request or a
 * response (`: HTTP: GET /app.js HTTP/1.1`), and with `-v` every printable line of it, each on
 * its own line after a tab. netpeek prints the same there, and on other ports, where tcpdump
 * prints nothing of HTTP, adds the first line of a segment that begins a message. FTP's and
 * SMTP's, WHOIS's, RTSP's and SIP's lines go through the same printer (`writeTextProtocol`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpMessage } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { TEXT_PROTOCOL, writeTextProtocol } from "./http.ts";
 * const bytes = new TextEncoder().encode("HTTP/1.1 404 Not Found\r\nServer: x\r\n\r\n");
 * const view = new DataView(bytes.buffer);
 * const out = new ByteWriter();
 * writeTextProtocol(out, TEXT_PROTOCOL.http, view, 0, bytes.length, bytes.length, 0);
 * assert.equal(out.toString(), ": HTTP: HTTP/1.1 404 Not Found");
 * assert.equal(new HttpMessage().bind(view, 0, bytes.length).status, 404);
 * ```
 * @module
 */

import { HTTP_METHODS, type HttpMessage } from "../decode/mod.ts";
import { type ByteWriter, Piece } from "./bytes.ts";

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
/** tcpdump's longest token (`MAX_TOKEN`). */
const MAX_TOKEN = 128;
const PROTOCOL = ": HTTP";
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
  cut = CUT,
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
  out.viewBytes(view, start, lineEnd - start);
  // Text to the end with no line end: tcpdump takes it for a line cut short.
  if (next === 0) out.text(cut);
  return next;
}

/**
 * A protocol of text lines as tcpdump's `txtproto_print` prints it: the words it begins with,
 * the methods that begin a request (a segment that begins neither one nor a response, whose
 * second word is a three-digit status, shows no line), or none when every segment's lines are
 * shown (FTP's control connection, SMTP, WHOIS), and the mark of a line the bytes end inside.
 */
export interface TextProtocol {
  words: Piece;
  methods?: ReadonlySet<string>;
  cut: string;
}

/** The text protocols tcpdump prints, on their ports (SIP's on UDP, in place of UDP's words). */
export const TEXT_PROTOCOL = {
  http: { words: new Piece(PROTOCOL), methods: HTTP_METHODS, cut: CUT },
  // RFC 2326 section 10's methods, as tcpdump lists them.
  rtsp: {
    words: new Piece(": RTSP"),
    methods: new Set([
      "DESCRIBE",
      "ANNOUNCE",
      "GET_PARAMETER",
      "OPTIONS",
      "PAUSE",
      "PLAY",
      "RECORD",
      "REDIRECT",
      "SETUP",
      "SET_PARAMETER",
      "TEARDOWN",
    ]),
    cut: " [|rtsp]",
  },
  sip: {
    words: new Piece("SIP"),
    methods: new Set([
      "ACK",
      "BYE",
      "CANCEL",
      "DO",
      "INFO",
      "INVITE",
      "MESSAGE",
      "NOTIFY",
      "OPTIONS",
      "PRACK",
      "QAUTH",
      "REFER",
      "REGISTER",
      "SPRACK",
      "SUBSCRIBE",
      "UPDATE",
      "PUBLISH",
    ]),
    cut: " [|sip]",
  },
  ftp: { words: new Piece(": FTP"), cut: " [|ftp]" },
  smtp: { words: new Piece(": SMTP"), cut: " [|smtp]" },
  whois: { words: new Piece(": WHOIS"), cut: " [|whois]" },
} as const satisfies Record<string, TextProtocol>;

/**
 * Writes a segment's payload (`start` to `end` captured, `length` on the wire) as tcpdump
 * prints `protocol` on its port: its words (`: HTTP`), then `: <first line>` for a request or
 * response (or any segment, for a protocol without methods), or with `verbosity` 1 or more
 * `, length: N` and every text line after `\n\t`.
 */
export function writeTextProtocol(
  out: ByteWriter,
  protocol: TextProtocol,
  view: DataView,
  start: number,
  end: number,
  length: number,
  verbosity: number,
): void {
  out.piece(protocol.words);
  // tcpdump reads the wire length; what the capture lacks it would not print anyway.
  const stop = Math.min(end, start + length);
  const methods = protocol.methods;
  if (methods !== undefined && !beginsMessage(methods, view, start, stop)) return;
  if (verbosity > 0) {
    out.text(`, length: ${length}`);
    for (let at = start; at < stop;) {
      const next = writeLine(out, LINE_PREFIX, view, at, stop, protocol.cut);
      if (next === 0) break;
      at = next;
    }
  } else writeLine(out, ": ", view, start, stop, protocol.cut);
}

/** Whether the bytes begin a request (a method of `methods`) or a response (a status second). */
function beginsMessage(
  methods: ReadonlySet<string>,
  view: DataView,
  start: number,
  stop: number,
): boolean {
  const first = fetchToken(view, start, stop);
  if (first === null) return false;
  if (methods.has(first.token.toUpperCase())) return true;
  const second = fetchToken(view, first.next, stop);
  return second !== null && /^\d{3}$/.test(second.token);
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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Longest Content-Length written from its digits: `Number` of up to 15 digits is exact. */
const MAX_EXACT_DIGITS = 15;
/** The header fields of JSON's `http`, in its order, and their keys. */
const JSON_HEADERS = ["host", "user-agent", "content-type"] as const;
const JSON_HEADER_KEYS = [',"host":"', ',"userAgent":"', ',"contentType":"'].map((key) =>
  new Piece(key)
);
const JSON_PIECE = {
  request: new Piece(',"http":{"method":"'),
  uri: new Piece('","uri":"'),
  requestVersion: new Piece('","version":"'),
  response: new Piece(',"http":{"version":"'),
  status: new Piece('","status":'),
  reason: new Piece(',"reason":"'),
  contentLength: new Piece(',"contentLength":'),
  headersCut: new Piece(',"headersCut":true'),
};
/** `HTTP/1.x` and the status code's three digits begin a status line (`httpStart`). */
const RESPONSE_VERSION_LENGTH = 8;
const RESPONSE_STATUS_AT = 9;
const RESPONSE_REASON_AT = 13;
/** Where the values of `JSON_HEADERS` lie: from and to, or -1 for a field not there. */
const ranges = new Int32Array(2 * JSON_HEADERS.length);

/** Bytes `JSON.stringify` writes as they are, and `HttpMessage`'s text keeps as they are. */
function plain(view: DataView, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const byte = view.getUint8(i);
    if (byte < 0x20 || byte > 0x7e || byte === QUOTE || byte === BACKSLASH) return false;
  }
  return true;
}

/**
 * Appends `,"http":{…}`, the same bytes as `JSON.stringify(http)` after the key. A message
 * whose first line and fields are plain printable ASCII (nearly all) is copied from the
 * segment's bytes; any other goes through `toJSON`, which escapes.
 */
export function writeHttpJson(out: ByteWriter, http: HttpMessage): void {
  if (!writePlainHttpJson(out, http)) out.text(`,"http":${JSON.stringify(http)}`);
}

/** The plain case of `writeHttpJson`; false (nothing written) for any other. */
function writePlainHttpJson(out: ByteWriter, http: HttpMessage): boolean {
  const stop = http.firstLineStop;
  if (stop < 0 || http.start === "") return false;
  const view = http.dataView;
  const start = http.offset;
  if (!plain(view, start, stop)) return false;
  for (let header = 0; header < JSON_HEADERS.length; header++) {
    const field = http.headerField(JSON_HEADERS[header]);
    const at = 2 * header;
    ranges[at] = field < 0 ? -1 : http.valueStart(field);
    ranges[at + 1] = field < 0 ? -1 : http.valueEnd(field);
    if (field >= 0 && !plain(view, ranges[at], ranges[at + 1])) return false;
  }
  const lengthField = http.headerField("content-length");
  let contentLength = -1;
  if (lengthField >= 0) {
    const from = http.valueStart(lengthField);
    const to = http.valueEnd(lengthField);
    if (to - from > MAX_EXACT_DIGITS) return false;
    for (let i = from; i < to; i++) {
      const digit = view.getUint8(i) - 0x30;
      if (digit < 0 || digit > 9) {
        contentLength = -1;
        break;
      }
      contentLength = (contentLength < 0 ? 0 : contentLength * 10) + digit;
    }
  }
  // The line's parts as `splitFirstLine` cuts them: a request's method ends at its first
  // space, its target at its last, if that is another; a response line is `HTTP/1.x NNN ` and
  // its reason (`httpStart` checked).
  if (http.isRequest) {
    let firstSpace = start;
    while (view.getUint8(firstSpace) !== SPACE) firstSpace++;
    let lastSpace = stop - 1;
    while (view.getUint8(lastSpace) !== SPACE) lastSpace--;
    out.piece(JSON_PIECE.request);
    out.viewBytes(view, start, firstSpace - start);
    out.piece(JSON_PIECE.uri);
    if (lastSpace > firstSpace) {
      out.viewBytes(view, firstSpace + 1, lastSpace - firstSpace - 1);
      out.piece(JSON_PIECE.requestVersion);
      out.viewBytes(view, lastSpace + 1, stop - lastSpace - 1);
    } else {
      out.viewBytes(view, firstSpace + 1, stop - firstSpace - 1);
      out.piece(JSON_PIECE.requestVersion);
    }
    out.byte(QUOTE);
  } else {
    out.piece(JSON_PIECE.response);
    out.viewBytes(view, start, RESPONSE_VERSION_LENGTH);
    out.piece(JSON_PIECE.status);
    const status = start + RESPONSE_STATUS_AT;
    out.uint(
      (view.getUint8(status) - 0x30) * 100 + (view.getUint8(status + 1) - 0x30) * 10 +
        view.getUint8(status + 2) - 0x30,
    );
    out.piece(JSON_PIECE.reason);
    out.viewBytes(view, start + RESPONSE_REASON_AT, stop - start - RESPONSE_REASON_AT);
    out.byte(QUOTE);
  }
  for (let header = 0; header < JSON_HEADERS.length; header++) {
    const at = 2 * header;
    if (ranges[at] < 0) continue;
    out.piece(JSON_HEADER_KEYS[header]);
    out.viewBytes(view, ranges[at], ranges[at + 1] - ranges[at]);
    out.byte(QUOTE);
  }
  if (contentLength >= 0) {
    out.field(JSON_PIECE.contentLength, contentLength);
  }
  if (http.headersCut) out.piece(JSON_PIECE.headersCut);
  out.byte(0x7d);
  return true;
}
