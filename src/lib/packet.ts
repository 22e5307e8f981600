/**
 * The packet type the library hands out, from a live capture or a file: the frame's bytes,
 * its header (time, lengths), its link type, and its decoded layers as typed properties.
 *
 * A packet is valid during its iteration only: the bytes and layers are views into a buffer
 * the next packet reuses. `packet.copy()` keeps one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CapturedPacket } from "../../mod.ts";
 * const bytes = new Uint8Array([
 *   0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
 *   8, 0, 0xf7, 0xfe, 0, 1, 0, 1,
 * ]);
 * const packet = CapturedPacket.of(bytes, 101);
 * assert.deepEqual([packet.ipv4?.df, packet.icmp?.typeName], [true, "echo request"]);
 * ```
 * @module
 */

import {
  type ArpPacket,
  Decoder,
  type DecodeStop,
  type DnsMessage,
  type EthernetHeader,
  type IcmpHeader,
  type IgmpMessage,
  type Ipv4Header,
  type Ipv6Header,
  type Packet,
  type SllHeader,
  type TcpHeader,
  type UdpHeader,
  type VlanTag,
} from "../decode/mod.ts";
import { type PacketJson, packetToJson } from "../output/json.ts";
import { TextFormatter, type TextOptions } from "../output/text.ts";
import type { FrameHeader } from "../frame.ts";
import type { FlowTracker } from "../analysis/flows.ts";
import type { TcpAnalysis } from "../analysis/tcp_analysis.ts";

/** A captured or read packet: bytes, header, link type and decoded layers. */
export class CapturedPacket {
  /** The captured bytes (a view: valid until the next packet, unless copied). */
  readonly bytes: Uint8Array;
  /** Time stamp and lengths. */
  readonly header: FrameHeader;
  /** libpcap link type of the bytes. */
  readonly linkType: number;
  readonly #decoder: Decoder;
  #layers: Packet | undefined;
  /** TCP's analysis, when the packets came through a `FlowTracker` (capture and files). */
  #analysis: TcpAnalysis | undefined;

  /**
   * Wraps bytes and a header; `decoder` is reused across packets by capture and files, which
   * also pass the `flows` every packet of the stream goes through in order: TCP's relative
   * numbers and analysis (`toText`) come from there.
   */
  constructor(
    bytes: Uint8Array,
    header: FrameHeader,
    linkType: number,
    decoder: Decoder = new Decoder(),
    flows?: FlowTracker,
  ) {
    this.bytes = bytes;
    this.header = header;
    this.linkType = linkType;
    this.#decoder = decoder;
    if (flows !== undefined) this.#analysis = flows.observe(this.layers, header);
  }

  /**
   * A packet from bytes alone (time now, lengths from the bytes).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CapturedPacket } from "./packet.ts";
   * assert.deepEqual(CapturedPacket.of(new Uint8Array(14), 1).eth?.etherType, 0);
   * ```
   */
  static of(bytes: Uint8Array, linkType: number): CapturedPacket {
    const now = Date.now();
    return new CapturedPacket(bytes, {
      seconds: Math.floor(now / 1000),
      fraction: (now % 1000) * 1000,
      nanosecond: false,
      caplen: bytes.length,
      len: bytes.length,
    }, linkType);
  }

  /** All decoded layers (decoded on first use). */
  get layers(): Packet {
    return this.#layers ??= this.#decoder.decode(this.bytes, this.linkType, this.header.len);
  }

  /** Capture time, to the millisecond (`header` has micro- or nanoseconds). */
  get time(): Date {
    const { seconds, fraction, nanosecond } = this.header;
    return new Date(seconds * 1000 + Math.floor(fraction / (nanosecond ? 1e6 : 1e3)));
  }

  /** Ethernet header. */
  get eth(): EthernetHeader | undefined {
    return this.layers.eth;
  }
  /** Linux cooked header. */
  get sll(): SllHeader | undefined {
    return this.layers.sll;
  }
  /** VLAN tags, outermost first. */
  get vlan(): VlanTag[] {
    return this.layers.vlan;
  }
  /** IPv4 header. */
  get ipv4(): Ipv4Header | undefined {
    return this.layers.ipv4;
  }
  /** IPv6 header. */
  get ipv6(): Ipv6Header | undefined {
    return this.layers.ipv6;
  }
  /** ARP packet. */
  get arp(): ArpPacket | undefined {
    return this.layers.arp;
  }
  /** TCP header. */
  get tcp(): TcpHeader | undefined {
    return this.layers.tcp;
  }
  /** UDP header. */
  get udp(): UdpHeader | undefined {
    return this.layers.udp;
  }
  /** ICMP or ICMPv6 header. */
  get icmp(): IcmpHeader | undefined {
    return this.layers.icmp;
  }
  /** DNS summary. */
  get dns(): DnsMessage | undefined {
    return this.layers.dns;
  }
  /** IGMP message. */
  get igmp(): IgmpMessage | undefined {
    return this.layers.igmp;
  }
  /**
   * The captured bytes after the last header netpeek decoded: a TCP segment's or UDP
   * datagram's data, an ICMP message's body, what an unknown protocol carries (a view, as
   * `bytes` is).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CapturedPacket } from "./packet.ts";
   * const udp = [0x45, 0, 0, 31, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
   *   0x9c, 0x40, 0x13, 0x89, 0, 11, 0, 0, 0x68, 0x69, 0x21];
   * const packet = CapturedPacket.of(new Uint8Array(udp), 101);
   * assert.equal(new TextDecoder().decode(packet.payload), "hi!");
   * ```
   */
  get payload(): Uint8Array {
    return this.bytes.subarray(this.layers.payloadOffset);
  }

  /** TCP's analysis (relative numbers, retransmissions, …) when the packet came from
   * `readCapture` or `capture`, which follow each connection. */
  get tcpAnalysis(): TcpAnalysis | undefined {
    return this.#analysis;
  }

  /** Why decoding stopped early, if it did. */
  get error(): string | undefined {
    return this.layers.error;
  }
  /** The same, structured: the layer, `truncated` or `malformed`, and its offset. */
  get stop(): DecodeStop | undefined {
    return this.layers.stop;
  }

  /**
   * A copy that stays valid after the iteration moves on.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CapturedPacket } from "./packet.ts";
   * const kept = CapturedPacket.of(new Uint8Array([0x45]), 101).copy();
   * assert.deepEqual(kept.bytes.length, 1);
   * ```
   */
  copy(): CapturedPacket {
    const copy = new CapturedPacket(this.bytes.slice(), { ...this.header }, this.linkType);
    copy.#analysis = this.#analysis;
    return copy;
  }

  /** The documented JSON object (docs/json.md), with `tcp.analysis` as the command line's. */
  toJSON(): PacketJson {
    return packetToJson(this.layers, this.header, { analysis: this.#analysis });
  }

  /**
   * The tcpdump-style line (with `options`: `-v`, `-e`, hex dumps), TCP's numbers relative
   * as the command line prints them (for packets from `readCapture` and `capture`).
   */
  toText(options: TextOptions = {}): string {
    return new TextFormatter(options).format(this.layers, this.header, {
      analysis: this.#analysis,
    });
  }
}
