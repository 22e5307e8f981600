/**
 * Flow export for scripts: `exportFlows(packets, { collector })` follows the packets' flows as
 * `netpeek --ipfix` does and sends them as IPFIX records to a collector (nfcapd, ntopng, …),
 * over UDP or TCP (`tcp://HOST:PORT`). See docs/ipfix.md.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import dgram from "node:dgram";
 * import { exportFlows, readCapture } from "../../mod.ts";
 * const collector = dgram.createSocket("udp4");
 * await new Promise<void>((resolve) => collector.bind(0, "127.0.0.1", resolve));
 * let messages = 0;
 * collector.on("message", () => messages++);
 * const path = new URL("../../tests/fixtures/mixed.pcap", import.meta.url);
 * const sent = await exportFlows(readCapture(path), {
 *   collector: `127.0.0.1:${collector.address().port}`,
 * });
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * collector.close();
 * assert.deepEqual([sent.packets, sent.records, sent.messages, messages], [35, 12, 1, 1]);
 * ```
 * @module
 */

import { FlowTracker } from "../analysis/flows.ts";
import { FlowExporter, parseCollector } from "../output/ipfix_export.ts";
import { openReportingSocket } from "../ffi/udp_socket.ts";
import type { CapturedPacket } from "./packet.ts";

/** The default `report`: warnings on standard error; the closing count is in the result. */
function warningsOnly(line: string): void {
  if (line.startsWith("warning")) console.error(line);
}

/** Where and how `exportFlows` exports. */
export interface ExportOptions {
  /** The collector: `HOST:PORT`, `[IPv6]:PORT`, `udp://…` (the default) or `tcp://…`. */
  collector: string;
  /** The observation domain id (default 0). */
  domain?: number;
  /** Seconds without packets that end a flow (default 15). */
  idleTimeout?: number;
  /** Seconds after which a long flow's counts so far are sent (default 60). */
  activeTimeout?: number;
  /** One record per conversation, both ways (RFC 5103), instead of one per direction. */
  biflow?: boolean;
  /**
   * Where the exporter's lines go: warnings (an unreachable collector) and the closing count;
   * by default warnings go to `console.error`.
   */
  report?: (line: string) => void;
}

/** What an export sent. */
export interface ExportSummary {
  /** Packets followed. */
  packets: number;
  /** Flow records sent. */
  records: number;
  /** IPFIX messages sent. */
  messages: number;
  /** Messages that could not be sent (the collector refused them, or was away at the end). */
  failed: number;
}

/**
 * Follows every packet's flow and exports the flows as they end (idle, active timeout, closed,
 * evicted) and, once the packets run out, the rest; resolves when the last message is sent.
 * A collector that is not written as `HOST:PORT` throws `TypeError`; one whose name does not
 * resolve throws `CollectorError`.
 */
export async function exportFlows(
  packets: AsyncIterable<CapturedPacket> | Iterable<CapturedPacket>,
  options: ExportOptions,
): Promise<ExportSummary> {
  const collector = parseCollector(options.collector);
  if (collector === undefined) {
    throw new TypeError(
      `exportFlows: collector wants HOST:PORT, [IPv6]:PORT or tcp://HOST:PORT, not "${options.collector}"`,
    );
  }
  const exporter = await FlowExporter.open(
    {
      ...collector,
      domain: options.domain ?? 0,
      idle: options.idleTimeout ?? 15,
      active: options.activeTimeout ?? 60,
      biflow: options.biflow ?? false,
    },
    options.report ?? warningsOnly,
    openReportingSocket,
  );
  const flows = new FlowTracker({
    summary: false,
    analysis: false,
    export: exporter.record,
    idleTimeout: exporter.target.idle,
    activeTimeout: exporter.target.active,
  });
  let count = 0;
  try {
    for await (const packet of packets) {
      flows.observe(packet.layers, packet.header);
      count++;
    }
    flows.flushExport();
    exporter.flush();
  } finally {
    await exporter.close();
  }
  return {
    packets: count,
    records: exporter.records,
    messages: exporter.messages,
    failed: exporter.failed,
  };
}
