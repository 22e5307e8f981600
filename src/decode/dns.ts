/**
 * A DNS message summary (RFC 1035 section 4.1): identifier, query or response, opcode, flags,
 * response code, section counts and the first question. Names follow compression pointers
 * with a bound on jumps and length, and bytes outside printable ASCII are escaped as `\DDD`
 * (as `dig` writes them), so a name can never carry a terminal escape sequence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DnsMessage } from "./mod.ts";
 * const query = new Uint8Array([
 *   0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
 *   7, ..."example".split("").map((c) => c.charCodeAt(0)), 3, 99, 111, 109, 0, 0, 1, 0, 1,
 * ]);
 * const dns = new DnsMessage().bind(new DataView(query.buffer), 0, query.length);
 * assert.deepEqual([dns.id, dns.isResponse, dns.questionName, dns.questionTypeName], [4660, false, "example.com", "A"]);
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** The fixed DNS header: 12 bytes. */
export const DNS_HEADER_LENGTH = 12;

// Where each field of the header lies (RFC 1035 section 4.1.1), in bytes from its start.
const FIELD_ID = 0;
/** QR, opcode, AA, TC, RD, RA, Z, AD, CD and rcode. */
const FIELD_FLAGS = 2;
const FIELD_QUESTION_COUNT = 4;
const FIELD_ANSWER_COUNT = 6;
const FIELD_AUTHORITY_COUNT = 8;
const FIELD_ADDITIONAL_COUNT = 10;
/** The question section follows the header. */
const FIELD_QUESTIONS = 12;

/** QR: the message is a response (RFC 1035 section 4.1.1). */
export const DNS_FLAG_QR = 0x8000;
/** AA: authoritative answer. */
export const DNS_FLAG_AA = 0x0400;
/** TC: truncated. */
export const DNS_FLAG_TC = 0x0200;
/** RD: recursion desired. */
export const DNS_FLAG_RD = 0x0100;
/** RA: recursion available. */
export const DNS_FLAG_RA = 0x0080;

/** A question's type and class after its name (RFC 1035 section 4.1.2): 2 bytes each. */
const QUESTION_TYPE = 0;
const QUESTION_CLASS = 2;
const QUESTION_FIXED_LENGTH = 4;
/** The well-known DNS port. */
export const DNS_PORT = 53;
/** Multicast DNS (RFC 6762). */
export const MDNS_PORT = 5353;

const TYPE_NAMES: Record<number, string> = {
  1: "A",
  2: "NS",
  5: "CNAME",
  6: "SOA",
  12: "PTR",
  13: "HINFO",
  15: "MX",
  16: "TXT",
  28: "AAAA",
  33: "SRV",
  35: "NAPTR",
  41: "OPT",
  43: "DS",
  46: "RRSIG",
  47: "NSEC",
  48: "DNSKEY",
  64: "SVCB",
  65: "HTTPS",
  252: "AXFR",
  255: "ANY",
  257: "CAA",
};

const RCODE_NAMES: readonly string[] = [
  "NoError",
  "FormErr",
  "ServFail",
  "NXDomain",
  "NotImp",
  "Refused",
  "YXDomain",
  "YXRRSet",
  "NXRRSet",
  "NotAuth",
  "NotZone",
];

/**
 * The text of a record type: `A`, `AAAA`, `MX`, or `TYPE65534` for one without a name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dnsTypeName } from "./mod.ts";
 * assert.deepEqual([dnsTypeName(28), dnsTypeName(65534)], ["AAAA", "TYPE65534"]);
 * ```
 */
export function dnsTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE${type}`;
}

/**
 * The text of a response code: `NoError`, `NXDomain`, …, or `rcode N` for one without a name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dnsRcodeName } from "./mod.ts";
 * assert.deepEqual([dnsRcodeName(3), dnsRcodeName(15)], ["NXDomain", "rcode 15"]);
 * ```
 */
export function dnsRcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `rcode ${rcode}`;
}

/** At most this many compression jumps are followed in one name. */
const MAX_POINTER_JUMPS = 32;
/** A name is at most 255 bytes on the wire (RFC 1035 section 2.3.4). */
const MAX_NAME_LENGTH = 255;
/** The longest text `copyName` writes: every byte of a longest name escaped as `\DDD`. */
export const MAX_NAME_TEXT_LENGTH = 4 * MAX_NAME_LENGTH;
const DOT = 0x2e;
const BACKSLASH = 0x5c;
const ZERO = 0x30;

