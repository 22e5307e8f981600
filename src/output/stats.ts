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

function table(rows: string[][], rightAligned: Set<number>): string {
  // A loop, not Math.max(...): a table can have more rows than a call has arguments.
  const widths = rows[0].map(() => 0);
  for (const row of rows) {
    for (let column = 0; column < row.length; column++) {
      if (row[column].length > widths[column]) widths[column] = row[column].length;
    }
  }
  return rows.map((row) =>
    row.map((cell, column) =>
      rightAligned.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column])
    ).join("  ").trimEnd()
  ).join("\n") + "\n";
}

/** The statistics as text for a terminal. */
export function formatStatsText(summary: FlowSummary, extras: StatsExtras = {}): string {
  const duration = Math.max(0, summary.end - summary.start);
  let text = `Statistics: ${summary.frames} frames, ${summary.bytes} bytes, ${
    duration.toFixed(6)
  } s\n`;
  const capture = extras.capture;
  if (capture !== undefined && (capture.dropped > 0 || capture.interfaceDropped > 0)) {
    text += `WARNING: the capture could not keep up: ${capture.dropped} packets dropped by the ` +
      `kernel, ${capture.interfaceDropped} by the interface\n`;
  }

  text += "\nConversations:\n";
  const rows = [[
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
  ]];
  for (const c of summary.conversations) {
    rows.push([
      c.protocol,
      endpoint(c.a.address, c.a.port),
      endpoint(c.b.address, c.b.port),
      String(c.framesAtoB),
      String(c.bytesAtoB),
      String(c.framesBtoA),
      String(c.bytesBtoA),
      (c.start - summary.start).toFixed(6),
      (c.end - c.start).toFixed(6),
      tcpState(c),
    ]);
  }
  text += table(rows, new Set([3, 4, 5, 6, 7, 8]));
  if (summary.evicted.flows > 0) {
    text += `(${summary.evicted.flows} more conversations, ${summary.evicted.frames} frames, ` +
      `${summary.evicted.bytes} bytes: not listed, the flow table was full)\n`;
  }

  text += "\nProtocol hierarchy:\n";
  const layers = Object.keys(summary.hierarchy).sort((x, y) =>
    LAYERS.indexOf(x) - LAYERS.indexOf(y)
  );
  text += table(
    [
      ["layer", "frames", "bytes", "% frames"],
      ...layers.map((layer) => {
        const entry = summary.hierarchy[layer];
        const share = summary.frames ? (100 * entry.frames / summary.frames).toFixed(1) : "0.0";
        return [layer, String(entry.frames), String(entry.bytes), share];
      }),
    ],
    new Set([1, 2, 3]),
  );

  text += "\nTop talkers:\n";
  text += table(
    [
      ["host", "frames", "bytes"],
      ...summary.talkers.map((
        talker,
      ) => [talker.address, String(talker.frames), String(talker.bytes)]),
    ],
    new Set([1, 2]),
  );

  const reassembly = extras.reassembly;
  if (reassembly !== undefined) {
    text += `\nReassembly: ${reassembly.completed} completed, ${reassembly.pending} pending, ` +
      `${reassembly.timedOut} timed out, ${reassembly.evicted} dropped for memory, ` +
      `${reassembly.overlaps} overlapping and ${reassembly.duplicates} duplicate fragments` +
      (reassembly.discarded
        ? `, ${reassembly.discarded} IPv6 datagrams discarded for overlap`
        : "") +
      (reassembly.truncated
        ? `, ${reassembly.truncated} fragments cut by the snapshot length`
        : "") +
      "\n";
  }
  return text;
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
