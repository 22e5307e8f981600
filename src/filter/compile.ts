/**
 * Compiles a display filter once into closures over a `FilterFrame`: no `eval`, no
 * `new Function`. Each field is read only when its test is reached, and a test on a field
 * with one occurrence allocates nothing. Semantics are Wireshark 4's: a test on a field that
 * occurs several times (`ip.addr`, each layer of a tunnel) holds when any occurrence passes;
 * `!=` means "all not equal" and `~=` "any not equal" (`!==`); `===` is "all equal"; a test on
 * an absent field is false, whatever the operator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { compileFilter } from "./compile.ts";
 * import { FilterFrame } from "./frame.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 17, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2, 0x13, 0x88, 0x00, 0x35, 0, 8, 0, 0]), LINKTYPE_RAW);
 * const frame = new FilterFrame();
 * frame.next(packet, { seconds: 0, fraction: 0, nanosecond: false, caplen: 28, len: 28 });
 * assert.equal(compileFilter("ip.addr == 198.51.100.0/24 && udp.port in {53, 5353}").matches(frame), true);
 * assert.equal(compileFilter("ip.addr != 192.0.2.1").matches(frame), false);
 * ```
 * @module
 */

import type { FieldValue } from "../decode/mod.ts";
import { editDistance } from "../user_error.ts";
import { DisplayFilterError } from "./error.ts";
import { FILTER_FIELDS, type FilterField, isSingleLayer } from "./fields.ts";
import type { FilterFrame } from "./frame.ts";
import {
  type CompareOperator,
  type FilterNode,
  parseFilter,
  type SliceRange,
  type Term,
} from "./syntax.ts";
import {
  bytesHex,
  bytesLatin1,
  comparable,
  comparableHex,
  KIND_NAMES,
  kindOf,
  parseBytesHex,
  parseIpv4,
  parseIpv6Hex,
  parseNumber,
  textHex,
  type ValueKind,
} from "./values.ts";

/** A compiled display filter. */
export interface CompiledFilter {
  /** Whether the frame passes. */
  matches(frame: FilterFrame): boolean;
  /** The expression as given. */
  readonly expression: string;
  /** The fields the expression reads, by name. */
  readonly fields: readonly string[];
  /** Whether it reads the TCP analysis (`tcp.analysis.*`, relative `tcp.seq`). */
  readonly needsAnalysis: boolean;
  /** Whether it reads stream numbers (`tcp.stream`, `udp.stream`). */
  readonly needsStreams: boolean;
}

type Test = (frame: FilterFrame) => boolean;
/** A comparable value. */
type Comparable = number | string;
/** One side of a comparison as compiled: what it reads per frame, and its kind. */
interface Operand {
  kind: ValueKind;
  /** The comparable values, one per occurrence (may allocate: slices, protocol bytes). */
  values?: (frame: FilterFrame) => FieldValue;
  /** A field read as is (no slice); `values` reads through it. */
  field?: FilterField;
}

/** The field names closest to `name`, for "did you mean". */
export function nearestFields(name: string, count = 3): string[] {
  const limit = Math.max(2, Math.floor(name.length / 4));
  return [...FILTER_FIELDS.keys()]
    .map((known) => ({
      known,
      // Names far apart in length are not near: the distance is not worth computing.
      distance: Math.abs(known.length - name.length) > 8
        ? Infinity
        : editDistance(name.toLowerCase(), known.toLowerCase()),
    }))
    .filter(({ known, distance }) =>
      distance <= limit ||
      (name.length >= 3 && known.startsWith(name) && known.length > name.length)
    )
    .sort((a, b) => a.distance - b.distance || a.known.localeCompare(b.known))
    .slice(0, count)
    .map(({ known }) => known);
}

/** Whether a word looks like a field's name (letters, dots), so an unknown one is reported. */
const FIELD_LIKE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/i;

