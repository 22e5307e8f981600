/**
 * IPv6 fixed header (RFC 8200 section 3); addresses are written per RFC 5952.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Ipv6Header, IPV6_HEADER_LENGTH } from "./mod.ts";
 * const bytes = new Uint8Array(IPV6_HEADER_LENGTH);
 * bytes.set([0x60, 0, 0, 0, 0, 8, 17, 64]);
 * bytes[23] = 1; // source ::1
 * bytes[39] = 1; // destination ::1
 * const ip6 = new Ipv6Header().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual([ip6.src, ip6.nextHeader, ip6.hopLimit], ["::1", 17, 64]);
 * ```
 * @module
 */

import { formatIpv6 } from "./address.ts";
import { HeaderView } from "./header.ts";
import type { FieldPlaces, FieldTable, FieldValue } from "./field.ts";
import {
  Ipv6RoutingHeader,
  type Ipv6RoutingJson,
  ROUTING_CAPTURED_THROUGH as THROUGH,
  ROUTING_TYPE_MOBILE,
  ROUTING_TYPE_SOURCE,
} from "./ipv6_routing.ts";

/** The fixed header: 40 bytes. */
export const IPV6_HEADER_LENGTH = 40;

// Where each field of the fixed header lies (RFC 8200 section 3), in bytes from its start.
/** Version (4 bits), traffic class (8) and flow label (20). */
const FIELD_VERSION_CLASS_LABEL = 0;
const FIELD_PAYLOAD_LENGTH = 4;
const FIELD_NEXT_HEADER = 6;
const FIELD_HOP_LIMIT = 7;
const FIELD_SOURCE = 8;
const FIELD_DESTINATION = 24;

// Where the fields of an extension header lie (RFC 8200 section 4): every one starts with the
// next header and, but for the fragment header, a length; the fragment header (section 4.5) has
// its offset and M flag, then the identification.
const EXTENSION_NEXT_HEADER = 0;
const EXTENSION_LENGTH = 1;
const EXTENSION_FRAGMENT_OFFSET_FLAGS = 2;
const EXTENSION_FRAGMENT_ID = 4;
/** The fragment header's fixed length. */
const EXTENSION_FRAGMENT_LENGTH = 8;
/** Enough of any other extension header to read its length. */
const EXTENSION_LENGTH_NEEDED = 2;

/** The fragment offset field (in bytes: the 13-bit count of 8-byte units, shifted). */
const FRAGMENT_OFFSET_MASK = 0xfff8;
/** The fragment header's M flag: more fragments follow. */
const FRAGMENT_MORE = 1;

/** The chain walk reached the upper-layer header, ESP, or the data of a later fragment. */
export const IPV6_CHAIN_COMPLETE = 0;
/** The chain walk stopped at `MAX_IPV6_EXTENSIONS` headers: the packet is malformed. */
export const IPV6_CHAIN_TOO_LONG = 1;
/** An extension header was cut short: `chainStop` and `chainNeed` say where and how long. */
export const IPV6_CHAIN_TRUNCATED = 2;

/** The JSON form of an IPv6 fixed header (docs/json.md). */
export interface Ipv6Json {
  /** IP version. */
  version: number;
  /** Traffic class. */
  trafficClass: number;
  /** Flow label. */
  flowLabel: number;
  /** Bytes of payload. */
  payloadLength: number;
  /** Next header of the fixed header. */
  nextHeader: number;
  /** Hop limit. */
  hopLimit: number;
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** Extension headers in order. */
  extensions: Ipv6Extension[];
  /** Fragment header fields, if any. */
  fragment?: Ipv6Fragment | null;
  /** Protocol of the payload. */
  protocol: number;
}

/** Hop-by-hop options header. */
export const IPV6_HOP_BY_HOP = 0;
/** Routing header. */
export const IPV6_ROUTING = 43;
/** Fragment header. */
export const IPV6_FRAGMENT = 44;
/** Encapsulating security payload (encrypted: nothing after it can be read). */
export const IPV6_ESP = 50;
/** Authentication header. */
export const IPV6_AH = 51;
/** Destination options header. */
export const IPV6_DESTINATION = 60;
/** The most extension headers one packet may chain before netpeek calls it malformed. */
export const MAX_IPV6_EXTENSIONS = 8;

