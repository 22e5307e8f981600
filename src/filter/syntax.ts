/**
 * The display-filter language's syntax, as Wireshark 4 reads it: a filter is tests joined by
 * `and`/`&&`, `or`/`||`, `xor`/`^^` and negated by `not`/`!`, with parentheses; a test is a
 * field alone (is it there?), a comparison (`==`, `!=`, `===`, `!==`, `~=`, `<`, `<=`, `>`,
 * `>=` or their word forms `eq`, `ne`, `all_eq`, `any_ne`, `lt`, …), `contains`,
 * `matches`/`~`, or membership (`in {80, 443, 8000..8080}`, `not in`). A field may be sliced
 * (`eth.src[0:3]`). `and` binds tighter than `or`, as in Wireshark.
 *
 * The parser knows nothing of fields: a bare word is a `word` node, which the compiler
 * (compile.ts) reads as a field when one has that name, and otherwise as a literal of the
 * other side's type (`10.0.0.0/8`, `00:00:5e`, `GET`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFilter } from "./syntax.ts";
 * const tree = parseFilter("tcp.port in {80, 443} && !dns");
 * assert.equal(tree.kind, "and");
 * ```
 * @module
 */

import { DisplayFilterError } from "./error.ts";

/** A comparison's operator, by its symbol (word forms are read as these). */
export type CompareOperator =
  | "=="
  | "!="
  | "==="
  | "!=="
  | "~="
  | "<"
  | "<="
  | ">"
  | ">="
  | "contains"
  | "matches"
  | "&";

/** A slice of a field's bytes: `[start:length]`, `[start-end]`, `[start]`, `[start:]`. */
export interface SliceRange {
  /** First byte; negative counts from the end. */
  start: number;
  /** Bytes taken, or undefined for "to the end". */
  length: number | undefined;
}

/** A word (a field's name, or an unquoted literal), a quoted string, or a character. */
export interface Term {
  kind: "word" | "string" | "char";
  text: string;
  /** Where it starts in the expression (for the caret). */
  at: number;
  /** Slices, when the term is followed by `[…]`. */
  slices?: SliceRange[];
}

/** The parsed filter. */
export type FilterNode =
  | { kind: "and" | "or" | "xor"; left: FilterNode; right: FilterNode }
  | { kind: "not"; operand: FilterNode }
  | { kind: "exists"; term: Term }
  | { kind: "compare"; operator: CompareOperator; left: Term; right: Term; at: number }
  | { kind: "in"; term: Term; members: (Term | [Term, Term])[]; negated: boolean; at: number };

const WORD_OPERATORS: Readonly<Record<string, CompareOperator>> = {
  eq: "==",
  any_eq: "==",
  ne: "!=",
  all_ne: "!=",
  all_eq: "===",
  any_ne: "!==",
  gt: ">",
  lt: "<",
  ge: ">=",
  le: "<=",
  contains: "contains",
  matches: "matches",
  bitwise_and: "&",
  bitand: "&",
};

const SYMBOL_OPERATORS: readonly string[] = [
  "===",
  "!==",
  "==",
  "!=",
  "~=",
  "<=",
  ">=",
  "<",
  ">",
  "~",
  "&",
];

