/**
 * DNS's output: the text tcpdump prints for a message (`4660+ A? example.com. (29)`), and its
 * JSON object written field by field (the same bytes as `JSON.stringify` of its `toJSON`, which
 * tests/json_writer_test.ts holds it to). Both copy the question's name from the message
 * straight into the output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeDns, writeDnsJson } from "./dns.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 57, 0, 0, 0, 0, 64, 17, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2, 0xc1, 0x50, 0, 53, 0, 37, 0, 0,
 *   0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
 *   7, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 3, 0x63, 0x6f, 0x6d, 0, 0, 1, 0, 1]), LINKTYPE_RAW);
 * const text = new ByteWriter();
 * writeDns(text, packet.dns!, 29);
 * assert.equal(text.toString(), "4660+ A? example.com. (29)");
 * const json = new ByteWriter();
 * writeDnsJson(json, packet.dns!);
 * assert.equal(json.toString(), JSON.stringify(packet.dns));
 * ```
 * @module
 */

import {
  DNS_FLAG_AA,
  DNS_FLAG_AD,
  DNS_FLAG_CD,
  DNS_FLAG_RA,
  DNS_FLAG_RD,
  DNS_FLAG_TC,
  DNS_OPT_DO,
  DNS_PORT,
  DNS_SECTION_ADDITIONAL,
  DNS_TYPE_A,
  DNS_TYPE_AAAA,
  DNS_TYPE_CNAME,
  DNS_TYPE_DNAME,
  DNS_TYPE_MX,
  DNS_TYPE_NS,
  DNS_TYPE_OPT,
  DNS_TYPE_PTR,
  DNS_TYPE_SOA,
  DNS_TYPE_SRV,
  DNS_TYPE_TSIG,
  DNS_TYPE_TXT,
  DNS_TYPE_UNSPECA,
  DNS_TYPE_URI,
  type DnsMessage,
  dnsRcodeName,
  type DnsRecord,
  dnsRecordData,
  dnsTypeName,
  LLMNR_PORT,
  MAX_NAME_TEXT_LENGTH,
  MDNS_PORT,
  type UdpHeader,
} from "../decode/mod.ts";
import { type ByteWriter, encodePieces, Piece, PieceTable } from "./bytes.ts";
import { writePrintableByte } from "./printable.ts";

/** The fixed pieces of the text, encoded once. */
const TEXT = encodePieces({
  domainCut: " [|domain]",
  question: " q:",
  authority: " ns:",
  additional: " ar:",
  questionMark: "? ",
  udpSize: " UDPsize=",
  dnssecOk: " DO",
  invalid: " (invalid)",
  badPointer: "<BAD PTR>",
  badLabel: "<BAD LABEL TYPE>",
  cacheFlush: " (Cache flush)",
  unicastQuestion: " (QU)",
  multicastQuestion: " (QM)",
  oddBits: " [b2&3=0x",
  openCount: " [",
  questionCount: "q]",
  answerCount: "a]",
  authorityCount: "n]",
  additionalCount: "au]",
});

/** Writes ` [` count `kind]`: how many of a section's records, when tcpdump says so. */
function writeCount(out: ByteWriter, count: number, kind: Piece): void {
  out.field(TEXT.openCount, count);
  out.piece(kind);
}

/** The fixed pieces of the JSON object, encoded once. */
const JSON_PIECE = encodePieces({
  openId: '{"id":',
  answers: ',"answers":',
  authorities: ',"authorities":',
  additionals: ',"additionals":',
  questionName: ',"question":{"name":',
  nullQuestion: ',"question":null',
  type: ',"type":',
  typeNameValue: ',"typeName":',
  class: ',"class":',
  null: "null",
});

/** tcpdump's words for the opcodes, each with its leading space (`ns_ops`). */
const OPCODE_TEXT: readonly string[] = [
  "",
  " inv_q",
  " stat",
  " op3",
  " notify",
  " update",
  " op6",
  " op7",
  " op8",
  " updateA",
  " updateD",
  " updateDA",
  " updateM",
  " updateMA",
  " zoneInit",
  " zoneRef",
];
const OPCODE_PIECES = OPCODE_TEXT.map((text) => new Piece(text));
/** An inverse query (RFC 1035; obsoleted by RFC 3425): counts are checked otherwise. */
const OPCODE_IQUERY = 1;

/** tcpdump's words for the response codes (`ns_resp`), spaces as tcpdump has them. */
const RCODE_TEXT: readonly string[] = [
  "",
  " FormErr",
  " ServFail",
  " NXDomain",
  " NotImp",
  " Refused",
  " YXDomain",
  " YXRRSet",
  " NXRRSet",
  " NotAuth",
  " NotZone",
  " Resp11",
  " Resp12",
  " Resp13",
  " Resp14",
  " NoChange",
  " BadVers",
  "Resp17",
  " Resp18",
  " Resp19",
  " Resp20",
  "Resp21",
  " Resp22",
  " BadCookie",
];
const RCODE_PIECES = RCODE_TEXT.map((text) => new Piece(text));