const EXTENSION_NAMES: Record<number, string> = {
  [IPV6_HOP_BY_HOP]: "hop-by-hop",
  [IPV6_ROUTING]: "routing",
  [IPV6_FRAGMENT]: "fragment",
  [IPV6_ESP]: "esp",
  [IPV6_AH]: "ah",
  [IPV6_DESTINATION]: "destination",
  135: "mobility",
  139: "hip",
  140: "shim6",
};

/**
 * Whether a next-header value names an extension header (RFC 8200 section 4, and the
 * IANA list), rather than an upper-layer protocol.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isIpv6Extension } from "./mod.ts";
 * assert.deepEqual([isIpv6Extension(44), isIpv6Extension(17)], [true, false]);
 * ```
 */
export function isIpv6Extension(nextHeader: number): boolean {
  return nextHeader in EXTENSION_NAMES;
}

/**
 * The name JSON gives an extension header: `hop-by-hop`, `routing`, `fragment`, … or
 * `unknown`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ipv6ExtensionName } from "./mod.ts";
 * assert.deepEqual([ipv6ExtensionName(44), ipv6ExtensionName(17)], ["fragment", "unknown"]);
 * ```
 */
export function ipv6ExtensionName(type: number): string {
  return EXTENSION_NAMES[type] ?? "unknown";
}

/** One extension header, as JSON shows it. */
export interface Ipv6Extension {
  /** The next-header value that announced it. */
  type: number;
  /** `hop-by-hop`, `routing`, `fragment`, `destination`, `ah`, `esp`, … */
  name: string;
  /** Its length in bytes. */
  length: number;
  /** A routing header's own fields. */
  routing?: Ipv6RoutingJson;
}

/** The fragment header's fields (RFC 8200 section 4.5). */
export interface Ipv6Fragment {
  /** Offset of this fragment's data in the original payload, in bytes. */
  offset: number;
  /** More fragments follow. */
  mf: boolean;
  /** Identification. */
  id: number;
}

/** ESP's security parameter index and sequence number (RFC 4303 section 2): 8 bytes. */
const ESP_SPI_SEQUENCE_LENGTH = 8;

/** A view of one IPv6 fixed header and its extension header chain. */
export class Ipv6Header extends HeaderView {
  /**
   * How many bytes the payload length says past the frame's end on the wire (tcpdump's
   * `truncated-ip6 - N bytes missing!`); 0 when it fits. Set by `endAtPayloadLength`.
   */
  missingBytes = 0;

  /** Points the view at a header, its length not yet read (`endAtPayloadLength`). */
  override bind(view: DataView, offset: number, end: number): this {
    this.missingBytes = 0;
    return super.bind(view, offset, end);
  }

  /** How many extension headers the decoder walked. */
  extensionCount = 0;
  /** Their types, offsets and lengths (the first `extensionCount` entries). */
  readonly extensionTypes: Uint8Array = new Uint8Array(MAX_IPV6_EXTENSIONS);
  /** Absolute offsets of the extension headers (the first extensionCount). */
  readonly extensionOffsets: Uint32Array = new Uint32Array(MAX_IPV6_EXTENSIONS);
  /** Lengths of the extension headers (the first extensionCount). */
  readonly extensionLengths: Uint16Array = new Uint16Array(MAX_IPV6_EXTENSIONS);
  /** The protocol after the extension headers (the last next-header value). */
  protocol = 0;
  /** Absolute offset of the fragment header, or -1 when there is none. */
  fragmentHeaderOffset: number = -1;
  /** Absolute offset where the chain walk stopped: the upper-layer header's, when complete. */
  chainStop = 0;
  /** With `IPV6_CHAIN_TRUNCATED`: the bytes the cut header needed at `chainStop`. */
  chainNeed = 0;
  /** With `IPV6_CHAIN_TRUNCATED`: the type of the header cut short at `chainStop`. */
  chainCutType = 0;
  /** Absolute offset of the first routing header, or -1 when there is none. */
  routingHeaderOffset: number = -1;

  /** Starts a new chain (called by the decoder when it binds the header). */
  resetChain(): void {
    this.extensionCount = 0;
    this.chainNeed = 0;
    this.fragmentHeaderOffset = -1;
    this.routingHeaderOffset = -1;
    this.protocol = this.nextHeader;
    this.jumboLength = this.#findJumbo();
  }

  /**
   * The Jumbo Payload option's length (RFC 2675), or 0: only in a hop-by-hop header right after
   * a header whose payload length is 0, and only from 65536 on (a smaller one is invalid), as
   * tcpdump and tshark take it. BIG TCP sends such packets.
   */
  jumboLength = 0;

