/**
 * ICMP's and ICMPv6's output: the text tcpdump prints (`ICMP echo request, id 1, seq 2,
 * length 64`, unreachable, time exceeded, redirect, neighbor discovery, …) and the JSON object,
 * an echo written field by field (the same bytes as `JSON.stringify` of its `toJSON`, which
 * tests/json_writer_test.ts holds it to), the rarer messages through `toJSON`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeIcmp, writeIcmpJson } from "./icmp.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2, 8, 0, 0xf7, 0xfd, 0, 1, 0, 1]), LINKTYPE_RAW);
 * const text = new ByteWriter();
 * writeIcmp(text, packet.icmp!);
 * assert.equal(text.toString(), "ICMP echo request, id 1, seq 1, length 8");
 * const json = new ByteWriter();
 * writeIcmpJson(json, packet.icmp!);
 * assert.equal(json.toString(), JSON.stringify(packet.icmp));
 * ```
 * @module
 */

import {
  formatIpv6,
  formatMac,
  ICMP_PARAMETER_PROBLEM,
  ICMP_REDIRECT,
  ICMP_TIME_EXCEEDED,
  ICMP_UNREACHABLE,
  type IcmpHeader,
  ICMPV6_PACKET_TOO_BIG,
  ICMPV6_PARAMETER_PROBLEM,
  ICMPV6_TIME_EXCEEDED,
  ICMPV6_UNREACHABLE,
  ipProtocolName,
  MLD_V1_LENGTH,
  MLD_V2_QUERY_LENGTH,
  ND_NEIGHBOR_ADVERT,
  ND_NEIGHBOR_SOLICIT,
  ND_REDIRECT,
  ND_ROUTER_ADVERT,
  type QuotedPacket,
} from "../decode/mod.ts";
import { type ByteWriter, encodePieces } from "./bytes.ts";
import { dumpLines } from "./hexdump.ts";
import { printableText } from "./printable.ts";
import { checksumVerdict } from "./checksum_text.ts";
import { addressList, groupRecordsText, MLDV2_RECORDS } from "./group_records.ts";
import { keyed, keyedBool } from "./json_pieces.ts";

/** The fixed pieces of the text, encoded once. */
const TEXT = encodePieces({
  id: ", id ",
  seq: ", seq ",
  length: ", length ",
});

/** The fixed pieces of the JSON object, encoded once. */
const JSON_PIECE = encodePieces({
  openType: '{"type":',
  code: ',"code":',
  typeName: ',"typeName":"',
  thenChecksum: '","checksum":',
  sequence: ',"sequence":',
});

const CHECKSUM_OK = keyedBool("checksumOk", ',"id":');

/** `, 2001:db8::2 udp port 53` for what an ICMP error quotes. */
function quotedText(quoted: QuotedPacket | null): string {
  if (quoted === null) return "";
  const protocol = ipProtocolName(quoted.protocol).toLowerCase();
  return quoted.dstPort === undefined
    ? `, ${quoted.dst} ${protocol}`
    : `, ${quoted.dst} ${protocol} port ${quoted.dstPort}`;
}

/** tcpdump's wording of ICMPv4 unreachable messages. */
function unreachableText(icmp: IcmpHeader, quoted: QuotedPacket | null): string {
  const dst = quoted?.dst ?? "?";
  switch (icmp.code) {
    case 0:
      return `net ${dst} unreachable`;
    case 1:
      return `host ${dst} unreachable`;
    case 2:
      return `${dst} protocol ${quoted?.protocol ?? "?"} unreachable`;
    case 3: {
      const protocol = ipProtocolName(quoted?.protocol ?? 0).toLowerCase();
      return `${dst} ${protocol} port ${quoted?.dstPort ?? "?"} unreachable`;
    }
    case 4:
      return `${dst} unreachable - need to frag (mtu ${icmp.mtu})`;
    default:
      return `${dst} unreachable - ${icmp.codeName}`;
  }
}

/**
 * tcpdump's line for the message: `ICMP echo request, id 1, seq 2, length 64`, … At
 * `verbosity` 1 and up (`-v`) as tcpdump's `-v`: ICMPv6's length only for neighbor discovery,
 * after its name, and its details after it; with `checkChecksum` too, ICMPv6's checksum
 * verdict before it and a wrong ICMPv4 checksum after it.
 */
