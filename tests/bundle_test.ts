/**
 * The bundle `deno task capture` runs (`scripts/build.ts`, `netpeek.ts`): it prints what the
 * sources print, its workers included, and it is run only while the sources are those it was
 * made from.
 */

import assert from "node:assert/strict";
import { makeCapture } from "../scripts/bench.ts";
import { buildBundle, relativePath, type SourceStamp, stampSources } from "../scripts/build.ts";
import { BUNDLE_DIR, BUNDLE_ENTRY, bundleIsFresh, SOURCES_FILE } from "../netpeek.ts";
import { PERMISSIONS } from "./netpeek_process.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const LAUNCHER = `${ROOT}netpeek.ts`;

/** Runs `deno` with `args` to its end: its status and what it printed. */
async function runDeno(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("relativePath: from a chunk's directory to a worker's bundled module", () => {
  assert.equal(relativePath("/b", "/b/cli/print_worker.js"), "./cli/print_worker.js");
  assert.equal(relativePath("/b/cli", "/b/cli/print_worker.js"), "./print_worker.js");
  assert.equal(relativePath("/b/cli", "/b/ffi/capture_thread.js"), "../ffi/capture_thread.js");
  assert.equal(relativePath("/b/a/c", "/b/x.js"), "../../x.js");
});

Deno.test("the bundle prints what the sources print: text, -v, and JSON on two threads", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netpeek-bundle-" });
  try {
    const count = await buildBundle(`${dir}/bundle`);
    assert.ok(count > 100, `${count} sources`);
    // Each worker's module as its spawner names it in the bundle: a file that is there. (A
    // worker that cannot load leaves netpeek printing on one thread, the same lines.)
    const spawned = new Set<string>();
    for (const entry of Deno.readDirSync(`${dir}/bundle`)) {
      if (!entry.name.endsWith(".js")) continue;
      const text = Deno.readTextFileSync(`${dir}/bundle/${entry.name}`);
      for (const match of text.matchAll(/new URL\("([^"]+)", import\.meta\.url\)/g)) {
        assert.ok(Deno.statSync(`${dir}/bundle/${match[1]}`).isFile, match[1]);
        spawned.add(match[1]);
      }
    }
    assert.deepEqual([...spawned].sort(), ["./cli/print_worker.js", "./ffi/capture_thread.js"]);
    const capture = `${dir}/mixed.pcap`;
    makeCapture(capture, 20_000, 7);
    const runner = `${dir}/runner.ts`;
    Deno.writeTextFileSync(
      runner,
      "const { runNetpeek } = await import(Deno.args[0]);\n" +
        "Deno.exit(await runNetpeek(Deno.args.slice(1)));\n",
    );
    const bundle = new URL(`file://${dir}/bundle/${BUNDLE_ENTRY}`).href;
    const sources = new URL(`file://${ROOT}src/cli/run.ts`).href;
    const modes: [string[], Record<string, string>][] = [
      [[], {}],
      [["-v"], {}],
      // The print worker, spawned from a chunk: its URL is the one the build rewrote.
      [["--json"], { NETPEEK_PRINT_WORKER: "1" }],
    ];
    for (const [mode, env] of modes) {
      const args = ["-r", capture, ...mode];
      const withRunner = ["run", ...PERMISSIONS, runner];
      const fromSources = await runDeno([...withRunner, sources, ...args], { TZ: "UTC", ...env });
      const fromBundle = await runDeno([...withRunner, bundle, ...args], { TZ: "UTC", ...env });
      assert.equal(fromSources.code, 0, fromSources.stderr);
      assert.equal(fromBundle.code, 0, fromBundle.stderr);
      assert.ok(fromSources.stdout.split("\n").length > 20_000, `${mode}: too few lines`);
      assert.ok(fromBundle.stdout === fromSources.stdout, `${mode.join(" ")}: outputs differ`);
      assert.equal(fromBundle.stderr, fromSources.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bundle is fresh while every source it lists has its size and time", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netpeek-fresh-" });
  try {
    const sources = stampSources();
    assert.ok(sources.some(([path]) => path === "src/cli/run.ts"));
    const write = (stamps: unknown) =>
      Deno.writeTextFileSync(`${dir}/${SOURCES_FILE}`, JSON.stringify(stamps));
    assert.equal(bundleIsFresh(ROOT, `${dir}/`), false, "no list: not fresh");
    write(sources);
    assert.equal(bundleIsFresh(ROOT, `${dir}/`), true);
    const [path, size, modified] = sources[0];
    const changed: SourceStamp[] = [[path, size + 1, modified], ...sources.slice(1)];
    write(changed);
    assert.equal(bundleIsFresh(ROOT, `${dir}/`), false, "a size that differs");
    write([[path, size, modified + 1], ...sources.slice(1)]);
    assert.equal(bundleIsFresh(ROOT, `${dir}/`), false, "a time that differs");
    write([["src/no_such_module.ts", 1, 1], ...sources]);
    assert.equal(bundleIsFresh(ROOT, `${dir}/`), false, "a source gone");
    write([]);
    assert.equal(bundleIsFresh(ROOT, `${dir}/`), false, "an empty list");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("netpeek.ts runs the bundle while it is fresh, the sources once one changes", async () => {
  // A root of its own: netpeek.ts beside a one-line "bundle" and "sources", each saying which
  // it is, so that which one ran shows.
  const root = await Deno.makeTempDir({ prefix: "netpeek-launcher-" });
  try {
    Deno.copyFileSync(LAUNCHER, `${root}/netpeek.ts`);
    Deno.mkdirSync(`${root}/src/cli`, { recursive: true });
    const bundleDir = `${root}/${BUNDLE_DIR}`;
    const bundleEntry = `${bundleDir}${BUNDLE_ENTRY}`;
    Deno.mkdirSync(bundleEntry.slice(0, bundleEntry.lastIndexOf("/")), { recursive: true });
    const entry = (name: string) =>
      `export function runNetpeek(args: string[]) { console.log("${name}", ...args); ` +
      `return Promise.resolve(0); }\n`;
    Deno.writeTextFileSync(`${root}/src/cli/run.ts`, entry("sources"));
    Deno.writeTextFileSync(
      bundleEntry,
      entry("bundle").replace(": string[]", ""),
    );
    Deno.writeTextFileSync(
      `${bundleDir}${SOURCES_FILE}`,
      JSON.stringify(stampSources(`${root}/`)),
    );
    const run = async (permissions: string[]) => {
      const result = await runDeno(["run", ...permissions, `${root}/netpeek.ts`, "-c", "1"]);
      return { code: result.code, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
    };
    assert.deepEqual(await run(PERMISSIONS), { code: 0, stdout: "bundle -c 1", stderr: "" });
    Deno.writeTextFileSync(`${root}/src/cli/run.ts`, entry("sources") + "// edited\n");
    assert.deepEqual(await run(PERMISSIONS), { code: 0, stdout: "sources -c 1", stderr: "" });
    // Without --allow-read neither can be imported: one line, exit 1, no prompt.
    const denied = await run(PERMISSIONS.filter((flag) => flag !== "--allow-read"));
    assert.equal(denied.code, 1);
    assert.equal(denied.stdout, "");
    assert.match(denied.stderr, /^netpeek: netpeek\.ts needs --allow-read .*$/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