  #findJumbo(): number {
    if (this.payloadLength !== 0 || this.nextHeader !== IPV6_HOP_BY_HOP) return 0;
    const start = this.offset + IPV6_HEADER_LENGTH;
    if (start + EXTENSION_LENGTH_NEEDED > this.end) return 0;
    const end = Math.min(this.end, start + (this.view.getUint8(start + EXTENSION_LENGTH) + 1) * 8);
    for (const option of ipv6Options(this.view, start + EXTENSION_LENGTH_NEEDED, end)) {
      if (option.type === IPV6_OPTION_JUMBO && option.length === JUMBO_DATA_LENGTH) {
        const length = this.view.getUint32(option.offset);
        return length >= JUMBO_MIN_LENGTH ? length : 0;
      }
    }
    return 0;
  }

  /**
   * Whether the payload length is 0 before a hop-by-hop header that holds no valid Jumbo
   * Payload option (RFC 2675 section 2: then nothing says how long the packet is).
   */
  get jumboMissing(): boolean {
    return this.payloadLength === 0 && this.nextHeader === IPV6_HOP_BY_HOP &&
      this.jumboLength === 0;
  }

  /** The length of everything after the fixed header: the payload length, or the jumbo one. */
  get dataLength(): number {
    return this.jumboLength !== 0 ? this.jumboLength : this.payloadLength;
  }

  /**
   * What makes the header unusable, or `undefined`: RFC 8200 wants version 6. `at` is the
   * header's offset in its frame, for the message.
   */
  headerProblem(at: number): string | undefined {
    const version = this.version;
    return version === 6 ? undefined : `version field is ${version}, not 6, at offset ${at}`;
  }

  /**
   * Ends the layer at the payload length, and returns what is wrong with that length (more
   * than the frame had on the wire, whose end is `wireEnd`), or `undefined`.
   */
  endAtPayloadLength(wireEnd: number): string | undefined {
    const payloadStart = this.offset + IPV6_HEADER_LENGTH;
    const payloadLength = this.dataLength;
    this.end = Math.min(this.end, payloadStart + payloadLength);
    if (payloadStart + payloadLength <= wireEnd) return undefined;
    this.missingBytes = payloadStart + payloadLength - wireEnd;
    return `payload length ${payloadLength} exceeds the ${
      wireEnd - payloadStart
    } bytes left in the frame`;
  }

  /**
   * Walks the extension header chain (RFC 8200 section 4) up to the upper-layer header,
   * recording each header's type, offset and length; `protocol` and `chainStop` then name
   * the upper layer and where it starts. The walk stops at ESP (encrypted from there on), at
   * the fragment header of a later fragment (the upper-layer header is in the first), and
   * after `MAX_IPV6_EXTENSIONS` headers. Returns `IPV6_CHAIN_COMPLETE`, `…_TOO_LONG` or
   * `…_TRUNCATED`.
   */
  walkChain(): number {
    const view = this.view;
    const end = this.end;
    let next = this.nextHeader;
    let at = this.offset + IPV6_HEADER_LENGTH;
    let status = IPV6_CHAIN_COMPLETE;
    while (isIpv6Extension(next)) {
      if (this.extensionCount === MAX_IPV6_EXTENSIONS) {
        status = IPV6_CHAIN_TOO_LONG;
        break;
      }
      if (next === IPV6_ESP) {
        this.#record(next, at, end - at);
        break;
      }
      const fixed = next === IPV6_FRAGMENT ? EXTENSION_FRAGMENT_LENGTH : EXTENSION_LENGTH_NEEDED;
      if (end - at < fixed) return this.#cut(next, at, fixed);
      // AH counts its length in 4-byte words less two (RFC 4302), the others in 8-byte words
      // less one.
      const length = next === IPV6_FRAGMENT
        ? EXTENSION_FRAGMENT_LENGTH
        : next === IPV6_AH
        ? (view.getUint8(at + EXTENSION_LENGTH) + 2) * 4
        : (view.getUint8(at + EXTENSION_LENGTH) + 1) * 8;
      if (end - at < length) return this.#cut(next, at, length);
      this.#record(next, at, length);
      next = view.getUint8(at + EXTENSION_NEXT_HEADER);
      at += length;
      if (this.laterFragment) break;
    }
    this.protocol = next;
    this.chainStop = at;
    return status;
  }

  #record(type: number, at: number, length: number): void {
    const index = this.extensionCount++;
    this.extensionTypes[index] = type;
    this.extensionOffsets[index] = at;
    this.extensionLengths[index] = length;
    if (type === IPV6_FRAGMENT) this.fragmentHeaderOffset = at;
    else if (type === IPV6_ROUTING && this.routingHeaderOffset < 0) this.routingHeaderOffset = at;
  }

  #cut(type: number, at: number, need: number): number {
    this.chainCutType = type;
    this.chainStop = at;
    this.chainNeed = need;
    return IPV6_CHAIN_TRUNCATED;
  }

  /** Whether the packet is a fragment other than the first (its data holds no header). */
  get laterFragment(): boolean {
    return this.fragmentHeaderOffset >= 0 && this.fragmentOffset !== 0;
  }

  /** Bytes after extension header `index` (of the first `extensionCount`), by the payload length. */
  bytesAfterExtension(index: number): number {
    const end = this.extensionOffsets[index] + this.extensionLengths[index];
    return this.dataLength - (end - this.offset - IPV6_HEADER_LENGTH);
  }

  /** Bytes after the extension headers, by the payload length. */
  get upperLayerLength(): number {
    return this.dataLength - (this.chainStop - this.offset - IPV6_HEADER_LENGTH);
  }

  /** The extension headers in order (allocates). */
  get extensions(): Ipv6Extension[] {
    return Array.from({ length: this.extensionCount }, (_, i) => {
      const type = this.extensionTypes[i];
      const extension: Ipv6Extension = {
        type,
        name: ipv6ExtensionName(type),
        length: this.extensionLengths[i],
      };
      if (type === IPV6_ROUTING) extension.routing = this.routingHeader(i).toJSON();
      return extension;
    });
  }

  /** A new view of extension header `index`, which is a routing header. */
  routingHeader(index: number): Ipv6RoutingHeader {
    return new Ipv6RoutingHeader().bind(this.view, this.extensionOffsets[index], this.end);
  }

  /** The fragment header's fields, or `null` when the packet is not a fragment. */
  get fragment(): Ipv6Fragment | null {
    if (this.fragmentHeaderOffset < 0) return null;
    return { offset: this.fragmentOffset, mf: this.fragmentMore, id: this.fragmentId };
  }

  /** The fragment header's offset field, in bytes; only when there is one. */
  get fragmentOffset(): number {
    return this.view.getUint16(this.fragmentHeaderOffset + EXTENSION_FRAGMENT_OFFSET_FLAGS) &
      FRAGMENT_OFFSET_MASK;
  }

  /** The fragment header's M flag (more fragments follow); only when there is one. */
  get fragmentMore(): boolean {
    const flags = this.view.getUint16(this.fragmentHeaderOffset + EXTENSION_FRAGMENT_OFFSET_FLAGS);
    return (flags & FRAGMENT_MORE) !== 0;
  }

  /** The fragment header's identification; only when there is one. */
  get fragmentId(): number {
    return this.view.getUint32(this.fragmentHeaderOffset + EXTENSION_FRAGMENT_ID);
  }

  /** The version nibble; 6 for a well-formed header. */
  get version(): number {
    return this.view.getUint8(this.offset + FIELD_VERSION_CLASS_LABEL) >>> 4;
  }

  /** Traffic class (DSCP and ECN, as IPv4's TOS byte). */
  get trafficClass(): number {
    return (this.view.getUint16(this.offset + FIELD_VERSION_CLASS_LABEL) >>> 4) & 0xff;
  }

  /** Flow label, 20 bits. */
  get flowLabel(): number {
    return this.view.getUint32(this.offset + FIELD_VERSION_CLASS_LABEL) & 0x000fffff;
  }

  /** Length of everything after the fixed header, extension headers included. */
  get payloadLength(): number {
    return this.view.getUint16(this.offset + FIELD_PAYLOAD_LENGTH);
  }

  /** The type of the header that follows. */
  get nextHeader(): number {
    return this.view.getUint8(this.offset + FIELD_NEXT_HEADER);
  }

  /** Hop limit. */
  get hopLimit(): number {
    return this.view.getUint8(this.offset + FIELD_HOP_LIMIT);
  }

  /** Absolute offset of the source address's 16 bytes (for writers that print from bytes). */
  get srcAt(): number {
    return this.offset + FIELD_SOURCE;
  }

  /** Absolute offset of the destination address's 16 bytes. */
  get dstAt(): number {
    return this.offset + FIELD_DESTINATION;
  }

  /** Source address, RFC 5952 text. */
  get src(): string {
    return formatIpv6(this.view, this.srcAt);
  }

  /** Destination address, RFC 5952 text. */
  get dst(): string {
    return formatIpv6(this.view, this.dstAt);
  }

  /**
   * Copies the source (or destination) address into `into` at `at` as four 32-bit words,
   * most significant first: a key for tables, without text.
   */
  copyAddress(source: boolean, into: Uint32Array, at: number): void {
    const view = this.view;
    const from = source ? this.srcAt : this.dstAt;
    into[at] = view.getUint32(from);
    into[at + 1] = view.getUint32(from + 4);
    into[at + 2] = view.getUint32(from + 8);
    into[at + 3] = view.getUint32(from + 12);
  }

  /**
   * When ESP follows: its security parameter index and sequence number (0 when not captured),
   * its length by the IPv6 length, and the bytes of it captured; else `null`.
   */
  get esp(): { spi: number; sequence: number; length: number; captured: number } | null {
    const last = this.extensionCount - 1;
    if (last < 0 || this.extensionTypes[last] !== IPV6_ESP) return null;
    const at = this.extensionOffsets[last];
    const captured = Math.max(0, this.end - at);
    const whole = captured >= ESP_SPI_SEQUENCE_LENGTH;
    return {
      spi: whole ? this.view.getUint32(at) : 0,
      sequence: whole ? this.view.getUint32(at + 4) : 0,
      length: Math.max(0, this.offset + IPV6_HEADER_LENGTH + this.dataLength - at),
      captured,
    };
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): Ipv6Json {
    return {
      version: this.version,
      trafficClass: this.trafficClass,
      flowLabel: this.flowLabel,
      payloadLength: this.payloadLength,
      nextHeader: this.nextHeader,
      hopLimit: this.hopLimit,
      src: this.src,
      dst: this.dst,
      extensions: this.extensions,
      ...(this.fragmentHeaderOffset >= 0 ? { fragment: this.fragment } : {}),
      protocol: this.protocol,
    };
  }
}

