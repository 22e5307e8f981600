/**
 * TCP header (RFC 9293 section 3.1): ports, sequence numbers, data offset, the nine flags,
 * window, checksum (verified over the pseudo-header) and urgent pointer, and the options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TcpHeader } from "./mod.ts";
 * const bytes = new Uint8Array([
 *   0x01, 0xbb, 0xc8, 0x22, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
 * ]);
 * const tcp = new TcpHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual([tcp.srcPort, tcp.dstPort, tcp.flagText], [443, 51234, "S"]);
 * ```
 * @module
 */

import { ChecksummedView } from "./header.ts";
import { IPPROTO_TCP } from "./ipproto.ts";
import { checksumStatus, type FieldPlaces, type FieldTable } from "./field.ts";

/** The header without options: 20 bytes. */
export const TCP_MIN_HEADER_LENGTH = 20;

// Where each field lies in the header (RFC 9293 section 3.1), in bytes from its start.
const FIELD_SOURCE_PORT = 0;
const FIELD_DESTINATION_PORT = 2;
const FIELD_SEQUENCE = 4;
const FIELD_ACKNOWLEDGMENT = 8;
/**
 * Data offset (high nibble, in 32-bit words); the flags are the low 9 bits of this word and the
 * three bits above them are reserved (RFC 9293 section 3.1, AccECN's AE being the ninth).
 */
const FIELD_OFFSET_FLAGS = 12;
const FIELD_WINDOW = 14;
const FIELD_CHECKSUM = 16;
const FIELD_URGENT = 18;
const FIELD_OPTIONS = 20;

/**
 * The fixed header's fields by offset, for writers that read a header known whole (not
 * `truncated`) straight from its `dataView` at its `offset`, without a getter's bounds check
 * for each field.
 */
export const TCP_FIELD_OFFSETS = {
  sourcePort: FIELD_SOURCE_PORT,
  destinationPort: FIELD_DESTINATION_PORT,
  sequence: FIELD_SEQUENCE,
  acknowledgment: FIELD_ACKNOWLEDGMENT,
  offsetAndFlags: FIELD_OFFSET_FLAGS,
  window: FIELD_WINDOW,
  checksum: FIELD_CHECKSUM,
  urgent: FIELD_URGENT,
} as const;

/** Header length in bytes, from the data offset and flags word (its high nibble × 4). */
export function tcpDataOffset(offsetAndFlags: number): number {
  return (offsetAndFlags >>> 12) * 4;
}

/** The twelve bits after the data offset in that word: flags and reserved bits (`flagWord`). */
export function tcpFlagWord(offsetAndFlags: number): number {
  return offsetAndFlags & 0x0fff;
}

/** NOP, NOP, then the kind and length of a timestamp option (10), as one 32-bit word. */
const NOP_NOP_TIMESTAMP = 0x0101080a;
/** The header length with those options: 20 bytes and 12 of options. */
const NOP_NOP_TIMESTAMP_HEADER = 32;
/** Where the timestamp option starts after the two NOPs. */
const ONLY_TIMESTAMP = FIELD_OPTIONS + 2;

// Where an option's fields lie, from its kind byte at 0 (RFC 9293 section 3.2).
const OPTION_LENGTH = 1;
/** The value (MSS, window scale shift, timestamps, SACK edges) follows kind and length. */
const OPTION_VALUE = 2;
/** The timestamp echo reply, after the 4-byte value (RFC 7323 section 3). */
const OPTION_TSECR = 6;
/** A SACK block: left and right edges, 4 bytes each (RFC 2018 section 3). */
const OPTION_SACK_BLOCK = 8;

