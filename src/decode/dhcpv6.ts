/**
 * A DHCPv6 message (RFC 8415 section 8): its type and transaction ID, or a relay message's
 * hop count (section 9). UDP ports 546 and 547.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Dhcpv6Message } from "./mod.ts";
 * const bytes = new Uint8Array([1, 0xaa, 0x56, 0xce]);
 * const dhcp = new Dhcpv6Message().bind(new DataView(bytes.buffer), 0, 4);
 * assert.deepEqual([dhcp.typeName, dhcp.transactionId], ["solicit", 0xaa56ce]);
 * ```
 * @module
 */

import { formatHex, formatIpv6, formatMac } from "./address.ts";
import { DnsMessage, MAX_NAME_TEXT_LENGTH } from "./dns.ts";
import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** The client's port. */
export const DHCPV6_CLIENT_PORT = 546;
/** The server's and relay's port. */
export const DHCPV6_SERVER_PORT = 547;

const FIELD_TYPE = 0;
/** A client or server message: type, then a 24-bit transaction ID (the word less its top byte). */

/** A relay message: type, then the hop count. */
const FIELD_HOP_COUNT = 1;
const RELAY_FORWARD = 12;
const RELAY_REPLY = 13;
/** A client or server message's header: type and transaction ID. */
const MESSAGE_HEADER_LENGTH = 4;
/** A relay message's header: type, hop count, link address and peer address. */
export const DHCPV6_RELAY_HEADER_LENGTH = 34;
const FIELD_LINK_ADDRESS = 2;
const FIELD_PEER_ADDRESS = 18;
/** An option's code and length (RFC 8415 section 21.1). */
const OPTION_HEADER_LENGTH = 4;
const IPV6_ADDRESS_LENGTH = 16;
/** The most options read from one datagram, at every level together. */
export const DHCPV6_MAX_OPTIONS = 1024;
/** How deep relay messages and options inside options may nest before reading stops. */
export const DHCPV6_MAX_NESTING = 8;

/** Option codes (RFC 8415 section 21 unless noted). */
export const DHCPV6_OPTION = {
  clientId: 1,
  serverId: 2,
  iaNa: 3,
  iaTa: 4,
  iaAddress: 5,
  optionRequest: 6,
  preference: 7,
  elapsedTime: 8,
  relayMessage: 9,
  authentication: 11,
  serverUnicast: 12,
  statusCode: 13,
  rapidCommit: 14,
  userClass: 15,
  vendorClass: 16,
  vendorOptions: 17,
  interfaceId: 18,
  reconfigureMessage: 19,
  reconfigureAccept: 20,
  sipServersDomain: 21, // RFC 3319
  sipServersAddress: 22, // RFC 3319
  dnsServers: 23, // RFC 3646
  domainList: 24, // RFC 3646
  iaPd: 25,
  iaPrefix: 26,
  nisServers: 27, // RFC 3898
  nispServers: 28,
  nisDomain: 29,
  nispDomain: 30,
  sntpServers: 31, // RFC 4075
  informationRefreshTime: 32,
  bcmcsDomain: 33, // RFC 4280
  bcmcsServers: 34,
  geoconfCivic: 36,
  remoteId: 37, // RFC 4649
  subscriberId: 38, // RFC 4580
  clientFqdn: 39, // RFC 4704
  panaAgent: 40,
  posixTimezone: 41, // RFC 4833
  tzdbTimezone: 42,
  echoRequest: 43, // RFC 4994
  leaseQuery: 44, // RFC 5007
  clientData: 45,
  clientTime: 46,
  relayData: 47,
  clientLink: 48,
  ntpServer: 56, // RFC 5908
  aftrName: 64, // RFC 6334
  mudUrl: 112, // RFC 8520
} as const;

