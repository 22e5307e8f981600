/**
 * Values as the display filter compares them. Each field type has one comparable form (a
 * number for integers, booleans, times and IPv4 addresses; lower-case hex for IPv6 and
 * Ethernet addresses and byte strings; the text for strings), and the literals a user types
 * for that type are read into the same form: `10.0.0.0/8`, `2001:db8::/32`,
 * `00:00:5e:00:53:01`, `00:00:5e`, `0x1f`, `017` (octal, as Wireshark reads it), `True`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIpv4, parseIpv6Hex, parseNumber } from "./values.ts";
 * assert.deepEqual(parseIpv4("192.0.2.1"), 0xc0000201);
 * assert.deepEqual(parseIpv6Hex("2001:db8::1"), "20010db8000000000000000000000001");
 * assert.deepEqual([parseNumber("0x1f"), parseNumber("017"), parseNumber("-3")], [31, 15, -3]);
 * ```
 * @module
 */

/** How the filter treats a field type. */
export type ValueKind =
  | "number"
  | "boolean"
  | "ipv4"
  | "ipv6"
  | "ether"
  | "bytes"
  | "string"
  | "time"
  | "none"
  | "protocol";

/** The kind of tshark's field type (`FT_UINT16` is a number, `FT_IPv4` an IPv4 address, …). */
export function kindOf(type: string): ValueKind {
  if (/^FT_U?INT\d+$/.test(type) || type === "FT_FRAMENUM" || type === "FT_CHAR") return "number";
  if (type === "FT_DOUBLE" || type === "FT_FLOAT") return "number";
  if (type === "FT_RELATIVE_TIME" || type === "FT_ABSOLUTE_TIME") return "time";
  if (type === "FT_BOOLEAN") return "boolean";
  if (type === "FT_IPv4") return "ipv4";
  if (type === "FT_IPv6") return "ipv6";
  if (type === "FT_ETHER") return "ether";
  if (type === "FT_BYTES" || type === "FT_UINT_BYTES") return "bytes";
  if (type.startsWith("FT_STRING") || type === "FT_UINT_STRING") return "string";
  if (type === "FT_PROTOCOL") return "protocol";
  return "none";
}

/** What a kind is called in messages. */
export const KIND_NAMES: Readonly<Record<ValueKind, string>> = {
  number: "a number",
  boolean: "a boolean (True, False, 1 or 0)",
  ipv4: "an IPv4 address (192.0.2.1 or 192.0.2.0/24)",
  ipv6: "an IPv6 address (2001:db8::1 or 2001:db8::/32)",
  ether: "an Ethernet address (00:00:5e:00:53:01)",
  bytes: "bytes (00:00:5e)",
  string: 'a string ("text")',
  time: "a time in seconds (1.5)",
  none: "nothing (the field is only there or not)",
  protocol: "a protocol's bytes",
};

/** An integer as Wireshark reads it: decimal, `0x` hex, `0b` binary or `0` octal; or undefined. */
export function parseNumber(text: string): number | undefined {
  const match = /^([+-]?)(0x[0-9a-f]+|0b[01]+|0[0-7]*|[1-9]\d*)$/i.exec(text);
  if (match === null) {
    // A fraction (doubles, times): plain decimal notation only.
    return /^[+-]?(\d+\.\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : undefined;
  }
  const digits = match[2];
  let value: number;
  if (/^0x/i.test(digits)) value = parseInt(digits.slice(2), 16);
  else if (/^0b/i.test(digits)) value = parseInt(digits.slice(2), 2);
  else if (digits.length > 1 && digits[0] === "0") value = parseInt(digits, 8);
  else value = Number(digits);
  return match[1] === "-" ? -value : value;
}

/** A dotted-quad IPv4 address as a 32-bit number, or undefined. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** An IPv6 address (with `::` and an IPv4 tail allowed) as 32 lower-case hex digits, or undefined. */
export function parseIpv6Hex(text: string): string | undefined {
  if (!/^[0-9a-f:.]+$/i.test(text) || text.split("::").length > 2) return undefined;
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const groups = (part: string): string[] | undefined => {
    if (part === "") return [];
    const pieces = part.split(":");
    const out: string[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        const hex = v4.toString(16).padStart(8, "0");
        out.push(hex.slice(0, 4), hex.slice(4));
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) out.push(piece.padStart(4, "0"));
      else return undefined;
    }
    return out;
  };
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  if (front === undefined || back === undefined) return undefined;
  const missing = 8 - front.length - back.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  return [...front, ...Array(tail === undefined ? 0 : missing).fill("0000"), ...back].join("")
    .toLowerCase();
}

/**
 * Bytes written as hex, pairs separated by `:`, `-` or `.` (or not at all), as lower-case
 * hex without separators; or undefined.
 */
export function parseBytesHex(text: string): string | undefined {
  if (/^[0-9a-f]{2}([:.-][0-9a-f]{2})*$/i.test(text)) {
    return text.replace(/[:.-]/g, "").toLowerCase();
  }
  // Cisco's dotted form (0000.5e00.5301) and one unbroken run of pairs.
  if (/^([0-9a-f]{4}\.)+[0-9a-f]{4}$/i.test(text) || /^([0-9a-f]{2})+$/i.test(text)) {
    return text.replace(/\./g, "").toLowerCase();
  }
  // One byte: one or two hex digits (so `192` is not a byte, and `2` is 02), or 0x02.
  if (/^(0x)?[0-9a-f]{1,2}$/i.test(text)) {
    return text.replace(/^0x/i, "").padStart(2, "0").toLowerCase();
  }
  // A single byte may be one digit (0:1:2).
  if (/^[0-9a-f]{1,2}(:[0-9a-f]{1,2})+$/i.test(text)) {
    return text.split(":").map((part) => part.padStart(2, "0")).join("").toLowerCase();
  }
  return undefined;
}

/** A string's bytes (UTF-8) as lower-case hex. */
export function textHex(text: string): string {
  let hex = "";
  for (const byte of new TextEncoder().encode(text)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Bytes as lower-case hex. */
export function bytesHex(bytes: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += HEX_PAIRS[bytes[i]];
  return hex;
}

const HEX_PAIRS: readonly string[] = Array.from(
  { length: 256 },
  (_, byte) => byte.toString(16).padStart(2, "0"),
);

/** Bytes as a string of one character per byte (for `matches` over raw bytes). */
export function bytesLatin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    text += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return text;
}

/**
 * A field's value (as the field tables give it) in the comparable form of `kind`; undefined
 * where the value does not read as that kind.
 */
export function comparable(kind: ValueKind, value: number | string): number | string | undefined {
  switch (kind) {
    case "number":
    case "boolean":
      return typeof value === "number" ? value : parseNumber(value);
    case "time":
      return typeof value === "number" ? value : Number(value);
    case "ipv4":
      return typeof value === "string" ? parseIpv4(value) : value;
    case "ipv6":
      return typeof value === "string" ? parseIpv6Hex(value) : undefined;
    case "ether":
    case "bytes":
      return typeof value === "string" ? value.replace(/[:.-]/g, "").toLowerCase() : undefined;
    case "string":
      return String(value);
    default:
      return value;
  }
}

/** A comparable value's bytes as hex, for slices. */
export function comparableHex(kind: ValueKind, value: number | string): string {
  if (kind === "ipv4") return (value as number).toString(16).padStart(8, "0");
  if (kind === "string") return textHex(value as string);
  return String(value);
}
