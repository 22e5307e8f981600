/**
 * `--stats`: the conversations table, protocol hierarchy and top talkers, as text (in the
 * spirit of `tshark -z conv`) or as one JSON document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FlowTracker } from "../analysis/flows.ts";
 * import { formatStatsText } from "./stats.ts";
 * assert.deepEqual(formatStatsText(new FlowTracker().summary()).split("\n")[0], "Statistics: 0 frames, 0 bytes, 0.000000 s");
 * ```
 * @module
 */

import {
  type Conversation,
  CONVERSATION_FIN_SEEN,
  CONVERSATION_HANDSHAKE_SEEN,
  CONVERSATION_NUMBERS,
  CONVERSATION_RST_SEEN,
  ConversationList,
  END,
  type Endpoint,
  ENDPOINT_B,
  ENDPOINT_WORDS,
  NO_PORT,
  protocolName,
  START,
} from "../analysis/conversations.ts";
import type { FlowSummary, FlowSummaryColumns } from "../analysis/flows.ts";
import { LAYERS } from "../analysis/hierarchy.ts";
import type { ReassemblyStats } from "../analysis/reassembly.ts";
import { IPPROTO_TCP } from "../decode/ipproto.ts";
import type { CaptureStats } from "../frame.ts";
import { ByteWriter } from "./bytes.ts";

const SPACE = 0x20;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const NEWLINE = 0x0a;

/** What the statistics report covers besides the flows. */
export interface StatsExtras {
  reassembly?: ReassemblyStats;
  /** Kernel counters, when the packets came from a live capture. */
  capture?: CaptureStats;
}

/** A TCP conversation's state column, by its state bits (`CONVERSATION_HANDSHAKE_SEEN`, `CONVERSATION_FIN_SEEN`, `CONVERSATION_RST_SEEN`). */
const TCP_STATES = Array.from({ length: 8 }, (_, bits) => {
  const states = [bits & CONVERSATION_HANDSHAKE_SEEN ? "handshake" : "no handshake"];
  if (bits & CONVERSATION_FIN_SEEN) states.push("FIN");
  if (bits & CONVERSATION_RST_SEEN) states.push("RST");
  return states.join(", ");
});

/** What the conversations table reads of its rows. */
interface ConversationRows {
  readonly length: number;
  protocol(row: number): string;
  /** How many characters endpoint A (`side` 0) or B (1) of `row` takes as written. */
  endpointLength(row: number, side: 0 | 1): number;
  writeEndpoint(out: ByteWriter, row: number, side: 0 | 1): void;
  /** Frames A>B (0), bytes A>B (1), frames B>A (2) or bytes B>A (3) of `row`. */
  count(row: number, which: number): number;
  start(row: number): number;
  end(row: number): number;
  state(row: number): string;
}

/** An endpoint as the table shows it: `address:port`, `[v6]:port`, or the address alone. */
function writeEndpointText(out: ByteWriter, address: string, port: number | null): void {
  if (port === null) {
    out.text(address);
    return;
  }
  const bracketed = address.includes(":");
  if (bracketed) out.byte(OPEN_BRACKET);
  out.text(address);
  if (bracketed) out.byte(CLOSE_BRACKET);
  out.byte(COLON);
  out.uint(port);
}

function endpointTextLength(address: string, port: number | null): number {
  if (port === null) return address.length;
  return address.length + 1 + digitCount(port) + (address.includes(":") ? 2 : 0);
}

/** Rows from conversations in their documented shape. */
class ObjectRows implements ConversationRows {
  readonly #conversations: readonly Conversation[];
  readonly length: number;

  constructor(conversations: readonly Conversation[]) {
    this.#conversations = conversations;
    this.length = conversations.length;
  }

  protocol(row: number): string {
    return this.#conversations[row].protocol;
  }

  #endpoint(row: number, side: 0 | 1): Endpoint {
    const conversation = this.#conversations[row];
    return side === 0 ? conversation.a : conversation.b;
  }

  endpointLength(row: number, side: 0 | 1): number {
    const { address, port } = this.#endpoint(row, side);
    return endpointTextLength(address, port);
  }

  writeEndpoint(out: ByteWriter, row: number, side: 0 | 1): void {
    const { address, port } = this.#endpoint(row, side);
    writeEndpointText(out, address, port);
  }

  count(row: number, which: number): number {
    const c = this.#conversations[row];
    return which === 0
      ? c.framesAtoB
      : which === 1
      ? c.bytesAtoB
      : which === 2
      ? c.framesBtoA
      : c.bytesBtoA;
  }

  start(row: number): number {
    return this.#conversations[row].start;
  }

  end(row: number): number {
    return this.#conversations[row].end;
  }

  state(row: number): string {
    const tcp = this.#conversations[row].tcp;
    if (tcp === undefined) return "";
    return TCP_STATES[
      (tcp.handshake ? CONVERSATION_HANDSHAKE_SEEN : 0) | (tcp.fin ? CONVERSATION_FIN_SEEN : 0) |
      (tcp.rst ? CONVERSATION_RST_SEEN : 0)
    ];
  }
}