export function writeIcmp(
  out: ByteWriter,
  icmp: IcmpHeader,
  verbosity = 0,
  checkChecksum = false,
): void {
  if (verbosity > 0) {
    writeVerboseIcmp(out, icmp, checkChecksum, verbosity);
    if (icmp.isNeighborDiscovery && !icmp.truncated) {
      out.text(neighborDiscoveryText(icmp, verbosity));
    }
    return;
  }
  const id = icmp.id;
  const sequence = icmp.sequence;
  if (id === null || sequence === null) {
    out.text(icmpText(icmp));
    return;
  }
  // An echo request or reply: most ICMP there is.
  out.text(icmp.version === 4 ? "ICMP " : "ICMP6, ");
  out.text(textTypeName(icmp));
  out.field(TEXT.id, id);
  out.field(TEXT.seq, sequence);
  out.field(TEXT.length, icmp.messageLength);
}

/** `writeIcmp`'s `-v` line. */
function writeVerboseIcmp(
  out: ByteWriter,
  icmp: IcmpHeader,
  checkChecksum: boolean,
  verbosity: number,
): void {
  if (icmp.version === 4) {
    writeIcmp(out, icmp);
    if (checkChecksum && icmp.verifiable && icmp.checksumOk === false) {
      out.text(
        ` (wrong icmp cksum ${icmp.checksum.toString(16)} (->${
          (icmp.expectedChecksum ?? 0).toString(16)
        })!)`,
      );
    }
    return;
  }
  if (checkChecksum) out.text(checksumVerdict("icmp6", icmp));
  const id = icmp.id;
  const sequence = icmp.sequence;
  const text = id === null || sequence === null
    ? icmpText(icmp, verbosity)
    : `ICMP6, ${textTypeName(icmp)}, id ${id}, seq ${sequence}, length ${icmp.messageLength}`;
  const length = `, length ${icmp.messageLength}`;
  // A type tcpdump does not name keeps its length (print-icmp6.c's default case).
  if (icmp.truncated || !text.endsWith(length) || icmp.knownTypeName === null) {
    out.text(text);
    return;
  }
  const withoutLength = text.slice(0, -length.length);
  if (!icmp.isNeighborDiscovery) {
    out.text(withoutLength);
    return;
  }
  // Neighbor discovery: the length right after the message's name, then its details.
  const name = `ICMP6, ${textTypeName(icmp)}`;
  out.text(name + length + withoutLength.slice(name.length));
}

/** RFC 4861 section 4.2: a router advertisement's fields after its type, code and checksum. */
const RA_HOP_LIMIT = 4;
const RA_FLAGS = 5;
const RA_LIFETIME = 6;
const RA_REACHABLE = 8;
const RA_RETRANS = 12;
/** RFC 4191 section 2.2: the default router preference, by its two bits. */
const ROUTER_PREFERENCE = ["medium", "high", "rsv", "low"];
/** The RA flags tcpdump names, in its order. */
const RA_FLAG_NAMES: readonly [number, string][] = [
  [0x80, "managed"],
  [0x40, "other stateful"],
  [0x20, "home agent"],
  [0x02, "ipv6 only"],
];
/** RFC 4861 section 4.6.2: the prefix information option's flags. */
const PREFIX_FLAG_NAMES: readonly [number, string][] = [
  [0x80, "onlink"],
  [0x40, "auto"],
  [0x20, "router"],
];
/** tcpdump's names of the neighbor discovery options. */
const ND_OPTION_TEXT: ReadonlyMap<number, string> = new Map([
  [1, "source link-address"],
  [2, "destination link-address"],
  [3, "prefix info"],
  [4, "redirected header"],
  [5, "mtu"],
  [7, "advertisement interval"],
  [8, "homeagent information"],
  [24, "route info"],
  [25, "rdnss"],
  [31, "dnssl"],
]);
/** Where a message's options begin, by its type (RFC 4861 section 4). */
const ND_OPTIONS_START: ReadonlyMap<number, number> = new Map([
  [133, 8],
  [134, 16],
  [135, 24],
  [136, 24],
  [137, 40],
]);
/** At most this many options are written: a message cannot hold more than its length allows. */
const MAX_ND_OPTIONS = 64;

const flagNames = (bits: number, names: readonly [number, string][]) =>
  names.filter(([bit]) => bits & bit).map(([, name]) => name).join(", ") || "none";

/** A lifetime as tcpdump writes it: seconds, or `infinity` for all ones. */
const lifetime = (seconds: number) => seconds === 0xffffffff ? "infinity" : `${seconds}s`;

