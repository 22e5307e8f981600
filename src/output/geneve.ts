/**
 * Geneve's words as tcpdump 4.99 prints them after the UDP ports:
 * `Geneve, Flags [C], vni 0xa, options [8 bytes]`; with `-v` each option's header
 * (`options [class Standard (0x0) type 0x80(C) len 8]`), with `-vv` its data too, with `-e`
 * the protocol. What Geneve carries follows after `: `, or with `-v` on a line of its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GeneveHeader } from "../decode/mod.ts";
 * import { geneveText } from "./geneve.ts";
 * const bytes = new Uint8Array([0x02, 0x40, 0x65, 0x58, 0, 0, 10, 0, 0, 0, 0x80, 1, 0, 0, 0, 12]);
 * const geneve = new GeneveHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.equal(geneveText(geneve, 0, false), "Geneve, Flags [C], vni 0xa, options [8 bytes]");
 * assert.equal(
 *   geneveText(geneve, 2, false),
 *   "Geneve, Flags [C], vni 0xa, options [class Standard (0x0) type 0x80(C) len 8 data 0000000c]",
 * );
 * ```
 * @module
 */

import { etherTypeName, type GeneveHeader } from "../decode/mod.ts";

/** tcpdump's letters for the flags (`geneve_flag_values`), written without a separator. */
const FLAG_LETTERS: readonly [number, string][] = [[0x80, "O"], [0x40, "C"]];
/** An option type's critical bit. */
const TYPE_CRITICAL = 0x80;

/** tcpdump's names of option classes (`format_opt_class`). */
function optionClassName(optionClass: number): string {
  switch (optionClass) {
    case 0x0100:
      return "Linux";
    case 0x0101:
      return "Open vSwitch";
    case 0x0102:
      return "Open Virtual Networking (OVN)";
    case 0x0103:
      return "In-band Network Telemetry (INT)";
    case 0x0104:
      return "VMware";
  }
  if (optionClass <= 0x00ff) return "Standard";
  if (optionClass >= 0xfff0) return "Experimental";
  return "Unknown";
}

/** The options as `-v` shows them, with their data from `-vv` on. */
function optionsText(geneve: GeneveHeader, verbosity: number): string {
  const view = geneve.dataView;
  let at = geneve.offset + 8;
  const optionsEnd = geneve.offset + geneve.headerLength;
  const words: string[] = [];
  for (const option of geneve.options()) {
    let text =
      `class ${optionClassName(option.optionClass)} (0x${option.optionClass.toString(16)})` +
      ` type 0x${option.type.toString(16)}${
        option.type & TYPE_CRITICAL ? "(C)" : ""
      } len ${option.length}`;
    if (at + option.length > optionsEnd) {
      // Longer than the options left: tcpdump says so, and reads no further.
      words.push(text + " [bad length]");
      break;
    }
    if (verbosity > 1 && option.length > 4) {
      text += " data";
      for (let word = at + 4; word + 4 <= Math.min(at + option.length, geneve.end); word += 4) {
        text += " " + view.getUint32(word).toString(16).padStart(8, "0");
      }
    }
    words.push(text);
    at += option.length;
  }
  return words.join(", ");
}

/** tcpdump's words for a Geneve header, up to what it carries. */
export function geneveText(geneve: GeneveHeader, verbosity: number, link: boolean): string {
  if (geneve.version !== 0) return `Geneve ERROR: unknown-version ${geneve.version}`;
  const flags = geneve.flags;
  const letters = FLAG_LETTERS.filter(([bit]) => (flags & bit) !== 0).map(([, letter]) => letter);
  let text = `Geneve, Flags [${letters.length === 0 ? "none" : letters.join("")}], vni 0x${
    geneve.vni.toString(16)
  }`;
  if (geneve.reserved !== 0) text += `, rsvd 0x${geneve.reserved.toString(16)}`;
  if (link) {
    const protocol = geneve.protocol;
    const name = protocol === 0x6558 ? "TEB" : etherTypeName(protocol);
    text += `, proto ${name === "Unknown" ? "unknown" : name} (0x${
      protocol.toString(16).padStart(4, "0")
    })`;
  }
  const optionsLength = geneve.optionsLength;
  if (optionsLength > 0) {
    text += verbosity > 0
      ? `, options [${optionsText(geneve, verbosity)}]`
      : `, options [${optionsLength} bytes]`;
  }
  return text;
}