/** Options' names as tcpdump 4.99 writes them (`dh6opt_str`); others are `opt_N`. */
const OPTION_NAMES: Readonly<Record<number, string>> = {
  1: "client-ID",
  2: "server-ID",
  3: "IA_NA",
  4: "IA_TA",
  5: "IA_ADDR",
  6: "option-request",
  7: "preference",
  8: "elapsed-time",
  9: "relay-message",
  11: "authentication",
  12: "server-unicast",
  13: "status-code",
  14: "rapid-commit",
  15: "user-class",
  16: "vendor-class",
  17: "vendor-specific-info",
  18: "interface-ID",
  19: "reconfigure-message",
  20: "reconfigure-accept",
  21: "SIP-servers-domain",
  22: "SIP-servers-address",
  23: "DNS-server",
  24: "DNS-search-list",
  25: "IA_PD",
  26: "IA_PD-prefix",
  27: "NIS-server",
  28: "NIS+-server",
  29: "NIS-domain-name",
  30: "NIS+-domain-name",
  31: "SNTP-servers",
  32: "lifetime",
  33: "BCMCS-domain-name",
  34: "BCMCS-server",
  36: "Geoconf-Civic",
  37: "Remote-ID",
  38: "Subscriber-ID",
  39: "Client-FQDN",
  40: "PANA-agent",
  41: "POSIX-timezone",
  42: "POSIX-tz-database",
  43: "Echo-request-option",
  44: "Lease-query",
  45: "LQ-client-data",
  46: "Clt-time",
  47: "LQ-relay-data",
  48: "LQ-client-link",
  56: "NTP-server",
  64: "AFTR-Name",
  112: "MUD-URL",
};

/** An option's name as tcpdump writes it: `client-ID`, `IA_NA`, … or `opt_N`. */
export function dhcpv6OptionName(code: number): string {
  return OPTION_NAMES[code] ?? `opt_${code}`;
}

/** Status codes' names (RFC 8415 section 21.13, RFC 3633, RFC 5007), as tcpdump writes them. */
const STATUS_NAMES: readonly string[] = [
  "Success",
  "UnspecFail",
  "NoAddrsAvail",
  "NoBinding",
  "NotOnLink",
  "UseMulticast",
  "NoPrefixAvail",
  "UnknownQueryType",
  "MalformedQuery",
  "NotConfigured",
  "NotAllowed",
];

/** A status code's name as tcpdump writes it: `Success`, …, `code11`, `INVALID code`. */
export function dhcpv6StatusName(code: number): string {
  if (code > 255) return "INVALID code";
  return STATUS_NAMES[code] ?? `code${code}`;
}

/** The options that hold IPv6 addresses and nothing else (servers, agents, client links). */
export const DHCPV6_ADDRESS_LIST_OPTIONS: ReadonlySet<number> = new Set([
  DHCPV6_OPTION.sipServersAddress,
  DHCPV6_OPTION.dnsServers,
  DHCPV6_OPTION.sntpServers,
  DHCPV6_OPTION.nisServers,
  DHCPV6_OPTION.nispServers,
  DHCPV6_OPTION.bcmcsServers,
  DHCPV6_OPTION.panaAgent,
  DHCPV6_OPTION.clientLink,
]);

/** The options that hold a list of domain names (RFC 1035 section 3.1, uncompressed). */
const NAME_LIST_OPTIONS: ReadonlySet<number> = new Set([
  DHCPV6_OPTION.sipServersDomain,
  DHCPV6_OPTION.domainList,
]);

/** The options that are text and nothing else. */
const TEXT_OPTIONS: ReadonlySet<number> = new Set([
  DHCPV6_OPTION.posixTimezone,
  DHCPV6_OPTION.tzdbTimezone,
  DHCPV6_OPTION.mudUrl,
]);

/** DUID types (RFC 8415 section 11, RFC 6355). */
export const DHCPV6_DUID = {
  /** Link-layer address plus time. */
  linkLayerAndTime: 1,
  /** Vendor-assigned, based on an enterprise number. */
  enterprise: 2,
  /** Link-layer address. */
  linkLayer: 3,
  /** UUID. */
  uuid: 4,
} as const;

/** Message types as tcpdump names them (`dh6_msgtype_str`). */
const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: "solicit",
  2: "advertise",
  3: "request",
  4: "confirm",
  5: "renew",
  6: "rebind",
  7: "reply",
  8: "release",
  9: "decline",
  10: "reconfigure",
  11: "inf-req",
  12: "relay-fwd",
  13: "relay-reply",
  14: "leasequery",
  15: "leasequery-reply",
  16: "leasequery-done",
  17: "leasequery-data",
  18: "reconfigure-request",
  19: "reconfigure-reply",
  20: "dhcpv4-query",
  21: "dhcpv4-response",
};

