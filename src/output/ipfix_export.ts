/**
 * `--ipfix HOST:PORT`: the flow records the flow table hands over, packed into IPFIX messages
 * (`src/output/ipfix.ts`) and sent over UDP to a collector (nfcapd, ntopng, Logstash, …). The
 * host name is resolved once, at the start; the socket is connected, so that a collector that
 * is not listening shows as "connection refused" (ICMP port unreachable): that is one warning,
 * and the capture goes on. Warnings go to `report` (the command line prints them as its own).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import dgram from "node:dgram";
 * import { FlowTracker } from "../analysis/flows.ts";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { FlowExporter } from "./ipfix_export.ts";
 * const collector = dgram.createSocket("udp4");
 * await new Promise<void>((resolve) => collector.bind(0, "127.0.0.1", resolve));
 * const received = new Promise<Uint8Array>((resolve) => collector.once("message", resolve));
 * const exporter = await FlowExporter.open({
 *   host: "127.0.0.1", port: collector.address().port, domain: 1, active: 60, idle: 15,
 *   biflow: false, transport: "udp",
 * });
 * const flows = new FlowTracker({ summary: false, export: exporter.record });
 * const udp = decode(new Uint8Array([0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 17, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2, 0x13, 0x88, 0x00, 0x35, 0, 8, 0, 0]), LINKTYPE_RAW);
 * flows.observe(udp, { seconds: 1767225600, fraction: 0, nanosecond: false, caplen: 28, len: 28 });
 * flows.flushExport();
 * exporter.flush();
 * const message = await received;
 * await exporter.close();
 * collector.close();
 * assert.equal(new DataView(message.buffer, message.byteOffset).getUint16(0), 10); // IPFIX
 * assert.equal(exporter.records, 1);
 * ```
 * @module
 */

import dgram from "node:dgram";
import { lookup } from "node:dns/promises";
import type { FlowExport } from "../analysis/flows.ts";
import { IpfixExporter } from "./ipfix.ts";
import type { IpfixTarget } from "./ipfix_target.ts";
import { EXIT_USAGE, UserError } from "../user_error.ts";

export { type IpfixTarget, parseCollector } from "./ipfix_target.ts";

/** Messages that may wait for the socket (some 5.6 MB); past it they are counted as lost. */
const MAX_QUEUED = 4096;

/** Seconds a record may wait in a message that is not full. */
const MESSAGE_WAIT = 1;

/** The collector's name does not resolve: the user has to fix it. */
export class CollectorError extends UserError {
  /** The error's name, for `catch` blocks that test it. */
  override name = "CollectorError";
  /** A name or address is the user's to change: 2. */
  override get exitStatus(): number {
    return EXIT_USAGE;
  }
}

/** How messages reach the collector: `write` resolves false when they cannot be sent now. */
interface Transport {
  write(message: Uint8Array): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A connected datagram socket that reports refusals: `send` returns 0, or a positive errno
 * the kernel held since the last send (ICMP port unreachable), or -1 when the send failed.
 * The command line makes one through libc (src/ffi/udp_socket.ts).
 */
export interface DatagramSocket {
  send(message: Uint8Array): number;
  /** The refusal the kernel holds since the last send (an errno), or 0. */
  pendingError(): number;
  close(): void;
}

/** How long the end of a run waits for a refusal of its last datagrams to come back. */
const REFUSAL_WAIT_MS = 50;

/** Opens a `DatagramSocket` to an address and port, or undefined to use node:dgram. */
export type DatagramOpener = (address: string, port: number) => DatagramSocket | undefined;

/** A refusal's words, for the one warning. */
const REFUSED = "connection refused (ICMP port unreachable): nothing listens there";

/** UDP through a socket that reports refusals; each refusal counts one message as lost. */
class ReportingUdpTransport implements Transport {
  readonly #socket: DatagramSocket;
  readonly #onError: (error: Error) => void;
  readonly #onLost: () => void;

  constructor(socket: DatagramSocket, onError: (error: Error) => void, onLost: () => void) {
    this.#socket = socket;
    this.#onError = onError;
    this.#onLost = onLost;
  }

  write(message: Uint8Array): Promise<boolean> {
    const status = this.#socket.send(message);
    if (status !== 0) {
      this.#onLost();
      this.#onError(new Error(status > 0 ? REFUSED : "the datagram could not be sent"));
    }
    return Promise.resolve(true);
  }

