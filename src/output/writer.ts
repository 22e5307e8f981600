/**
 * Buffered output: packets are encoded into one reused byte buffer and written in large
 * chunks, flushed whenever the capture loop runs dry so each packet still reaches a pipe
 * promptly. A closed pipe (`| head`) is noticed, not thrown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OutputBuffer } from "./writer.ts";
 * const chunks: Uint8Array[] = [];
 * const out = new OutputBuffer({ writeSync: (bytes) => (chunks.push(bytes.slice()), bytes.length) });
 * out.write("hello\n");
 * out.flush();
 * assert.deepEqual(new TextDecoder().decode(chunks[0]), "hello\n");
 * ```
 * @module
 */

import { ByteWriter } from "./bytes.ts";

/** Bytes gathered before they are written out: large writes, few system calls. */
const CHUNK = 1 << 16;

/** Anything with a synchronous `writeSync`, like `Deno.stdout` or a `Deno.FsFile`. */
export interface SyncSink {
  writeSync(bytes: Uint8Array): number;
}

/**
 * A sink that takes whole chunks with the number of packets in each, and may go away
 * (`BackgroundWriter`).
 */
export interface ChunkSink {
  writeChunk(bytes: Uint8Array, packets: number): void;
  readonly closed: boolean;
}

/** Accumulates output and writes it to a sink in chunks. */
export class OutputBuffer {
  /** The sink: one of the two, told apart once (`closed` is read per packet). */
  readonly #syncSink: SyncSink | undefined;
  readonly #chunkSink: ChunkSink | undefined;
  /** Pieces of output committed since the last flush (packets, mostly). */
  #packets = 0;
  /** Formatters write straight into this; call `commit()` after each packet. */
  readonly bytes: ByteWriter;
  /** Bytes gathered before `commit` writes them out. */
  readonly #chunk: number;
  #closed = false;

  /** `size`: bytes gathered before they are written out. */
  constructor(sink: SyncSink | ChunkSink, size = CHUNK) {
    this.#chunkSink = "writeChunk" in sink ? sink : undefined;
    this.#syncSink = "writeChunk" in sink ? undefined : sink;
    this.#chunk = size;
    this.bytes = new ByteWriter(size + size / 2);
  }

  /** True once the reader went away (`EPIPE`); later writes are dropped. */
  get closed(): boolean {
    return this.#closed || (this.#chunkSink?.closed ?? false);
  }

  /** Appends text. */
  write(text: string): void {
    this.bytes.text(text);
    this.commit();
  }

  /** Ends a piece of output written into `bytes`: writes the buffer out once it is full. */
  commit(): void {
    this.#packets++;
    if (this.bytes.length >= this.#chunk) this.flush();
  }

  /** Writes out everything buffered. */
  flush(): void {
    const bytes = this.bytes;
    if (bytes.length === 0) return;
    const chunkSink = this.#chunkSink;
    if (chunkSink !== undefined) chunkSink.writeChunk(bytes.written(), this.#packets);
    else this.#writeAll(this.#syncSink!, bytes.written());
    this.#packets = 0;
    bytes.clear();
  }

  #writeAll(sink: SyncSink, bytes: Uint8Array): void {
    let offset = 0;
    try {
      while (offset < bytes.length && !this.#closed) {
        offset += sink.writeSync(bytes.subarray(offset));
      }
    } catch (error) {
      if (error instanceof Deno.errors.BrokenPipe) {
        this.#closed = true;
        return;
      }
      throw error;
    }
  }
}