/** The JSON form of a DHCPv6 message (docs/json.md). */
export interface Dhcpv6Json {
  /** Message type. */
  type: number;
  /** Its name (`solicit`, `advertise`, `reply`, …). */
  typeName: string;
  /** Transaction ID (client and server messages). */
  transactionId?: number;
  /** Hop count (relay messages). */
  hopCount?: number;
  /** A relay message's link address. */
  linkAddress?: string;
  /** A relay message's peer address. */
  peerAddress?: string;
  /** The options, in order (a relayed message's inside its `relay-message` option). */
  options?: Dhcpv6OptionJson[];
  /** Set when the options run past the message or the capture. */
  optionsTruncated?: true;
}

/** A DUID (RFC 8415 section 11), as a client or server ID option holds it. */
export interface Dhcpv6DuidJson {
  /** 1 link-layer address and time, 2 enterprise number, 3 link-layer address, 4 UUID. */
  type: number;
  /** The link-layer address's hardware type (types 1 and 3). */
  hardwareType?: number;
  /** Seconds since 2000-01-01 UTC (type 1). */
  time?: number;
  /** The link-layer address: `aa:bb:…` (types 1 and 3). */
  linkLayerAddress?: string;
  /** The enterprise number (type 2). */
  enterprise?: number;
  /** The enterprise's identifier, in hexadecimal (type 2). */
  identifier?: string;
  /** The UUID, in hexadecimal (type 4). */
  uuid?: string;
}

/** One option of a DHCPv6 message (docs/json.md); the fields after `length` by its code. */
export interface Dhcpv6OptionJson {
  /** The option code. */
  code: number;
  /** tcpdump's name for it (`client-ID`, `IA_NA`, `DNS-server`, …; `opt_N` when unknown). */
  name: string;
  /** The option's length field. */
  length: number;
  /** Client and server ID. */
  duid?: Dhcpv6DuidJson;
  /** IA_NA, IA_TA and IA_PD: the identity association's ID. */
  iaid?: number;
  /** IA_NA and IA_PD: when to renew, seconds. */
  t1?: number;
  /** IA_NA and IA_PD: when to rebind, seconds. */
  t2?: number;
  /** IA_ADDR: the address; IA_PD-prefix: the prefix. */
  address?: string;
  /** IA_PD-prefix: the prefix's length. */
  prefixLength?: number;
  /** IA_ADDR and IA_PD-prefix: the preferred lifetime, seconds. */
  preferredLifetime?: number;
  /** IA_ADDR and IA_PD-prefix: the valid lifetime, seconds. */
  validLifetime?: number;
  /** Option request and echo request: the codes asked for. */
  requested?: number[];
  /** Preference: the server's. */
  preference?: number;
  /** Elapsed time, in hundredths of a second. */
  elapsedTime?: number;
  /** Status code: the code. */
  statusCode?: number;
  /** Status code: its message. */
  statusMessage?: string;
  /** Server addresses (DNS, SIP, SNTP, NIS, …). */
  addresses?: string[];
  /** Domain names (DNS search list, SIP servers). */
  domains?: string[];
  /** Client FQDN's flags. */
  flags?: number;
  /** Client FQDN's name, AFTR-Name's. */
  domain?: string;
  /** Text options (time zones, MUD URL). */
  text?: string;
  /** Relay message: the message relayed. */
  message?: Dhcpv6Json;
  /** Options inside this one (IA_NA, IA_TA, IA_PD, IA_ADDR, IA_PD-prefix). */
  options?: Dhcpv6OptionJson[];
  /** Other options: the bytes, in hexadecimal. */
  data?: string;
  /** The option is shorter than its fixed fields. */
  malformed?: true;
  /** The option runs past the message or the capture. */
  truncated?: true;
}

/**
 * Walks the options from `start` to `end` in `view`, calling `visit` with each one's code,
 * where its data begins, its length, and whether it runs past `end` (then it is the last);
 * returns false when the walk ends early: an option cut that way, or a header, or `visit`
 * returning false. `budget` counts options across nested walks; the walk ends (as whole)
 * when it is spent.
 */