/** tcpdump's record type names (`ns_type2str`); others print as `Type<n>`. */
const TCPDUMP_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: "A",
  2: "NS",
  3: "MD",
  4: "MF",
  5: "CNAME",
  6: "SOA",
  7: "MB",
  8: "MG",
  9: "MR",
  10: "NULL",
  11: "WKS",
  12: "PTR",
  13: "HINFO",
  14: "MINFO",
  15: "MX",
  16: "TXT",
  17: "RP",
  18: "AFSDB",
  19: "X25",
  20: "ISDN",
  21: "RT",
  22: "NSAP",
  23: "NSAP_PTR",
  24: "SIG",
  25: "KEY",
  26: "PX",
  27: "GPOS",
  28: "AAAA",
  29: "LOC",
  30: "NXT",
  31: "EID",
  32: "NIMLOC",
  33: "SRV",
  34: "ATMA",
  35: "NAPTR",
  36: "KX",
  37: "CERT",
  38: "A6",
  39: "DNAME",
  40: "SINK",
  41: "OPT",
  42: "APL",
  43: "DS",
  44: "SSHFP",
  45: "IPSECKEY",
  46: "RRSIG",
  47: "NSEC",
  48: "DNSKEY",
  99: "SPF",
  100: "UINFO",
  101: "UID",
  102: "GID",
  103: "UNSPEC",
  104: "UNSPECA",
  249: "TKEY",
  250: "TSIG",
  251: "IXFR",
  252: "AXFR",
  253: "MAILB",
  254: "MAILA",
  255: "ANY",
  256: "URI",
};

/** tcpdump's class names; others print as `(Class <n>)`. */
const CLASS_NAMES: Readonly<Record<number, string>> = { 1: "IN", 3: "CHAOS", 4: "HS", 255: "ANY" };
const CLASS_IN = 1;
/** mDNS's top class bit: a question wants a unicast reply; a record flushes caches. */
const MDNS_CLASS_BIT = 0x8000;

/** tcpdump's EDNS option names (`edns_opt2str`); others print as `Opt<n>`. */
const EDNS_OPTION_NAMES: Readonly<Record<number, string>> = {
  1: "LLQ",
  2: "UL",
  3: "NSID",
  5: "DAU",
  6: "DHU",
  7: "N3U",
  8: "ECS",
  9: "EXPIRE",
  10: "COOKIE",
  11: "KEEPALIVE",
  12: "PADDING",
  13: "CHAIN",
  14: "KEY-TAG",
  16: "CLIENT-TAG",
  17: "SERVER-TAG",
};
const EDNS_DAU = 5;
const EDNS_DHU = 6;
const EDNS_N3U = 7;
const EDNS_ECS = 8;
const EDNS_EXPIRE = 9;
const EDNS_COOKIE = 10;
const EDNS_KEEPALIVE = 11;
const EDNS_PADDING = 12;
const EDNS_CHAIN = 13;
const EDNS_KEY_TAG = 14;
/** DNSSEC algorithm names, as EDNS DAU lists them (RFC 6975). */
const DAU_NAMES: Readonly<Record<number, string>> = {
  0: "DELETE",
  1: "RSAMD5",
  2: "DH",
  3: "DS",
  5: "RSASHA1",
  6: "DSA-NSEC3-SHA1",
  7: "RSASHA1-NSEC3-SHA1",
  8: "RSASHA256",
  10: "RSASHA512",
  12: "ECC-GOST",
  13: "ECDSAP256SHA256",
  14: "ECDSAP384SHA384",
  15: "ED25519",
  16: "ED448",
  252: "INDIRECT",
  253: "PRIVATEDNS",
  254: "PRIVATEOID",
};
/** DS digest names, as EDNS DHU lists them. */
const DHU_NAMES: Readonly<Record<number, string>> = {
  1: "SHA-1",
  2: "SHA-256",
  3: "GOST_R_34.11-94",
  4: "SHA-384",
};
/** NSEC3 hash names, as EDNS N3U lists them. */
const N3U_NAMES: Readonly<Record<number, string>> = { 1: "SHA-1" };

/** The request flag bits tcpdump calls weird in a query (`[b2&3=0x…]`). */
const QUERY_ODD_BITS = 0x6cf;
/** The record fields after the name: type, class, TTL, data length (RFC 1035 4.1.3). */
const RECORD_FIXED_LENGTH = 10;
const QUESTION_FIXED_LENGTH = 4;
/** tcpdump's units for a TTL at -vvv (`unsigned_relts_print`). */
const TTL_UNITS: readonly [number, string][] = [
  [31536000, "y"],
  [604800, "w"],
  [86400, "d"],
  [3600, "h"],
  [60, "m"],
  [1, "s"],
];

/** Where the writers copy a name before writing it. */
const DNS_NAME = new Uint8Array(MAX_NAME_TEXT_LENGTH);

/** Returned by the record printers when tcpdump would stop with `[|domain]`. */
const CUT = -1;

