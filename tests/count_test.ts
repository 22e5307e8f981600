/**
 * `deno task count` (scripts/count.ts) counts a netpeek run's instructions in Valgrind. What
 * makes a count worth more than a timing for small changes is that it repeats: the tests hold
 * it to that, and to growing with the packets read.
 */

import assert from "node:assert/strict";
import { makeCapture } from "../scripts/bench.ts";
import { CountError, countInstructions, countTable, fillCodeCache } from "../scripts/count.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("an instruction count repeats, and grows with the packets read", async () => {
  const capture = Deno.makeTempFileSync({ suffix: ".pcap" });
  try {
    makeCapture(capture, 400);
    await fillCodeCache(ROOT, capture, ["--json"]);
    const first = await countInstructions(ROOT, capture, ["-c", "1", "--json"]);
    const second = await countInstructions(ROOT, capture, ["-c", "1", "--json"]);
    const all = await countInstructions(ROOT, capture, ["--json"]);
    assert.ok(first > 100e6, `${first} instructions for a start-up`);
    assert.ok(Math.abs(first - second) / first < 0.001, `${first} against ${second}`);
    assert.ok(all > first * 1.05, `400 packets ${all}, one packet ${first}`);
    // A run that fails says why, in netpeek's words.
    await assert.rejects(
      () => countInstructions(ROOT, capture, ["--no-such-flag"]),
      (error: Error) =>
        error instanceof CountError && /netpeek: .*no-such-flag/.test(error.message),
    );
  } finally {
    Deno.removeSync(capture);
  }
});

Deno.test("the count's table: start-up, past start-up, a packet's share, and now against before", () => {
  const now = { startUp: 300e6, past: [1_000e6, 1_600e6] };
  const before = { startUp: 200e6, past: [800e6, 1_200e6] };
  const lines = countTable([20_000, 60_000], now, before).split("\n").map((line) =>
    line.trim().split(/\s{2,}/)
  );
  assert.deepEqual(lines[0], [
    "start-up",
    "20000 packets",
    "60000 packets",
    "a packet, 20000-60000",
  ]);
  assert.deepEqual(lines[1], ["now", "300.0 M", "1000.0 M", "1600.0 M", "15,000"]);
  assert.deepEqual(lines[2], ["before", "200.0 M", "800.0 M", "1200.0 M", "10,000"]);
  assert.deepEqual(lines[3], ["now/before", "1.500x", "1.250x", "1.333x", "1.500x"]);
});