/** How many characters an IPv4 address (a 32-bit number) takes in dotted-quad form. */
function ipv4Length(address: number): number {
  return digitCount(address >>> 24) + digitCount((address >>> 16) & 255) +
    digitCount((address >>> 8) & 255) + digitCount(address & 255) + 3;
}

/**
 * Rows straight from a `ConversationList`'s columns: IPv4 endpoints written from their
 * numbers, with no object or string per conversation (an IPv6 address is made text once).
 */
class ColumnRows implements ConversationRows {
  readonly #list: ConversationList;
  readonly length: number;
  /** IPv6 addresses as text, two per row, made when a row's width is measured. */
  readonly #ipv6Text: (string | undefined)[] = [];

  constructor(list: ConversationList) {
    this.#list = list;
    this.length = list.length;
  }

  protocol(row: number): string {
    return protocolName(this.#list.protocols[row]);
  }

  endpointLength(row: number, side: 0 | 1): number {
    const list = this.#list;
    const at = row * ENDPOINT_WORDS + (side === 0 ? 0 : ENDPOINT_B);
    const port = list.endpoints[at + 4];
    if (list.versions[row] === 4) {
      return ipv4Length(list.endpoints[at]) + (port === NO_PORT ? 0 : 1 + digitCount(port));
    }
    const text = this.#ipv6Text[2 * row + side] ??= list.address(row, side === 0 ? 0 : ENDPOINT_B);
    return endpointTextLength(text, port === NO_PORT ? null : port);
  }

  writeEndpoint(out: ByteWriter, row: number, side: 0 | 1): void {
    const list = this.#list;
    const at = row * ENDPOINT_WORDS + (side === 0 ? 0 : ENDPOINT_B);
    const port = list.endpoints[at + 4];
    if (list.versions[row] !== 4) {
      const text = this.#ipv6Text[2 * row + side] ??
        list.address(row, side === 0 ? 0 : ENDPOINT_B);
      writeEndpointText(out, text, port === NO_PORT ? null : port);
      return;
    }
    out.ipv4(list.endpoints[at]);
    if (port === NO_PORT) return;
    out.byte(COLON);
    out.uint(port);
  }

  count(row: number, which: number): number {
    return this.#list.numbers[row * CONVERSATION_NUMBERS + which];
  }

  start(row: number): number {
    return this.#list.numbers[row * CONVERSATION_NUMBERS + START];
  }

  end(row: number): number {
    return this.#list.numbers[row * CONVERSATION_NUMBERS + END];
  }