/**
 * What tcpdump's `-v` adds to a neighbor discovery message: a router advertisement's fields,
 * then each option on a line of its own (`source link-address option (1), length 8 (1):
 * 02:00:5e:00:53:01`); `-vv` dumps each option's bytes after it.
 */
function neighborDiscoveryText(icmp: IcmpHeader, verbosity: number): string {
  const view = icmp.dataView;
  const start = icmp.offset;
  const end = icmp.end;
  let text = "";
  if (icmp.type === ND_ROUTER_ADVERT && start + RA_RETRANS + 4 <= end) {
    const flags = view.getUint8(start + RA_FLAGS);
    text += `\n\thop limit ${view.getUint8(start + RA_HOP_LIMIT)}, Flags [${
      flagNames(flags, RA_FLAG_NAMES)
    }], pref ${ROUTER_PREFERENCE[(flags >> 3) & 3]}, router lifetime ${
      view.getUint16(start + RA_LIFETIME)
    }s, reachable time ${view.getUint32(start + RA_REACHABLE)}ms, retrans timer ${
      view.getUint32(start + RA_RETRANS)
    }ms`;
  }
  let at = start + (ND_OPTIONS_START.get(icmp.type) ?? end);
  for (let count = 0; at + 2 <= end && count < MAX_ND_OPTIONS; count++) {
    const type = view.getUint8(at);
    const units = view.getUint8(at + 1);
    const length = units * 8;
    // A zero length would never end; one past the capture is tcpdump's cut-short note.
    if (units === 0 || at + length > end) {
      text += `\n\t  ${
        ND_OPTION_TEXT.get(type) ?? "unknown"
      } option (${type}), length ${length} (${units}): [|icmp6]`;
      break;
    }
    const name = ND_OPTION_TEXT.get(type);
    text += `\n\t  ${name ?? "unknown"} option (${type}), length ${length} (${units}): `;
    text += optionValue(view, at, length, type);
    // An option tcpdump does not know: its bytes with -v; with -vv only the dump below.
    if (name === undefined && verbosity <= 1) {
      text += `\n${indented(view, at + 2, at + length, "\t  ")}`;
    }
    if (verbosity > 1) text += `\n${indented(view, at + 2, at + length, "\t    ")}`;
    at += length;
  }
  return text;
}

/** The dump of `start`..`end` with tcpdump's indent before each line. */
function indented(view: DataView, start: number, end: number, indent: string): string {
  return dumpLines(view, start, end, false).replace(/^\t/gm, indent);
}

/** What tcpdump writes after an option's header, by its type. */
function optionValue(view: DataView, at: number, length: number, type: number): string {
  switch (type) {
    case 1:
    case 2:
      return formatMac(view, at + 2, length - 2);
    case 3: {
      if (length < 32) return "";
      const flags = view.getUint8(at + 3);
      return `${formatIpv6(view, at + 16)}/${view.getUint8(at + 2)}, Flags [${
        flagNames(flags, PREFIX_FLAG_NAMES)
      }], valid time ${lifetime(view.getUint32(at + 4))}, pref. time ${
        lifetime(view.getUint32(at + 8))
      }`;
    }
    case 5:
      return length >= 8 ? ` ${view.getUint32(at + 4)}` : "";
    case 7:
      return length >= 8 ? ` ${view.getUint32(at + 4)}ms` : "";
    case 8:
      return length >= 8
        ? ` preference ${view.getUint16(at + 4)}, lifetime ${view.getUint16(at + 6)}`
        : "";
    case 24:
      return routeInfoText(view, at, length);
    case 25: {
      if (length < 8) return "";
      let text = ` lifetime ${lifetime(view.getUint32(at + 4))},`;
      for (let address = at + 8; address + 16 <= at + length; address += 16) {
        text += ` addr: ${formatIpv6(view, address)}`;
      }
      return text;
    }
    case 31:
      return length >= 8 ? dnsslText(view, at, length) : "";
    default:
      return "";
  }
}

/** RFC 4191 section 2.3's route preference, by its two bits. */
const ROUTE_PREFERENCE = ["medium", "high", "rsv", "low"];

/**
 * RFC 4191 section 2.3: the route information option's prefix (0, 8 or 16 of its bytes, by the
 * option's length), preference and lifetime, as tcpdump writes them
 * (` 2001:db8::/48, pref=medium, lifetime=7200s`).
 */
