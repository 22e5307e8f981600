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

import { ECN_NAMES, ipProtocolName, type Ipv4Header } from "../decode/mod.ts";
import { type ByteWriter, encodePieces, Piece } from "./bytes.ts";
import { writeChecksum } from "./checksum_text.ts";
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
});

/** `-v`'s fixed words, encoded once. */
const VERBOSE = encodePieces({
  version: "(version ",
  ihl: ", ihl ",
  tos: ", tos 0x",
  dscp: " [dscp ",
  open: " (",
  ecn: "), ecn ",
  ttl: "], ttl ",
  id: ", id ",
  offset: ", offset ",
  flags: ", flags [",
  proto: "], proto ",
  length: "), length ",
  commaSpace: ", ",
  close: ")",
});

const DSCP_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "CS0"],
  [1, "LE"],
  [8, "CS1"],
  [10, "AF11"],
  [12, "AF12"],
  [14, "AF13"],
  [16, "CS2"],
  [18, "AF21"],
  [20, "AF22"],
  [22, "AF23"],
  [24, "CS3"],
  [26, "AF31"],
  [28, "AF32"],
  [30, "AF33"],
  [32, "CS4"],
  [34, "AF41"],
  [36, "AF42"],
  [38, "AF43"],
  [40, "CS5"],
  [44, "VA"],
  [46, "EF"],
  [48, "CS6"],
  [56, "CS7"],
]);

/** `-v`'s IPv4 header: every field, in tcpdump's parenthesised style. */
export function writeIpv4Details(out: ByteWriter, ip: Ipv4Header): void {
  const dscp = ip.dscp;
  out.piece(VERBOSE.version);
  out.uint(ip.version);
  out.piece(VERBOSE.ihl);
  out.uint(ip.ihl);
  out.piece(VERBOSE.tos);
  out.hex(ip.tos);
  out.piece(VERBOSE.dscp);
  const dscpName = DSCP_NAMES.get(dscp);
  if (dscpName === undefined) out.uint(dscp);
  else out.text(dscpName);
  out.piece(VERBOSE.open);
  out.uint(dscp);
  out.piece(VERBOSE.ecn);
  out.text(ECN_NAMES[ip.ecn]);
  out.piece(VERBOSE.ttl);
  out.uint(ip.ttl);
  out.piece(VERBOSE.id);
  out.uint(ip.id);
  out.piece(VERBOSE.offset);
  out.uint(ip.fragOffset);
  out.piece(VERBOSE.flags);
  const flags = (ip.df ? 1 : 0) | (ip.mf ? 2 : 0) | (ip.reservedFlag ? 4 : 0);
  out.text(IPV4_FLAG_TEXT[flags]);
  out.piece(VERBOSE.proto);
  out.text(ipProtocolName(ip.protocol));
  out.piece(VERBOSE.open);
  out.uint(ip.protocol);
  out.piece(VERBOSE.length);
  out.uint(ip.length);
  out.piece(VERBOSE.commaSpace);
  writeChecksum(out, ip.checksum, ip.checksumOk, ip.expectedChecksum);
  if (ip.ihl > 20) {
    out.text(
      `, options [${
        ip.options.map((option) =>
          option.length > 1
            ? `${option.name} (${option.type}) len ${option.length}${
              option.malformed ? " malformed" : ""
            }`
            : option.name
        ).join(", ")
      }]`,
    );
  }
  out.piece(VERBOSE.close);
}

/** The flags list for each combination of DF (1), MF (2) and the reserved bit (4). */
const IPV4_FLAG_TEXT: readonly string[] = Array.from(
  { length: 8 },
  (_, bits) =>
    [bits & 1 && "DF", bits & 2 && "MF", bits & 4 && "rsvd"].filter(Boolean).join(", ") ||
    "none",
);

/** The text form of an IPv4 fragment: ` (frag 1234:1480@0+)`. */
export function ipv4FragmentText(ip4: Ipv4Header): string {
  return ` (frag ${ip4.id}:${Math.max(0, ip4.length - ip4.ihl)}@${ip4.fragOffset}${
    ip4.mf ? "+" : ""
  })`;
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
  if (version === 4 && ihl === 20 && dscp === 0 && ecn === 0) out.piece(JSON_PIECE.ipv4Plain);
  else {
    if (version === 4) out.piece(JSON_PIECE.ipv4Version4);
    else {
      out.piece(JSON_PIECE.ipv4);
      out.piece(JSON_PIECE.openVersion);
      out.uint(version);
      out.piece(JSON_PIECE.ihl);
    }
    out.uint(ihl);
    out.piece(JSON_PIECE.dscp);
    out.uint(dscp);
    out.piece(JSON_PIECE.ecn);
    out.uint(ecn);
    out.piece(JSON_PIECE.length);
  }
  out.uint(ip.length);
  out.piece(JSON_PIECE.id);
  out.uint(ip.id);
  const fragOffset = ip.fragOffset;
  const flags = (ip.df ? 2 : 0) + (ip.mf ? 1 : 0);
  if (fragOffset === 0) out.piece(FRAGMENT_FLAGS[4 + flags]);
  else {
    out.piece(FRAGMENT_FLAGS[flags]);
    out.uint(fragOffset);
    out.piece(JSON_PIECE.ttl);
  }
  out.uint(ip.ttl);
  out.piece(JSON_PIECE.protocol);
  out.uint(ip.protocol);
  out.piece(JSON_PIECE.checksum);
  out.uint(ip.checksum);
  keyed(out, IPV4_CHECKSUM_OK, ip.checksumOk);
  out.ipv4(ip.srcNumber);
  out.piece(JSON_PIECE.thenDst);
  out.ipv4(ip.dstNumber);
  if (ihl > 20 && ip.capturedLength > 20) {
    out.piece(JSON_PIECE.thenOptions);
    out.text(JSON.stringify(ip.options));
    out.byte(0x7d);
  } else out.piece(JSON_PIECE.thenNoOptions);
}
