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
 * assert.deepEqual([dns.id, dns.isResponse, dns.question?.name, dns.question?.typeName], [4660, false, "example.com", "A"]);
 * ```
 * @module
 */

import {
  DNS_TYPE_A,
  DNS_TYPE_AAAA,
  DNS_TYPE_CNAME,
  DNS_TYPE_MX,
  DNS_TYPE_NS,
  DNS_TYPE_PTR,
  DNS_TYPE_SOA,
  DNS_TYPE_SRV,
  DNS_TYPE_TXT,
} from "./dns_types.ts";
import { HeaderView } from "./header.ts";
import type { FieldPlaces, FieldTable } from "./field.ts";
import { dnsRecordData } from "./dns_rdata.ts";

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
/** AD: authentic data (RFC 4035 section 3.2.3). */
export const DNS_FLAG_AD = 0x0020;
/** CD: checking disabled (RFC 4035 section 3.2.2). */
export const DNS_FLAG_CD = 0x0010;

/** A question's type and class after its name (RFC 1035 section 4.1.2): 2 bytes each. */
const QUESTION_TYPE = 0;
const QUESTION_CLASS = 2;
const QUESTION_FIXED_LENGTH = 4;
/** A resource record's fixed part after its name (RFC 1035 section 4.1.3). */
const RECORD_TYPE = 0;
const RECORD_CLASS = 2;
const RECORD_TTL = 4;
const RECORD_DATA_LENGTH = 8;
const RECORD_FIXED_LENGTH = 10;
/** The record type of EDNS's pseudo-record (RFC 6891 section 6.1.1). */
export const DNS_TYPE_OPT = 41;
/**
 * An OPT record's TTL field holds the extended rcode, version, and the DNSSEC OK flag (RFC
 * 6891 section 6.1.3, RFC 3225): this is the flag.
 */
export const DNS_OPT_DO = 0x8000;

/** The three record sections after the questions. */
export const DNS_SECTION_ANSWER = 0;
/** The authority section. */
export const DNS_SECTION_AUTHORITY = 1;
/** The additional section. */
export const DNS_SECTION_ADDITIONAL = 2;

/** The well-known DNS port. */
export const DNS_PORT = 53;
/** Multicast DNS (RFC 6762). */
export const MDNS_PORT = 5353;
/** Link-Local Multicast Name Resolution (RFC 4795). */
export const LLMNR_PORT = 5355;

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
  10: "NULL",
  11: "WKS",
  14: "MINFO",
  17: "RP",
  18: "AFSDB",
  24: "SIG",
  25: "KEY",
  29: "LOC",
  35: "NAPTR",
  36: "KX",
  37: "CERT",
  39: "DNAME",
  41: "OPT",
  42: "APL",
  43: "DS",
  44: "SSHFP",
  45: "IPSECKEY",
  46: "RRSIG",
  47: "NSEC",
  48: "DNSKEY",
  49: "DHCID",
  50: "NSEC3",
  51: "NSEC3PARAM",
  52: "TLSA",
  53: "SMIMEA",
  55: "HIP",
  59: "CDS",
  60: "CDNSKEY",
  61: "OPENPGPKEY",
  62: "CSYNC",
  63: "ZONEMD",
  64: "SVCB",
  65: "HTTPS",
  99: "SPF",
  249: "TKEY",
  250: "TSIG",
  251: "IXFR",
  252: "AXFR",
  253: "MAILB",
  254: "MAILA",
  255: "ANY",
  256: "URI",
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
export const MAX_NAME_TEXT_LENGTH: number = 4 * MAX_NAME_LENGTH + 32;
const DOT = 0x2e;
const BACKSLASH = 0x5c;
const ZERO = 0x30;
/** A length byte's top two bits: 00 a label, 11 a pointer (RFC 1035 section 4.1.4). */
const LABEL_TYPE_MASK = 0xc0;
/** What tcpdump prints after the first 255 characters of an over-long name. */
const NAME_TOO_LONG = new TextEncoder().encode("<DOMAIN NAME TOO LONG>");
const LABEL_POINTER = 0xc0;
const POINTER_OFFSET_MASK = 0x3fff;

/** How `copyName` writes a label's bytes. */
export type NameStyle =
  /** As `dig` does: dots and backslashes inside labels escaped, other bytes as `\DDD`. */
  | "presentation"
  /** As tcpdump does: bytes as they are, high bytes as `M-x` and control bytes as `^X`. */
  | "tcpdump";

/**
 * Writes one byte as tcpdump prints a name's bytes (`nd_printn`): printable ASCII as it is,
 * a byte above 0x7f as `M-` and its low seven bits, a control byte as `^` and the byte
 * XOR 0x40; returns where the writing ends.
 */
function tcpdumpByte(byte: number, into: Uint8Array, at: number): number {
  if (byte > 0x7f) {
    into[at++] = 0x4d; // M
    into[at++] = 0x2d; // -
    byte &= 0x7f;
  }
  if (byte < 0x20 || byte === 0x7f) {
    into[at++] = 0x5e; // ^
    byte ^= 0x40;
  }
  into[at++] = byte;
  return at;
}

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
  flags: { aa: boolean; tc: boolean; rd: boolean; ra: boolean; ad: boolean; cd: boolean };
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
  /** The answer section's records (absent when the message has none). */
  answer?: DnsRecordJson[];
  /** The authority section's records (absent when the message has none). */
  authority?: DnsRecordJson[];
  /** The additional section's records but EDNS's OPT (absent when there are none). */
  additional?: DnsRecordJson[];
  /** The EDNS pseudo-record, when the message has one. */
  edns?: DnsEdns;
  /** Where the records stop short of their counts: `truncated` or `malformed`. */
  recordsError?: "truncated" | "malformed";
}

/** One resource record in JSON. */
export interface DnsRecordJson {
  /** The owner name (as `question.name`), or null when malformed. */
  name: string | null;
  /** Record type. */
  type: number;
  /** Record type as text (`A`, `HTTPS`, `TYPE65534`). */
  typeName: string;
  /** Class (1 for IN). */
  class: number;
  /** Time to live, seconds. */
  ttl: number;
  /** The data in presentation format (see `dnsRecordData`), or null when it was cut. */
  data: string | null;
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

/** One resource record of a message, as `DnsMessage.readRecord` found it. */
export class DnsRecord {
  /** Which section: `DNS_SECTION_ANSWER`, `_AUTHORITY` or `_ADDITIONAL`. */
  section: number = DNS_SECTION_ANSWER;
  /** Where the owner name begins (absolute). */
  nameAt = 0;
  /** Record type. */
  type = 0;
  /** Class (for OPT: the requester's UDP payload size). */
  class = 0;
  /** Time to live, seconds (for OPT: extended rcode, version and flags). */
  ttl = 0;
  /** Where the data begins (absolute). */
  dataAt = 0;
  /** The data's length on the wire. */
  dataLength = 0;
  /** Whether the data runs past the captured bytes. */
  dataCut = false;
}

/** An EDNS option (RFC 6891 section 6.1.2): its code and its data as hex. */
export interface DnsEdnsOption {
  /** Option code (10 COOKIE, 8 client subnet, 3 NSID, 12 padding, …). */
  code: number;
  /** The option's data, lower-case hex. */
  data: string;
}

/** The EDNS pseudo-record's meaning (RFC 6891 section 6.1.3). */
export interface DnsEdns {
  /** The largest UDP payload the sender takes. */
  udpSize: number;
  /** The full 12-bit response code: the OPT record's upper eight bits and the header's four. */
  extendedRcode: number;
  /** EDNS version. */
  version: number;
  /** DO: DNSSEC records wanted (RFC 3225). */
  do: boolean;
  /** The options, in order. */
  options: DnsEdnsOption[];
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

  /** AA, TC, RD, RA, AD and CD as six bits, AA highest: an index for writers' tables. */
  get flagBits(): number {
    const word = this.flagsWord;
    return (((word >>> 7) & 0x0f) << 2) | ((word >>> 4) & 0x03);
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
   * Why the last `copyName` failed: `cut` (the capture ends inside the name), `pointer` (a
   * compression pointer that does not point back: a loop or garbage), `label` (a label type
   * other than a length or a pointer), `long` (over 255 bytes); `""` when it did not.
   */
  nameProblem: "" | "cut" | "pointer" | "label" | "long" = "";
  /** How many bytes the last `copyName` wrote before it failed: tcpdump prints them. */
  nameWritten = 0;
  /** Where the label `copyName` could not read lies, when `nameProblem` is `label`. */
  nameStopAt = 0;

  /**
   * Copies the text of the name at `at` into `into` at `offset` as ASCII bytes (without the
   * final dot; `.` for the root), its labels' bytes written in `style`; returns how many bytes,
   * or -1 when the name is malformed or runs past the captured bytes (see `nameProblem`).
   * `into` needs `MAX_NAME_TEXT_LENGTH` bytes of room from `offset`. Sets `nameNext`.
   * Allocates nothing: the output writers copy names straight into their buffer.
   *
   * Every compression pointer must point before the one followed last, as BIND and tcpdump
   * require: a loop can never be followed, and a name is read in at most as many steps as
   * the message has bytes (and at most `MAX_POINTER_JUMPS` jumps).
   */
  copyName(
    at: number,
    into: Uint8Array,
    offset: number,
    style: NameStyle = "presentation",
  ): number {
    const view = this.view;
    const end = this.end;
    const tcpdump = style === "tcpdump";
    let written = offset;
    let next = -1;
    let jumps = 0;
    let length = 0;
    let limit = at;
    this.nameProblem = "";
    for (let position = at;;) {
      if (position >= end) return this.#nameFailed("cut", written - offset);
      const size = view.getUint8(position);
      if (size === 0) {
        this.nameNext = next < 0 ? position + 1 : next;
        if (written === offset) into[written++] = DOT;
        if (length > MAX_NAME_LENGTH) {
          if (!tcpdump) return this.#nameFailed("long", 0);
          for (let i = 0; i < NAME_TOO_LONG.length; i++) into[written++] = NAME_TOO_LONG[i];
        }
        return written - offset;
      }
      const type = size & LABEL_TYPE_MASK;
      if (type === LABEL_POINTER) {
        if (position + 1 >= end) return this.#nameFailed("cut", written - offset);
        const target = this.offset +
          (((size << 8) | view.getUint8(position + 1)) & POINTER_OFFSET_MASK);
        if (target >= limit || ++jumps > MAX_POINTER_JUMPS) {
          return this.#nameFailed("pointer", written - offset);
        }
        if (next < 0) next = position + 2;
        limit = target;
        position = target;
        continue;
      }
      if (type !== 0) {
        this.nameStopAt = position;
        return this.#nameFailed("label", written - offset);
      }
      const labelEnd = position + 1 + size;
      if (tcpdump) {
        // tcpdump prints the first 255 characters of an over-long name (dots counted), then
        // says so; a label cut by the capture is printed as far as it goes.
        const room = Math.max(0, Math.min(size, MAX_NAME_LENGTH - length));
        const stop = Math.min(position + 1 + room, end);
        for (let i = position + 1; i < stop; i++) {
          written = tcpdumpByte(view.getUint8(i), into, written);
        }
        if (labelEnd > end && room > 0) return this.#nameFailed("cut", written - offset);
        length += size;
        if (length <= MAX_NAME_LENGTH) into[written++] = DOT;
        length++;
        if (labelEnd >= end) return this.#nameFailed("cut", written - offset);
        position = labelEnd;
        continue;
      }
      if (labelEnd > end) return this.#nameFailed("cut", written - offset);
      length += size + 1;
      if (length > MAX_NAME_LENGTH) return this.#nameFailed("long", written - offset);
      if (written !== offset) into[written++] = DOT;
      for (let i = position + 1; i < labelEnd; i++) {
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
      position = labelEnd;
    }
  }

  #nameFailed(problem: "cut" | "pointer" | "label" | "long", written: number): number {
    this.nameProblem = problem;
    this.nameWritten = written;
    return -1;
  }

  /**
   * Where the name at `at` ends, as tcpdump skips it: at a pointer's second byte, or past the
   * root label; -1 when the capture ends first or a label type is reserved.
   */
  skipName(at: number): number {
    const view = this.view;
    const end = this.end;
    for (let position = at; position < end;) {
      const size = view.getUint8(position);
      if (size === 0) return position + 1;
      const type = size & LABEL_TYPE_MASK;
      if (type === LABEL_POINTER) return position + 2;
      if (type !== 0) return -1;
      position += size + 1;
    }
    return -1;
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

  /** AD: authentic data. */
  get authenticated(): boolean {
    return (this.flagsWord & DNS_FLAG_AD) !== 0;
  }

  /** CD: checking disabled. */
  get checkingDisabled(): boolean {
    return (this.flagsWord & DNS_FLAG_CD) !== 0;
  }

  /** The byte at `at` (absolute), or 0 past the captured bytes. */
  byteAt(at: number): number {
    return at < this.end ? this.view.getUint8(at) : 0;
  }

  /** The 16-bit word at `at` (absolute), or 0 past the captured bytes. */
  uint16At(at: number): number {
    return at + 2 <= this.end ? this.view.getUint16(at) : 0;
  }

  /** The 32-bit word at `at` (absolute), or 0 past the captured bytes. */
  uint32At(at: number): number {
    return at + 4 <= this.end ? this.view.getUint32(at) : 0;
  }

  /** Where the question section starts (absolute). */
  get questionsAt(): number {
    return this.offset + FIELD_QUESTIONS;
  }

  /** Where the questions end and the answers begin, or -1 when they are cut or malformed. */
  get questionsEnd(): number {
    let at = this.questionsAt;
    for (let i = this.questionCount; i > 0; i--) {
      at = this.skipName(at);
      if (at < 0 || at + QUESTION_FIXED_LENGTH > this.end) return -1;
      at += QUESTION_FIXED_LENGTH;
    }
    return at;
  }

  /**
   * Reads the record at `at` into `record` (its section is the caller's to set); returns
   * where the next one begins, or -1 when the capture ends before the record's fixed part.
   * The data may still run past the captured bytes: see `DnsRecord.dataCut`.
   */
  readRecord(at: number, record: DnsRecord): number {
    const fixed = this.skipName(at);
    if (fixed < 0 || fixed + RECORD_FIXED_LENGTH > this.end) return -1;
    const view = this.view;
    record.nameAt = at;
    record.type = view.getUint16(fixed + RECORD_TYPE);
    record.class = view.getUint16(fixed + RECORD_CLASS);
    record.ttl = view.getUint32(fixed + RECORD_TTL);
    record.dataLength = view.getUint16(fixed + RECORD_DATA_LENGTH);
    record.dataAt = fixed + RECORD_FIXED_LENGTH;
    record.dataCut = record.dataAt + record.dataLength > this.end;
    return record.dataAt + record.dataLength;
  }

  /**
   * Calls `each` for every record of the answer, authority and additional sections in order,
   * with one `DnsRecord` reused (copy what you keep); returns `""` when all were read, or
   * `truncated`/`malformed` when the capture or the message ended first. Bounded by the
   * counts and by the bytes: every record takes at least eleven.
   */
  forEachRecord(each: (record: DnsRecord) => void): "" | "truncated" | "malformed" {
    let at = this.questionsEnd;
    if (at < 0) return this.#endProblem();
    const record = this.#record;
    const counts = [this.answerCount, this.authorityCount, this.additionalCount];
    for (let section = DNS_SECTION_ANSWER; section <= DNS_SECTION_ADDITIONAL; section++) {
      record.section = section;
      for (let i = counts[section]; i > 0; i--) {
        const next = this.readRecord(at, record);
        if (next < 0) return this.#endProblem();
        each(record);
        if (record.dataCut) return this.#endProblem();
        at = next;
      }
    }
    return "";
  }

  readonly #record = new DnsRecord();

  /** Whether a message that ended early was cut by the capture or is short on the wire. */
  #endProblem(): "truncated" | "malformed" {
    return this.end < this.wireEnd ? "truncated" : "malformed";
  }

  /** Where the message ends on the wire (absolute), past `end` when the capture cut it. */
  wireEnd = 0;

  /**
   * The EDNS pseudo-record (RFC 6891) of the additional section, or `null` when the message
   * has none (or it was not captured).
   */
  get edns(): DnsEdns | null {
    let found: DnsEdns | null = null;
    this.forEachRecord((record) => {
      if (found !== null || record.section !== DNS_SECTION_ADDITIONAL) return;
      if (record.type !== DNS_TYPE_OPT || record.dataCut) return;
      const options: DnsEdnsOption[] = [];
      const end = record.dataAt + record.dataLength;
      for (let at = record.dataAt; at + 4 <= end;) {
        const code = this.view.getUint16(at);
        const length = this.view.getUint16(at + 2);
        if (at + 4 + length > end) break;
        options.push({ code, data: this.hexAt(at + 4, length) });
        at += 4 + length;
      }
      found = {
        udpSize: record.class,
        extendedRcode: ((record.ttl >>> 24) << 4) | this.rcode,
        version: (record.ttl >>> 16) & 0xff,
        do: (record.ttl & DNS_OPT_DO) !== 0,
        options,
      };
    });
    return found;
  }

  /** `length` bytes at `at` (absolute) as lower-case hex. */
  hexAt(at: number, length: number): string {
    let text = "";
    for (let i = 0; i < length; i++) {
      text += this.view.getUint8(at + i).toString(16).padStart(2, "0");
    }
    return text;
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
        ad: (flags & DNS_FLAG_AD) !== 0,
        cd: (flags & DNS_FLAG_CD) !== 0,
      },
      questions: this.questionCount,
      answers: this.answerCount,
      authorities: this.authorityCount,
      additionals: this.additionalCount,
    };
    if (this.questionCount > 0) json.question = this.question;
    return Object.assign(json, this.recordsJson());
  }

  /**
   * The JSON of the records: `answer`, `authority`, `additional` (each only when not empty),
   * `edns` and `recordsError` (each only when there is one).
   */
  recordsJson(): Pick<DnsJson, "answer" | "authority" | "additional" | "edns" | "recordsError"> {
    const json: Pick<DnsJson, "answer" | "authority" | "additional" | "edns" | "recordsError"> = {};
    if (this.answerCount + this.authorityCount + this.additionalCount === 0) return json;
    const sections: DnsRecordJson[][] = [[], [], []];
    const problem = this.forEachRecord((record) => {
      if (record.type === DNS_TYPE_OPT && record.section === DNS_SECTION_ADDITIONAL) return;
      sections[record.section].push({
        name: this.readName(record.nameAt)?.name ?? null,
        type: record.type,
        typeName: dnsTypeName(record.type),
        class: record.class,
        ttl: record.ttl,
        data: record.dataCut ? null : dnsRecordData(this, record),
      });
    });
    if (sections[DNS_SECTION_ANSWER].length > 0) json.answer = sections[DNS_SECTION_ANSWER];
    if (sections[DNS_SECTION_AUTHORITY].length > 0) {
      json.authority = sections[DNS_SECTION_AUTHORITY];
    }
    if (sections[DNS_SECTION_ADDITIONAL].length > 0) {
      json.additional = sections[DNS_SECTION_ADDITIONAL];
    }
    const edns = this.edns;
    if (edns !== null) json.edns = edns;
    if (problem !== "") json.recordsError = problem;
    return json;
  }
}

/**
 * The values one kind of record gives, in message order: `pick` returns a record's value or
 * `undefined` to pass it over. `undefined` when no record gives one (tshark's empty field).
 */
function recordValues(
  dns: DnsMessage,
  pick: (dns: DnsMessage, record: DnsRecord) => number | string | undefined,
): (number | string)[] | undefined {
  const values: (number | string)[] = [];
  dns.forEachRecord((record) => {
    if (record.dataCut) return;
    const value = pick(dns, record);
    if (value !== undefined) values.push(value);
  });
  return values.length > 0 ? values : undefined;
}

/** A name as tshark shows it: the root as `<Root>`. */
function tsharkName(dns: DnsMessage, at: number): string | undefined {
  const name = dns.readName(at)?.name;
  return name === "." ? "<Root>" : name;
}

/** The values of a record of `type`, read by `read` from its data. */
function ofType(
  type: number,
  read: (dns: DnsMessage, record: DnsRecord) => number | string | undefined,
): (dns: DnsMessage) => (number | string)[] | undefined {
  return (dns) =>
    recordValues(dns, (dns, record) => record.type === type ? read(dns, record) : undefined);
}

/** A flag as tshark shows it; `responseOnly` flags are absent from queries. */
function flag(bit: number, responseOnly = false): (dns: DnsMessage) => number | undefined {
  return (dns) => responseOnly && !dns.isResponse ? undefined : (dns.flagsWord & bit) !== 0 ? 1 : 0;
}

/** DNS's fields under tshark's names (`dns.flags.rcode`: responses only, as tshark shows it). */
export const DNS_FIELDS: FieldTable<DnsMessage> = {
  "dns.id": (dns) => dns.id,
  "dns.flags.response": (dns) => dns.isResponse ? 1 : 0,
  "dns.flags.opcode": (dns) => dns.opcode,
  "dns.flags.authoritative": flag(DNS_FLAG_AA, true),
  "dns.flags.truncated": flag(DNS_FLAG_TC),
  "dns.flags.recdesired": flag(DNS_FLAG_RD),
  "dns.flags.recavail": flag(DNS_FLAG_RA, true),
  // tshark shows AD in a query only when it is set.
  "dns.flags.authenticated": (dns) => dns.authenticated ? 1 : dns.isResponse ? 0 : undefined,
  "dns.flags.checkdisable": flag(DNS_FLAG_CD),
  "dns.flags.rcode": (dns) => dns.isResponse ? dns.rcode : undefined,
  "dns.qry.name": (dns) => dns.questionCount === 0 ? undefined : tsharkName(dns, dns.questionsAt),
  "dns.qry.type": (dns) => dns.question?.type,
  "dns.count.queries": (dns) => dns.questionCount,
  "dns.count.answers": (dns) => dns.answerCount,
  "dns.count.auth_rr": (dns) => dns.authorityCount,
  "dns.count.add_rr": (dns) => dns.additionalCount,
  "dns.resp.type": (dns) => recordValues(dns, (_, record) => record.type),
  "dns.resp.ttl": (dns) =>
    recordValues(dns, (_, record) => record.type === DNS_TYPE_OPT ? undefined : record.ttl),
  "dns.a": ofType(DNS_TYPE_A, (dns, record) => dnsRecordData(dns, record)),
  "dns.aaaa": ofType(DNS_TYPE_AAAA, (dns, record) => dnsRecordData(dns, record)),
  "dns.cname": ofType(DNS_TYPE_CNAME, (dns, record) => tsharkName(dns, record.dataAt)),
  "dns.ns": ofType(DNS_TYPE_NS, (dns, record) => tsharkName(dns, record.dataAt)),
  "dns.ptr.domain_name": ofType(DNS_TYPE_PTR, (dns, record) => tsharkName(dns, record.dataAt)),
  "dns.mx.preference": ofType(DNS_TYPE_MX, (dns, record) => dns.uint16At(record.dataAt)),
  "dns.mx.mail_exchange": ofType(DNS_TYPE_MX, (dns, record) => tsharkName(dns, record.dataAt + 2)),
  "dns.srv.priority": ofType(DNS_TYPE_SRV, (dns, record) => dns.uint16At(record.dataAt)),
  "dns.srv.weight": ofType(DNS_TYPE_SRV, (dns, record) => dns.uint16At(record.dataAt + 2)),
  "dns.srv.port": ofType(DNS_TYPE_SRV, (dns, record) => dns.uint16At(record.dataAt + 4)),
  "dns.srv.target": ofType(DNS_TYPE_SRV, (dns, record) => tsharkName(dns, record.dataAt + 6)),
  "dns.soa.mname": ofType(DNS_TYPE_SOA, (dns, record) => tsharkName(dns, record.dataAt)),
  "dns.txt": (dns) => {
    const strings: string[] = [];
    dns.forEachRecord((record) => {
      if (record.type !== DNS_TYPE_TXT || record.dataCut) return;
      const end = record.dataAt + record.dataLength;
      for (let at = record.dataAt; at < end;) {
        const length = dns.byteAt(at);
        if (at + 1 + length > end) break;
        let text = "";
        for (let i = 1; i <= length; i++) text += String.fromCharCode(dns.byteAt(at + i));
        strings.push(text);
        at += 1 + length;
      }
    });
    return strings.length > 0 ? strings : undefined;
  },
  "dns.rr.udp_payload_size": (dns) => dns.edns?.udpSize,
  "dns.resp.z.do": (dns) => {
    const edns = dns.edns;
    return edns === null ? undefined : edns.do ? 1 : 0;
  },
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
  "answer",
  "authority",
  "additional",
  "edns",
  "recordsError",
] as const satisfies readonly (keyof DnsJson)[];

/** Where each header key's bytes lie (RFC 1035 section 4.1.1); flag bits take the flags word. */
export const DNS_FIELD_PLACES: FieldPlaces<DnsMessage> = {
  id: [FIELD_ID, 2],
  response: [FIELD_FLAGS, 2],
  opcode: [FIELD_FLAGS, 2],
  rcode: [FIELD_FLAGS, 2],
  rcodeName: [FIELD_FLAGS, 2],
  flags: [FIELD_FLAGS, 2],
  questions: [FIELD_QUESTION_COUNT, 2],
  answers: [FIELD_ANSWER_COUNT, 2],
  authorities: [FIELD_AUTHORITY_COUNT, 2],
  additionals: [FIELD_ADDITIONAL_COUNT, 2],
};
