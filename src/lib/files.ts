/**
 * Capture files for scripts: `readCapture` iterates the packets of a pcap or pcapng file (a
 * path, a URL, or a stream of bytes), and `writeCapture` writes packets to one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCapture } from "../../mod.ts";
 * const url = new URL("../../tests/fixtures/vlan.pcap", import.meta.url);
 * const tags: number[][] = [];
 * for await (const packet of readCapture(url)) tags.push(packet.vlan.map((tag) => tag.id));
 * assert.deepEqual(tags.slice(0, 2), [[100], [200, 300]]);
 * ```
 * @module
 */

import { Decoder, LINKTYPE_ETHERNET } from "../decode/mod.ts";
import { CaptureFileReader } from "../file/reader.ts";
import { decompressedSource, StreamSource } from "../file/compressed.ts";
import { FileFilter } from "../ffi/filter.ts";
import { type Libpcap, LibraryError, loadLibpcap } from "../ffi/library.ts";
import { FlowTracker } from "../analysis/flows.ts";
import { CaptureFileWriter } from "../file/writer.ts";
import type { FrameHeader } from "../frame.ts";
import { CapturedPacket } from "./packet.ts";
import { compileDisplayFilter } from "./display_filter.ts";

/**
 * The packets of a capture file, in order, each with its own interface's link type. A packet
 * is valid during its iteration; `copy()` keeps it. Throws `CaptureFileError` at damage
 * (after yielding the good packets before it).
 */
export async function* readCapture(
  source: string | URL | ReadableStream<Uint8Array>,
  options: ReadOptions = {},
): AsyncGenerator<CapturedPacket> {
  // The filter is compiled first: a bad one fails before the file is opened.
  const filter = options.filter === undefined ? undefined : offlineFilter(options.filter);
  const display = options.displayFilter === undefined
    ? undefined
    : compileDisplayFilter(options.displayFilter);
  const stream = source instanceof ReadableStream;
  const file = stream ? undefined : await Deno.open(source);
  try {
    const rewind = file !== undefined && (await file.stat()).isFile
      ? () => file.seek(0, Deno.SeekMode.Start)
      : undefined;
    const reader = await CaptureFileReader.open(
      await decompressedSource(
        file ?? new StreamSource(source as ReadableStream<Uint8Array>),
        rewind,
      ),
      stream ? "stream" : String(source),
    );
    const decoder = new Decoder();
    const flows = new FlowTracker({ summary: false, analysis: true });
    for (let record = await reader.next(); record !== null; record = await reader.next()) {
      const header = record.header;
      if (filter !== undefined && !filter.matches(record.frame, header.linkType, header.len)) {
        continue;
      }
      const packet = new CapturedPacket(
        record.frame,
        record.header,
        record.header.linkType,
        decoder,
        flows,
      );
      if (display === undefined || display(packet)) yield packet;
    }
  } finally {
    filter?.free();
    file?.close();
  }
}

/** How `readCapture` reads. */
export interface ReadOptions {
  /**
   * Only the packets that match this filter (tcpdump's language, compiled by libpcap, as
   * `netpeek -r FILE EXPR`). Needs libpcap: without it `readCapture` throws `LibraryError`
   * saying so; a filter that does not compile throws `FilterError`.
   */
  filter?: string;
  /**
   * Only the packets that match this display filter (Wireshark's language, as `netpeek -Y`;
   * see `compileDisplayFilter`), tested after `filter`; one that does not compile throws
   * `DisplayFilterError` before the file is opened.
   */
  displayFilter?: string;
}

/**
 * `readCapture`'s filter, compiled for Ethernet at once so that a bad expression fails before
 * the file is opened; other link types are compiled as the file holds them.
 */
function offlineFilter(expression: string): FileFilter {
  let lib: Libpcap;
  try {
    lib = loadLibpcap();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LibraryError(
      `readCapture's filter is compiled by libpcap, which is missing: ${reason}`,
    );
  }
  // The snapshot length only bounds what a program returns, not what it matches.
  const filter = new FileFilter(lib, expression, 0);
  filter.programFor(LINKTYPE_ETHERNET);
  return filter;
}

/** How a capture file is written. */
export interface WriteOptions {
  /** Link type of the packets (default: the first packet's). */
  linkType?: number;
  /** `pcap` (default) or `pcapng` (needed for packets of several link types). */
  format?: "pcap" | "pcapng";
  /** Snapshot length recorded in the file (default 262144). */
  snaplen?: number;
  /** Nanosecond time stamps (default: microseconds). */
  nanosecond?: boolean;
}

/** A capture file being written; close it to flush the last packets. */
export interface CaptureWriter {
  /** Appends a packet (a captured or read one, or bytes with a header). */
  write(
    packet: CapturedPacket | { bytes: Uint8Array; header: FrameHeader; linkType: number },
  ): void;
  /** Flushes and closes the file. */
  close(): void;
}

/**
 * Writes packets to `path` (created or truncated), as `tcpdump -r` and tshark read them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CapturedPacket } from "../../mod.ts";
 * import { readCapture, writeCapture } from "../../mod.ts";
 * const path = await Deno.makeTempFile({ suffix: ".pcap" });
 * const writer = writeCapture(path);
 * writer.write(CapturedPacket.of(new Uint8Array([0x45, 0, 0, 20]), 101));
 * writer.close();
 * for await (const packet of readCapture(path)) assert.equal(packet.linkType, 101);
 * ```
 */
export function writeCapture(path: string | URL, options: WriteOptions = {}): CaptureWriter {
  const file = Deno.openSync(path, { write: true, create: true, truncate: true });
  let writer: CaptureFileWriter | undefined;
  // The header is written with the first packet, whose link type is the default.
  const start = (linkType: number) =>
    new CaptureFileWriter(file, String(path), {
      format: options.format ?? "pcap",
      linkType: options.linkType ?? linkType,
      snaplen: options.snaplen ?? 262144,
      nanosecond: options.nanosecond ?? false,
    });
  return {
    write(packet) {
      writer ??= start(packet.linkType);
      writer.write(packet.bytes, packet.header, packet.linkType);
    },
    close() {
      try {
        writer ??= start(1); // no packet: an Ethernet file with nothing in it
        writer.close();
      } finally {
        file.close();
      }
    },
  };
}
