/**
 * IPv4's output: `-v`'s details of the header in tcpdump's style (`(tos 0x0, ttl 64, id 1,
 * offset 0, flags [DF], proto TCP (6), length 60)`, netpeek's fuller form), the fragment words
 * of the line (` (frag 1234:1480@0+)`), and the header's JSON object written field by field
 * (the same bytes as `JSON.stringify` of its `toJSON`, which tests/json_writer_test.ts holds it
 * to).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeIpv4Json } from "./ipv4.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 20, 0, 1, 0x40, 0, 64, 253, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2]), LINKTYPE_RAW);
 * const out = new ByteWriter();
 * writeIpv4Json(out, packet.ipv4!);
 * assert.equal(out.toString(), `,"ipv4":${JSON.stringify(packet.ipv4)}`);
 * ```
 * @module
 */

import { formatIpv4, ipProtocolName, type Ipv4Header, ipv4OptionName } from "../decode/mod.ts";
import { type ByteWriter, encodePieces, Piece, PieceTable } from "./bytes.ts";
import { keyed, keyedBool } from "./json_pieces.ts";

/** The fixed pieces of the JSON object, encoded once. */
const JSON_PIECE = encodePieces({
  checksum: ',"checksum":',
  dscp: ',"dscp":',
  ecn: ',"ecn":',
  id: ',"id":',
  ihl: ',"ihl":',
  ipv4: ',"ipv4":',
  ipv4Plain: ',"ipv4":{"version":4,"ihl":20,"dscp":0,"ecn":0,"length":',
  ipv4Version4: ',"ipv4":{"version":4,"ihl":',
  length: ',"length":',
  openVersion: '{"version":',
  protocol: ',"protocol":',
  thenDst: '","dst":"',
  thenNoOptions: '","options":[]}',
  thenOptions: '","options":',
  ttl: ',"ttl":',
  malformedEnd: ',"malformed":true}',
});

/** An option's `{"type":…,"name":…,"length":` by its type octet, encoded when first met. */
const OPTION_HEADS = new PieceTable(
  256,
  (type) => `{"type":${type},"name":${JSON.stringify(ipv4OptionName(type))},"length":`,
);

/**
 * The options' array as `JSON.stringify(ip.options)` writes it, without making the objects:
 * the bench's fragments carry options, some 3 % of its packets.
 */
function writeOptionsJson(out: ByteWriter, ip: Ipv4Header): void {
  out.byte(0x5b);
  let first = true;
  ip.forEachOption((type, length, malformed) => {
    if (!first) out.byte(0x2c);
    first = false;
    out.field(OPTION_HEADS.get(type), length);
    if (malformed) out.piece(JSON_PIECE.malformedEnd);
    else out.byte(0x7d);
  });
  out.byte(0x5d);
}

/**
 * Where tcpdump's names of the IP protocols (`proto UDP (17)` in its `-v`) are not netpeek's
 * own (`ipProtocolName`): the ones it adds, and its words for the extension headers.
 */
const TCPDUMP_PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "Options"],
  [8, "EGP"],
  [9, "IGRP"],
  [33, "DCCP"],
  [55, "Mobile IP"],
  [62, "Mobile IP (old)"],
  [108, "Compressed IP"],
  [113, "PGM"],
  [135, "Mobility"],
]);

/** Protocols netpeek names that tcpdump's table leaves `unknown`. */
const UNNAMED_BY_TCPDUMP: ReadonlySet<number> = new Set([59, 60]);

/** tcpdump's name of an IP protocol (`unknown` past its list), for IPv4's and IPv6's `-v`. */
export function tcpdumpProtocolName(protocol: number): string {
  if (UNNAMED_BY_TCPDUMP.has(protocol)) return "unknown";
  return TCPDUMP_PROTOCOL_NAMES.get(protocol) ?? ipProtocolName(protocol);
}

