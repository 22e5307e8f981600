/**
 * The start of an HTTP/1.x message in a TCP segment (RFC 9112): a request line
 * (`GET /index.html HTTP/1.1`) or a status line (`HTTP/1.1 404 Not Found`), and the header
 * fields that follow it in the same segment. A segment is taken for HTTP on any port when it
 * begins so; bodies and later segments are not. Every read stays inside the captured bytes,
 * lines and header counts are bounded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpMessage } from "./mod.ts";
 * const text = "GET /app.js HTTP/1.1\r\nHost: www.example.test\r\nUser-Agent: curl/8.5\r\n\r\n";
 * const bytes = new TextEncoder().encode(text);
 * const http = new HttpMessage().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.equal(http.isRequest, true);
 * assert.deepEqual([http.method, http.uri, http.version, http.host], ["GET", "/app.js", "HTTP/1.1", "www.example.test"]);
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/**
 * The request methods tcpdump recognises (`httpcmds`: RFC 9110's and WebDAV's), which netpeek
 * takes for the start of a request.
 */
export const HTTP_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "PUT",
  "COPY",
  "HEAD",
  "LOCK",
  "MOVE",
  "POLL",
  "POST",
  "BCOPY",
  "BMOVE",
  "MKCOL",
  "TRACE",
  "LABEL",
  "MERGE",
  "DELETE",
  "SEARCH",
  "UNLOCK",
  "REPORT",
  "UPDATE",
  "NOTIFY",
  "BDELETE",
  "CONNECT",
  "OPTIONS",
  "CHECKIN",
  "PROPFIND",
  "CHECKOUT",
  "CCM_POST",
  "SUBSCRIBE",
  "PROPPATCH",
  "BPROPFIND",
  "BPROPPATCH",
  "UNCHECKOUT",
  "MKACTIVITY",
  "MKWORKSPACE",
  "UNSUBSCRIBE",
  "RPC_CONNECT",
  "VERSION-CONTROL",
  "BASELINE-CONTROL",
]);

/** At most this many header lines are read. */
const MAX_HEADER_LINES = 100;
const SPACE = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;
/** `HTTP/` */
const HTTP_PREFIX = [0x48, 0x54, 0x54, 0x50, 0x2f];
/** `HTTP/1.1 200 `: the shortest status line before its reason. */
const STATUS_LINE_MIN = 13;

/** Ports on which tcpdump prints TCP payload as HTTP text (`http_print`). */
export const HTTP_PORT = 80;
/** The alternative HTTP port tcpdump also prints as HTTP. */
export const HTTP_ALT_PORT = 8080;
/** SSDP: HTTP over UDP, for UPnP's discovery. */
export const SSDP_PORT = 1900;
/** SSDP's search request (UPnP Device Architecture 2.0 section 1.3.2). */
const SSDP_SEARCH = "M-SEARCH";

/** What a segment begins with. */
export type HttpStart = "request" | "response" | "";

/**
 * Whether the bytes at `at` (up to `end`) begin an HTTP/1.x request or response. Reads at
 * most a method's length and a space, or `HTTP/1.x ddd `.
 */
export function httpStart(view: DataView, at: number, end: number): HttpStart {
  if (end - at < 4) return "";
  const first = view.getUint8(at);
  if (first < 0x41 || first > 0x5a) return ""; // methods and "HTTP" begin with A-Z
  if (first === 0x48 && end - at >= STATUS_LINE_MIN) {
    let prefix = true;
    for (let i = 0; i < HTTP_PREFIX.length; i++) {
      if (view.getUint8(at + i) !== HTTP_PREFIX[i]) prefix = false;
    }
    if (
      prefix && view.getUint8(at + 5) === 0x31 && view.getUint8(at + 6) === 0x2e &&
      isDigit(view.getUint8(at + 7)) && view.getUint8(at + 8) === SPACE &&
      isDigit(view.getUint8(at + 9)) && isDigit(view.getUint8(at + 10)) &&
      isDigit(view.getUint8(at + 11)) && view.getUint8(at + 12) === SPACE
    ) return "response";
  }
  return isMethodAt(view, at, end) ? "request" : "";
}

