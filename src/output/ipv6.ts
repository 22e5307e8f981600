/**
 * IPv6's output: `-v`'s details of the fixed header (`(class 0x00, flowlabel 0x00000, hlim 64,
 * next-header UDP (17), payload length 8)`), tcpdump's words for the extension headers in
 * front of the payload (`HBH frag (0|1232) `), and the header's JSON object written field by
 * field (the same bytes as `JSON.stringify` of its `toJSON`, which tests/json_writer_test.ts
 * holds it to).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeIpv6Json } from "./ipv6.ts";
 * const bytes = new Uint8Array(40);
 * bytes.set([0x60, 0, 0, 0, 0, 0, 59, 64]);
 * bytes[23] = 1;
 * bytes[39] = 2;
 * const packet = decode(bytes, LINKTYPE_RAW);
 * const out = new ByteWriter();
 * writeIpv6Json(out, packet.ipv6!);
 * assert.equal(out.toString(), JSON.stringify(packet.ipv6));
 * ```
 * @module
 */

import {
  AhHeader,
  IPV6_AH,
  IPV6_DESTINATION,
  IPV6_FRAGMENT,
  IPV6_HEADER_LENGTH,
  IPV6_HOP_BY_HOP,
  IPV6_OPTION_JUMBO,
  IPV6_ROUTING,
  ipv6ExtensionName,
  type Ipv6Header,
  ipv6Options,
  Ipv6RoutingHeader,
} from "../decode/mod.ts";
import { ahText } from "./ah.ts";
import { routingEndsLine, routingText } from "./ipv6_routing.ts";
import { tcpdumpProtocolName } from "./ipv4.ts";
import { type ByteWriter, encodePieces, PieceTable } from "./bytes.ts";
import { keyed, keyedBool } from "./json_pieces.ts";

/** The fixed pieces of the JSON object, encoded once. */
const JSON_PIECE = encodePieces({
  emptyList: "[]",
  flowLabel: ',"flowLabel":',
  fragmentOffset: ',"fragment":{"offset":',
  hopLimit: ',"hopLimit":',
  nextHeader: ',"nextHeader":',
  openVersion: '{"version":',
  payloadLength: ',"payloadLength":',
  protocol: ',"protocol":',
  src: ',"src":"',
  thenDst: '","dst":"',
  thenExtensions: '","extensions":',
  trafficClass: ',"trafficClass":',
});

/** `-v`'s fixed words, encoded once. */
const VERBOSE = encodePieces({
  open: "(",
  class: "class 0x",
  flowLabel: "flowlabel 0x",
  commaSpace: ", ",
  hopLimit: "hlim ",
  nextHeader: ", next-header ",
  number: " (",
  payloadLength: ") payload length: ",
  close: ") ",
});

/**
 * tcpdump's `-v` IPv6 header, and the space before the addresses that follow on the same
 * line: `(class 0x0b, flowlabel 0x01234, hlim 64, next-header UDP (17) payload length: 8) `.
 * The class and the flow label appear only when they are not zero.
 */
export function writeIpv6Details(out: ByteWriter, ip: Ipv6Header): void {
  out.piece(VERBOSE.open);
  if (ip.trafficClass !== 0) {
    out.piece(VERBOSE.class);
    out.hex(ip.trafficClass, 2);
    out.piece(VERBOSE.commaSpace);
  }
  if (ip.flowLabel !== 0) {
    out.piece(VERBOSE.flowLabel);
    out.hex(ip.flowLabel, 5);
    out.piece(VERBOSE.commaSpace);
  }
  out.field(VERBOSE.hopLimit, ip.hopLimit);
  out.piece(VERBOSE.nextHeader);
  out.text(tcpdumpProtocolName(ip.nextHeader));
  out.field(VERBOSE.number, ip.nextHeader);
  out.field(VERBOSE.payloadLength, ip.payloadLength);
  out.piece(VERBOSE.close);
}

/** A view for the AH headers of a chain. */
const CHAIN_AH = new AhHeader();
/** A view for the routing headers of a chain. */
const CHAIN_ROUTING = new Ipv6RoutingHeader();

/** tcpdump's words for an IPv6 extension header chain, and whether they end the line. */
export interface Ipv6ChainWords {
  /** The words, a space after them when the line goes on. */
  text: string;
  /** Whether tcpdump prints nothing after them. */
  endsLine: boolean;
}

/**
 * tcpdump's words for the IPv6 extension headers in front of the payload. After a header
 * tcpdump calls invalid or finds cut short, nothing more (`endsLine`): a routing header of an
 * odd length or an unknown type, options that run past their header (`HBH [|hbhopt]`; a
 * destination header's are read only with `-v`). When the chain was cut short in a routing
 * header, the words of what was captured of it end the text.
 */
