/**
 * `netpeek -r FILE`: reading a capture file (or standard input), filtering each packet with
 * libpcap's compiled filter when one is given, and handing the rest to the sink.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandLine } from "./args.ts";
 * import { readCaptureFile } from "./read.ts";
 * const path = new URL("../../tests/fixtures/vlan.pcap", import.meta.url).pathname;
 * assert.equal(await readCaptureFile(parseCommandLine(["-r", path, "-w", "/dev/null"])), 0);
 * ```
 * @module
 */

import type { FlowExporter } from "../output/ipfix_export.ts";
import { linkTypeInfo } from "../decode/mod.ts";
import { FileFilter } from "../ffi/filter.ts";
import { type Libpcap, loadLibpcap } from "../ffi/library.ts";
import { dropPrivileges } from "../ffi/privileges.ts";
import { interfaceNamer } from "../ffi/interfaces.ts";
import { CaptureFileError, CaptureFileReader } from "../file/reader.ts";
import { decompressedSource } from "../file/compressed.ts";
import { WriteError } from "../file/writer.ts";
import type { CommandLine } from "./args.ts";
import { filterExpression } from "./filter_setup.ts";
import { PacketSink } from "./sink.ts";
import type { Selection } from "./selection.ts";
import type { FrameFile } from "../tui/packet_store.ts";
import { loadView } from "./load_view.ts";
import { printError, writeStderr, writeText } from "./stderr.ts";
import { osErrorReason } from "../file/os_error.ts";
import { isRunFailure, type UserError } from "../user_error.ts";

/** The file `-r` names (or standard input), with what the system says of it. */
async function openSource(
  path: string,
): Promise<{ source: Deno.FsFile | typeof Deno.stdin; info: Deno.FileInfo | undefined }> {
  if (path === "-") {
    let info: Deno.FileInfo | undefined;
    try {
      // Standard input redirected from a file (`< capture.pcap`) is a file too.
      info = Deno.statSync("/dev/stdin");
    } catch {
      // No such path here (Windows): standard input streams.
    }
    return { source: Deno.stdin, info };
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (error) {
    throw new CaptureFileError(
      error instanceof Deno.errors.NotFound ? "no such file" : osErrorReason(error),
    );
  }
  const info = file.statSync();
  if (info.isDirectory) {
    file.close();
    throw new CaptureFileError("is a directory: give -r a capture file in it");
  }
  return { source: file, info };
}

/**
 * Names for a `LINUX_SLL2` file's interface indexes, as tcpdump gives them: this machine's.
 * libpcap (with libc) is loaded at the first such packet; where it cannot be, every index
 * prints `?`.
 */
function lazyInterfaceNamer(lib: Libpcap | undefined): (index: number) => string {
  let nameOf: ((index: number) => string) | undefined;
  return (index) => {
    if (nameOf === undefined) {
      try {
        nameOf = interfaceNamer(lib ?? loadLibpcap());
      } catch {
        nameOf = () => "?";
      }
    }
    return nameOf(index);
  };
}

/**
 * The live view's way back to a capture file's frames (it keeps their places, not copies);
 * `undefined` for a compressed file, whose offsets are not the file's.
 */
function fileFrames(path: string): FrameFile | undefined {
  const file = Deno.openSync(path, { read: true });
  const magic = new Uint8Array(2);
  file.readSync(magic);
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    file.close();
    return undefined;
  }
  return {
    readAt(offset, length) {
      const bytes = new Uint8Array(length);
      file.seekSync(offset, Deno.SeekMode.Start);
      for (let have = 0; have < length;) {
        const count = file.readSync(bytes.subarray(have));
        if (count === null) break;
        have += count;
      }
      return bytes;
    },
  };
}

/** The same file, by its real path; false when either does not exist. */
function sameFile(a: string, b: string): boolean {
  try {
    return Deno.realPathSync(a) === Deno.realPathSync(b);
  } catch {
    return false;
  }
}

/**
 * Reads the file the command line names; returns the exit status. `selection`: `-Y` and
 * `-T fields`, when given (see `loadSelection`).
 */
export async function readCaptureFile(
  options: CommandLine,
  exporter?: FlowExporter,
  selection?: Selection,
): Promise<number> {
  const path = options.read!;
  const write = options.write;
  if (write !== undefined && write !== "-" && path !== "-" && sameFile(path, write)) {
    // Opening it to write would empty it before it was read.
    printError(`-w ${write} is the file -r reads: write to another file`);
    return 2;
  }
  try {
    return await readFile(path, options, exporter, selection);
  } catch (error) {
    if (!(error instanceof CaptureFileError)) throw error;
    printError(`${path}: ${error.message}`);
    return 1;
  }
}

