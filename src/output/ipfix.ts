/**
 * Flow records as IPFIX messages (RFC 7011): a template for IPv4 flows and one for IPv6 flows,
 * sent in the first message and again every `templateRefresh` seconds (UDP loses them, and a
 * collector that starts later must learn them), then data records, one per direction of a
 * conversation, with the standard information elements (RFC 7012, IANA's registry): addresses,
 * ports, `protocolIdentifier`, `tcpControlBits`, `octetDeltaCount`, `packetDeltaCount`,
 * `flowStartMilliseconds`, `flowEndMilliseconds` and `flowEndReason`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConversationList } from "../analysis/conversations.ts";
 * import { IpfixExporter } from "./ipfix.ts";
 * const list = new ConversationList();
 * const at = list.add(17, 4);
 * list.endpoints.set([0xc0000201, 0, 0, 0, 5353, 0xc0000202, 0, 0, 0, 53], at * 10);
 * list.numbers.set([1, 80, 0, 0, 1767225600, 1767225600.5], at * 6);
 * const messages: Uint8Array[] = [];
 * const exporter = new IpfixExporter((message) => messages.push(message.slice()), { domain: 7 });
 * const extras = { tcpFlagsAtoB: 0, tcpFlagsBtoA: 0, classOfService: 0, vlan: -1 };
 * exporter.add(list, at, 1, { ...extras, icmpAtoB: -1, icmpBtoA: -1, interfaceIndex: 0 });
 * exporter.flush();
 * const view = new DataView(messages[0].buffer);
 * // Version 10, the length, then (after the time) sequence 0 and domain 7.
 * assert.deepEqual([view.getUint16(0), view.getUint16(2), view.getUint32(8), view.getUint32(12)],
 *   [10, messages[0].length, 0, 7]);
 * assert.equal(exporter.records, 1); // B to A carried nothing: one record
 * ```
 * @module
 */

import {
  BYTES_B_TO_A,
  CONVERSATION_NUMBERS,
  type ConversationList,
  END,
  ENDPOINT_B,
  ENDPOINT_WORDS,
  FRAMES_A_TO_B,
  FRAMES_B_TO_A,
  NO_PORT,
  START,
} from "../analysis/conversations.ts";
import type { FlowRecordExtras } from "../analysis/flows.ts";

/** IPFIX's version number (RFC 7011 section 3.1). */
export const IPFIX_VERSION = 10;
/** The message header: version, length, export time, sequence number, observation domain. */
const MESSAGE_HEADER = 16;
/** A set's header: its id and length (RFC 7011 section 3.3.2). */
const SET_HEADER = 4;
/** The template set's id (RFC 7011 section 3.3.2). */
const TEMPLATE_SET = 2;
/** A message that fits an Ethernet MTU after IP and UDP headers, as RFC 7011 section 10.3.3 asks. */
const DEFAULT_MESSAGE_BYTES = 1400;
/** Seconds between template retransmissions over UDP (RFC 7011 section 8.4 leaves it to us). */
const DEFAULT_TEMPLATE_REFRESH = 300;

/** IANA information element ids and the lengths netpeek sends them in. */
const IE = {
  octetDeltaCount: [1, 8],
  packetDeltaCount: [2, 8],
  protocolIdentifier: [4, 1],
  ipClassOfService: [5, 1],
  tcpControlBits: [6, 2],
  sourceTransportPort: [7, 2],
  sourceIPv4Address: [8, 4],
  destinationTransportPort: [11, 2],
  destinationIPv4Address: [12, 4],
  sourceIPv6Address: [27, 16],
  destinationIPv6Address: [28, 16],
  vlanId: [58, 2],
  icmpTypeCodeIPv4: [32, 2],
  ingressInterface: [10, 4],
  icmpTypeCodeIPv6: [139, 2],
  flowEndReason: [136, 1],
  flowStartMilliseconds: [152, 8],
  flowEndMilliseconds: [153, 8],
} as const;

/**
 * RFC 5103's reverse elements: the same ids under IANA's reverse enterprise number, for the
 * B-to-A side of a biflow record.
 */
const REVERSE_PEN = 29305;
const ENTERPRISE_BIT = 0x8000;

/** An element: its id, its length, and whether it is RFC 5103's reverse of the id. */
type Element = readonly [number, number, boolean?];