/** `-v`'s fixed words, encoded once. */
const VERBOSE = encodePieces({
  tos: "(tos 0x",
  ttl: ", ttl ",
  id: ", id ",
  offset: ", offset ",
  flags: ", flags [",
  proto: "], proto ",
  open: " (",
  length: "), length ",
  close: ")",
});

/** tcpdump's words for the ECN bits after the TOS (none for Not-ECT). */
const ECN_TEXT: readonly string[] = ["", ",ECT(1)", ",ECT(0)", ",CE"];

/**
 * tcpdump's `-v` IPv4 header: `(tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6),
 * length 60)`, with the options and a bad checksum when there are (`checkChecksum` false is
 * `-K`). Returns how the options' walk ended: `"line-cut"` means tcpdump's line ends there,
 * without the closing parentheses.
 */
export function writeIpv4Details(
  out: ByteWriter,
  ip: Ipv4Header,
  checkChecksum = true,
): Ipv4OptionsEnd {
  out.piece(VERBOSE.tos);
  out.hex(ip.tos);
  out.text(ECN_TEXT[ip.ecn]);
  const ttl = ip.ttl;
  if (ttl >= 1) {
    out.field(VERBOSE.ttl, ttl);
  }
  out.field(VERBOSE.id, ip.id);
  out.field(VERBOSE.offset, ip.fragOffset);
  out.piece(VERBOSE.flags);
  const flags = (ip.df ? 1 : 0) | (ip.mf ? 2 : 0) | (ip.reservedFlag ? 4 : 0);
  out.text(IPV4_FLAG_TEXT[flags]);
  out.piece(VERBOSE.proto);
  out.text(tcpdumpProtocolName(ip.protocol));
  out.field(VERBOSE.open, ip.protocol);
  out.field(VERBOSE.length, ip.length);
  let end: Ipv4OptionsEnd = "whole";
  if (ip.ihl > IPV4_MIN_HEADER) {
    const options = ipv4Options(ip);
    end = options.end;
    out.text(`, options (${options.text}`);
    if (end === "line-cut") return end;
    out.text(end === "option-cut" ? " [truncated-option])" : ")");
  }
  if (checkChecksum && ip.checksumOk === false) {
    out.text(`, bad cksum ${ip.checksum.toString(16)} (->${ip.expectedChecksum!.toString(16)})!`);
  }
  out.piece(VERBOSE.close);
  return end;
}

const IPV4_MIN_HEADER = 20;

const OPTION_EOL = 0;
const OPTION_NOP = 1;
const OPTION_RR = 7;
const OPTION_LSRR = 131;
const OPTION_SSRR = 137;
const OPTION_RA = 148;
const OPTION_TIMESTAMP = 68;

/** tcpdump's names of the IPv4 options. */
const OPTION_TEXT: ReadonlyMap<number, string> = new Map([
  [OPTION_EOL, "EOL"],
  [OPTION_NOP, "NOP"],
  [OPTION_TIMESTAMP, "timestamp"],
  [130, "security"],
  [OPTION_RR, "RR"],
  [OPTION_SSRR, "SSRR"],
  [OPTION_LSRR, "LSRR"],
  [OPTION_RA, "RA"],
  [82, "traceroute"],
]);

/**
 * How tcpdump's walk of an IPv4 header's options ended (`ip_optprint`): at their end (or at
 * a length it calls bad), at an option whose bytes were not all captured (`[truncated-option]`,
 * after which it prints the hosts and `[|ip]`), or at a code or length byte it could not read
 * (`[|ip]` right there, which ends the packet's line).
 */
export type Ipv4OptionsEnd = "whole" | "option-cut" | "line-cut";

/**
 * tcpdump's words for the options in an IPv4 header (`NOP,NOP,RR 192.0.2.1`), and how the
 * walk ended. Lengths are checked against the header's room for options, reads against the
 * captured bytes, as tcpdump checks them.
 */
