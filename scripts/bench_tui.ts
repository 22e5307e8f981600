/**
 * `deno task bench --tui`: the live view's figures (issue 21), measured on the real program
 * in a tmux pane of 120×40, as the tests drive it:
 *
 * - the time to the first screen: live on `lo` (the status bar up), and for a generated
 *   capture of `--file-packets` (default 1,600,000: about 1 GB) (the first packet rows up),
 *   and until End shows its last packet, and the view's peak memory on that file;
 * - the cost of a frame with 10,000 packets kept (the view drawn in this process, 200×60: the
 *   list alone, and list, details and hex);
 * - packets lost while tcpreplay sends the 40,000-packet mix five times at `--speed` (default
 *   300,000 packets/s; `top` for tcpreplay's top speed), with the view open and with
 *   `netpeek -w /dev/null`, `--runs` times each (default 3): not captured, by the kernel's
 *   count and tcpreplay's;
 * - the view's peak memory after `--live-packets` (default 10,000,000) at that speed, with what
 *   it keeps in memory, on disk, and has let go.
 *
 * Needs root, tmux and tcpreplay. No time is asserted: the figures go to docs/tui.md.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { makeCapture } from "./bench.ts";
import { taskArgs } from "./task_args.ts";
import { captureCount, liveRun, replay } from "./live_run.ts";
import { PacketStore } from "../src/tui/packet_store.ts";
import { newViewState, screenLines } from "../src/tui/view.ts";
import { CaptureFileReader } from "../src/file/reader.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const PERMISSIONS = [
  "--allow-ffi",
  "--allow-env=NETPEEK_LIBPCAP,NETPEEK_PRINT_WORKER,SystemRoot,TERM",
  "--allow-read",
  "--allow-write",
  "--allow-net",
];
const PANE = { columns: 120, rows: 40 };
const POLL_MS = 10;
const MIX_PACKETS = 40_000;
const PASSES = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tmux(...args: string[]): Promise<string> {
  const output = await new Deno.Command("tmux", { args, stdout: "piped", stderr: "piped" })
    .output();
  return new TextDecoder().decode(output.stdout);
}

/** netpeek with `args` in a fresh tmux pane; its pid, stderr and exit status go to `dir`. */
class ViewRun {
  readonly name = `netpeek-bench-${crypto.randomUUID().slice(0, 8)}`;
  readonly started = performance.now();

  private constructor(readonly dir: string) {}

  static async start(dir: string, args: string[]): Promise<ViewRun> {
    const netpeek = [Deno.execPath(), "run", ...PERMISSIONS, `${ROOT}main.ts`, ...args]
      .map((word) => `'${word}'`).join(" ");
    const run = new ViewRun(dir);
    await Deno.remove(`${dir}/status`).catch(() => {});
    const script = `echo $$ > ${dir}/pid; ${netpeek} 2> ${dir}/stderr; ` +
      `echo "exit $?" > ${dir}/status; sleep 60`;
    await tmux(
      "new-session",
      "-d",
      "-s",
      run.name,
      "-x",
      `${PANE.columns}`,
      "-y",
      `${PANE.rows}`,
      script,
    );
    return run;
  }

  screen(): Promise<string> {
    return tmux("capture-pane", "-p", "-t", this.name);
  }

  /** Milliseconds from `since` until the screen satisfies `predicate` (polled every 10 ms). */
  async until(predicate: (screen: string) => boolean, since = this.started): Promise<number> {
    const deadline = performance.now() + 120_000;
    while (performance.now() < deadline) {
      if (predicate(await this.screen())) return performance.now() - since;
      await sleep(POLL_MS);
    }
    throw new Error(`timed out; the screen:\n${await this.screen()}`);
  }

  keys(...keys: string[]): Promise<string> {
    return tmux("send-keys", "-t", this.name, ...keys);
  }

