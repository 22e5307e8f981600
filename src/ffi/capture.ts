/**
 * Live capture from one interface through libpcap: open and activate a handle with messages
 * a person can act on, then pull frames in batches into one reused buffer.
 *
 * The loop follows the measured costs in shared/notes/deno-ffi.md: the handle is
 * non-blocking, the wait for data is one `poll()` declared `nonblocking` (a thread hop per
 * wake-up, not per packet), and every ready frame is then drained with plain `pcap_next_ex`
 * fast calls, its header and bytes copied by `memcpy` into a buffer whose address is taken
 * once. Between batches the loop returns to the event loop, so signals and timers run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadLibpcap } from "./library.ts";
 * import { LiveCapture } from "./capture.ts";
 * // Needs root or CAP_NET_RAW; stops after half a second whatever arrives.
 * const capture = LiveCapture.open(loadLibpcap(), "lo", { snaplen: 65535 });
 * setTimeout(() => capture.stop(), 500);
 * let frames = 0;
 * await capture.run(() => {
 *   frames++;
 *   return true;
 * });
 * assert.ok(frames >= 0 && capture.stats() !== null);
 * capture.close();
 * ```
 * @module
 */

import { CaptureError } from "./capture_error.ts";
import { setImmediate } from "node:timers";
import type { CaptureStats, FrameHeader } from "../frame.ts";
import { type CaptureDirection, setDataLink, setDirection } from "./datalink.ts";
import { FRAME_OFFSET, FrameReader } from "./frame_reader.ts";
import {
  cString,
  errbufText,
  HOST_LITTLE_ENDIAN,
  type Libpcap,
  PCAP_ERRBUF_SIZE,
  PCAP_ERROR,
  PCAP_ERROR_BREAK,
  PCAP_ERROR_IFACE_NOT_UP,
  PCAP_ERROR_NO_SUCH_DEVICE,
  PCAP_ERROR_PERM_DENIED,
  PCAP_ERROR_PROMISC_PERM_DENIED,
  PCAP_ERROR_RFMON_NOTSUP,
  PCAP_ERROR_TSTAMP_PRECISION_NOTSUP,
  PCAP_TSTAMP_PRECISION_NANO,
  PCAP_WARNING_PROMISC_NOTSUP,
  PCAP_WARNING_TSTAMP_TYPE_NOTSUP,
  toCString,
} from "./library.ts";

/**
 * Kernel buffer by default: 32 MiB, sixteen times libpcap's 2 MiB. A JavaScript consumer
 * pauses now and then (JIT warm-up, garbage collection), and even the capture thread, which
 * allocates next to nothing, waits for a core on a busy machine. On `lo` each frame is
 * queued twice (sent and received), so at 250 k packets/s of 630-byte frames the kernel
 * queues some 300 MB/s: 8 MiB is 25 ms of it. Measured with tcpreplay at top speed (200 k
 * packets, 2 cores): with `-v` or `--json`, 8 MiB lost 1-7 % in the kernel, 32 MiB none;
 * earlier, with `ping -f`, 2 MiB lost 5-10 %, 8 MiB none (docs/performance.md).
 */
export const DEFAULT_BUFFER_SIZE = 32 * 1024 * 1024;

/** The largest snapshot length libpcap accepts (`MAXIMUM_SNAPLEN`). */
export const MAX_SNAPLEN = 262144;

export const POLLIN = 0x0001;
/** poll() events that mean the socket has a problem, not data. */
export const POLL_FAILURE = 0x0008 | 0x0010 | 0x0020; // POLLERR | POLLHUP | POLLNVAL
const SOL_SOCKET = 1;
const SO_ERROR = 4;
/** Linux errno values for an interface that went away. */
const GONE_ERRNOS: Record<number, string> = {
  100: "went down",
  19: "disappeared",
  6: "disappeared",
};
/**
 * How long the kernel holds a block of packets before handing it over (TPACKET_V3), and the
 * longest wait for data between checks for a stop request: packets reach a pipe, and a signal
 * takes effect, within about this.
 */
