/**
 * Conversations as columns of typed arrays: the retired ones a flow tracker keeps, and the
 * list a summary is made of. A conversation costs 91 bytes here and no objects, where the
 * documented shape (`Conversation`) takes up to four objects and two strings: a summary of a hundred
 * thousand conversations can be written straight from the columns (see output/stats.ts), and
 * the objects are made only when asked for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConversationList } from "./conversations.ts";
 * const list = new ConversationList();
 * const at = list.add(17, 4);
 * list.endpoints.set([0xc0000201, 0, 0, 0, 5353, 0xc0000202, 0, 0, 0, 53], at * 10);
 * assert.deepEqual(list.conversation(at).a, { address: "192.0.2.1", port: 5353 });
 * ```
 * @module
 */

import { formatIpv4, formatIpv6 } from "../decode/address.ts";
import { IPPROTO_TCP } from "../decode/ipproto.ts";
import { grown } from "./grown.ts";

/** One endpoint of a conversation. */
export interface Endpoint {
  address: string;
  port: number | null;
}

/** A conversation's figures. */
export interface Conversation {
  /** `tcp`, `udp`, `icmp`, `icmpv6`, or `ip-N`. */
  protocol: string;
  /** The endpoint that sent the first packet seen. */
  a: Endpoint;
  b: Endpoint;
  framesAtoB: number;
  bytesAtoB: number;
  framesBtoA: number;
  bytesBtoA: number;
  /** Capture time of the first and last packet, in seconds. */
  start: number;
  end: number;
  /** TCP only: the handshake was seen; the connection was closed by FIN or RST. */
  tcp?: { handshake: boolean; fin: boolean; rst: boolean };
}

/** Words per conversation in `endpoints`: A's address (four words; IPv4 uses the first) and
 * port, then B's. */
export const ENDPOINT_WORDS = 10;
/** Where B's words start among a conversation's `endpoints`. */
export const ENDPOINT_B = 5;
/** The port word of an endpoint without one (a later fragment): outside any real port. */
export const NO_PORT = 65536;

/** Numbers per conversation in `numbers`, and what each is. */
export const CONVERSATION_NUMBERS = 6;
export const FRAMES_A_TO_B = 0;
export const BYTES_A_TO_B = 1;
export const FRAMES_B_TO_A = 2;
export const BYTES_B_TO_A = 3;
export const START = 4;
export const END = 5;

/** TCP state bits in `states`. */
export const CONVERSATION_HANDSHAKE_SEEN = 1;
export const CONVERSATION_FIN_SEEN = 2;
export const CONVERSATION_RST_SEEN = 4;

/** Scratch room for turning address words into text. */
const ADDRESS_VIEW = new DataView(new ArrayBuffer(16));

/** The text of an address given as one (IPv4) or four (IPv6) 32-bit words at `at`. */
export function addressText(words: Uint32Array, at: number, width: number): string {
  for (let i = 0; i < width; i++) ADDRESS_VIEW.setUint32(4 * i, words[at + i]);
  return width === 1 ? formatIpv4(ADDRESS_VIEW, 0) : formatIpv6(ADDRESS_VIEW, 0);
}

/** `tcp`, `udp`, `icmp`, `icmpv6`, or `ip-N`: the protocol as conversations name it. */
export function protocolName(protocol: number): string {
  return protocol === IPPROTO_TCP
    ? "tcp"
    : protocol === 17
    ? "udp"
    : protocol === 1
    ? "icmp"
    : protocol === 58
    ? "icmpv6"
    : `ip-${protocol}`;
}

/** A growable list of conversations, column by column. */
export class ConversationList {
  /** How many conversations the list holds. */
  length = 0;
  /** Per conversation: the IP protocol; the IP version (4 or 6); TCP state bits. */
  protocols: Uint8Array;
  versions: Uint8Array;
  states: Uint8Array;
  /** Per conversation, `ENDPOINT_WORDS`: A's address words and port, then B's. */
  endpoints: Uint32Array;
  /** Per conversation, `CONVERSATION_NUMBERS`: its frame and byte counts, start and end. */
  numbers: Float64Array;

  constructor(capacity = 256) {
    this.protocols = new Uint8Array(capacity);
    this.versions = new Uint8Array(capacity);
    this.states = new Uint8Array(capacity);
    this.endpoints = new Uint32Array(capacity * ENDPOINT_WORDS);
    this.numbers = new Float64Array(capacity * CONVERSATION_NUMBERS);
  }

