/**
 * Live capture under load, with real traffic: the bench's mix (thousands of conversations,
 * TCP with payload, DNS, UDP, fragments, VLANs) replayed onto `lo` by tcpreplay.
 *
 * - A burst of 200,000 packets at tcpreplay's top speed while netpeek prints text to a file
 *   and writes `-w`: every packet sent is captured or counted as dropped by the kernel,
 *   every packet captured is printed or counted as not printed, `-w` has every packet
 *   captured, and the printed lines come in the capture order (checked against tcpdump's
 *   reading of the `-w` file).
 * - A reader slower than the traffic (nothing read for 5 s, as `| (sleep 5; cat)`): netpeek's
 *   memory stays under the bound `--buffer-packets` sets, far below what the unprinted
 *   output would have taken, and the packets not printed are counted.
 *
 * Needs root and tcpreplay; the figures (loss, not printed) are printed, never asserted.
 */

import assert from "node:assert/strict";
import { makeCapture } from "../scripts/bench.ts";
import { hasCommand, netpeekCommand, NetpeekProcess, STATS_LINE } from "./netpeek_process.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const canReplay = Deno.uid() === 0 && await hasCommand("tcpreplay", ["-V"]);
/** Packets in the replayed file; each run replays it `PASSES` times. */
const FILE_PACKETS = 40_000;
const PASSES = 5;

/** Replays `capture` onto lo `passes` times; returns the packets tcpreplay says it sent. */
async function replay(capture: string, passes: number, speed: string[]): Promise<number> {
  const output = await new Deno.Command("tcpreplay", {
    args: ["-i", "lo", ...speed, "--loop", String(passes), capture],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const report = new TextDecoder().decode(output.stdout);
  const sent = Number(report.match(/Actual: (\d+) packets/)?.[1]);
  assert.ok(output.success && sent > 0, `tcpreplay: ${report}`);
  console.log(`  tcpreplay: ${report.match(/Rated: .*/)?.[0]}`);
  return sent;
}

/** captured, received, dropped, not printed: from the statistics line. */
function statistics(stderr: string): number[] {
  const match = stderr.match(STATS_LINE);
  assert.ok(match !== null, `no statistics line: ${stderr}`);
  return [Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4] ?? 0)];
}

/** Packet lines of text output: a line that does not begin with white space starts one. */
function packetLines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "" && !/^\s/.test(line));
}

/** The time, protocol, source, `>` and destination that begin a line: one packet's key. */
function key(line: string): string {
  return line.split(" ").slice(0, 5).join(" ");
}

Deno.test({
  name: "a 200,000-packet burst at top speed: every packet accounted for, printed in order",
  ignore: !canReplay,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "netpeek-burst-" });
    try {
      const capture = `${dir}/mix.pcap`;
      makeCapture(capture, FILE_PACKETS);
      const printed = `${dir}/printed.txt`;
      const written = `${dir}/written.pcap`;
      const netpeek = new NetpeekProcess(
        ["-i", "lo", "--print", "-w", written],
        ["sh", "-c", `exec "$@" > "${printed}"`, "sh"],
      );
      await netpeek.listening();
      await sleep(300);
      const sent = await replay(capture, PASSES, ["--topspeed"]);
      await sleep(1500);
      netpeek.child.kill("SIGINT");
      const result = await netpeek.finished(60_000);
      assert.equal(result.code, 0, result.stderr);
      const [captured, , dropped, notPrinted] = statistics(result.stderr);
      console.log(
        `  sent ${sent}, captured ${captured}, dropped by kernel ${dropped}, ` +
          `not printed ${notPrinted}`,
      );
      assert.equal(sent, FILE_PACKETS * PASSES);
      // Every packet sent is captured, or was dropped in the kernel (which counts both of
      // lo's copies of a frame, so it may count more).
      assert.ok(captured <= sent && captured + dropped >= sent, result.stderr);
      // Every packet captured is printed or counted as not printed, and written.
      const lines = packetLines(await Deno.readTextFile(printed));
      assert.equal(lines.length + notPrinted, captured);
      assert.ok(lines.length > 0);
      const reference = await new Deno.Command("tcpdump", {
        args: ["-n", "-r", written],
        env: { TZ: "UTC" },
        stdout: "piped",
        stderr: "null",
      }).output();
      const inFile = packetLines(new TextDecoder().decode(reference.stdout)).map(key);
      assert.equal(inFile.length, captured, "-w holds every packet captured");
      // In capture order: the printed lines are, in order, among the file's.
      let at = 0;
      for (const [index, line] of lines.entries()) {
        const wanted = key(line);
        while (at < inFile.length && inFile[at] !== wanted) at++;
        assert.ok(at < inFile.length, `printed line ${index} out of order: ${line}`);
        at++;
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a reader 5 s late: memory stays under --buffer-packets' bound, unprinted counted",
  ignore: !canReplay,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "netpeek-slow-" });
    try {
      const capture = `${dir}/mix.pcap`;
      makeCapture(capture, FILE_PACKETS);
      const bound = 2000;
      // -X: some 3 KB of hex a packet, so output left waiting would show in memory.
      const [command, args] = netpeekCommand(["-i", "lo", "-X", "--buffer-packets", `${bound}`]);
      const child = new Deno.Command(command, {
        args,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let stderr = "";
      const errors = (async () => {
        for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
          stderr += chunk;
        }
      })();
      const started = Date.now();
      while (!stderr.includes("listening on") && Date.now() - started < 15_000) await sleep(50);
      await sleep(300);
      const sent = await replay(capture, 3, ["--pps", "100000"]);
      await sleep(1000);
      const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
      const peakMiB = Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1]) / 1024;
      // The reader wakes up 5 s after the capture started.
      await sleep(Math.max(0, 5000 - (Date.now() - started)));
      const reading = new Response(child.stdout).text();
      await sleep(500);
      child.kill("SIGINT");
      const [text, exit] = await Promise.all([reading, child.status, errors]);
      assert.equal(exit.code, 0, stderr);
      const [captured, , dropped, notPrinted] = statistics(stderr);
      const lines = packetLines(text);
      const bytesPerPacket = text.length / lines.length;
      console.log(
        `  sent ${sent}, captured ${captured}, dropped ${dropped}, printed ${lines.length}, ` +
          `not printed ${notPrinted}; peak memory ${peakMiB.toFixed(0)} MiB; ` +
          `${bytesPerPacket.toFixed(0)} bytes printed a packet`,
      );
      assert.match(stderr, /warning: the output is slower than the traffic/);
      assert.ok(notPrinted > 0, "nothing went unprinted: the reader was not slow enough");
      assert.equal(lines.length + notPrinted, captured);
      assert.ok(captured + dropped >= sent);
      // What was not printed would have taken this much memory had it waited; it did not.
      const unboundedMiB = notPrinted * bytesPerPacket / (1 << 20);
      const limitMiB = 280;
      assert.ok(unboundedMiB > limitMiB, `only ${unboundedMiB} MiB left unprinted`);
      assert.ok(peakMiB < limitMiB, `peak memory ${peakMiB} MiB`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
