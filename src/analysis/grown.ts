/**
 * Growing the typed arrays that flows and conversations are kept in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { grown } from "./grown.ts";
 * const larger = grown(Float64Array.of(1, 2), 4);
 * assert.deepEqual([larger.length, larger[1], larger[3]], [4, 2, 0]);
 * ```
 * @module
 */

/** Any typed array the analysis keeps state in. */
export type GrowableArray = Uint8Array | Int32Array | Uint32Array | Float64Array;

/** A copy of `array`, of the same kind, with room for `length` elements (zeros past its own). */
export function grown<T extends GrowableArray>(array: T, length: number): T {
  const larger = new (array.constructor as { new (length: number): T })(length);
  larger.set(array);
  return larger;
}
