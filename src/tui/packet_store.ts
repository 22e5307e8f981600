/**
 * The packets the live view can show, numbered from 1, with the numbers of those that pass
 * the view's display filter. Live, each frame is copied into one ring of the budget's size
 * (the oldest are overwritten first, and counted) and its record header into an index of
 * columns (40 bytes a packet): nothing is allocated per packet. From a file, only the index
 * is kept, and frames are read again from the file when drawn. The filter sees each frame as `-Y` does,
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
import { PagesAhead } from "../pages_ahead.ts";
import { Spill } from "./spill.ts";

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

/** Bytes a packet's entry in the index costs (its columns). */
const INDEX_BYTES = 40;
/** Frames in the live ring start at multiples of this. */
const ALIGN = 8;
/**
 * With a spill, the ring makes room this much at a time (at most an eighth of it): the frames
 * let go are written on together (the writer's buffer a write), not one write a packet.
 */
const SPILL_BATCH_BYTES = 4 << 20;

/**
 * The packets kept, one column a field, from `first` to `length` (older ones let go): where
 * each frame lies (in the file, or in the live ring) and its record header.
 */
class PacketIndex {
  seconds = new Float64Array(1024);
  fraction = new Uint32Array(1024);
  caplen = new Uint32Array(1024);
  len = new Uint32Array(1024);
  linkType = new Uint16Array(1024);
  at = new Float64Array(1024);
  nanosecond = false;
  /** The oldest entry kept, and the end: entry `i` is packet number `i + 1 + dropped`. */
  first = 0;
  length = 0;
  /** Entries let go and compacted away: packet numbers start after them. */
  dropped = 0;

  push(header: FrameHeader, linkType: number, at: number): void {
    if (this.length === this.seconds.length) this.#makeRoom();
    const i = this.length++;
    this.seconds[i] = header.seconds;
    this.fraction[i] = header.fraction;
    this.caplen[i] = header.caplen;
    this.len[i] = header.len;
    this.linkType[i] = linkType;
    this.at[i] = at;
    this.nanosecond = header.nanosecond;
  }

  /** The number of entry `i`'s packet. */
  numberOf(i: number): number {
    return i + 1 + this.dropped;
  }

  /** The number of the oldest packet kept (one past the last when none is). */
  get firstNumber(): number {
    return this.numberOf(this.first);
  }

  /** The entry of packet `number`, or -1 when it is not kept. */
  entry(number: number): number {
    const i = number - 1 - this.dropped;
    return i >= this.first && i < this.length ? i : -1;
  }

  /** Moves the kept entries to the front when half the columns are let go; else grows. */
  #makeRoom(): void {
    const columns = [this.seconds, this.fraction, this.caplen, this.len, this.linkType, this.at];
    if (this.first * 2 >= this.length) {
      for (const column of columns) column.copyWithin(0, this.first, this.length);
      this.dropped += this.first;
      this.length -= this.first;
      this.first = 0;
      return;
    }
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

/**
 * Packet numbers in ascending order, added at the end and let go at the front, both in
 * constant time (an array's `shift` copies once the array is large).
 */
export class NumberList {
  #numbers = new Uint32Array(1024);
  #first = 0;
  #end = 0;

  /** How many numbers the list holds. */
  get length(): number {
    return this.#end - this.#first;
  }

  /** The `index`th number, from 0; `undefined` past the end. */
  at(index: number): number | undefined {
    return index >= 0 && index < this.length ? this.#numbers[this.#first + index] : undefined;
  }

