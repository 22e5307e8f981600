/**
 * IPv4 and IPv6 fragment reassembly (RFC 791 section 3.2, RFC 8200 section 4.5). Fragments
 * of one datagram (same source, destination, protocol and identification) are collected; when
 * all bytes are there, the datagram is rebuilt and decoded up to its transport header.
 * Overlaps and duplicates are counted (the bytes that came first are kept; for IPv6, RFC 5722
 * says an overlap discards the datagram, and so it does here); datagrams that do not complete
 * within the timeout (capture time) are dropped and counted, and memory is bounded: past the
 * limits the oldest pending datagram is dropped and counted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Reassembler } from "./reassembly.ts";
 * const reassembler = new Reassembler({ timeout: 30 });
 * assert.deepEqual(reassembler.stats().pending, 0);
 * ```
 * @module
 */

import { Decoder, LINKTYPE_IPV4, LINKTYPE_IPV6, type Packet } from "../decode/mod.ts";
import { type FrameHeader, frameSeconds } from "../frame.ts";

/** Limits: how long a datagram may wait, and how much may wait at once. */
export interface ReassemblyLimits {
  /** Seconds of capture time before an incomplete datagram is dropped; default 30. */
  timeout?: number;
  /** Most datagrams pending at once; default 1024. */
  maxDatagrams?: number;
  /** Most fragment bytes held at once; default 16 MiB. */
  maxBytes?: number;
}

/** A datagram completed by a fragment. */
export interface Reassembled {
  /** 4 or 6. */
  version: 4 | 6;
  /** The identification shared by the fragments. */
  id: number;
  /** How many fragments made it (duplicates not counted). */
  fragments: number;
  /** The datagram's payload length (the transport header and data). */
  length: number;
  /** Fragments that overlapped earlier ones, and exact duplicates. */
  overlaps: number;
  duplicates: number;
  /** The payload, byte for byte. */
  payload: Uint8Array;
  /** The rebuilt datagram decoded (its `tcp`, `udp`, `icmp`, `dns` layers). */
  packet: Packet;
}

/** Counters for the statistics. */
export interface ReassemblyStats {
  completed: number;
  pending: number;
  timedOut: number;
  /** Dropped to keep within the limits. */
  evicted: number;
  /** IPv6 datagrams discarded for overlapping fragments (RFC 5722). */
  discarded: number;
  overlaps: number;
  duplicates: number;
  /** Fragments that could not be used because the snapshot length cut them. */
  truncated: number;
}

interface Piece {
  offset: number;
  data: Uint8Array;
}

interface Pending {
  version: 4 | 6;
  id: number;
  firstSeen: number;
  pieces: Piece[];
  /** Payload length, known once the last fragment (no MF) arrived. */
  total: number;
  bytes: number;
  /** The IP header to rebuild with (IPv4: the first fragment's; IPv6: the fixed header). */
  header: Uint8Array | undefined;
  /** The upper-layer protocol (IPv6: the fragment header's next header). */
  protocol: number;
  overlaps: number;
  duplicates: number;
  overlapped: boolean;
}

