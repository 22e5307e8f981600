/**
 * The view's `w`: the packets the filter shows (all of them without one) written to a pcap
 * file, as `-w` writes them; a pcapng file when the packets kept have more than one link
 * type. Returns the status bar's message: what was written, or why nothing was.
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

/** Writes the shown packets to `path`; the message for the status bar. */
export function writeSelection(store: PacketStore, path: string): string {
  const name = path.trim();
  if (name === "") return "nothing written: give a file name";
  // One pass for the link types (from the index), one to write: the packets on disk are read
  // back one at a time, never all held at once.
  const numbers = store.shown.toArray().filter((number) => store.linkTypeOf(number) !== undefined);
  if (numbers.length === 0) return "nothing written: no packet is shown";
  const linkTypes = new Set(numbers.map((number) => store.linkTypeOf(number)));
  const firstPacket = store.packet(numbers[0])!;
  let file: Deno.FsFile;
  let written = 0;
  try {
    file = Deno.openSync(name, { write: true, create: true, truncate: true });
  } catch (error) {
    return `nothing written: ${name}: ${error instanceof Error ? error.message : error}`;
  }
  try {
    const writer = new CaptureFileWriter(file, name, {
      format: linkTypes.size > 1 ? "pcapng" : "pcap",
      linkType: firstPacket.linkType,
      snaplen: 262144,
      nanosecond: firstPacket.header.nanosecond,
    });
    for (const number of numbers) {
      const packet = store.packet(number);
      if (packet === undefined) continue;
      writer.write(packet.bytes, packet.header, packet.linkType);
      written++;
    }
    writer.close();
  } catch (error) {
    return `writing ${name} failed: ${error instanceof Error ? error.message : error}`;
  } finally {
    try {
      file.close();
    } catch {
      // closed by the writer
    }
  }
  return `${written} ${written === 1 ? "packet" : "packets"} written to ${name}`;
}