function routeInfoText(view: DataView, at: number, length: number): string {
  if (length > 24) return "";
  const prefix = new DataView(new ArrayBuffer(16));
  for (let i = 0; i < length - 8; i++) prefix.setUint8(i, view.getUint8(at + 8 + i));
  const preference = ROUTE_PREFERENCE[(view.getUint8(at + 3) >> 3) & 3];
  return ` ${formatIpv6(prefix, 0)}/${view.getUint8(at + 2)}, pref=${preference}, lifetime=${
    lifetime(view.getUint32(at + 4))
  }`;
}

/**
 * RFC 8106 section 5.2: the search list's lifetime and its names, each label followed by a
 * dot, as tcpdump writes them (`lifetime 5s, domain(s): example.com. example.org.`).
 */
function dnsslText(view: DataView, at: number, length: number): string {
  let text = ` lifetime ${lifetime(view.getUint32(at + 4))}, domain(s):`;
  const end = at + length;
  let position = at + 8;
  // Names until the zero padding; each label bounded by the option's end.
  while (position < end && view.getUint8(position) !== 0) {
    text += " ";
    while (position < end) {
      const size = view.getUint8(position++);
      if (size === 0) break;
      text += `${printableText(view, position, Math.min(end, position + size))}.`;
      position += size;
    }
  }
  return text;
}

/**
 * The type's name in the text: tcpdump's words for a type it does not name (print-icmp.c's
 * `type-#N`, print-icmp6.c's `unknown icmp6 type (N)`); JSON keeps `type N`.
 */
function textTypeName(icmp: IcmpHeader): string {
  const known = icmp.knownTypeName;
  if (known !== null) return known;
  return icmp.version === 4 ? `type-#${icmp.type}` : `unknown icmp6 type (${icmp.type})`;
}

/** Every ICMP message but a whole echo, which `writeIcmp` writes itself. */
function icmpText(icmp: IcmpHeader, verbosity = 0): string {
  const verbose = verbosity > 0;
  const v4 = icmp.version === 4;
  const label = v4 ? "ICMP " : "ICMP6, ";
  if (icmp.truncated) return label + (icmp.codeName ?? textTypeName(icmp));
  const length = `, length ${icmp.messageLength}`;
  const quoted = icmp.quoted;
  if (v4) {
    switch (icmp.type) {
      case ICMP_UNREACHABLE:
        return `ICMP ${unreachableText(icmp, quoted)}${length}`;
      case ICMP_TIME_EXCEEDED:
        return `ICMP time exceeded ${icmp.code === 1 ? "ip reassembly" : "in-transit"}${length}`;
      case ICMP_REDIRECT:
        return `ICMP redirect ${quoted?.dst ?? "?"} to ${
          icmp.code % 2 === 0 ? "net" : "host"
        } ${icmp.gateway}${length}`;
      case ICMP_PARAMETER_PROBLEM:
        return `ICMP parameter problem - octet ${icmp.pointer}${length}`;
    }
    return `ICMP ${textTypeName(icmp)}${length}`;
  }
  switch (icmp.type) {
    case ICMPV6_UNREACHABLE:
      return `ICMP6, destination unreachable, ${icmp.codeName}${quotedText(quoted)}${length}`;
    case ICMPV6_PACKET_TOO_BIG:
      return `ICMP6, packet too big, mtu ${icmp.mtu}${length}`;
    case ICMPV6_TIME_EXCEEDED: {
      // tcpdump names the type "time exceeded in-transit", then says which code it was.
      const code = icmp.code === 0
        ? ` for ${quoted?.dst ?? "?"}`
        : icmp.code === 1
        ? " (reassembly)"
        : `, unknown code (${icmp.code})`;
      return `ICMP6, time exceeded in-transit${code}${length}`;
    }
    case ICMPV6_PARAMETER_PROBLEM:
      return `ICMP6, parameter problem, octet ${icmp.pointer}${length}`;
    case ND_NEIGHBOR_SOLICIT:
      return `ICMP6, neighbor solicitation, who has ${icmp.target}${length}`;
    case ND_NEIGHBOR_ADVERT: {
      const flags = icmp.ndFlags;
      const set = flags ? Object.entries(flags).filter(([, on]) => on).map(([name]) => name) : [];
      // tcpdump shows the flags with -v only.
      return `ICMP6, neighbor advertisement, tgt is ${icmp.target}${
        verbose && set.length ? `, Flags [${set.join(", ")}]` : ""
      }${length}`;
    }
    case ND_REDIRECT:
      return `ICMP6, redirect, ${icmp.target}${length}`;
    case MLD_QUERY:
    case MLD_REPORT:
    case MLD_DONE:
    case MLD_V2_REPORT:
      return `ICMP6, ${textTypeName(icmp)}${mldText(icmp, verbosity)}${length}`;
  }
  if (icmp.knownTypeName === null && verbosity <= 1) {
    // print-icmp6.c's default: the message in hex after its length, but with -vv.
    const end = Math.min(icmp.end, icmp.offset + icmp.messageLength);
    return `ICMP6, ${textTypeName(icmp)}${length}\n${
      dumpLines(icmp.dataView, icmp.offset, end, false)
    }`;
  }
  return `ICMP6, ${textTypeName(icmp)}${length}`;
}
/**
 * The message's JSON object as `JSON.stringify(icmp)` writes it: an echo field by field, the
 * rarer messages through `toJSON`.
 */
