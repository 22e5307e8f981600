/**
 * Where the live view's packets go when its ring is full: on, in arrival order, into temporary
 * pcap files, up to a budget on disk. The files are unlinked as soon as they are made (the open
 * handle keeps them), so they vanish when netpeek ends, however it ends. Two files share the
 * budget: when the newer reaches half of it, the older goes with all its packets, so the disk
 * stays within the budget and the oldest packets go first. Each packet costs 10 bytes of
 * memory (its place in the file and its link type); its record header is read back from the
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

/** The pcap file header, and each record's (RFC draft-ietf-opsawg-pcap, sections 4 and 5). */
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
const PCAP_MAGIC_NANO = 0xa1b23c4d;
const PCAP_VERSION_MAJOR = 2;
const PCAP_VERSION_MINOR = 4;
const SNAPLEN = 262144;
/** Records are gathered to be written this many bytes at a time (and read back as many). */
const STAGING_BYTES = 4 << 20;

/** A packet read back, as the store hands it out. */
export interface SpilledPacket {
  bytes: Uint8Array;
  header: FrameHeader;
  linkType: number;
}

/** One temporary pcap file: packets `first` to `first + count - 1`. */
class Segment {
  places = new Float64Array(1024);
  linkTypes = new Uint16Array(1024);
  count = 0;
  /** Bytes written (the file header included). */
  size = FILE_HEADER_BYTES;

  constructor(readonly file: Deno.FsFile, readonly first: number) {}

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
  }

  /** Where record `i` starts and ends in the file. */
  span(i: number): [number, number] {
    return [this.places[i], i + 1 < this.count ? this.places[i + 1] : this.size];
  }
}

/** Packets numbered `first` to `end - 1`, on disk in up to two temporary pcap files. */
export class Spill {
  readonly #segmentBytes: number;
  readonly #nanosecond: boolean;
  #segments: Segment[] = [];
  readonly #staging = new Uint8Array(STAGING_BYTES);
  readonly #stagingView = new DataView(this.#staging.buffer);
  #staged = 0;
  /** The packet after the last one held, and the first one held (`first === end`: none). */
  end: number;
  first: number;
  /** Why the spill stopped (a write failed: the disk is full, say); then nothing more goes in. */
  error: string | undefined;

  /**
   * Up to `budget` bytes on disk; the first packet appended will be numbered `first`; the
   * records' fractions of a second are nanoseconds when `nanosecond`.
   */
  constructor(budget: number, first: number, nanosecond: boolean) {
    this.#segmentBytes = Math.max(STAGING_BYTES, Math.floor(budget / 2));
    this.#nanosecond = nanosecond;
    this.first = this.end = first;
  }

  /** Packets held. */
  get count(): number {
    return this.end - this.first;
  }

  /** Bytes on disk: the files' headers and records. */
  get diskBytes(): number {
    return this.#segments.reduce((sum, segment) => sum + segment.size, 0) + this.#staged;
  }

  /** Packet `number`'s link type, without reading it back; undefined when it is not held. */
  linkTypeOf(number: number): number | undefined {
    if (number < this.first || number >= this.end || !this.open) return undefined;
    const segment = this.#segments.findLast((segment) => segment.first <= number)!;
    return segment.linkTypes[number - segment.first];
  }

  /** Whether packets can still be appended. */
  get open(): boolean {
    return this.error === undefined;
  }

