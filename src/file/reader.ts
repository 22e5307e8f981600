/**
 * A streaming reader of classic pcap and pcapng files in plain TypeScript (no FFI): large
 * reads into one reused buffer, each record handed on as a view into it, so memory stays flat
 * whatever the file size. Every length in a file is treated as a lie until checked: nothing is
 * allocated from an unchecked length, a zero or impossible block length is an error, and every
 * error names the byte offset where the damage is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CaptureFileReader } from "./reader.ts";
 * const path = new URL("../../tests/fixtures/vlan.pcap", import.meta.url).pathname;
 * using file = await Deno.open(path);
 * const reader = await CaptureFileReader.open(file, path);
 * const lengths: number[] = [];
 * await reader.run((_frame, header) => {
 *   lengths.push(header.caplen);
 * });
 * assert.equal(reader.format, "pcap");
 * assert.ok(lengths.length > 0 && lengths.every((length) => length > 0));
 * ```
 * @module
 */

import { UserError } from "../user_error.ts";
import type { FrameHeader } from "../frame.ts";
import {
  IF_NAME,
  IF_TSOFFSET,
  IF_TSRESOL,
  MAX_PARSED_BLOCK_LENGTH,
  MAX_RECORD_LENGTH,
  OPT_COMMENT,
  OPT_ENDOFOPT,
  PCAP_FILE_HEADER_LENGTH,
  PCAP_LINKTYPE_MASK,
  PCAP_MAGIC_MICRO,
  PCAP_MAGIC_MODIFIED,
  PCAP_MAGIC_NANO,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_EPB,
  PCAPNG_IDB,
  PCAPNG_OPB,
  PCAPNG_SHB,
  PCAPNG_SPB,
} from "./format.ts";

/** Where bytes come from: a `Deno.FsFile`, `Deno.stdin`, or anything with `read`. */
export interface ByteSource {
  read(buffer: Uint8Array): Promise<number | null>;
}

/** A damaged or unreadable capture file. `offset` is the byte where the problem is. */
export class CaptureFileError extends UserError {
  /** The error's name. */
  override name = "CaptureFileError";
  /** Byte offset of the damage in the file, where known. */
  readonly offset: number | undefined;
  /** See docs/json.md. */
  constructor(message: string, offset?: number) {
    super(message);
    this.offset = offset;
  }
}

/** A record's header: the frame header plus what a file says about the frame. */
export interface FileRecordHeader extends FrameHeader {
  /** Link type of the record's interface. */
  linkType: number;
  /** pcapng interface number (0 for classic pcap). */
  interfaceId: number;
  /** A pcapng packet comment, if the record has one. */
  comment: string | undefined;
}

/** One interface described by a file. */
export interface FileInterface {
  /** libpcap link type. */
  linkType: number;
  /** Snapshot length (0: unlimited). */
  snaplen: number;
  /** Interface name, where the file gives one. */
  name: string | undefined;
  /** Time stamp ticks per second (10^6 for pcap, 10^9 for nanosecond pcap). */
  ticksPerSecond: number;
  /** Seconds added to every time stamp. */
  offsetSeconds: number;
}

/** Called per record; the frame is valid only during the call. Return `false` to stop. */
export type RecordHandler = (frame: Uint8Array, header: FileRecordHeader) => boolean | void;

/**
 * Called per record with the reader's buffer and where the frame starts in it (it is
 * `header.caplen` bytes long): no view is made per record. Valid only during the call.
 * Return `false` to stop.
 */
export type RangeHandler = (
  bytes: Uint8Array,
  offset: number,
  header: FileRecordHeader,
) => boolean | void;

/** How much is read at a time. */
const CHUNK_LENGTH = 4 * 1024 * 1024;
/**
 * Room before a chunk for the unread end of the one before (a record or block cut by the
 * chunk boundary), which is moved there so that it lies in one piece. Nothing asks for more
 * than a parsed block at a time, so nothing left over is longer.
 */
const CARRY_ROOM = MAX_PARSED_BLOCK_LENGTH;
const SKIP_NOTHING = 0;
const utf8 = new TextDecoder();