/** The JSON form of a DNS summary (docs/json.md). */
export interface DnsJson {
  /** Identification (or DNS/echo identifier). */
  id: number;
  /** A response (QR set). */
  response: boolean;
  /** Operation code. */
  opcode: number;
  /** Response code. */
  rcode: number;
  /** Response code as text (NoError, NXDomain, …). */
  rcodeName: string;
  /** The flags, each a boolean. */
  flags: { aa: boolean; tc: boolean; rd: boolean; ra: boolean };
  /** Question count. */
  questions: number;
  /** Answer count. */
  answers: number;
  /** Authority count. */
  authorities: number;
  /** Additional count. */
  additionals: number;
  /** The first question, or null when malformed. */
  question?: DnsQuestion | null;
}

/** A DNS question: the name asked about, the record type and class. */
export interface DnsQuestion {
  /** The name, dot-separated, without a trailing dot (the root is `.`). */
  name: string;
  /** Record type. */
  type: number;
  /** Record type as text (`A`, `AAAA`, `TYPE65534`). */
  typeName: string;
  /** Class (1 for IN). */
  class: number;
}

/** A view of one DNS message. */
export class DnsMessage extends HeaderView {
  /** Identifier. */
  get id(): number {
    return this.view.getUint16(this.offset + FIELD_ID);
  }

  /** The flags word. */
  get flagsWord(): number {
    return this.view.getUint16(this.offset + FIELD_FLAGS);
  }

  /** QR: a response. */
  get isResponse(): boolean {
    return (this.flagsWord & DNS_FLAG_QR) !== 0;
  }

  /** Opcode (0 query, 4 notify, 5 update). */
  get opcode(): number {
    return (this.flagsWord >>> 11) & 0xf;
  }

  /** AA, TC, RD and RA as four bits, AA highest: an index for writers' tables. */
  get aaTcRdRa(): number {
    return (this.flagsWord >>> 7) & 0x0f;
  }

  /** Response code. */
  get rcode(): number {
    return this.flagsWord & 0xf;
  }

  /** `NoError`, `NXDomain`, `ServFail`, … */
  get rcodeName(): string {
    return dnsRcodeName(this.rcode);
  }

  /** Question count. */
  get questionCount(): number {
    return this.view.getUint16(this.offset + FIELD_QUESTION_COUNT);
  }

  /** Answer count. */
  get answerCount(): number {
    return this.view.getUint16(this.offset + FIELD_ANSWER_COUNT);
  }

  /** Authority count. */
  get authorityCount(): number {
    return this.view.getUint16(this.offset + FIELD_AUTHORITY_COUNT);
  }

  /** Additional count. */
  get additionalCount(): number {
    return this.view.getUint16(this.offset + FIELD_ADDITIONAL_COUNT);
  }

  /** Where the name copied by the last `copyName` ends in the message. */
  nameNext: number = -1;

  /**
   * Copies the text of the name at `at` into `into` at `offset` as ASCII bytes (without the
   * final dot; `.` for the root; bytes outside printable ASCII, dots and backslashes inside
   * labels escaped); returns how many bytes, or -1 when the name is malformed or runs past
   * the captured bytes. `into` needs `MAX_NAME_TEXT_LENGTH` bytes of room from `offset`.
   * Sets `nameNext`. Allocates nothing: the output writers copy names straight into their
   * buffer.
   */
  copyName(at: number, into: Uint8Array, offset: number): number {
    const view = this.view;
    const end = this.end;
    let written = offset;
    let next = -1;
    let jumps = 0;
    let length = 0;
    for (let position = at;;) {
      if (position >= end) return -1;
      const size = view.getUint8(position);
      if (size === 0) {
        this.nameNext = next < 0 ? position + 1 : next;
        if (written === offset) into[written++] = DOT;
        return written - offset;
      }
      if ((size & 0xc0) === 0xc0) {
        if (position + 1 >= end || ++jumps > MAX_POINTER_JUMPS) return -1;
        if (next < 0) next = position + 2;
        position = this.offset + (((size & 0x3f) << 8) | view.getUint8(position + 1));
        continue;
      }
      if ((size & 0xc0) !== 0 || position + 1 + size > end) return -1;
      length += size + 1;
      if (length > MAX_NAME_LENGTH) return -1;
      if (written !== offset) into[written++] = DOT;
      for (let i = position + 1; i <= position + size; i++) {
        const byte = view.getUint8(i);
        if (byte === DOT || byte === BACKSLASH) {
          into[written++] = BACKSLASH;
          into[written++] = byte;
        } else if (byte > 0x20 && byte < 0x7f) {
          into[written++] = byte;
        } else {
          into[written++] = BACKSLASH;
          into[written++] = ZERO + Math.floor(byte / 100);
          into[written++] = ZERO + Math.floor(byte / 10) % 10;
          into[written++] = ZERO + byte % 10;
        }
      }
      position += size + 1;
    }
  }