  async close(): Promise<void> {
    // A refusal of the last datagrams comes back a moment later: ask once more.
    await new Promise((resolve) => setTimeout(resolve, REFUSAL_WAIT_MS));
    if (this.#socket.pendingError() > 0) {
      this.#onLost();
      this.#onError(new Error(REFUSED));
    }
    this.#socket.close();
  }
}

/** UDP: a connected socket, one datagram a message; a refused one is counted, not retried. */
class UdpTransport implements Transport {
  readonly #socket: dgram.Socket;
  readonly #onError: (error: Error) => void;

  constructor(socket: dgram.Socket, onError: (error: Error) => void) {
    this.#socket = socket;
    this.#onError = onError;
    socket.on("error", onError);
  }

  static async open(address: string, port: number, onError: (error: Error) => void) {
    // A resolved address: IPv6 is the one with colons (node:net's isIPv6 would cost loading
    // that module, some 20 ms).
    const socket = dgram.createSocket(address.includes(":") ? "udp6" : "udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.connect(port, address, () => {
        socket.off("error", reject);
        resolve();
      });
    }).catch((error) => {
      socket.close();
      throw new CollectorError(`--ipfix: cannot reach ${address}: ${(error as Error).message}`);
    });
    return new UdpTransport(socket, onError);
  }

  write(message: Uint8Array): Promise<boolean> {
    return new Promise((resolve) =>
      this.#socket.send(message, (error) => {
        if (error) this.#onError(error);
        resolve(true);
      })
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

/** Backoff between reconnection attempts over TCP, in milliseconds: doubling, at most 30 s. */
const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 30_000;

/**
 * TCP: one connection, the templates first on each (RFC 7011 section 10.4.2); a lost
 * connection is retried with a doubling backoff while the messages wait.
 */
class TcpTransport implements Transport {
  readonly #address: string;
  readonly #port: number;
  readonly #templates: () => Uint8Array;
  readonly #onError: (error: Error) => void;
  readonly #onConnected: () => void;
  #connection: Deno.TcpConn | undefined;
  #retryMs = FIRST_RETRY_MS;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** Connections made, the first included. */
  connections = 0;

  constructor(
    address: string,
    port: number,
    templates: () => Uint8Array,
    onError: (error: Error) => void,
    onConnected: () => void,
  ) {
    this.#address = address;
    this.#port = port;
    this.#templates = templates;
    this.#onError = onError;
    this.#onConnected = onConnected;
  }

  /** Connects now; on failure warns and keeps trying in the background. */
  async connect(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed || this.#connection !== undefined) return;
    try {
      const connection = await Deno.connect({ hostname: this.#address, port: this.#port });
      connection.setNoDelay(true);
      this.#connection = connection;
      this.#watch(connection);
      if (!(await this.#writeAll(this.#templates()))) return;
      this.connections++;
      this.#retryMs = FIRST_RETRY_MS;
      this.#onConnected();
    } catch (error) {
      this.#onError(error as Error);
      this.#retry();
    }
  }

  /**
   * A collector sends nothing back: a read that ends means it closed the connection, which a
   * write would only learn one message later (that message lost). Drop it and reconnect.
   */
  async #watch(connection: Deno.TcpConn): Promise<void> {
    const scratch = new Uint8Array(512);
    while ((await connection.read(scratch).catch(() => null)) !== null) {
      // Nothing is expected; read on until the end.
    }
    if (this.#connection !== connection || this.#closed) return;
    this.#connection = undefined;
    try {
      connection.close();
    } catch {
      // already closed
    }
    this.#onError(new Error("the collector closed the connection"));
    this.#retry();
  }

  #retry(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => this.connect(), this.#retryMs);
    this.#retryMs = Math.min(2 * this.#retryMs, LAST_RETRY_MS);
  }

  async #writeAll(message: Uint8Array): Promise<boolean> {
    const connection = this.#connection;
    if (connection === undefined) return false;
    try {
      for (let at = 0; at < message.length;) at += await connection.write(message.subarray(at));
      return true;
    } catch (error) {
      this.#onError(error as Error);
      try {
        connection.close();
      } catch {
        // already closed
      }
      this.#connection = undefined;
      this.#retry();
      return false;
    }
  }

  write(message: Uint8Array): Promise<boolean> {
    if (this.#connection === undefined) {
      this.#retry();
      return Promise.resolve(false);
    }
    return this.#writeAll(message);
  }

  close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    try {
      this.#connection?.close();
    } catch {
      // already closed
    }
    return Promise.resolve();
  }
}

/** How long the end of a run waits for a TCP collector to take the last messages. */
const CLOSE_WAIT_MS = 3000;

/** Sends flow records to one collector; `record` is the flow table's `export` callback. */
export class FlowExporter {
  readonly target: IpfixTarget;
  readonly #encoder: IpfixExporter;
  readonly #address: string;
  #transport!: Transport;
  /** Messages not yet sent, in order; the first is under way. */
  readonly #queue: Uint8Array[] = [];
  #pumping = false;
  #idle: (() => void)[] = [];
  #warned = false;
  /** Messages that could not be sent (refused, or left when the run ended). */
  failed = 0;