function hexPrefix(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4), (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}

/** Reads a capture file record by record. */
export class CaptureFileReader {
  /** The name used in messages (a path, or `-` for standard input). */
  readonly name: string;
  /** `pcap` or `pcapng`. */
  format: "pcap" | "pcapng" = "pcap";
  /** Interfaces described so far (one for classic pcap). */
  readonly interfaces: FileInterface[] = [];
  readonly #source: ByteSource;
  /** The chunk records are taken from. */
  #bytes = new Uint8Array(CARRY_ROOM + CHUNK_LENGTH);
  #view = new DataView(this.#bytes.buffer);
  /** The buffer the next chunk is read into while this one is processed. */
  #spare = new Uint8Array(CARRY_ROOM + CHUNK_LENGTH);
  #spareView = new DataView(this.#spare.buffer);
  /** The read into `#spare` under way, if any. */
  #ahead: Promise<number | null> | null = null;
  #start = 0;
  #end = 0;
  /** File offset of `#bytes[0]`. */
  #base = 0;
  #eof = false;
  #little = true;
  #recordHeaderLength = 16;
  /** Bytes of an uninteresting pcapng block still to be skipped. */
  #skip = SKIP_NOTHING;
  readonly #header: FileRecordHeader = {
    seconds: 0,
    fraction: 0,
    nanosecond: false,
    caplen: 0,
    len: 0,
    linkType: 0,
    interfaceId: 0,
    comment: undefined,
  };

  private constructor(source: ByteSource, name: string) {
    this.#source = source;
    this.name = name;
  }

  /**
   * Reads the file's header (for pcapng, up to its first interface) and returns a reader.
   * Throws `CaptureFileError` for an empty file or one that is not a capture at all.
   */
  static async open(source: ByteSource, name: string): Promise<CaptureFileReader> {
    const reader = new CaptureFileReader(source, name);
    await reader.#readHeader();
    return reader;
  }

  /** Link type of the first interface (what `reading from file …` reports). */
  get linkType(): number {
    return this.interfaces[0]?.linkType ?? 0;
  }

  /** Snapshot length of the first interface. */
  get snaplen(): number {
    return this.interfaces[0]?.snaplen ?? 0;
  }

  /**
   * The most of a record libpcap hands its caller, and so what tcpdump decodes: a classic
   * pcap record longer than the file's snapshot length (a damaged or crafted file) is cut to
   * it (`pcap_next_packet` in libpcap's sf-pcap.c), where tshark keeps the whole record. A
   * snapshot length of 0 or past 2^31 (libpcap's signed `snapshot`), and pcapng's packet
   * blocks, are not cut.
   */
  get libpcapRecordLimit(): number {
    const snaplen = this.snaplen;
    return this.format === "pcap" && snaplen > 0 && snaplen < 2 ** 31 ? snaplen : Infinity;
  }

  /** Whether the first interface has time stamps finer than microseconds. */
  get nanosecond(): boolean {
    return (this.interfaces[0]?.ticksPerSecond ?? 0) > 1e6;
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.#base + this.#start;
  }

  /**
   * The file offset of byte `offset` of the buffer a `runRanges` handler was given (during
   * that call): where a record's frame lies in the file, to read it again later.
   */
  fileOffsetOf(offset: number): number {
    return this.#base + offset;
  }

  /**
   * Delivers every record to `onRecord`, in file order, until the file ends or `onRecord`
   * returns `false`. Rejects with `CaptureFileError` at the first damage, after delivering
   * every good record before it.
   */
  async run(onRecord: RecordHandler): Promise<void> {
    await this.runRanges((bytes, offset, header) =>
      onRecord(bytes.subarray(offset, offset + header.caplen), header)
    );
  }

  /**
   * `run`, but each record is handed over as the buffer and its place in it (no view).
   * `onChunkEnd` is called after the last record of each buffer's worth: until it returns,
   * the records handed over since the last call stay where they are (a consumer may copy
   * them in one piece then, rather than one by one).
   */
  async runRanges(onRecord: RangeHandler, onChunkEnd?: () => void): Promise<void> {
    for (;;) {
      const need = this.format === "pcap"
        ? this.#pcapRecords(onRecord)
        : this.#pcapngBlocks(onRecord);
      onChunkEnd?.();
      if (need === 0) return; // stopped by the handler
      if (await this.#fill(need)) continue;
      if (this.#end === this.#start && this.#skip === SKIP_NOTHING) return; // clean end
      throw this.#cutShort(need);
    }
  }

  /**
   * The next record, for consumers that pull: its frame (valid until the next call) and
   * header, or `null` at the end of the file. Throws `CaptureFileError` at damage.
   */
  async next(): Promise<{ frame: Uint8Array; header: FileRecordHeader } | null> {
    let record: { frame: Uint8Array; header: FileRecordHeader } | null = null;
    // runRanges stops after the record the handler declines more after, and picks up there
    // on the next call.
    await this.runRanges((bytes, offset, header) => {
      record = { frame: bytes.subarray(offset, offset + header.caplen), header };
      return false;
    });
    return record;
  }

  #cutShort(need: number): CaptureFileError {
    const have = this.#end - this.#start;
    const what = this.format === "pcap" ? "record" : "block";
    return new CaptureFileError(
      `file ends in the middle of a ${what} at byte ${this.offset} ` +
        `(${have} of ${need} bytes there): the file was cut short`,
      this.offset,
    );
  }

  /**
   * Makes `need` bytes (at most `CARRY_ROOM`) available from `#start`; false when the file
   * ends first. The next chunk is always being read into the spare buffer while this one is
   * processed (on a second core, where the source's reads run), so reading rarely waits.
   */
  async #fill(need: number): Promise<boolean> {
    if (need > CARRY_ROOM) throw new Error(`reader asked for ${need} bytes at once`); // a bug
    while (this.#end - this.#start < need) {
      if (this.#ahead === null) {
        if (this.#eof) return false;
        this.#readAhead(); // the first read
      }
      await this.#takeAhead();
    }
    return true;
  }

  #readAhead(): void {
    const read = this.#source.read(this.#spare.subarray(CARRY_ROOM));
    // A read still under way when the caller stops reading must not end unhandled.
    read.catch(() => {});
    this.#ahead = read;
  }

  /**
   * Waits for the chunk being read ahead, moves what is left of this one just before it, and
   * makes it the current chunk; then starts reading the next.
   */
  async #takeAhead(): Promise<void> {
    const count = await this.#ahead;
    this.#ahead = null;
    const carried = this.#end - this.#start;
    const next = this.#spare;
    next.set(this.#bytes.subarray(this.#start, this.#end), CARRY_ROOM - carried);
    this.#base += this.#start - (CARRY_ROOM - carried);
    this.#spare = this.#bytes;
    this.#bytes = next;
    const view = this.#spareView;
    this.#spareView = this.#view;
    this.#view = view;
    this.#start = CARRY_ROOM - carried;
    this.#end = CARRY_ROOM + (count ?? 0);
    if (count === null) this.#eof = true;
    else this.#readAhead();
  }

  async #readHeader(): Promise<void> {
    await this.#fill(PCAP_FILE_HEADER_LENGTH);
    const at = this.#start;
    const have = this.#end - at;
    if (have === 0) throw new CaptureFileError("the file is empty: not a capture", 0);
    if (have < 4) {
      throw new CaptureFileError(`only ${have} bytes: not a pcap or pcapng file`, 0);
    }
    const view = this.#view;
    const magic = view.getUint32(at, true);
    const swapped = view.getUint32(at, false);
    if (magic === PCAPNG_SHB) {
      this.format = "pcapng";
      // Process the section header and the blocks up to the first interface or packet.
      for (;;) {
        const need = this.#pcapngBlocks(null);
        if (this.interfaces.length > 0 || need === 0) return;
        if (!await this.#fill(need)) {
          if (this.#end === this.#start) return;
          throw this.#cutShort(need);
        }
      }
    }
    const known = [PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, PCAP_MAGIC_MODIFIED];
    if (!known.includes(magic) && !known.includes(swapped)) {
      throw new CaptureFileError(
        `not a pcap or pcapng file (it starts with ${hexPrefix(this.#bytes.subarray(at))})`,
        0,
      );
    }
    if (have < PCAP_FILE_HEADER_LENGTH) {
      throw new CaptureFileError(
        `file ends inside the pcap file header (${have} of ${PCAP_FILE_HEADER_LENGTH} bytes)`,
        0,
      );
    }
    const little = known.includes(magic);
    const value = little ? magic : swapped;
    this.#little = little;
    this.#recordHeaderLength = value === PCAP_MAGIC_MODIFIED ? 24 : 16;
    const major = view.getUint16(at + 4, little);
    if (major !== 2) {
      throw new CaptureFileError(`pcap version ${major} is not supported (only 2)`, 4);
    }
    this.interfaces.push({
      linkType: view.getUint32(at + 20, little) & PCAP_LINKTYPE_MASK,
      snaplen: view.getUint32(at + 16, little),
      name: undefined,
      ticksPerSecond: value === PCAP_MAGIC_NANO ? 1e9 : 1e6,
      offsetSeconds: 0,
    });
    this.#start = at + PCAP_FILE_HEADER_LENGTH;
  }

  /** Delivers buffered pcap records; returns the bytes needed next, or 0 when stopped. */
  #pcapRecords(onRecord: RangeHandler): number {
    const view = this.#view;
    const little = this.#little;
    const headerLength = this.#recordHeaderLength;
    const header = this.#header;
    const iface = this.interfaces[0];
    const nanosecond = iface.ticksPerSecond === 1e9;
    header.linkType = iface.linkType;
    header.nanosecond = nanosecond;
    header.interfaceId = 0;
    header.comment = undefined;
    for (;;) {
      const at = this.#start;
      const available = this.#end - at;
      if (available < headerLength) return headerLength;
      const caplen = view.getUint32(at + 8, little);
      if (caplen > MAX_RECORD_LENGTH) {
        throw new CaptureFileError(
          `record at byte ${this.#base + at} claims ${caplen} captured bytes, more than ` +
            `${MAX_RECORD_LENGTH} (libpcap's maximum): the file is damaged`,
          this.#base + at,
        );
      }
      const total = headerLength + caplen;
      if (available < total) return total;
      header.seconds = view.getUint32(at, little);
      header.fraction = view.getUint32(at + 4, little);
      header.caplen = caplen;
      header.len = view.getUint32(at + 12, little);
      this.#start = at + total;
      if (onRecord(this.#bytes, at + headerLength, header) === false) {
        return 0;
      }
    }
  }

  /**
   * Processes buffered pcapng blocks, delivering packets to `onRecord` (or, with `null`,
   * stopping before the first packet); returns the bytes needed next, or 0 when stopped.
   */
  #pcapngBlocks(onRecord: RangeHandler | null): number {
    const view = this.#view;
    for (;;) {
      if (this.#skip !== SKIP_NOTHING) {
        const skipped = Math.min(this.#skip, this.#end - this.#start);
        this.#start += skipped;
        this.#skip -= skipped;
        if (this.#skip !== SKIP_NOTHING) return Math.min(this.#skip, CARRY_ROOM);
      }
      const at = this.#start;
      const available = this.#end - at;
      if (available < 12) return 12;
      const offset = this.#base + at;
      let type = view.getUint32(at, this.#little);
      if (view.getUint32(at, true) === PCAPNG_SHB) {
        type = PCAPNG_SHB;
        const order = view.getUint32(at + 8, true);
        if (order === PCAPNG_BYTE_ORDER_MAGIC) this.#little = true;
        else if (view.getUint32(at + 8, false) === PCAPNG_BYTE_ORDER_MAGIC) this.#little = false;
        else {
          throw new CaptureFileError(
            `section header at byte ${offset} has no valid byte-order magic: not a pcapng file`,
            offset,
          );
        }
      }
      const length = view.getUint32(at + 4, this.#little);
      if (length < 12 || length % 4 !== 0) {
        throw new CaptureFileError(
          `block at byte ${offset} has an impossible length (${length}): the file is damaged`,
          offset,
        );
      }
      const parsed = type === PCAPNG_SHB || type === PCAPNG_IDB || type === PCAPNG_EPB ||
        type === PCAPNG_SPB || type === PCAPNG_OPB;
      if (!parsed) {
        this.#skip = length; // other blocks (statistics, name resolution, …) are not needed
        continue;
      }
      if (length > MAX_PARSED_BLOCK_LENGTH) {
        throw new CaptureFileError(
          `block at byte ${offset} claims ${length} bytes, more than any packet block can ` +
            `hold (${MAX_PARSED_BLOCK_LENGTH}): the file is damaged`,
          offset,
        );
      }
      if (available < length) return length;
      if (view.getUint32(at + length - 4, this.#little) !== length) {
        throw new CaptureFileError(
          `block at byte ${offset}: its trailing length does not match its leading length ` +
            `${length}: the file is damaged`,
          offset,
        );
      }
      if (type === PCAPNG_SHB) this.#sectionHeader(at, length, offset);
      else if (type === PCAPNG_IDB) this.#interfaceDescription(at, length, offset);
      else {
        if (onRecord === null) return 0;
        const frameStart = this.#packet(type, at, length, offset);
        this.#start = at + length;
        if (onRecord(this.#bytes, frameStart, this.#header) === false) return 0;
        continue;
      }
      this.#start = at + length;
    }
  }

  #sectionHeader(at: number, length: number, offset: number): void {
    const major = this.#view.getUint16(at + 12, this.#little);
    if (length < 28) {
      throw new CaptureFileError(`section header at byte ${offset} is too short`, offset);
    }
    if (major !== 1) {
      throw new CaptureFileError(
        `pcapng version ${major} at byte ${offset} is not supported (only 1)`,
        offset,
      );
    }
    this.interfaces.length = 0; // interfaces are numbered per section
  }

  #interfaceDescription(at: number, length: number, offset: number): void {
    const view = this.#view;
    const little = this.#little;
    if (length < 20) {
      throw new CaptureFileError(`interface block at byte ${offset} is too short`, offset);
    }
    const iface: FileInterface = {
      linkType: view.getUint16(at + 8, little),
      snaplen: view.getUint32(at + 12, little),
      name: undefined,
      ticksPerSecond: 1e6,
      offsetSeconds: 0,
    };
    this.#options(at + 16, at + length - 4, offset, (code, start, size) => {
      if (code === IF_TSRESOL && size >= 1) {
        const value = view.getUint8(start);
        const exponent = value & 0x7f;
        iface.ticksPerSecond = value & 0x80 ? 2 ** exponent : 10 ** exponent;
      } else if (code === IF_TSOFFSET && size >= 8) {
        iface.offsetSeconds = Number(view.getBigInt64(start, little));
      } else if (code === IF_NAME) {
        iface.name = utf8.decode(this.#bytes.subarray(start, start + size));
      }
    });
    if (!(iface.ticksPerSecond >= 1 && iface.ticksPerSecond <= 2 ** 63)) {
      throw new CaptureFileError(
        `interface block at byte ${offset}: impossible time resolution`,
        offset,
      );
    }
    this.interfaces.push(iface);
  }

  /** Walks the options between `start` and `end`, checking each length. */
  #options(
    start: number,
    end: number,
    offset: number,
    onOption: (code: number, start: number, size: number) => void,
  ): void {
    const view = this.#view;
    let at = start;
    while (at + 4 <= end) {
      const code = view.getUint16(at, this.#little);
      const size = view.getUint16(at + 2, this.#little);
      if (code === OPT_ENDOFOPT) return;
      if (at + 4 + size > end) {
        throw new CaptureFileError(
          `block at byte ${offset}: option ${code} runs past the end of its block`,
          offset,
        );
      }
      onOption(code, at + 4, size);
      at += 4 + ((size + 3) & ~3);
    }
  }

  /** Fills the record header for a packet block; returns where its frame starts. */
  #packet(type: number, at: number, length: number, offset: number): number {
    const view = this.#view;
    const little = this.#little;
    const header = this.#header;
    let interfaceId: number;
    let dataStart: number;
    let caplen: number;
    let high = 0;
    let low = 0;
    if (type === PCAPNG_SPB) {
      if (length < 16) {
        throw new CaptureFileError(`simple packet block at byte ${offset} is too short`, offset);
      }
      interfaceId = 0;
      dataStart = at + 12;
      header.len = view.getUint32(at + 8, little);
      const snaplen = this.interfaces[0]?.snaplen || Infinity;
      caplen = Math.min(header.len, snaplen, length - 16);
    } else {
      interfaceId = type === PCAPNG_EPB
        ? view.getUint32(at + 8, little)
        : view.getUint16(at + 8, little);
      if (length < 32) {
        throw new CaptureFileError(`packet block at byte ${offset} is too short`, offset);
      }
      high = view.getUint32(at + 12, little);
      low = view.getUint32(at + 16, little);
      caplen = view.getUint32(at + 20, little);
      header.len = view.getUint32(at + 24, little);
      dataStart = at + 28;
      if (28 + caplen + 4 > length) {
        throw new CaptureFileError(
          `packet block at byte ${offset} claims ${caplen} captured bytes but holds ` +
            `${Math.max(0, length - 32)}: the file is damaged`,
          offset,
        );
      }
    }
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) {
      throw new CaptureFileError(
        `packet block at byte ${offset} refers to interface ${interfaceId}, which its ` +
          "section does not describe: the file is damaged",
        offset,
      );
    }
    header.interfaceId = interfaceId;
    header.linkType = iface.linkType;
    header.caplen = caplen;
    header.comment = undefined;
    setTimestamp(header, high, low, iface);
    if (type !== PCAPNG_SPB) {
      const optionsStart = dataStart + ((caplen + 3) & ~3);
      if (optionsStart < at + length - 4) {
        this.#options(optionsStart, at + length - 4, offset, (code, start, size) => {
          if (code === OPT_COMMENT) {
            header.comment = utf8.decode(this.#bytes.subarray(start, start + size));
          }
        });
      }
    }
    return dataStart;
  }
}