async function readFile(
  path: string,
  options: CommandLine,
  exporter: FlowExporter | undefined,
  selection: Selection | undefined,
): Promise<number> {
  const { source, info } = await openSource(path);
  try {
    const rewind = source instanceof Deno.FsFile && info?.isFile === true
      ? () => source.seek(0, Deno.SeekMode.Start)
      : undefined;
    const reader = await CaptureFileReader.open(await decompressedSource(source, rewind), path);
    // A regular file is read in large blocks; anything else (standard input, a pipe, a FIFO)
    // streams: each packet is printed as soon as it has arrived, as
    // `tcpdump -U -w - | netpeek -r -` needs.
    const streaming = info?.isFile !== true;
    const expression = filterExpression(options, options.words.join(" ") || undefined);
    // libpcap is needed only to compile a filter: without one, files read in pure TypeScript.
    const lib: Libpcap | undefined = expression !== undefined || options.dumpFilter
      ? loadLibpcap()
      : undefined;
    const filter = lib === undefined
      ? undefined
      : new FileFilter(lib, expression ?? "", reader.snaplen);
    // Compiled before the first packet: a bad expression fails before anything is printed.
    const program = filter?.programFor(reader.linkType);
    if (options.dumpFilter) {
      writeText(Deno.stdout, program!.dump().join("\n") + "\n");
      return 0;
    }

    if (options.tui) {
      const { runView, PacketStore } = await loadView();
      let stopped = false;
      const file = info?.isFile === true ? fileFrames(path) : undefined;
      return await runView(
        {
          run: (onFrame) =>
            reader.runRanges((bytes, offset, header) => {
              if (stopped) return false;
              const length = header.caplen;
              if (
                expression === undefined ||
                filter!.matches(
                  bytes.subarray(offset, offset + length),
                  header.linkType,
                  header.len,
                )
              ) onFrame(bytes, offset, header, header.linkType, reader.fileOffsetOf(offset));
              return true;
            }),
          stop: () => stopped = true,
          stats: () => null,
        },
        new PacketStore(options.tuiBuffer, file),
        { color: !Deno.noColor },
      );
    }
    const link = linkTypeInfo(reader.linkType);
    writeStderr(
      `reading from file ${path}, link-type ${link.name} (${link.description}), ` +
        `snapshot length ${reader.snaplen}\n`,
    );
    const sink = await PacketSink.create(
      options,
      {
        linkType: reader.linkType,
        snaplen: reader.snaplen,
        nanosecond: reader.nanosecond,
        interfaceName: reader.interfaces[0]?.name,
        nameInterface: lazyInterfaceNamer(lib),
      },
      exporter,
      selection,
    );
    if (options.user !== undefined) dropPrivileges(lib ?? loadLibpcap(), options.user);
    if (source instanceof Deno.FsFile && reader.format === "pcap") {
      sink.printOnWorker(info!.size, reader.nanosecond);
    }
    // tcpdump's lines are made from what libpcap hands it, tshark's fields, tree, JSON and
    // statistics from the whole record: they differ only for a record past the file's
    // snapshot length.
    const recordLimit = options.json || options.tree || options.stats || selection !== undefined
      ? Infinity
      : reader.libpcapRecordLimit;
    let failure: UserError | undefined;
    try {
      await reader.runRanges((bytes, offset, header) => {
        const linkType = header.linkType;
        const length = Math.min(header.caplen, recordLimit);
        if (
          expression !== undefined &&
          !filter!.matches(bytes.subarray(offset, offset + length), linkType, header.len)
        ) {
          return true;
        }
        return sink.handle(bytes, offset, length, header, linkType);
      }, () => {
        sink.chunkEnd();
        // What arrived is printed before waiting for more.
        if (streaming) sink.drained();
      });
    } catch (error) {
      if (!isRunFailure(error)) throw error;
      failure = error;
    }
    try {
      sink.finish(); // every good packet before a failure is still printed and written
    } catch (error) {
      if (!(error instanceof WriteError)) throw error;
      failure ??= error;
    }
    filter?.free();
    if (failure === undefined) return 0;
    printError(failure instanceof CaptureFileError ? `${path}: ${failure.line}` : failure.line);
    return failure.exitStatus;
  } finally {
    if (source !== Deno.stdin) (source as Deno.FsFile).close();
  }
}
