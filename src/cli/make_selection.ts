/**
 * Makes `-Y`'s and `-T fields`' `Selection` (see `selection.ts`, which loads this module only
 * when one of them is given).
 * @module
 */

import { compileFilter } from "../filter/compile.ts";
import { FilterFrame } from "../filter/frame.ts";
import { FieldsWriter, parseFieldOptions } from "../output/fields_text.ts";
import type { CommandLine } from "./args.ts";
import type { Selection } from "./selection.ts";

/**
 * Compiles `-Y`'s expression and checks `-T fields`' names and options; throws the
 * `UserError` that says what is wrong.
 */
export function selectionFor(options: CommandLine): Selection {
  return {
    display: options.displayFilter === undefined ? undefined : compileFilter(options.displayFilter),
    fields: options.fields === undefined
      ? undefined
      : new FieldsWriter(options.fields, parseFieldOptions(options.fieldOptions)),
    frame: new FilterFrame(),
  };
}