/** Compiles `expression`; throws `DisplayFilterError` for any mistake in it. */
export function compileFilter(expression: string): CompiledFilter {
  const tree = parseFilter(expression);
  const used = new Set<string>();

  const fail = (message: string, at: number): never => {
    throw new DisplayFilterError(message, expression, at);
  };

  function unknownField(term: Term): never {
    const nearest = nearestFields(term.text);
    return fail(
      `"${term.text}" is not a field or protocol netpeek knows` +
        (nearest.length > 0 ? `; did you mean ${nearest.join(", ")}?` : ""),
      term.at,
    );
  }

  function fieldOf(term: Term): FilterField | undefined {
    if (term.kind !== "word") return undefined;
    const field = FILTER_FIELDS.get(term.text);
    if (field !== undefined) used.add(field.name);
    return field;
  }

  /** A field operand, sliced when the term has slices. */
  function fieldOperand(term: Term, field: FilterField): Operand {
    const kind = kindOf(field.type);
    if (term.slices === undefined) {
      if (kind === "protocol") {
        const bytes = field.bytes!;
        return {
          kind,
          values: (frame) => {
            const found = bytes(frame);
            return found === undefined ? undefined : bytesLatin1(found);
          },
        };
      }
      return { kind, field, values: field.read };
    }
    if (kind === "number" || kind === "boolean" || kind === "time" || kind === "none") {
      fail(`${field.name} is ${KIND_NAMES[kind]}: it cannot be sliced`, term.at);
    }
    const ranges = term.slices;
    const hexOf = kind === "protocol"
      ? (frame: FilterFrame): string[] | undefined => {
        const bytes = field.bytes!(frame);
        return bytes === undefined ? undefined : [bytesHex(bytes)];
      }
      : (frame: FilterFrame): string[] | undefined => {
        const value = field.read(frame);
        if (value === undefined) return undefined;
        const list = typeof value === "object" ? value : [value];
        const out: string[] = [];
        for (const one of list) {
          const converted = comparable(kind, one);
          if (converted !== undefined) out.push(comparableHex(kind, converted));
        }
        return out;
      };
    return {
      kind: "bytes",
      values: (frame) => {
        const whole = hexOf(frame);
        if (whole === undefined) return undefined;
        const sliced: string[] = [];
        for (const hex of whole) {
          const part = slice(hex, ranges);
          if (part !== undefined) sliced.push(part);
        }
        return sliced.length === 0 ? undefined : sliced;
      },
    };
  }

  /** A literal of `kind`, comparable; `cidr` allows a prefix length (for `==`, `!=`, `in`). */
  function literal(term: Term, kind: ValueKind, operator: CompareOperator | "in"): Literal {
    const text = term.text;
    const bad = (): never => {
      if (
        term.kind === "word" && FIELD_LIKE.test(text) && /[a-z]/i.test(text) && text.includes(".")
      ) {
        unknownField(term);
      }
      return fail(`"${text}" is not ${KIND_NAMES[kind]}`, term.at);
    };
    if (operator === "matches") {
      if (term.kind === "char") bad();
      return { value: regularExpression(term, expression) };
    }
    if (operator === "contains") {
      if (kind === "string") return { value: text };
      if (kind === "protocol") {
        const hex = term.kind === "word" ? parseBytesHex(text) : undefined;
        return { value: hex !== undefined ? hexLatin1(hex) : latin1OfText(text) };
      }
      if (kind === "bytes" || kind === "ether") {
        const hex = term.kind === "word" ? parseBytesHex(text) : textHex(text);
        return { value: hex ?? bad() };
      }
      return fail(`contains needs a string, bytes or a protocol, not ${KIND_NAMES[kind]}`, term.at);
    }
    const prefixAllowed = operator === "==" || operator === "!=" || operator === "in" ||
      operator === "===" || operator === "!==" || operator === "~=";
    switch (kind) {
      case "number": {
        if (term.kind === "char") return { value: text.charCodeAt(0) };
        const value = term.kind === "word" ? parseNumber(text) : undefined;
        return { value: value ?? bad() };
      }
      case "time": {
        const value = term.kind === "word" ? parseNumber(text) : undefined;
        return { value: value ?? bad() };
      }
      case "boolean": {
        if (term.kind === "word" && (text === "True" || text === "TRUE")) return { value: 1 };
        if (term.kind === "word" && (text === "False" || text === "FALSE")) return { value: 0 };
        const value = term.kind === "word" ? parseNumber(text) : undefined;
        return { value: value === undefined ? bad() : value !== 0 ? 1 : 0 };
      }
      case "ipv4": {
        if (term.kind !== "word") bad();
        const [address, prefix] = text.split("/");
        const value = parseIpv4(address) ?? bad();
        if (prefix === undefined) return { value };
        const bits = /^\d+$/.test(prefix) ? Number(prefix) : 99;
        if (bits > 32) fail(`"/${prefix}" is not an IPv4 prefix length (0 to 32)`, term.at);
        if (!prefixAllowed) fail("a prefix (/24) goes with ==, != or in", term.at);
        return { value, prefixBits: bits };
      }
      case "ipv6": {
        if (term.kind !== "word") bad();
        const [address, prefix] = text.split("/");
        const value = parseIpv6Hex(address) ?? bad();
        if (prefix === undefined) return { value };
        const bits = /^\d+$/.test(prefix) ? Number(prefix) : 999;
        if (bits > 128) fail(`"/${prefix}" is not an IPv6 prefix length (0 to 128)`, term.at);
        if (!prefixAllowed) fail("a prefix (/64) goes with ==, != or in", term.at);
        return { value, prefixBits: bits };
      }
      case "ether": {
        const hex = term.kind === "word" ? parseBytesHex(text) : undefined;
        if (hex === undefined || hex.length !== 12) bad();
        return { value: hex! };
      }
      case "bytes": {
        if (term.kind !== "word") return { value: textHex(text) };
        return { value: parseBytesHex(text) ?? bad() };
      }
      case "string":
        return { value: text };
      default:
        return fail(
          kind === "protocol"
            ? "a protocol is tested alone, with contains or matches, or sliced ([0:2])"
            : "this field is only there or not: test it alone",
          term.at,
        );
    }
  }

  /** One side read as an operand: a field when the word names one. */
  function operand(term: Term): Operand | undefined {
    const field = fieldOf(term);
    return field === undefined ? undefined : fieldOperand(term, field);
  }

  function compileNode(node: FilterNode): Test {
    switch (node.kind) {
      case "and": {
        const left = compileNode(node.left);
        const right = compileNode(node.right);
        return (frame) => left(frame) && right(frame);
      }
      case "or": {
        const left = compileNode(node.left);
        const right = compileNode(node.right);
        return (frame) => left(frame) || right(frame);
      }
      case "xor": {
        const left = compileNode(node.left);
        const right = compileNode(node.right);
        return (frame) => left(frame) !== right(frame);
      }
      case "not": {
        const inner = compileNode(node.operand);
        return (frame) => !inner(frame);
      }
      case "exists": {
        const field = fieldOf(node.term);
        if (field === undefined) {
          if (node.term.kind !== "word") {
            fail("a value alone is not a test: compare it with a field", node.term.at);
          }
          unknownField(node.term);
        }
        // A protocol alone ("tcp") asks only whether its bytes are there: not for them as text
        // (a copy of every segment, 16 times the cost of the rest of the filter).
        const bytes = field!.bytes;
        if (
          node.term.slices === undefined && bytes !== undefined &&
          kindOf(field!.type) === "protocol"
        ) {
          return (frame) => bytes(frame) !== undefined;
        }
        const values = fieldOperand(node.term, field!).values!;
        return (frame) => values(frame) !== undefined;
      }
      case "in": {
        const side = operand(node.term) ?? notAField(node.term);
        checkComparable(side, "in", node.term);
        const members = node.members.map((member) =>
          Array.isArray(member)
            ? {
              low: literal(member[0], side.kind, "<="),
              high: literal(member[1], side.kind, ">="),
            }
            : literal(member, side.kind, "in")
        );
        const tests = members.map((member) =>
          "low" in member
            ? rangeTest(member.low.value, member.high.value)
            : valueTest("==", member, side.kind)
        );
        const one = (value: Comparable) => {
          for (let i = 0; i < tests.length; i++) if (tests[i](value)) return true;
          return false;
        };
        const anyIn = occurrenceTest(side, one, false);
        // `not in` is `!(… in …)`, as in Wireshark: true too where the field is absent.
        return node.negated ? (frame) => !anyIn(frame) : anyIn;
      }
      case "compare":
        return compileCompare(node.operator, node.left, node.right, node.at);
    }
  }

  function notAField(term: Term): never {
    if (term.kind === "word" && FIELD_LIKE.test(term.text) && /[a-z]/i.test(term.text)) {
      unknownField(term);
    }
    return fail(`a field is needed here, not the value "${term.text}"`, term.at);
  }

  function checkComparable(side: Operand, operator: CompareOperator | "in", term: Term): void {
    const kind = side.kind;
    if (kind === "none") {
      fail(
        `${term.text} is only there or not: test it alone (${term.text}), not with ${operator}`,
        term.at,
      );
    }
    if (kind === "protocol" && operator !== "contains" && operator !== "matches") {
      fail(
        `${term.text} is a protocol: test it alone, with contains or matches, or slice it (${term.text}[0:2])`,
        term.at,
      );
    }
    if (operator === "matches" && kind !== "string" && kind !== "protocol") {
      fail(
        `matches takes a string field or a protocol, and ${term.text} is ${KIND_NAMES[kind]}`,
        term.at,
      );
    }
    if (operator === "&" && kind !== "number" && kind !== "boolean") {
      fail(
        `& tests bits of an integer field, and ${term.text} is ${KIND_NAMES[kind]}`,
        term.at,
      );
    }
    if (
      operator === "contains" && kind !== "string" && kind !== "protocol" && kind !== "bytes" &&
      kind !== "ether"
    ) {
      fail(
        `contains takes a string, bytes or a protocol, and ${term.text} is ${KIND_NAMES[kind]}`,
        term.at,
      );
    }
  }

  function compileCompare(
    operator: CompareOperator,
    leftTerm: Term,
    rightTerm: Term,
    at: number,
  ): Test {
    let left = operand(leftTerm);
    let right = operand(rightTerm);
    let flipped = false;
    if (left === undefined && right === undefined) {
      if (
        leftTerm.kind === "word" && FIELD_LIKE.test(leftTerm.text) && /[a-z]/i.test(leftTerm.text)
      ) {
        unknownField(leftTerm);
      }
      return fail("a comparison needs a field on one side", at);
    }
    if (left === undefined) {
      // A literal on the left: compare the other way round.
      [left, right] = [right, undefined];
      [leftTerm, rightTerm] = [rightTerm, leftTerm];
      flipped = true;
    }
    const side = left!;
    checkComparable(side, operator, leftTerm);
    const effective = flipped ? flip(operator) : operator;
    if (right !== undefined) return fieldPairTest(effective, side, right, leftTerm, rightTerm);
    const value = literal(rightTerm, side.kind, effective);
    const one = valueTest(effective, value, side.kind);
    const all = effective === "!=" || effective === "===";
    return occurrenceTest(side, one, all);
  }

  function fieldPairTest(
    operator: CompareOperator,
    left: Operand,
    right: Operand,
    leftTerm: Term,
    rightTerm: Term,
  ): Test {
    const numeric = (kind: ValueKind) => kind === "number" || kind === "boolean" || kind === "time";
    if (left.kind !== right.kind && !(numeric(left.kind) && numeric(right.kind))) {
      fail(
        `${leftTerm.text} is ${KIND_NAMES[left.kind]} and ${rightTerm.text} is ${
          KIND_NAMES[right.kind]
        }: they do not compare`,
        rightTerm.at,
      );
    }
    if (operator === "contains" || operator === "matches" || operator === "&") {
      fail(`${operator} takes a value on its right, not a field`, rightTerm.at);
    }
    const readLeft = comparables(left);
    const readRight = comparables(right);
    const compare = ORDER_TESTS[
      operator === "===" ? "==" : operator === "!==" || operator === "~=" ? "!=" : operator
    ];
    const all = operator === "!=" || operator === "===";
    return (frame) => {
      const a = readLeft(frame);
      const b = readRight(frame);
      if (a.length === 0 || b.length === 0) return false;
      for (const x of a) {
        for (const y of b) {
          const passed = compare(x, y);
          if (all && !passed) return false;
          if (!all && passed) return true;
        }
      }
      return all;
    };
  }

  const test = compileNode(tree);
  const fields = [...used];
  return {
    matches: test,
    expression,
    fields,
    needsAnalysis: fields.some((name) => FILTER_FIELDS.get(name)!.needs === "analysis"),
    needsStreams: fields.some((name) => FILTER_FIELDS.get(name)!.needs === "streams"),
  };
}