  /** The view's peak resident memory so far, in bytes. */
  async peakMemory(): Promise<number> {
    const shell = (await Deno.readTextFile(`${this.dir}/pid`)).trim();
    // The shell runs netpeek as its child (deno): the deepest process holds the view.
    const children = await Deno.readTextFile(`/proc/${shell}/task/${shell}/children`)
      .catch(() => "");
    const pid = children.trim().split(/\s+/)[0] || shell;
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    return Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1] ?? NaN) * 1024;
  }

  /** Types q, waits for the exit; netpeek's stderr. */
  async quit(): Promise<string> {
    await this.keys("q");
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline) {
      try {
        await Deno.stat(`${this.dir}/status`);
        break;
      } catch {
        await sleep(50);
      }
    }
    await tmux("kill-session", "-t", this.name);
    return await Deno.readTextFile(`${this.dir}/stderr`).catch(() => "");
  }
}

/** The view open on lo while the mix is replayed `loops` times. */
async function viewRun(dir: string, capture: string, speed: string, loops: number) {
  const run = await ViewRun.start(dir, ["--tui", "-i", "lo"]);
  const firstScreen = await run.until((screen) => screen.includes("packets |"));
  await sleep(300);
  const sent = await replay(capture, speed, loops);
  await sleep(1500);
  const status = (await run.screen()).split("\n").filter((line) => line.includes(" pkt/s")).at(-1);
  const peak = await run.peakMemory();
  const stderr = await run.quit();
  return { ...sent, ...captureCount(stderr), firstScreen, peak, status: status?.trim() ?? "" };
}

/** The median, and the highest, of `values`. */
function spread(values: number[]): { median: number; worst: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[sorted.length >> 1], worst: sorted[sorted.length - 1] };
}

const ms = (value: number) => `${Math.round(value)} ms`;
const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;
const percent = (share: number) => `${(100 * share).toFixed(2)} %`;

/** The cost of a frame with 10,000 packets kept, drawn here (pure: no terminal). */
async function frameCost(capture: string): Promise<{ list: number[]; panes: number[] }> {
  const store = new PacketStore(256 << 20);
  const reader = await CaptureFileReader.open(await Deno.open(capture), capture);
  await reader.runRanges((bytes, offset, header) => {
    store.add(bytes, offset, header, header.linkType);
    return store.count < 10_000;
  });
  const size = { columns: 200, rows: 60 };
  const timings = (detailOpen: boolean) => {
    const state = newViewState();
    state.detailOpen = detailOpen;
    const times: number[] = [];
    for (let frame = 0; frame < 400; frame++) {
      state.selected = (frame * 97) % store.count;
      state.top = Math.max(0, state.selected - 10);
      const started = performance.now();
      screenLines(store, state, size, { color: true });
      times.push(performance.now() - started);
    }
    return times.slice(50); // after the warm-up
  };
  return { list: timings(false), panes: timings(true) };
}

/** The bench's capture maker (scripts/bench.ts, which loads this file: not imported back). */
type CaptureMaker = typeof makeCapture;