export function ipv6ChainWords(ip6: Ipv6Header, verbosity = 0): Ipv6ChainWords {
  let text = "";
  for (let i = 0; i < ip6.extensionCount; i++) {
    const type = ip6.extensionTypes[i];
    if (type === IPV6_ROUTING) {
      const routing = CHAIN_ROUTING.bind(ip6.dataView, ip6.extensionOffsets[i], ip6.end);
      text += routingText(routing, verbosity);
      if (routingEndsLine(routing)) return { text, endsLine: true };
    } else if (type === IPV6_AH) {
      const offset = ip6.extensionOffsets[i];
      text += ahText(CHAIN_AH.bind(ip6.dataView, offset, ip6.end), verbosity);
    } else if (type === IPV6_FRAGMENT) {
      const fragment = ip6.fragment!;
      const bytes = ip6.bytesAfterExtension(i);
      // -v adds the identification, as eight hex digits.
      const id = verbosity > 0 ? `0x${ip6.fragmentId.toString(16).padStart(8, "0")}:` : "";
      text += `frag (${id}${fragment.offset}|${bytes}) `;
    } else if (type === IPV6_HOP_BY_HOP || type === IPV6_DESTINATION) {
      const hopByHop = type === IPV6_HOP_BY_HOP;
      text += hopByHop ? "HBH " : "DSTOPT ";
      // tcpdump reads a hop-by-hop header's options always, a destination header's with -v.
      if (hopByHop || verbosity > 0) {
        const options = chainOptionsText(ip6, i, verbosity > 0);
        if (options.invalid) {
          text += `${options.text} [|${hopByHop ? "hbhopt" : "dstopt"}]`;
          return { text, endsLine: true };
        }
        text += options.text;
      }
      // A length from the Jumbo Payload option is checked where tcpdump reads it: after the
      // hop-by-hop header's words (ip6_print's found_jumbo).
      if (i === 0 && ip6.jumboLength > 0 && ip6.missingBytes > 0) {
        text += ipv6MissingText(ip6.missingBytes);
      }
    } else {
      text += `${({ 51: "AH", 50: "ESP" } as Record<number, string>)[type] ?? `ext-${type}`} `;
    }
  }
  if (ip6.chainNeed > 0 && ip6.chainCutType === IPV6_ROUTING) {
    text += routingText(CHAIN_ROUTING.bind(ip6.dataView, ip6.chainStop, ip6.end), verbosity);
  }
  return { text, endsLine: false };
}

/** Whether the chain has words of its own to print: headers walked, or a routing header cut. */
export function ipv6ChainShown(ip6: Ipv6Header): boolean {
  return ip6.extensionCount > 0 || (ip6.chainNeed > 0 && ip6.chainCutType === IPV6_ROUTING);
}

/** tcpdump's words for an IPv6 packet whose length runs past the frame (no space after). */
export function ipv6MissingText(missing: number): string {
  return `truncated-ip6 - ${missing} bytes missing!`;
}

const OPTION_PAD1 = 0;
const OPTION_PADN = 1;
const OPTION_ROUTER_ALERT = 5;
const JUMBO_MIN = 65536;
/** The Router Alert option's data (RFC 2711) and the Jumbo Payload option's (RFC 2675). */
const ROUTER_ALERT_DATA = 2;
const JUMBO_DATA = 4;
/** An option's type and length bytes. */
const OPTION_HEAD = 2;

/** `optionsText` for extension header `index` of the chain (hop-by-hop or destination). */
function chainOptionsText(
  ip6: Ipv6Header,
  index: number,
  verbose: boolean,
): { text: string; invalid: boolean } {
  const start = ip6.extensionOffsets[index];
  const end = Math.min(ip6.end, start + ip6.extensionLengths[index]);
  return optionsText(ip6, start, end, ip6.extensionTypes[index] === IPV6_HOP_BY_HOP, verbose);
}

/**
 * tcpdump's words for a payload length of 0 before a hop-by-hop header without a Jumbo
 * Payload option (`ipv6.jumboMissing`), which end the line: `HBH [No valid Jumbo Payload
 * Hop-by-Hop option found] (invalid)`, the options before it with `-v`.
 */
export function jumboMissingText(ip6: Ipv6Header, verbosity: number): string {
  const start = ip6.offset + IPV6_HEADER_LENGTH;
  if (ip6.end - start < OPTION_HEAD) return "HBH";
  const end = Math.min(ip6.end, start + (ip6.dataView.getUint8(start + 1) + 1) * 8);
  const options = optionsText(ip6, start, end, true, verbosity > 0);
  if (options.invalid) return `HBH ${options.text} [|hbhopt]`;
  return `HBH ${options.text}[No valid Jumbo Payload Hop-by-Hop option found] (invalid)`;
}