export function ipv4Options(ip: Ipv4Header): { text: string; end: Ipv4OptionsEnd } {
  const view = ip.dataView;
  const start = ip.offset + IPV4_MIN_HEADER;
  const end = ip.offset + ip.ihl;
  const captured = ip.end;
  let text = "";
  for (let at = start; at < end;) {
    if (at > start) text += ",";
    if (at >= captured) return { text: text + " [|ip]", end: "line-cut" };
    const type = view.getUint8(at);
    text += OPTION_TEXT.get(type) ?? `unknown ${type}`;
    if (type === OPTION_EOL) break;
    if (type === OPTION_NOP) {
      at++;
      continue;
    }
    if (at + 1 >= captured) return { text: text + " [|ip]", end: "line-cut" };
    const length = view.getUint8(at + 1);
    if (length < 2 || length > end - at) {
      return { text: text + ` [bad length ${length}]`, end: "whole" };
    }
    if (at + length > captured) return { text, end: "option-cut" };
    if (type === OPTION_RR || type === OPTION_LSRR || type === OPTION_SSRR) {
      text += routeText(view, at, length);
    } else if (type === OPTION_TIMESTAMP) {
      text += timestampText(view, at, length);
    } else if (type === OPTION_RA) {
      if (length < 4) text += ` [bad length ${length}]`;
      else if (view.getUint16(at + 2) !== 0) text += ` value ${view.getUint16(at + 2)}`;
    }
    at += length;
  }
  return { text, end: "whole" };
}

/** A route option's addresses, each followed by `,` once the route has passed it. */
function routeText(view: DataView, at: number, length: number): string {
  if (length < 3) return ` [bad length ${length}]`;
  let text = "";
  if ((length + 1) & 3) text += ` [bad length ${length}]`;
  // RFC 791: the pointer counts from 1; tcpdump compares it from 0.
  const pointer = view.getUint8(at + 2) - 1;
  if (pointer < 3 || ((pointer + 1) & 3) || pointer > length + 1) {
    text += ` [bad ptr ${pointer + 1}]`;
  }
  for (let hop = 3; hop + 4 <= length; hop += 4) {
    text += ` ${formatIpv4(view, at + hop)}`;
    if (pointer > hop) text += ",";
  }
  return text;
}

/** RFC 791's timestamp flags: timestamps only, each with its address, or prespecified. */
const TIMESTAMP_FLAGS = ["TSONLY", "TS+ADDR", "", "PRESPEC"];

/**
 * The timestamp option as tcpdump words it: ` TS{TSONLY ^ 0@ 0@}`, the `^` where the pointer
 * is, each entry's time and (but for TSONLY) address.
 */
function timestampText(view: DataView, at: number, length: number): string {
  if (length < 4) return `[bad length ${length}]`;
  const flags = view.getUint8(at + 3);
  const kind = flags & 0xf;
  const entry = kind === 0 ? 4 : 8;
  let text = " TS{";
  if ((length - 4) & (entry - 1)) text += `[bad length ${length}]`;
  const pointer = view.getUint8(at + 2) - 1;
  if (pointer < 4 || ((pointer - 4) & (entry - 1)) || pointer > length + 1) {
    text += `[bad ptr ${pointer + 1}]`;
  }
  let position = 4;
  if (TIMESTAMP_FLAGS[kind] === undefined || TIMESTAMP_FLAGS[kind] === "") {
    text += `[bad ts type ${kind}]`;
  } else {
    text += TIMESTAMP_FLAGS[kind];
    for (; position + entry <= length; position += entry) {
      const time = view.getUint32(at + position + entry - 4);
      const address = entry === 8 ? formatIpv4(view, at + position) : "";
      text += `${pointer === position ? " ^ " : " "}${time}@${address}`;
    }
  }
  if (pointer === position) text += " ^ ";
  const unrecorded = flags >> 4;
  return text + (unrecorded ? ` [${unrecorded} hops not recorded]} ` : "}");
}

/**
 * The flags list for each combination of DF (1), MF (2) and the reserved bit (4), in
 * tcpdump's order: `+` for more fragments, then `DF`, then `rsvd`.
 */
