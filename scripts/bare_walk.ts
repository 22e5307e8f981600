/**
 * The floor the issue measures `--stats` against: a bare walk over a classic pcap file in
 * 4 MiB reads, reading the IPv4 header fields of each Ethernet frame through a `DataView`
 * and nothing else (no layers, no flows, no output). Prints how many records it walked and
 * a checksum of the fields, so that the work cannot be optimised away.
 *
 * Run: `deno run --allow-read scripts/bare_walk.ts FILE`
 * @module
 */

const CHUNK = 4 * 1024 * 1024;
const RECORD_HEADER = 16;

const path = Deno.args[0];
if (path === undefined) {
  console.error("usage: bare_walk.ts FILE.pcap");
  Deno.exit(2);
}
using file = await Deno.open(path);
const buffer = new Uint8Array(CHUNK + 512 * 1024);
const view = new DataView(buffer.buffer);
let end = 0;
let start = 24; // the file header
let records = 0;
let sum = 0;
for (;;) {
  const count = await file.read(buffer.subarray(end, CHUNK));
  if (count === null) break;
  end += count;
  for (;;) {
    if (end - start < RECORD_HEADER) break;
    const caplen = view.getUint32(start + 8, true);
    if (end - start < RECORD_HEADER + caplen) break;
    const frame = start + RECORD_HEADER;
    records++;
    if (caplen >= 34 && view.getUint16(frame + 12) === 0x0800) {
      const ip = frame + 14;
      const version = view.getUint8(ip) >> 4;
      const ihl = (view.getUint8(ip) & 15) * 4;
      const length = view.getUint16(ip + 2);
      const flags = view.getUint16(ip + 6);
      const ttl = view.getUint8(ip + 8);
      const protocol = view.getUint8(ip + 9);
      const src = view.getUint32(ip + 12);
      const dst = view.getUint32(ip + 16);
      sum = (sum + version + ihl + length + flags + ttl + protocol + (src ^ dst)) | 0;
    }
    start += RECORD_HEADER + caplen;
  }
  buffer.copyWithin(0, start, end);
  end -= start;
  start = 0;
}
console.log(`${records} ${sum}`);
