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
  DNS_FLAG_RA,
  DNS_FLAG_RD,
  DNS_FLAG_TC,
  type DnsMessage,
  dnsRcodeName,
  dnsTypeName,
  MAX_NAME_TEXT_LENGTH,
} from "../decode/mod.ts";
import { type ByteWriter, encodePieces, Piece, PieceTable } from "./bytes.ts";

/** The fixed pieces of the text, encoded once. */
const TEXT = encodePieces({
  question: "q: ",
  domainCut: "[|domain]",
  questionMark: "? ",
});

/** The fixed pieces of the JSON object, encoded once. */
const JSON_PIECE = encodePieces({
  openId: '{"id":',
  response: ',"response":',
  opcode: ',"opcode":',
  rcode: ',"rcode":',
  rcodeName: ',"rcodeName":',
  flags: ',"flags":',
  questions: ',"questions":',
  answers: ',"answers":',
  authorities: ',"authorities":',
  additionals: ',"additionals":',
  question: ',"question":',
  openName: '{"name":',
  type: ',"type":',
  typeNameValue: ',"typeName":',
  class: ',"class":',
  true: "true",
  false: "false",
  null: "null",
});

/** Where the writers copy a name before writing it. */
const DNS_NAME = new Uint8Array(MAX_NAME_TEXT_LENGTH);

/**
 * `4660+ A? example.com. (29)` for a query; `4660 NXDomain q: A? … 0/1/0 (…)` for a reply.
 * The question's name is copied from the message straight into the output.
 */
export function writeDns(out: ByteWriter, dns: DnsMessage, length: number): void {
  const flags = dns.flagsWord;
  const response = dns.isResponse;
  out.uint(dns.id);
  if (!response) {
    if (flags & DNS_FLAG_RD) out.byte(0x2b);
  } else {
    if (flags & DNS_FLAG_AA) out.byte(0x2a);
    if (!(flags & DNS_FLAG_RA)) out.byte(0x2d);
    if (flags & DNS_FLAG_TC) out.byte(0x7c);
    if (dns.rcode !== 0) {
      out.byte(0x20);
      out.text(dns.rcodeName);
    }
  }
  out.byte(0x20);
  if (dns.questionCount > 0) {
    // The name comes first in the message but last in the text: copy it aside, then write
    // the type from the bytes after it.
    const name = DNS_NAME;
    const count = dns.copyQuestion(name);
    if (count >= 0 && dns.copiedType < 0) {
      // Cut off between the name and its type: marked as tcpdump marks it, and no more.
      out.piece(TEXT.domainCut);
      return;
    }
    if (count >= 0) {
      if (response) out.piece(TEXT.question);
      out.text(dnsTypeName(dns.copiedType));
      out.piece(TEXT.questionMark);
      out.raw(name.subarray(0, count));
      if (count !== 1 || name[0] !== 0x2e) out.byte(0x2e);
      out.byte(0x20);
    }
  }
  if (response) {
    out.uint(dns.answerCount);
    out.byte(0x2f);
    out.uint(dns.authorityCount);
    out.byte(0x2f);
    out.uint(dns.additionalCount);
    out.byte(0x20);
  }
  out.byte(0x28);
  out.uint(length);
  out.byte(0x29);
}

/** The `flags` object of a DNS header for each combination of AA, TC, RD and RA. */
const DNS_FLAGS_JSON: readonly Piece[] = Array.from(
  { length: 16 },
  (_, bits) =>
    new Piece(
      `{"aa":${(bits & 8) !== 0},"tc":${(bits & 4) !== 0},"rd":${(bits & 2) !== 0},"ra":${
        (bits & 1) !== 0
      }}`,
    ),
);

/** `rcodeName` for each of the 16 response codes, as JSON strings. */
const RCODE_NAMES_JSON: readonly Piece[] = Array.from(
  { length: 16 },
  (_, rcode) => new Piece(JSON.stringify(dnsRcodeName(rcode))),
);

/** The question's `typeName` for types below 256 (all the common ones), as JSON strings. */
const TYPE_NAMES_JSON = new PieceTable(256, (type) => JSON.stringify(dnsTypeName(type)));

/**
 * The message's JSON object as `JSON.stringify(dns)` writes it (docs/json.md, `dns`), the
 * question's name copied from the message straight into the output.
 */
export function writeDnsJson(out: ByteWriter, dns: DnsMessage): void {
  out.piece(JSON_PIECE.openId);
  out.uint(dns.id);
  out.piece(JSON_PIECE.response);
  out.piece(dns.isResponse ? JSON_PIECE.true : JSON_PIECE.false);
  out.piece(JSON_PIECE.opcode);
  out.uint(dns.opcode);
  out.piece(JSON_PIECE.rcode);
  out.uint(dns.rcode);
  out.piece(JSON_PIECE.rcodeName);
  out.piece(RCODE_NAMES_JSON[dns.rcode]);
  out.piece(JSON_PIECE.flags);
  out.piece(DNS_FLAGS_JSON[dns.aaTcRdRa]);
  out.piece(JSON_PIECE.questions);
  out.uint(dns.questionCount);
  out.piece(JSON_PIECE.answers);
  out.uint(dns.answerCount);
  out.piece(JSON_PIECE.authorities);
  out.uint(dns.authorityCount);
  out.piece(JSON_PIECE.additionals);
  out.uint(dns.additionalCount);
  if (dns.questionCount > 0) {
    out.piece(JSON_PIECE.question);
    const name = DNS_NAME;
    const count = dns.copyQuestion(name);
    const type = dns.copiedType;
    if (count < 0 || type < 0) out.piece(JSON_PIECE.null);
    else {
      out.piece(JSON_PIECE.openName);
      // The name's text is printable ASCII; JSON needs only its quotes and backslashes escaped.
      out.reserve(2 * count + 2);
      const bytes = out.bytes;
      let at = out.length;
      bytes[at++] = 0x22;
      for (let i = 0; i < count; i++) {
        const byte = name[i];
        if (byte === 0x22 || byte === 0x5c) bytes[at++] = 0x5c;
        bytes[at++] = byte;
      }
      bytes[at++] = 0x22;
      out.length = at;
      out.piece(JSON_PIECE.type);
      out.uint(type);
      out.piece(JSON_PIECE.typeNameValue);
      if (type < TYPE_NAMES_JSON.size) out.piece(TYPE_NAMES_JSON.get(type));
      else out.text(JSON.stringify(dnsTypeName(type)));
      out.piece(JSON_PIECE.class);
      out.uint(dns.copiedClass);
      out.byte(0x7d);
    }
  }
  out.byte(0x7d);
}