  state(row: number): string {
    const list = this.#list;
    return list.protocols[row] === IPPROTO_TCP ? TCP_STATES[list.states[row]] : "";
  }
}

const CONVERSATION_TITLES = [
  "proto",
  "A",
  "B",
  "A>B frames",
  "A>B bytes",
  "B>A frames",
  "B>A bytes",
  "start",
  "duration",
  "state",
];

/**
 * The conversations table, as `writeTable` would write it, but a row at a time from the
 * conversations themselves: no string per endpoint, count or padded cell, for a table of a
 * hundred thousand rows (the time columns are `toFixed` strings, which must be exact).
 */
function writeConversations(
  out: ByteWriter,
  rows: ConversationRows,
  start: number,
  commit: () => void,
): void {
  const count = rows.length;
  const starts = new Array<string>(count);
  const durations = new Array<string>(count);
  /** Each row's endpoint A and B lengths, measured once. */
  const endpointLengths = new Uint16Array(2 * count);
  const widths = CONVERSATION_TITLES.map((title) => title.length);
  for (let row = 0; row < count; row++) {
    const since = starts[row] = (rows.start(row) - start).toFixed(6);
    const duration = durations[row] = (rows.end(row) - rows.start(row)).toFixed(6);
    widths[0] = Math.max(widths[0], rows.protocol(row).length);
    const a = endpointLengths[2 * row] = rows.endpointLength(row, 0);
    const b = endpointLengths[2 * row + 1] = rows.endpointLength(row, 1);
    widths[1] = Math.max(widths[1], a);
    widths[2] = Math.max(widths[2], b);
    for (let which = 0; which < 4; which++) {
      widths[3 + which] = Math.max(widths[3 + which], digitCount(rows.count(row, which)));
    }
    widths[7] = Math.max(widths[7], since.length);
    widths[8] = Math.max(widths[8], duration.length);
    widths[9] = Math.max(widths[9], rows.state(row).length);
  }
  writeTable(out, CONVERSATION_TITLES, [], new Set([3, 4, 5, 6, 7, 8]), widths);
  for (let row = 0; row < count; row++) {
    const protocol = rows.protocol(row);
    out.text(protocol);
    writeSpaces(out, widths[0] - protocol.length + 2);
    rows.writeEndpoint(out, row, 0);
    writeSpaces(out, widths[1] - endpointLengths[2 * row] + 2);
    rows.writeEndpoint(out, row, 1);
    writeSpaces(out, widths[2] - endpointLengths[2 * row + 1]);
    for (let which = 0; which < 4; which++) {
      const value = rows.count(row, which);
      writeSpaces(out, 2 + widths[3 + which] - digitCount(value));
      out.uint(value);
    }
    writeSpaces(out, 2 + widths[7] - starts[row].length);
    out.text(starts[row]);
    writeSpaces(out, 2 + widths[8] - durations[row].length);
    out.text(durations[row]);
    const state = rows.state(row);
    if (state !== "") {
      writeSpaces(out, 2);
      out.text(state);
    }
    out.byte(NEWLINE);
    if ((row & 255) === 255) commit();
  }
}

/** One column of a table: text cells, or counts (non-negative integers, written as digits). */
type Cells = string[] | Float64Array;

/** How many characters `value`, a non-negative integer, takes in decimal. */
/** `1 frame`, `2 frames`: a count with its noun, singular for one. */
function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function digitCount(value: number): number {
  let digits = 1;
  for (let power = 10; value >= power; power *= 10) digits++;
  return digits;
}

function writeSpaces(out: ByteWriter, count: number): void {
  if (count <= 0) return;
  out.reserve(count);
  const bytes = out.bytes;
  const end = out.length + count;
  for (let at = out.length; at < end; at++) bytes[at] = SPACE;
  out.length = end;
}

/**
 * Writes a table: `titles` over `columns` (one array of cells each, all as long), columns two
 * spaces apart, each as wide as its widest cell, those in `rightAligned` aligned right; no
 * line ends in spaces. Cells are written straight into `out`, with no string per padded cell
 * or line: a table can have a hundred thousand rows. `widths` start at the titles' own; with
 * no columns, only the titles are written, at the `widths` given (the rows written elsewhere).
 */
function writeTable(
  out: ByteWriter,
  titles: readonly string[],
  columns: readonly Cells[],
  rightAligned: ReadonlySet<number>,
  widths = titles.map((title) => title.length),
): void {
  const rows = columns.length === 0 ? 0 : columns[0].length;
  columns.forEach((cells, column) => {
    let width = widths[column];
    if (cells instanceof Float64Array) {
      for (let row = 0; row < rows; row++) width = Math.max(width, digitCount(cells[row]));
    } else {
      for (let row = 0; row < rows; row++) width = Math.max(width, cells[row].length);
    }
    widths[column] = width;
  });
  for (let row = -1; row < rows; row++) {
    const lineStart = out.length;
    for (let column = 0; column < titles.length; column++) {
      if (column > 0) writeSpaces(out, 2);
      const cells = columns[column];
      const count = row < 0 ? undefined : cells instanceof Float64Array ? cells[row] : undefined;
      const text = row < 0 ? titles[column] : count === undefined ? cells[row] as string : "";
      const padding = widths[column] - (count === undefined ? text.length : digitCount(count));
      if (rightAligned.has(column)) writeSpaces(out, padding);
      if (count === undefined) out.text(text);
      else out.uint(count);
      if (!rightAligned.has(column)) writeSpaces(out, padding);
    }
    while (out.length > lineStart && out.bytes[out.length - 1] === SPACE) out.length--;
    out.byte(NEWLINE);
  }
}

/** The statistics as text for a terminal. */
export function formatStatsText(
  summary: FlowSummary | FlowSummaryColumns,
  extras: StatsExtras = {},
): string {
  const out = new ByteWriter();
  writeStatsText(out, summary, extras);
  return out.toString();
}

/**
 * `formatStatsText`, written into `out`; from `FlowTracker.summaryColumns` it makes no object
 * or string per conversation. `commit` is called now and then on the way, for the caller to
 * write out what is there (a table can run to megabytes).
 */
export function writeStatsText(
  out: ByteWriter,
  summary: FlowSummary | FlowSummaryColumns,
  extras: StatsExtras = {},
  commit: () => void = () => {},
): void {
  const duration = Math.max(0, summary.end - summary.start);
  out.text(
    `Statistics: ${counted(summary.frames, "frame")}, ${counted(summary.bytes, "byte")}, ${
      duration.toFixed(6)
    } s\n`,
  );
  const capture = extras.capture;
  const notPrinted = capture?.notPrinted ?? 0;
  if (
    capture !== undefined &&
    (capture.dropped > 0 || capture.interfaceDropped > 0 || notPrinted > 0)
  ) {
    out.text(
      `WARNING: the capture could not keep up: ${
        counted(capture.dropped, "packet")
      } dropped by the ` +
        `kernel, ${capture.interfaceDropped} by the interface` +
        (notPrinted > 0 ? `; ${notPrinted} captured but not printed` : "") + "\n",
    );
  }

  out.text("\nConversations:\n");
  const conversations = summary.conversations;
  writeConversations(
    out,
    conversations instanceof ConversationList
      ? new ColumnRows(conversations)
      : new ObjectRows(conversations),
    summary.start,
    commit,
  );
  if (summary.evicted.flows > 0) {
    out.text(
      `(${summary.evicted.flows} more ${
        summary.evicted.flows === 1 ? "conversation" : "conversations"
      }, ${counted(summary.evicted.frames, "frame")}, ${counted(summary.evicted.bytes, "byte")}` +
        `: not listed, the flow table was full)\n`,
    );
  }

  out.text("\nProtocol hierarchy:\n");
  const layers = Object.keys(summary.hierarchy).sort((x, y) =>
    LAYERS.indexOf(x) - LAYERS.indexOf(y)
  );
  const entries = layers.map((layer) => summary.hierarchy[layer]);
  writeTable(
    out,
    ["layer", "frames", "bytes", "% frames"],
    [
      layers,
      Float64Array.from(entries, (entry) => entry.frames),
      Float64Array.from(entries, (entry) => entry.bytes),
      entries.map((entry) =>
        summary.frames ? (100 * entry.frames / summary.frames).toFixed(1) : "0.0"
      ),
    ],
    new Set([1, 2, 3]),
  );

  out.text("\nTop talkers:\n");
  const talkers = summary.talkers;
  writeTable(
    out,
    ["host", "frames", "bytes"],
    [
      talkers.map((talker) => talker.address),
      Float64Array.from(talkers, (talker) => talker.frames),
      Float64Array.from(talkers, (talker) => talker.bytes),
    ],
    new Set([1, 2]),
  );

  const reassembly = extras.reassembly;
  if (reassembly !== undefined) {
    out.text(
      `\nReassembly: ${reassembly.completed} completed, ${reassembly.pending} pending, ` +
        `${reassembly.timedOut} timed out, ${reassembly.evicted} dropped for memory, ` +
        `${reassembly.overlaps} overlapping and ${reassembly.duplicates} duplicate fragments` +
        (reassembly.discarded
          ? `, ${reassembly.discarded} IPv6 datagrams discarded for overlap`
          : "") +
        (reassembly.truncated
          ? `, ${reassembly.truncated} fragments cut by the snapshot length`
          : "") +
        "\n",
    );
  }
}

/** The statistics as one JSON document (one line), documented in docs/json.md. */
export function formatStatsJson(summary: FlowSummary, extras: StatsExtras = {}): string {
  const iso = (seconds: number) => new Date(Math.round(seconds * 1000)).toISOString();
  return JSON.stringify({
    type: "stats",
    frames: summary.frames,
    bytes: summary.bytes,
    start: iso(summary.start),
    end: iso(summary.end),
    duration: Math.max(0, summary.end - summary.start),
    conversations: summary.conversations.map((c) => ({
      ...c,
      start: c.start - summary.start,
      duration: c.end - c.start,
      end: undefined,
    })),
    hierarchy: summary.hierarchy,
    talkers: summary.talkers,
    evicted: summary.evicted,
    ...(extras.reassembly ? { reassembly: extras.reassembly } : {}),
    ...(extras.capture ? { capture: extras.capture } : {}),
  }) + "\n";
}
