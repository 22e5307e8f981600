/**
 * Live capture as an async iterable: `for await (const packet of capture("eth0", { filter:
 * "tcp port 443", count: 100 }))`. Each packet is valid during its iteration; `copy()` keeps
 * it. Stop with `count`, `signal` (an `AbortSignal`), or `break`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { capture } from "../../mod.ts";
 * // Needs root or CAP_NET_RAW; stops after a second whatever arrives.
 * const packets = capture("lo", { count: 5, signal: AbortSignal.timeout(1000) });
 * for await (const packet of packets) assert.match(packet.toText(), /^\d\d:\d\d:\d\d\.\d{6} /);
 * assert.deepEqual(typeof packets.stats()?.received, "number");
 * ```
 * @module
 */

import { Decoder } from "../decode/mod.ts";
import { LiveCapture } from "../ffi/capture.ts";
import type { CaptureStats } from "../frame.ts";
import { FilterProgram, lookupNetmask } from "../ffi/filter.ts";
import { compileDisplayFilter } from "./display_filter.ts";
import { loadLibpcap } from "../ffi/library.ts";
import { CapturedPacket } from "./packet.ts";
import { FlowTracker } from "../analysis/flows.ts";

/** How to capture. */
export interface CaptureOptions {
  /** A filter in tcpdump's language, applied in the kernel. */
  filter?: string;
  /**
   * Only the packets that match this display filter (Wireshark's language, as `netpeek -Y`),
   * tested in netpeek after the kernel's `filter`; `count` counts the matches. One that does
   * not compile throws `DisplayFilterError` before the capture opens.
   */
  displayFilter?: string;
  /** Stop after this many packets. */
  count?: number;
  /** Stop when this signal aborts. */
  signal?: AbortSignal;
  /** Bytes kept of each packet (default: all). */
  snaplen?: number;
  /** Promiscuous mode (default on). */
  promisc?: boolean;
  /** Kernel buffer in bytes (default 8 MiB). */
  bufferSize?: number;
  /** Nanosecond time stamps. */
  nanosecond?: boolean;
  /** Hand each packet over at once instead of in kernel blocks (default off). */
  immediate?: boolean;
}

/** The packets of a live capture, with the kernel's counters. */
export interface PacketStream extends AsyncIterable<CapturedPacket> {
  /** The kernel's counters (while capturing, and after), or `null` before the start. */
  stats(): CaptureStats | null;
}

/**
 * Captures on `device`. The handle opens when iteration starts and closes when it ends
 * (count reached, signal aborted, `break`, or an error). Throws `CaptureError` (no such
 * device, permission denied, …), `LibraryError` (no libpcap) or `FilterError`.
 */
export function capture(device: string, options: CaptureOptions = {}): PacketStream {
  let session: LiveCapture | undefined;
  let lastStats: CaptureStats | null = null;
  async function* packets(): AsyncGenerator<CapturedPacket> {
    const display = options.displayFilter === undefined
      ? undefined
      : compileDisplayFilter(options.displayFilter);
    const lib = loadLibpcap();
    session = LiveCapture.open(lib, device, {
      snaplen: options.snaplen,
      promisc: options.promisc,
      bufferSize: options.bufferSize,
      nanosecond: options.nanosecond,
      immediate: options.immediate,
    });
    try {
      if (options.filter !== undefined) {
        const program = FilterProgram.compile(
          lib,
          session.handle,
          options.filter,
          lookupNetmask(lib, device),
        );
        try {
          program.install(session.handle);
        } finally {
          program.free();
        }
      }
      const decoder = new Decoder();
      const flows = new FlowTracker({ summary: false, analysis: true });
      const limit = options.count ?? Infinity;
      let delivered = 0;
      while (delivered < limit && !options.signal?.aborted) {
        const next = session.readFrame();
        if (next === null) {
          await session.waitForData(options.signal ? 50 : 100);
          continue;
        }
        const packet = new CapturedPacket(
          next.frame,
          next.header,
          session.linkType,
          decoder,
          flows,
        );
        if (display !== undefined && !display(packet)) continue;
        delivered++;
        yield packet;
      }
    } finally {
      lastStats = session.stats();
      session.close();
    }
  }
  return {
    [Symbol.asyncIterator]: packets,
    stats: () => session?.stats() ?? lastStats,
  };
}
