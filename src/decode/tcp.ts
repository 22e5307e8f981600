/**
 * TCP header (RFC 9293 section 3.1): ports, sequence numbers, data offset, the nine flags,
 * window, checksum and urgent pointer. Options and checksum verification come later.
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

import { HeaderView } from "./header.ts";

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
  ns: boolean;
  cwr: boolean;
  ece: boolean;
  urg: boolean;
  ack: boolean;
  psh: boolean;
  rst: boolean;
  syn: boolean;
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

/** The JSON form of a TCP header (docs/json.md). */
export interface TcpJson {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  dataOffset: number;
  flags: TcpFlags;
  window: number;
  checksum: number;
  urgent: number;
  payloadLength: number;
}

/** The JSON form of a transport header cut short: only the ports, which were captured. */
export interface TruncatedPortsJson {
  srcPort: number;
  dstPort: number;
  truncated: true;
}

/** A view of one TCP header. */
export class TcpHeader extends HeaderView {
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
    const bits = this.flagBits;
    let text = "";
    for (const [bit, letter] of FLAG_LETTERS) if (bits & bit) text += letter;
    return text === "" ? "none" : text;
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
      urgent: this.urgent,
      payloadLength: this.payloadLength,
    };
  }
}
