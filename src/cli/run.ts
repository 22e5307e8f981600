/**
 * The program behind `main.ts`: turns a parsed command line into a capture session, prints
 * packets, and reports the outcome as an exit status. Every failure becomes one line on
 * standard error.
 *
 * @example
 * ```ts ignore
 * import { runNetpeek } from "./run.ts";
 * Deno.exit(await runNetpeek(["-i", "lo", "-c", "3"]));
 * ```
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };
import { Decoder, linkTypeInfo } from "../decode/mod.ts";
import { CaptureError, type CaptureStats, LiveCapture } from "../ffi/capture.ts";
import { defaultInterface, listInterfaces, type NetworkInterface } from "../ffi/interfaces.ts";
import { type Libpcap, LibraryError, loadLibpcap } from "../ffi/library.ts";
import { formatJsonLine } from "../output/json.ts";
import { TextFormatter } from "../output/text.ts";
import { OutputBuffer } from "../output/writer.ts";
import { type CommandLine, HELP, parseCommandLine, UsageError } from "./args.ts";

/** netpeek's version, from deno.json. */
export const VERSION: string = denoJson.version;

const encoder = new TextEncoder();

function printError(message: string): void {
  writeStderr(`netpeek: ${message}\n`);
}

function writeStderr(text: string): void {
  try {
    Deno.stderr.writeSync(encoder.encode(text));
  } catch {
    // nowhere left to report to
  }
}

/** `tcpdump -D`-style lines, with each interface's addresses and flags. */
export function formatInterfaceList(devices: NetworkInterface[]): string {
  return devices.map((device, index) => {
    const flags = [
      device.up ? "Up" : "Down",
      device.running ? "Running" : undefined,
      device.loopback ? "Loopback" : undefined,
      device.wireless ? "Wireless" : undefined,
      device.connection === "connected" || device.connection === "disconnected"
        ? device.connection === "connected" ? "Connected" : "Disconnected"
        : undefined,
    ].filter(Boolean).join(", ");
    const description = device.description ? ` (${device.description})` : "";
    const addresses = device.addresses.map((address) =>
      `\n    ${address.family.padEnd(5)} ${address.address}${
        address.netmask ? ` netmask ${address.netmask}` : ""
      }`
    ).join("");
    return `${index + 1}.${device.name}${description} [${flags}]${addresses}\n`;
  }).join("");
}

/** The statistics line printed when a capture ends. */
export function formatStats(captured: number, stats: CaptureStats | null): string {
  if (stats === null) return `${captured} packets captured\n`;
  const interfaceDrops = stats.interfaceDropped > 0
    ? `, ${stats.interfaceDropped} dropped by interface`
    : "";
  return `${captured} packets captured, ${stats.received} received by filter, ` +
    `${stats.dropped} dropped by kernel${interfaceDrops}\n`;
}

function chooseInterface(lib: Libpcap, options: CommandLine): string {
  if (options.interface !== undefined) return options.interface;
  const device = defaultInterface(listInterfaces(lib));
  if (device === undefined) {
    throw new CaptureError(
      "no interface to capture on is up; name one with -i, see --list-interfaces",
      -1,
    );
  }
  return device.name;
}

/** Signals that end a capture cleanly; Windows only delivers SIGINT (and SIGBREAK). */
const STOP_SIGNALS: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM", "SIGHUP"];

async function capture(lib: Libpcap, options: CommandLine): Promise<number> {
  const device = chooseInterface(lib, options);
  const session = LiveCapture.open(lib, device, {
    snaplen: options.snaplen,
    promisc: options.promisc,
    bufferSize: options.bufferSize,
    nanosecond: options.nanosecond,
    // As tcpdump: packets at once for a person watching; kernel blocks (and fewer drops,
    // at most 100 ms later) for pipes and files.
    immediate: options.immediate || Deno.stdout.isTerminal(),
  });
  for (const warning of session.warnings) printError(`warning: ${warning}`);
  const link = linkTypeInfo(session.linkType);
  writeStderr(
    `listening on ${device}, link-type ${link.name} (${link.description}), ` +
      `snapshot length ${session.snaplen} bytes\n`,
  );

  const out = new OutputBuffer(Deno.stdout);
  const decoder = new Decoder();
  const text = options.json ? undefined : new TextFormatter({
    verbose: options.verbose,
    link: options.link,
    hex: options.hex,
    color: Deno.stdout.isTerminal() && !Deno.noColor,
  });
  const linkType = session.linkType;
  const limit = options.count ?? Infinity;
  let captured = 0;

  const stop = () => session.stop();
  for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, stop);
  const timer = options.durationMs === undefined ? undefined : setTimeout(stop, options.durationMs);

  let status = 0;
  try {
    await session.run(
      (frame, header) => {
        const packet = decoder.decode(frame, linkType, header.len);
        out.write(text ? text.format(packet, header) : formatJsonLine(packet, header));
        captured++;
        return captured < limit && !out.closed;
      },
      () => {
        out.flush();
        if (out.closed) session.stop();
      },
    );
  } catch (error) {
    if (!(error instanceof CaptureError)) throw error;
    out.flush();
    printError(error.message);
    status = 1;
  } finally {
    for (const signal of STOP_SIGNALS) Deno.removeSignalListener(signal, stop);
    if (timer !== undefined) clearTimeout(timer);
  }
  out.flush();
  writeStderr(formatStats(captured, session.stats()));
  session.close();
  return status;
}

/** Runs netpeek with these arguments and returns the exit status (0, 1 runtime, 2 usage). */
export async function runNetpeek(args: string[]): Promise<number> {
  let options: CommandLine;
  try {
    options = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printError(`${error.message}; see --help`);
    return 2;
  }
  if (options.help) {
    Deno.stdout.writeSync(encoder.encode(HELP));
    return 0;
  }
  try {
    if (options.version) {
      let libpcap: string;
      try {
        libpcap = loadLibpcap().version;
      } catch (error) {
        libpcap = `libpcap not loaded: ${(error as Error).message}`;
      }
      Deno.stdout.writeSync(encoder.encode(`netpeek ${VERSION}\n${libpcap}\n`));
      return 0;
    }
    const lib = loadLibpcap();
    if (options.listInterfaces) {
      const devices = listInterfaces(lib);
      if (devices.length === 0) {
        printError("no interfaces found; capturing may need root or CAP_NET_RAW (try sudo)");
        return 1;
      }
      Deno.stdout.writeSync(encoder.encode(formatInterfaceList(devices)));
      return 0;
    }
    return await capture(lib, options);
  } catch (error) {
    if (error instanceof LibraryError || error instanceof CaptureError) {
      printError(error.message);
      return 1;
    }
    if (error instanceof Deno.errors.BrokenPipe) return 0;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    printError(`internal error: ${message.split("\n")[0]} (please report it)`);
    return 1;
  }
}
