/**
 * Counts the instructions netpeek takes to read a capture, in Valgrind (callgrind), with V8's
 * `--predictable`: V8 then compiles on the main thread, so that the compiling is counted and a
 * run repeats its count within some 0.01 %. Timed, the same code run twice on these machines
 * differs by a few per cent, more than most single changes gain (docs/performance.md, "Later
 * (2026-12-06, nineteenth session)"). One thread (`NETPEEK_PRINT_WORKER=0`): the count is the
 * work done, not the time taken, and leaves out what two cores share or contend for (the
 * caches, the second isolate), which only timing shows.
 *
 * ```sh
 * deno task count [--before DIR] [--packets 20000,60000] [--repeat 1] [--args="--json -v"]
 * ```
 *
 * For this checkout, and `DIR`'s with `--before`: the start-up (`-c 1`), the instructions past
 * start-up to each `--packets` count, and a packet's share between two counts; then now against
 * before. The capture is the bench's (`makeCapture`), netpeek's arguments `--args` (`--json`). A
 * plain run goes first: a run that has Deno's code cache still to write counts some 4 % more.
 * With `--repeat`, a count is the least of that many runs.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { makeCapture } from "./bench.ts";
import { taskArgs } from "./task_args.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** One thread, times as the bench prints them, and Deno's own errors without colour. */
const RUN_ENV = { TZ: "UTC", NETPEEK_PRINT_WORKER: "0", NO_COLOR: "1" };

/** `deno` arguments that run `tree`'s netpeek reading `capture` with `args`. */
function netpeekRun(
  tree: string,
  capture: string,
  args: readonly string[],
  denoFlags: readonly string[] = [],
): string[] {
  const main = `${tree.replace(/\/?$/, "/")}main.ts`;
  return ["run", "--allow-all", ...denoFlags, main, "-r", capture, ...args];
}

/**
 * A failed run's reason: netpeek's own last line, else Deno's `error:` line (a module that
 * does not load), else the last line of what it wrote.
 */
function runFailure(tree: string, stderr: Uint8Array): CountError {
  const lines = new TextDecoder().decode(stderr).trim().split("\n");
  const reason = lines.filter((line) => line.startsWith("netpeek:")).at(-1) ??
    lines.find((line) => line.startsWith("error:")) ?? lines.at(-1);
  return new CountError(`${tree}: the run failed: ${reason}`);
}

/** Why a count could not be made. */
export class CountError extends Error {
  override name = "CountError";
}

/**
 * The instructions of one run of `tree`'s netpeek reading `capture` with `args`, under
 * callgrind with V8's `--predictable`, on one thread. Throws `CountError`.
 */
export async function countInstructions(
  tree: string,
  capture: string,
  args: readonly string[],
): Promise<number> {
  const out = await Deno.makeTempFile({ prefix: "netpeek-callgrind-" });
  try {
    let result: Deno.CommandOutput;
    try {
      result = await new Deno.Command("valgrind", {
        args: [
          "--tool=callgrind",
          // V8 writes the machine code it runs: Valgrind must look for changed code.
          "--smc-check=all-non-file",
          `--callgrind-out-file=${out}`,
          "--dump-instr=no",
          Deno.execPath(),
          ...netpeekRun(tree, capture, args, ["--v8-flags=--predictable"]),
        ],
        env: RUN_ENV,
        stdout: "null",
        stderr: "piped",
      }).output();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new CountError("valgrind not found: install it (apt-get install valgrind)");
      }
      throw error;
    }
    if (!result.success) throw runFailure(tree, result.stderr);
    const totals = Deno.readTextFileSync(out).match(/^totals: (\d+)$/m);
    if (totals === null) throw new CountError(`${tree}: callgrind wrote no totals`);
    return Number(totals[1]);
  } finally {
    Deno.removeSync(out);
  }
}

/**
 * Runs `tree`'s netpeek once, uncounted, so that Deno's code cache for its modules is written
 * before the counted runs read it. Throws `CountError`.
 */
export async function fillCodeCache(
  tree: string,
  capture: string,
  args: readonly string[],
): Promise<void> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: netpeekRun(tree, capture, ["-c", "1", ...args]),
    env: RUN_ENV,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!result.success) throw runFailure(tree, result.stderr);
}

