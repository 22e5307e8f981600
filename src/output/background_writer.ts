/**
 * Output written without ever blocking the thread that makes it: chunks queue in memory and
 * go out through asynchronous writes, one at a time, in order. Live capture prints through
 * it, so that a slow terminal or pipe (`| less`, `| sleep 5; cat`) holds up the writes, not
 * the capture; the caller reads `queuedPackets` to keep the queue bounded (it stops printing
 * when too much waits). A closed pipe is noticed, not thrown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BackgroundWriter } from "./background_writer.ts";
 * const written: string[] = [];
 * const writer = new BackgroundWriter({
 *   write: (bytes) => Promise.resolve((written.push(new TextDecoder().decode(bytes)), bytes.length)),
 * });
 * writer.writeChunk(new TextEncoder().encode("a\nb\n"), 2);
 * assert.equal(writer.queuedPackets, 2); // queued at once, written later
 * await writer.drain();
 * assert.deepEqual([writer.queuedPackets, written.join("")], [0, "a\nb\n"]);
 * ```
 * @module
 */

/** Where the chunks go: anything with an asynchronous `write`, like `Deno.stdout`. */
export interface AsyncTarget {
  write(bytes: Uint8Array): Promise<number>;
}

/** A queued chunk and how many packets' output it holds. */
interface Chunk {
  bytes: Uint8Array;
  packets: number;
}

/** Queues output and writes it in the background. */
export class BackgroundWriter {
  readonly #target: AsyncTarget;
  readonly #queue: Chunk[] = [];
  #queuedPackets = 0;
  #queuedBytes = 0;
  #writing: Promise<void> | undefined;
  #closed = false;
  #failure: unknown;

  constructor(target: AsyncTarget) {
    this.#target = target;
  }

  /** True once the reader went away (`EPIPE`): what is queued and what comes is dropped. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Packets whose output is queued and not yet written. */
  get queuedPackets(): number {
    return this.#queuedPackets;
  }

  /** Bytes queued and not yet written. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Queues `bytes` (copied), the output of `packets` packets; throws an earlier write's error. */
  writeChunk(bytes: Uint8Array, packets: number): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closed || bytes.length === 0) return;
    this.#queue.push({ bytes: bytes.slice(), packets });
    this.#queuedPackets += packets;
    this.#queuedBytes += bytes.length;
    this.#writing ??= this.#writeQueue();
  }

  async #writeQueue(): Promise<void> {
    const queue = this.#queue;
    try {
      while (queue.length > 0 && !this.#closed) {
        const chunk = queue[0];
        let offset = 0;
        while (offset < chunk.bytes.length) {
          offset += await this.#target.write(chunk.bytes.subarray(offset));
        }
        queue.shift();
        this.#queuedPackets -= chunk.packets;
        this.#queuedBytes -= chunk.bytes.length;
      }
    } catch (error) {
      if (error instanceof Deno.errors.BrokenPipe) this.#closed = true;
      else this.#failure = error;
      queue.length = 0;
      this.#queuedPackets = 0;
      this.#queuedBytes = 0;
    } finally {
      this.#writing = undefined;
    }
  }

  /** Resolves once everything queued is written; rejects with a write's error. */
  async drain(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
    if (this.#failure !== undefined) throw this.#failure;
  }
}