/**
 * Writes the name at `at` as tcpdump's `fqdn_print` does (with the final dot); returns where
 * it ends in the message, or `CUT` (-1) after writing as much as tcpdump would. DHCPv6's
 * writer reads its domain lists with it, through a `DnsMessage` bound to the option.
 */
export function writeName(out: ByteWriter, dns: DnsMessage, at: number): number {
  const count = dns.copyName(at, DNS_NAME, 0, "tcpdump");
  if (count >= 0) {
    out.raw(DNS_NAME.subarray(0, count));
    return dns.nameNext;
  }
  out.raw(DNS_NAME.subarray(0, dns.nameWritten));
  if (dns.nameProblem === "pointer") out.piece(TEXT.badPointer);
  else if (dns.nameProblem === "label") {
    const label = dns.byteAt(dns.nameStopAt);
    if ((label & 0xc0) === 0x40) out.text(`<ELT ${label & 0x3f}>`);
    else out.piece(TEXT.badLabel);
  }
  return CUT;
}

/** Writes `length` bytes at `at` as tcpdump's `nd_printn`; false when the capture ends first. */
function writePrintable(out: ByteWriter, dns: DnsMessage, at: number, length: number): boolean {
  const end = dns.end;
  const stop = Math.min(at + length, end);
  out.reserve(4 * (stop - at));
  for (let i = at; i < stop; i++) writePrintableByte(out, dns.byteAt(i));
  return at + length <= end;
}

/** tcpdump's type names for the types below 256, encoded once. */
const TYPE_NAME_PIECES = new PieceTable(
  256,
  (type) => TCPDUMP_TYPE_NAMES[type] ?? `Type${type}`,
);

function writeTypeName(out: ByteWriter, type: number): void {
  if (type < TYPE_NAME_PIECES.size) out.piece(TYPE_NAME_PIECES.get(type));
  else {
    const name = TCPDUMP_TYPE_NAMES[type];
    out.text(name ?? `Type${type}`);
  }
}

function writeClass(out: ByteWriter, value: number): void {
  out.byte(0x20);
  const name = CLASS_NAMES[value];
  if (name !== undefined) out.text(name);
  else out.text(`(Class ${value})`);
}

/** A question as tcpdump's `ns_qprint`; returns where the next one begins, or `CUT`. */
function writeQuestion(out: ByteWriter, dns: DnsMessage, at: number, mdns: boolean): number {
  const fixed = dns.skipName(at);
  if (fixed < 0 || fixed + QUESTION_FIXED_LENGTH > dns.end) return CUT;
  out.byte(0x20);
  writeTypeName(out, dns.uint16At(fixed));
  const wireClass = dns.uint16At(fixed + 2);
  const questionClass = mdns ? wireClass & ~MDNS_CLASS_BIT : wireClass;
  if (questionClass !== CLASS_IN) writeClass(out, questionClass);
  if (mdns) {
    out.piece(wireClass & MDNS_CLASS_BIT ? TEXT.unicastQuestion : TEXT.multicastQuestion);
  }
  out.piece(TEXT.questionMark);
  if (writeName(out, dns, at) === CUT) return CUT;
  return fixed + QUESTION_FIXED_LENGTH;
}

/** A TTL as tcpdump's `unsigned_relts_print`: `1h2m3s`, `0s`. */
function writeTtl(out: ByteWriter, seconds: number): void {
  if (seconds === 0) {
    out.text("0s");
    return;
  }
  for (const [size, unit] of TTL_UNITS) {
    if (seconds >= size) {
      out.uint(Math.floor(seconds / size));
      out.text(unit);
      seconds %= size;
    }
  }
}

/** An EDNS option as tcpdump's `eopt_print`; returns where the next begins, or `CUT`. */
function writeEdnsOption(out: ByteWriter, dns: DnsMessage, at: number): number {
  const end = dns.end;
  if (at + 2 > end) return CUT;
  const code = dns.uint16At(at);
  const name = EDNS_OPTION_NAMES[code];
  out.text(name ?? `Opt${code}`);
  if (at + 4 > end) return CUT;
  const length = dns.uint16At(at + 2);
  const data = at + 4;
  if (data + length > end) return CUT;
  if (length === 0) return data;
  out.byte(0x20);
  switch (code) {
    case EDNS_ECS:
      writeClientSubnet(out, dns, data, length);
      break;
    case EDNS_COOKIE:
      if (length < 8 || (length > 8 && length < 16) || length > 40) out.piece(TEXT.invalid);
      else {
        for (let i = 0; i < length; i++) {
          if (i === 8) out.byte(0x20);
          out.hex(dns.byteAt(data + i), 2);
        }
      }
      break;
    case EDNS_KEEPALIVE:
      if (length !== 2) out.piece(TEXT.invalid);
      else out.text(`${(dns.uint16At(data) / 10).toFixed(1)} sec`);
      break;
    case EDNS_EXPIRE:
      if (length !== 4) out.piece(TEXT.invalid);
      else out.text(`${dns.uint32At(data)} sec`);
      break;
    case EDNS_PADDING:
      out.text(`(${length})`);
      break;
    case EDNS_KEY_TAG:
      if (length % 2 !== 0) out.piece(TEXT.invalid);
      else {
        for (let i = 0; i < length; i += 2) {
          if (i > 0) out.byte(0x20);
          out.uint(dns.uint16At(data + i));
        }
      }
      break;
    case EDNS_DAU:
    case EDNS_DHU:
    case EDNS_N3U: {
      const names = code === EDNS_DAU ? DAU_NAMES : code === EDNS_DHU ? DHU_NAMES : N3U_NAMES;
      for (let i = 0; i < length; i++) {
        if (i > 0) out.byte(0x20);
        const algorithm = dns.byteAt(data + i);
        out.text(names[algorithm] ?? `Alg_${algorithm}`);
      }
      break;
    }
    case EDNS_CHAIN:
      writeName(out, dns, data);
      break;
    default:
      for (let i = 0; i < length; i++) out.hex(dns.byteAt(data + i), 2);
  }
  return data + length;
}

