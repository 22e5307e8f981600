/**
 * Buffered output: packets are encoded into one reused byte buffer and written in large
 * chunks, flushed whenever the capture loop runs dry so each packet still reaches a pipe
 * promptly. A closed pipe (`| head`) is noticed, not thrown.
 *
 * @example
 * ```ts
 * import { OutputBuffer } from "./writer.ts";
 * const chunks: Uint8Array[] = [];
 * const out = new OutputBuffer({ writeSync: (bytes) => (chunks.push(bytes.slice()), bytes.length) });
 * out.write("hello\n");
 * out.flush();
 * console.log(new TextDecoder().decode(chunks[0])); // "hello\n"
 * ```
 * @module
 */

/** Characters of text gathered before they are encoded into the byte buffer. */
const PENDING_LIMIT = 16384;

/** Anything with a synchronous `writeSync`, like `Deno.stdout` or a `Deno.FsFile`. */
export interface SyncSink {
  writeSync(bytes: Uint8Array): number;
}

/** Accumulates text and writes it to a sink in chunks. */
export class OutputBuffer {
  readonly #sink: SyncSink;
  readonly #buffer: Uint8Array;
  readonly #encoder = new TextEncoder();
  #used = 0;
  #pending = "";
  #closed = false;

  constructor(sink: SyncSink, size = 1 << 16) {
    this.#sink = sink;
    this.#buffer = new Uint8Array(size);
  }

  /** True once the reader went away (`EPIPE`); later writes are dropped. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Appends text. Lines are joined as a string and encoded a chunk at a time: one
   * `encodeInto` per chunk costs far less than one per packet.
   */
  write(text: string): void {
    if (this.#closed) return;
    this.#pending += text;
    if (this.#pending.length >= PENDING_LIMIT) this.#encodePending();
  }

  #encodePending(): void {
    const text = this.#pending;
    this.#pending = "";
    // UTF-16 code units expand to at most 3 bytes each.
    if (this.#used + text.length * 3 > this.#buffer.length) {
      this.#flushBuffer();
      if (text.length * 3 > this.#buffer.length) {
        this.#writeAll(this.#encoder.encode(text));
        return;
      }
    }
    this.#used += this.#encoder.encodeInto(text, this.#buffer.subarray(this.#used)).written;
  }

  /** Writes out everything buffered. */
  flush(): void {
    if (this.#pending !== "") this.#encodePending();
    this.#flushBuffer();
  }

  #flushBuffer(): void {
    if (this.#used === 0) return;
    const used = this.#used;
    this.#used = 0;
    this.#writeAll(this.#buffer.subarray(0, used));
  }

  #writeAll(bytes: Uint8Array): void {
    let offset = 0;
    try {
      while (offset < bytes.length && !this.#closed) {
        offset += this.#sink.writeSync(bytes.subarray(offset));
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
