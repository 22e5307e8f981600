/**
 * `-T fields`: one line per packet with the values of the fields `-e` names, as tshark prints
 * them: integers in their display base (`0x0018` for `tcp.flags`, as wide as the type),
 * booleans as 1 or 0, addresses and strings as text, several occurrences joined by the
 * aggregator; and tshark's `-E` options (`separator`, `header`, `quote`, `occurrence`,
 * `aggregator`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { FilterFrame } from "../filter/frame.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { FieldsWriter, parseFieldOptions } from "./fields_text.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 17, 0x1c, 0x46,
 *   192, 0, 2, 1, 198, 51, 100, 2, 0x13, 0x88, 0x00, 0x35, 0, 8, 0, 0]), LINKTYPE_RAW);
 * const frame = new FilterFrame();
 * frame.next(packet, { seconds: 0, fraction: 0, nanosecond: false, caplen: 28, len: 28 });
 * const writer = new FieldsWriter(["ip.addr", "ip.checksum", "udp.dstport"], parseFieldOptions(["separator=,"]));
 * const out = new ByteWriter();
 * writer.write(out, frame);
 * assert.equal(out.toString(), "192.0.2.1,198.51.100.2,0x1c46,53\n");
 * ```
 * @module
 */

import { nearestFields } from "../filter/compile.ts";
import { FILTER_FIELDS, type FilterField } from "../filter/fields.ts";
import type { FilterFrame } from "../filter/frame.ts";
import { FieldOptionError } from "../filter/error.ts";
import type { ByteWriter } from "./bytes.ts";

export { FieldOptionError };

/** tshark's `-E` options. */
export interface FieldOptions {
  /** Between fields; default a tab. */
  separator: string;
  /** Between occurrences of one field; default a comma. */
  aggregator: string;
  /** A first line with the fields' names. */
  header: boolean;
  /** Quotes around each value: double, single or none. */
  quote: "d" | "s" | "n";
  /** First, last or all occurrences. */
  occurrence: "f" | "l" | "a";
}

/** tshark's shorthand for a separator: `/t` a tab, `/s` a space. */
function separatorText(value: string): string {
  if (value === "/t") return "\t";
  if (value === "/s") return " ";
  return value;
}

/** Reads `-E key=value` options, as tshark takes them. */
export function parseFieldOptions(given: readonly string[]): FieldOptions {
  const options: FieldOptions = {
    separator: "\t",
    aggregator: ",",
    header: false,
    quote: "n",
    occurrence: "a",
  };
  for (const option of given) {
    const equals = option.indexOf("=");
    const key = equals < 0 ? option : option.slice(0, equals);
    const value = equals < 0 ? "" : option.slice(equals + 1);
    const wrong = (what: string) =>
      new FieldOptionError(`-E ${option}: ${key} is ${what}; see tshark's -E`);
    switch (key) {
      case "separator":
        if (value === "") throw wrong("a character (separator=, or /t or /s)");
        options.separator = separatorText(value);
        break;
      case "aggregator":
        if (value === "") throw wrong("a character (aggregator=, or /s)");
        options.aggregator = separatorText(value);
        break;
      case "header":
        if (value !== "y" && value !== "n") throw wrong("y or n");
        options.header = value === "y";
        break;
      case "quote":
        if (value !== "d" && value !== "s" && value !== "n") throw wrong("d, s or n");
        options.quote = value;
        break;
      case "occurrence":
        if (value !== "f" && value !== "l" && value !== "a") throw wrong("f, l or a");
        options.occurrence = value;
        break;
      default:
        throw new FieldOptionError(
          `-E ${option}: unknown; -E takes separator, aggregator, header, quote or occurrence`,
        );
    }
  }
  return options;
}

/** Hex digits tshark prints for an integer type in hex: two per byte of the type. */
const HEX_WIDTHS: Readonly<Record<string, number>> = {
  FT_UINT8: 2,
  FT_UINT16: 4,
  FT_UINT24: 6,
  FT_UINT32: 8,
  FT_UINT40: 10,
  FT_UINT48: 12,
  FT_UINT56: 14,
  FT_UINT64: 16,
};

/**
 * Fields tshark's `-T fields` writes in decimal though its registry (`tshark -G fields`, which
 * src/filter/field_types.ts copies) gives them `BASE_HEX`: measured on tshark's output.
 */
const DECIMAL_DESPITE_REGISTRY: ReadonlySet<string> = new Set(["dns.rr.udp_payload_size"]);

/** How one value of a field is written, as tshark's `-T fields` does (an OUI in decimal). */
export function fieldText(field: FilterField, value: number | string): string {
  if (typeof value === "string") return value;
  const base = field.base;
  const hex = (base === "BASE_HEX" || base === "BASE_HEX_DEC") &&
    !DECIMAL_DESPITE_REGISTRY.has(field.name);
  if (hex && field.type.startsWith("FT_UINT")) {
    return "0x" + value.toString(16).padStart(HEX_WIDTHS[field.type] ?? 1, "0");
  }
  return String(value);
}

/** Writes the `-e` fields of each frame. */
export class FieldsWriter {
  readonly #fields: FilterField[];
  readonly #options: FieldOptions;
  readonly #quote: string;

  /** Checks the names (one line with "did you mean" for an unknown one). */
  constructor(names: readonly string[], options: FieldOptions) {
    this.#fields = names.map((name) => {
      const field = FILTER_FIELDS.get(name);
      if (field === undefined) {
        const nearest = nearestFields(name);
        throw new FieldOptionError(
          `-e ${name}: not a field netpeek knows` +
            (nearest.length > 0 ? `; did you mean ${nearest.join(", ")}?` : ""),
        );
      }
      if (field.type === "FT_PROTOCOL") {
        throw new FieldOptionError(
          `-e ${name}: a protocol, not a field; name its fields (${name}.…) or filter on it with -Y`,
        );
      }
      return field;
    });
    this.#options = options;
    this.#quote = options.quote === "d" ? '"' : options.quote === "s" ? "'" : "";
  }

  /** The fields, for what the stream bookkeeping has to provide. */
  get fields(): readonly FilterField[] {
    return this.#fields;
  }

  /** The header line (`-E header=y`), or "" without one. */
  header(): string {
    if (!this.#options.header) return "";
    return this.#fields.map((field) => field.name).join(this.#options.separator) + "\n";
  }

  /** Writes the frame's line. */
  write(out: ByteWriter, frame: FilterFrame): void {
    const fields = this.#fields;
    const options = this.#options;
    const quote = this.#quote;
    for (let i = 0; i < fields.length; i++) {
      if (i > 0) out.text(options.separator);
      const field = fields[i];
      const value = field.read(frame);
      if (value === undefined) continue;
      if (quote !== "") out.text(quote);
      if (typeof value !== "object") out.text(fieldText(field, value));
      else if (options.occurrence === "f") out.text(fieldText(field, value[0]));
      else if (options.occurrence === "l") out.text(fieldText(field, value[value.length - 1]));
      else {
        for (let j = 0; j < value.length; j++) {
          if (j > 0) out.text(options.aggregator);
          out.text(fieldText(field, value[j]));
        }
      }
      if (quote !== "") out.text(quote);
    }
    out.byte(0x0a);
  }
}