/** The methods (and SSDP's search) as bytes, by first letter: matched without a string. */
const METHODS_BY_FIRST_LETTER: readonly (readonly Uint8Array[])[] = (() => {
  const table: Uint8Array[][] = Array.from({ length: 26 }, () => []);
  for (const method of [...HTTP_METHODS, SSDP_SEARCH]) {
    table[method.charCodeAt(0) - 0x41].push(new TextEncoder().encode(method));
  }
  return table;
})();

/** Whether a known method and a space begin the bytes at `at` (its first byte is A-Z). */
function isMethodAt(view: DataView, at: number, end: number): boolean {
  const candidates = METHODS_BY_FIRST_LETTER[view.getUint8(at) - 0x41];
  next: for (let m = 0; m < candidates.length; m++) {
    const method = candidates[m];
    const space = at + method.length;
    if (space >= end || view.getUint8(space) !== SPACE) continue;
    for (let i = 1; i < method.length; i++) {
      if (view.getUint8(at + i) !== method[i]) continue next;
    }
    return true;
  }
  return false;
}

/** White space as `String.prototype.trim` sees it in a header line's text. */
function isSpace(byte: number): boolean {
  return byte === SPACE || byte === 0x09 || byte === CR;
}

/** Bytes a line's text shows as `\xNN`: all but printable ASCII, tab and CR. */
function needsEscape(byte: number): boolean {
  return byte !== CR && byte !== 0x09 && (byte < 0x20 || byte > 0x7e);
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** The JSON form of an HTTP message start (docs/json.md). */
export interface HttpJson {
  /** Request method (requests). */
  method?: string;
  /** Request target (requests). */
  uri?: string;
  /** `HTTP/1.1`, `HTTP/1.0`. */
  version: string;
  /** Status code (responses). */
  status?: number;
  /** Reason phrase (responses). */
  reason?: string;
  /** The Host header. */
  host?: string;
  /** The User-Agent header. */
  userAgent?: string;
  /** The Content-Type header. */
  contentType?: string;
  /** The Content-Length header. */
  contentLength?: number;
  /** The headers run past the captured segment (the message goes on in the next). */
  headersCut?: boolean;
}

/** A view of the start of an HTTP/1.x message in a TCP segment. */
export class HttpMessage extends HeaderView {
  /** What the segment begins with; set by `bind`. */
  start: HttpStart = "";
  #parsed = false;
  /** Where the first line stops (without CR), or -1 when the segment ends before its LF. */
  #firstStop = -1;
  #line: string[] | undefined;
  /**
   * Per header line read: where its name and its value begin and end (trimmed, absolute
   * offsets), four numbers a line. Text is made only for what is asked.
   */
  readonly #fields = new Int32Array(4 * MAX_HEADER_LINES);
  #fieldCount = 0;
  #headersCut = false;

  /** Points the view at a segment's payload and finds what it begins with. */
  override bind(view: DataView, offset: number, end: number): this {
    super.bind(view, offset, end);
    this.start = httpStart(view, offset, end);
    this.#parsed = false;
    return this;
  }

  /** A request. */
  get isRequest(): boolean {
    return this.start === "request";
  }

  /** Finds the first line and the header fields (once per bind). */
  #parse(): void {
    if (this.#parsed) return;
    this.#parsed = true;
    this.#line = undefined;
    this.#fieldCount = 0;
    this.#headersCut = true;
    const firstEnd = this.#lineFeed(this.offset);
    if (firstEnd < 0) {
      this.#firstStop = -1;
      return;
    }
    this.#firstStop = this.#withoutCr(this.offset, firstEnd);
    const fields = this.#fields;
    let at = firstEnd + 1;
    for (let lines = 0; lines < MAX_HEADER_LINES; lines++) {
      const feed = this.#lineFeed(at);
      if (feed < 0) return;
      const stop = this.#withoutCr(at, feed);
      const next = feed + 1;
      if (stop === at) {
        this.#headersCut = false;
        return;
      }
      const colon = this.#find(COLON, at, stop);
      if (colon > at) {
        const field = 4 * this.#fieldCount++;
        fields[field] = this.#skipSpace(at, colon);
        fields[field + 1] = this.#trimSpace(fields[field], colon);
        fields[field + 2] = this.#skipSpace(colon + 1, stop);
        fields[field + 3] = this.#trimSpace(fields[field + 2], stop);
      }
      at = next;
    }
  }

  /** The first line's three parts as text (made when first asked for; none when it is cut). */
  #firstLine(): string[] {
    this.#parse();
    if (this.#line === undefined) {
      this.#line = this.#firstStop < 0
        ? []
        : splitFirstLine(this.#text(this.offset, this.#firstStop), this.start);
    }
    return this.#line;
  }

  /**
   * Where the first line stops (before its CR LF, absolute), or -1 when the segment ends
   * before it does: for writers that copy the line's bytes instead of making text of them.
   */
  get firstLineStop(): number {
    this.#parse();
    return this.#firstStop;
  }

  /** Whether the segment ends before the empty line that ends the header fields. */
  get headersCut(): boolean {
    this.#parse();
    return this.#headersCut;
  }

  /**
   * The first header field named `name`, as an index for `valueStart` and `valueEnd`, or -1
   * when there is none.
   */
  headerField(name: string): number {
    this.#parse();
    const lower = name.toLowerCase();
    const fields = this.#fields;
    for (let field = 0; field < this.#fieldCount; field++) {
      if (this.#nameIs(fields[4 * field], fields[4 * field + 1], lower)) return field;
    }
    return -1;
  }

  /** Where header field `field`'s value begins (absolute, white space skipped). */
  valueStart(field: number): number {
    return this.#fields[4 * field + 2];
  }

  /** Where header field `field`'s value ends (absolute, white space trimmed). */
  valueEnd(field: number): number {
    return this.#fields[4 * field + 3];
  }

  /** Where the line at `at` ends (its LF), or -1 when the segment ends first. */
  #lineFeed(at: number): number {
    return this.#find(LF, at, this.end);
  }

  #find(byte: number, from: number, to: number): number {
    const view = this.view;
    for (let i = from; i < to; i++) if (view.getUint8(i) === byte) return i;
    return -1;
  }

  /** The line's end without one CR before its LF at `feed`. */
  #withoutCr(start: number, feed: number): number {
    return feed > start && this.view.getUint8(feed - 1) === CR ? feed - 1 : feed;
  }

  /** Past the white space (space, tab, CR: all `trim` meets in the text) from `from`. */
  #skipSpace(from: number, to: number): number {
    while (from < to && isSpace(this.view.getUint8(from))) from++;
    return from;
  }

  /** `to`, less the white space before it (down to `from`). */
  #trimSpace(from: number, to: number): number {
    while (to > from && isSpace(this.view.getUint8(to - 1))) to--;
    return to;
  }

  /** The bytes from `from` to `to` as text, other than printable ASCII, tab and CR as `\xNN`. */
  #text(from: number, to: number): string {
    const view = this.view;
    let text = "";
    for (let i = from; i < to; i++) {
      const byte = view.getUint8(i);
      text += needsEscape(byte)
        ? `\\x${byte.toString(16).padStart(2, "0")}`
        : String.fromCharCode(byte);
    }
    return text;
  }

  /** Whether the header name from `from` to `to` is `lower` (lower case), as text compares. */
  #nameIs(from: number, to: number, lower: string): boolean {
    const view = this.view;
    if (to - from !== lower.length) {
      // Escaped bytes lengthen the text: only then can the lengths differ and still match.
      for (let i = from; i < to; i++) {
        if (needsEscape(view.getUint8(i))) return this.#text(from, to).toLowerCase() === lower;
      }
      return false;
    }
    for (let i = from; i < to; i++) {
      const byte = view.getUint8(i);
      if (needsEscape(byte)) return this.#text(from, to).toLowerCase() === lower;
      const folded = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
      if (folded !== lower.charCodeAt(i - from)) return false;
    }
    return true;
  }

  /** The request's method, or undefined for a response. */
  get method(): string | undefined {
    return this.isRequest ? this.#firstLine()[0] : undefined;
  }

  /** The request's target, or undefined. */
  get uri(): string | undefined {
    return this.isRequest ? this.#firstLine()[1] : undefined;
  }

  /** The protocol version (`HTTP/1.1`). */
  get version(): string | undefined {
    const line = this.#firstLine();
    return this.isRequest ? line[2] : line[0];
  }

  /** The response's status code, or undefined. */
  get status(): number | undefined {
    const line = this.#firstLine();
    return this.isRequest || line[1] === undefined ? undefined : Number(line[1]);
  }

  /** The response's reason phrase, or undefined. */
  get reason(): string | undefined {
    return this.isRequest ? undefined : this.#firstLine()[2];
  }

  /** A header's value (the first of that name), or undefined. */
  header(name: string): string | undefined {
    const field = this.headerField(name);
    return field < 0 ? undefined : this.#text(this.valueStart(field), this.valueEnd(field));
  }

  /** The Host header. */
  get host(): string | undefined {
    return this.header("host");
  }

  /** The Content-Length header as a number, or undefined when absent or not a number. */
  get contentLength(): number | undefined {
    const value = this.header("content-length");
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): HttpJson {
    this.#parse();
    const json: HttpJson = this.isRequest
      ? { method: this.method, uri: this.uri, version: this.version ?? "" }
      : { version: this.version ?? "", status: this.status, reason: this.reason };
    const host = this.host;
    if (host !== undefined) json.host = host;
    const agent = this.header("user-agent");
    if (agent !== undefined) json.userAgent = agent;
    const type = this.header("content-type");
    if (type !== undefined) json.contentType = type;
    const length = this.contentLength;
    if (length !== undefined) json.contentLength = length;
    if (this.#headersCut) json.headersCut = true;
    return json;
  }
}