/** Characters that end an unquoted word. */
const WORD_END = /[\s()[\]{},"'!=<>&|~^]/;

interface Token {
  kind: "word" | "string" | "char" | "symbol" | "end";
  text: string;
  at: number;
  /** A word directly followed by `[` (no space): a slice follows. */
  sliced?: boolean;
}

/** Splits the expression into tokens. */
function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === '"' || (c === "r" && expression[i + 1] === '"')) {
      const raw = c === "r";
      i += raw ? 2 : 1;
      let text = "";
      while (i < expression.length && expression[i] !== '"') {
        if (expression[i] === "\\" && i + 1 < expression.length) {
          const [value, used] = raw ? ["\\" + expression[i + 1], 2] : unescape(expression, i);
          text += value;
          i += used;
        } else text += expression[i++];
      }
      if (i >= expression.length) {
        throw new DisplayFilterError('the string is not closed: add a "', expression, at);
      }
      i++;
      tokens.push({ kind: "string", text, at });
      continue;
    }
    if (c === "'") {
      let text: string;
      i++;
      if (expression[i] === "\\") {
        const [value, used] = unescape(expression, i);
        text = value;
        i += used;
      } else text = expression[i++] ?? "";
      if (expression[i] !== "'" || text === "") {
        throw new DisplayFilterError(
          "a character is one character between single quotes ('a')",
          expression,
          at,
        );
      }
      i++;
      tokens.push({ kind: "char", text, at });
      continue;
    }
    const two = expression.slice(i, i + 2);
    if (two === "&&" || two === "||" || two === "^^") {
      tokens.push({ kind: "symbol", text: two, at });
      i += 2;
      continue;
    }
    const symbol = SYMBOL_OPERATORS.find((s) => expression.startsWith(s, i));
    if (symbol !== undefined) {
      tokens.push({ kind: "symbol", text: symbol, at });
      i += symbol.length;
      continue;
    }
    if ("()[]{},!".includes(c)) {
      tokens.push({ kind: "symbol", text: c, at });
      i++;
      continue;
    }
    if (c === "|" || c === "^") {
      throw new DisplayFilterError(
        `"${c}" alone is not an operator: write ${c}${c}`,
        expression,
        at,
      );
    }
    let end = i;
    while (end < expression.length && !WORD_END.test(expression[end])) end++;
    // A character that ends a word and begins no operator: a lone `=`.
    if (end === i) throw new DisplayFilterError(`"${c}" was not expected here`, expression, at);
    tokens.push({
      kind: "word",
      text: expression.slice(i, end),
      at,
      sliced: expression[end] === "[",
    });
    i = end;
  }
  tokens.push({ kind: "end", text: "", at: expression.length });
  return tokens;
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "0": "\0",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

/** The escape at `i` (a backslash) and how many characters it took. */
function unescape(expression: string, i: number): [string, number] {
  const next = expression[i + 1];
  if (next === "x" && /^[0-9a-fA-F]{2}$/.test(expression.slice(i + 2, i + 4))) {
    return [String.fromCharCode(parseInt(expression.slice(i + 2, i + 4), 16)), 4];
  }
  if (/^[0-7]{3}$/.test(expression.slice(i + 1, i + 4))) {
    return [String.fromCharCode(parseInt(expression.slice(i + 1, i + 4), 8)), 4];
  }
  const value = ESCAPES[next];
  if (value === undefined) {
    throw new DisplayFilterError(`\\${next ?? ""} is not an escape`, expression, i);
  }
  return [value, 2];
}

/** Most nested parentheses and negations: a bound on the parser's recursion. */
const MAX_DEPTH = 100;