/** A literal read for a comparison: its comparable value, and a prefix length for addresses. */
interface Literal {
  value: Comparable | RegExp;
  prefixBits?: number;
}

function flip(operator: CompareOperator): CompareOperator {
  switch (operator) {
    case "<":
      return ">";
    case ">":
      return "<";
    case "<=":
      return ">=";
    case ">=":
      return "<=";
    default:
      return operator;
  }
}

const ORDER_TESTS: Readonly<Record<string, (a: Comparable, b: Comparable) => boolean>> = {
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
};

/** The test one comparable value faces. */
function valueTest(
  operator: CompareOperator,
  literal: Literal,
  kind: ValueKind,
): (value: Comparable) => boolean {
  const value = literal.value;
  if (value instanceof RegExp) return (text) => value.test(String(text));
  if (operator === "&") {
    // Any bit in common; the fields & tests are at most 32 bits wide, as JavaScript's & is.
    const mask = value as number;
    return (bits) => ((bits as number) & mask) !== 0;
  }
  if (operator === "contains") {
    if (kind === "bytes" || kind === "ether") {
      const needle = value as string;
      // On byte boundaries: an even offset into the hex.
      return (hex) => {
        const haystack = hex as string;
        for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
          if (at % 2 === 0) return true;
        }
        return false;
      };
    }
    return (text) => (text as string).includes(value as string);
  }
  const bits = literal.prefixBits;
  if (bits !== undefined) {
    const inPrefix = kind === "ipv4"
      ? ipv4Prefix(value as number, bits)
      : ipv6Prefix(value as string, bits);
    // `!=` and `~=` with a prefix: not in it.
    return operator === "!=" || operator === "!==" || operator === "~="
      ? (address) => !inPrefix(address)
      : inPrefix;
  }
  const base = operator === "==="
    ? "=="
    : operator === "!==" || operator === "~="
    ? "!="
    : operator;
  const compare = ORDER_TESTS[base];
  return (other) => compare(other, value);
}