export function walkDhcpv6Options(
  view: DataView,
  start: number,
  end: number,
  budget: { left: number },
  visit: (code: number, at: number, length: number, cut: boolean) => boolean,
): boolean {
  for (let at = start; at < end;) {
    if (budget.left-- <= 0) return true;
    if (at + OPTION_HEADER_LENGTH > end) return false;
    const code = view.getUint16(at);
    const length = view.getUint16(at + 2);
    const data = at + OPTION_HEADER_LENGTH;
    const cut = data + length > end;
    if (!visit(code, data, length, cut) || cut) return false;
    at = data + length;
  }
  return true;
}

/** Reads names with `DnsMessage.copyName`, bound to one option's data at a time. */
const NAME_READER = new DnsMessage();
const NAME_TEXT = new Uint8Array(MAX_NAME_TEXT_LENGTH);
const UTF8 = new TextDecoder();

/** The domain names from `at` to `end` (uncompressed, as RFC 8415 section 10 requires). */
function readNames(view: DataView, at: number, end: number): string[] | undefined {
  const names: string[] = [];
  NAME_READER.bind(view, at, end);
  for (let position = at; position < end && names.length < DHCPV6_MAX_OPTIONS;) {
    const count = NAME_READER.copyName(position, NAME_TEXT, 0);
    if (count < 0) return undefined;
    names.push(UTF8.decode(NAME_TEXT.subarray(0, count)));
    position = NAME_READER.nameNext;
  }
  return names;
}

function readDuid(view: DataView, at: number, length: number): Dhcpv6DuidJson | undefined {
  if (length < 2) return undefined;
  const type = view.getUint16(at);
  const duid: Dhcpv6DuidJson = { type };
  if (
    (type === DHCPV6_DUID.linkLayerAndTime && length >= 8) ||
    (type === DHCPV6_DUID.linkLayer && length >= 4)
  ) {
    duid.hardwareType = view.getUint16(at + 2);
    const address = at + (type === DHCPV6_DUID.linkLayerAndTime ? 8 : 4);
    if (type === DHCPV6_DUID.linkLayerAndTime) duid.time = view.getUint32(at + 4);
    // A DUID may end before any address: formatMac reads a first byte whatever the length.
    if (address < at + length) {
      duid.linkLayerAddress = formatMac(view, address, at + length - address);
    }
  } else if (type === DHCPV6_DUID.enterprise && length >= 6) {
    duid.enterprise = view.getUint32(at + 2);
    duid.identifier = formatHex(view, at + 6, length - 6);
  } else if (type === DHCPV6_DUID.uuid && length === 18) duid.uuid = formatHex(view, at + 2, 16);
  return duid;
}