/** EDNS Client Subnet (RFC 7871 section 6) as tcpdump prints it: `198.51.100.0/24/0`. */
function writeClientSubnet(out: ByteWriter, dns: DnsMessage, at: number, length: number): void {
  if (length < 4) {
    out.piece(TEXT.invalid);
    return;
  }
  const family = dns.uint16At(at);
  const source = dns.byteAt(at + 2);
  const scope = dns.byteAt(at + 3);
  const bits = family === 1 ? 32 : family === 2 ? 128 : 0;
  if (
    bits === 0 || length - 4 > bits / 8 || source > bits || scope > bits ||
    Math.floor((source + 7) / 8) !== length - 4
  ) {
    out.piece(TEXT.invalid);
    return;
  }
  const padded = new DataView(new ArrayBuffer(16));
  for (let i = 0; i < length - 4; i++) padded.setUint8(i, dns.byteAt(at + 4 + i));
  if (family === 1) out.ipv4(padded.getUint32(0));
  else out.ipv6(padded, 0);
  out.text(`/${source}/${scope}`);
}

/**
 * A record as tcpdump's `ns_rprint`; returns where the next one begins, `CUT`, or the end
 * of the captured message when its fixed part is missing (tcpdump's loops stop there).
 */
function writeRecord(
  out: ByteWriter,
  dns: DnsMessage,
  at: number,
  verbosity: number,
  mdns: boolean,
): number {
  const end = dns.end;
  let fixed: number;
  if (verbosity > 0) {
    out.byte(0x20);
    fixed = writeName(out, dns, at);
    if (fixed === CUT) return CUT;
  } else fixed = dns.skipName(at);
  if (fixed < 0 || fixed + RECORD_FIXED_LENGTH > end) return end;
  const type = dns.uint16At(fixed);
  const wireClass = dns.uint16At(fixed + 2);
  const recordClass = mdns ? wireClass & ~MDNS_CLASS_BIT : wireClass;
  if (recordClass !== CLASS_IN && type !== DNS_TYPE_OPT) writeClass(out, recordClass);
  if (mdns && (wireClass & MDNS_CLASS_BIT) !== 0) out.piece(TEXT.cacheFlush);
  const optFlags = type === DNS_TYPE_OPT ? dns.uint16At(fixed + 6) : 0;
  if (type !== DNS_TYPE_OPT && verbosity > 2) {
    out.text(" [");
    writeTtl(out, dns.uint32At(fixed + 4));
    out.byte(0x5d);
  }
  const length = dns.uint16At(fixed + 8);
  const data = fixed + RECORD_FIXED_LENGTH;
  const next = data + length;
  out.byte(0x20);
  writeTypeName(out, type);
  if (next > end) return CUT;
  switch (type) {
    case DNS_TYPE_A:
      if (data + 4 > end) return CUT;
      out.byte(0x20);
      out.ipv4(dns.uint32At(data));
      break;
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
    case DNS_TYPE_DNAME:
      out.byte(0x20);
      if (writeName(out, dns, data) === CUT) return CUT;
      break;
    case DNS_TYPE_SOA: {
      if (verbosity === 0) break;
      out.byte(0x20);
      const second = writeName(out, dns, data);
      if (second === CUT) return CUT;
      out.byte(0x20);
      const numbers = writeName(out, dns, second);
      if (numbers === CUT || numbers + 20 > end) return CUT;
      for (let i = 0; i < 5; i++) {
        out.byte(0x20);
        out.uint(dns.uint32At(numbers + 4 * i));
      }
      break;
    }
    case DNS_TYPE_MX:
      out.byte(0x20);
      if (data + 2 > end || writeName(out, dns, data + 2) === CUT) return CUT;
      out.byte(0x20);
      out.uint(dns.uint16At(data));
      break;
    case DNS_TYPE_TXT:
      for (let at = data; at < next;) {
        out.text(' "');
        if (at >= end) return CUT;
        const size = dns.byteAt(at);
        if (!writePrintable(out, dns, at + 1, size)) return CUT;
        out.byte(0x22);
        at += 1 + size;
      }
      break;
    case DNS_TYPE_SRV:
      out.byte(0x20);
      if (data + 6 > end || writeName(out, dns, data + 6) === CUT) return CUT;
      out.byte(0x3a);
      out.uint(dns.uint16At(data + 4));
      out.byte(0x20);
      out.uint(dns.uint16At(data));
      out.byte(0x20);
      out.uint(dns.uint16At(data + 2));
      break;
    case DNS_TYPE_AAAA:
      if (data + 16 > end) return CUT;
      out.byte(0x20);
      out.ipv6(dns.dataView, data);
      break;
    case DNS_TYPE_URI:
      if (length < 4) return CUT;
      out.byte(0x20);
      out.uint(dns.uint16At(data));
      out.byte(0x20);
      out.uint(dns.uint16At(data + 2));
      out.byte(0x20);
      if (!writePrintable(out, dns, data + 4, length - 4)) return CUT;
      break;
    case DNS_TYPE_OPT:
      out.field(TEXT.udpSize, recordClass);
      if (optFlags & 0x8000) out.piece(TEXT.dnssecOk);
      if (data < next) {
        out.text(" [");
        for (let at = data; at < next;) {
          at = writeEdnsOption(out, dns, at);
          if (at === CUT) return CUT;
          if (at < next) out.byte(0x2c);
        }
        out.byte(0x5d);
      }
      break;
    case DNS_TYPE_UNSPECA:
      if (!writePrintable(out, dns, data, length)) return CUT;
      break;
    case DNS_TYPE_TSIG: {
      if (verbosity === 0) break;
      out.byte(0x20);
      let at = writeName(out, dns, data);
      if (at === CUT) return CUT;
      at += 6;
      for (const label of [" fudge=", " maclen="]) {
        if (at + 2 > end) return CUT;
        out.text(label);
        out.uint(dns.uint16At(at));
        at += 2;
      }
      at += dns.uint16At(at - 2);
      for (const label of [" origid=", " error=", " otherlen="]) {
        if (at + 2 > end) return CUT;
        out.text(label);
        out.uint(dns.uint16At(at));
        at += 2;
      }
      break;
    }
  }
  return next;
}

