/**
 * Frames for the live view's store tests: IPv4 (LINKTYPE_RAW) of any length, whose payload says
 * which packet each is, and whose TTL is 64 for odd numbers and 1 for even ones (for filters).
 */

import type { PacketStore } from "../src/tui/packet_store.ts";

const LINKTYPE_RAW = 101;

/** An IPv4 frame (LINKTYPE_RAW) of `length` bytes whose payload says which packet it is. */
export function frame(number: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  bytes.set([0x45, 0, length >> 8, length & 0xff, 0, 0, 0x40, 0, number % 2 ? 64 : 1, 17]);
  bytes.set([10, 0, 0, 1, 10, 0, 0, 2], 12);
  for (let i = 20; i < length; i++) bytes[i] = (number * 7 + i) & 0xff;
  return bytes;
}

/** Adds packet `index + 1`, a frame of `length` bytes captured at second `index`; its bytes. */
export function addFrame(store: PacketStore, index: number, length: number): Uint8Array {
  const bytes = frame(index + 1, length);
  const header = { seconds: index, fraction: 7, nanosecond: false, caplen: length, len: length };
  store.add(bytes, 0, header, LINKTYPE_RAW);
  return bytes;
}