export async function tuiBench(makeCapture: CaptureMaker, options: {
  filePackets: number;
  livePackets: number;
  speed: string;
  runs: number;
}): Promise<void> {
  if (Deno.uid() !== 0) throw new Error("bench --tui captures on lo: run it as root");
  const dir = await Deno.makeTempDir({ prefix: "netpeek-tui-bench-" });
  try {
    const mix = `${dir}/mix.pcap`;
    makeCapture(mix, MIX_PACKETS);
    const frames = await frameCost(mix);

    const big = `${dir}/big.pcap`;
    makeCapture(big, options.filePackets);
    const bigBytes = (await Deno.stat(big)).size;
    const fileRuns: { first: number; end: number; peak: number }[] = [];
    for (let run = 0; run < options.runs; run++) {
      const view = await ViewRun.start(dir, ["--tui", "-r", big]);
      // The list follows the file as it is read: the first screen is the first packet rows.
      const first = await view.until((screen) => /^\s+\d+\s+\d+\.\d{6} /m.test(screen));
      await view.keys("End");
      const last = new RegExp(`^\\s*${options.filePackets}\\s+\\d+\\.\\d{6} `, "m");
      const end = await view.until((screen) => last.test(screen));
      fileRuns.push({ first, end, peak: await view.peakMemory() });
      await view.quit();
    }

    const lossRuns: { name: string; rate: number; lost: number; dropped: number }[] = [];
    let liveFirst: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      const written = await liveRun(
        Deno.execPath(),
        ["run", ...PERMISSIONS, `${ROOT}main.ts`, "-i", "lo", "-w", "/dev/null"],
        mix,
        options.speed,
        PASSES,
      );
      lossRuns.push({
        name: "netpeek -w /dev/null",
        rate: written.rate,
        lost: (written.sent - written.captured) / written.sent,
        dropped: written.dropped,
      });
      const viewed = await viewRun(dir, mix, options.speed, PASSES);
      liveFirst = [...liveFirst, viewed.firstScreen];
      lossRuns.push({
        name: "netpeek --tui",
        rate: viewed.rate,
        lost: (viewed.sent - viewed.captured) / viewed.sent,
        dropped: viewed.dropped,
      });
      console.log(`run ${run + 1}: -w ${JSON.stringify(written)}; --tui ${JSON.stringify(viewed)}`);
    }

    const long = await viewRun(
      dir,
      mix,
      options.speed,
      Math.ceil(options.livePackets / MIX_PACKETS),
    );

    const list = spread(frames.list);
    const panes = spread(frames.panes);
    const firstFile = spread(fileRuns.map((run) => run.first));
    const endFile = spread(fileRuns.map((run) => run.end));
    const live = spread(liveFirst);
    console.log(`\n--tui, ${options.runs} runs each (medians; worst in brackets)\n`);
    console.log("| what | measured |");
    console.log("| --- | --- |");
    console.log(`| live on lo: first screen | ${ms(live.median)} (${ms(live.worst)}) |`);
    console.log(
      `| a ${mb(bigBytes)} file (${options.filePackets.toLocaleString("en")} packets): ` +
        `first screen | ${ms(firstFile.median)} (${ms(firstFile.worst)}) |`,
    );
    console.log(
      `| the same: the last packet on screen (End), from the start | ${ms(endFile.median)} (${
        ms(endFile.worst)
      }) |`,
    );
    console.log(
      `| the same: peak memory | ${mb(spread(fileRuns.map((run) => run.peak)).worst)} |`,
    );
    console.log(
      `| a frame, 10,000 packets kept, 200×60: list; list, details and hex | ` +
        `${list.median.toFixed(2)} ms (${list.worst.toFixed(2)}); ${panes.median.toFixed(2)} ms ` +
        `(${panes.worst.toFixed(2)}) |`,
    );
    for (const name of ["netpeek --tui", "netpeek -w /dev/null"]) {
      const runs = lossRuns.filter((run) => run.name === name);
      const lost = spread(runs.map((run) => run.lost));
      const rate = spread(runs.map((run) => run.rate)).median;
      console.log(
        `| ${name}: ${MIX_PACKETS * PASSES} packets at ${
          Math.round(rate).toLocaleString("en")
        } packets/s: lost | ${percent(lost.median)} (${percent(lost.worst)}; kernel drops at ` +
          `most ${Math.max(...runs.map((run) => run.dropped))}) |`,
      );
    }
    console.log(
      `| ${long.sent.toLocaleString("en")} packets live at ${
        Math.round(long.rate).toLocaleString("en")
      } packets/s: lost, peak memory | ${percent((long.sent - long.captured) / long.sent)}, ${
        mb(long.peak)
      } (status: ${long.status}) |`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `deno task bench --tui [--file-packets N] [--live-packets N] [--speed PPS|top] [--runs N]`. */
export async function tuiMain(makeCapture: CaptureMaker): Promise<void> {
  const { values } = parseArgs({
    args: taskArgs(),
    options: {
      tui: { type: "boolean" },
      "file-packets": { type: "string" },
      "live-packets": { type: "string" },
      speed: { type: "string" },
      runs: { type: "string" },
    },
  });
  await tuiBench(makeCapture, {
    filePackets: Number(values["file-packets"] ?? 1_600_000),
    livePackets: Number(values["live-packets"] ?? 10_000_000),
    speed: values.speed ?? "300000",
    runs: Number(values.runs ?? 3),
  });
}