/**
 * The words for the options of the hop-by-hop or destination header between `start` and
 * `end`, as print-ip6opts.c writes them: with `verbose`, `(pad1)`, `(padn)`, `(rtalert: 0x0000) `,
 * `(jumbo: 80040) `, `(opt_type 0x1e: len=2)`, then a space. `invalid` when tcpdump stops
 * there: an option running past the header, or a router alert or jumbo option of the wrong
 * length, whose words (`(rtalert: invalid len 3)`) it prints with or without `-v`; the text then
 * ends where tcpdump's does, before its `[|hbhopt]`.
 */
function optionsText(
  ip6: Ipv6Header,
  start: number,
  end: number,
  hopByHop: boolean,
  verbose: boolean,
): { text: string; invalid: boolean } {
  const view = ip6.dataView;
  let jumboSeen = false;
  let text = "";
  const stop = (words: string) => ({ text: text + words, invalid: true });
  for (const option of ipv6Options(view, start + OPTION_HEAD, end)) {
    if (option.length < 0 || option.offset + option.length > end) return stop("");
    const left = end - (option.offset - OPTION_HEAD);
    switch (option.type) {
      case OPTION_PAD1:
        if (verbose) text += "(pad1)";
        break;
      case OPTION_PADN:
        if (verbose) text += "(padn)";
        break;
      case OPTION_ROUTER_ALERT:
        if (left < OPTION_HEAD + ROUTER_ALERT_DATA) return stop("(rtalert: trunc)");
        if (option.length !== ROUTER_ALERT_DATA) {
          return stop(`(rtalert: invalid len ${option.length})`);
        }
        if (verbose) {
          text += `(rtalert: 0x${view.getUint16(option.offset).toString(16).padStart(4, "0")}) `;
        }
        break;
      case IPV6_OPTION_JUMBO: {
        if (left < OPTION_HEAD + JUMBO_DATA) return stop("(jumbo: trunc)");
        if (option.length !== JUMBO_DATA) return stop(`(jumbo: invalid len ${option.length})`);
        const length = view.getUint32(option.offset);
        const why = jumboSeen
          ? " - already seen"
          : !hopByHop
          ? " - not a hop-by-hop option"
          : ip6.payloadLength !== 0
          ? " - payload len != 0"
          : length < JUMBO_MIN
          ? " - < 65536"
          : "";
        jumboSeen = true;
        if (verbose) text += `(jumbo: ${length}${why}) `;
        break;
      }
      default:
        if (verbose) {
          text += `(opt_type 0x${option.type.toString(16).padStart(2, "0")}: len=${option.length})`;
        }
    }
  }
  return { text: verbose ? text + " " : text, invalid: false };
}

/** `{"type":N,"name":"…","length":` of each extension header type. */
const EXTENSION_JSON = new PieceTable(
  256,
  (type) => `{"type":${type},"name":${JSON.stringify(ipv6ExtensionName(type))},"length":`,
);

const FRAGMENT_MORE = keyedBool("mf", ',"id":');

/** The header's JSON object as `JSON.stringify` writes its `toJSON` (its key written before). */
export function writeIpv6Json(out: ByteWriter, ip: Ipv6Header): void {
  out.field(JSON_PIECE.openVersion, ip.version);
  out.field(JSON_PIECE.trafficClass, ip.trafficClass);
  out.field(JSON_PIECE.flowLabel, ip.flowLabel);
  out.field(JSON_PIECE.payloadLength, ip.payloadLength);
  out.field(JSON_PIECE.nextHeader, ip.nextHeader);
  out.field(JSON_PIECE.hopLimit, ip.hopLimit);
  out.piece(JSON_PIECE.src);
  out.ipv6(ip.dataView, ip.srcAt);
  out.piece(JSON_PIECE.thenDst);
  out.ipv6(ip.dataView, ip.dstAt);
  out.piece(JSON_PIECE.thenExtensions);
  const count = ip.extensionCount;
  if (count === 0) out.piece(JSON_PIECE.emptyList);
  for (let i = 0; i < count; i++) {
    out.byte(i === 0 ? 0x5b : 0x2c);
    const type = ip.extensionTypes[i];
    out.field(EXTENSION_JSON.get(type), ip.extensionLengths[i]);
    if (type === IPV6_ROUTING) {
      // Rare: written through its object.
      out.text(`,"routing":${JSON.stringify(ip.routingHeader(i))}`);
    }
    out.byte(0x7d);
    if (i === count - 1) out.byte(0x5d);
  }
  if (ip.fragmentHeaderOffset >= 0) {
    out.field(JSON_PIECE.fragmentOffset, ip.fragmentOffset);
    keyed(out, FRAGMENT_MORE, ip.fragmentMore);
    out.uint(ip.fragmentId);
    out.byte(0x7d);
  }
  out.field(JSON_PIECE.protocol, ip.protocol);
  out.byte(0x7d);
}
