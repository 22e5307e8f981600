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

/** Bytes a kept packet costs besides its frame (the record, its header, the index). */
const PACKET_OVERHEAD = 160;

/** Packets kept up to a budget, and those the filter shows. */
export class PacketStore {
  readonly #budget: number;
  #packets: StoredPacket[] = [];
  /** Index in `#packets` of the oldest kept. */
  #first = 0;
  #bytes = 0;
  /** Packets let go to stay in the budget. */
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

  constructor(budget: number) {
    this.#budget = budget;
  }

  /** The display filter in force ("" for none). */
  get filterText(): string {
    return this.#filterText;
  }

  /** The flows of every packet added, for the conversations and talkers views. */
  get flows(): FlowTracker {
    return this.#flows;
  }

  /** Keeps a copy of the frame of `header.caplen` bytes at `offset` in `bytes`. */
  add(bytes: Uint8Array, offset: number, header: FrameHeader, linkType: number): void {
    const packet: StoredPacket = {
      number: ++this.count,
      bytes: bytes.slice(offset, offset + header.caplen),
      header: { ...header },
      linkType,
    };
    this.wireBytes += header.len;
    this.#packets.push(packet);
    this.#bytes += packet.bytes.length + PACKET_OVERHEAD;
    const passes = this.#follow(packet);
    if (passes) this.shown.push(packet.number);
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

  /** Follows the packet in the flows; whether it passes the filter. */
  #follow(stored: StoredPacket, flows = this.#flows): boolean {
    const packet = this.#decoder.decodeAt(
      stored.bytes,
      0,
      stored.bytes.length,
      stored.linkType,
      stored.header.len,
    );
    const analysis = flows.observe(packet, stored.header);
    const filter = this.#filter;
    if (filter === undefined) return true;
    const frame = this.#frame;
    frame.next(packet, stored.header);
    frame.followed(analysis, flows);
    return filter.matches(frame);
  }

  /** The packet numbered `number`, if it is still kept. */
  packet(number: number): StoredPacket | undefined {
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
    for (let index = this.#first; index < this.#packets.length; index++) {
      const stored = this.#packets[index];
      if (this.#follow(stored, flows)) shown.push(stored.number);
    }
    this.#flows = flows;
    this.shown = shown;
  }
}