/** The fields of a record after the addresses, the same in every template. */
const COMMON: readonly Element[] = [
  IE.sourceTransportPort,
  IE.destinationTransportPort,
  IE.protocolIdentifier,
  IE.tcpControlBits,
  IE.octetDeltaCount,
  IE.packetDeltaCount,
  IE.flowStartMilliseconds,
  IE.flowEndMilliseconds,
  IE.flowEndReason,
  IE.ipClassOfService,
  IE.vlanId,
  IE.ingressInterface,
];
/** A biflow's reverse side (RFC 5103): B to A's flags, bytes and packets. */
const REVERSE: readonly Element[] = [
  [...IE.tcpControlBits, true],
  [...IE.octetDeltaCount, true],
  [...IE.packetDeltaCount, true],
];
const V4: readonly Element[] = [IE.sourceIPv4Address, IE.destinationIPv4Address];
const V6: readonly Element[] = [IE.sourceIPv6Address, IE.destinationIPv6Address];
/** After the common fields: ICMP's type and code (0 for other protocols). */
const ICMP4: readonly Element[] = [IE.icmpTypeCodeIPv4];
const ICMP6: readonly Element[] = [IE.icmpTypeCodeIPv6];

/** The templates: one-way records (256, 257) and biflow records (258, 259). */
export const TEMPLATE_IPV4 = 256;
export const TEMPLATE_IPV6 = 257;
export const TEMPLATE_IPV4_BIFLOW = 258;
export const TEMPLATE_IPV6_BIFLOW = 259;
const TEMPLATES: readonly (readonly [number, readonly Element[]])[] = [
  [TEMPLATE_IPV4, [...V4, ...COMMON, ...ICMP4]],
  [TEMPLATE_IPV6, [...V6, ...COMMON, ...ICMP6]],
  [TEMPLATE_IPV4_BIFLOW, [...V4, ...COMMON, ...ICMP4, ...REVERSE]],
  [TEMPLATE_IPV6_BIFLOW, [...V6, ...COMMON, ...ICMP6, ...REVERSE]],
];
const fieldBytes = (fields: readonly Element[]) => fields.reduce((sum, [, size]) => sum + size, 0);
/** The bytes of a record of each template, by template id. */
export const RECORD_BYTES: Readonly<Record<number, number>> = Object.fromEntries(
  TEMPLATES.map(([id, fields]) => [id, fieldBytes(fields)]),
);

/** The template set announcing the templates of one kind (one-way or biflow), as bytes. */
function templateSet(biflow: boolean): Uint8Array {
  const templates = TEMPLATES.filter(([id]) =>
    biflow === (id === TEMPLATE_IPV4_BIFLOW || id === TEMPLATE_IPV6_BIFLOW)
  );
  const specifier = ([, , reverse]: Element) => reverse ? 8 : 4;
  const length = SET_HEADER +
    templates.reduce(
      (sum, [, fields]) => sum + 4 + fields.reduce((n, f) => n + specifier(f), 0),
      0,
    );
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, TEMPLATE_SET);
  view.setUint16(2, length);
  let at = SET_HEADER;
  for (const [id, fields] of templates) {
    view.setUint16(at, id);
    view.setUint16(at + 2, fields.length);
    at += 4;
    for (const [element, size, reverse] of fields) {
      view.setUint16(at, reverse ? element | ENTERPRISE_BIT : element);
      view.setUint16(at + 2, size);
      if (reverse) view.setUint32(at + 4, REVERSE_PEN);
      at += specifier([element, size, reverse]);
    }
  }
  return bytes;
}
const TEMPLATE_SETS = { oneWay: templateSet(false), biflow: templateSet(true) };

/** How the exporter numbers and paces its messages. */
export interface IpfixOptions {
  /** The observation domain id (RFC 7011 section 3.1). */
  domain: number;
  /** The largest message, in bytes (default 1400). */
  maxMessageBytes?: number;
  /** Seconds between the templates' retransmissions (default 300). */
  templateRefresh?: number;
  /** The clock, in seconds since 1970: export times and the refresh (default: now). */
  now?: () => number;
  /** One record per conversation, B to A in RFC 5103's reverse elements (default: one per way). */
  biflow?: boolean;
  /**
   * Whether data messages carry the templates (first, then every `templateRefresh`): over UDP.
   * Over TCP the transport sends `templateMessage()` once per connection instead.
   */
  templatesInData?: boolean;
}

