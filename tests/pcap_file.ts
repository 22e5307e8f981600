/**
 * A minimal classic-pcap reader for the tests: the whole file in memory, both byte orders,
 * micro- and nanosecond magic. (The streaming reader for users is a separate piece of work.)
 * @module
 */

import type { FrameHeader } from "../src/frame.ts";

/** One record of a capture file. */
export interface PcapRecord {
  header: FrameHeader;
  frame: Uint8Array;
}

/** A capture file's link type and records. */
export interface PcapFile {
  linkType: number;
  records: PcapRecord[];
}

/** Parses a classic pcap file; throws on anything else. */
export function parsePcap(bytes: Uint8Array): PcapFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  const known: Record<number, [boolean, boolean]> = {
    0xa1b2c3d4: [true, false],
    0xd4c3b2a1: [false, false],
    0xa1b23c4d: [true, true],
    0x4d3cb2a1: [false, true],
  };
  if (!(magic in known)) throw new Error(`not a classic pcap file (magic ${magic.toString(16)})`);
  const [little, nanosecond] = known[magic];
  const linkType = view.getUint32(20, little) & 0x0fffffff;
  const records: PcapRecord[] = [];
  for (let at = 24; at + 16 <= bytes.length;) {
    const caplen = view.getUint32(at + 8, little);
    const header: FrameHeader = {
      seconds: view.getUint32(at, little),
      fraction: view.getUint32(at + 4, little),
      nanosecond,
      caplen,
      len: view.getUint32(at + 12, little),
    };
    const frame = bytes.subarray(at + 16, at + 16 + caplen);
    if (frame.length < caplen) throw new Error(`record at ${at} runs past the end of the file`);
    records.push({ header, frame });
    at += 16 + caplen;
  }
  return { linkType, records };
}

/** Reads and parses a pcap file. */
export async function readPcap(path: string | URL): Promise<PcapFile> {
  return parsePcap(await Deno.readFile(path));
}

/** tshark's `-T fields` output (with a header row) as one record per frame. */
export function parseTsv(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trimEnd().split("\n");
  const names = head.split("\t");
  return rows.map((row) => {
    const cells = row.split("\t");
    return Object.fromEntries(names.map((name, i) => [name, cells[i] ?? ""]));
  });
}
