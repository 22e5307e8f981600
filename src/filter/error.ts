/**
 * A display filter that cannot be read: what is wrong, and where. Its `line` quotes the
 * expression with a caret under the place, as one line for the user (the caret on a second
 * line beneath the quoted expression).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DisplayFilterError } from "./error.ts";
 * const error = new DisplayFilterError("a ( is not closed: add a )", "(tcp", 4);
 * assert.equal(error.line, "display filter: a ( is not closed: add a )\n  (tcp\n      ^");
 * ```
 * @module
 */

import { EXIT_USAGE, UserError } from "../user_error.ts";

/** A display filter's syntax or meaning is wrong. */
export class DisplayFilterError extends UserError {
  /** The error's name, for `catch` blocks that test it. */
  override name = "DisplayFilterError";
  /** The expression as given. */
  readonly expression: string;
  /** Where in it the problem is (0 for the start). */
  readonly position: number;
  /** The problem alone, without the expression. */
  readonly reason: string;

  /** `reason` says what is wrong; `position` is where in `expression` (the caret's place). */
  constructor(reason: string, expression: string, position: number) {
    const shown = expression.replace(/[\n\r\t]/g, " ");
    const at = Math.max(0, Math.min(position, shown.length));
    super(`display filter: ${reason}\n  ${shown}\n  ${" ".repeat(at)}^`);
    this.expression = expression;
    this.position = at;
    this.reason = reason;
  }

  /** A filter is the user's to change. */
  override get exitStatus(): number {
    return EXIT_USAGE;
  }
}

/** A mistake in `-T fields`' names (`-e`) or options (`-E`); exit status 2. */
export class FieldOptionError extends UserError {
  override name = "FieldOptionError";
  override get exitStatus(): number {
    return EXIT_USAGE;
  }
}