/**
 * Splits a 64-bit tick count (`high`, `low`) into seconds and a micro- or nanosecond
 * fraction without losing precision to floating point.
 */
export function setTimestamp(
  header: FrameHeader,
  high: number,
  low: number,
  iface: FileInterface,
): void {
  const ticks = iface.ticksPerSecond;
  if (ticks <= 2 ** 30 && Number.isInteger(ticks)) {
    // Long division in 16-bit steps keeps every intermediate below 2^53.
    const highQuotient = Math.floor(high / ticks);
    const x1 = (high % ticks) * 65536 + (low >>> 16);
    const q1 = Math.floor(x1 / ticks);
    const x2 = (x1 % ticks) * 65536 + (low & 0xffff);
    const q2 = Math.floor(x2 / ticks);
    const remainder = x2 % ticks;
    header.seconds = highQuotient * 4294967296 + q1 * 65536 + q2 + iface.offsetSeconds;
    if (ticks <= 1e6) {
      header.nanosecond = false;
      header.fraction = ticks === 1e6 ? remainder : Math.floor(remainder * 1e6 / ticks);
    } else {
      header.nanosecond = true;
      header.fraction = ticks === 1e9 ? remainder : Math.floor(remainder * 1e9 / ticks);
    }
    return;
  }
  // Finer than 2^30 ticks a second: rare enough for BigInt.
  const total = (BigInt(high) << 32n) | BigInt(low);
  const perSecond = BigInt(ticks);
  header.seconds = Number(total / perSecond) + iface.offsetSeconds;
  header.nanosecond = true;
  header.fraction = Number((total % perSecond) * 1_000_000_000n / perSecond);
}