/** FIN: no more data from sender. */
export const TCP_FIN = 0x001;
/** SYN: synchronise sequence numbers. */
export const TCP_SYN = 0x002;
/** RST: reset the connection. */
export const TCP_RST = 0x004;
/** PSH: push function. */
export const TCP_PSH = 0x008;
/** ACK: the acknowledgment field is significant. */
export const TCP_ACK = 0x010;
/** URG: the urgent pointer is significant. */
export const TCP_URG = 0x020;
/** ECE: ECN echo (RFC 3168). */
export const TCP_ECE = 0x040;
/** CWR: congestion window reduced (RFC 3168). */
export const TCP_CWR = 0x080;
/** NS: ECN nonce (RFC 3540, historic). */
export const TCP_NS = 0x100;

/** Where the three reserved bits lie in the data offset and flags word, and their mask. */
const TCP_RESERVED_SHIFT = 9;
const TCP_RESERVED_MASK = 0b111;

/** The nine flags as booleans: the JSON `tcp.flags` object. */
export interface TcpFlags {
  /** NS (ECN nonce). */
  ns: boolean;
  /** CWR: congestion window reduced. */
  cwr: boolean;
  /** ECE: ECN echo. */
  ece: boolean;
  /** URG: urgent pointer significant. */
  urg: boolean;
  /** ACK flag (or acknowledgment number). */
  ack: boolean;
  /** PSH: push. */
  psh: boolean;
  /** RST: reset. */
  rst: boolean;
  /** SYN: synchronise. */
  syn: boolean;
  /** FIN: finished. */
  fin: boolean;
}

/**
 * tcpdump's letters in the order it prints them, which is the bits' from the lowest (tcpdump
 * 4.99 prints `[FS]`, `[RP]`, `[S.E]`, `[.W]`); then `N` for NS, which tcpdump leaves out.
 */
const FLAG_LETTERS: ReadonlyArray<readonly [number, string]> = [
  [TCP_FIN, "F"],
  [TCP_SYN, "S"],
  [TCP_RST, "R"],
  [TCP_PSH, "P"],
  [TCP_ACK, "."],
  [TCP_URG, "U"],
  [TCP_ECE, "E"],
  [TCP_CWR, "W"],
  [TCP_NS, "N"],
];

const FLAG_TEXTS: readonly string[] = Array.from({ length: 512 }, (_, bits) => {
  let text = "";
  for (const [bit, letter] of FLAG_LETTERS) if (bits & bit) text += letter;
  return text === "" ? "none" : text;
});

/**
 * The flags as tcpdump prints them between brackets (`S`, `S.`, `P.`, `none`), from the nine
 * flag bits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TCP_ACK, TCP_PSH, tcpFlagText } from "./mod.ts";
 * assert.deepEqual(tcpFlagText(TCP_PSH | TCP_ACK), "P.");
 * ```
 */
export function tcpFlagText(bits: number): string {
  return FLAG_TEXTS[bits & 0x01ff];
}

/** The JSON form of a TCP header (docs/json.md). */
export interface TcpJson {
  /** Source port (TCP/UDP). */
  srcPort: number;
  /** Destination port (TCP/UDP). */
  dstPort: number;
  /** Sequence number, absolute. */
  seq: number;
  /** ACK flag (or acknowledgment number). */
  ack: number;
  /** Header length in bytes. */
  dataOffset: number;
  /** The flags, each a boolean. */
  flags: TcpFlags;
  /** The three reserved bits, as a number from 0 to 7. */
  reserved: number;
  /** Window as sent. */
  window: number;
  /** Checksum as transmitted. */
  checksum: number;
  /** Whether the checksum is right; null when it cannot be verified. */
  checksumOk: boolean | null;
  /** Urgent pointer. */
  urgent: number;
  /** Bytes of payload. */
  payloadLength: number;
  /** Options, in order. */
  options: TcpOption[];
}

/** The JSON form of a transport header cut short: only the ports, which were captured. */
export interface TruncatedPortsJson {
  /** Source port (TCP/UDP). */
  srcPort: number;
  /** Destination port (TCP/UDP). */
  dstPort: number;
  /** The header was cut short by the snapshot length. */
  truncated: true;
}

