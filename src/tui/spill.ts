/**
 * Where the live view's packets go when its ring is full: on, in arrival order, into temporary
 * pcap files, up to a budget on disk. The files are unlinked as soon as they are made (the open
 * handle keeps them), so they vanish when netpeek ends, however it ends. Two files share the
 * budget: when the newer reaches half of it, the older's packets go (the oldest), and its file
 * is written again from the start, so the disk stays within the budget and the pages written
 * are written over (10 GB/s here, against 0.5 GB/s into fresh ones). Each packet costs 10 bytes
 * of memory (its place in the file and its link type); its record header is read back from the
 * file with its frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Spill } from "./spill.ts";
 * const spill = new Spill(1 << 20, 1, false);
 * const frame = new Uint8Array([1, 2, 3, 4]);
 * spill.append(1, { seconds: 5, fraction: 6, nanosecond: false, caplen: 4, len: 60 }, 1, frame);
 * spill.flush();
 * const packet = spill.read(1)!;
 * assert.deepEqual([...packet.bytes], [1, 2, 3, 4]);
 * assert.deepEqual([packet.header.seconds, packet.header.len, spill.first, spill.end], [5, 60, 1, 2]);
 * spill.close();
 * ```
 * @module
 */

import type { FrameHeader } from "../frame.ts";
import { PCAP_RECORD_HEADER_LENGTH as RECORD_HEADER_BYTES } from "../file/format.ts";
import { CaptureFileWriter } from "../file/writer.ts";

const SNAPLEN = 262144;
/**
 * The smallest record a file holds (a header and a minimum Ethernet frame): a file takes at most
 * its size over this many packets, written or let go, so that while the view is behind (every
 * packet let go, none written) the entries stay as bounded as the files.
 */
const MIN_RECORD_BYTES = RECORD_HEADER_BYTES + 60;
/** A file takes at least this much of the budget. */
const MIN_FILE_BYTES = 4 << 20;
/** A filter reads the records back this many bytes at a time. */
const READ_BLOCK_BYTES = 4 << 20;

/** A packet read back, as the store hands it out. */
export interface SpilledPacket {
  bytes: Uint8Array;
  header: FrameHeader;
  linkType: number;
}

/**
 * One temporary pcap file: packets `first` to `first + count - 1`, some perhaps not in it. It is
 * written through `writer` and read through a handle of its own (a read's seek leaves the
 * writer's place alone).
 */
class Segment {
  /** Where each packet's record starts; NaN for a packet let go instead (the view was behind). */
  places = new Float64Array(1024);
  linkTypes = new Uint16Array(1024);
  count = 0;
  /** Packets in the file (those not let go). */
  held = 0;

  constructor(
    readonly reader: Deno.FsFile,
    readonly output: Deno.FsFile,
    readonly writer: CaptureFileWriter,
    readonly first: number,
  ) {}

  /** Bytes written (the file header included), some perhaps still in the writer's buffer. */
  get size(): number {
    return this.writer.size;
  }

  push(place: number, linkType: number): void {
    if (this.count === this.places.length) {
      const places = new Float64Array(this.count * 2);
      places.set(this.places);
      this.places = places;
      const linkTypes = new Uint16Array(this.count * 2);
      linkTypes.set(this.linkTypes);
      this.linkTypes = linkTypes;
    }
    this.places[this.count] = place;
    this.linkTypes[this.count++] = linkType;
    if (!Number.isNaN(place)) this.held++;
  }
}

/**
 * Packets numbered `first` to `end - 1`, on disk in up to two temporary pcap files (some let
 * go instead, `skip`, when writing would have left the view behind the capture).
 */
export class Spill {
  readonly #segmentBytes: number;
  readonly #segmentEntries: number;
  readonly #nanosecond: boolean;
  #segments: Segment[] = [];
  /** The packet after the last one taken, and the first one held (`first === end`: none). */
  end: number;
  first: number;
  /** Packets written and then let go with their file (to stay in the budget) or on a failure. */
  dropped = 0;
  /** Why the spill stopped (a write failed: the disk is full, say); then nothing more goes in. */
  error: string | undefined;

