/**
 * netpeek's version, from deno.json.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VERSION } from "./version.ts";
 * assert.deepEqual(/^\d+\.\d+\.\d+/.test(VERSION), true);
 * ```
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };

/** The version in deno.json. */
export const VERSION: string = denoJson.version;
