/**
 * A quick throughput check of the decode path (no capture, no output): decodes the fixture
 * frames over and over with one reused `Decoder` and prints packets per second. The full
 * benchmark against tcpdump and tshark is scripts/bench.ts.
 *
 * Run: `deno run --allow-read scripts/bench_decode.ts [packets]`
 * @module
 */

import { Decoder } from "../src/decode/mod.ts";
import { writeJsonLine } from "../src/output/json_writer.ts";
import { TextFormatter } from "../src/output/text.ts";
import type { FrameHeader } from "../src/frame.ts";
import { readPcap } from "../tests/pcap_file.ts";

const total = Number(Deno.args[0] ?? 2_000_000);
const files = ["ipv4-cases.pcap", "other-protocols.pcap", "vlan.pcap", "lo-tcpdump.pcap"];
const records: { frame: Uint8Array; header: FrameHeader; linkType: number }[] = [];
for (const name of files) {
  const file = await readPcap(new URL(`../tests/fixtures/${name}`, import.meta.url));
  for (const record of file.records) records.push({ ...record, linkType: file.linkType });
}
// All frames in one buffer, as the capture loop hands them over.
const decoder = new Decoder();
const text = new TextFormatter();

function measure(label: string, work: (index: number) => number) {
  let sink = 0;
  const started = performance.now();
  for (let i = 0; i < total; i++) sink += work(i % records.length);
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(28)} ${(total / seconds / 1e6).toFixed(2)} M packets/s (${sink})`);
}

measure("decode", (i) => {
  const { frame, linkType, header } = records[i];
  const packet = decoder.decode(frame, linkType, header.len);
  return packet.ipv4 ? packet.ipv4.ttl & 1 : 0;
});
measure("decode + text line", (i) => {
  const { frame, linkType, header } = records[i];
  return text.format(decoder.decode(frame, linkType, header.len), header).length & 1;
});
measure("decode + JSON line", (i) => {
  const { frame, linkType, header } = records[i];
  return writeJsonLine(decoder.decode(frame, linkType, header.len), header).length & 1;
});