/** tshark 4.0 shows the fragment offset field as sent, in 8-byte units. */
const FRAGMENT_UNIT = 8;

/** IPv6's fields under tshark's names (tshark gives IPv6 packets `ip.version` too). */
export const IPV6_FIELDS: FieldTable<Ipv6Header> = {
  "ip.version": (ip) => ip.version,
  "ipv6.tclass": (ip) => ip.trafficClass,
  "ipv6.flow": (ip) => ip.flowLabel,
  "ipv6.plen": (ip) => ip.payloadLength,
  "ipv6.opt.jumbo": (ip) => ip.jumboLength !== 0 ? ip.jumboLength : undefined,
  "ipv6.nxt": (ip) => ip.nextHeader,
  "ipv6.hlim": (ip) => ip.hopLimit,
  "ipv6.src": (ip) => ip.src,
  "ipv6.dst": (ip) => ip.dst,
  "ipv6.fraghdr.offset": (ip) =>
    ip.fragmentHeaderOffset >= 0 ? ip.fragmentOffset / FRAGMENT_UNIT : undefined,
  "ipv6.fraghdr.more": (ip) => ip.fragmentHeaderOffset >= 0 ? (ip.fragmentMore ? 1 : 0) : undefined,
  "ipv6.fraghdr.ident": (ip) => ip.fragmentHeaderOffset >= 0 ? ip.fragmentId : undefined,
  "ipv6.routing.nxt": (ip) => routingField(ip, THROUGH.nextHeader, (r) => r.nextHeader),
  "ipv6.routing.len": (ip) => routingField(ip, THROUGH.length, (r) => r.lengthUnits),
  "ipv6.routing.type": (ip) => routingField(ip, THROUGH.type, (r) => r.routingType),
  "ipv6.routing.segleft": (ip) => routingField(ip, THROUGH.segmentsLeft, (r) => r.segmentsLeft),
  "ipv6.routing.src.addr": (ip) =>
    routingField(ip, 0, (r) => r.routingType === ROUTING_TYPE_SOURCE ? r.addresses : undefined),
  "ipv6.routing.mipv6.home_address": (ip) =>
    routingField(ip, 0, (r) => r.routingType === ROUTING_TYPE_MOBILE ? r.addresses : undefined),
  "ipv6.routing.srh.last_entry": (ip) =>
    routingField(ip, THROUGH.lastEntry, (r) => r.isSegmentRouting ? r.lastEntry : undefined),
  "ipv6.routing.srh.flags": (ip) =>
    routingField(ip, THROUGH.flags, (r) => r.isSegmentRouting ? r.flags : undefined),
  "ipv6.routing.srh.addr": (ip) =>
    routingField(ip, 0, (r) => r.isSegmentRouting ? r.segments : undefined),
};

