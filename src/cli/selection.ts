/**
 * `-Y` and `-T fields`: the compiled display filter, the fields writer and the frame both
 * read. Their modules (the filter's) are loaded only when one of them is given, so that other
 * runs do not read them at start-up: this file names the shape, `make_selection.ts` makes it.
 * @module
 */

import type { CompiledFilter } from "../filter/compile.ts";
import type { FilterFrame } from "../filter/frame.ts";
import type { FieldsWriter } from "../output/fields_text.ts";
import type { CommandLine } from "./args.ts";

/** What the sink selects and prints with; made once a run, before anything starts. */
export interface Selection {
  /** `-Y`: only frames that pass are printed, written, counted and summed up. */
  display: CompiledFilter | undefined;
  /** `-T fields`: the fields printed instead of the packet's line. */
  fields: FieldsWriter | undefined;
  /** The frame `-Y` and `-T fields` read, filled per packet. */
  frame: FilterFrame;
}

/**
 * The selection the command line asks for, its modules loaded only then; undefined without
 * `-Y` and `-T fields`. Throws the `UserError` that says what is wrong with them.
 */
export async function loadSelection(options: CommandLine): Promise<Selection | undefined> {
  if (options.displayFilter === undefined && options.fields === undefined) return undefined;
  const { selectionFor } = await import("./make_selection.ts");
  return selectionFor(options);
}