  readonly #report: (line: string) => void;

  private constructor(target: IpfixTarget, address: string, report: (line: string) => void) {
    this.target = target;
    this.#report = report;
    this.#address = address;
    this.#encoder = new IpfixExporter((message) => this.#send(message), {
      domain: target.domain,
      biflow: target.biflow,
      templatesInData: target.transport === "udp",
    });
  }

  /**
   * Resolves the collector's name (once) and opens the transport: a connected UDP socket, or
   * a TCP connection (one that fails is a warning, and is retried while the capture goes on).
   */
  static async open(
    target: IpfixTarget,
    report: (line: string) => void = (line) => console.error(line),
    openDatagram?: DatagramOpener,
  ): Promise<FlowExporter> {
    let address = target.host;
    try {
      address = (await lookup(target.host)).address;
    } catch (error) {
      throw new CollectorError(
        `--ipfix: cannot resolve ${target.host}: ${
          (error as Error).message
        }; give the collector's address`,
      );
    }
    const exporter = new FlowExporter(target, address, report);
    const onError = (error: Error) => exporter.#warn(error);
    const reporting = target.transport === "udp" ? openDatagram?.(address, target.port) : undefined;
    if (reporting !== undefined) {
      exporter.#transport = new ReportingUdpTransport(reporting, onError, () => exporter.failed++);
    } else if (target.transport === "udp") {
      exporter.#transport = await UdpTransport.open(address, target.port, onError);
    } else {
      const tcp = new TcpTransport(
        address,
        target.port,
        () => exporter.#encoder.templateMessage(),
        onError,
        () => exporter.#pump(),
      );
      exporter.#transport = tcp;
      await tcp.connect();
    }
    return exporter;
  }

  /** Data records sent (each direction of a flow is one, or one a flow with `biflow`). */
  get records(): number {
    return this.#encoder.records;
  }

  /** Messages sent. */
  get messages(): number {
    return this.#encoder.messages;
  }

  /** The flow table's `export`: packs the record (sent once a message fills). */
  readonly record: FlowExport = (list, at, reason, extras) =>
    this.#encoder.add(list, at, reason, extras);

  /** Sends the message being filled. */
  flush(): void {
    this.#encoder.flush();
  }

  /** Sends the message being filled once it has waited a second: records reach the collector
   * promptly on a quiet link, in full messages on a busy one. */
  tick(now: number): void {
    if (now - this.#encoder.pendingSince >= MESSAGE_WAIT) this.#encoder.flush();
  }

  /**
   * Queues a message; they go one at a time, in order: Deno's UDP sends may pass each other
   * when several are under way, and a collector must see the templates before the records.
   */
  #send(message: Uint8Array): void {
    if (this.#queue.length >= MAX_QUEUED) {
      // The collector cannot keep up, or is away: count what is lost rather than hold it all.
      this.failed++;
      this.#warn(new Error(`more than ${MAX_QUEUED} messages waiting to be sent`));
      return;
    }
    this.#queue.push(message.slice());
    this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        if (!(await this.#transport.write(this.#queue[0]))) break; // TCP away: resumed later
        this.#queue.shift();
      }
    } finally {
      this.#pumping = false;
    }
    if (this.#queue.length === 0) { for (const wake of this.#idle.splice(0)) wake(); }
  }

  #warn(error: Error): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#report(
      `warning: --ipfix: ${this.#address} port ${this.target.port}: ${error.message}; ` +
        "is the collector running? The capture goes on",
    );
  }

  /** Waits for the messages under way (over TCP, a few seconds at most), then closes. */
  async close(): Promise<void> {
    if (this.#queue.length > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#idle.push(resolve)),
        new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_WAIT_MS)),
      ]);
      clearTimeout(timer);
    }
    this.failed += this.#queue.length;
    await this.#transport.close();
    // What went out, as tcpdump's closing counts say what was captured.
    const sent = `${this.records} flow records in ${this.messages} messages to ${this.#address} ` +
      `port ${this.target.port}`;
    this.#report(
      this.failed === 0
        ? `--ipfix: ${sent}`
        : `warning: --ipfix: ${sent}; ${this.failed} of them could not be sent`,
    );
  }
}
