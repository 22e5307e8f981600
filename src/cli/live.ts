/**
 * Live capture from the command line: choose the interface, open it, install the filter,
 * deliver packets to the sink until a signal, `-c`, `--duration` or a closed pipe stops it,
 * then print the statistics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadLibpcap } from "../ffi/library.ts";
 * import { parseCommandLine } from "./args.ts";
 * import { captureLive } from "./live.ts";
 * // Needs root or CAP_NET_RAW; stops after a second whatever arrives.
 * const options = parseCommandLine(["-i", "lo", "-c", "3", "--duration", "1", "-w", "/dev/null"]);
 * assert.equal(await captureLive(loadLibpcap(), options), 0);
 * ```
 * @module
 */

import type { FlowExporter } from "../output/ipfix_export.ts";
import { isSupportedLinkType, LINKTYPE_ETHERNET, linkTypeInfo } from "../decode/mod.ts";
import { type DataLink, dataLinkByName, DLT_LINUX_SLL2, listDataLinks } from "../ffi/datalink.ts";
import { formatTimeStampTypes, listTimeStampTypes, timeStampTypeByName } from "../ffi/tstamp.ts";
import { CaptureError, LiveCapture } from "../ffi/capture.ts";
import { CaptureThread } from "../ffi/capture_thread.ts";
import type { CaptureStats } from "../frame.ts";
import type { FrameFeed } from "../tui/app.ts";
import { loadView } from "./load_view.ts";
import { FilterError, FilterProgram, lookupNetmask } from "../ffi/filter.ts";
import {
  defaultInterface,
  interfaceIndex,
  interfaceNamer,
  listInterfaces,
} from "../ffi/interfaces.ts";
import { type Libpcap, PCAP_ERROR, PCAP_ERROR_NO_SUCH_DEVICE } from "../ffi/library.ts";
import { dropPrivileges } from "../ffi/privileges.ts";
import { WriteError } from "../file/writer.ts";
import type { CommandLine } from "./args.ts";
import { filterExpression, looksLikeInterface, splitWords } from "./filter_setup.ts";
import { PacketSink } from "./sink.ts";
import type { Selection } from "./selection.ts";
import { printError, writeStderr, writeText } from "./stderr.ts";
import { warmUp } from "./warm_up.ts";
import { printFormat } from "./print_format.ts";
import { isRunFailure } from "../user_error.ts";

/** Signals that end a capture cleanly; Windows only delivers SIGINT (and SIGBREAK). */
const STOP_SIGNALS: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM", "SIGHUP"];

/** The statistics line printed when a capture ends. */
export function formatStats(
  captured: number,
  stats: CaptureStats | null,
  notPrinted = 0,
): string {
  const packets = `${captured} ${captured === 1 ? "packet" : "packets"} captured`;
  const unprinted = notPrinted > 0 ? `, ${notPrinted} not printed (output too slow)` : "";
  if (stats === null) return `${packets}${unprinted}\n`;
  const interfaceDrops = stats.interfaceDropped > 0
    ? `, ${stats.interfaceDropped} dropped by interface`
    : "";
  return `${packets}, ${stats.received} received by filter, ` +
    `${stats.dropped} dropped by kernel${interfaceDrops}${unprinted}\n`;
}

/**
 * The interface `-i` names: a name, or (as tcpdump takes it) a number from `-D`'s list when no
 * interface has that name.
 */
function namedInterface(lib: Libpcap, given: string): string {
  if (!/^\d+$/.test(given)) return given;
  const devices = listInterfaces(lib);
  if (devices.some((device) => device.name === given)) return given;
  const device = devices[Number(given) - 1];
  if (device === undefined) {
    throw new CaptureError(
      `-i ${given}: no interface has that number (-D lists ${devices.length})`,
      PCAP_ERROR_NO_SUCH_DEVICE,
    );
  }
  return device.name;
}

/** The pseudo-device that captures on every interface. */
const ANY_DEVICE = "any";

/** `-L`'s list, as tcpdump prints it; types netpeek does not decode are marked. */
export function formatDataLinks(device: string, links: DataLink[]): string {
  const lines = links.map((link) =>
    `  ${link.name} (${link.description})${
      isSupportedLinkType(link.value) ? "" : " (printing not supported)"
    }\n`
  );
  return `Data link types for ${device} (use option -y to set):\n${lines.join("")}`;
}