/**
 * Packs flow records into IPFIX messages and hands each finished message to `send` (the
 * bytes are reused after the call: copy them to keep them).
 */
export class IpfixExporter {
  readonly #send: (message: Uint8Array) => void;
  readonly #domain: number;
  readonly #now: () => number;
  readonly #refresh: number;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #biflow: boolean;
  /** Bytes used of the message being filled; 0 when none is open. */
  #length = 0;
  /** Where the open data set starts, and its template (0: none open). */
  #setStart = 0;
  #setTemplate = 0;
  /** Records sent before the open message, and in it. */
  #sequence = 0;
  #inMessage = 0;
  #lastTemplates = -Infinity;
  #openedAt = 0;
  /** Data records and messages handed to `send`. */
  records = 0;
  messages = 0;

  constructor(send: (message: Uint8Array) => void, options: IpfixOptions) {
    this.#send = send;
    this.#domain = options.domain;
    this.#now = options.now ?? (() => Date.now() / 1000);
    this.#refresh = options.templateRefresh ?? DEFAULT_TEMPLATE_REFRESH;
    this.#bytes = new Uint8Array(options.maxMessageBytes ?? DEFAULT_MESSAGE_BYTES);
    this.#view = new DataView(this.#bytes.buffer);
    this.#biflow = options.biflow ?? false;
    if (options.templatesInData === false) this.#lastTemplates = Infinity;
  }

  /** A message holding only the templates, numbered as the next data message will be. */
  templateMessage(): Uint8Array {
    const templates = this.#biflow ? TEMPLATE_SETS.biflow : TEMPLATE_SETS.oneWay;
    const message = new Uint8Array(MESSAGE_HEADER + templates.length);
    message.set(templates, MESSAGE_HEADER);
    this.#writeHeader(new DataView(message.buffer), message.length, this.#sequence);
    return message;
  }

