/**
 * `--ipfix HOST:PORT`: the flow records the flow table hands over, packed into IPFIX messages
 * (`src/output/ipfix.ts`) and sent over UDP to a collector (nfcapd, ntopng, Logstash, …). The
 * host name is resolved once, at the start; the socket is connected, so that a collector that
 * is not listening shows as "connection refused" (ICMP port unreachable): that is one warning,
 * and the capture goes on.
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
 *   host: "127.0.0.1", port: collector.address().port, domain: 1, active: 60, idle: 15, biflow: false,
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
import { isIPv6 } from "node:net";
import type { FlowExport } from "../analysis/flows.ts";
import { IpfixExporter } from "../output/ipfix.ts";
import { EXIT_USAGE, UserError } from "../user_error.ts";
import type { IpfixTarget } from "./args.ts";
import { printError } from "./stderr.ts";

/** Messages that may wait for the socket (some 5.6 MB); past it they are counted as lost. */
const MAX_QUEUED = 4096;

/** Seconds a record may wait in a message that is not full. */
const MESSAGE_WAIT = 1;

/** The collector's name does not resolve: the user has to fix it. */
export class CollectorError extends UserError {
  override name = "CollectorError";
  override get exitStatus(): number {
    return EXIT_USAGE;
  }
}

/** Sends flow records to one collector; `record` is the flow table's `export` callback. */
export class FlowExporter {
  readonly target: IpfixTarget;
  readonly #socket: dgram.Socket;
  readonly #encoder: IpfixExporter;
  readonly #address: string;
  /** Messages not yet sent; the first is under way. */
  readonly #queue: Uint8Array[] = [];
  #idle: (() => void)[] = [];
  #warned = false;
  /** Messages the socket refused (the collector unreachable), after the one warning. */
  failed = 0;

  private constructor(target: IpfixTarget, address: string, socket: dgram.Socket) {
    this.target = target;
    this.#address = address;
    this.#socket = socket;
    this.#encoder = new IpfixExporter((message) => this.#send(message), {
      domain: target.domain,
      biflow: target.biflow,
    });
    socket.on("error", (error) => this.#warn(error));
  }

  /** Resolves the collector's name (once) and connects a UDP socket to it. */
  static async open(target: IpfixTarget): Promise<FlowExporter> {
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
    const socket = dgram.createSocket(isIPv6(address) ? "udp6" : "udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.connect(target.port, address, () => {
        socket.off("error", reject);
        resolve();
      });
    }).catch((error) => {
      socket.close();
      throw new CollectorError(`--ipfix: cannot reach ${address}: ${(error as Error).message}`);
    });
    return new FlowExporter(target, address, socket);
  }

  /** Data records sent (each direction of a flow is one). */
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
   * Queues a message and sends one at a time: Deno's UDP sends may pass each other when
   * several are under way, and a collector must see the templates before the records.
   */
  #send(message: Uint8Array): void {
    if (this.#queue.length >= MAX_QUEUED) {
      // The socket cannot keep up: count what is lost rather than hold without bound.
      this.failed++;
      this.#warn(new Error(`more than ${MAX_QUEUED} messages waiting to be sent`));
      return;
    }
    this.#queue.push(message.slice());
    if (this.#queue.length === 1) this.#sendNext();
  }

  #sendNext(): void {
    this.#socket.send(this.#queue[0], (error) => {
      if (error) {
        this.failed++;
        this.#warn(error);
      }
      this.#queue.shift();
      if (this.#queue.length > 0) this.#sendNext();
      else for (const wake of this.#idle.splice(0)) wake();
    });
  }

  #warn(error: Error): void {
    if (this.#warned) return;
    this.#warned = true;
    printError(
      `warning: --ipfix: ${this.#address} port ${this.target.port}: ${error.message}; ` +
        "is the collector running? The capture goes on",
    );
  }

  /** Waits for the messages under way, then closes the socket. */
  async close(): Promise<void> {
    if (this.#queue.length > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    if (this.failed > 0) {
      printError(
        `warning: --ipfix: ${this.failed} of ${this.messages} messages could not be sent`,
      );
    }
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }
}
