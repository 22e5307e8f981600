/**
 * The layers of `src` import downward only (docs/architecture.md): this reads every import
 * statement under `src` and fails on one that goes the wrong way.
 */

import assert from "node:assert/strict";

const SRC = new URL("../src/", import.meta.url);
const DENO_JSON = new URL("../deno.json", import.meta.url).href;

/**
 * What each part of `src` may import besides itself. `frame.ts`, `user_error.ts`,
 * `start_worker.ts` and `pages_ahead.ts` are leaves that import nothing; `cli` and `lib` sit on top and may import anything below
 * (lib never imports cli).
 */
const ALLOWED: Record<string, readonly string[]> = {
  "frame.ts": [],
  "user_error.ts": [],
  "start_worker.ts": [],
  "pages_ahead.ts": [],
  decode: [],
  // The interface list formats its addresses as the decoder does (decode/address.ts alone).
  ffi: ["frame.ts", "user_error.ts", "start_worker.ts", "pages_ahead.ts", "decode/address.ts"],
  file: ["frame.ts", "user_error.ts"],
  analysis: ["frame.ts", "decode"],
  filter: ["frame.ts", "user_error.ts", "decode", "analysis"],
  output: ["frame.ts", "user_error.ts", "decode", "analysis", "filter"],
  tui: [
    "frame.ts",
    "user_error.ts",
    "pages_ahead.ts",
    "decode",
    "file",
    "analysis",
    "filter",
    "output",
  ],
  lib: ["frame.ts", "user_error.ts", "decode", "ffi", "file", "analysis", "filter", "output"],
  cli: [
    "frame.ts",
    "user_error.ts",
    "start_worker.ts",
    "decode",
    "ffi",
    "file",
    "analysis",
    "filter",
    "output",
    "tui",
  ],
};

/** The part of `src` a path under it belongs to: its top folder, or the file at the top. */
function partOf(path: string): string {
  return path.split("/")[0];
}

/** Whether `target` (a path under src) is one of the allowed entries. */
function allowed(from: string, target: string): boolean {
  const part = partOf(from);
  if (partOf(target) === part) return true;
  return ALLOWED[part].some((entry) => target === entry || partOf(target) === entry);
}

/** The import and export-from specifiers of a module's code (comments and examples skipped). */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specifiers: string[] = [];
  const pattern = /^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm;
  for (const match of code.matchAll(pattern)) specifiers.push(match[1]);
  for (const match of code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) specifiers.push(match[1]);
  for (const match of code.matchAll(/new URL\(\s*"(\.[^"]+\.ts)",\s*import\.meta\.url/g)) {
    specifiers.push(match[1]);
  }
  return specifiers;
}

function* modules(dir: URL, prefix = ""): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.isDirectory) {
      yield* modules(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`);
    } else if (entry.name.endsWith(".ts")) yield `${prefix}${entry.name}`;
  }
}

/** Every import under src that goes against the layers, as "from -> target". */
function violations(): { checked: number; wrong: string[] } {
  const wrong: string[] = [];
  let checked = 0;
  for (const path of modules(SRC)) {
    for (const specifier of importsOf(Deno.readTextFileSync(new URL(path, SRC)))) {
      if (!specifier.startsWith(".")) continue; // node: built-ins and npm packages
      const href = new URL(specifier, new URL(path, SRC)).href;
      checked++;
      if (!href.startsWith(SRC.href)) {
        // Only the version, read from deno.json, comes from outside src.
        if (!(path === "cli/version.ts" && href === DENO_JSON)) wrong.push(`${path} -> ${href}`);
        continue;
      }
      const target = href.slice(SRC.href.length);
      if (!ALLOWED[partOf(path)]) wrong.push(`${path}: not in a known layer`);
      else if (!allowed(path, target)) wrong.push(`${path} -> ${target}`);
    }
  }
  return { checked, wrong };
}

Deno.test("src imports downward only, as docs/architecture.md draws the layers", () => {
  const { checked, wrong } = violations();
  // A reader that found no imports would pass vacuously: src has hundreds.
  assert.ok(checked > 200, `only ${checked} imports read`);
  assert.deepEqual(wrong, []);
});

Deno.test("the import reader sees what a wrong import looks like", () => {
  const module = `/**
 * @example
 * \`\`\`ts
 * import { decode } from "../decode/mod.ts";
 * \`\`\`
 */
import { Decoder } from "../decode/mod.ts";
import type { TcpAnalysis } from "../analysis/tcp_analysis.ts";
export { writeJson } from "../output/json_writer.ts";
import {
  a,
  b,
} from "./near.ts";
// import { gone } from "../cli/run.ts";
const worker = new URL("./print_worker.ts", import.meta.url);
`;
  assert.deepEqual(importsOf(module), [
    "../decode/mod.ts",
    "../analysis/tcp_analysis.ts",
    "../output/json_writer.ts",
    "./near.ts",
    "./print_worker.ts",
  ]);
  assert.equal(allowed("decode/ipv4.ts", "analysis/flows.ts"), false);
  assert.equal(allowed("output/text.ts", "cli/args.ts"), false);
  assert.equal(allowed("ffi/capture.ts", "output/timestamp.ts"), false);
  assert.equal(allowed("ffi/interfaces.ts", "decode/address.ts"), true);
  assert.equal(allowed("ffi/interfaces.ts", "decode/packet.ts"), false);
  assert.equal(allowed("output/text.ts", "decode/tcp.ts"), true);
  assert.equal(allowed("frame.ts", "decode/tcp.ts"), false);
});

Deno.test("start-up loads neither output mode's writers: each run loads its own when it starts", async () => {
  // loadPacketFormatter imports one of them; loaded at start-up, a JSON run would load the text's
  // some 40 modules for nothing (docs/performance.md, "Later (2026-12-06, nineteenth session)").
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("../main.ts", import.meta.url).pathname],
    stdout: "piped",
  }).output();
  assert.ok(output.success);
  const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    roots: string[];
    modules: {
      specifier: string;
      dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
    }[];
  };
  const modules = new Map(graph.modules.map((module) => [module.specifier, module]));
  const loaded = new Set<string>();
  const visit = (specifier: string) => {
    if (loaded.has(specifier)) return;
    loaded.add(specifier);
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      if (dependency.code !== undefined && !dependency.isDynamic) visit(dependency.code.specifier);
    }
  };
  visit(graph.roots[0]);
  const loadedHere = (path: string) => loaded.has(new URL(path, SRC).href);
  assert.ok(
    loadedHere("cli/print_format.ts") && loadedHere("decode/mod.ts"),
    "the walk found nothing",
  );
  assert.equal(loadedHere("output/text.ts"), false, "text.ts is loaded at start-up");
  assert.equal(loadedHere("output/json_writer.ts"), false, "json_writer.ts is loaded at start-up");
});
