/**
 * Messages to the user: one line each, on standard error, never a stack trace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printError } from "./stderr.ts";
 * assert.equal(printError("eth9: no such device; see --list-interfaces"), undefined);
 * ```
 * @module
 */

const encoder = new TextEncoder();

/** Writes all of `text` to a stream, ignoring a closed one. */
export function writeText(stream: { writeSync(bytes: Uint8Array): number }, text: string): void {
  try {
    const bytes = encoder.encode(text);
    let offset = 0;
    while (offset < bytes.length) offset += stream.writeSync(bytes.subarray(offset));
  } catch {
    // nowhere left to report to
  }
}

/** Writes text to standard error. */
export function writeStderr(text: string): void {
  writeText(Deno.stderr, text);
}

/** `netpeek: message` on standard error. */
export function printError(message: string): void {
  writeStderr(`netpeek: ${message}\n`);
}