  push(number: number): void {
    if (this.#end === this.#numbers.length) {
      const kept = this.#numbers.subarray(this.#first, this.#end);
      const next = this.length * 2 > this.#numbers.length
        ? new Uint32Array(this.#numbers.length * 2)
        : this.#numbers;
      next.set(kept);
      this.#numbers = next;
      this.#end -= this.#first;
      this.#first = 0;
    }
    this.#numbers[this.#end++] = number;
  }

  /** Lets the first number go. */
  shift(): void {
    if (this.#first < this.#end) this.#first++;
  }

  /** Lets go of the numbers from `from` up to (not including) `to`. */
  removeRange(from: number, to: number): void {
    const numbers = this.#numbers;
    const lowerBound = (value: number) => {
      let low = this.#first;
      let high = this.#end;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (numbers[middle] < value) low = middle + 1;
        else high = middle;
      }
      return low;
    };
    const start = lowerBound(from);
    const end = lowerBound(to);
    if (start === end) return;
    if (start === this.#first) {
      this.#first = end;
      return;
    }
    numbers.copyWithin(start, end, this.#end);
    this.#end -= end - start;
  }

  toArray(): number[] {
    return Array.from(this.#numbers.subarray(this.#first, this.#end));
  }
}

/** Packets kept up to a budget, and those the filter shows. */
export class PacketStore {
  readonly #budget: number;
  readonly #index = new PacketIndex();
  /** A file: the packets are kept as their places in it, and read again. */
  readonly #file: FrameFile | undefined;
  /** Live: the frames, one after another, the oldest overwritten first. */
  #ring: Uint8Array | undefined;
  #ringAt = 0;
  /** The end of the furthest frame written: the pages past it were never written. */
  #highest = 0;
  readonly #pagesAhead = new PagesAhead();
  /** Live: where the packets the ring lets go are written on (undefined: they are let go). */
  readonly #spillBudget: number;
  #spill: Spill | undefined;
  /**
   * Live, while the view is behind the capture: the packets the ring lets go are let go, not
   * written on (the capture never waits for the disk); `app.ts` sets it from the feed.
   */
  spillPaused = false;
  /** Packets let go here (not written on, or not listed); the spill counts its own. */
  #lost = 0;
  /** The packets let go since the last `#settle`, when not at the front of `shown`: [from, to). */
  #goneFrom = 0;
  #goneTo = 0;
  /** While a new filter catches up: the next packet it runs over (0: none is running). */
  #refiltering = 0;
  /** Packets and bytes added (frames' lengths on the wire). */
  count = 0;
  wireBytes = 0;
  /** Numbers of the packets kept that pass the filter, ascending. */
  shown = new NumberList();
  #filter: CompiledFilter | undefined;
  #filterText = "";
  readonly #decoder = new Decoder();
  #flows = PacketStore.#newFlows(undefined);
  readonly #frame = new FilterFrame();

  /**
   * Keeps up to `budget` bytes of packets; `file`: the packets come from it, and are kept as
   * their places in it (the budget then bounds the index alone). Live, `spillBudget` bytes on
   * disk take the packets the ring lets go (0: none, they are let go).
   */
  constructor(budget: number, file?: FrameFile, spillBudget = 0) {
    this.#budget = budget;
    this.#file = file;
    this.#spillBudget = file === undefined ? spillBudget : 0;
  }

  /** Packets let go to stay in the budgets (memory and disk), or while the view was behind. */
  get evicted(): number {
    return this.#lost + (this.#spill?.dropped ?? 0);
  }

  /** Packets on disk (let go of the ring, written on to the spill). */
  get spilled(): number {
    return this.#spill?.count ?? 0;
  }

  /** Packets the spill answers for, on disk or let go while the view was behind. */
  get spillEntries(): number {
    return this.#spill?.entries ?? 0;
  }

  /** Bytes the spill has on disk. */
  get spillBytes(): number {
    return this.#spill?.diskBytes ?? 0;
  }

  /** Packet `number`'s link type, without its bytes; undefined when it is not kept. */
  linkTypeOf(number: number): number | undefined {
    const i = this.#index.entry(number);
    return i >= 0 ? this.#index.linkType[i] : this.#spill?.linkTypeOf(number);
  }

  /** Why the spill stopped (a write failed), if it did. */
  get spillError(): string | undefined {
    return this.#spill?.error;
  }

  /** Closes the spill's files (the system frees them). */
  close(): void {
    this.#spill?.close();
  }

  /** The oldest packet kept, on disk or in the ring (`count + 1` when none is). */
  get firstKept(): number {
    const spill = this.#spill;
    return spill?.open && spill.end > spill.first ? spill.first : this.#index.firstNumber;
  }

  /** Flows as the filter needs them: the TCP analysis and stream numbers only when it reads them. */
  static #newFlows(filter: CompiledFilter | undefined): FlowTracker {
    return new FlowTracker({
      summary: true,
      analysis: filter?.needsAnalysis ?? false,
      streams: filter?.needsStreams ?? false,
    });
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
   * Keeps the frame of `header.caplen` bytes at `offset` in `bytes`: a copy in the ring, or
   * (from a file) `fileOffset`, its place in the file.
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
    const index = this.#index;
    if (this.#file !== undefined && fileOffset !== undefined) {
      if ((index.length - index.first + 1) * INDEX_BYTES > this.#budget) {
        this.#lost++; // the index is full: the rest of the file is not listed
        return;
      }
      index.push(header, linkType, fileOffset);
    } else {
      index.push(header, linkType, this.#copy(bytes, offset, header.caplen));
    }
    // While a new filter catches up, it takes this packet in its turn.
    if (this.#refiltering === 0 && this.#follow(bytes, offset, header, linkType)) {
      this.shown.push(number);
    }
  }

  /** Copies a frame into the ring, letting go of the packets whose frames it overwrites. */
  #copy(bytes: Uint8Array, offset: number, caplen: number): number {
    const ring = this.#liveRing();
    const index = this.#index;
    let at = this.#ringAt;
    if (at + caplen > ring.length) {
      // Past the write position lie the oldest frames: they go before the ring starts again.
      while (index.first < index.length && index.at[index.first] >= at) this.#letGo();
      this.#settle();
      at = 0;
    }
    const end = at + caplen;
    // With a spill, room is made a block at a time, to be written on together (or, paused,
    // taken out of the list in one go: the packets before it are on disk).
    const room = this.#spillBudget > 0 && this.#spill?.open !== false
      ? Math.min(ring.length, at + Math.max(caplen, Math.min(SPILL_BATCH_BYTES, ring.length >> 3)))
      : end;
    // Room is made when the frame would overwrite the oldest, not before.
    if (this.#oldestWithin(at, end)) {
      while (this.#oldestWithin(at, room)) this.#letGo();
      this.#settle();
    }
    ring.set(bytes.subarray(offset, offset + caplen), at);
    this.#ringAt = (end + ALIGN - 1) & ~(ALIGN - 1);
    if (end > this.#highest) this.#highest = end;
    return at;
  }

  /** Whether the oldest frame kept in the ring lies (in part) between `from` and `to`. */
  #oldestWithin(from: number, to: number): boolean {
    const index = this.#index;
    const oldest = index.first;
    return oldest < index.length && index.at[oldest] < to &&
      index.at[oldest] + index.caplen[oldest] > from;
  }

  /**
   * Live, when the capture is quiet: touches up to `bytes` more of the ring's pages past the
   * furthest frame written (false once all are); see `PagesAhead`. A burst into fresh pages
   * left the view behind the capture.
   */
  touchAhead(bytes: number): boolean {
    if (this.#file !== undefined) return false;
    const ring = this.#liveRing();
    return this.#pagesAhead.touch(ring, this.#highest, ring.length, bytes);
  }

  /** The live ring: the whole budget at once (the system gives pages as they are written). */
  #liveRing(): Uint8Array {
    return this.#ring ??= new Uint8Array(Math.max(1 << 20, this.#budget));
  }

  /** Lets the oldest packet in the ring go: on to the spill, or away. */
  #letGo(): void {
    const index = this.#index;
    const i = index.first;
    const number = index.numberOf(i);
    index.first++;
    if (this.#spillBudget > 0 && this.#spill === undefined) {
      this.#spill = new Spill(this.#spillBudget, number, index.nanosecond);
    }
    const spill = this.#spill;
    if (spill?.open && !this.spillPaused) {
      const at = index.at[i];
      const header: FrameHeader = {
        seconds: index.seconds[i],
        fraction: index.fraction[i],
        nanosecond: index.nanosecond,
        caplen: index.caplen[i],
        len: index.len[i],
      };
      spill.append(number, header, index.linkType[i], this.#ring!.subarray(at, at + header.caplen));
      if (spill.open) return;
    }
    // Taken by the spill as let go, so that its numbers stay one after another.
    spill?.skip(number, index.linkType[i]);
    this.#lost++;
    if (this.#goneTo !== number) this.#goneFrom = number;
    this.#goneTo = number + 1;
  }

  /**
   * After packets were let go of the ring: writes those spilled, and takes out of `shown` the
   * packets let go (here, or with the spill's oldest file).
   */
  #settle(): void {
    this.#spill?.flush();
    const first = this.firstKept;
    const shown = this.shown;
    for (let head = shown.at(0); head !== undefined && head < first; head = shown.at(0)) {
      shown.shift();
    }
    if (this.#goneTo > this.#goneFrom) shown.removeRange(this.#goneFrom, this.#goneTo);
    this.#goneFrom = this.#goneTo = 0;
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

  /** The packet numbered `number`, if it is kept (its bytes valid until the next `add`). */
  packet(number: number): StoredPacket | undefined {
    const index = this.#index;
    const i = index.entry(number);
    if (i < 0) {
      const spilled = this.#spill?.read(number);
      return spilled && { number, ...spilled };
    }
    const caplen = index.caplen[i];
    const at = index.at[i];
    return {
      number,
      bytes: this.#file !== undefined
        ? this.#file.readAt(at, caplen)
        : this.#ring!.subarray(at, at + caplen),
      header: {
        seconds: index.seconds[i],
        fraction: index.fraction[i],
        nanosecond: index.nanosecond,
        caplen,
        len: index.len[i],
      },
      linkType: index.linkType[i],
    };
  }

  /**
   * Shows only the packets `expression` selects (`-Y`'s language; "" shows all), run over every
   * packet kept before it returns; throws the filter's `UserError` for an expression that does
   * not compile, keeping the filter before.
   */
  setFilter(expression: string): void {
    this.startFilter(expression);
    while (this.refilter(Infinity));
  }

  /**
   * Starts showing only the packets `expression` selects: `shown` starts empty, and each
   * `refilter` runs the filter over more of the packets kept, oldest first, until it has caught
   * up (the packets that come meanwhile wait their turn). Throws as `setFilter` does.
   */
  startFilter(expression: string): void {
    const text = expression.trim();
    const filter = text === "" ? undefined : compileFilter(text);
    this.#filter = filter;
    this.#filterText = text;
    // The kept packets run again through fresh flows, as -Y would see them from the first.
    this.#flows = PacketStore.#newFlows(filter);
    this.shown = new NumberList();
    this.#refiltering = this.firstKept;
  }

  /**
   * How far a new filter has come: the share of the packets kept it has run over (1: caught up).
   */
  get filterProgress(): number {
    if (this.#refiltering === 0) return 1;
    const first = this.firstKept;
    return Math.max(0, this.#refiltering - first) / Math.max(1, this.count + 1 - first);
  }

  /**
   * Runs a new filter over more of the packets kept, for about `milliseconds`; whether there is
   * more to run over. The view calls it between frames, so that a filter over a million packets
   * on disk leaves the keys and the capture going.
   */
  refilter(milliseconds: number): boolean {
    if (this.#refiltering === 0) return false;
    const deadline = performance.now() + milliseconds;
    const flows = this.#flows;
    const shown = this.shown;
    let next = Math.max(this.#refiltering, this.firstKept);
    let checked = 0;
    const outOfTime = () => (++checked & 63) === 0 && performance.now() >= deadline;
    const ringFirst = this.#index.firstNumber;
    if (next < ringFirst) {
      this.#spill?.forEach((number, packet) => {
        if (number >= ringFirst) return false;
        if (this.#follow(packet.bytes, 0, packet.header, packet.linkType, flows)) {
          shown.push(number);
        }
        next = number + 1;
        return !outOfTime();
      }, next);
      if (next < ringFirst && performance.now() < deadline) next = ringFirst; // let go meanwhile
    }
    while (next <= this.count && !outOfTime()) {
      const stored = this.packet(next);
      if (stored !== undefined) {
        if (this.#follow(stored.bytes, 0, stored.header, stored.linkType, flows)) shown.push(next);
      }
      next++;
    }
    this.#refiltering = next > this.count ? 0 : next;
    return this.#refiltering !== 0;
  }
}