export const READ_TIMEOUT_MS = 50;

/**
 * Lets the event loop run (signals, timers, the pipe) between two batches of frames.
 * `setTimeout(0)` would do, but nested timers are clamped: it took 2.2 ms a turn, while a
 * full batch takes about 3 ms at top speed, so the loop slept for two fifths of the time.
 * `setImmediate` turns the loop in about 6 µs; timers and signals still run between turns.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Frames taken per turn of the event loop. */
export const BATCH_SIZE = 4096;
const IS_WINDOWS = Deno.build.os === "windows";

/** How a capture handle is set up. */
export interface CaptureOptions {
  /** Bytes kept of each frame; default 262144 (the whole frame), as tcpdump. */
  snaplen?: number;
  /** Promiscuous mode; default on, as tcpdump (`-p` turns it off). */
  promisc?: boolean;
  /** Kernel buffer size in bytes; default `DEFAULT_BUFFER_SIZE`. */
  bufferSize?: number;
  /**
   * Deliver each packet as it arrives instead of in kernel blocks flushed every `timeoutMs`.
   * Default off: on Linux immediate mode means TPACKET_V2, whose ring holds far fewer frames
   * (each slot is MTU-sized, 64 KiB on `lo`), so bursts overflow it.
   */
  immediate?: boolean;
  /** Ask for nanosecond timestamps. */
  nanosecond?: boolean;
  /** Read timeout in milliseconds when not in immediate mode; default `READ_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** A DLT to switch to once active (`-y`); default the device's own. */
  dataLink?: number;
  /** A time stamp type (`-j`, libpcap's value); default the device's. */
  timeStampType?: number;
  /** Only packets received, or only those sent (`-Q`); default both. */
  direction?: CaptureDirection;
}

export { CaptureError };

/**
 * Called per frame with the capture's reused buffer and where the frame lies in it (no view
 * is made per packet); the bytes are valid only during the call. Return `false` to stop.
 */
export type FrameHandler = (
  bytes: Uint8Array,
  offset: number,
  length: number,
  header: FrameHeader,
) => boolean | void;

/** An activated live capture handle. */
export class LiveCapture {
  readonly #lib: Libpcap;
  #handle: Deno.PointerObject | null;
  /** The interface name. */
  readonly device: string;
  /** The link type libpcap reports (`pcap_datalink`). */
  readonly linkType: number;
  /** The snapshot length in force. */
  readonly snaplen: number;
  /** Whether timestamps count nanoseconds. */
  readonly nanosecond: boolean;
  /** Warnings from activation (promiscuous mode not supported, …), for the user to see. */
  readonly warnings: readonly string[];
  #stopping = false;
  /** Set by `stop()`: deliver what the kernel still holds before returning. */
  #drainOnStop = false;
  readonly #timeoutMs: number;
  readonly #selectableFd: number;
  readonly #event: Deno.PointerValue;
  readonly #pollfd = new Uint8Array(8);
  readonly #statsBuffer = new Uint8Array(16);
  readonly #reader: FrameReader;

