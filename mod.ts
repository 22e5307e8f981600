/**
 * netpeek as a library: capture live packets, read and write capture files, decode bytes into
 * typed layers, and print them as tcpdump-style text or documented JSON.
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { capture } from "./mod.ts";
 * // Needs root or CAP_NET_RAW (and --allow-ffi); stops after 100 packets or a second.
 * const packets = capture("lo", { filter: "tcp", count: 100, signal: AbortSignal.timeout(1000) });
 * const opened = new Set<string>();
 * for await (const packet of packets) {
 *   if (packet.tcp?.flags.syn) opened.add(`${packet.ipv4?.src} -> ${packet.tcp.dstPort}`);
 * }
 * assert.equal(typeof packets.stats()?.received, "number");
 * ```
 *
 * A packet from `capture` or `readCapture` is valid during its iteration (its bytes are a
 * view into a reused buffer, as in the command line's hot loop); `packet.copy()` keeps one.
 * Live capture needs libpcap and root or `CAP_NET_RAW`, and Deno's `--allow-ffi`; decoding
 * and reading files need neither.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "./mod.ts";
 * const packet = decode(new Uint8Array([
 *   0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
 *   0xc8, 0x22, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
 * ]), LINKTYPE_RAW);
 * assert.deepEqual([packet.ipv4?.df, packet.tcp?.flags.syn], [true, true]);
 * ```
 * @module
 */

export * from "./src/decode/mod.ts";
export { CapturedPacket } from "./src/lib/packet.ts";
export { capture, type CaptureOptions, type PacketStream } from "./src/lib/capture.ts";
export {
  type CaptureWriter,
  readCapture,
  type ReadOptions,
  writeCapture,
  type WriteOptions,
} from "./src/lib/files.ts";
export { formatJson, formatText, listInterfaces } from "./src/lib/functions.ts";
export { compileDisplayFilter } from "./src/lib/display_filter.ts";
export { DisplayFilterError } from "./src/filter/error.ts";
export { exportFlows, type ExportOptions, type ExportSummary } from "./src/lib/flow_export.ts";
export { CollectorError } from "./src/output/ipfix_export.ts";
export type { FrameHeader } from "./src/frame.ts";
export type { TcpAnalysis } from "./src/analysis/tcp_analysis.ts";
export type { InnerPacketJson, PacketJson, TcpAnalysisJson } from "./src/output/json.ts";
export type { TextOptions } from "./src/output/text.ts";
export type { TimeFormat } from "./src/output/timestamp.ts";
export type { CaptureStats } from "./src/frame.ts";
export type { InterfaceAddress, NetworkInterface } from "./src/ffi/interfaces.ts";
export { EXIT_FAILURE, EXIT_USAGE, UserError } from "./src/user_error.ts";
export { CaptureError } from "./src/ffi/capture.ts";
export { FilterError } from "./src/ffi/filter.ts";
export { LibraryError } from "./src/ffi/library.ts";
export { CaptureFileError } from "./src/file/reader.ts";
