/**
 * The arguments a script run by `deno task` was given. `deno task NAME -- --flag` passes the
 * `--` through (the habit npm teaches), and `parseArgs` would take everything after it for
 * positionals; so a leading `--` is dropped, and `deno task fuzz --minutes 3` and
 * `deno task fuzz -- --minutes 3` mean the same.
 *
 * @example
 * ```ts
 * import { taskArgs } from "./task_args.ts";
 * console.log(taskArgs(["--", "--minutes", "3"])); // [ "--minutes", "3" ]
 * ```
 * @module
 */

/** `args` without a leading `--`. */
export function taskArgs(args: readonly string[] = Deno.args): string[] {
  return args[0] === "--" ? args.slice(1) : [...args];
}