/**
 * The response code with EDNS's upper bits, found as tcpdump finds them: the first OPT record
 * of the additional section, when the capture reaches it.
 */
function extendedRcode(dns: DnsMessage): number {
  const end = dns.end;
  const rcode = dns.rcode;
  let at = dns.questionsAt;
  for (let i = dns.questionCount; i > 0; i--) {
    at = dns.skipName(at);
    if (at < 0) return rcode;
    at += QUESTION_FIXED_LENGTH;
    if (at >= end) return rcode;
  }
  for (let i = dns.answerCount + dns.authorityCount; i > 0; i--) {
    at = dns.skipName(at);
    if (at < 0 || at + RECORD_FIXED_LENGTH > end) return rcode;
    at += RECORD_FIXED_LENGTH + dns.uint16At(at + 8);
    if (at >= end) return rcode;
  }
  for (let i = dns.additionalCount; i > 0; i--) {
    at = dns.skipName(at);
    if (at < 0 || at + 5 > end) return rcode;
    if (dns.uint16At(at) === DNS_TYPE_OPT) return rcode | (dns.byteAt(at + 4) << 4);
    if (at + RECORD_FIXED_LENGTH > end) return rcode;
    at += RECORD_FIXED_LENGTH + dns.uint16At(at + 8);
    if (at >= end) return rcode;
  }
  return rcode;
}

/**
 * Writes `count` records from `at` as tcpdump's section loops do, `,` between them; returns
 * where they end, or `CUT` (also when the capture ends before all were written).
 */
function writeSection(
  out: ByteWriter,
  dns: DnsMessage,
  at: number,
  count: number,
  verbosity: number,
  mdns: boolean,
): number {
  if (count === 0) return at;
  at = writeRecord(out, dns, at, verbosity, mdns);
  if (at === CUT) return CUT;
  let left = count - 1;
  while (at < dns.end && left > 0) {
    out.byte(0x2c);
    at = writeRecord(out, dns, at, verbosity, mdns);
    if (at === CUT) return CUT;
    left--;
  }
  return left > 0 ? CUT : at;
}

/**
 * The message as tcpdump prints it (`domain_print`): `4660+ [1au] A? example.com. (29)` for
 * a query; `4660* 2/0/1 CNAME www.example.test., A 192.0.2.80 (93)` for a reply. `verbosity`
 * is the count of `-v`: from 1 the records' names show, from 2 the question of a response
 * and the authority and additional sections, from 3 the TTLs. `mdns` marks multicast DNS's
 * class bits. Names are copied from the message straight into the output. A negative `length`
 * leaves out the length at the end (after a line that says it already).
 */