export function writeIcmpJson(out: ByteWriter, icmp: IcmpHeader): void {
  // Echo messages are the common case; the rest have many optional fields.
  const id = icmp.id;
  const sequence = icmp.sequence;
  if (id === null || sequence === null || icmp.codeName !== null) {
    out.text(JSON.stringify(icmp.toJSON()));
    return;
  }
  out.field(JSON_PIECE.openType, icmp.type);
  out.field(JSON_PIECE.code, icmp.code);
  out.piece(JSON_PIECE.typeName);
  out.text(icmp.typeName);
  out.field(JSON_PIECE.thenChecksum, icmp.checksum);
  keyed(out, CHECKSUM_OK, icmp.checksumOk);
  out.uint(id);
  out.field(JSON_PIECE.sequence, sequence);
  out.byte(0x7d);
}

// MLD's types (RFC 2710, RFC 3810).
const MLD_QUERY = 130;
const MLD_REPORT = 131;
const MLD_DONE = 132;
const MLD_V2_REPORT = 143;

/**
 * What tcpdump writes after an MLD message's name: v1's delay and address (run on, without a
 * space, as tcpdump does), a v2 query's group and sources, a v2 report's record count.
 */
function mldText(icmp: IcmpHeader, verbosity: number): string {
  const length = icmp.messageLength;
  if (icmp.type === MLD_V2_REPORT) {
    const count = icmp.mldRecordCount;
    const records = verbosity > 0
      ? groupRecordsText(
        icmp.dataView,
        icmp.offset,
        icmp.end,
        length,
        count,
        verbosity,
        MLDV2_RECORDS,
      )
      : "";
    return `, ${count} group record(s)${records}`;
  }
  const v1 = () => {
    const address = icmp.mldAddress;
    return address === null ? "" : `max resp delay: ${icmp.mldDelay} addr: ${address}`;
  };
  if (icmp.type !== MLD_QUERY) return v1();
  if (length === MLD_V1_LENGTH) return v1();
  if (length < MLD_V2_QUERY_LENGTH) return ` unknown-version (len ${length}) `;
  const view = icmp.dataView;
  const at = icmp.offset;
  const sources = icmp.mldSourceCount;
  let text = " v2";
  if (verbosity > 0) text += ` [max resp delay=${mldFloat(view.getUint16(at + 4), 0x8000, 12)}]`;
  text += ` [gaddr ${icmp.mldAddress ?? "?"}`;
  if (verbosity > 0 && at + MLD_V2_QUERY_LENGTH <= icmp.end) {
    // RFC 3810 section 5.1: S flag, QRV, and the querier's query interval code.
    const flags = view.getUint8(at + 24);
    if (flags & 0x08) text += " sflag";
    if (flags & 0x07) text += ` robustness=${flags & 0x07}`;
    text += ` qqi=${mldFloat(view.getUint8(at + 25), 0x80, 4)}`;
  }
  if (sources > 0) {
    if (length < MLD_V2_QUERY_LENGTH + 16 * sources) text += " [invalid number of sources]";
    else if (verbosity > 1) {
      text += ` {${
        addressList(view, at + MLD_V2_QUERY_LENGTH, icmp.end, sources, MLDV2_RECORDS)
      } }`;
    } else text += `, ${sources} source(s)`;
  }
  return text + "]";
}

/**
 * RFC 3810 sections 5.1.3 and 5.1.9: a code below `floating` is the value itself; above, a
 * mantissa and exponent (`exponentShift` bits up), as tcpdump decodes them.
 */
function mldFloat(code: number, floating: number, exponentShift: number): number {
  if (code < floating) return code;
  const mantissa = code & ((1 << exponentShift) - 1);
  const exponent = (code >> exponentShift) & 0x7;
  return (mantissa | (1 << exponentShift)) << (exponent + 3);
}
