/**
 * The view's `w`: the packets the filter shows (all of them without one) written to a pcap
 * file, as `-w` writes them; a pcapng file when the packets kept have more than one link
 * type. `SelectionWriter` writes a step at a time (the view gives it 40 ms a frame, so that a
 * million packets read back from disk leave the keys and the capture going); `writeSelection`
 * all at once. Both end with the status bar's message: what was written, or why nothing was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PacketStore } from "./packet_store.ts";
 * import { writeSelection } from "./write_selection.ts";
 * const store = new PacketStore(1 << 20);
 * const frame = new Uint8Array([0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
 * store.add(frame, 0, { seconds: 1, fraction: 0, nanosecond: false, caplen: 20, len: 20 }, 101);
 * const path = await Deno.makeTempFile({ suffix: ".pcap" });
 * assert.equal(writeSelection(store, path), `1 packet written to ${path}`);
 * assert.equal(Deno.statSync(path).size, 24 + 16 + 20); // file header, record header, frame
 * ```
 * @module
 */

import { CaptureFileWriter } from "../file/writer.ts";
import type { PacketStore } from "./packet_store.ts";

/** The shown packets going to a file, a step at a time. */
export class SelectionWriter {
  readonly #store: PacketStore;
  readonly #name: string;
  readonly #numbers: number[];
  readonly #file: Deno.FsFile;
  readonly #writer: CaptureFileWriter;
  #next = 0;
  #written = 0;
  /** What came of it, once done (`step` returned false). */
  message = "";

  private constructor(
    store: PacketStore,
    name: string,
    numbers: number[],
    file: Deno.FsFile,
    writer: CaptureFileWriter,
  ) {
    this.#store = store;
    this.#name = name;
    this.#numbers = numbers;
    this.#file = file;
    this.#writer = writer;
  }

  /**
   * Starts writing the packets `store` shows now to `path`; the status bar's message instead
   * when nothing can be written (no name, no packet, a file that cannot be made).
   */
  static start(store: PacketStore, path: string): SelectionWriter | string {
    const name = path.trim();
    if (name === "") return "nothing written: give a file name";
    // The link types from the index (the packets on disk are read back only to be written).
    const numbers: number[] = [];
    const linkTypes = new Set<number>();
    for (const number of store.shown.toArray()) {
      const linkType = store.linkTypeOf(number);
      if (linkType === undefined) continue;
      numbers.push(number);
      linkTypes.add(linkType);
    }
    if (numbers.length === 0) return "nothing written: no packet is shown";
    const first = store.packet(numbers[0])!;
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(name, { write: true, create: true, truncate: true });
    } catch (error) {
      return `nothing written: ${name}: ${error instanceof Error ? error.message : error}`;
    }
    try {
      const writer = new CaptureFileWriter(file, name, {
        format: linkTypes.size > 1 ? "pcapng" : "pcap",
        linkType: first.linkType,
        snaplen: 262144,
        nanosecond: first.header.nanosecond,
      });
      return new SelectionWriter(store, name, numbers, file, writer);
    } catch (error) {
      file.close();
      return `writing ${name} failed: ${error instanceof Error ? error.message : error}`;
    }
  }

  /** Stops where it is: the file holds the packets written so far (the view has quit). */
  stop(): void {
    if (this.#next >= this.#numbers.length) return;
    this.#numbers.length = this.#next;
    this.step(0);
  }

  /** The share written so far, 0 to 1. */
  get progress(): number {
    return this.#next / this.#numbers.length;
  }

  /** Writes for about `milliseconds`; whether there is more to write. */
  step(milliseconds: number): boolean {
    if (this.#next >= this.#numbers.length) return false;
    const deadline = performance.now() + milliseconds;
    try {
      while (this.#next < this.#numbers.length) {
        // A packet let go since the start (the ring or the spill made room) is passed over.
        const packet = this.#store.packet(this.#numbers[this.#next++]);
        if (packet !== undefined) {
          this.#writer.write(packet.bytes, packet.header, packet.linkType);
          this.#written++;
        }
        if ((this.#next & 63) === 0 && performance.now() >= deadline) return true;
      }
      this.#writer.close();
      const gone = this.#numbers.length - this.#written;
      this.message =
        `${this.#written} ${this.#written === 1 ? "packet" : "packets"} written to ${this.#name}` +
        (gone > 0 ? ` (${gone} let go before they were written)` : "");
    } catch (error) {
      this.#next = this.#numbers.length;
      this.message = `writing ${this.#name} failed: ${
        error instanceof Error ? error.message : error
      }`;
    }
    try {
      this.#file.close();
    } catch {
      // closed by the writer
    }
    return false;
  }
}

/** Writes the shown packets to `path` at once; the message for the status bar. */
export function writeSelection(store: PacketStore, path: string): string {
  const writer = SelectionWriter.start(store, path);
  if (typeof writer === "string") return writer;
  while (writer.step(Infinity));
  return writer.message;
}