  /**
   * Up to `budget` bytes on disk; the first packet appended will be numbered `first`; the
   * records' fractions of a second are nanoseconds when `nanosecond`.
   */
  constructor(budget: number, first: number, nanosecond: boolean) {
    this.#segmentBytes = Math.max(MIN_FILE_BYTES, Math.floor(budget / 2));
    this.#segmentEntries = Math.floor(this.#segmentBytes / MIN_RECORD_BYTES);
    this.#nanosecond = nanosecond;
    this.first = this.end = first;
  }

  /** Packets on disk. */
  get count(): number {
    return this.#segments.reduce((sum, segment) => sum + segment.held, 0);
  }

  /** Packets taken, written or let go, that the files still answer for (10 bytes each). */
  get entries(): number {
    return this.#segments.reduce((sum, segment) => sum + segment.count, 0);
  }

  /** Bytes on disk: the files' headers and records. */
  get diskBytes(): number {
    return this.#segments.reduce((sum, segment) => sum + segment.size, 0);
  }

  /** Whether packets can still be appended. */
  get open(): boolean {
    return this.error === undefined;
  }

  /** Packet `number`'s link type, without reading it back; undefined when it is not held. */
  linkTypeOf(number: number): number | undefined {
    const found = this.#find(number);
    return found && found.segment.linkTypes[found.i];
  }

  /**
   * Appends packet `number` (the next one: `end`) with its `caplen` bytes at the start of
   * `frame`; written when the writer's buffer is full or at the next `flush`. May let the oldest
   * file go (`first` moves on).
   */
  append(number: number, header: FrameHeader, linkType: number, frame: Uint8Array): void {
    if (!this.open) return;
    const segment = this.#segmentFor(number, RECORD_HEADER_BYTES + header.caplen, linkType);
    if (segment === undefined) return;
    try {
      segment.push(segment.size, linkType);
      segment.writer.write(frame.subarray(0, header.caplen), header);
    } catch (error) {
      this.#stop(error);
      return;
    }
    this.end = number + 1;
  }

  /** Takes packet `number` (the next one: `end`) as let go: not written, not held. */
  skip(number: number, linkType: number): void {
    if (!this.open) return;
    const segment = this.#segmentFor(number, 0, linkType);
    if (segment === undefined) return;
    segment.push(NaN, linkType);
    this.end = number + 1;
  }

  /** Writes out what the newest file's writer holds. */
  flush(): void {
    try {
      this.#segments.at(-1)?.writer.flush();
    } catch (error) {
      this.#stop(error);
    }
  }

  /** Packet `number`, read back from its file; undefined when it is not held. */
  read(number: number): SpilledPacket | undefined {
    const found = this.#find(number);
    if (found === undefined) return undefined;
    this.flush();
    const { segment, i } = found;
    const place = segment.places[i];
    const header = new Uint8Array(RECORD_HEADER_BYTES);
    if (!this.#readFully(segment.reader, place, header)) return undefined;
    const caplen = new DataView(header.buffer).getUint32(8, true);
    const record = new Uint8Array(RECORD_HEADER_BYTES + caplen);
    record.set(header);
    if (
      !this.#readFully(
        segment.reader,
        place + RECORD_HEADER_BYTES,
        record.subarray(RECORD_HEADER_BYTES),
      )
    ) {
      return undefined;
    }
    return this.#packet(record, segment.linkTypes[i]);
  }

