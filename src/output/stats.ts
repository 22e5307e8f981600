/**
 * `--stats`: the conversations table, protocol hierarchy and top talkers, as text (in the
 * spirit of `tshark -z conv`) or as one JSON document.
 *
 * @example
 * ```ts
 * import { FlowTracker } from "../analysis/flows.ts";
 * import { formatStatsText } from "./stats.ts";
 * console.log(formatStatsText(new FlowTracker().summary()).split("\n")[0]); // "Statistics: 0 frames, 0 bytes, 0.000000 s"
 * ```
 * @module
 */

import { type Conversation, type Endpoint, type FlowSummary, LAYERS } from "../analysis/flows.ts";
import type { ReassemblyStats } from "../analysis/reassembly.ts";
import { ByteWriter } from "./bytes.ts";

const SPACE = 0x20;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const NEWLINE = 0x0a;

/** Kernel counters, when the packets came from a live capture. */
export interface CaptureCounters {
  received: number;
  dropped: number;
  interfaceDropped: number;
}

/** What the statistics report covers besides the flows. */
export interface StatsExtras {
  reassembly?: ReassemblyStats;
  capture?: CaptureCounters;
}

/** The characters of an endpoint as `writeEndpoint` writes it: `address:port`, `[v6]:port`. */
function endpointLength(endpoint: Endpoint): number {
  const { address, port } = endpoint;
  if (port === null) return address.length;
  return address.length + 1 + digitCount(port) + (address.includes(":") ? 2 : 0);
}

function writeEndpoint(out: ByteWriter, endpoint: Endpoint): void {
  const { address, port } = endpoint;
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

/** A TCP conversation's state column, by handshake (1), FIN (2) and RST (4). */
const TCP_STATES = Array.from({ length: 8 }, (_, bits) => {
  const states = [bits & 1 ? "handshake" : "no handshake"];
  if (bits & 2) states.push("FIN");
  if (bits & 4) states.push("RST");
  return states.join(", ");
});

function tcpState(conversation: Conversation): string {
  const tcp = conversation.tcp;
  if (tcp === undefined) return "";
  return TCP_STATES[(tcp.handshake ? 1 : 0) | (tcp.fin ? 2 : 0) | (tcp.rst ? 4 : 0)];
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
  conversations: readonly Conversation[],
  start: number,
): void {
  const rows = conversations.length;
  const starts = new Array<string>(rows);
  const durations = new Array<string>(rows);
  const widths = CONVERSATION_TITLES.map((title) => title.length);
  for (let row = 0; row < rows; row++) {
    const c = conversations[row];
    const since = starts[row] = (c.start - start).toFixed(6);
    const duration = durations[row] = (c.end - c.start).toFixed(6);
    widths[0] = Math.max(widths[0], c.protocol.length);
    widths[1] = Math.max(widths[1], endpointLength(c.a));
    widths[2] = Math.max(widths[2], endpointLength(c.b));
    widths[3] = Math.max(widths[3], digitCount(c.framesAtoB));
    widths[4] = Math.max(widths[4], digitCount(c.bytesAtoB));
    widths[5] = Math.max(widths[5], digitCount(c.framesBtoA));
    widths[6] = Math.max(widths[6], digitCount(c.bytesBtoA));
    widths[7] = Math.max(widths[7], since.length);
    widths[8] = Math.max(widths[8], duration.length);
    widths[9] = Math.max(widths[9], tcpState(c).length);
  }
  const right = (width: number, count: number) => {
    writeSpaces(out, 2 + width - digitCount(count));
    out.uint(count);
  };
  writeTable(out, CONVERSATION_TITLES, [], new Set([3, 4, 5, 6, 7, 8]), widths);
  for (let row = 0; row < rows; row++) {
    const c = conversations[row];
    out.text(c.protocol);
    writeSpaces(out, widths[0] - c.protocol.length + 2);
    writeEndpoint(out, c.a);
    writeSpaces(out, widths[1] - endpointLength(c.a) + 2);
    writeEndpoint(out, c.b);
    writeSpaces(out, widths[2] - endpointLength(c.b));
    right(widths[3], c.framesAtoB);
    right(widths[4], c.bytesAtoB);
    right(widths[5], c.framesBtoA);
    right(widths[6], c.bytesBtoA);
    writeSpaces(out, 2 + widths[7] - starts[row].length);
    out.text(starts[row]);
    writeSpaces(out, 2 + widths[8] - durations[row].length);
    out.text(durations[row]);
    const state = tcpState(c);
    if (state !== "") {
      writeSpaces(out, 2);
      out.text(state);
    }
    out.byte(NEWLINE);
  }
}

/** One column of a table: text cells, or counts (non-negative integers, written as digits). */
type Cells = string[] | Float64Array;

/** How many characters `value`, a non-negative integer, takes in decimal. */
function digitCount(value: number): number {
  let digits = 1;
  for (let power = 10; value >= power; power *= 10) digits++;
  return digits;
}

function writeSpaces(out: ByteWriter, count: number): void {
  for (let i = 0; i < count; i++) out.byte(SPACE);
}

/**
 * Writes a table: `titles` over `columns` (one array of cells each, all as long), columns two
 * spaces apart, each as wide as its widest cell, those in `rightAligned` aligned right; no
 * line ends in spaces. Cells are written straight into `out`, with no string per padded cell
 * or line: a table can have a hundred thousand rows.
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
export function formatStatsText(summary: FlowSummary, extras: StatsExtras = {}): string {
  const out = new ByteWriter();
  writeStatsText(out, summary, extras);
  return out.toString();
}

/** `formatStatsText`, written into `out`. */
export function writeStatsText(
  out: ByteWriter,
  summary: FlowSummary,
  extras: StatsExtras = {},
): void {
  const duration = Math.max(0, summary.end - summary.start);
  out.text(
    `Statistics: ${summary.frames} frames, ${summary.bytes} bytes, ${duration.toFixed(6)} s\n`,
  );
  const capture = extras.capture;
  if (capture !== undefined && (capture.dropped > 0 || capture.interfaceDropped > 0)) {
    out.text(
      `WARNING: the capture could not keep up: ${capture.dropped} packets dropped by the ` +
        `kernel, ${capture.interfaceDropped} by the interface\n`,
    );
  }

  out.text("\nConversations:\n");
  writeConversations(out, summary.conversations, summary.start);
  if (summary.evicted.flows > 0) {
    out.text(
      `(${summary.evicted.flows} more conversations, ${summary.evicted.frames} frames, ` +
        `${summary.evicted.bytes} bytes: not listed, the flow table was full)\n`,
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