  /**
   * Appends a conversation of `protocol` over IP `version` with no state, endpoints or counts
   * yet (the caller fills them in); returns its index.
   */
  add(protocol: number, version: 4 | 6): number {
    const at = this.length++;
    if (at === this.protocols.length) this.#grow(Math.max(2 * at, 16));
    this.protocols[at] = protocol;
    this.versions[at] = version;
    this.states[at] = 0;
    return at;
  }

  #grow(capacity: number): void {
    this.protocols = grown(this.protocols, capacity);
    this.versions = grown(this.versions, capacity);
    this.states = grown(this.states, capacity);
    this.endpoints = grown(this.endpoints, capacity * ENDPOINT_WORDS);
    this.numbers = grown(this.numbers, capacity * CONVERSATION_NUMBERS);
  }

  /** Appends `count` conversations of `list` from `from` on (all of them by default). */
  append(list: ConversationList, from: number = 0, count: number = list.length - from): void {
    const at = this.length;
    if (at + count > this.protocols.length) this.#grow(Math.max(2 * at, at + count));
    const copy = <T extends Uint8Array | Uint32Array | Float64Array>(to: T, source: T, per = 1) =>
      to.set(source.subarray(from * per, (from + count) * per), at * per);
    copy(this.protocols, list.protocols);
    copy(this.versions, list.versions);
    copy(this.states, list.states);
    copy(this.endpoints, list.endpoints, ENDPOINT_WORDS);
    copy(this.numbers, list.numbers, CONVERSATION_NUMBERS);
    this.length += count;
  }

  /**
   * The conversations ordered by start, those that start together in the order they are in
   * (a new list, or this one when it is in order already, as a capture's mostly is).
   */
  sortedByStart(): ConversationList {
    const numbers = this.numbers;
    const startOf = (at: number) => numbers[at * CONVERSATION_NUMBERS + START];
    let sorted = true;
    for (let at = 1; at < this.length && sorted; at++) sorted = startOf(at - 1) <= startOf(at);
    if (sorted) return this;
    const order = Array.from({ length: this.length }, (_, at) => at)
      .sort((x, y) => startOf(x) - startOf(y) || x - y);
    const list = new ConversationList(Math.max(this.length, 1));
    for (const at of order) list.append(this, at, 1);
    return list;
  }

  /** The address text of A (`side` 0) or B (`side` `ENDPOINT_B`) of conversation `at`. */
  address(at: number, side: number): string {
    return addressText(this.endpoints, at * ENDPOINT_WORDS + side, this.versions[at] === 4 ? 1 : 4);
  }

  /** The port of A (`side` 0) or B (`side` `ENDPOINT_B`) of conversation `at`, or null. */
  port(at: number, side: number): number | null {
    const port = this.endpoints[at * ENDPOINT_WORDS + side + 4];
    return port === NO_PORT ? null : port;
  }

  /** Endpoint A (`side` 0) or B (`side` `ENDPOINT_B`) of conversation `at`. */
  endpoint(at: number, side: number): Endpoint {
    return { address: this.address(at, side), port: this.port(at, side) };
  }

  /** Conversation `at` in its documented shape (keys in this order), a copy. */
  conversation(at: number): Conversation {
    const numbers = at * CONVERSATION_NUMBERS;
    const conversation: Conversation = {
      protocol: protocolName(this.protocols[at]),
      a: this.endpoint(at, 0),
      b: this.endpoint(at, ENDPOINT_B),
      framesAtoB: this.numbers[numbers + FRAMES_A_TO_B],
      bytesAtoB: this.numbers[numbers + BYTES_A_TO_B],
      framesBtoA: this.numbers[numbers + FRAMES_B_TO_A],
      bytesBtoA: this.numbers[numbers + BYTES_B_TO_A],
      start: this.numbers[numbers + START],
      end: this.numbers[numbers + END],
    };
    if (this.protocols[at] === IPPROTO_TCP) {
      const state = this.states[at];
      conversation.tcp = {
        handshake: (state & CONVERSATION_HANDSHAKE_SEEN) !== 0,
        fin: (state & CONVERSATION_FIN_SEEN) !== 0,
        rst: (state & CONVERSATION_RST_SEEN) !== 0,
      };
    }
    return conversation;
  }

  /** Every conversation in its documented shape. */
  toArray(): Conversation[] {
    return Array.from({ length: this.length }, (_, at) => this.conversation(at));
  }
}
