/**
 * What a display filter and `-T fields` read of one frame: its decoded layers, its record
 * header, its number, and what following the stream added (TCP analysis, stream numbers,
 * times relative to the first and the previous frame). One `FilterFrame` is filled per
 * packet and reused, so evaluating a filter allocates nothing for it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { FilterFrame } from "./frame.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 20, 0, 0, 0, 0, 64, 253, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2]), LINKTYPE_RAW);
 * const frame = new FilterFrame();
 * frame.next(packet, { seconds: 10, fraction: 5, nanosecond: false, caplen: 20, len: 20 });
 * frame.next(packet, { seconds: 11, fraction: 0, nanosecond: false, caplen: 20, len: 20 });
 * // 10.000005 s to 11 s: one second less 5 µs, kept as its two parts.
 * assert.deepEqual(
 *   [frame.number, frame.relativeSeconds, frame.relativeNanoseconds, frame.deltaNanoseconds],
 *   [2, 1, -5000, -5000],
 * );
 * ```
 * @module
 */

import type { FlowTracker } from "../analysis/flows.ts";
import type { TcpAnalysis } from "../analysis/tcp_analysis.ts";
import { Decoder, LINKTYPE_RAW, type Packet } from "../decode/mod.ts";
import type { FrameHeader } from "../frame.ts";

/** Nanoseconds in a second. */
export const NANOSECONDS = 1_000_000_000;

/** One frame as the display filter sees it; `next` moves it to the following frame. */
export class FilterFrame {
  /** The decoded layers (valid until the decoder's next frame). */
  packet!: Packet;
  /** The record header: time stamp and lengths. */
  header!: FrameHeader;
  /** `frame.number`: 1 for the first frame read or captured. */
  number = 0;
  /** The TCP analysis of this frame's segment, when the stream was followed. */
  analysis: TcpAnalysis | undefined;
  /** Whether the other side's SYN was seen (tshark's relative `tcp.ack` counts from it). */
  peerIsnSeen = false;
  /** `tcp.stream` and `udp.stream`, or -1 where there is none (or streams are not numbered). */
  tcpStream = -1;
  udpStream = -1;
  /**
   * `frame.time_relative` and `frame.time_delta`, each as whole seconds and nanoseconds (which
   * may differ in sign): a span in nanoseconds alone loses digits past 2^53, some 104 days.
   */
  relativeSeconds = 0;
  relativeNanoseconds = 0;
  deltaSeconds = 0;
  deltaNanoseconds = 0;
  #firstSeconds = Number.NaN;
  #firstNanoseconds = 0;
  #previousSeconds = 0;
  #previousNanoseconds = 0;
  /** Decodes the packets ICMP errors quote; made on the first. */
  #quotedDecoder: Decoder | undefined;

  /** Moves to the next frame: numbers it and sets its times; the caller sets the rest. */
  next(packet: Packet, header: FrameHeader): void {
    this.packet = packet;
    this.header = header;
    this.number++;
    this.analysis = undefined;
    this.tcpStream = -1;
    this.udpStream = -1;
    const seconds = header.seconds;
    const nanoseconds = header.nanosecond ? header.fraction : header.fraction * 1000;
    if (Number.isNaN(this.#firstSeconds)) {
      this.#firstSeconds = seconds;
      this.#firstNanoseconds = nanoseconds;
      this.#previousSeconds = seconds;
      this.#previousNanoseconds = nanoseconds;
    }
    this.relativeSeconds = seconds - this.#firstSeconds;
    this.relativeNanoseconds = nanoseconds - this.#firstNanoseconds;
    this.deltaSeconds = seconds - this.#previousSeconds;
    this.deltaNanoseconds = nanoseconds - this.#previousNanoseconds;
    this.#previousSeconds = seconds;
    this.#previousNanoseconds = nanoseconds;
  }

  /**
   * The packet an ICMP error in `layer` (the frame's innermost) quotes, decoded as a packet of
   * its own, as tshark dissects it: tshark lists its headers' fields (`ip.src`, `udp.dstport`,
   * `dns.qry.name`) after the frame's own, and its protocols are in the frame (`udp` holds for
   * a port unreachable). Undefined when the layer quotes nothing. The packet is valid until the
   * next call (the filter's fields find a frame's layers once: `layersOf` in fields.ts).
   */
  quotedBy(layer: Packet): Packet | undefined {
    const bytes = layer.icmp?.quotedBytes;
    if (bytes === undefined || bytes === null) return undefined;
    this.#quotedDecoder ??= new Decoder();
    return this.#quotedDecoder.decode(bytes, LINKTYPE_RAW);
  }

  /**
   * Sets what following the stream found for this frame: `analysis` is what `flows.observe`
   * just returned for it (stream numbers are -1 unless `flows` numbers streams).
   */
  followed(analysis: TcpAnalysis | undefined, flows: FlowTracker): void {
    this.analysis = analysis;
    this.peerIsnSeen = analysis !== undefined && flows.peerIsnSeen;
    this.tcpStream = flows.tcpStream;
    this.udpStream = flows.udpStream;
  }
}
