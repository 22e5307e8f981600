/**
 * `deno task compile` builds the single executable users download. It needs Deno's runtime
 * (`denort`), which `deno compile` downloads; where that download is impossible the test is
 * reported as skipped for exactly that reason, and nothing pretends to pass.
 */

import assert from "node:assert/strict";
import { makeCapture } from "../scripts/bench.ts";
import { runNetpeek } from "./netpeek_process.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const BINARY = `${ROOT}dist/netpeek`;

const build = await new Deno.Command(Deno.execPath(), {
  args: ["task", "compile"],
  cwd: ROOT,
  env: { NO_COLOR: "1" },
  stdout: "piped",
  stderr: "piped",
}).output();
const buildLog = new TextDecoder().decode(build.stderr);
const runtimeUnreachable = !build.success &&
  /denort|error sending request|dns error|Connect/.test(buildLog);
if (runtimeUnreachable) {
  console.log(
    "skipped: runtime not downloadable here (deno compile could not fetch denort: " +
      `${buildLog.match(/error sending request[^\n]*/)?.[0] ?? "download failed"})`,
  );
}

Deno.test({
  name: "deno task compile builds dist/netpeek, which runs without Deno",
  ignore: runtimeUnreachable,
  fn: async () => {
    assert.ok(build.success, `deno task compile failed:\n${buildLog}`);
    const version = await new Deno.Command(BINARY, { args: ["--version"], stdout: "piped" })
      .output();
    assert.equal(version.code, 0);
    assert.match(new TextDecoder().decode(version.stdout), /^netpeek \d+\.\d+\.\d+\nlibpcap/);
    const missing = await new Deno.Command(BINARY, {
      args: ["-i", "eth9"],
      stderr: "piped",
    }).output();
    assert.equal(missing.code, 1);
    assert.equal(
      new TextDecoder().decode(missing.stderr),
      "netpeek: eth9: no such device; see --list-interfaces\n",
    );
    // The printing worker's module is in the binary (--include): a large file prints as
    // `deno run` prints it.
    const capture = await Deno.makeTempFile({ suffix: ".pcap" });
    try {
      makeCapture(capture, 20_000);
      const env = { NETPEEK_PRINT_WORKER: "1", TZ: "UTC" };
      const compiled = await new Deno.Command(BINARY, {
        args: ["-r", capture, "--json"],
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(compiled.code, 0, new TextDecoder().decode(compiled.stderr));
      const script = await runNetpeek(["-r", capture, "--json"], { env });
      assert.equal(new TextDecoder().decode(compiled.stdout), script.stdout);
    } finally {
      await Deno.remove(capture);
    }
  },
});

Deno.test({
  name: "deno task release builds every platform's binary and SHA256SUMS",
  ignore: runtimeUnreachable,
  fn: async () => {
    const release = await new Deno.Command(Deno.execPath(), {
      args: ["task", "release"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(release.success, new TextDecoder().decode(release.stderr));
    const sums = (await Deno.readTextFile(`${ROOT}dist/SHA256SUMS`)).trimEnd().split("\n");
    assert.equal(sums.length, 5);
    for (const line of sums) assert.match(line, /^[0-9a-f]{64} {2}netpeek-\d+\.\d+\.\d+-\S+$/);
  },
});
