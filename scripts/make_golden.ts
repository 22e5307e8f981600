/**
 * Records what netpeek prints for every fixture capture in each output mode (text, `-v -e
 * -X`, JSON, `--stats`, reassembly), so that a change meant only to make output faster can
 * be checked to print the very same bytes: tests/golden_test.ts compares against these files.
 *
 * `--root DIR` runs the `main.ts` of another checkout (for instance a `git worktree` of the
 * commit before a change) while reading this checkout's fixtures and writing its golden
 * files; `--check` compares instead of writing and exits 1 on a difference.
 *
 * Run: `deno run --allow-run --allow-read --allow-write scripts/make_golden.ts [--root DIR]`
 * @module
 */

import { parseArgs } from "node:util";
import { taskArgs } from "./task_args.ts";

const HERE = new URL("..", import.meta.url).pathname;
const FIXTURES = `${HERE}tests/fixtures/`;
const GOLDEN = `${FIXTURES}golden/`;

/** Each mode's command-line options. */
export const MODES: Readonly<Record<string, readonly string[]>> = {
  text: [],
  detail: ["-v", "-e", "-X"],
  absolute: ["-S"],
  json: ["--json"],
  stats: ["--stats"],
  "stats-json": ["--stats", "--json"],
  reassemble: ["--reassemble", "-v"],
  "reassemble-json": ["--reassemble", "--json"],
};

/** The fixture captures, in a fixed order. */
export function fixtureNames(): string[] {
  return [...Deno.readDirSync(FIXTURES)]
    .filter((entry) => entry.isFile && /\.pcap(ng)?$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** What `main.ts` under `root` prints for each fixture in a mode, with its exit status. */
export async function recordMode(
  root: string,
  options: readonly string[],
  env: Record<string, string> = {},
): Promise<string> {
  let record = "";
  for (const name of fixtureNames()) {
    // Run in the fixtures' directory, so that messages name the file as the golden files do
    // wherever the checkout lies.
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", `${root}main.ts`, "-r", name, ...options],
      cwd: FIXTURES,
      env: { TZ: "UTC", NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    record += `=== ${name} (exit ${output.code})\n${decoder.decode(output.stdout)}` +
      `--- stderr\n${decoder.decode(output.stderr)}`;
  }
  return record;
}

/** The golden file of a mode, gzipped (JSON output compresses about tenfold). */
export function goldenPath(mode: string): string {
  return `${GOLDEN}${mode}.txt.gz`;
}

/** Gzips text. */
export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Reads a gzipped text file. */
export async function gunzip(path: string): Promise<string> {
  const file = await Deno.open(path);
  const stream = file.readable.pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).text();
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: taskArgs(),
    options: { root: { type: "string" }, check: { type: "boolean" } },
  });
  const root = values.root === undefined ? HERE : values.root.replace(/\/?$/, "/");
  await Deno.mkdir(GOLDEN, { recursive: true });
  let differences = 0;
  for (const [mode, options] of Object.entries(MODES)) {
    const record = await recordMode(root, options);
    if (values.check) {
      const same = record === await gunzip(goldenPath(mode));
      if (!same) differences++;
      console.log(`${mode}: ${same ? "same" : "DIFFERENT"}`);
    } else {
      await Deno.writeFile(goldenPath(mode), await gzip(record));
      console.log(`${mode}: ${record.length} characters`);
    }
  }
  if (differences > 0) Deno.exit(1);
}