/** One option's JSON (see `Dhcpv6OptionJson`); `depth` counts the levels above it. */
function optionJson(
  view: DataView,
  code: number,
  at: number,
  length: number,
  cut: boolean,
  depth: number,
  budget: { left: number },
): Dhcpv6OptionJson {
  const option: Dhcpv6OptionJson = { code, name: dhcpv6OptionName(code), length };
  if (cut) {
    option.truncated = true;
    return option;
  }
  const end = at + length;
  const inner = (from: number): void => {
    if (from >= end || depth + 1 >= DHCPV6_MAX_NESTING) return;
    const options: Dhcpv6OptionJson[] = [];
    walkDhcpv6Options(view, from, end, budget, (innerCode, innerAt, innerLength, innerCut) => {
      options.push(optionJson(view, innerCode, innerAt, innerLength, innerCut, depth + 1, budget));
      return true;
    });
    option.options = options;
  };
  const fixed = (need: number): boolean => {
    if (length >= need) return true;
    option.malformed = true;
    return false;
  };
  switch (code) {
    case DHCPV6_OPTION.clientId:
    case DHCPV6_OPTION.serverId: {
      const duid = readDuid(view, at, length);
      if (duid === undefined) option.malformed = true;
      else option.duid = duid;
      break;
    }
    case DHCPV6_OPTION.iaNa:
    case DHCPV6_OPTION.iaPd:
      if (!fixed(12)) break;
      option.iaid = view.getUint32(at);
      option.t1 = view.getUint32(at + 4);
      option.t2 = view.getUint32(at + 8);
      inner(at + 12);
      break;
    case DHCPV6_OPTION.iaTa:
      if (!fixed(4)) break;
      option.iaid = view.getUint32(at);
      inner(at + 4);
      break;
    case DHCPV6_OPTION.iaAddress:
      if (!fixed(24)) break;
      option.address = formatIpv6(view, at);
      option.preferredLifetime = view.getUint32(at + 16);
      option.validLifetime = view.getUint32(at + 20);
      inner(at + 24);
      break;
    case DHCPV6_OPTION.iaPrefix:
      if (!fixed(25)) break;
      option.preferredLifetime = view.getUint32(at);
      option.validLifetime = view.getUint32(at + 4);
      option.prefixLength = view.getUint8(at + 8);
      option.address = formatIpv6(view, at + 9);
      inner(at + 25);
      break;
    case DHCPV6_OPTION.optionRequest:
    case DHCPV6_OPTION.echoRequest: {
      const requested: number[] = [];
      for (let i = 0; i + 2 <= length; i += 2) requested.push(view.getUint16(at + i));
      option.requested = requested;
      if (length % 2 !== 0) option.malformed = true;
      break;
    }
    case DHCPV6_OPTION.preference:
      if (fixed(1)) option.preference = view.getUint8(at);
      break;
    case DHCPV6_OPTION.elapsedTime:
      if (fixed(2)) option.elapsedTime = view.getUint16(at);
      break;
    case DHCPV6_OPTION.statusCode:
      if (!fixed(2)) break;
      option.statusCode = view.getUint16(at);
      option.statusMessage = UTF8.decode(
        new Uint8Array(view.buffer, view.byteOffset + at + 2, length - 2),
      );
      break;
    case DHCPV6_OPTION.relayMessage:
      if (depth + 1 < DHCPV6_MAX_NESTING && length > 0) {
        option.message = new Dhcpv6Message().bind(view, at, end).json(depth + 1, budget);
      }
      break;
    case DHCPV6_OPTION.clientFqdn: {
      if (!fixed(1)) break;
      option.flags = view.getUint8(at);
      const names = readNames(view, at + 1, end);
      if (names !== undefined && names.length > 0) option.domain = names[0];
      break;
    }
    case DHCPV6_OPTION.aftrName: {
      const names = readNames(view, at, end);
      if (names === undefined || names.length === 0) option.malformed = true;
      else option.domain = names[0];
      break;
    }
    case DHCPV6_OPTION.rapidCommit:
    case DHCPV6_OPTION.reconfigureAccept:
      break;
    default:
      if (DHCPV6_ADDRESS_LIST_OPTIONS.has(code)) {
        const addresses: string[] = [];
        for (let i = 0; i + IPV6_ADDRESS_LENGTH <= length; i += IPV6_ADDRESS_LENGTH) {
          addresses.push(formatIpv6(view, at + i));
        }
        option.addresses = addresses;
        if (length % IPV6_ADDRESS_LENGTH !== 0) option.malformed = true;
      } else if (NAME_LIST_OPTIONS.has(code)) {
        const names = readNames(view, at, end);
        if (names === undefined) option.malformed = true;
        else option.domains = names;
      } else if (TEXT_OPTIONS.has(code)) {
        option.text = UTF8.decode(new Uint8Array(view.buffer, view.byteOffset + at, length));
      } else option.data = formatHex(view, at, length);
  }
  return option;
}

/** A view of a DHCPv6 message. */
export class Dhcpv6Message extends HeaderView {
  /** The JSON form, made for the fields once per bind (`fieldsJson`). */
  #fieldsJson: Dhcpv6Json | undefined;

  /** Points the view at a message. */
  override bind(view: DataView, offset: number, end: number): this {
    super.bind(view, offset, end);
    this.#fieldsJson = undefined;
    return this;
  }

  /**
   * The JSON form, made once per bind: a display filter or `-T fields` reads many fields of
   * one message, each from all of its options. Shared: read it, do not change it.
   */
  get fieldsJson(): Readonly<Dhcpv6Json> {
    return this.#fieldsJson ??= this.toJSON();
  }

  /** Message type. */
  get type(): number {
    return this.u8(FIELD_TYPE);
  }

  /** Whether it is a relay message (forward or reply). */
  get isRelay(): boolean {
    const type = this.type;
    return type === RELAY_FORWARD || type === RELAY_REPLY;
  }

  /** Its name as tcpdump writes it, or `msgtype-N`. */
  get typeName(): string {
    return TYPE_NAMES[this.type] ?? `msgtype-${this.type}`;
  }

