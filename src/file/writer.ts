/**
 * Writing raw frames as classic pcap or pcapng, in large chunks. A file always ends on a whole
 * record: when a write fails (a full disk), the file is cut back to the last whole record
 * before the error is reported.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CaptureFileWriter } from "./writer.ts";
 * const path = await Deno.makeTempFile({ suffix: ".pcap" });
 * using file = Deno.openSync(path, { write: true, create: true, truncate: true });
 * const writer = new CaptureFileWriter(file, path, {
 *   format: "pcap", linkType: 1, snaplen: 262144, nanosecond: false,
 * });
 * writer.write(new Uint8Array(60), { seconds: 0, fraction: 0, nanosecond: false, caplen: 60, len: 60 });
 * writer.close();
 * assert.equal(Deno.statSync(path).size, 24 + 16 + 60); // file header, record header, frame
 * ```
 * @module
 */

import { UserError } from "../user_error.ts";
import type { FrameHeader } from "../frame.ts";
import {
  IF_NAME,
  IF_TSRESOL,
  OPT_ENDOFOPT,
  PCAP_MAGIC_MICRO,
  PCAP_MAGIC_NANO,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_EPB,
  PCAPNG_IDB,
  PCAPNG_SHB,
  SHB_USERAPPL,
} from "./format.ts";
import { osErrorReason } from "./os_error.ts";

/** Where a file goes: a `Deno.FsFile`, or `Deno.stdout` (which cannot be truncated). */
export interface FileSink {
  writeSync(bytes: Uint8Array): number;
  truncateSync?(length?: number): void;
}

/** How a file is written. */
export interface WriterOptions {
  /** `pcap` (default in tcpdump) or `pcapng`. */
  format: "pcap" | "pcapng";
  /** Link type of the frames (of the first interface, for pcapng). */
  linkType: number;
  /** Snapshot length the frames were captured with. */
  snaplen: number;
  /** Write nanosecond time stamps. */
  nanosecond: boolean;
  /** The interface's name, recorded in pcapng. */
  interfaceName?: string;
  /** `-U`: write every packet out at once instead of in chunks. */
  packetBuffered?: boolean;
  /** The writing application, recorded in pcapng. */
  application?: string;
}

/** A write that failed; the file has been cut back to its last whole record. */
export class WriteError extends UserError {
  override name = "WriteError";
}

const CHUNK_LENGTH = 1 << 20;
const EPB_OVERHEAD = 32;

function padded(length: number): number {
  return (length + 3) & ~3;
}

/** Writes one capture file. */
export class CaptureFileWriter {
  /** The name used in messages. */
  readonly name: string;
  readonly #sink: FileSink;
  readonly #options: WriterOptions;
  readonly #buffer = new Uint8Array(CHUNK_LENGTH);
  readonly #view = new DataView(this.#buffer.buffer);
  #used = 0;
  /** Where each buffered record ends, so that a failed write keeps every whole one. */
  readonly #recordEnds = new Uint32Array(CHUNK_LENGTH / 16 + 2);
  #records = 0;
  /** Bytes that reached the sink: always a whole number of records. */
  #written = 0;
  /** pcapng interface number of each link type written so far. */
  readonly #interfaces = new Map<number, number>();
  #closed = false;
  #readerClosed = false;

  constructor(sink: FileSink, name: string, options: WriterOptions) {
    this.#sink = sink;
    this.name = name;
    this.#options = options;
    if (options.format === "pcap") this.#pcapHeader();
    else {
      this.#sectionHeader();
      this.#interfaceDescription(options.linkType);
    }
  }

  /** Bytes in the file so far, including what is still buffered (for `-C`). */
  get size(): number {
    return this.#written + this.#used;
  }

  /** True once the reader of standard output went away (`-w -` into a closed pipe). */
  get closed(): boolean {
    return this.#readerClosed;
  }

