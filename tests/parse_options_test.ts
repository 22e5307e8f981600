/**
 * netpeek's option parser against `node:util`'s `parseArgs` (strict, positionals allowed),
 * which it replaces: the same values and positionals, or the same first sentence of the
 * error, on generated command lines of netpeek's own options and of a small set with every
 * kind (string, boolean, repeated, with and without a short letter).
 */

import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { OPTIONS } from "../src/cli/args.ts";
import { type OptionSpec, parseOptions } from "../src/cli/parse_options.ts";

const SMALL = {
  count: { type: "string", short: "c" },
  verbose: { type: "boolean", short: "v", multiple: true },
  field: { type: "string", multiple: true },
  json: { type: "boolean" },
  X: { type: "boolean", short: "X" },
  n: { type: "boolean", short: "n" },
} as const;

/** What each parser makes of `args`: its values and positionals, or its error's first sentence. */
function outcome(parse: () => { values: object; positionals: string[] }): unknown {
  try {
    const { values, positionals } = parse();
    return { values: { ...values }, positionals };
  } catch (error) {
    // netpeek shows the first sentence (src/cli/args.ts): what has to agree.
    return (error as Error).message.split(/\. |\n/)[0].replace(/\.$/, "");
  }
}

function agree(options: Record<string, OptionSpec>, args: string[]): void {
  assert.deepEqual(
    outcome(() => parseOptions(args, options)),
    outcome(() => parseArgs({ args, options, strict: true, allowPositionals: true })),
    JSON.stringify(args),
  );
}

/** Words a command line is made of: options in every form, values, stray dashes. */
function words(options: Record<string, OptionSpec>): fc.Arbitrary<string> {
  const longs = Object.keys(options).filter((name) => name.length > 1);
  const shorts = Object.values(options).flatMap((spec) => spec.short ?? []);
  return fc.oneof(
    fc.constantFrom(...longs).map((name) => `--${name}`),
    fc.tuple(fc.constantFrom(...longs), fc.constantFrom("", "5", "-5", "x=y")).map(
      ([name, value]) => `--${name}=${value}`,
    ),
    fc.constantFrom(...shorts).map((letter) => `-${letter}`),
    fc.array(fc.constantFrom(...shorts, "z", "5"), { minLength: 2, maxLength: 4 }).map(
      (letters) => `-${letters.join("")}`,
    ),
    fc.constantFrom("lo", "eth0", "5", "-5", "-", "--", "---", "--=x", "--bogus", "-Z9", "tcp"),
  );
}

Deno.test("parseOptions agrees with parseArgs on netpeek's options", () => {
  fc.assert(
    fc.property(fc.array(words(OPTIONS), { maxLength: 7 }), (args) => agree(OPTIONS, args)),
    { numRuns: 4000, seed: 16 },
  );
});

Deno.test("parseOptions agrees with parseArgs on a small set of every kind", () => {
  fc.assert(
    fc.property(fc.array(words(SMALL), { maxLength: 7 }), (args) => agree(SMALL, args)),
    { numRuns: 4000, seed: 17 },
  );
  // The cases the command line's messages depend on, spelled out (not left to chance).
  for (
    const args of [
      ["--bogus"],
      ["-c"],
      ["-c", "-5"],
      ["-c-5"],
      ["--json=1"],
      ["-vvX", "-c5", "lo"],
      ["-vc", "5"],
      ["--", "-c", "x"],
      ["--field", "ip.src", "--field=tcp.port"],
    ]
  ) agree(SMALL, args);
  assert.deepEqual(parseOptions(["-vvc5"], SMALL).values, { verbose: [true, true], count: "5" });
});