/** A request line's method, target and version, or a status line's version, code, reason. */
function splitFirstLine(line: string, start: HttpStart): string[] {
  const first = line.indexOf(" ");
  const second = line.indexOf(" ", first + 1);
  if (start === "response") {
    return second < 0
      ? [line.slice(0, first), line.slice(first + 1), ""]
      : [line.slice(0, first), line.slice(first + 1, second), line.slice(second + 1)];
  }
  const last = line.lastIndexOf(" ");
  return last <= first
    ? [line.slice(0, first), line.slice(first + 1), ""]
    : [line.slice(0, first), line.slice(first + 1, last), line.slice(last + 1)];
}

/** HTTP's fields under tshark's names. */
export const HTTP_FIELDS: FieldTable<HttpMessage> = {
  // Wireshark calls a NOTIFY (GENA, SSDP) a notification, not a request.
  "http.request": (http) => http.isRequest && http.method !== "NOTIFY" ? 1 : undefined,
  "http.notification": (http) => http.method === "NOTIFY" ? 1 : undefined,
  "http.response": (http) => http.isRequest ? undefined : 1,
  "http.request.method": (http) => http.method,
  "http.request.uri": (http) => http.uri,
  "http.request.version": (http) => http.isRequest ? http.version : undefined,
  "http.response.version": (http) => http.isRequest ? undefined : http.version,
  "http.response.code": (http) => http.status,
  "http.response.phrase": (http) => http.reason,
  "http.host": (http) => http.host,
  "http.user_agent": (http) => http.header("user-agent"),
  "http.content_type": (http) => http.header("content-type"),
  "http.content_length": (http) => http.contentLength,
};

/**
 * The JSON object's keys in their order (tests/json_keys_test.ts holds `toJSON` and
 * docs/json.md to it).
 */
export const HTTP_JSON_KEYS: readonly string[] = [
  "method",
  "uri",
  "version",
  "status",
  "reason",
  "host",
  "userAgent",
  "contentType",
  "contentLength",
  "headersCut",
] as const satisfies readonly (keyof HttpJson)[];