/**
 * A field of the packet's routing headers (those walked, and one the capture cut short, of
 * which `captured` bytes must be there): one value each, in order; `undefined` when none.
 */
function routingField(
  ip: Ipv6Header,
  captured: number,
  read: (routing: Ipv6RoutingHeader) => number | string[] | undefined,
): FieldValue {
  const values: (number | string)[] = [];
  const take = (offset: number) => {
    const routing = FIELD_ROUTING.bind(ip.dataView, offset, ip.end);
    if (routing.capturedLength < captured) return;
    const value = read(routing);
    if (Array.isArray(value)) values.push(...value);
    else if (value !== undefined) values.push(value);
  };
  if (ip.routingHeaderOffset >= 0) {
    for (let i = 0; i < ip.extensionCount; i++) {
      if (ip.extensionTypes[i] === IPV6_ROUTING) take(ip.extensionOffsets[i]);
    }
  }
  if (ip.chainNeed > 0 && ip.chainCutType === IPV6_ROUTING) take(ip.chainStop);
  return values.length === 0 ? undefined : values;
}

/** The view the routing fields read through. */
const FIELD_ROUTING = new Ipv6RoutingHeader();

/**
 * The JSON object's keys in their order: `toJSON`, the fast JSON writer and docs/json.md follow
 * this one declaration (tests/json_keys_test.ts holds all three to it). A key may be absent
 * from an object, never out of order.
 */
