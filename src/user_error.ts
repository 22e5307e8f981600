/**
 * The one base class of the errors meant for the user: what went wrong outside netpeek (a
 * missing file, a bad filter, a device that is down, a full disk). The command line prints
 * `line` alone and exits with `exitStatus`; anything else that escapes is a bug, reported
 * as an internal error. This module imports nothing, so every layer can throw one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UserError } from "./user_error.ts";
 * class DiskError extends UserError {
 *   override name = "DiskError";
 * }
 * const error = new DiskError("out.pcap: no space left on device");
 * assert.deepEqual([error.line, error.exitStatus], ["out.pcap: no space left on device", 1]);
 * ```
 * @module
 */

/** Exit status of a run that failed on its input, output or device. */
export const EXIT_FAILURE = 1;
/** Exit status of a command the user has to change (a bad option or filter). */
export const EXIT_USAGE = 2;

/** An error whose message is fit to show the user as it is, on one line. */
export class UserError extends Error {
  /** The status the command line exits with. */
  get exitStatus(): number {
    return EXIT_FAILURE;
  }

  /** The one line shown: the message, with whatever context this kind of error adds. */
  get line(): string {
    return this.message;
  }
}

/**
 * Whether `error` ended a run on its input, output or device (exit status 1): a capture loop
 * stops on one, still finishes what it printed and wrote, and reports it.
 */
export function isRunFailure(error: unknown): error is UserError {
  return error instanceof UserError && error.exitStatus === EXIT_FAILURE;
}

/**
 * How many single-letter edits turn `a` into `b` (Levenshtein): how "did you mean" finds the
 * option or field name nearest a mistyped one.
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j] + 1,
        row[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length];
}