/** TCP option kinds (IANA "TCP Option Kind Numbers"). */
export const TCPOPT_EOL = 0;
/** No-operation (padding). */
export const TCPOPT_NOP = 1;
/** Maximum segment size (RFC 9293). */
export const TCPOPT_MSS = 2;
/** Window scale (RFC 7323). */
export const TCPOPT_WSCALE = 3;
/** SACK permitted (RFC 2018). */
export const TCPOPT_SACK_PERMITTED = 4;
/** SACK blocks (RFC 2018). */
export const TCPOPT_SACK = 5;
/** Timestamps (RFC 7323). */
export const TCPOPT_TIMESTAMP = 8;

/** One TCP option, as found in the header. */
export interface TcpOption {
  /** The option kind. */
  kind: number;
  /** `eol`, `nop`, `mss`, `wscale`, `sackOK`, `sack`, `TS`, or `unknown`. */
  name: string;
  /** Length including kind and length octets (1 for EOL and NOP). */
  length: number;
  /** MSS in bytes, or the window scale shift count. */
  value?: number;
  /** SACK blocks: left and right edges, absolute. */
  blocks?: [number, number][];
  /** Timestamp value and echo reply. */
  tsval?: number;
  /** Timestamp echo reply. */
  tsecr?: number;
  /** The bytes of an option netpeek does not know, as hex. */
  data?: string;
  /** Set when the option runs past the header or has an impossible length. */
  malformed?: true;
}

/**
 * An option kind's name as JSON and text show it: `eol`, `nop`, `mss`, `wscale`, `sackOK`,
 * `sack`, `TS`, `mptcp`, `tfo`, or `unknown`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tcpOptionName } from "./mod.ts";
 * assert.deepEqual([tcpOptionName(2), tcpOptionName(8), tcpOptionName(99)], ["mss", "TS", "unknown"]);
 * ```
 */
export function tcpOptionName(kind: number): string {
  return OPTION_NAMES[kind] ?? "unknown";
}

const OPTION_NAMES: Record<number, string> = {
  [TCPOPT_EOL]: "eol",
  [TCPOPT_NOP]: "nop",
  [TCPOPT_MSS]: "mss",
  [TCPOPT_WSCALE]: "wscale",
  [TCPOPT_SACK_PERMITTED]: "sackOK",
  [TCPOPT_SACK]: "sack",
  [TCPOPT_TIMESTAMP]: "TS",
  30: "mptcp",
  34: "tfo",
};

/** A view of one TCP header. */
export class TcpHeader extends ChecksummedView {
  /** The IP protocol number the pseudo-header carries. */
  protected readonly protocolNumber: number = IPPROTO_TCP;
  /** Offset of the checksum field within the header. */
  protected readonly checksumOffset: number = FIELD_CHECKSUM;

  /** As `HeaderView.bind`, but a header shorter than 20 bytes is `truncated` however bound. */
  override bind(view: DataView, offset: number, end: number): this {
    super.bind(view, offset, end);
    this.truncated = end - offset < TCP_MIN_HEADER_LENGTH;
    return this;
  }

  /** Source port. */
  get srcPort(): number {
    return this.u16(FIELD_SOURCE_PORT);
  }

  /** Destination port. */
  get dstPort(): number {
    return this.u16(FIELD_DESTINATION_PORT);
  }

  /** Sequence number (absolute). */
  get seq(): number {
    return this.u32(FIELD_SEQUENCE);
  }

  /** Acknowledgment number (absolute). */
  get ack(): number {
    return this.u32(FIELD_ACKNOWLEDGMENT);
  }

  /**
   * Header length in bytes (data offset × 4), read from its byte alone, so that a header cut
   * right after that byte still has it.
   */
  get dataOffset(): number {
    return tcpDataOffset(this.u8(FIELD_OFFSET_FLAGS) << 8);
  }

  /** The nine flag bits (NS is bit 8), as a number to test with `TCP_SYN` and friends. */
  get flagBits(): number {
    return this.u16(FIELD_OFFSET_FLAGS) & 0x01ff;
  }

