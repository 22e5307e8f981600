/**
 * The packets the live view can show: each frame copied with its record header, numbered
 * from 1, kept up to a byte budget (the oldest go first, and are counted), with the numbers
 * of those that pass the view's display filter. The filter sees each frame as `-Y` does,
 * followed by one `FlowTracker` in arrival order; a new filter is run over the frames kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PacketStore } from "./packet_store.ts";
 * const store = new PacketStore(1 << 20);
 * const frame = new Uint8Array([0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
 * const header = { seconds: 1, fraction: 0, nanosecond: false, caplen: 20, len: 20 };
 * store.add(frame, 0, header, 101); // LINKTYPE_RAW
 * store.add(frame, 0, header, 101);
 * store.setFilter("ip.ttl == 64");
 * assert.deepEqual([store.count, store.shown.length, store.packet(2)?.number], [2, 2, 2]);
 * store.setFilter("ip.ttl == 1");
 * assert.equal(store.shown.length, 0);
 * ```
 * @module
 */

import { FlowTracker } from "../analysis/flows.ts";
import { Decoder } from "../decode/mod.ts";
import type { FrameHeader } from "../frame.ts";
import { type CompiledFilter, compileFilter } from "../filter/compile.ts";
import { FilterFrame } from "../filter/frame.ts";

/** A frame kept, with what it was captured with. */
export interface StoredPacket {
  /** Counted from 1 in arrival order. */
  number: number;
  bytes: Uint8Array;
  header: FrameHeader;
  linkType: number;
}

/**
 * A capture file the frames can be read from again: packets from it are kept as their place
 * in the file (about 40 bytes each), not as copies, so a large file is listed whole.
 */
export interface FrameFile {
  /** The `length` bytes at `offset` of the file. */
  readAt(offset: number, length: number): Uint8Array;
}

/** Bytes a kept packet costs besides its frame (the record, its header, the index). */
const PACKET_OVERHEAD = 160;
/** Bytes a packet kept as its place in a file costs (the index's columns). */
const FILE_PACKET_BYTES = 40;

/** The index of packets kept as places in a file: one column a field. */
class FileIndex {
  seconds = new Float64Array(1024);
  fraction = new Uint32Array(1024);
  caplen = new Uint32Array(1024);
  len = new Uint32Array(1024);
  linkType = new Uint16Array(1024);
  at = new Float64Array(1024);
  nanosecond = false;
  length = 0;

  push(header: FrameHeader, linkType: number, at: number): void {
    if (this.length === this.seconds.length) this.#grow();
    const i = this.length++;
    this.seconds[i] = header.seconds;
    this.fraction[i] = header.fraction;
    this.caplen[i] = header.caplen;
    this.len[i] = header.len;
    this.linkType[i] = linkType;
    this.at[i] = at;
    this.nanosecond = header.nanosecond;
  }

  #grow(): void {
    const size = this.seconds.length * 2;
    const grown = <T extends Float64Array | Uint32Array | Uint16Array>(
      old: T,
      make: (n: number) => T,
    ) => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.seconds = grown(this.seconds, (n) => new Float64Array(n));
    this.fraction = grown(this.fraction, (n) => new Uint32Array(n));
    this.caplen = grown(this.caplen, (n) => new Uint32Array(n));
    this.len = grown(this.len, (n) => new Uint32Array(n));
    this.linkType = grown(this.linkType, (n) => new Uint16Array(n));
    this.at = grown(this.at, (n) => new Float64Array(n));
  }
}

/** Packets kept up to a budget, and those the filter shows. */
export class PacketStore {
  readonly #budget: number;
  /** Live: the copies kept, oldest first from `#first`. */
  #packets: StoredPacket[] = [];
  /** Index in `#packets` of the oldest kept. */
  #first = 0;
  #bytes = 0;
  /** A file: the places of the packets kept, and the file. */
  readonly #file: FrameFile | undefined;
  readonly #index = new FileIndex();
  /** Packets let go to stay in the budget (live), or not indexed past it (a file). */
  evicted = 0;
  /** Packets and bytes added (frames' lengths on the wire). */
  count = 0;
  wireBytes = 0;
  /** Numbers of the packets kept that pass the filter, ascending. */
  shown: number[] = [];
  #filter: CompiledFilter | undefined;
  #filterText = "";
  readonly #decoder = new Decoder();
  #flows = new FlowTracker({ summary: true, analysis: true, streams: true });
  readonly #frame = new FilterFrame();