/** The least of `repeat` counts of the same run. */
async function leastOf(repeat: number, count: () => Promise<number>): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < repeat; i++) least = Math.min(least, await count());
  return least;
}

/** A tree's counts: start-up, then past start-up at each packet count. */
interface TreeCounts {
  startUp: number;
  past: number[];
}

async function countTree(
  tree: string,
  capture: string,
  packets: readonly number[],
  args: readonly string[],
  repeat: number,
): Promise<TreeCounts> {
  await fillCodeCache(tree, capture, args);
  const startUp = await leastOf(
    repeat,
    () => countInstructions(tree, capture, ["-c", "1", ...args]),
  );
  const past: number[] = [];
  for (const count of packets) {
    const total = await leastOf(
      repeat,
      () => countInstructions(tree, capture, ["-c", String(count), ...args]),
    );
    past.push(total - startUp);
  }
  return { startUp, past };
}

const millions = (count: number) => `${(count / 1e6).toFixed(1)} M`;

/** The table `deno task count` prints. */
export function countTable(
  packets: readonly number[],
  now: TreeCounts,
  before?: TreeCounts,
): string {
  const headings = ["", "start-up", ...packets.map((count) => `${count} packets`)];
  for (let i = 1; i < packets.length; i++) {
    headings.push(`a packet, ${packets[i - 1]}-${packets[i]}`);
  }
  // The instructions between two packet counts, and how many packets lie between them.
  const between = (counts: TreeCounts) =>
    counts.past.slice(1).map((past, i) => past - counts.past[i]);
  const spans = packets.slice(1).map((count, i) => count - packets[i]);
  const row = (name: string, counts: TreeCounts) => [
    name,
    millions(counts.startUp),
    ...counts.past.map(millions),
    ...between(counts).map((instructions, i) =>
      Math.round(instructions / spans[i]).toLocaleString("en-US")
    ),
  ];
  const rows = [headings, row("now", now)];
  if (before !== undefined) {
    rows.push(row("before", before));
    const ratio = (a: number, b: number) => `${(a / b).toFixed(3)}x`;
    rows.push([
      "now/before",
      ratio(now.startUp, before.startUp),
      ...now.past.map((past, i) => ratio(past, before.past[i])),
      ...between(now).map((instructions, i) => ratio(instructions, between(before)[i])),
    ]);
  }
  const widths = headings.map((_, column) =>
    Math.max(...rows.map((cells) => cells[column].length))
  );
  return rows.map((cells) =>
    cells.map((cell, column) =>
      column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column])
    )
      .join("  ")
  ).join("\n");
}

if (import.meta.main) {
  let values;
  try {
    values = parseArgs({
      args: taskArgs(Deno.args),
      options: {
        before: { type: "string" },
        packets: { type: "string", default: "20000" },
        repeat: { type: "string", default: "1" },
        args: { type: "string", default: "--json" },
      },
    }).values;
  } catch (error) {
    console.error(`count: ${(error as Error).message.split("\n")[0]} (see scripts/count.ts)`);
    Deno.exit(2);
  }
  const packets = values.packets.split(",").map(Number);
  const repeat = Number(values.repeat);
  if (packets.some((count) => !Number.isInteger(count) || count < 1) || !(repeat >= 1)) {
    console.error("count: --packets takes counts such as 20000,60000, --repeat a number from 1");
    Deno.exit(2);
  }
  const args = values.args.split(" ").filter((word) => word !== "");
  const capturePackets = Math.max(...packets);
  const capture = await Deno.makeTempFile({ suffix: ".pcap" });
  // Set, not exited with, inside the try: `Deno.exit` would leave the capture behind.
  let status = 0;
  try {
    makeCapture(capture, capturePackets);
    console.log(`bench capture of ${capturePackets} packets; netpeek ${args.join(" ")}`);
    const now = await countTree(ROOT, capture, packets, args, repeat);
    const before = values.before === undefined
      ? undefined
      : await countTree(values.before, capture, packets, args, repeat);
    console.log(countTable(packets, now, before));
  } catch (error) {
    if (!(error instanceof CountError)) throw error;
    console.error(`count: ${error.message}`);
    status = 1;
  } finally {
    Deno.removeSync(capture);
  }
  Deno.exit(status);
}