const DEFAULT_LIMITS: Required<ReassemblyLimits> = {
  timeout: 30,
  maxDatagrams: 1024,
  maxBytes: 16 * 1024 * 1024,
};

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Collects fragments; feed it every packet in capture order. */
export class Reassembler {
  readonly #limits: Required<ReassemblyLimits>;
  readonly #pending = new Map<string, Pending>();
  readonly #decoder = new Decoder();
  #bytes = 0;
  readonly #stats: ReassemblyStats = {
    completed: 0,
    pending: 0,
    timedOut: 0,
    evicted: 0,
    discarded: 0,
    overlaps: 0,
    duplicates: 0,
    truncated: 0,
  };

  constructor(limits: ReassemblyLimits = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /**
   * Takes a packet. For a fragment that completes its datagram, returns the datagram (valid
   * until the next call); otherwise `undefined`.
   */
  offer(packet: Packet, header: FrameHeader): Reassembled | undefined {
    const time = frameSeconds(header);
    this.#expire(time);
    const ip4 = packet.ipv4;
    const ip6 = packet.ipv6;
    if (ip4 !== undefined && ip4.isFragment && ip4.headerCaptured && ip4.length >= ip4.ihl) {
      const frame = packet.frame;
      const start = packet.networkOffset;
      const headerEnd = start + ip4.ihl;
      const dataLength = ip4.length - ip4.ihl;
      if (frame.length < headerEnd + dataLength) {
        this.#stats.truncated++;
        return undefined;
      }
      const key = `4|${ip4.srcNumber}|${ip4.dstNumber}|${ip4.protocol}|${ip4.id}`;
      return this.#add(
        key,
        4,
        ip4.id,
        ip4.protocol,
        time,
        {
          offset: ip4.fragOffset,
          data: frame.slice(headerEnd, headerEnd + dataLength),
        },
        !ip4.mf,
        ip4.fragOffset === 0 ? frame.slice(start, headerEnd) : undefined,
      );
    }
    if (ip6 !== undefined && ip6.fragmentHeaderOffset >= 0) {
      const fragment = ip6.fragment!;
      const frame = packet.frame;
      const fragmentHeader = ip6.fragmentHeaderOffset - frame.byteOffset;
      const dataStart = fragmentHeader + 8;
      const dataEnd = packet.networkOffset + 40 + ip6.payloadLength;
      if (frame.length < dataEnd || dataEnd < dataStart) {
        this.#stats.truncated++;
        return undefined;
      }
      const protocol = frame[fragmentHeader];
      const key = `6|${ip6.src}|${ip6.dst}|${fragment.id}`;
      return this.#add(
        key,
        6,
        fragment.id,
        protocol,
        time,
        {
          offset: fragment.offset,
          data: frame.slice(dataStart, dataEnd),
        },
        !fragment.mf,
        frame.slice(packet.networkOffset, packet.networkOffset + 40),
      );
    }
    return undefined;
  }

  #add(
    key: string,
    version: 4 | 6,
    id: number,
    protocol: number,
    time: number,
    piece: Piece,
    last: boolean,
    header: Uint8Array | undefined,
  ): Reassembled | undefined {
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = {
        version,
        id,
        firstSeen: time,
        pieces: [],
        total: -1,
        bytes: 0,
        header: undefined,
        protocol,
        overlaps: 0,
        duplicates: 0,
        overlapped: false,
      };
      this.#pending.set(key, pending);
      while (this.#pending.size > this.#limits.maxDatagrams) this.#evictOldest();
    }
    if (header !== undefined && (pending.header === undefined || version === 4)) {
      pending.header ??= header;
    }
    const end = piece.offset + piece.data.length;
    for (const other of pending.pieces) {
      const otherEnd = other.offset + other.data.length;
      if (piece.offset >= otherEnd || end <= other.offset) continue;
      if (other.offset === piece.offset && equalBytes(other.data, piece.data)) {
        pending.duplicates++;
        this.#stats.duplicates++;
        return undefined; // nothing new
      }
      pending.overlaps++;
      this.#stats.overlaps++;
      pending.overlapped = true;
      break;
    }
    pending.pieces.push(piece);
    pending.bytes += piece.data.length;
    this.#bytes += piece.data.length;
    if (last) pending.total = end;
    while (this.#bytes > this.#limits.maxBytes && this.#pending.size > 0) this.#evictOldest();
    if (!this.#pending.has(key)) return undefined;
    return this.#complete(key, pending);
  }

  #complete(key: string, pending: Pending): Reassembled | undefined {
    if (pending.total < 0 || pending.header === undefined) return undefined;
    // Covered from 0 to the end? Walk the pieces in offset order.
    const sorted = [...pending.pieces].sort((a, b) => a.offset - b.offset);
    let covered = 0;
    for (const piece of sorted) {
      if (piece.offset > covered) return undefined;
      covered = Math.max(covered, piece.offset + piece.data.length);
    }
    if (covered < pending.total) return undefined;
    this.#drop(key, pending);
    if (pending.version === 6 && pending.overlapped) {
      this.#stats.discarded++;
      return undefined;
    }
    // First come, first kept: write the pieces in arrival order, skipping bytes already set.
    const payload = new Uint8Array(pending.total);
    const written = new Uint8Array(pending.total);
    for (const piece of pending.pieces) {
      for (let i = 0; i < piece.data.length; i++) {
        const at = piece.offset + i;
        if (at >= pending.total || written[at]) continue;
        payload[at] = piece.data[i];
        written[at] = 1;
      }
    }
    this.#stats.completed++;
    return {
      version: pending.version,
      id: pending.id,
      fragments: pending.pieces.length,
      length: pending.total,
      overlaps: pending.overlaps,
      duplicates: pending.duplicates,
      payload,
      packet: this.#decode(pending, payload),
    };
  }

  /** Rebuilds an unfragmented datagram around the payload and decodes it. */
  #decode(pending: Pending, payload: Uint8Array): Packet {
    const header = pending.header!;
    const datagram = new Uint8Array(header.length + payload.length);
    datagram.set(header);
    datagram.set(payload, header.length);
    const view = new DataView(datagram.buffer);
    if (pending.version === 4) {
      view.setUint16(2, datagram.length);
      view.setUint16(6, view.getUint16(6) & 0x4000); // keep DF; no MF, offset 0
      return this.#decoder.decode(datagram, LINKTYPE_IPV4);
    }
    view.setUint16(4, payload.length);
    datagram[6] = pending.protocol; // the unfragmentable extension headers are not kept
    return this.#decoder.decode(datagram, LINKTYPE_IPV6);
  }

  #drop(key: string, pending: Pending): void {
    this.#pending.delete(key);
    this.#bytes -= pending.bytes;
  }

  #evictOldest(): void {
    const first = this.#pending.entries().next();
    if (first.done) return;
    this.#drop(first.value[0], first.value[1]);
    this.#stats.evicted++;
  }

  /** Drops datagrams that waited longer than the timeout (the map is in arrival order). */
  #expire(now: number): void {
    for (const [key, pending] of this.#pending) {
      if (now - pending.firstSeen < this.#limits.timeout) break;
      this.#drop(key, pending);
      this.#stats.timedOut++;
    }
  }

  /** The counters so far (`pending`: datagrams still waiting for fragments). */
  stats(): ReassemblyStats {
    return { ...this.#stats, pending: this.#pending.size };
  }
}