  /** The three reserved bits (bits 9 to 11 of the word), 0 to 7: zero unless a sender sets them. */
  get reservedBits(): number {
    return (this.u16(FIELD_OFFSET_FLAGS) >>> TCP_RESERVED_SHIFT) & TCP_RESERVED_MASK;
  }

  /** The twelve bits after the data offset, flags and reserved bits: tshark's `tcp.flags`. */
  get flagWord(): number {
    return tcpFlagWord(this.u16(FIELD_OFFSET_FLAGS));
  }

  /** The flags as tcpdump prints them between brackets: `S`, `S.`, `P.`, `F.`, `R`, … */
  get flagText(): string {
    return FLAG_TEXTS[this.flagBits];
  }

  /** The flags as named booleans. */
  get flags(): TcpFlags {
    const bits = this.flagBits;
    return {
      ns: (bits & TCP_NS) !== 0,
      cwr: (bits & TCP_CWR) !== 0,
      ece: (bits & TCP_ECE) !== 0,
      urg: (bits & TCP_URG) !== 0,
      ack: (bits & TCP_ACK) !== 0,
      psh: (bits & TCP_PSH) !== 0,
      rst: (bits & TCP_RST) !== 0,
      syn: (bits & TCP_SYN) !== 0,
      fin: (bits & TCP_FIN) !== 0,
    };
  }

  /** Receive window as sent (not scaled). */
  get window(): number {
    return this.u16(FIELD_WINDOW);
  }

  /** Checksum as transmitted. */
  get checksum(): number {
    return this.u16(FIELD_CHECKSUM);
  }

  /** Urgent pointer. */
  get urgent(): number {
    return this.u16(FIELD_URGENT);
  }

  /** Absolute offset of the first option (in `dataView`). */
  get optionsAt(): number {
    return this.offset + FIELD_OPTIONS;
  }

  /**
   * What makes the header unusable past its fixed part, or `undefined`: a data offset below
   * the fixed header's 20 bytes.
   */
  get headerProblem(): string | undefined {
    const dataOffset = this.dataOffset;
    if (dataOffset >= TCP_MIN_HEADER_LENGTH) return undefined;
    return `data offset ${dataOffset} is below ${TCP_MIN_HEADER_LENGTH}`;
  }

  /**
   * Whether the options are exactly NOP, NOP, timestamps: Linux's on every segment after the
   * handshake, which writers print without walking them (`onlyTsval`, `onlyTsecr`).
   */
  get optionsAreNopNopTimestamp(): boolean {
    // Every JSON line of a TCP segment asks: read the bytes directly once the length is known.
    const view = this.view;
    const at = this.offset;
    return this.end - at >= NOP_NOP_TIMESTAMP_HEADER &&
      view.getUint8(at + FIELD_OFFSET_FLAGS) >>> 4 === NOP_NOP_TIMESTAMP_HEADER / 4 &&
      view.getUint32(at + FIELD_OPTIONS) === NOP_NOP_TIMESTAMP;
  }

  /** With `optionsAreNopNopTimestamp`: the timestamp value. */
  get onlyTsval(): number {
    return this.view.getUint32(this.offset + ONLY_TIMESTAMP + OPTION_VALUE);
  }

  /** With `optionsAreNopNopTimestamp`: the timestamp echo reply. */
  get onlyTsecr(): number {
    return this.view.getUint32(this.offset + ONLY_TIMESTAMP + OPTION_TSECR);
  }

