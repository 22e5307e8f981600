/**
 * What `deno task capture` runs: netpeek from its bundle (`deno task build`), which starts
 * sooner than the 100 modules of the sources, while the bundle is as new as the sources (the
 * sizes and times it lists match); from the sources otherwise, so that an edit is never run
 * stale. `main.ts` always runs the sources. Both imports are computed, so that neither is
 * loaded, nor its module graph built, unless taken: this needs `--allow-read`.
 * @module
 */

/** What either entry exports (`src/cli/run.ts`). */
interface NetpeekEntry {
  runNetpeek(args: string[]): Promise<number>;
}

/**
 * The bundle's directory from the repository's root, its sources' list and its entry (the
 * command line's module, which exports `runNetpeek`), as `scripts/build.ts` makes them.
 */
export const BUNDLE_DIR = "dist/bundle/";
export const SOURCES_FILE = "sources.json";
export const BUNDLE_ENTRY = "cli/run.js";
const SOURCE_ENTRY = "src/cli/run.ts";

/**
 * Whether the bundle in `bundleDir` lists sources under `root` (both absolute paths ending in
 * `/`) that all still have the size and time it lists; false when it cannot tell (no bundle, a
 * list that is not one). Needs permission to read both.
 */
export function bundleIsFresh(root: string, bundleDir: string): boolean {
  let sources: unknown;
  try {
    sources = JSON.parse(Deno.readTextFileSync(`${bundleDir}${SOURCES_FILE}`));
  } catch {
    return false;
  }
  if (!Array.isArray(sources) || sources.length === 0) return false;
  for (const source of sources) {
    if (!Array.isArray(source) || typeof source[0] !== "string") return false;
    try {
      const info = Deno.statSync(`${root}${source[0]}`);
      if (info.size !== source[1] || (info.mtime?.getTime() ?? 0) !== source[2]) return false;
    } catch {
      return false;
    }
  }
  return true;
}

if (import.meta.main) {
  const root = decodeURIComponent(new URL(".", import.meta.url).pathname);
  if (Deno.permissions.querySync({ name: "read", path: root }).state !== "granted") {
    console.error(
      "netpeek: netpeek.ts needs --allow-read (the capture task grants it); or run main.ts",
    );
    Deno.exit(1);
  }
  const entry = bundleIsFresh(root, `${root}${BUNDLE_DIR}`)
    ? `${BUNDLE_DIR}${BUNDLE_ENTRY}`
    : SOURCE_ENTRY;
  const { runNetpeek }: NetpeekEntry = await import(new URL(entry, import.meta.url).href);
  Deno.exit(await runNetpeek(Deno.args));
}
