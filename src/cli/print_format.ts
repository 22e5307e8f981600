/**
 * How packets are printed, decided once per run from the command line: text (with its
 * options) or JSON lines, and whether a second thread may print them. The sink, the printing
 * worker and the warm-up all take their formatter from `loadPacketFormatter`, so the choice
 * between text and JSON is made here and nowhere else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { ByteWriter } from "../output/bytes.ts";
 * import { loadPacketFormatter } from "./print_format.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 253, 0, 0,
 *   10, 0, 0, 1, 10, 0, 0, 2]), LINKTYPE_RAW);
 * const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 20, len: 20 };
 * const out = new ByteWriter();
 * (await loadPacketFormatter({ json: true, text: {} }))(out, packet, header, {});
 * assert.deepEqual(JSON.parse(out.toString()).ipv4.ttl, 64);
 * ```
 * @module
 */

import type { Packet } from "../decode/mod.ts";
import type { FrameHeader } from "../frame.ts";
import type { ByteWriter } from "../output/bytes.ts";
import type { PacketExtras } from "../output/packet_extras.ts";
import type { TextOptions } from "../output/text.ts";
import { countsFromEarlierPackets } from "../output/timestamp.ts";
import type { CommandLine } from "./args.ts";

/** The output format of packet lines: plain data, so that it can be posted to a worker. */
export interface PrintFormat {
  /** JSON lines (`--json`); otherwise text with `text`'s options. */
  json: boolean;
  /** The text's options (ignored for JSON). */
  text: TextOptions;
  /** `--json --payload`: each packet's payload as hex. */
  payload?: boolean;
}

/** Writes one packet's line (or lines) into `out`. */
export type PacketFormat = (
  out: ByteWriter,
  packet: Packet,
  header: FrameHeader,
  extras: PacketExtras,
) => void;

/** The format the command line asks for; colour only where standard output is a terminal. */
export function printFormat(options: CommandLine, color: boolean): PrintFormat {
  return {
    json: options.json,
    payload: options.payload,
    text: {
      verbose: options.verbose,
      verbosity: options.verbosity,
      link: options.link,
      hex: options.hex,
      color,
      absoluteSequence: options.absoluteSequence,
      timeFormat: options.timeFormat,
      quiet: options.quiet,
      numbered: options.numbered,
      checkChecksums: !options.noChecksums,
      tree: options.tree,
      nanosecondTime: options.nanosecond,
    },
  };
}

/**
 * The one formatter of a format: `writeJson`, or a `TextFormatter`'s `write` with the
 * format's options. Only that mode's writers are loaded: a JSON run does not load the text's
 * (some 40 modules: start-up takes a ninth fewer instructions, docs/performance.md, "Later
 * (2026-12-06, nineteenth session)").
 */
export async function loadPacketFormatter(format: PrintFormat): Promise<PacketFormat> {
  if (format.json) {
    const { writeJson } = await import("../output/json_writer.ts");
    if (!format.payload) return writeJson;
    return (out, packet, header, extras) => writeJson(out, packet, header, extras, true);
  }
  const { TextFormatter } = await import("../output/text.ts");
  const text = new TextFormatter(format.text);
  return (out, packet, header, extras) => text.write(out, packet, header, extras);
}

/**
 * What the printed packets read of the TCP analysis (`FlowLimits.analysis`): all of it for
 * JSON, `-V`'s tree (made from the JSON) and `-v`'s findings; tcpdump's line only the
 * numbers' bases, and with `-S` (absolute numbers) nothing.
 */
export function printedAnalysis(format: PrintFormat): boolean | "numbers" {
  const text = format.text;
  if (format.json || text.tree || text.verbose) return true;
  return text.absoluteSequence ? false : "numbers";
}

/**
 * Whether each packet's text depends on that packet alone, so that two threads may format
 * alternate batches: not with `-#`'s numbers, nor with `-ttt`'s and `-ttttt`'s times, which
 * count from the packets before.
 */
function independentLines(format: PrintFormat): boolean {
  return format.json ||
    (!format.text.numbered && !countsFromEarlierPackets(format.text.timeFormat ?? 0));
}

/**
 * Files from this size on are printed on a second thread when each packet's output costs
 * much (hex dumps, `-V`'s trees): on the bench capture `-X` reads 100,000 packets (64 MB) in
 * 2.1 s on two threads against 3.0 s on one, and 20,000 at par.
 */
export const PRINT_WORKER_MIN_BYTES = 32 << 20;

/**
 * Files from this size on are printed on a second thread for JSON: below it, one thread is
 * faster, because the worker's code has to be compiled again (bench capture, one thread
 * against two: 100,000 packets 0.50 against 0.69 s, 300,000 0.84 against 0.95 s, 500,000
 * (323 MB) 1.14 against 1.21 s, 1,000,000 (616 MB) 1.90 against 1.69 s: even near 390 MB).
 */
export const JSON_WORKER_MIN_BYTES = 384 << 20;

/** `1` prints every classic pcap file on the worker, `0` none; otherwise by size. */
export const PRINT_WORKER_VARIABLE = "NETPEEK_PRINT_WORKER";

/**
 * From what file size a second thread printing the packets (decoding them again) is worth
 * it: for JSON, hex dumps and `-V`'s trees, whose output costs; never for tcpdump's line and
 * `-v`, which print faster on one thread (on the bench capture, 300,000 packets: text 0.71 s
 * against 0.91 s on two, `-v` 1.80 against 2.07 s for 1,000,000).
 */
function workerMinBytes(format: PrintFormat): number {
  if (format.json) return JSON_WORKER_MIN_BYTES;
  const hex = format.text.hex;
  if (format.text.tree === true || (hex !== undefined && hex !== "none")) {
    return PRINT_WORKER_MIN_BYTES;
  }
  return Infinity;
}

/**
 * Whether a classic pcap file of `fileBytes` bytes is printed on a second thread: only when
 * packet lines are printed, to something other than a terminal (colour), with no file
 * written, no reassembly and no periodic statistics (those need the lines in step with the
 * reader); then for output that costs when the file is large enough (`workerMinBytes`), or
 * as `NETPEEK_PRINT_WORKER` says.
 */
export function printOnWorker(
  options: CommandLine,
  format: PrintFormat,
  fileBytes: number,
): boolean {
  if (
    options.write !== undefined || options.reassemble || options.statsInterval !== undefined ||
    format.text.color || options.lineBuffered || !independentLines(format)
  ) return false;
  const variable = PRINT_WORKER_VARIABLE;
  // Asked first, so that a run without the permission takes the default instead of prompting.
  const allowed = Deno.permissions.querySync({ name: "env", variable }).state === "granted";
  const setting = allowed ? Deno.env.get(variable) : undefined;
  if (setting === "0" || setting === "1") return setting === "1";
  return fileBytes >= workerMinBytes(format);
}
