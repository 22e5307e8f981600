/**
 * The program behind `main.ts`: turns a parsed command line into a capture session or a file
 * read, and reports the outcome as an exit status (0, 1 runtime, 2 usage or filter). Every
 * failure becomes one line on standard error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runNetpeek } from "./run.ts";
 * assert.equal(await runNetpeek(["--no-such-option"]), 2); // one line on standard error
 * ```
 * @module
 */

import { listInterfaces, type NetworkInterface } from "../ffi/interfaces.ts";
import { loadLibpcap } from "../ffi/library.ts";
import { openReportingSocket } from "../ffi/udp_socket.ts";
import { type CommandLine, HELP, parseCommandLine, UsageError } from "./args.ts";
import type { FlowExporter } from "../output/ipfix_export.ts";
import { refuseDirectory } from "./sink.ts";
import { loadSelection, type Selection } from "./selection.ts";
import { readCaptureFile } from "./read.ts";
import { printError, writeText } from "./stderr.ts";
import { VERSION } from "./version.ts";
import { UserError } from "../user_error.ts";

export { VERSION };

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

/** Options that only change how packets print, given with `-w` and nothing printed. */
function printOnlyOptions(options: CommandLine): string[] {
  if (options.write === undefined || options.print || options.stats) return [];
  const given: [string, boolean][] = [
    ["--json", options.json],
    ["-v", options.verbose],
    ["-V", options.tree],
    ["-e", options.link],
    ["-x/-X/-A", options.hex !== "none"],
    ["-q", options.quiet],
    ["-#", options.numbered],
  ];
  return given.filter(([, on]) => on).map(([name]) => name);
}

/** Runs netpeek with these arguments and returns the exit status (0, 1 runtime, 2 usage). */
export async function runNetpeek(args: string[]): Promise<number> {
  let options: CommandLine;
  try {
    options = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printError(error.line);
    return error.exitStatus;
  }
  const unseen = printOnlyOptions(options);
  if (unseen.length > 0) {
    printError(
      `warning: with -w packets are written, not printed, so ${unseen.join(", ")} ` +
        `${unseen.length === 1 ? "shows" : "show"} nothing; add --print to print them too`,
    );
  }
  let selection: Selection | undefined;
  try {
    selection = await loadSelection(options);
    if (options.write !== undefined && options.write !== "-") refuseDirectory(options.write);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    printError(error.line);
    return error.exitStatus;
  }
  if (options.help) {
    writeText(Deno.stdout, HELP);
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
      writeText(Deno.stdout, `netpeek ${VERSION}\n${libpcap}\n`);
      return 0;
    }
    if (options.read !== undefined) {
      return await withExporter(
        options,
        (exporter) => readCaptureFile(options, exporter, selection),
      );
    }
    const lib = loadLibpcap();
    if (options.listInterfaces) {
      const devices = listInterfaces(lib);
      if (devices.length === 0) {
        printError("no interfaces found; capturing may need root or CAP_NET_RAW (try sudo)");
        return 1;
      }
      writeText(Deno.stdout, formatInterfaceList(devices));
      return 0;
    }
    // Loaded only for a live capture: reading a file needs none of its modules.
    const { captureLive } = await import("./live.ts");
    return await withExporter(
      options,
      (exporter) => captureLive(lib, options, exporter, selection),
    );
  } catch (error) {
    if (error instanceof UserError) {
      printError(error.line);
      return error.exitStatus;
    }
    if (error instanceof Deno.errors.BrokenPipe) return 0;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    printError(`internal error: ${message.split("\n")[0]} (please report it)`);
    return 1;
  }
}

/**
 * Runs `work` with `--ipfix`'s exporter open (its collector resolved once, at the start), and
 * waits for its last messages to leave before the run ends.
 */
async function withExporter(
  options: CommandLine,
  work: (exporter: FlowExporter | undefined) => Promise<number>,
): Promise<number> {
  if (options.ipfix === undefined) return await work(undefined);
  // Loaded only here: Node's socket and name modules cost every other run their start-up.
  const { FlowExporter } = await import("../output/ipfix_export.ts");
  const exporter = await FlowExporter.open(options.ipfix, printError, openReportingSocket);
  try {
    return await work(exporter);
  } finally {
    await exporter.close();
  }
}