/** Parses one filter expression; throws `DisplayFilterError` where it goes wrong. */
export function parseFilter(expression: string): FilterNode {
  if (expression.trim() === "") {
    throw new DisplayFilterError("the filter is empty: give a field or a test", expression, 0);
  }
  const tokens = tokenize(expression);
  let position = 0;
  let depth = 0;
  const peek = () => tokens[position];
  const fail = (message: string, token: Token = peek()): never => {
    throw new DisplayFilterError(message, expression, token.at);
  };
  const isWord = (token: Token, ...words: string[]) =>
    token.kind === "word" && words.includes(token.text.toLowerCase());
  const isSymbol = (token: Token, ...symbols: string[]) =>
    token.kind === "symbol" && symbols.includes(token.text);

  function or(): FilterNode {
    let left = and();
    for (;;) {
      const token = peek();
      if (isSymbol(token, "||") || isWord(token, "or")) {
        position++;
        left = { kind: "or", left, right: and() };
      } else if (isSymbol(token, "^^") || isWord(token, "xor")) {
        position++;
        left = { kind: "xor", left, right: and() };
      } else return left;
    }
  }

  function and(): FilterNode {
    let left = unary();
    while (isSymbol(peek(), "&&") || isWord(peek(), "and")) {
      position++;
      left = { kind: "and", left, right: unary() };
    }
    return left;
  }

  function unary(): FilterNode {
    if (++depth > MAX_DEPTH) fail(`more than ${MAX_DEPTH} levels of nesting`);
    try {
      const token = peek();
      if (isSymbol(token, "!") || isWord(token, "not")) {
        position++;
        return { kind: "not", operand: unary() };
      }
      if (isSymbol(token, "(")) {
        position++;
        const inside = or();
        if (!isSymbol(peek(), ")")) fail("a ( is not closed: add a )", peek());
        position++;
        return inside;
      }
      return test();
    } finally {
      depth--;
    }
  }

  function term(): Term {
    const token = peek();
    if (token.kind === "end") fail("a field or a value is missing here");
    if (token.kind === "symbol") fail(`a field or a value was expected, not "${token.text}"`);
    position++;
    const result: Term = { kind: token.kind as Term["kind"], text: token.text, at: token.at };
    if (token.sliced) result.slices = slices();
    return result;
  }

  function slices(): SliceRange[] {
    const open = peek();
    position++; // [
    const ranges: SliceRange[] = [];
    for (;;) {
      const token = peek();
      if (token.kind !== "word") fail("a slice is a byte range: [0:3], [2-5] or [4]");
      position++;
      ranges.push(sliceRange(token));
      if (isSymbol(peek(), ",")) {
        position++;
        continue;
      }
      if (!isSymbol(peek(), "]")) fail("a [ is not closed: add a ]", open);
      position++;
      return ranges;
    }
  }

  function sliceRange(token: Token): SliceRange {
    const text = token.text;
    const number = (part: string) => {
      if (!/^-?\d+$/.test(part)) fail(`"${text}" is not a byte range: [0:3], [2-5] or [4]`, token);
      return Number(part);
    };
    const colon = text.indexOf(":");
    if (colon >= 0) {
      const start = colon === 0 ? 0 : number(text.slice(0, colon));
      const rest = text.slice(colon + 1);
      return { start, length: rest === "" ? undefined : number(rest) };
    }
    const dash = text.indexOf("-", 1);
    if (dash > 0) {
      const start = number(text.slice(0, dash));
      const end = number(text.slice(dash + 1));
      if (end < start) fail(`"${text}": the range ends before it starts`, token);
      return { start, length: end - start + 1 };
    }
    return { start: number(text), length: 1 };
  }

  function test(): FilterNode {
    const left = term();
    const token = peek();
    let operator: CompareOperator | undefined;
    if (token.kind === "symbol" && SYMBOL_OPERATORS.includes(token.text)) {
      operator = token.text === "~" ? "matches" : token.text as CompareOperator;
    } else if (token.kind === "word") operator = WORD_OPERATORS[token.text.toLowerCase()];
    if (operator !== undefined) {
      position++;
      return { kind: "compare", operator, left, right: term(), at: token.at };
    }
    if (isWord(token, "in")) {
      position++;
      return { kind: "in", term: left, members: members(), negated: false, at: token.at };
    }
    if (isWord(token, "not") && isWord(tokens[position + 1], "in")) {
      position += 2;
      return { kind: "in", term: left, members: members(), negated: true, at: token.at };
    }
    return { kind: "exists", term: left };
  }

  function members(): (Term | [Term, Term])[] {
    const open = peek();
    if (!isSymbol(open, "{")) fail("in takes a set: in {80, 443, 8000..8080}");
    position++;
    const list: (Term | [Term, Term])[] = [];
    while (!isSymbol(peek(), "}")) {
      if (peek().kind === "end") fail("a { is not closed: add a }", open);
      const member = term();
      const range = member.kind === "word" ? member.text.indexOf("..") : -1;
      if (range >= 0) {
        // `8000..8080` is one word to the tokenizer.
        const low = member.text.slice(0, range);
        const high = member.text.slice(range + 2);
        if (low === "" || high === "") fail("a range is LOW..HIGH", member as unknown as Token);
        list.push([
          { kind: "word", text: low, at: member.at },
          { kind: "word", text: high, at: member.at + range + 2 },
        ]);
      } else list.push(member);
      if (isSymbol(peek(), ",")) position++;
      else if (!isSymbol(peek(), "}")) fail("set members are separated by commas");
    }
    if (list.length === 0) fail("the set is empty", open);
    position++;
    return list;
  }

  const tree = or();
  const rest = peek();
  if (rest.kind !== "end") {
    if (isSymbol(rest, ")")) fail("this ) has no ( before it");
    fail(`"${rest.text}" was not expected here: join tests with and, or`);
  }
  return tree;
}