  /**
   * Reads the name at `at`: its text (without the final dot; `.` for the root) and where the
   * name ends in the message; `null` when it is malformed or runs past the captured bytes.
   */
  readName(at: number): { name: string; next: number } | null {
    const text = this.#nameText;
    const count = this.copyName(at, text, 0);
    if (count < 0) return null;
    return { name: String.fromCharCode(...text.subarray(0, count)), next: this.nameNext };
  }

  readonly #nameText = new Uint8Array(MAX_NAME_TEXT_LENGTH);

  /** The first question's type after `copyQuestion`, or -1 when it was not captured. */
  copiedType: number = -1;
  /** The first question's class after `copyQuestion`, or -1 when it was not captured. */
  copiedClass: number = -1;

  /**
   * Copies the first question's name into `into` as `copyName` does and reads the type and
   * class after it into `copiedType` and `copiedClass` (-1 when the capture ends before
   * them); returns the name's length, or -1 when the name is malformed or cut short. Call it
   * only when `questionCount` is not 0.
   */
  copyQuestion(into: Uint8Array): number {
    const count = this.copyName(this.offset + FIELD_QUESTIONS, into, 0);
    this.copiedType = this.copiedClass = -1;
    if (count < 0) return count;
    const next = this.nameNext;
    if (next + QUESTION_FIXED_LENGTH <= this.end) {
      this.copiedType = this.view.getUint16(next + QUESTION_TYPE);
      this.copiedClass = this.view.getUint16(next + QUESTION_CLASS);
    }
    return count;
  }

  /** The first question's name, or `null` when there is none or it is malformed. */
  get questionName(): string | null {
    if (this.questionCount === 0) return null;
    return this.readName(this.offset + FIELD_QUESTIONS)?.name ?? null;
  }

  /** The first question's type, or `null`. */
  get questionType(): number | null {
    return this.question?.type ?? null;
  }

  /** The first question's type as text (`A`, `AAAA`, `TYPE65534`), or `null`. */
  get questionTypeName(): string | null {
    const type = this.questionType;
    return type === null ? null : dnsTypeName(type);
  }

  /** The first question, or `null` when there is none or it is cut short or malformed. */
  get question(): DnsQuestion | null {
    if (this.questionCount === 0) return null;
    const text = this.#nameText;
    const count = this.copyQuestion(text);
    if (count < 0 || this.copiedType < 0) return null;
    const type = this.copiedType;
    return {
      name: String.fromCharCode(...text.subarray(0, count)),
      type,
      typeName: dnsTypeName(type),
      class: this.copiedClass,
    };
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): DnsJson {
    const flags = this.flagsWord;
    const json: DnsJson = {
      id: this.id,
      response: this.isResponse,
      opcode: this.opcode,
      rcode: this.rcode,
      rcodeName: this.rcodeName,
      flags: {
        aa: (flags & DNS_FLAG_AA) !== 0,
        tc: (flags & DNS_FLAG_TC) !== 0,
        rd: (flags & DNS_FLAG_RD) !== 0,
        ra: (flags & DNS_FLAG_RA) !== 0,
      },
      questions: this.questionCount,
      answers: this.answerCount,
      authorities: this.authorityCount,
      additionals: this.additionalCount,
    };
    if (this.questionCount > 0) json.question = this.question;
    return json;
  }
}

/** DNS's fields under tshark's names (`dns.flags.rcode`: responses only, as tshark shows it). */
export const DNS_FIELDS: FieldTable<DnsMessage> = {
  "dns.id": (dns) => dns.id,
  "dns.flags.response": (dns) => dns.isResponse ? 1 : 0,
  "dns.flags.opcode": (dns) => dns.opcode,
  "dns.flags.rcode": (dns) => dns.isResponse ? dns.rcode : undefined,
  "dns.qry.name": (dns) => dns.questionName ?? undefined,
  "dns.qry.type": (dns) => dns.questionType ?? undefined,
  "dns.count.answers": (dns) => dns.answerCount,
};

/**
 * The JSON object's keys in their order: `toJSON`, the fast JSON writer and docs/json.md follow
 * this one declaration (tests/json_keys_test.ts holds all three to it). A key may be absent
 * from an object, never out of order.
 */
export const DNS_JSON_KEYS: readonly string[] = [
  "id",
  "response",
  "opcode",
  "rcode",
  "rcodeName",
  "flags",
  "questions",
  "answers",
  "authorities",
  "additionals",
  "question",
] as const satisfies readonly (keyof DnsJson)[];
