/**
 * Where packets go once captured or read: printed (text or JSON), written to a capture file
 * (with rotation), or both; counted against `-c`. One path for live capture and for files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandLine } from "./args.ts";
 * import { PacketSink } from "./sink.ts";
 * const options = parseCommandLine(["-c", "1", "-w", "/dev/null"]);
 * const source = { linkType: 101, snaplen: 262144, nanosecond: false };
 * const sink = await PacketSink.create(options, source);
 * const frame = new Uint8Array([0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 253, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
 * const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 20, len: 20 };
 * assert.equal(sink.handle(frame, 0, frame.length, header, 101), false); // -c 1: no more wanted
 * sink.finish();
 * assert.equal(sink.count, 1);
 * ```
 * @module
 */

import { UserError } from "../user_error.ts";
import { FlowTracker } from "../analysis/flows.ts";
import { type Reassembled, Reassembler } from "../analysis/reassembly.ts";
import type { TcpAnalysis } from "../analysis/tcp_analysis.ts";
import { IKE_ROLE_NONE, IkeInitiators } from "../analysis/ike_initiators.ts";
import { Decoder, LINKTYPE_LINUX_SLL2, type Packet } from "../decode/mod.ts";
import { CaptureFileWriter, type FileSink, WriteError } from "../file/writer.ts";
import { BackgroundWriter } from "../output/background_writer.ts";
import { RotatingWriter } from "../file/rotation.ts";
import { formatStatsJson, writeStatsText } from "../output/stats.ts";
import { type CaptureStats, type FrameHeader, frameSeconds } from "../frame.ts";
import { OutputBuffer } from "../output/writer.ts";
import type { CommandLine } from "./args.ts";
import { PrintPipeline } from "./print_pipeline.ts";
import {
  loadPacketFormatter,
  type PacketFormat,
  printedAnalysis,
  type PrintFormat,
  printFormat,
  printOnWorker,
} from "./print_format.ts";
import { VERSION } from "./version.ts";
import type { FlowExporter } from "../output/ipfix_export.ts";
import type { Selection } from "./selection.ts";
import type { PacketExtras } from "../output/packet_extras.ts";
import { osErrorReason } from "../file/os_error.ts";

/** What the source of the packets says about them. */
export interface SourceInfo {
  linkType: number;
  snaplen: number;
  nanosecond: boolean;
  interfaceName?: string;
  /** Names an interface index for `LINUX_SLL2` lines; without it they print `?`. */
  nameInterface?: (index: number) => string;
  /** Live: the system's index of the interface captured on (IPFIX's `ingressInterface`). */
  interfaceIndex?: number;
  /**
   * Live: print through a `BackgroundWriter`, so that a slow reader never holds up the
   * capture (see `queuedPackets` and `settle`).
   */
  backgroundOutput?: boolean;
  /** Live: the kernel's counters so far, for `--stats-interval`. */
  captureStats?: () => CaptureStats | null;
}

/** A file that cannot be opened for writing; one line for the user. */
export class OutputFileError extends UserError {
  override name = "OutputFileError";
}

/**
 * Opens a file for writing. The path the user gave is opened as given (it may be a link they
 * meant); a name netpeek made by rotation is never written through a symbolic link: an
 * existing regular file is replaced, and the new one is created exclusively (`O_EXCL`), so
 * a link planted in between is not followed either.
 */