const IPV4_FLAG_TEXT: readonly string[] = Array.from(
  { length: 8 },
  (_, bits) =>
    [bits & 2 && "+", bits & 1 && "DF", bits & 4 && "rsvd"].filter(Boolean).join(", ") ||
    "none",
);

/** `(frag …)`'s fixed words, encoded once. */
const FRAGMENT_TEXT = encodePieces({ open: " (frag ", moreClose: "+)", lastClose: ")" });

/**
 * tcpdump's words for an IPv4 fragment, ` (frag 1234:1480@0+)` (id, payload length, offset,
 * `+` for more fragments); nothing for `undefined`.
 */
export function writeIpv4FragmentText(out: ByteWriter, ip4: Ipv4Header | undefined): void {
  if (ip4 === undefined) return;
  out.field(FRAGMENT_TEXT.open, ip4.id);
  out.byte(0x3a);
  out.uint(Math.max(0, ip4.length - ip4.ihl));
  out.byte(0x40);
  out.uint(ip4.fragOffset);
  out.piece(ip4.mf ? FRAGMENT_TEXT.moreClose : FRAGMENT_TEXT.lastClose);
}

const IPV4_CHECKSUM_OK = keyedBool("checksumOk", ',"src":"');

/**
 * `,"df":…,"mf":…,"fragOffset":` for each combination of DF (2) and MF (1); then the same
 * with the offset 0 and the TTL's key (4 + bits), the common case.
 */
const FRAGMENT_FLAGS: readonly Piece[] = Array.from(
  { length: 8 },
  (_, bits) =>
    new Piece(
      `,"df":${(bits & 2) !== 0},"mf":${(bits & 1) !== 0},"fragOffset":${
        bits & 4 ? '0,"ttl":' : ""
      }`,
    ),
);

/** The header's JSON as `JSON.stringify` writes its `toJSON`, preceded by its key. */
export function writeIpv4Json(out: ByteWriter, ip: Ipv4Header): void {
  const version = ip.version;
  const ihl = ip.ihl;
  const dscp = ip.dscp;
  const ecn = ip.ecn;
  // Most packets: no options, no DSCP, no ECN, not a fragment.
  if (version === 4 && ihl === 20 && dscp === 0 && ecn === 0) {
    out.field(JSON_PIECE.ipv4Plain, ip.length);
  } else {
    if (version === 4) out.field(JSON_PIECE.ipv4Version4, ihl);
    else {
      out.piece(JSON_PIECE.ipv4);
      out.field(JSON_PIECE.openVersion, version);
      out.field(JSON_PIECE.ihl, ihl);
    }
    out.field(JSON_PIECE.dscp, dscp);
    out.field(JSON_PIECE.ecn, ecn);
    out.field(JSON_PIECE.length, ip.length);
  }
  out.field(JSON_PIECE.id, ip.id);
  const fragOffset = ip.fragOffset;
  const flags = (ip.df ? 2 : 0) + (ip.mf ? 1 : 0);
  if (fragOffset === 0) out.field(FRAGMENT_FLAGS[4 + flags], ip.ttl);
  else {
    out.field(FRAGMENT_FLAGS[flags], fragOffset);
    out.field(JSON_PIECE.ttl, ip.ttl);
  }
  out.field(JSON_PIECE.protocol, ip.protocol);
  out.field(JSON_PIECE.checksum, ip.checksum);
  keyed(out, IPV4_CHECKSUM_OK, ip.checksumOk);
  out.ipv4(ip.srcNumber);
  out.piece(JSON_PIECE.thenDst);
  out.ipv4(ip.dstNumber);
  if (ihl > 20 && ip.capturedLength > 20) {
    out.piece(JSON_PIECE.thenOptions);
    writeOptionsJson(out, ip);
    out.byte(0x7d);
  } else out.piece(JSON_PIECE.thenNoOptions);
}