function rangeTest(
  low: Comparable | RegExp,
  high: Comparable | RegExp,
): (value: Comparable) => boolean {
  return (value) => value >= (low as Comparable) && value <= (high as Comparable);
}

function ipv4Prefix(network: number, bits: number): (address: Comparable) => boolean {
  if (bits === 0) return () => true;
  const shift = 32 - bits;
  const wanted = Math.floor(network / 2 ** shift);
  return (address) => Math.floor((address as number) / 2 ** shift) === wanted;
}

function ipv6Prefix(network: string, bits: number): (address: Comparable) => boolean {
  const whole = bits >> 2;
  const head = network.slice(0, whole);
  const restBits = bits & 3;
  const mask = (0xf0 >> restBits) & 0xf;
  const nibble = restBits === 0 ? 0 : parseInt(network[whole], 16) & mask;
  return (address) => {
    const text = address as string;
    if (!text.startsWith(head)) return false;
    return restBits === 0 || (parseInt(text[whole], 16) & mask) === nibble;
  };
}

/** Each comparable value of an operand in this frame. */
function comparables(side: Operand): (frame: FilterFrame) => Comparable[] {
  const read = side.values!;
  const kind = side.kind;
  return (frame) => {
    const value = read(frame);
    const out: Comparable[] = [];
    if (value === undefined) return out;
    for (const one of typeof value === "object" ? value : [value]) {
      const converted = comparable(kind, one);
      if (converted !== undefined) out.push(converted);
    }
    return out;
  };
}

