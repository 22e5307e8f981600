/**
 * TCP header (RFC 9293 section 3.1): ports, sequence numbers, data offset, the nine flags,
 * window, checksum (verified over the pseudo-header) and urgent pointer, and the options.
 *
 * @example
 * ```ts
 * import { TcpHeader } from "./tcp.ts";
 * const bytes = new Uint8Array([
 *   0x01, 0xbb, 0xc8, 0x22, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
 * ]);
 * const tcp = new TcpHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * console.log(tcp.srcPort, tcp.dstPort, tcp.flagText); // 443 51234 "S"
 * ```
 * @module
 */

import { ChecksummedView } from "./header.ts";
import { IPPROTO_TCP } from "./ipproto.ts";

/** The header without options: 20 bytes. */
export const TCP_MIN_HEADER_LENGTH = 20;

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

/** tcpdump's letters, in its order: S F P R U E W, then `.` for ACK, `N` for NS. */
const FLAG_LETTERS: ReadonlyArray<readonly [number, string]> = [
  [TCP_SYN, "S"],
  [TCP_FIN, "F"],
  [TCP_PSH, "P"],
  [TCP_RST, "R"],
  [TCP_URG, "U"],
  [TCP_ECE, "E"],
  [TCP_CWR, "W"],
  [TCP_ACK, "."],
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
 * import { TCP_ACK, TCP_PSH, tcpFlagText } from "./tcp.ts";
 * console.log(tcpFlagText(TCP_PSH | TCP_ACK)); // "P."
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
  protected readonly checksumOffset: number = 16;

  /** Source port. */
  get srcPort(): number {
    return this.u16(0);
  }

  /** Destination port. */
  get dstPort(): number {
    return this.u16(2);
  }

  /** Sequence number (absolute). */
  get seq(): number {
    return this.u32(4);
  }

  /** Acknowledgment number (absolute). */
  get ack(): number {
    return this.u32(8);
  }

  /** Header length in bytes (data offset × 4). */
  get dataOffset(): number {
    return (this.u8(12) >>> 4) * 4;
  }

  /** The nine flag bits (NS is bit 8), as a number to test with `TCP_SYN` and friends. */
  get flagBits(): number {
    return this.u16(12) & 0x01ff;
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
    return this.u16(14);
  }

  /** Checksum as transmitted. */
  get checksum(): number {
    return this.u16(16);
  }

  /** Urgent pointer. */
  get urgent(): number {
    return this.u16(18);
  }

  /** The options in order (allocates; not for hot paths). Stops at a malformed one. */
  get options(): TcpOption[] {
    const options: TcpOption[] = [];
    const view = this.view;
    const end = Math.min(this.offset + this.dataOffset, this.end);
    let at = this.offset + 20;
    while (at < end) {
      const kind = view.getUint8(at);
      const name = OPTION_NAMES[kind] ?? "unknown";
      if (kind === TCPOPT_EOL || kind === TCPOPT_NOP) {
        options.push({ kind, name, length: 1 });
        at++;
        if (kind === TCPOPT_EOL) break;
        continue;
      }
      const length = at + 1 < end ? view.getUint8(at + 1) : 0;
      if (length < 2 || at + length > end) {
        options.push({ kind, name, length, malformed: true });
        break;
      }
      const option: TcpOption = { kind, name, length };
      if (kind === TCPOPT_MSS && length === 4) option.value = view.getUint16(at + 2);
      else if (kind === TCPOPT_WSCALE && length === 3) option.value = view.getUint8(at + 2);
      else if (kind === TCPOPT_TIMESTAMP && length === 10) {
        option.tsval = view.getUint32(at + 2);
        option.tsecr = view.getUint32(at + 6);
      } else if (kind === TCPOPT_SACK && (length - 2) % 8 === 0) {
        option.blocks = [];
        for (let edge = at + 2; edge < at + length; edge += 8) {
          option.blocks.push([view.getUint32(edge), view.getUint32(edge + 4)]);
        }
      } else if (
        (kind === TCPOPT_MSS || kind === TCPOPT_WSCALE || kind === TCPOPT_TIMESTAMP ||
          kind === TCPOPT_SACK || kind === TCPOPT_SACK_PERMITTED) &&
        length !== ({ 2: 4, 3: 3, 4: 2, 8: 10 } as Record<number, number>)[kind] &&
        kind !== TCPOPT_SACK
      ) {
        option.malformed = true;
      }
      if (name === "unknown" && length > 2) {
        let hex = "";
        for (let i = at + 2; i < at + length; i++) {
          hex += view.getUint8(i).toString(16).padStart(2, "0");
        }
        option.data = hex;
      }
      options.push(option);
      at += length;
    }
    return options;
  }

  /** The window scale shift from a `wscale` option, or -1 when the header has none. */
  get windowScale(): number {
    const view = this.view;
    const end = Math.min(this.offset + this.dataOffset, this.end);
    for (let at = this.offset + 20; at < end;) {
      const kind = view.getUint8(at);
      if (kind === TCPOPT_EOL) break;
      if (kind === TCPOPT_NOP) {
        at++;
        continue;
      }
      const length = at + 1 < end ? view.getUint8(at + 1) : 0;
      if (length < 2 || at + length > end) break;
      if (kind === TCPOPT_WSCALE && length === 3) return Math.min(view.getUint8(at + 2), 14);
      at += length;
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
 * import { TcpHeader, TcpOptionWalk } from "./tcp.ts";
 * const bytes = new Uint8Array(24);
 * bytes[12] = 0x60; // data offset 24: one 4-byte option
 * bytes.set([2, 4, 0x05, 0xb4], 20); // MSS 1460
 * const tcp = new TcpHeader().bind(new DataView(bytes.buffer), 0, 24);
 * const walk = new TcpOptionWalk().start(tcp);
 * while (walk.next()) console.log(walk.kind, walk.length); // 2 4
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
    this.#next = tcp.offset + 20;
    this.kind = -1;
    this.malformed = false;
    return this;
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
    const length = at + 1 < this.#end ? this.#view.getUint8(at + 1) : 0;
    if (length < 2 || at + length > this.#end) {
      this.malformed = true;
      return false;
    }
    this.length = length;
    this.#next = at + length;
    return true;
  }
}