/** The interface and filter the command line asks for. */
function selection(lib: Libpcap, options: CommandLine): { device: string; expression?: string } {
  if (options.interface !== undefined) {
    return {
      device: namedInterface(lib, options.interface),
      expression: filterExpression(options, options.words.join(" ") || undefined),
    };
  }
  const devices = listInterfaces(lib);
  const split = splitWords(options.words, devices.map((device) => device.name));
  if (
    split.device === undefined && options.words.length > 1 && options.filter === undefined &&
    options.filterFile === undefined && !compiles(lib, options.words.join(" ")) &&
    compiles(lib, options.words.slice(1).join(" "))
  ) {
    // `netpeek eth9 tcp port 80`: the words make no filter, the words after the first do.
    throw new CaptureError(
      `${options.words[0]}: no such device; see --list-interfaces`,
      PCAP_ERROR_NO_SUCH_DEVICE,
    );
  }
  const device = split.device ?? defaultInterface(devices)?.name;
  if (device === undefined) {
    throw new CaptureError(
      "no interface to capture on is up; name one with -i, see --list-interfaces",
      PCAP_ERROR,
    );
  }
  if (
    split.device === undefined && options.words.length === 1 && options.filter === undefined &&
    options.filterFile === undefined && looksLikeInterface(options.words[0])
  ) {
    // `netpeek eth9`: a mistyped interface, not a filter.
    throw new CaptureError(
      `${options.words[0]}: no such device; see --list-interfaces`,
      PCAP_ERROR_NO_SUCH_DEVICE,
    );
  }
  if (split.device !== undefined && split.expression && (options.filter || options.filterFile)) {
    throw new FilterError("give the filter once: with -f, -F, or as words after the options");
  }
  return { device, expression: filterExpression(options, split.expression) };
}

/** Whether `expression` compiles as a filter for Ethernet. */
function compiles(lib: Libpcap, expression: string): boolean {
  try {
    // A snapshot length of 0 takes compileFor's default; it does not change what compiles.
    FilterProgram.compileFor(lib, LINKTYPE_ETHERNET, 0, expression).free();
    return true;
  } catch {
    return false;
  }
}

/**
 * Captures as the command line says; returns the exit status. `selected`: `-Y` and
 * `-T fields`, when given (see `loadSelection`).
 */
export async function captureLive(
  lib: Libpcap,
  options: CommandLine,
  exporter?: FlowExporter,
  selected?: Selection,
): Promise<number> {
  const { device, expression } = selection(lib, options);
  if (options.listDataLinks) {
    writeText(Deno.stdout, formatDataLinks(device, listDataLinks(lib, device)));
    return 0;
  }
  if (options.listTimeStampTypes) {
    writeText(Deno.stdout, formatTimeStampTypes(device, listTimeStampTypes(lib, device)));
    return 0;
  }
  const timeStampType = options.timeStampType === undefined
    ? undefined
    : timeStampTypeByName(lib, options.timeStampType);
  // As tcpdump 4.99: "any" with LINUX_SLL2, whose header names each packet's interface.
  const dataLink = options.dataLink !== undefined
    ? dataLinkByName(lib, options.dataLink)
    : device === ANY_DEVICE
    ? DLT_LINUX_SLL2
    : undefined;
  // Before the kernel starts queueing packets: see warm_up.ts.
  if (!options.dumpFilter && (options.write === undefined || options.print || options.stats)) {
    await warmUp(printFormat(options, false), options.stats);
  }
  const session = LiveCapture.open(lib, device, {
    snaplen: options.snaplen,
    promisc: options.promisc,
    bufferSize: options.bufferSize,
    nanosecond: options.nanosecond,
    dataLink,
    timeStampType,
    direction: options.direction,
    // As tcpdump: packets at once for a person watching; kernel blocks (and fewer drops,
    // at most 50 ms later) for pipes and files.
    // Not for --tui: it draws ten times a second, and immediate mode's ring (TPACKET_V2,
    // MTU-sized slots) overflowed in bursts the kernel blocks took (measured: 16-28 % lost
    // at 230 k packets/s, against none).
    immediate: options.immediate ||
      (Deno.stdout.isTerminal() && options.write === undefined && !options.tui),
  });
  let sink: PacketSink | undefined;
  let thread: CaptureThread | undefined;
  try {
    if (expression !== undefined || options.dumpFilter) {
      const program = FilterProgram.compile(
        lib,
        session.handle,
        expression ?? "",
        lookupNetmask(lib, device),
      );
      try {
        if (options.dumpFilter) {
          writeText(Deno.stdout, program.dump().join("\n") + "\n");
          return 0;
        }
        program.install(session.handle);
      } finally {
        program.free();
      }
    }
    for (const warning of session.warnings) printError(`warning: ${warning}`);
    // Before the sink: it prints in the background only when the capture has its own thread.
    thread = await CaptureThread.start(session, ringBytes(options.bufferPackets));
    if (options.tui) {
      const { runView, PacketStore } = await loadView();
      const store = new PacketStore(options.tuiBuffer, undefined, options.tuiSpill);
      const status = await runView(liveFeed(session, thread), store, { color: !Deno.noColor });
      // As after any capture, once the terminal is given back: what was captured and lost.
      writeStderr(formatStats(store.count, session.stats()));
      return status;
    }
    sink = await PacketSink.create(
      options,
      {
        linkType: session.linkType,
        snaplen: session.snaplen,
        nanosecond: session.nanosecond,
        interfaceName: device,
        nameInterface: interfaceNamer(lib),
        interfaceIndex: interfaceIndex(lib, device),
        backgroundOutput: thread !== undefined,
        captureStats: () => session.stats(),
      },
      exporter,
      selected,
    );
    if (options.user !== undefined) dropPrivileges(lib, options.user);
    const link = linkTypeInfo(session.linkType);
    writeStderr(
      `listening on ${device}, link-type ${link.name} (${link.description}), ` +
        `snapshot length ${session.snaplen} bytes\n`,
    );
    return await run(session, sink, options, thread);
  } finally {
    // The capture thread lets go of the handle before it is closed.
    await thread?.close();
    session.close();
  }
}