/**
 * The test over every occurrence: any passes, or (`all`) all pass and there is one. Values
 * that need no conversion (numbers, strings as given) are tested without allocating.
 */
function occurrenceTest(side: Operand, one: (value: Comparable) => boolean, all: boolean): Test {
  const read = side.values!;
  const kind = side.kind;
  const direct = kind === "number" || kind === "boolean" || kind === "string" ||
    side.field === undefined;
  const convert = direct ? undefined : (value: number | string) => comparable(kind, value);
  const general: Test = (frame) => {
    const value = read(frame);
    if (value === undefined) return false;
    if (typeof value !== "object") {
      const converted = convert === undefined ? comparableDirect(kind, value) : convert(value);
      return converted !== undefined && one(converted);
    }
    if (value.length === 0) return false;
    for (let i = 0; i < value.length; i++) {
      const converted = convert === undefined
        ? comparableDirect(kind, value[i])
        : convert(value[i]);
      const passed = converted !== undefined && one(converted);
      if (all && !passed) return false;
      if (!all && passed) return true;
    }
    return all;
  };
  const parts = side.field?.parts;
  if (parts === undefined) return general;
  // `tcp.port`, `ip.addr`: without a tunnel, each half is one value; test them in turn.
  const [first, second] = parts;
  const verdict = (value: number | string): boolean => {
    const converted = convert === undefined ? comparableDirect(kind, value) : convert(value);
    return converted !== undefined && one(converted);
  };
  return (frame) => {
    if (!isSingleLayer(frame.packet)) return general(frame);
    const a = first(frame);
    const b = second(frame);
    if (typeof a === "object" || typeof b === "object") return general(frame);
    if (a === undefined) return b !== undefined && verdict(b);
    if (b === undefined) return verdict(a);
    return all ? verdict(a) && verdict(b) : verdict(a) || verdict(b);
  };
}