  /** The options in order (allocates; not for hot paths). Stops at a malformed one. */
  get options(): TcpOption[] {
    const options: TcpOption[] = [];
    const view = this.view;
    const walk = new TcpOptionWalk().start(this);
    while (walk.next()) {
      const { kind, length, at } = walk;
      const name = tcpOptionName(kind);
      const option: TcpOption = { kind, name, length };
      if (walk.hasExpectedLength) {
        if (kind === TCPOPT_MSS) option.value = walk.u16(OPTION_VALUE);
        else if (kind === TCPOPT_WSCALE) option.value = view.getUint8(at + OPTION_VALUE);
        else if (kind === TCPOPT_TIMESTAMP) {
          option.tsval = walk.u32(OPTION_VALUE);
          option.tsecr = walk.u32(OPTION_TSECR);
        } else if (kind === TCPOPT_SACK) {
          option.blocks = [];
          for (let block = 0; block < walk.sackBlocks; block++) {
            option.blocks.push([walk.sackLeft(block), walk.sackRight(block)]);
          }
        }
      } else if (kind !== TCPOPT_SACK) {
        option.malformed = true;
      }
      if (name === "unknown" && length > OPTION_VALUE) option.data = walk.dataHex;
      options.push(option);
    }
    if (walk.malformed) {
      options.push({
        kind: walk.kind,
        name: tcpOptionName(walk.kind),
        length: walk.length,
        malformed: true,
      });
    }
    return options;
  }

  /** The window scale shift from a `wscale` option (at most 14), or -1 when there is none. */
  get windowScale(): number {
    const walk = WINDOW_SCALE_WALK.start(this);
    while (walk.next()) {
      if (walk.kind === TCPOPT_WSCALE && walk.hasExpectedLength) {
        return Math.min(this.view.getUint8(walk.at + OPTION_VALUE), 14);
      }
    }
    return -1;
  }

  /**
   * Bytes of data after the header, by the IP lengths (not by what was captured); set by the
   * decoder, which knows the network layer's length.
   */
  payloadLength = 0;

  /** The documented JSON form (see docs/json.md). */
  toJSON(): TcpJson | TruncatedPortsJson {
    if (this.truncated) return { srcPort: this.srcPort, dstPort: this.dstPort, truncated: true };
    return {
      srcPort: this.srcPort,
      dstPort: this.dstPort,
      seq: this.seq,
      ack: this.ack,
      dataOffset: this.dataOffset,
      flags: this.flags,
      reserved: this.reservedBits,
      window: this.window,
      checksum: this.checksum,
      checksumOk: this.checksumOk,
      urgent: this.urgent,
      payloadLength: this.payloadLength,
      options: this.options,
    };
  }
}

/**
 * Steps through a TCP header's options without allocating: the output writers' fast path
 * (`TcpHeader.options` is the friendly form). After `next()` returns true, `kind`, `length`
 * and `at` (absolute offset in the header's `dataView`) describe one option. It returns
 * false after an end-of-list option, at the end of the header, and at an option whose length
 * is impossible, which also sets `malformed`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TcpHeader, TcpOptionWalk } from "./mod.ts";
 * const bytes = new Uint8Array(24);
 * bytes[12] = 0x60; // data offset 24: one 4-byte option
 * bytes.set([2, 4, 0x05, 0xb4], 20); // MSS 1460
 * const tcp = new TcpHeader().bind(new DataView(bytes.buffer), 0, 24);
 * const walk = new TcpOptionWalk().start(tcp);
 * const found: [number, number][] = [];
 * while (walk.next()) found.push([walk.kind, walk.length]);
 * assert.deepEqual(found, [[2, 4]]);
 * ```
 */
export class TcpOptionWalk {
  /** The option's kind (`TCPOPT_MSS`, …). */
  kind: number = -1;
  /** The option's length in bytes, kind and length bytes included (1 for NOP and EOL). */
  length = 0;
  /** Absolute offset of the option's kind byte. */
  at = 0;
  /** Whether the walk stopped at an option whose length is impossible. */
  malformed = false;
  #view: DataView = new DataView(new ArrayBuffer(0));
  #end = 0;
  #next = 0;

  /** Starts at the header's first option. */
  start(tcp: TcpHeader): this {
    this.#view = tcp.dataView;
    this.#end = Math.min(tcp.offset + tcp.dataOffset, tcp.end);
    this.#next = tcp.optionsAt;
    this.kind = -1;
    this.malformed = false;
    return this;
  }