  /**
   * Appends one record. `linkType` is the frame's when it may differ from the file's (frames
   * from a pcapng file); pcap cannot hold a second link type and throws `WriteError`.
   */
  write(frame: Uint8Array, header: FrameHeader, linkType = this.#options.linkType): void {
    if (this.#readerClosed) return;
    const nanosecond = this.#options.nanosecond;
    let fraction = header.fraction;
    if (header.nanosecond !== nanosecond) {
      fraction = nanosecond ? fraction * 1000 : Math.floor(fraction / 1000);
    }
    if (this.#options.format === "pcap") {
      if (linkType !== this.#options.linkType) {
        throw new WriteError(
          `${this.name}: pcap holds one link type, but frames come with ${this.#options.linkType} ` +
            `and ${linkType}; write pcapng (--pcapng)`,
        );
      }
      this.#reserve(16 + frame.length);
      const view = this.#view;
      const at = this.#used;
      view.setUint32(at, header.seconds, true);
      view.setUint32(at + 4, fraction, true);
      view.setUint32(at + 8, frame.length, true);
      view.setUint32(at + 12, header.len, true);
      this.#buffer.set(frame, at + 16);
      this.#used = at + 16 + frame.length;
    } else {
      let interfaceId = this.#interfaces.get(linkType);
      if (interfaceId === undefined) {
        interfaceId = this.#interfaceDescription(linkType);
      }
      const length = EPB_OVERHEAD + padded(frame.length);
      this.#reserve(length);
      const view = this.#view;
      const at = this.#used;
      const [high, low] = ticks(header.seconds, fraction, nanosecond ? 1e9 : 1e6);
      view.setUint32(at, PCAPNG_EPB, true);
      view.setUint32(at + 4, length, true);
      view.setUint32(at + 8, interfaceId, true);
      view.setUint32(at + 12, high, true);
      view.setUint32(at + 16, low, true);
      view.setUint32(at + 20, frame.length, true);
      view.setUint32(at + 24, header.len, true);
      this.#buffer.set(frame, at + 28);
      this.#buffer.fill(0, at + 28 + frame.length, at + length - 4);
      view.setUint32(at + length - 4, length, true);
      this.#used = at + length;
    }
    this.#markRecord();
    if (this.#options.packetBuffered) this.flush();
  }

  /** Notes that a whole record (or file header block) ends where the buffer now ends. */
  #markRecord(): void {
    this.#recordEnds[this.#records++] = this.#used;
  }

  /** Writes out everything buffered. Throws `WriteError` (file cut to whole records). */
  flush(): void {
    if (this.#used === 0 || this.#readerClosed) return;
    const chunk = this.#buffer.subarray(0, this.#used);
    const records = this.#records;
    this.#used = 0;
    this.#records = 0;
    let offset = 0;
    try {
      while (offset < chunk.length) offset += this.#sink.writeSync(chunk.subarray(offset));
    } catch (error) {
      if (error instanceof Deno.errors.BrokenPipe) {
        this.#readerClosed = true;
        return;
      }
      // Keep every record that reached the file whole; cut the partial one off.
      let kept = 0;
      for (let i = 0; i < records && this.#recordEnds[i] <= offset; i++) kept = this.#recordEnds[i];
      try {
        this.#sink.truncateSync?.(this.#written + kept);
      } catch {
        // the report below still stands
      }
      this.#written += kept;
      throw new WriteError(
        `${this.name}: cannot write: ${
          osErrorReason(error)
        }; the file ends with the last whole record`,
      );
    }
    this.#written += chunk.length;
  }

  /** Flushes; the sink itself is closed by whoever opened it. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.flush();
  }

  #reserve(length: number): void {
    if (this.#used + length > this.#buffer.length) this.flush();
  }

  #pcapHeader(): void {
    const view = this.#view;
    const options = this.#options;
    view.setUint32(0, options.nanosecond ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, true);
    view.setUint16(4, 2, true);
    view.setUint16(6, 4, true);
    view.setUint32(8, 0, true); // thiszone
    view.setUint32(12, 0, true); // sigfigs
    view.setUint32(16, options.snaplen, true);
    view.setUint32(20, options.linkType, true);
    this.#used = 24;
    this.#markRecord();
  }

  #sectionHeader(): void {
    const application = new TextEncoder().encode(this.#options.application ?? "netpeek");
    const options = 4 + padded(application.length) + 4;
    const length = 28 + options;
    this.#reserve(length);
    const view = this.#view;
    const at = this.#used;
    view.setUint32(at, PCAPNG_SHB, true);
    view.setUint32(at + 4, length, true);
    view.setUint32(at + 8, PCAPNG_BYTE_ORDER_MAGIC, true);
    view.setUint16(at + 12, 1, true);
    view.setUint16(at + 14, 0, true);
    view.setBigInt64(at + 16, -1n, true); // section length not given
    const end = this.#option(at + 24, SHB_USERAPPL, application);
    view.setUint32(end, OPT_ENDOFOPT, true);
    view.setUint32(end + 4, length, true);
    this.#used = at + length;
    this.#markRecord();
  }

  /** Writes an Interface Description Block and returns the interface's number. */
  #interfaceDescription(linkType: number): number {
    const name = this.#interfaces.size === 0 && this.#options.interfaceName
      ? new TextEncoder().encode(this.#options.interfaceName)
      : undefined;
    const resolution = this.#options.nanosecond ? new Uint8Array([9]) : undefined;
    const optionLength = (name ? 4 + padded(name.length) : 0) + (resolution ? 8 : 0);
    const length = 20 + optionLength + (optionLength > 0 ? 4 : 0);
    this.#reserve(length);
    const view = this.#view;
    const at = this.#used;
    view.setUint32(at, PCAPNG_IDB, true);
    view.setUint32(at + 4, length, true);
    view.setUint16(at + 8, linkType, true);
    view.setUint16(at + 10, 0, true);
    view.setUint32(at + 12, this.#options.snaplen, true);
    let end = at + 16;
    if (name) end = this.#option(end, IF_NAME, name);
    if (resolution) end = this.#option(end, IF_TSRESOL, resolution);
    if (optionLength > 0) {
      view.setUint32(end, OPT_ENDOFOPT, true);
      end += 4;
    }
    view.setUint32(end, length, true);
    this.#used = at + length;
    this.#markRecord();
    const id = this.#interfaces.size;
    this.#interfaces.set(linkType, id);
    return id;
  }

  #option(at: number, code: number, value: Uint8Array): number {
    this.#view.setUint16(at, code, true);
    this.#view.setUint16(at + 2, value.length, true);
    this.#buffer.set(value, at + 4);
    this.#buffer.fill(0, at + 4 + value.length, at + 4 + padded(value.length));
    return at + 4 + padded(value.length);
  }
}

/**
 * `seconds × perSecond + fraction` as the high and low 32-bit halves of a pcapng time stamp,
 * computed in pieces that stay exact below 2^53.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ticks } from "./writer.ts";
 * assert.deepEqual(ticks(1767225600, 123456789, 1e9), [411464273, 4116040981]);
 * ```
 */
export function ticks(seconds: number, fraction: number, perSecond: number): [number, number] {
  const high16 = Math.floor(seconds / 65536);
  const low16 = seconds % 65536;
  const a = low16 * perSecond + fraction; // < 2^47
  const b = high16 * perSecond; // < 2^47 for any realistic date
  const lowPart = (b % 65536) * 65536 + a;
  const low = lowPart % 4294967296;
  const high = Math.floor(b / 65536) + Math.floor(lowPart / 4294967296);
  return [high, low];
}