  /**
   * Calls `each` with every packet held from number `from` on, oldest first, reading the files
   * in large blocks (a filter runs over them all); stops early when `each` returns false.
   */
  forEach(
    each: (number: number, packet: SpilledPacket) => boolean | void,
    from = this.first,
  ): void {
    this.flush();
    for (const segment of [...this.#segments]) {
      if (segment.first + segment.count <= from) continue;
      // The records lie one after another in the order of the packets held.
      let i = Math.max(0, Math.max(from, this.first) - segment.first);
      while (i < segment.count && Number.isNaN(segment.places[i])) i++;
      if (i >= segment.count) continue;
      let blockStart = segment.places[i];
      let block = new Uint8Array(0);
      for (; i < segment.count; i++) {
        const place = segment.places[i];
        if (Number.isNaN(place)) continue;
        let at = place - blockStart;
        if (
          at + RECORD_HEADER_BYTES > block.length ||
          at + this.#recordBytes(block, at) > block.length
        ) {
          // The next block: from this record on, at least the whole record.
          const head = new Uint8Array(RECORD_HEADER_BYTES);
          if (!this.#readFully(segment.reader, place, head)) return;
          const length = Math.max(
            this.#recordBytes(head, 0),
            Math.min(READ_BLOCK_BYTES, segment.size - place),
          );
          block = new Uint8Array(length);
          if (!this.#readFully(segment.reader, place, block)) return;
          blockStart = place;
          at = 0;
        }
        const record = block.subarray(at, at + this.#recordBytes(block, at));
        if (each(segment.first + i, this.#packet(record, segment.linkTypes[i])) === false) return;
      }
    }
  }

  /** Closes the files (the system then frees them: they were unlinked when made). */
  close(): void {
    for (const segment of this.#segments) {
      segment.reader.close();
      segment.output.close();
    }
    this.#segments = [];
  }

  /** The segment and entry of packet `number`, when it is on disk. */
  #find(number: number): { segment: Segment; i: number } | undefined {
    if (number < this.first || number >= this.end || !this.open) return undefined;
    const segment = this.#segments.findLast((segment) => segment.first <= number);
    if (segment === undefined) return undefined;
    const i = number - segment.first;
    return Number.isNaN(segment.places[i]) ? undefined : { segment, i };
  }

  /** The length of the record at `at` in `bytes` (its header there, at least). */
  #recordBytes(bytes: Uint8Array, at: number): number {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at, RECORD_HEADER_BYTES);
    return RECORD_HEADER_BYTES + view.getUint32(8, true);
  }

  #packet(record: Uint8Array, linkType: number): SpilledPacket {
    const view = new DataView(record.buffer, record.byteOffset, RECORD_HEADER_BYTES);
    const caplen = view.getUint32(8, true);
    return {
      bytes: record.subarray(RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + caplen),
      header: {
        seconds: view.getUint32(0, true),
        fraction: view.getUint32(4, true),
        nanosecond: this.#nanosecond,
        caplen,
        len: view.getUint32(12, true),
      },
      linkType,
    };
  }

  /**
   * The segment that takes packet `number` and `recordBytes` more: the newest, or a new one
   * when it is full. Two files take turns: the newer full, the older's packets go and its file
   * is written again from its start (its pages are in memory already: writing over them cost a
   * twentieth of writing to fresh ones here).
   */
  #segmentFor(number: number, recordBytes: number, linkType: number): Segment | undefined {
    const newest = this.#segments.at(-1);
    if (
      newest !== undefined && newest.size + recordBytes <= this.#segmentBytes &&
      newest.count < this.#segmentEntries
    ) {
      return newest;
    }
    this.flush();
    if (!this.open) return undefined;
    try {
      let reader: Deno.FsFile;
      let output: Deno.FsFile;
      if (this.#segments.length < 2) {
        const path = Deno.makeTempFileSync({ prefix: "netpeek-view-", suffix: ".pcap" });
        reader = Deno.openSync(path, { read: true });
        output = Deno.openSync(path, { write: true });
        Deno.removeSync(path);
      } else {
        const oldest = this.#segments.shift()!;
        this.dropped += oldest.held;
        ({ reader, output } = oldest);
        output.seekSync(0, Deno.SeekMode.Start);
        this.first = this.#segments[0].first;
      }
      const writer = new CaptureFileWriter(output, "the view's spill", {
        format: "pcap",
        linkType,
        snaplen: SNAPLEN,
        nanosecond: this.#nanosecond,
      });
      const segment = new Segment(reader, output, writer, number);
      this.#segments.push(segment);
      if (this.#segments.length === 1) this.first = number;
      return segment;
    } catch (error) {
      this.#stop(error);
      return undefined;
    }
  }

  #readFully(file: Deno.FsFile, at: number, into: Uint8Array): boolean {
    try {
      file.seekSync(at, Deno.SeekMode.Start);
      for (let have = 0; have < into.length;) {
        const count = file.readSync(into.subarray(have));
        if (count === null) return false;
        have += count;
      }
      return true;
    } catch (error) {
      this.#stop(error);
      return false;
    }
  }

  /** Gives up spilling (and what was spilled): the store lets packets go as without it. */
  #stop(error: unknown): void {
    this.error = error instanceof Error ? error.message : String(error);
    this.dropped += this.count;
    this.close();
    this.first = this.end;
  }
}
