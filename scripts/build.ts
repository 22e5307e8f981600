/**
 * Bundles netpeek for `deno task capture` (`netpeek.ts`): the command line and the two
 * workers' modules, split into shared chunks by `deno bundle` (esbuild), into `dist/bundle/`.
 * Loading some 25 files instead of some 100 modules starts netpeek sooner (docs/performance.md,
 * "Later (2026-12-06, twenty-first session)"). The bundle lists the sources it was made from,
 * with their sizes and times, so that `netpeek.ts` runs it only while none has changed.
 *
 * ```sh
 * deno task build [--outdir DIR]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
// Named once, where the launcher reads them (it imports nothing, to start fast).
import { BUNDLE_DIR, SOURCES_FILE } from "../netpeek.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Where the bundle goes unless `--outdir` says otherwise. */
const DEFAULT_OUT_DIR = `${ROOT}${BUNDLE_DIR.replace(/\/$/, "")}`;

/** The entry points: the command line, and the modules the two workers run. */
const ENTRIES = ["src/cli/run.ts", "src/cli/print_worker.ts", "src/ffi/capture_thread.ts"];

/**
 * Each worker's module as its spawner names it, and the bundled file it becomes: esbuild keeps
 * `new URL("./x.ts", import.meta.url)` as it is, pointing beside whichever chunk holds it.
 */
const WORKERS: readonly [string, string][] = [
  ['new URL("./print_worker.ts", import.meta.url)', "cli/print_worker.js"],
  ['new URL("./capture_thread.ts", import.meta.url)', "ffi/capture_thread.js"],
];

/** One source the bundle was made from: its path from the root, size and modification time. */
export type SourceStamp = [path: string, size: number, modified: number];

/** Why a bundle could not be made. */
export class BuildError extends Error {
  override name = "BuildError";
}

/** Every file under `dir`, recursively, as full paths. */
function filesUnder(dir: string, files: string[] = []): string[] {
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) filesUnder(path, files);
    else if (entry.isFile) files.push(path);
  }
  return files;
}

/** Whether something is at `path`. */
export function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The path from directory `from` to file `to`, both absolute, as an import writes it. */
export function relativePath(from: string, to: string): string {
  const fromParts = from.split("/").filter(Boolean);
  const toParts = to.split("/").filter(Boolean);
  let common = 0;
  while (common < fromParts.length && fromParts[common] === toParts[common]) common++;
  const up = fromParts.length - common;
  return (up === 0 ? "./" : "../".repeat(up)) + toParts.slice(common).join("/");
}

/** The sizes and times of every TypeScript source under `src/`, sorted by path. */
export function stampSources(root = ROOT): SourceStamp[] {
  return filesUnder(`${root}src`).filter((path) => path.endsWith(".ts")).sort().map((path) => {
    const info = Deno.statSync(path);
    return [path.slice(root.length), info.size, info.mtime?.getTime() ?? 0];
  });
}

/**
 * Bundles netpeek into `outDir` (replaced whole: it is made beside and renamed, so that a
 * netpeek starting meanwhile finds the old bundle or none); returns how many sources it lists.
 * Throws `BuildError`.
 */
export async function buildBundle(outDir = DEFAULT_OUT_DIR): Promise<number> {
  const sources = stampSources();
  const parent = outDir.slice(0, outDir.lastIndexOf("/"));
  Deno.mkdirSync(parent, { recursive: true });
  const staging = Deno.makeTempDirSync({ dir: parent, prefix: ".bundle-" });
  try {
    const result = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "deno",
        "--code-splitting",
        "--outdir",
        staging,
        ...ENTRIES.map((entry) => `${ROOT}${entry}`),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!result.success) {
      const reason = new TextDecoder().decode(result.stderr).trim().split("\n").at(-1);
      throw new BuildError(`deno bundle failed: ${reason}`);
    }
    const scripts = filesUnder(staging).filter((path) => path.endsWith(".js"));
    for (const [spawned, bundled] of WORKERS) {
      // A worker that cannot load is not an error to netpeek (it prints on one thread then),
      // so a path to nothing here would pass unseen.
      if (!existsSync(`${staging}/${bundled}`)) {
        throw new BuildError(`${bundled} is not in the bundle: ${spawned} cannot be pointed at it`);
      }
      let found = 0;
      for (const script of scripts) {
        const text = Deno.readTextFileSync(script);
        if (!text.includes(spawned)) continue;
        const from = script.slice(0, script.lastIndexOf("/"));
        const target = relativePath(from, `${staging}/${bundled}`);
        Deno.writeTextFileSync(
          script,
          text.replaceAll(spawned, `new URL(${JSON.stringify(target)}, import.meta.url)`),
        );
        found++;
      }
      if (found === 0) throw new BuildError(`no chunk spawns ${spawned}: the bundle cannot run`);
    }
    Deno.writeTextFileSync(`${staging}/${SOURCES_FILE}`, JSON.stringify(sources));
  } catch (error) {
    Deno.removeSync(staging, { recursive: true });
    throw error;
  }
  try {
    Deno.removeSync(outDir, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  Deno.renameSync(staging, outDir);
  return sources.length;
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { outdir: { type: "string" } } });
  const given = values.outdir?.replace(/(.)\/+$/, "$1");
  const outDir = given === undefined
    ? DEFAULT_OUT_DIR
    : given.startsWith("/")
    ? given
    : `${Deno.cwd()}/${given}`;
  try {
    const count = await buildBundle(outDir);
    console.log(`bundled netpeek from ${count} sources into ${outDir}`);
  } catch (error) {
    console.error(`build: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
