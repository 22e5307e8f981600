/**
 * netpeek prints the very bytes recorded in tests/fixtures/golden for every fixture capture
 * in every output mode. The files were recorded with the code before the fast output paths
 * (scripts/make_golden.ts --root on a checkout of that commit), so a speed-up that changes
 * a single byte fails here. After an intended change of output, record them again with
 * `deno run --allow-run --allow-read --allow-write scripts/make_golden.ts` and say why in the
 * commit.
 */

import assert from "node:assert/strict";
import { goldenPath, gunzip, MODES, recordMode } from "../scripts/make_golden.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** The modes run again with the printing worker forced on (every pcap fixture uses it). */
const WORKER_MODES = ["text", "detail", "absolute", "json"];

for (const [mode, options] of Object.entries(MODES)) {
  Deno.test(`output in mode ${mode} (${options.join(" ") || "text"}) equals the golden file`, async () => {
    await compare(mode, await recordMode(ROOT, options));
  });
  if (!WORKER_MODES.includes(mode)) continue;
  Deno.test(`output in mode ${mode}, printed on the worker, equals the golden file`, async () => {
    await compare(mode, await recordMode(ROOT, options, { NETPEEK_PRINT_WORKER: "1" }));
  });
}

/** Fails at the first line of `actual` that differs from mode's golden file. */
async function compare(mode: string, actual: string): Promise<void> {
  const expected = await gunzip(goldenPath(mode));
  if (actual === expected) return;
  // Point at the first differing line rather than dumping megabytes.
  const want = expected.split("\n");
  const got = actual.split("\n");
  const line = want.findIndex((text, i) => text !== got[i]);
  const fixture = want.slice(0, line + 1).findLast((text) => text.startsWith("=== "));
  assert.fail(
    `${fixture}, line ${line + 1}:\n  golden: ${want[line]}\n  now:    ${got[line]}`,
  );
}