export const IPV6_JSON_KEYS: readonly string[] = [
  "version",
  "trafficClass",
  "flowLabel",
  "payloadLength",
  "nextHeader",
  "hopLimit",
  "src",
  "dst",
  "extensions",
  "fragment",
  "protocol",
] as const satisfies readonly (keyof Ipv6Json)[];

/** The Jumbo Payload option's type (RFC 2675). */
export const IPV6_OPTION_JUMBO = 0xc2;
/** Its data: a 32-bit length. */
const JUMBO_DATA_LENGTH = 4;
/** A jumbo length below this is invalid (RFC 2675 section 2). */
const JUMBO_MIN_LENGTH = 65536;
/** Options read from one extension header at most (a 2048-byte header holds 2046 Pad1s). */
export const MAX_IPV6_OPTIONS = 64;

/** One option of a hop-by-hop or destination options header (RFC 8200 section 4.2). */
export interface Ipv6Option {
  /** The option's type (0 Pad1, 1 PadN, 5 Router Alert, 0xc2 Jumbo Payload, …). */
  type: number;
  /** Its data's length (0 for Pad1). */
  length: number;
  /** Where its data starts. */
  offset: number;
}

/**
 * The options between `start` and `end` (an extension header's after its first two bytes), as
 * far as they fit, at most `MAX_IPV6_OPTIONS`. The last may claim more than is left: its
 * `offset + length` then passes `end`.
 */
export function ipv6Options(view: DataView, start: number, end: number): Ipv6Option[] {
  const options: Ipv6Option[] = [];
  let at = start;
  while (at < end && options.length < MAX_IPV6_OPTIONS) {
    const type = view.getUint8(at);
    if (type === 0) {
      options.push({ type, length: 0, offset: at + 1 });
      at += 1;
      continue;
    }
    if (at + 2 > end) {
      options.push({ type, length: -1, offset: at + 1 });
      break;
    }
    const length = view.getUint8(at + 1);
    options.push({ type, length, offset: at + 2 });
    at += 2 + length;
  }
  return options;
}

/** Where each JSON key's bytes lie in the fixed header (RFC 8200 section 3). */
export const IPV6_FIELD_PLACES: FieldPlaces<Ipv6Header> = {
  version: [FIELD_VERSION_CLASS_LABEL, 1],
  trafficClass: [FIELD_VERSION_CLASS_LABEL, 2],
  flowLabel: [FIELD_VERSION_CLASS_LABEL + 1, 3],
  payloadLength: [FIELD_PAYLOAD_LENGTH, 2],
  nextHeader: [FIELD_NEXT_HEADER, 1],
  hopLimit: [FIELD_HOP_LIMIT, 1],
  src: [FIELD_SOURCE, 16],
  dst: [FIELD_DESTINATION, 16],
};
