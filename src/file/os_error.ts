/**
 * The part of an operating-system error a person needs: Deno's message without the
 * ` (os error N)` and the path it appends after it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { osErrorReason } from "./os_error.ts";
 * const error = new Error("No such file or directory (os error 2): open '/x'");
 * assert.deepEqual(osErrorReason(error), "No such file or directory");
 * ```
 * @module
 */

/** The error's message, up to Deno's ` (os error N)` suffix. */
export function osErrorReason(error: unknown): string {
  return error instanceof Error ? error.message.replace(/ \(os error \d+\).*$/, "") : String(error);
}