export function writeDns(
  out: ByteWriter,
  dns: DnsMessage,
  length: number,
  verbosity = 0,
  mdns = false,
): void {
  const flags = dns.flagsWord;
  const end = dns.end;
  let questions = dns.questionCount;
  const answers = dns.answerCount;
  const authorities = dns.authorityCount;
  const additionals = dns.additionalCount;
  let at = dns.questionsAt;
  out.uint(dns.id);
  if (dns.opcode !== 0) out.piece(OPCODE_PIECES[dns.opcode]);
  if (dns.isResponse) {
    const rcode = extendedRcode(dns);
    if (rcode !== 0) {
      if (rcode < RCODE_PIECES.length) out.piece(RCODE_PIECES[rcode]);
      else out.text(` Resp${rcode & 0xfff}`);
    }
    if (flags & DNS_FLAG_AA) out.byte(0x2a);
    if (!(flags & DNS_FLAG_RA)) out.byte(0x2d);
    if (flags & DNS_FLAG_TC) out.byte(0x7c);
    if (flags & DNS_FLAG_AD) out.byte(0x24);
    if (questions !== 1) writeCount(out, questions, TEXT.questionCount);
    for (let i = 0; i < questions; i++) {
      if (i !== 0) out.byte(0x2c);
      if (verbosity > 1) {
        out.piece(TEXT.question);
        at = writeQuestion(out, dns, at, mdns);
        if (at === CUT) return cut(out);
      } else {
        at = dns.skipName(at);
        if (at < 0) return cut(out);
        at += QUESTION_FIXED_LENGTH;
      }
    }
    out.byte(0x20);
    out.uint(answers);
    out.byte(0x2f);
    out.uint(authorities);
    out.byte(0x2f);
    out.uint(additionals);
    at = writeSection(out, dns, at, answers, verbosity, mdns);
    if (at === CUT) return cut(out);
  } else {
    if (flags & DNS_FLAG_RD) out.byte(0x2b);
    if (flags & DNS_FLAG_CD) out.byte(0x25);
    if (flags & QUERY_ODD_BITS) {
      out.piece(TEXT.oddBits);
      out.hex(flags);
      out.byte(0x5d);
    }
    if (dns.opcode === OPCODE_IQUERY) {
      if (questions) writeCount(out, questions, TEXT.questionCount);
      if (answers !== 1) writeCount(out, answers, TEXT.answerCount);
    } else {
      if (answers) writeCount(out, answers, TEXT.answerCount);
      if (questions !== 1) writeCount(out, questions, TEXT.questionCount);
    }
    if (authorities) writeCount(out, authorities, TEXT.authorityCount);
    if (additionals) writeCount(out, additionals, TEXT.additionalCount);
    if (questions > 0) {
      at = writeQuestion(out, dns, at, mdns);
      if (at === CUT) return cut(out);
      questions--;
      while (at < end && questions > 0) {
        at = writeQuestion(out, dns, at, mdns);
        if (at === CUT) return cut(out);
        questions--;
      }
    }
    if (questions > 0) return cut(out);
    if (verbosity > 1) {
      at = writeSection(out, dns, at, answers, verbosity, mdns);
      if (at === CUT) return cut(out);
    }
  }
  if (verbosity > 1) {
    for (
      const [count, piece] of [[authorities, TEXT.authority], [
        additionals,
        TEXT.additional,
      ]] as const
    ) {
      if (at < end && count > 0) {
        out.piece(piece);
        at = writeSection(out, dns, at, count, verbosity, mdns);
        if (at === CUT) return cut(out);
      } else if (count > 0) return cut(out);
    }
  }
  if (length < 0) return;
  out.byte(0x20);
  out.byte(0x28);
  out.uint(length);
  out.byte(0x29);
}

/** Whether a datagram is multicast DNS (RFC 6762), whose class fields carry a flag bit. */
export function isMdns(udp: UdpHeader): boolean {
  return udp.srcPort === MDNS_PORT || udp.dstPort === MDNS_PORT;
}

/**
 * Whether a datagram is DNS only by LLMNR's port (RFC 4795): tcpdump 4.99 does not decode it
 * (`UDP, length 22`), where tshark does.
 */
export function isLlmnrOnly(udp: UdpHeader): boolean {
  const source = udp.srcPort;
  const destination = udp.dstPort;
  return (source === LLMNR_PORT || destination === LLMNR_PORT) &&
    source !== DNS_PORT && destination !== DNS_PORT && !isMdns(udp);
}

function cut(out: ByteWriter): void {
  out.piece(TEXT.domainCut);
}

/** The `flags` object for each combination of AA, TC, RD, RA, AD and CD, and the next key. */
const DNS_FLAGS_JSON: readonly Piece[] = Array.from({ length: 64 }, (_, bits) => {
  const names = ["aa", "tc", "rd", "ra", "ad", "cd"];
  const flags = Object.fromEntries(names.map((name, i) => [name, (bits & (32 >> i)) !== 0]));
  return new Piece(`${JSON.stringify(flags)},"questions":`);
});

