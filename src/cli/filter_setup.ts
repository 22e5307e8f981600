/**
 * Turning the command line's words into an interface and a filter expression, as tcpdump
 * does: the first word is the interface when it names one, the rest is the filter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitWords } from "./filter_setup.ts";
 * assert.deepEqual(splitWords(["eth0", "tcp", "port", "80"], ["lo", "eth0"]), { device: "eth0", expression: "tcp port 80" });
 * ```
 * @module
 */

import { FilterError } from "../ffi/filter.ts";
import type { CommandLine } from "./args.ts";
import { osErrorReason } from "../file/os_error.ts";

/** The interface (if the words name one) and the filter expression (if any). */
export interface Selection {
  device?: string;
  expression?: string;
}

/** Splits words into an interface (the first, when it is one of `devices`) and a filter. */
export function splitWords(words: string[], devices: string[]): Selection {
  if (words.length > 0 && devices.includes(words[0])) {
    return { device: words[0], expression: words.slice(1).join(" ") || undefined };
  }
  return { expression: words.join(" ") || undefined };
}

/** A word that looks like an interface name (letters then a digit: eth9, wlan0, enp3s0). */
export function looksLikeInterface(word: string): boolean {
  return /^[a-z][a-z0-9_.@-]*\d[a-z0-9_.@-]*$/i.test(word) && !/^(port|host|net)/i.test(word);
}

/** The filter from `-f`, `-F` or the words; reading `-F`'s file here. */
export function filterExpression(
  options: CommandLine,
  wordsExpression?: string,
): string | undefined {
  if (options.filter !== undefined) return options.filter;
  if (options.filterFile !== undefined) {
    try {
      // tcpdump allows comments in filter files; libpcap itself does not.
      return Deno.readTextFileSync(options.filterFile).replace(/#.*$/gm, "").trim() || undefined;
    } catch (error) {
      throw new FilterError(`cannot read ${options.filterFile}: ${osErrorReason(error)}`);
    }
  }
  return wordsExpression;
}