  /** The transaction ID, or undefined for a relay message or one cut short. */
  get transactionId(): number | undefined {
    if (this.isRelay || this.end - this.offset < 4) return undefined;
    return this.u32(FIELD_TYPE) & 0xffffff;
  }

  /** A relay message's hop count. */
  get hopCount(): number | undefined {
    return this.isRelay ? this.u8(FIELD_HOP_COUNT) : undefined;
  }

  /** Where the options begin: after the transaction ID, or after a relay's two addresses. */
  get optionsStart(): number {
    return this.offset + (this.isRelay ? DHCPV6_RELAY_HEADER_LENGTH : MESSAGE_HEADER_LENGTH);
  }

  /** A relay message's link address, when captured. */
  get linkAddress(): string | undefined {
    return this.#relayAddress(FIELD_LINK_ADDRESS);
  }

  /** A relay message's peer address, when captured. */
  get peerAddress(): string | undefined {
    return this.#relayAddress(FIELD_PEER_ADDRESS);
  }

  #relayAddress(field: number): string | undefined {
    const at = this.offset + field;
    if (!this.isRelay || at + IPV6_ADDRESS_LENGTH > this.end) return undefined;
    return formatIpv6(this.view, at);
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): Dhcpv6Json {
    return this.json(0, { left: DHCPV6_MAX_OPTIONS });
  }

  /** The JSON form of a message `depth` relay messages deep, within the options' `budget`. */
  json(depth: number, budget: { left: number }): Dhcpv6Json {
    const json: Dhcpv6Json = { type: this.type, typeName: this.typeName };
    const id = this.transactionId;
    if (id !== undefined) json.transactionId = id;
    const hops = this.hopCount;
    if (hops !== undefined) json.hopCount = hops;
    if (this.isRelay) {
      const link = this.linkAddress;
      const peer = this.peerAddress;
      if (link !== undefined) json.linkAddress = link;
      if (peer !== undefined) json.peerAddress = peer;
    }
    const start = this.optionsStart;
    if (start > this.end) return json;
    const options: Dhcpv6OptionJson[] = [];
    const whole = walkDhcpv6Options(this.view, start, this.end, budget, (code, at, length, cut) => {
      options.push(optionJson(this.view, code, at, length, cut, depth, budget));
      return true;
    });
    json.options = options;
    if (!whole) json.optionsTruncated = true;
    return json;
  }
}

/**
 * Every value `pick` finds in the message's JSON, in tshark's order: a message's own fields,
 * then its options depth first (a relayed message's and a suboption's where they lie).
 */
function collect<Value>(
  dhcp: Dhcpv6Message,
  pick: (
    message: Dhcpv6Json | undefined,
    option: Dhcpv6OptionJson | undefined,
  ) => Value | undefined,
): Value[] | undefined {
  const values: Value[] = [];
  const add = (value: Value | undefined) => {
    if (value !== undefined) values.push(value);
  };
  const walkOptions = (options: readonly Dhcpv6OptionJson[] | undefined): void => {
    for (const option of options ?? []) {
      add(pick(undefined, option));
      if (option.message !== undefined) walkMessage(option.message);
      walkOptions(option.options);
    }
  };
  const walkMessage = (message: Dhcpv6Json): void => {
    add(pick(message, undefined));
    walkOptions(message.options);
  };
  walkMessage(dhcp.fieldsJson);
  return values.length > 0 ? values : undefined;
}

/** A name as tshark writes DHCPv6's domain names: with the root's dot. */
function absolute(name: string): string {
  return name === "." ? name : `${name}.`;
}

/** A DUID's link-layer address, for DUID type `type` (1 with time, 3 without). */
function duidAddress(option: Dhcpv6OptionJson | undefined, type: number): string | undefined {
  return option?.duid?.type === type ? option.duid.linkLayerAddress : undefined;
}

/**
 * DHCPv6's fields under tshark's names, each a list of every occurrence in the datagram (a
 * relayed message's and the options inside an IA's included), as tshark lists them.
 */