  private constructor(
    lib: Libpcap,
    handle: Deno.PointerObject,
    device: string,
    warnings: string[],
    timeoutMs: number,
  ) {
    const pcap = lib.pcap;
    this.#lib = lib;
    this.#handle = handle;
    this.device = device;
    this.warnings = warnings;
    this.#timeoutMs = timeoutMs;
    this.linkType = pcap.pcap_datalink(handle);
    this.snaplen = pcap.pcap_snapshot(handle);
    this.nanosecond = (pcap.pcap_get_tstamp_precision?.(handle) ?? 0) ===
      PCAP_TSTAMP_PRECISION_NANO;
    this.#reader = new FrameReader(lib, handle, this.snaplen, this.nanosecond);

    const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
    if (pcap.pcap_setnonblock(handle, 1, errbuf) !== 0) {
      const message = errbufText(errbuf);
      this.close();
      throw new CaptureError(
        `${device}: cannot make the handle non-blocking: ${message}`,
        PCAP_ERROR,
      );
    }
    this.#selectableFd = pcap.pcap_get_selectable_fd?.(handle) ?? -1;
    this.#event = IS_WINDOWS ? pcap.pcap_getevent?.(handle) ?? null : null;
    new DataView(this.#pollfd.buffer).setInt32(0, this.#selectableFd, HOST_LITTLE_ENDIAN);
    new DataView(this.#pollfd.buffer).setInt16(4, POLLIN, HOST_LITTLE_ENDIAN);
  }

  /**
   * Creates, configures and activates a handle on `device`. Throws `CaptureError` with a
   * message that says what to do (use sudo, see --list-interfaces, bring the link up, …).
   */
  static open(lib: Libpcap, device: string, options: CaptureOptions = {}): LiveCapture {
    const pcap = lib.pcap;
    const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
    const handle = pcap.pcap_create(toCString(device), errbuf);
    if (handle === null) {
      throw new CaptureError(
        `${device}: ${errbufText(errbuf) || "cannot create a handle"}`,
        PCAP_ERROR,
      );
    }
    const fail = (message: string, status: number): never => {
      pcap.pcap_close(handle);
      throw new CaptureError(message, status);
    };
    pcap.pcap_set_snaplen(handle, options.snaplen ?? MAX_SNAPLEN);
    pcap.pcap_set_promisc(handle, options.promisc === false ? 0 : 1);
    pcap.pcap_set_timeout(handle, options.timeoutMs ?? READ_TIMEOUT_MS);
    pcap.pcap_set_buffer_size(handle, options.bufferSize ?? DEFAULT_BUFFER_SIZE);
    if (options.immediate === true) pcap.pcap_set_immediate_mode?.(handle, 1);
    if (options.nanosecond) {
      const status = pcap.pcap_set_tstamp_precision?.(handle, PCAP_TSTAMP_PRECISION_NANO) ??
        PCAP_ERROR_TSTAMP_PRECISION_NOTSUP;
      if (status !== 0) {
        fail(
          `${device}: nanosecond time stamps are not supported here; ` +
            "capture without --time-stamp-precision nano",
          status,
        );
      }
    }

    const warnings: string[] = [];
    if (options.timeStampType !== undefined) {
      // A type the device lacks is a warning, and the capture goes on, as in tcpdump.
      const status = pcap.pcap_set_tstamp_type?.(handle, options.timeStampType) ?? 0;
      if (status > 0) warnings.push(warningMessage(lib, device, status, ""));
      else if (status < 0) fail(`${device}: ${statusText(lib, status)}`, status);
    }

    const status = pcap.pcap_activate(handle);
    const detail = cString(pcap.pcap_geterr(handle));
    if (status < 0) fail(activationMessage(lib, device, status, detail), status);
    if (status > 0) warnings.push(warningMessage(lib, device, status, detail));
    try {
      if (options.dataLink !== undefined) setDataLink(lib, handle, device, options.dataLink);
      if (options.direction !== undefined) setDirection(lib, handle, device, options.direction);
    } catch (error) {
      pcap.pcap_close(handle);
      throw error;
    }
    return new LiveCapture(lib, handle, device, warnings, options.timeoutMs ?? READ_TIMEOUT_MS);
  }

  /** The libpcap handle, for installing a filter (`FilterProgram.install`). */
  get handle(): Deno.PointerObject {
    if (this.#handle === null) {
      throw new CaptureError(`${this.device}: capture is closed`, PCAP_ERROR);
    }
    return this.#handle;
  }

  /**
   * Asks the loop to stop. It does within one wait (50 ms), then collects what the kernel
   * still holds: with TPACKET_V3 the last packets sit in a block the kernel hands over only
   * when the read timeout retires it, and Ctrl-C must not lose them. `run` then resolves.
   */
  stop(): void {
    if (!this.#stopping) this.#drainOnStop = true;
    this.#stopping = true;
  }

  /** Whether `stop` was called. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /**
   * Delivers frames to `onFrame` until `stop()` is called or `onFrame` returns `false`.
   * `onDrained` runs whenever no frame is waiting (flush output there). Rejects with a
   * `CaptureError` when libpcap reports an error (the interface went away, …).
   */
  async run(onFrame: FrameHandler, onDrained: () => void = () => {}): Promise<void> {
    while (!this.#stopping) {
      const delivered = this.#drain(onFrame);
      onDrained();
      if (this.#stopping) break;
      if (delivered === BATCH_SIZE) {
        await yieldToEventLoop();
      } else {
        await this.#waitForData(this.#timeoutMs);
      }
    }
    if (this.#drainOnStop && this.#handle !== null) {
      // One more read timeout retires the kernel's current block; then take what it held.
      this.#stopping = false;
      await this.#waitForData(this.#timeoutMs + 20);
      while (!this.#stopping && this.#drain(onFrame) === BATCH_SIZE) {
        await yieldToEventLoop();
      }
      this.#stopping = true;
      onDrained();
    }
  }

  /** Delivers up to a batch of waiting frames; returns how many. Throws on a libpcap error. */
  #drain(onFrame: FrameHandler): number {
    let delivered = 0;
    while (delivered < BATCH_SIZE && !this.#stopping) {
      const status = this.#next(onFrame);
      if (status === 1) {
        delivered++;
        continue;
      }
      if (status === PCAP_ERROR) {
        throw new CaptureError(`${this.device}: ${this.#error()}`, status);
      }
      if (status === PCAP_ERROR_BREAK) this.#stopping = true;
      break;
    }
    return delivered;
  }

  /** One `pcap_next_ex`: 1 delivered a frame, 0 nothing waiting, negative an error. */
  #next(onFrame: FrameHandler): number {
    const status = this.#read();
    if (status !== 1) return status;
    const reader = this.#reader;
    const keepGoing = onFrame(reader.bytes, FRAME_OFFSET, reader.header.caplen, reader.header);
    if (keepGoing === false) {
      this.#stopping = true;
      this.#drainOnStop = false; // the consumer wants no more
    }
    return 1;
  }

  /**
   * Takes the next waiting frame, for consumers that pull (the library's `capture()`): the
   * frame and its header, valid until the next call, or `null` when none is waiting.
   * Throws `CaptureError` when libpcap reports an error.
   */
  readFrame(): { frame: Uint8Array; header: FrameHeader } | null {
    const status = this.#read();
    if (status === 1) {
      const { bytes, header } = this.#reader;
      return { frame: bytes.subarray(FRAME_OFFSET, FRAME_OFFSET + header.caplen), header };
    }
    if (status === PCAP_ERROR) throw new CaptureError(`${this.device}: ${this.#error()}`, status);
    return null;
  }

  /**
   * Waits (off the main thread) until frames may be waiting, at most `timeoutMs`. Throws
   * `CaptureError` when the interface went down.
   */
  waitForData(timeoutMs = 100): Promise<void> {
    return this.#waitForData(timeoutMs);
  }

  /** `pcap_next_ex` and the copy of the header and frame into the reader's buffer. */
  #read(): number {
    return this.#handle === null ? PCAP_ERROR_BREAK : this.#reader.read();
  }

  async #waitForData(timeoutMs: number): Promise<void> {
    const { libc, kernel32 } = this.#lib;
    if (this.#selectableFd >= 0 && libc.poll) {
      await libc.poll(this.#pollfd, 1n, timeoutMs);
      const revents = new DataView(this.#pollfd.buffer).getInt16(6, HOST_LITTLE_ENDIAN);
      if (revents & POLL_FAILURE) this.#socketError();
    } else if (this.#event !== null && kernel32) {
      await kernel32.WaitForSingleObject(this.#event, timeoutMs);
    } else {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** poll() flagged the socket: see `socketFailure`. */
  #socketError(): never {
    throw socketFailure(this.#lib, this.#selectableFd, this.device);
  }

  /** The descriptor poll() waits on (-1 where libpcap has none). */
  get selectableFd(): number {
    return this.#selectableFd;
  }

  /** The read timeout in milliseconds (how long the kernel holds a block of frames). */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  #error(): string {
    return this.#handle === null ? "closed" : cString(this.#lib.pcap.pcap_geterr(this.#handle));
  }

  /** The kernel's counters so far; `null` when libpcap cannot give them. */
  stats(): CaptureStats | null {
    if (this.#handle === null) return null;
    if (this.#lib.pcap.pcap_stats(this.#handle, this.#statsBuffer) !== 0) return null;
    const view = new DataView(this.#statsBuffer.buffer);
    return {
      received: view.getUint32(0, HOST_LITTLE_ENDIAN),
      dropped: view.getUint32(4, HOST_LITTLE_ENDIAN),
      interfaceDropped: view.getUint32(8, HOST_LITTLE_ENDIAN),
    };
  }

  /** Closes the handle; safe to call twice. */
  close(): void {
    if (this.#handle !== null) {
      this.#lib.pcap.pcap_close(this.#handle);
      this.#handle = null;
    }
  }
}

/**
 * What poll() flagging the capture socket `fd` means. In non-blocking mode libpcap does not
 * look at why, so an interface taken down would leave the capture silent for ever: ask the
 * socket.
 */
export function socketFailure(lib: Libpcap, fd: number, device: string): CaptureError {
  const value = new Uint8Array(4);
  const size = new Uint8Array(new Uint32Array([4]).buffer);
  const status = lib.libc.getsockopt?.(fd, SOL_SOCKET, SO_ERROR, value, size);
  const errno = status === 0 ? new DataView(value.buffer).getInt32(0, HOST_LITTLE_ENDIAN) : -1;
  const gone = GONE_ERRNOS[errno];
  return new CaptureError(
    gone
      ? `${device}: The interface ${gone}`
      : `${device}: error on the capture socket (errno ${errno})`,
    PCAP_ERROR,
  );
}

function statusText(lib: Libpcap, status: number): string {
  return cString(lib.pcap.pcap_statustostr(status));
}

/** The one-line message for a failed `pcap_activate`. */
export function activationMessage(
  lib: Libpcap,
  device: string,
  status: number,
  detail: string,
): string {
  const because = detail ? ` (${detail})` : "";
  switch (status) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return `${device}: no such device; see --list-interfaces`;
    case PCAP_ERROR_PERM_DENIED:
      return `${device}: permission denied${because}; capturing needs root or CAP_NET_RAW: ` +
        "run with sudo, or once: sudo setcap cap_net_raw,cap_net_admin=eip on the netpeek binary";
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return `${device}: no permission for promiscuous mode${because}; try -p (--no-promisc)`;
    case PCAP_ERROR_IFACE_NOT_UP:
      return `${device}: interface is down; bring it up (ip link set ${device} up) ` +
        "or pick another, see --list-interfaces";
    case PCAP_ERROR_RFMON_NOTSUP:
      return `${device}: monitor mode is not supported on this interface`;
    default:
      return `${device}: ${detail || statusText(lib, status)}`;
  }
}

function warningMessage(lib: Libpcap, device: string, status: number, detail: string): string {
  switch (status) {
    case PCAP_WARNING_PROMISC_NOTSUP:
      return `${device}: promiscuous mode is not supported; capturing without it`;
    case PCAP_WARNING_TSTAMP_TYPE_NOTSUP:
      return `${device}: the requested time stamp type is not supported; using the default`;
    default:
      return `${device}: ${detail || statusText(lib, status)}`;
  }
}