/** The live view's frames: from the capture thread, or this thread's loop without one. */
function liveFeed(session: LiveCapture, thread: CaptureThread | undefined): FrameFeed {
  const linkType = session.linkType;
  const source = thread ?? session;
  // The view has quit: what is still waiting is not wanted (a burst may leave much).
  let stopped = false;
  return {
    run: (onFrame) =>
      source.run((bytes, offset, _length, header) => {
        if (stopped) return false;
        onFrame(bytes, offset, header, linkType);
        return true;
      }),
    stop: () => {
      stopped = true;
      source.stop();
    },
    stats: () => session.stats(),
    backlog: thread === undefined ? undefined : () => thread.waitingShare,
  };
}

/**
 * The capture thread's ring for `--buffer-packets N`: room for N frames of 1,280 bytes, so
 * that the ring seldom fills before N frames wait (then printing stops; see `Backlog`). Its
 * pages take memory only as frames wait: the ring starts again at its beginning whenever
 * all is taken.
 */
function ringBytes(bufferPackets: number): number {
  return Math.min(Math.max(bufferPackets * 1280, 16 << 20), 1 << 30);
}

/**
 * The most bytes of printed lines that wait for a slow reader, whatever `--buffer-packets`
 * says: 200,000 packets of `-X` would be some 600 MB.
 */
const MAX_QUEUED_BYTES = 64 << 20;

/**
 * Whether the next packet is printed: not while more than `--buffer-packets` wait (in the
 * capture ring, and printed but not yet written), nor while the ring is half full or
 * `MAX_QUEUED_BYTES` of lines wait; printing starts again once half as many wait, so that
 * what is left out comes in runs, not as every other line.
 */
class Backlog {
  readonly #thread: CaptureThread;
  readonly #sink: PacketSink;
  readonly #limit: number;
  #skipping = false;
  /** Whether the warning that printing stopped is out. */
  #warned = false;

  constructor(thread: CaptureThread, sink: PacketSink, limit: number) {
    this.#thread = thread;
    this.#sink = sink;
    this.#limit = limit;
  }

  printable(): boolean {
    const thread = this.#thread;
    const sink = this.#sink;
    const waiting = thread.waiting + sink.queuedPackets;
    if (this.#skipping) {
      this.#skipping = waiting > this.#limit / 2 || thread.halfFull ||
        sink.queuedBytes > MAX_QUEUED_BYTES / 2;
    } else if (waiting >= this.#limit || thread.halfFull || sink.queuedBytes >= MAX_QUEUED_BYTES) {
      this.#skipping = true;
      if (!this.#warned) {
        this.#warned = true;
        printError(
          `warning: the output is slower than the traffic: more than ${this.#limit} packets ` +
            "wait to be printed, so some are captured (and written, counted) but not " +
            "printed; the count comes at the end (--buffer-packets sets the bound)",
        );
      }
    }
    return !this.#skipping;
  }
}

async function run(
  session: LiveCapture,
  sink: PacketSink,
  options: CommandLine,
  thread: CaptureThread | undefined,
): Promise<number> {
  const linkType = session.linkType;
  // The capture thread, or (where there is none) this thread's own loop.
  const source = thread ?? session;
  const stop = () => source.stop();
  for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, stop);
  const timer = options.durationMs === undefined ? undefined : setTimeout(stop, options.durationMs);
  let status = 0;
  try {
    const drained = () => {
      sink.drained();
      sink.tick();
      if (sink.done) stop();
    };
    // Printing falls behind only where the capture does not wait for it: with the thread.
    const backlog = thread && new Backlog(thread, sink, options.bufferPackets);
    await source.run(
      (bytes, offset, length, header) =>
        sink.handle(bytes, offset, length, header, linkType, backlog?.printable() ?? true),
      drained,
    );
  } catch (error) {
    if (!isRunFailure(error)) throw error;
    printError(error.line);
    status = error.exitStatus;
  } finally {
    for (const signal of STOP_SIGNALS) Deno.removeSignalListener(signal, stop);
    if (timer !== undefined) clearTimeout(timer);
  }
  const stats = session.stats();
  try {
    sink.finish(stats ?? undefined);
    await sink.settle();
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    printError(error.message);
    status = 1;
  }
  writeStderr(formatStats(sink.count, stats, sink.notPrinted));
  return status;
}
