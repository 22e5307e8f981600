/**
 * Writes the table of fields in docs/filters.md from the filter's own declarations
 * (`FILTER_FIELDS`: name, tshark's type, what reading it needs), between the markers
 * `<!-- fields:begin -->` and `<!-- fields:end -->`; tests/display_filter_test.ts checks that
 * the committed table is current.
 *
 * Run: `deno run --allow-read --allow-write scripts/make_filter_docs.ts`
 *
 * @module
 */

import { FILTER_FIELDS } from "../src/filter/fields.ts";
import { kindOf } from "../src/filter/values.ts";

const DOC = new URL("../docs/filters.md", import.meta.url);
const BEGIN = "<!-- fields:begin -->";
const END = "<!-- fields:end -->";

/** What a field's values are, in a word a filter's author needs. */
const KIND_WORDS: Readonly<Record<string, string>> = {
  number: "integer",
  boolean: "boolean",
  ipv4: "IPv4 address",
  ipv6: "IPv6 address",
  ether: "Ethernet address",
  bytes: "bytes",
  string: "string",
  time: "seconds",
  none: "present or not",
  protocol: "protocol",
};

/** The markdown table, one row per field sorted by name, its columns padded as deno fmt pads. */
export function filterTableSource(): string {
  const rows = [...FILTER_FIELDS.values()]
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    .map((field) => [
      `\`${field.name}\``,
      KIND_WORDS[kindOf(field.type)],
      `\`${field.type}\`${field.base === "" ? "" : `, ${field.base}`}`,
      field.needs ?? "",
    ]);
  const header = ["field", "value", "tshark's type", "follows the stream"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length))
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(" | ")} |`;
  return [
    BEGIN,
    "",
    line(header),
    line(widths.map((width) => "-".repeat(width))),
    ...rows.map(line),
    "",
    END,
  ].join("\n");
}

if (import.meta.main) {
  const doc = await Deno.readTextFile(DOC);
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/filters.md has no ${BEGIN} … ${END}`);
  await Deno.writeTextFile(
    DOC,
    doc.slice(0, begin) + filterTableSource() + doc.slice(end + END.length),
  );
  console.log(`wrote ${FILTER_FIELDS.size} fields into ${DOC.pathname}`);
}