export function openForWriting(path: string, given: string): FileSink & { close(): void } {
  try {
    refuseDirectory(path);
    if (path === given) return Deno.openSync(path, { write: true, create: true, truncate: true });
    let existing: Deno.FileInfo | undefined;
    try {
      existing = Deno.lstatSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    if (existing?.isSymlink) {
      throw new OutputFileError(
        `${path}: is a symbolic link; rotation does not write through links`,
      );
    }
    if (existing !== undefined) Deno.removeSync(path);
    return Deno.openSync(path, { write: true, createNew: true });
  } catch (error) {
    if (error instanceof OutputFileError) throw error;
    throw new OutputFileError(`${path}: cannot create: ${osErrorReason(error)}`);
  }
}

/**
 * Throws `OutputFileError` when `path` is a directory: `-w DIR` is a mistake, said before
 * anything starts, and for a name rotation makes.
 */
export function refuseDirectory(path: string): void {
  let directory = false;
  try {
    directory = Deno.statSync(path).isDirectory;
  } catch {
    // Nothing there yet: it will be created.
  }
  if (directory) {
    throw new OutputFileError(`${path}: is a directory: give -w a file name (in it, say)`);
  }
}

/** Prints, writes and counts packets. */
export class PacketSink {
  /** Packets handed on (after filtering). */
  count = 0;
  /** Packets handed on but not printed, because the output could not keep up (live). */
  notPrinted = 0;
  readonly #limit: number;
  readonly #decoder = new Decoder();
  readonly #format: PrintFormat;
  readonly #formatPacket: PacketFormat;
  readonly #out: OutputBuffer | undefined;
  readonly #file: RotatingWriter | CaptureFileWriter | undefined;
  /** Whether packet lines are printed. */
  readonly #printing: boolean;
  /** Whether packets are decoded at all (not when only writing a file). */
  readonly #decoding: boolean;
  readonly #flows: FlowTracker;
  readonly #reassembler: Reassembler | undefined;
  readonly #stats: boolean;
  readonly #statsInterval: number | undefined;
  readonly #options: CommandLine;
  /** The worker printing the packets, when `printOnWorker` started one. */
  #pipeline: PrintPipeline | undefined;
  #nextStats = Number.NaN;
  #stop = false;
  readonly #linkType: number;
  /** `-l`: each packet's lines go out at once. */
  readonly #lineBuffered: boolean;
  readonly #nameInterface: (index: number) => string;
  /** `-Y` and `-T fields`, when given. */
  readonly #selection: Selection | undefined;
  /**
   * With `-Y` and `--stats`: the statistics of the frames that pass, while `#flows` follows
   * every frame (the TCP analysis and stream numbers have to see them all).
   */
  readonly #selectedFlows: FlowTracker | undefined;
  /** `--ipfix`: where the flow table's records go. */
  readonly #exporter: FlowExporter | undefined;
  /** Live: where printed output queues (see `SourceInfo.backgroundOutput`). */
  readonly #background: BackgroundWriter | undefined;
  readonly #captureStats: (() => CaptureStats | null) | undefined;
  /** Whether `-T fields`' header line is out. */
  #fieldsHeaderPrinted = false;

  /** What `#print` hands the formatter with each packet: one object, refilled. */
  readonly #extras: PacketExtras = {
    analysis: undefined,
    reassembled: undefined,
    interfaceName: undefined,
    ikeRole: undefined,
  };
  /** tcpdump's memory of IKEv1 initiators, for each IKE message's `I` or `R`. */
  readonly #ike = new IkeInitiators();

  private constructor(
    options: CommandLine,
    source: SourceInfo,
    format: PrintFormat,
    formatPacket: PacketFormat,
    exporter?: FlowExporter,
    selection?: Selection,
  ) {
    this.#limit = options.count ?? Infinity;
    this.#linkType = source.linkType;
    this.#lineBuffered = options.lineBuffered;
    this.#nameInterface = source.nameInterface ?? (() => "?");
    // -w, --stats and --ipfix each replace the printed packets, unless --print asks for them.
    const printing = options.print ||
      (options.write === undefined && !options.stats && options.ipfix === undefined);
    this.#printing = printing;
    this.#stats = options.stats;
    this.#statsInterval = options.statsInterval;
    this.#selection = selection;
    const display = selection?.display;
    const fieldsWriter = selection?.fields;
    // A display filter reads the decoded packet even when the frames are only written; flow
    // export follows every packet.
    this.#decoding = printing || options.stats || display !== undefined || exporter !== undefined;
    this.#exporter = exporter;
    const flowExport = exporter === undefined ? {} : {
      export: exporter.record,
      idleTimeout: exporter.target.idle,
      activeTimeout: exporter.target.active,
      interfaceIndex: source.interfaceIndex ?? 0,
    };
    this.#reassembler = options.reassemble ? new Reassembler() : undefined;
    const printedFields = fieldsWriter?.fields ?? [];
    const needs = (need: "analysis" | "streams") =>
      printedFields.some((field) => field.needs === need) ||
      (need === "analysis" ? display?.needsAnalysis : display?.needsStreams) === true;
    // Without --stats only TCP is followed (relative numbers and analysis need it); without
    // printed packets nobody reads the analysis, so only the connections' state is kept.
    // With -Y the statistics count only the frames that pass, apart from the following.
    // With -Y, --ipfix exports the flows of the frames that pass, as the statistics count them.
    this.#selectedFlows = display !== undefined && (options.stats || exporter !== undefined)
      ? new FlowTracker({ summary: options.stats, analysis: false, ...flowExport })
      : undefined;
    this.#format = format;
    this.#flows = new FlowTracker({
      summary: options.stats && this.#selectedFlows === undefined,
      analysis: needs("analysis") ||
        (printing && fieldsWriter === undefined && printedAnalysis(this.#format)),
      streams: needs("streams"),
      ...(this.#selectedFlows === undefined ? flowExport : {}),
    });
    this.#options = options;
    this.#captureStats = source.captureStats;
    if (printing || options.stats) {
      if (source.backgroundOutput) this.#background = new BackgroundWriter(Deno.stdout);
      this.#out = new OutputBuffer(this.#background ?? Deno.stdout);
    }
    this.#formatPacket = formatPacket;
    if (options.write !== undefined) {
      const writerOptions = {
        format: options.pcapng ? "pcapng" as const : "pcap" as const,
        linkType: source.linkType,
        snaplen: source.snaplen,
        nanosecond: source.nanosecond,
        interfaceName: source.interfaceName,
        packetBuffered: options.packetBuffered,
        application: `netpeek ${VERSION}`,
      };
      this.#file = options.write === "-"
        ? new CaptureFileWriter(Deno.stdout, "standard output", writerOptions)
        : new RotatingWriter(
          options.write,
          {
            sizeLimit: options.sizeLimit,
            interval: options.interval,
            fileCount: options.fileCount,
          },
          writerOptions,
          (path) => openForWriting(path, options.write!),
        );
    }
  }

  /**
   * Moves the formatting and writing of packet lines to a worker thread, when
   * `printOnWorker` says so for a classic pcap file of `fileBytes`; returns whether it did.
   */
  printOnWorker(fileBytes: number, nanosecond: boolean): boolean {
    if (
      // The worker has no interface names: -i any's files print here; nor -Y and -T fields.
      !this.#printing || this.#pipeline !== undefined || this.#linkType === LINKTYPE_LINUX_SLL2 ||
      this.#selection !== undefined ||
      !printOnWorker(this.#options, this.#format, fileBytes)
    ) return false;
    this.#pipeline = PrintPipeline.start(
      { ...this.#format, nanosecond },
      this.#formatPacket,
    );
    return this.#pipeline !== undefined;
  }

  /**
   * Opens the output (creating the first file, if writing). Throws `OutputFileError`.
   * `selection`: `-Y` and `-T fields`, when given (see `loadSelection`).
   */
  static async create(
    options: CommandLine,
    source: SourceInfo,
    exporter?: FlowExporter,
    selection?: Selection,
  ): Promise<PacketSink> {
    const format = printFormat(options, Deno.stdout.isTerminal() && !Deno.noColor);
    const formatPacket = await loadPacketFormatter(format);
    return new PacketSink(options, source, format, formatPacket, exporter, selection);
  }

  /**
   * Takes the packet of `length` bytes at `offset` in `bytes` (a reader's or the capture's
   * buffer: it is decoded where it lies, and a view is made only to write it to a file);
   * returns `false` once no more are wanted (count reached, pipe gone). With `print` false
   * the packet is handled in every way but printed, and counted in `notPrinted`.
   */
  handle(
    bytes: Uint8Array,
    offset: number,
    length: number,
    header: FrameHeader,
    linkType: number,
    print = true,
  ): boolean {
    if (this.#stop) return false;
    if (this.#selection !== undefined) {
      return this.#handleSelected(this.#selection, bytes, offset, length, header, linkType, print);
    }
    if (this.#file !== undefined && !this.#write(bytes, offset, length, header, linkType)) {
      return this.#halt();
    }
    const out = this.#out;
    if (this.#decoding) {
      const packet = this.#decoder.decodeAt(bytes, offset, length, linkType, header.len);
      const reassembled = this.#reassembler?.offer(packet, header);
      const inner = reassembled?.packet.tcp ?? reassembled?.packet.udp;
      const analysis = this.#flows.observe(packet, header, inner);
      const ikeRole = this.#ikeRole(packet);
      const pipeline = this.#pipeline;
      if (pipeline !== undefined) {
        if (!pipeline.add(bytes, offset, length, header, linkType, packet, analysis, ikeRole)) {
          return this.#halt();
        }
      } else if (this.#printing && out !== undefined) {
        if (print) {
          this.#print(out, packet, header, analysis, reassembled, ikeRole);
          this.#commit(out);
        } else this.notPrinted++;
      }
    }
    return this.#counted(header);
  }

  /**
   * `handle` with `-Y` or `-T fields`: every frame is decoded and followed, and only those
   * that pass the display filter are written, printed and counted.
   */
  #handleSelected(
    selection: Selection,
    bytes: Uint8Array,
    offset: number,
    length: number,
    header: FrameHeader,
    linkType: number,
    print: boolean,
  ): boolean {
    const packet = this.#decoder.decodeAt(bytes, offset, length, linkType, header.len);
    const reassembled = this.#reassembler?.offer(packet, header);
    const inner = reassembled?.packet.tcp ?? reassembled?.packet.udp;
    const flows = this.#flows;
    const analysis = flows.observe(packet, header, inner);
    const ikeRole = this.#ikeRole(packet);
    const { frame, display, fields } = selection;
    frame.next(packet, header);
    frame.followed(analysis, flows);
    if (display !== undefined && !display.matches(frame)) return true;
    this.#selectedFlows?.observe(packet, header, inner);
    if (this.#file !== undefined && !this.#write(bytes, offset, length, header, linkType)) {
      return this.#halt();
    }
    const out = this.#out;
    if (this.#printing && out !== undefined) {
      if (!print) this.notPrinted++;
      else {
        if (fields !== undefined) {
          if (!this.#fieldsHeaderPrinted) out.write(fields.header());
          this.#fieldsHeaderPrinted = true;
          fields.write(out.bytes, frame);
        } else this.#print(out, packet, header, analysis, reassembled, ikeRole);
        this.#commit(out);
      }
    }
    return this.#counted(header);
  }

  /** An IKEv1 message's side, from tcpdump's memory of initiators (every packet, in order). */
  #ikeRole(packet: Packet): number {
    return packet.isakmp === undefined ? IKE_ROLE_NONE : this.#ike.observe(packet);
  }

  /** Commits a printed packet's output, at once with `-l`. */
  #commit(out: OutputBuffer): void {
    out.commit();
    if (this.#lineBuffered) out.flush();
  }

  /**
   * After a frame is handled: the periodic statistics, and the count; false when the output
   * went away or `-c` is reached (the run stops).
   */
  #counted(header: FrameHeader): boolean {
    const out = this.#out;
    // The output exists only where packets are decoded (printing or --stats).
    if (out !== undefined) {
      if (this.#statsInterval !== undefined) this.#periodicStats(header);
      if (out.closed) return this.#halt();
    }
    this.count++;
    if (this.count >= this.#limit) return this.#halt();
    return true;
  }

  /** Writes the frame to `-w`'s file; false once the file can take no more (the run stops). */
  #write(
    bytes: Uint8Array,
    offset: number,
    length: number,
    header: FrameHeader,
    linkType: number,
  ): boolean {
    const file = this.#file!;
    const frame = bytes.subarray(offset, offset + length);
    if (file instanceof RotatingWriter) return file.write(frame, header, linkType);
    file.write(frame, header, linkType);
    return !file.closed;
  }

  /** Formats the packet's text or JSON into the output (the caller commits it). */
  #print(
    out: OutputBuffer,
    packet: Packet,
    header: FrameHeader,
    analysis: TcpAnalysis | undefined,
    reassembled: Reassembled | undefined,
    ikeRole: number,
  ): void {
    const sll = packet.sll;
    const extras = this.#extras;
    extras.analysis = analysis;
    extras.reassembled = reassembled;
    extras.ikeRole = ikeRole;
    extras.interfaceName = sll !== undefined && sll.version === 2
      ? this.#nameInterface(sll.interfaceIndex)
      : undefined;
    this.#formatPacket(out.bytes, packet, header, extras);
  }

  #halt(): false {
    this.#stop = true;
    return false;
  }

  /** Whether the sink wants no more packets. */
  get done(): boolean {
    return this.#stop || (this.#out?.closed ?? false);
  }

  /** The reader is about to reuse its buffer: anything queued from it is copied now. */
  chunkEnd(): void {
    this.#pipeline?.chunkEnd();
  }

  /** Packets printed and queued, not yet written (live; 0 otherwise). */
  get queuedPackets(): number {
    return this.#background?.queuedPackets ?? 0;
  }

  /** Bytes of printed lines queued, not yet written (live; 0 otherwise). */
  get queuedBytes(): number {
    return this.#background?.queuedBytes ?? 0;
  }

  /**
   * Waits until the queued output is written (live); throws the write's error (`WriteError`
   * for an output that failed).
   */
  async settle(): Promise<void> {
    try {
      await this.#background?.drain();
    } catch (error) {
      throw new WriteError(`standard output: ${osErrorReason(error)}`);
    }
  }

  /** Pushes printed lines out (called whenever the source runs dry). */
  drained(): void {
    this.#out?.flush();
    if (this.#out?.closed) this.#stop = true;
  }

  /**
   * Live, between packets: frame times are the clock's, so quiet moments end idle flows too,
   * and their records go out (`--ipfix`).
   */
  tick(): void {
    const exporter = this.#exporter;
    if (exporter === undefined) return;
    const now = Date.now() / 1000;
    (this.#selectedFlows ?? this.#flows).expire(now);
    exporter.tick(now);
  }

  /** Prints the statistics every `--stats-interval` of capture time. */
  #periodicStats(header: FrameHeader): void {
    const now = frameSeconds(header);
    if (Number.isNaN(this.#nextStats)) this.#nextStats = now + this.#statsInterval!;
    if (now < this.#nextStats) return;
    this.#nextStats = now + this.#statsInterval!;
    this.#writeStats(this.#liveStats(this.#captureStats?.() ?? undefined));
  }

  /** The kernel's counters with the packets not printed, for the statistics. */
  #liveStats(capture: CaptureStats | undefined): CaptureStats | undefined {
    if (capture === undefined || this.#background === undefined) return capture;
    return { ...capture, notPrinted: this.notPrinted };
  }

  #writeStats(capture?: CaptureStats): void {
    const extras = { reassembly: this.#reassembler?.stats(), capture };
    const out = this.#out!;
    const flows = this.#selectedFlows ?? this.#flows;
    if (this.#format.json) out.write(formatStatsJson(flows.summary(), extras));
    else {
      writeStatsText(out.bytes, flows.summaryColumns(), extras, () => out.commit());
      out.commit();
    }
  }

  /**
   * Prints the final statistics (with `--stats`), flushes everything and closes the file;
   * throws `WriteError` if the last write fails.
   */
  finish(capture?: CaptureStats): void {
    this.#pipeline?.finish();
    if (this.#exporter !== undefined) {
      (this.#selectedFlows ?? this.#flows).flushExport();
      this.#exporter.flush();
    }
    if (this.#stats) this.#writeStats(this.#liveStats(capture));
    this.#out?.flush();
    this.#file?.close();
  }
}