  /**
   * Appends packet `number` (the next one: `end`) with its `caplen` bytes at the start of
   * `frame`; written at the next `flush` or when the staging is full. May let the oldest file
   * go (`first` moves on).
   */
  append(number: number, header: FrameHeader, linkType: number, frame: Uint8Array): void {
    if (!this.open) return;
    const recordBytes = RECORD_HEADER_BYTES + header.caplen;
    if (this.#staged + recordBytes > this.#staging.length) this.flush();
    let segment = this.#segments.at(-1);
    if (segment === undefined || segment.size + this.#staged + recordBytes > this.#segmentBytes) {
      this.flush();
      segment = this.#startSegment(number, linkType);
      if (segment === undefined) return;
    }
    segment.push(segment.size + this.#staged, linkType);
    if (recordBytes > this.#staging.length) {
      // Larger than the staging (a 256 KiB frame with a small budget): written on its own.
      this.#write(segment, this.#record(header, frame.subarray(0, header.caplen)));
    } else {
      const view = this.#stagingView;
      const at = this.#staged;
      view.setUint32(at, header.seconds, true);
      view.setUint32(at + 4, header.fraction, true);
      view.setUint32(at + 8, header.caplen, true);
      view.setUint32(at + 12, header.len, true);
      this.#staging.set(frame.subarray(0, header.caplen), at + RECORD_HEADER_BYTES);
      this.#staged += recordBytes;
    }
    this.end = number + 1;
  }

  /** Writes the records gathered. */
  flush(): void {
    const segment = this.#segments.at(-1);
    if (this.#staged === 0 || segment === undefined) return;
    const staged = this.#staging.subarray(0, this.#staged);
    this.#staged = 0;
    this.#write(segment, staged);
  }

  /** Packet `number`, read back from its file; undefined when it is not held. */
  read(number: number): SpilledPacket | undefined {
    if (number < this.first || number >= this.end || !this.open) return undefined;
    this.flush();
    const segment = this.#segments.findLast((segment) => segment.first <= number)!;
    const i = number - segment.first;
    const [start, end] = segment.span(i);
    const record = new Uint8Array(end - start);
    if (!this.#readFully(segment.file, start, record)) return undefined;
    return this.#packet(record, segment.linkTypes[i]);
  }

  /**
   * Calls `each` with every packet held, oldest first, reading the files in large blocks
   * (a filter runs over them all); stops early when `each` returns false.
   */
  forEach(each: (number: number, packet: SpilledPacket) => boolean | void): void {
    this.flush();
    for (const segment of this.#segments) {
      let i = Math.max(0, this.first - segment.first);
      while (i < segment.count && this.open) {
        // As many whole records as fit in one block (at least one, however large).
        const [start] = segment.span(i);
        let last = i;
        while (last + 1 < segment.count && segment.span(last + 1)[1] - start <= STAGING_BYTES) {
          last++;
        }
        const block = new Uint8Array(segment.span(last)[1] - start);
        if (!this.#readFully(segment.file, start, block)) return;
        for (; i <= last; i++) {
          const [from, to] = segment.span(i);
          const packet = this.#packet(
            block.subarray(from - start, to - start),
            segment.linkTypes[i],
          );
          if (each(segment.first + i, packet) === false) return;
        }
      }
    }
  }

  /** Closes the files (the system then frees them: they were unlinked when made). */
  close(): void {
    for (const segment of this.#segments) segment.file.close();
    this.#segments = [];
    this.#staged = 0;
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

  #record(header: FrameHeader, frame: Uint8Array): Uint8Array {
    const record = new Uint8Array(RECORD_HEADER_BYTES + frame.length);
    const view = new DataView(record.buffer);
    view.setUint32(0, header.seconds, true);
    view.setUint32(4, header.fraction, true);
    view.setUint32(8, header.caplen, true);
    view.setUint32(12, header.len, true);
    record.set(frame, RECORD_HEADER_BYTES);
    return record;
  }

  /** A new file for packets from `first`; the oldest goes when there would be three. */
  #startSegment(first: number, linkType: number): Segment | undefined {
    try {
      const path = Deno.makeTempFileSync({ prefix: "netpeek-view-", suffix: ".pcap" });
      const file = Deno.openSync(path, { read: true, write: true });
      Deno.removeSync(path);
      const header = new Uint8Array(FILE_HEADER_BYTES);
      const view = new DataView(header.buffer);
      view.setUint32(0, this.#nanosecond ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, true);
      view.setUint16(4, PCAP_VERSION_MAJOR, true);
      view.setUint16(6, PCAP_VERSION_MINOR, true);
      view.setUint32(16, SNAPLEN, true);
      view.setUint32(20, linkType, true);
      const segment = new Segment(file, first);
      segment.size = 0;
      this.#write(segment, header);
      if (!this.open) return undefined;
      this.#segments.push(segment);
      if (this.#segments.length > 2) {
        this.#segments.shift()!.file.close();
        this.first = this.#segments[0].first;
      }
      return segment;
    } catch (error) {
      this.#stop(error);
      return undefined;
    }
  }

  #write(segment: Segment, bytes: Uint8Array): void {
    try {
      segment.file.seekSync(segment.size, Deno.SeekMode.Start);
      for (let done = 0; done < bytes.length;) {
        done += segment.file.writeSync(bytes.subarray(done));
      }
      segment.size += bytes.length;
    } catch (error) {
      this.#stop(error);
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
    this.close();
    this.first = this.end;
  }
}