/**
 * `,"response":…,"opcode":` for a query (0) and a response (1), and `,"rcode":…,
 * "rcodeName":…,"flags":` for each of the 16 response codes: one piece where the fields
 * between follow from one value (a DNS line has some sixty pieces and numbers).
 */
const RESPONSE_HEADS: readonly Piece[] = [false, true].map((response) =>
  new Piece(`,"response":${response},"opcode":`)
);
const RCODE_HEADS: readonly Piece[] = Array.from(
  { length: 16 },
  (_, rcode) =>
    new Piece(`,"rcode":${rcode},"rcodeName":${JSON.stringify(dnsRcodeName(rcode))},"flags":`),
);

/** `,"type":…,"typeName":…,"class":` for types below 256 (all the common ones). */
const TYPE_HEADS = new PieceTable(
  256,
  (type) => `,"type":${type},"typeName":${JSON.stringify(dnsTypeName(type))},"class":`,
);

/** `,"type":…,"typeName":…,"class":` for any type: from the table, or in parts past it. */
function writeTypeHead(out: ByteWriter, type: number): void {
  if (type < TYPE_HEADS.size) {
    out.piece(TYPE_HEADS.get(type));
    return;
  }
  out.field(JSON_PIECE.type, type);
  out.piece(JSON_PIECE.typeNameValue);
  out.text(JSON.stringify(dnsTypeName(type)));
  out.piece(JSON_PIECE.class);
}

/**
 * The message's JSON object as `JSON.stringify(dns)` writes it (docs/json.md, `dns`), the
 * question's name copied from the message straight into the output.
 */
export function writeDnsJson(out: ByteWriter, dns: DnsMessage): void {
  out.field(JSON_PIECE.openId, dns.id);
  out.field(RESPONSE_HEADS[dns.isResponse ? 1 : 0], dns.opcode);
  out.piece(RCODE_HEADS[dns.rcode]);
  out.field(DNS_FLAGS_JSON[dns.flagBits], dns.questionCount);
  out.field(JSON_PIECE.answers, dns.answerCount);
  out.field(JSON_PIECE.authorities, dns.authorityCount);
  out.field(JSON_PIECE.additionals, dns.additionalCount);
  if (dns.questionCount > 0) {
    const name = DNS_NAME;
    const count = dns.copyQuestion(name);
    const type = dns.copiedType;
    if (count < 0 || type < 0) out.piece(JSON_PIECE.nullQuestion);
    else {
      out.piece(JSON_PIECE.questionName);
      writeJsonName(out, name, count);
      writeTypeHead(out, type);
      out.uint(dns.copiedClass);
      out.byte(0x7d);
    }
  }
  if (dns.answerCount + dns.authorityCount + dns.additionalCount > 0) writeRecordsJson(out, dns);
  out.byte(0x7d);
}

/** A name's text (printable ASCII) as a JSON string: only quotes and backslashes escaped. */
function writeJsonName(out: ByteWriter, name: Uint8Array, count: number): void {
  out.byte(0x22);
  writeJsonNameText(out, name, count);
  out.byte(0x22);
}

/** `writeJsonName` without the quotes around it. */
function writeJsonNameText(out: ByteWriter, name: Uint8Array, count: number): void {
  out.reserve(2 * count);
  const bytes = out.bytes;
  let at = out.length;
  for (let i = 0; i < count; i++) {
    const byte = name[i];
    if (byte === 0x22 || byte === 0x5c) bytes[at++] = 0x5c;
    bytes[at++] = byte;
  }
  out.length = at;
}

/** Each section's key, opening its array. */
const SECTION_PIECES = [
  new Piece(',"answer":['),
  new Piece(',"authority":['),
  new Piece(',"additional":['),
];
const RECORD_PIECE = encodePieces({
  open: '{"name":',
  ttl: ',"ttl":',
  data: ',"data":',
  edns: ',"edns":',
  recordsTruncated: ',"recordsError":"truncated"',
  recordsMalformed: ',"recordsError":"malformed"',
});
const IPV4_LENGTH = 4;
const IPV6_LENGTH = 16;

/** The keys of `edns` and of its options, in `DnsMessage.edns`'s order. */
const EDNS_PIECE = encodePieces({
  udpSize: '{"udpSize":',
  extendedRcode: ',"extendedRcode":',
  version: ',"version":',
  doTrue: ',"do":true,"options":[',
  doFalse: ',"do":false,"options":[',
  code: '{"code":',
  data: ',"data":"',
  close: '"}',
});

/**
 * A record's data that is one name, or a number or three and a name (`dnsRecordData`'s text
 * for NS, CNAME, PTR, DNAME, MX and SRV), written straight from the message; false, writing
 * nothing, when it is not that (`dnsRecordData` then writes RFC 3597's form).
 */