export const DHCPV6_FIELDS: FieldTable<Dhcpv6Message> = {
  "dhcpv6.msgtype": (dhcp) => collect(dhcp, (message) => message?.type),
  "dhcpv6.xid": (dhcp) => collect(dhcp, (message) => message?.transactionId),
  "dhcpv6.hopcount": (dhcp) => collect(dhcp, (message) => message?.hopCount),
  "dhcpv6.linkaddr": (dhcp) => collect(dhcp, (message) => message?.linkAddress),
  "dhcpv6.peeraddr": (dhcp) => collect(dhcp, (message) => message?.peerAddress),
  "dhcpv6.option.type": (dhcp) => collect(dhcp, (_, option) => option?.code),
  "dhcpv6.duid.type": (dhcp) => collect(dhcp, (_, option) => option?.duid?.type),
  "dhcpv6.duidllt.link_layer_addr": (dhcp) =>
    collect(dhcp, (_, option) => duidAddress(option, DHCPV6_DUID.linkLayerAndTime)),
  "dhcpv6.duidll.link_layer_addr": (dhcp) =>
    collect(dhcp, (_, option) => duidAddress(option, DHCPV6_DUID.linkLayer)),
  "dhcpv6.duiden.enterprise": (dhcp) => collect(dhcp, (_, option) => option?.duid?.enterprise),
  "dhcpv6.iaid.t1": (dhcp) => collect(dhcp, (_, option) => option?.t1),
  "dhcpv6.iaid.t2": (dhcp) => collect(dhcp, (_, option) => option?.t2),
  "dhcpv6.iaaddr.ip": (dhcp) =>
    collect(
      dhcp,
      (_, option) => option?.code === DHCPV6_OPTION.iaAddress ? option.address : undefined,
    ),
  "dhcpv6.iaaddr.pref_lifetime": (dhcp) =>
    collect(
      dhcp,
      (_, option) =>
        option?.code === DHCPV6_OPTION.iaAddress ? option.preferredLifetime : undefined,
    ),
  "dhcpv6.iaaddr.valid_lifetime": (dhcp) =>
    collect(
      dhcp,
      (_, option) => option?.code === DHCPV6_OPTION.iaAddress ? option.validLifetime : undefined,
    ),
  "dhcpv6.iaprefix.pref_addr": (dhcp) =>
    collect(
      dhcp,
      (_, option) => option?.code === DHCPV6_OPTION.iaPrefix ? option.address : undefined,
    ),
  "dhcpv6.iaprefix.pref_len": (dhcp) => collect(dhcp, (_, option) => option?.prefixLength),
  "dhcpv6.requested_option_code": (dhcp) =>
    collect(
      dhcp,
      (_, option) => option?.code === DHCPV6_OPTION.optionRequest ? option.requested : undefined,
    )
      ?.flat(),
  // tshark shows milliseconds; the option counts hundredths of a second.
  "dhcpv6.elapsed_time": (dhcp) =>
    collect(
      dhcp,
      (_, option) => option?.elapsedTime === undefined ? undefined : option.elapsedTime * 10,
    ),
  "dhcpv6.option_preference": (dhcp) => collect(dhcp, (_, option) => option?.preference),
  "dhcpv6.status_code": (dhcp) => collect(dhcp, (_, option) => option?.statusCode),
  "dhcpv6.dns_server": (dhcp) =>
    collect(
      dhcp,
      (_, option) => option?.code === DHCPV6_OPTION.dnsServers ? option.addresses : undefined,
    )
      ?.flat(),
  "dhcpv6.search_list_entry": (dhcp) =>
    collect(
      dhcp,
      (_, option) =>
        option?.code === DHCPV6_OPTION.domainList ? option.domains?.map(absolute) : undefined,
    )
      ?.flat(),
  "dhcpv6.sip_server_domain_search_fqdn": (dhcp) =>
    collect(
      dhcp,
      (_, option) =>
        option?.code === DHCPV6_OPTION.sipServersDomain ? option.domains?.map(absolute) : undefined,
    )
      ?.flat(),
  "dhcpv6.aftr_name": (dhcp) =>
    collect(
      dhcp,
      (_, option) =>
        option?.code === DHCPV6_OPTION.aftrName && option.domain !== undefined
          ? absolute(option.domain)
          : undefined,
    ),
};

/** The JSON object's keys in their order. */
export const DHCPV6_JSON_KEYS: readonly string[] = [
  "type",
  "typeName",
  "transactionId",
  "hopCount",
  "linkAddress",
  "peerAddress",
  "options",
  "optionsTruncated",
] as const satisfies readonly (keyof Dhcpv6Json)[];