  #writeHeader(view: DataView, length: number, sequence: number): void {
    view.setUint16(0, IPFIX_VERSION);
    view.setUint16(2, length);
    view.setUint32(4, Math.floor(this.#now()) >>> 0);
    view.setUint32(8, sequence >>> 0);
    view.setUint32(12, this.#domain >>> 0);
  }

  /**
   * Adds the conversation at `at` of `list`: one record per direction that carried packets,
   * or (biflow) one record with both. `reason` is the flow end reason.
   */
  add(
    list: ConversationList,
    at: number,
    reason: number,
    extras: Readonly<FlowRecordExtras>,
  ): void {
    const numbers = list.numbers;
    const base = at * CONVERSATION_NUMBERS;
    const v4 = list.versions[at] === 4;
    const a = at * ENDPOINT_WORDS;
    const b = a + ENDPOINT_B;
    if (this.#biflow) {
      const p = this.#start(v4 ? TEMPLATE_IPV4_BIFLOW : TEMPLATE_IPV6_BIFLOW);
      const q = this.#common(
        p,
        list,
        at,
        v4,
        a,
        b,
        FRAMES_A_TO_B,
        reason,
        extras.tcpFlagsAtoB,
        extras.icmpAtoB,
        extras,
      );
      const view = this.#view;
      view.setUint16(q, extras.tcpFlagsBtoA);
      view.setBigUint64(q + 2, BigInt(numbers[base + BYTES_B_TO_A]));
      view.setBigUint64(q + 10, BigInt(numbers[base + FRAMES_B_TO_A]));
      this.#length = q + 18;
      return;
    }
    const template = v4 ? TEMPLATE_IPV4 : TEMPLATE_IPV6;
    if (numbers[base + FRAMES_A_TO_B] > 0) {
      const p = this.#start(template);
      this.#length = this.#common(
        p,
        list,
        at,
        v4,
        a,
        b,
        FRAMES_A_TO_B,
        reason,
        extras.tcpFlagsAtoB,
        extras.icmpAtoB,
        extras,
      );
    }
    if (numbers[base + FRAMES_B_TO_A] > 0) {
      const p = this.#start(template);
      this.#length = this.#common(
        p,
        list,
        at,
        v4,
        b,
        a,
        FRAMES_B_TO_A,
        reason,
        extras.tcpFlagsBtoA,
        extras.icmpBtoA,
        extras,
      );
    }
  }

  /** Makes room for a record of `template` (a new message or set when needed); where it goes. */
  #start(template: number): number {
    const size = RECORD_BYTES[template];
    if (this.#length === 0) this.#open();
    const fits = (extra: number) => this.#length + extra + size <= this.#bytes.length;
    if (this.#setTemplate === template && fits(0)) {
      this.#inMessage++;
      this.records++;
      return this.#length;
    }
    if (!fits(SET_HEADER)) {
      this.flush();
      this.#open();
    }
    this.#closeSet();
    this.#setStart = this.#length;
    this.#setTemplate = template;
    this.#view.setUint16(this.#length, template);
    this.#length += SET_HEADER;
    this.#inMessage++;
    this.records++;
    return this.#length;
  }

  /**
   * Writes a record's addresses and common fields at `p`, from endpoint `from` to `to`, the
   * frames (and bytes after them) at `frames` of the conversation's numbers; returns the end.
   */
  #common(
    p: number,
    list: ConversationList,
    at: number,
    v4: boolean,
    from: number,
    to: number,
    frames: number,
    reason: number,
    flags: number,
    icmp: number,
    extras: Readonly<FlowRecordExtras>,
  ): number {
    const view = this.#view;
    const endpoints = list.endpoints;
    const numbers = list.numbers;
    const base = at * CONVERSATION_NUMBERS;
    const words = v4 ? 1 : 4;
    for (let i = 0; i < words; i++, p += 4) view.setUint32(p, endpoints[from + i]);
    for (let i = 0; i < words; i++, p += 4) view.setUint32(p, endpoints[to + i]);
    const port = (word: number) => word === NO_PORT || word > 0xffff ? 0 : word;
    view.setUint16(p, port(endpoints[from + 4]));
    view.setUint16(p + 2, port(endpoints[to + 4]));
    view.setUint8(p + 4, list.protocols[at]);
    view.setUint16(p + 5, flags);
    // Bytes follow frames in the conversation's numbers (FRAMES_A_TO_B, then BYTES_A_TO_B).
    view.setBigUint64(p + 7, BigInt(numbers[base + frames + 1]));
    view.setBigUint64(p + 15, BigInt(numbers[base + frames]));
    view.setBigUint64(p + 23, BigInt(Math.round(numbers[base + START] * 1000)));
    view.setBigUint64(p + 31, BigInt(Math.round(numbers[base + END] * 1000)));
    view.setUint8(p + 39, reason);
    view.setUint8(p + 40, extras.classOfService);
    view.setUint16(p + 41, extras.vlan < 0 ? 0 : extras.vlan);
    view.setUint32(p + 43, extras.interfaceIndex >>> 0);
    view.setUint16(p + 47, icmp < 0 ? 0 : icmp);
    return p + 49;
  }

  /** When the message being filled was started (seconds), or NaN when none is. */
  get pendingSince(): number {
    return this.#length === 0 ? Number.NaN : this.#openedAt;
  }

  /** Starts a message: its header, and the templates when they are due. */
  #open(): void {
    this.#length = MESSAGE_HEADER;
    this.#setTemplate = 0;
    const now = this.#now();
    this.#openedAt = now;
    if (now - this.#lastTemplates >= this.#refresh) {
      const templates = this.#biflow ? TEMPLATE_SETS.biflow : TEMPLATE_SETS.oneWay;
      this.#bytes.set(templates, this.#length);
      this.#length += templates.length;
      this.#lastTemplates = now;
    }
  }

  /** Writes the open data set's length. */
  #closeSet(): void {
    if (this.#setTemplate !== 0) {
      this.#view.setUint16(this.#setStart + 2, this.#length - this.#setStart);
    }
    this.#setTemplate = 0;
  }

  /** Sends the message being filled, if any. */
  flush(): void {
    if (this.#length === 0) return;
    this.#closeSet();
    this.#writeHeader(this.#view, this.#length, this.#sequence);
    this.#send(this.#bytes.subarray(0, this.#length));
    this.#sequence += this.#inMessage;
    this.#inMessage = 0;
    this.#length = 0;
    this.messages++;
  }
}