  /**
   * Whether the option has the length its kind requires (MSS 4, window scale 3, SACK
   * permitted 2, timestamps 10, SACK 2 and whole 8-byte blocks). Always true for other kinds.
   */
  get hasExpectedLength(): boolean {
    const length = this.length;
    switch (this.kind) {
      case TCPOPT_MSS:
        return length === 4;
      case TCPOPT_WSCALE:
        return length === 3;
      case TCPOPT_SACK_PERMITTED:
        return length === 2;
      case TCPOPT_TIMESTAMP:
        return length === 10;
      case TCPOPT_SACK:
        return (length - OPTION_VALUE) % OPTION_SACK_BLOCK === 0;
      default:
        return true;
    }
  }

  /** A 16-bit field `at` bytes into the option (the MSS's value at 2). */
  u16(at: number): number {
    return this.#view.getUint16(this.at + at);
  }

  /** A 32-bit field `at` bytes into the option (a timestamp's value at 2, echo at 6). */
  u32(at: number): number {
    return this.#view.getUint32(this.at + at);
  }

  /** The option's value as a number: the MSS, or the window scale shift. */
  get value(): number {
    return this.kind === TCPOPT_MSS
      ? this.u16(OPTION_VALUE)
      : this.#view.getUint8(this.at + OPTION_VALUE);
  }

  /** The timestamp option's value. */
  get tsval(): number {
    return this.u32(OPTION_VALUE);
  }

  /** The timestamp option's echo reply. */
  get tsecr(): number {
    return this.u32(OPTION_TSECR);
  }

  /** How many blocks a SACK option of the expected length holds. */
  get sackBlocks(): number {
    return (this.length - OPTION_VALUE) / OPTION_SACK_BLOCK;
  }

  /** The left edge of SACK block `block`. */
  sackLeft(block: number): number {
    return this.u32(OPTION_VALUE + block * OPTION_SACK_BLOCK);
  }

  /** The right edge of SACK block `block`. */
  sackRight(block: number): number {
    return this.u32(OPTION_VALUE + block * OPTION_SACK_BLOCK + 4);
  }

  /** The bytes after kind and length, as lowercase hex (for options netpeek does not know). */
  get dataHex(): string {
    let hex = "";
    for (let i = this.at + OPTION_VALUE; i < this.at + this.length; i++) {
      hex += this.#view.getUint8(i).toString(16).padStart(2, "0");
    }
    return hex;
  }