/** Numbers and strings as the field tables give them; a number read from text where needed. */
function comparableDirect(kind: ValueKind, value: number | string): Comparable | undefined {
  if (kind === "number" || kind === "boolean") {
    return typeof value === "number" ? value : parseNumber(value);
  }
  return value;
}

/** The bytes `ranges` pick from `hex` (concatenated), or undefined when one falls outside. */
function slice(hex: string, ranges: readonly SliceRange[]): string | undefined {
  const length = hex.length / 2;
  let out = "";
  for (const range of ranges) {
    const start = range.start < 0 ? length + range.start : range.start;
    const end = range.length === undefined ? length : start + range.length;
    if (start < 0 || end > length || start > end) return undefined;
    out += hex.slice(start * 2, end * 2);
  }
  return out;
}

/** A `matches` pattern: Wireshark's are PCRE; `(?i)` in front means case-insensitive. */
function regularExpression(term: Term, expression: string): RegExp {
  let pattern = term.text;
  let flags = "s";
  const inline = /^\(\?([imsx]+)\)/.exec(pattern);
  if (inline !== null) {
    pattern = pattern.slice(inline[0].length);
    for (const flag of inline[1]) if (flag !== "s" && flag !== "x") flags += flag;
  }
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw new DisplayFilterError(
      `"${term.text}" is not a regular expression: ${(error as Error).message}`,
      expression,
      term.at,
    );
  }
}

function hexLatin1(hex: string): string {
  let text = "";
  for (let i = 0; i < hex.length; i += 2) {
    text += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  }
  return text;
}

/** A string's UTF-8 bytes, one character each (to search a protocol's bytes). */
function latin1OfText(text: string): string {
  return bytesLatin1(new TextEncoder().encode(text));
}
