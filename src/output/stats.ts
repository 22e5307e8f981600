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

import { type Conversation, type FlowSummary, LAYERS } from "../analysis/flows.ts";
import type { ReassemblyStats } from "../analysis/reassembly.ts";
import { ByteWriter } from "./bytes.ts";

const SPACE = 0x20;
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

function endpoint(address: string, port: number | null): string {
  if (port === null) return address;
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

function tcpState(conversation: Conversation): string {
  const tcp = conversation.tcp;
  if (tcp === undefined) return "";
  const states = [tcp.handshake ? "handshake" : "no handshake"];
  if (tcp.fin) states.push("FIN");
  if (tcp.rst) states.push("RST");
  return states.join(", ");
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
): void {
  const widths = titles.map((title) => title.length);
  const rows = columns[0].length;
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
    for (let column = 0; column < columns.length; column++) {
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
  const conversations = summary.conversations;
  const rows = conversations.length;
  const counts = () => new Float64Array(rows);
  const columns = {
    protocol: new Array<string>(rows),
    a: new Array<string>(rows),
    b: new Array<string>(rows),
    framesAtoB: counts(),
    bytesAtoB: counts(),
    framesBtoA: counts(),
    bytesBtoA: counts(),
    start: new Array<string>(rows),
    duration: new Array<string>(rows),
    state: new Array<string>(rows),
  };
  conversations.forEach((c, row) => {
    columns.protocol[row] = c.protocol;
    columns.a[row] = endpoint(c.a.address, c.a.port);
    columns.b[row] = endpoint(c.b.address, c.b.port);
    columns.framesAtoB[row] = c.framesAtoB;
    columns.bytesAtoB[row] = c.bytesAtoB;
    columns.framesBtoA[row] = c.framesBtoA;
    columns.bytesBtoA[row] = c.bytesBtoA;
    columns.start[row] = (c.start - summary.start).toFixed(6);
    columns.duration[row] = (c.end - c.start).toFixed(6);
    columns.state[row] = tcpState(c);
  });
  writeTable(
    out,
    [
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
    ],
    Object.values(columns),
    new Set([3, 4, 5, 6, 7, 8]),
  );
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