function writeNameData(out: ByteWriter, dns: DnsMessage, record: DnsRecord): boolean {
  const type = record.type;
  const numbers = type === DNS_TYPE_MX ? 1 : type === DNS_TYPE_SRV ? 3 : 0;
  const nameAt = record.dataAt + 2 * numbers;
  const end = record.dataAt + record.dataLength;
  if (nameAt >= end) return false;
  const count = dns.copyName(nameAt, DNS_NAME, 0);
  if (count < 0 || dns.nameNext !== end) return false;
  out.byte(0x22);
  for (let i = 0; i < numbers; i++) {
    out.uint(dns.uint16At(record.dataAt + 2 * i));
    out.byte(0x20);
  }
  writeJsonNameText(out, DNS_NAME, count);
  out.byte(0x22);
  return true;
}

/** Whether `dnsRecordData` gives this type's data as a name after 0, 1 or 3 numbers. */
function isNameData(type: number): boolean {
  return type === DNS_TYPE_CNAME || type === DNS_TYPE_NS || type === DNS_TYPE_PTR ||
    type === DNS_TYPE_DNAME || type === DNS_TYPE_MX || type === DNS_TYPE_SRV;
}

/** `edns` as `JSON.stringify(dns.edns)` writes it, from the OPT record's fields. */
function writeEdnsJson(
  out: ByteWriter,
  dns: DnsMessage,
  udpSize: number,
  ttl: number,
  dataAt: number,
  dataLength: number,
): void {
  out.field(EDNS_PIECE.udpSize, udpSize);
  out.field(EDNS_PIECE.extendedRcode, ((ttl >>> 24) << 4) | dns.rcode);
  out.field(EDNS_PIECE.version, (ttl >>> 16) & 0xff);
  out.piece(ttl & DNS_OPT_DO ? EDNS_PIECE.doTrue : EDNS_PIECE.doFalse);
  const end = dataAt + dataLength;
  for (let at = dataAt; at + 4 <= end;) {
    const length = dns.uint16At(at + 2);
    if (at + 4 + length > end) break;
    if (at !== dataAt) out.byte(0x2c);
    out.field(EDNS_PIECE.code, dns.uint16At(at));
    out.piece(EDNS_PIECE.data);
    for (let i = 0; i < length; i++) out.hex(dns.byteAt(at + 4 + i), 2);
    out.piece(EDNS_PIECE.close);
    at += 4 + length;
  }
  out.byte(0x5d);
  out.byte(0x7d);
}

/**
 * The records' keys (`answer`, `authority`, `additional`, `edns`, `recordsError`) as
 * `JSON.stringify(dns.recordsJson())` writes them: each record streamed, addresses and names
 * straight from the message, other data through `dnsRecordData`.
 */
function writeRecordsJson(out: ByteWriter, dns: DnsMessage): void {
  let open = -1;
  // The first whole OPT record of the additional section, as `DnsMessage.edns` takes it.
  let optAt = -1;
  let optLength = 0;
  let optClass = 0;
  let optTtl = 0;
  const problem = dns.forEachRecord((record) => {
    if (record.type === DNS_TYPE_OPT && record.section === DNS_SECTION_ADDITIONAL) {
      if (optAt < 0 && !record.dataCut) {
        optAt = record.dataAt;
        optLength = record.dataLength;
        optClass = record.class;
        optTtl = record.ttl;
      }
      return;
    }
    if (record.section !== open) {
      if (open >= 0) out.byte(0x5d);
      out.piece(SECTION_PIECES[record.section]);
      open = record.section;
    } else out.byte(0x2c);
    out.piece(RECORD_PIECE.open);
    const count = dns.copyName(record.nameAt, DNS_NAME, 0);
    if (count < 0) out.piece(JSON_PIECE.null);
    else writeJsonName(out, DNS_NAME, count);
    const type = record.type;
    writeTypeHead(out, type);
    out.uint(record.class);
    out.field(RECORD_PIECE.ttl, record.ttl);
    out.piece(RECORD_PIECE.data);
    if (record.dataCut) out.piece(JSON_PIECE.null);
    else if (type === DNS_TYPE_A && record.dataLength === IPV4_LENGTH) {
      out.byte(0x22);
      out.ipv4(dns.uint32At(record.dataAt));
      out.byte(0x22);
    } else if (type === DNS_TYPE_AAAA && record.dataLength === IPV6_LENGTH) {
      out.byte(0x22);
      out.ipv6(dns.dataView, record.dataAt);
      out.byte(0x22);
    } else if (!isNameData(type) || !writeNameData(out, dns, record)) {
      out.text(JSON.stringify(dnsRecordData(dns, record)));
    }
    out.byte(0x7d);
  });
  if (open >= 0) out.byte(0x5d);
  if (optAt >= 0) {
    out.piece(RECORD_PIECE.edns);
    writeEdnsJson(out, dns, optClass, optTtl, optAt, optLength);
  }
  if (problem === "truncated") out.piece(RECORD_PIECE.recordsTruncated);
  else if (problem === "malformed") out.piece(RECORD_PIECE.recordsMalformed);
}