  /** `file`: the packets come from it, and are kept as their places in it. */
  constructor(budget: number, file?: FrameFile) {
    this.#budget = budget;
    this.#file = file;
  }

  /** The display filter in force ("" for none). */
  get filterText(): string {
    return this.#filterText;
  }

  /** The flows of every packet added, for the conversations and talkers views. */
  get flows(): FlowTracker {
    return this.#flows;
  }

  /**
   * Keeps the frame of `header.caplen` bytes at `offset` in `bytes`: a copy, or (from a
   * file) `fileOffset`, its place in the file.
   */
  add(
    bytes: Uint8Array,
    offset: number,
    header: FrameHeader,
    linkType: number,
    fileOffset?: number,
  ): void {
    const number = ++this.count;
    this.wireBytes += header.len;
    if (this.#file !== undefined && fileOffset !== undefined) {
      if ((this.#index.length + 1) * FILE_PACKET_BYTES > this.#budget) {
        this.evicted++; // the index is full: the rest of the file is not listed
        return;
      }
      this.#index.push(header, linkType, fileOffset);
      if (this.#follow(bytes, offset, header, linkType)) this.shown.push(number);
      return;
    }
    const packet: StoredPacket = {
      number,
      bytes: bytes.slice(offset, offset + header.caplen),
      header: { ...header },
      linkType,
    };
    this.#packets.push(packet);
    this.#bytes += packet.bytes.length + PACKET_OVERHEAD;
    if (this.#follow(packet.bytes, 0, packet.header, linkType)) this.shown.push(number);
    while (this.#bytes > this.#budget && this.#first < this.#packets.length - 1) {
      const old = this.#packets[this.#first++];
      this.#bytes -= old.bytes.length + PACKET_OVERHEAD;
      this.evicted++;
      if (this.shown[0] === old.number) this.shown.shift();
    }
    if (this.#first > 65536 && this.#first * 2 > this.#packets.length) {
      this.#packets = this.#packets.slice(this.#first);
      this.#first = 0;
    }
  }

  /** Follows the frame in the flows; whether it passes the filter. */
  #follow(
    bytes: Uint8Array,
    offset: number,
    header: FrameHeader,
    linkType: number,
    flows = this.#flows,
  ): boolean {
    const packet = this.#decoder.decodeAt(bytes, offset, header.caplen, linkType, header.len);
    const analysis = flows.observe(packet, header);
    const filter = this.#filter;
    if (filter === undefined) return true;
    const frame = this.#frame;
    frame.next(packet, header);
    frame.followed(analysis, flows);
    return filter.matches(frame);
  }

  /** The packet numbered `number`, if it is kept (from a file: read again). */
  packet(number: number): StoredPacket | undefined {
    if (this.#file !== undefined) {
      const index = this.#index;
      const i = number - 1;
      if (i < 0 || i >= index.length) return undefined;
      return {
        number,
        bytes: this.#file.readAt(index.at[i], index.caplen[i]),
        header: {
          seconds: index.seconds[i],
          fraction: index.fraction[i],
          nanosecond: index.nanosecond,
          caplen: index.caplen[i],
          len: index.len[i],
        },
        linkType: index.linkType[i],
      };
    }
    const oldest = this.#packets[this.#first];
    if (oldest === undefined) return undefined;
    return this.#packets[this.#first + number - oldest.number];
  }

  /**
   * Shows only the packets `expression` selects (`-Y`'s language; "" shows all); throws the
   * filter's `UserError` for an expression that does not compile, keeping the filter before.
   */
  setFilter(expression: string): void {
    const text = expression.trim();
    const filter = text === "" ? undefined : compileFilter(text);
    this.#filter = filter;
    this.#filterText = text;
    // The kept packets run again through fresh flows, as -Y would see them from the first.
    const flows = new FlowTracker({ summary: true, analysis: true, streams: true });
    const shown: number[] = [];
    const first = this.#file !== undefined ? 1 : this.#packets[this.#first]?.number ?? 1;
    const last = this.#file !== undefined ? this.#index.length : this.count;
    for (let number = first; number <= last; number++) {
      const stored = this.packet(number);
      if (stored === undefined) continue;
      if (this.#follow(stored.bytes, 0, stored.header, stored.linkType, flows)) {
        shown.push(number);
      }
    }
    this.#flows = flows;
    this.shown = shown;
  }
}
