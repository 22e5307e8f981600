/**
 * What every field-by-field JSON writer shares: a boolean key written as one piece of three
 * encoded once, and numbers as `JSON.stringify` writes them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteWriter } from "./bytes.ts";
 * import { keyed, keyedBool, number } from "./json_pieces.ts";
 * const out = new ByteWriter();
 * out.text("{");
 * number(out, 1.5);
 * keyed(out, keyedBool("ok", "}"), null);
 * assert.equal(out.toString(), '{1.5,"ok":null}');
 * ```
 * @module
 */

import { type ByteWriter, Piece } from "./bytes.ts";

const NULL = new Piece("null");

/**
 * A key whose value is `true`, `false` or `null`, with the fixed text that follows it: the
 * three ways of writing it, encoded once, so that a line writes one piece instead of three.
 */
export interface KeyedBool {
  readonly true: Piece;
  readonly false: Piece;
  readonly null: Piece;
}

/** The three pieces of `key` followed by `then`. */
export function keyedBool(key: string, then: string): KeyedBool {
  return {
    true: new Piece(`,"${key}":true${then}`),
    false: new Piece(`,"${key}":false${then}`),
    null: new Piece(`,"${key}":null${then}`),
  };
}

/** Writes the piece of `value`. */
export function keyed(out: ByteWriter, pieces: KeyedBool, value: boolean | null): void {
  out.piece(value === null ? pieces.null : value ? pieces.true : pieces.false);
}

/** Whether `JSON.stringify` writes `value` as `ByteWriter.uint` does: a whole number from 0. */
function writtenAsUint(value: number): boolean {
  return value >= 0 && value <= Number.MAX_SAFE_INTEGER && value % 1 === 0;
}

/** A number as `JSON.stringify` writes it. */
export function number(out: ByteWriter, value: number): void {
  if (writtenAsUint(value)) out.uint(value);
  else out.text(JSON.stringify(value));
}

/** `piece`, then a number as `JSON.stringify` writes it (see `ByteWriter.field`). */
export function numberField(out: ByteWriter, piece: Piece, value: number): void {
  if (writtenAsUint(value)) out.field(piece, value);
  else {
    out.piece(piece);
    out.text(JSON.stringify(value));
  }
}

/** A number, or `null`. */
export function nullable(out: ByteWriter, value: number | null): void {
  if (value === null) out.piece(NULL);
  else number(out, value);
}

const DST_PORT = new Piece(',"dstPort":');

/** A transport layer's key and its ports: `open` is `,"tcp":{"srcPort":` or UDP's. */
export function writePorts(out: ByteWriter, open: Piece, srcPort: number, dstPort: number): void {
  out.field(open, srcPort);
  out.field(DST_PORT, dstPort);
}