  /** Moves to the next option; false when there is none. */
  next(): boolean {
    const at = this.#next;
    if (this.kind === TCPOPT_EOL || at >= this.#end) return false;
    const kind = this.#view.getUint8(at);
    this.at = at;
    this.kind = kind;
    if (kind === TCPOPT_EOL || kind === TCPOPT_NOP) {
      this.length = 1;
      this.#next = at + 1;
      return true;
    }
    const length = at + OPTION_LENGTH < this.#end ? this.#view.getUint8(at + OPTION_LENGTH) : 0;
    if (length < OPTION_VALUE || at + length > this.#end) {
      this.length = length;
      this.malformed = true;
      return false;
    }
    this.length = length;
    this.#next = at + length;
    return true;
  }
}

/** The walk `windowScale` reuses (it runs on every SYN the analysis sees). */
const WINDOW_SCALE_WALK = new TcpOptionWalk();

/** A field of a header captured past its fixed part (ports alone otherwise). */
const whole = <T>(tcp: TcpHeader, read: (tcp: TcpHeader) => T): T | undefined =>
  tcp.truncated ? undefined : read(tcp);
/** The first option of `kind`, as the options getter reads it. */
const option = (tcp: TcpHeader, kind: number) =>
  tcp.truncated ? undefined : tcp.options.find((found) => found.kind === kind);
const sackEdges = (tcp: TcpHeader, side: 0 | 1) =>
  option(tcp, TCPOPT_SACK)?.blocks?.map((block) => block[side]);

/**
 * The kinds of the options, as tshark lists them: after an end-of-list, each zero byte that
 * follows it (up to the first that is not zero) counts as one more.
 */
function optionKinds(tcp: TcpHeader): number[] {
  const options = tcp.options;
  const kinds = options.map((found) => found.kind);
  const last = options.at(-1);
  if (last === undefined || last.kind !== TCPOPT_EOL || last.malformed) return kinds;
  let at = tcp.optionsAt;
  for (const found of options) at += found.length;
  const end = Math.min(tcp.end, tcp.offset + tcp.dataOffset);
  const view = tcp.dataView;
  for (; at < end && view.getUint8(at) === TCPOPT_EOL; at++) kinds.push(TCPOPT_EOL);
  return kinds;
}

/** TCP's fields under tshark's names (`tcp.seq_raw`: the absolute numbers). */
export const TCP_FIELDS: FieldTable<TcpHeader> = {
  "tcp.srcport": (tcp) => tcp.srcPort,
  "tcp.dstport": (tcp) => tcp.dstPort,
  "tcp.seq_raw": (tcp) => whole(tcp, (t) => t.seq),
  "tcp.ack_raw": (tcp) => whole(tcp, (t) => t.ack),
  "tcp.hdr_len": (tcp) => whole(tcp, (t) => t.dataOffset),
  "tcp.flags": (tcp) => whole(tcp, (t) => t.flagWord),
  "tcp.window_size_value": (tcp) => whole(tcp, (t) => t.window),
  "tcp.urgent_pointer": (tcp) => whole(tcp, (t) => t.urgent),
  "tcp.len": (tcp) => whole(tcp, (t) => t.payloadLength),
  "tcp.option_kind": (tcp) => {
    const kinds = whole(tcp, optionKinds);
    return kinds?.length ? kinds : undefined;
  },
  "tcp.options.mss_val": (tcp) => option(tcp, TCPOPT_MSS)?.value,
  "tcp.options.wscale.shift": (tcp) => option(tcp, TCPOPT_WSCALE)?.value,
  "tcp.options.sack_le": (tcp) => sackEdges(tcp, 0),
  "tcp.options.sack_re": (tcp) => sackEdges(tcp, 1),
  "tcp.options.timestamp.tsval": (tcp) => option(tcp, TCPOPT_TIMESTAMP)?.tsval,
  "tcp.options.timestamp.tsecr": (tcp) => option(tcp, TCPOPT_TIMESTAMP)?.tsecr,
  "tcp.checksum.status": (tcp) => whole(tcp, (t) => checksumStatus(t.checksumOk)),
};

/**
 * The JSON object's keys in their order: `toJSON`, the fast JSON writer and docs/json.md follow
 * this one declaration (tests/json_keys_test.ts holds all three to it). A key may be absent
 * from an object, never out of order.
 */
export const TCP_JSON_KEYS: readonly string[] = [
  "srcPort",
  "dstPort",
  "seq",
  "ack",
  "dataOffset",
  "flags",
  "reserved",
  "window",
  "checksum",
  "checksumOk",
  "urgent",
  "payloadLength",
  "options",
  "analysis",
  "truncated",
] as const;

/** Where each JSON key's bytes lie in the header (RFC 9293 section 3.1). */
export const TCP_FIELD_PLACES: FieldPlaces<TcpHeader> = {
  srcPort: [FIELD_SOURCE_PORT, 2],
  dstPort: [FIELD_DESTINATION_PORT, 2],
  seq: [FIELD_SEQUENCE, 4],
  ack: [FIELD_ACKNOWLEDGMENT, 4],
  dataOffset: [FIELD_OFFSET_FLAGS, 1],
  flags: [FIELD_OFFSET_FLAGS, 2],
  reserved: [FIELD_OFFSET_FLAGS, 1],
  window: [FIELD_WINDOW, 2],
  checksum: [FIELD_CHECKSUM, 2],
  checksumOk: [FIELD_CHECKSUM, 2],
  urgent: [FIELD_URGENT, 2],
  options: (tcp) =>
    tcp.dataOffset > FIELD_OPTIONS ? [FIELD_OPTIONS, tcp.dataOffset - FIELD_OPTIONS] : undefined,
};
