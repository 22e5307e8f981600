/**
 * The benchmark in its small modes, so that they cannot rot: it asserts only that every reader
 * (netpeek text and JSON, tcpdump, tshark) processed every packet, and that `--tui` measured
 * each of its figures; never a time.
 */

import assert from "node:assert/strict";

Deno.test("deno task bench -- --packets 20000 --check runs and every tool sees every packet", async () => {
  // Through deno task, as people run it, with the `--` npm users type (scripts/task_args.ts).
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "bench", "--", "--packets", "20000", "--check"],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(`bench failed:\n${text}\n${new TextDecoder().decode(output.stderr)}`);
  }
  console.log(text.trim());
});

const canViewLive = Deno.uid() === 0 &&
  (await Promise.all(
    ["tmux", "tcpreplay"].map((tool) =>
      new Deno.Command(tool, { args: ["-V"], stdout: "null", stderr: "null" }).output().then(
        () => true,
        () => false,
      )
    ),
  )).every(Boolean);

Deno.test({
  name: "deno task bench -- --tui, small, runs and measures every figure",
  ignore: !canViewLive,
  async fn() {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "task",
        "bench",
        "--",
        "--tui",
        "--file-packets",
        "20000",
        "--live-packets",
        "200000",
        "--runs",
        "1",
        "--speed",
        "top",
      ],
      cwd: new URL("..", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout);
    if (!output.success) {
      throw new Error(`bench --tui failed:\n${text}\n${new TextDecoder().decode(output.stderr)}`);
    }
    console.log(text.trim().split("\n").filter((line) => line.startsWith("|")).join("\n"));
    // Every figure was measured (a number where each row has one); no time is asserted.
    for (
      const row of [
        /^\| live on lo: first screen \| \d+ ms/m,
        /^\| a \d+ MB file \(20,000 packets\): first screen \| \d+ ms/m,
        /^\| the same: the last packet on screen \(End\), from the start \| \d+ ms/m,
        /^\| the same: peak memory \| \d+ MB/m,
        /^\| a frame, 10,000 packets kept, 200×60: list; list, details and hex \| [\d.]+ ms/m,
        /^\| netpeek --tui: 200000 packets at [\d,]+ packets\/s: lost \| [\d.]+ %/m,
        /^\| netpeek -w \/dev\/null: 200000 packets at [\d,]+ packets\/s: lost \| [\d.]+ %/m,
        /^\| 200,000 packets live at [\d,]+ packets\/s: lost, peak memory \| [\d.]+ %, \d+ MB/m,
      ]
    ) assert.match(text, row);
  },
});
