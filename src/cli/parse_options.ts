/**
 * Command-line options parsed as `node:util`'s `parseArgs` parses them in strict mode with
 * positionals allowed: `--name value`, `--name=value`, `-n value`, `-nvalue`, grouped short
 * booleans (`-nvX`), repeated options (`multiple`), and `--` ending the options. Its own,
 * because loading `node:util` loads Node's compatibility layer: some 20 ms of every run's
 * start. tests/parse_options_test.ts holds it to `parseArgs` (values, positionals and the
 * first sentence of each error) on generated command lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseOptions } from "./parse_options.ts";
 * const options = {
 *   count: { type: "string", short: "c" },
 *   verbose: { type: "boolean", short: "v", multiple: true },
 * } as const;
 * const { values, positionals } = parseOptions(["-vvc5", "lo"], options);
 * assert.deepEqual(values, { verbose: [true, true], count: "5" });
 * assert.deepEqual(positionals, ["lo"]);
 * assert.throws(
 *   () => parseOptions(["--counts"], options),
 *   /^OptionError: Unknown option '--counts'$/,
 * );
 * ```
 * @module
 */

/** One option: a string that takes a value, or a boolean flag; `multiple` keeps each. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
}

type OptionValue<Spec extends OptionSpec> = Spec["type"] extends "string"
  ? Spec extends { multiple: true } ? string[] : string
  : Spec extends { multiple: true } ? boolean[]
  : boolean;

/** The values given, by option name (absent when not given). */
export type OptionValues<Options extends Record<string, OptionSpec>> = {
  [Name in keyof Options]?: OptionValue<Options[Name]>;
};

/**
 * What is wrong with the command line: `message` is `parseArgs`'s first sentence (`Unknown
 * option '--bogus'`, `Option '-c, --count <value>' argument missing`).
 */
export class OptionError extends Error {
  override name = "OptionError";
}

/** One option as given: its name, how it was written, and its value. */
interface OptionToken {
  name: string;
  rawName: string;
  value: string | undefined;
  inlineValue: boolean;
}

/** Parses `args` against `options`; throws `OptionError`. */
export function parseOptions<Options extends Record<string, OptionSpec>>(
  args: readonly string[],
  options: Options,
): { values: OptionValues<Options>; positionals: string[] } {
  const specs: Record<string, OptionSpec | undefined> = options;
  const longFor = (short: string): string => {
    for (const name in specs) if (specs[name]!.short === short) return name;
    return short;
  };
  const takesValue = (name: string) => Object.hasOwn(specs, name) && specs[name]!.type === "string";
  const tokens: OptionToken[] = [];
  const positionals: string[] = [];
  const remaining = [...args];
  while (remaining.length > 0) {
    const arg = remaining.shift()!;
    const next = remaining[0];
    if (arg === "--") {
      positionals.push(...remaining);
      break;
    }
    const short = arg.length >= 2 && arg[0] === "-" && arg[1] !== "-";
    if (short && arg.length === 2) {
      const name = longFor(arg[1]);
      const value = takesValue(name) && next !== undefined ? remaining.shift() : undefined;
      tokens.push({ name, rawName: arg, value, inlineValue: false });
    } else if (short) {
      const name = longFor(arg[1]);
      if (takesValue(name)) {
        tokens.push({ name, rawName: `-${arg[1]}`, value: arg.slice(2), inlineValue: true });
      } else {
        // A group of flags: each its own, a value-taking one taking the rest as its value.
        const expanded: string[] = [];
        for (let index = 1; index < arg.length; index++) {
          const letter = arg[index];
          if (!takesValue(longFor(letter)) || index === arg.length - 1) {
            expanded.push(`-${letter}`);
          } else {
            expanded.push(`-${arg.slice(index)}`);
            break;
          }
        }
        remaining.unshift(...expanded);
      }
    } else if (arg.length > 2 && arg.startsWith("--")) {
      const equals = arg.indexOf("=", 3);
      if (equals < 0) {
        const name = arg.slice(2);
        const value = takesValue(name) && next !== undefined ? remaining.shift() : undefined;
        tokens.push({ name, rawName: arg, value, inlineValue: false });
      } else {
        tokens.push({
          name: arg.slice(2, equals),
          rawName: arg.slice(0, equals),
          value: arg.slice(equals + 1),
          inlineValue: true,
        });
      }
    } else positionals.push(arg);
  }
  const values: Record<string, string | boolean | (string | boolean)[]> = {};
  for (const token of tokens) {
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
    if (spec === undefined) throw new OptionError(`Unknown option '${token.rawName}'`);
    const shortAndLong = spec.short === undefined
      ? `--${token.name}`
      : `-${spec.short}, --${token.name}`;
    if (spec.type === "string") {
      if (token.value === undefined) {
        throw new OptionError(`Option '${shortAndLong} <value>' argument missing`);
      }
      if (!token.inlineValue && token.value.length > 1 && token.value[0] === "-") {
        throw new OptionError(`Option '${token.rawName}' argument is ambiguous`);
      }
    } else if (token.value !== undefined) {
      throw new OptionError(`Option '${shortAndLong}' does not take an argument`);
    }
    const value = token.value ?? true;
    if (spec.multiple) {
      const list = values[token.name];
      if (Array.isArray(list)) list.push(value);
      else values[token.name] = [value];
    } else values[token.name] = value;
  }
  return { values: values as OptionValues<Options>, positionals };
}
