/** `--stats`, `--stats-interval` and `--reassemble` from the command line. */

import assert from "node:assert/strict";
import { runNetpeek } from "./netpeek_process.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

Deno.test("--stats: conversations, hierarchy and talkers instead of packet lines", async () => {
  const result = await runNetpeek(["-r", fixture("tcp-real.pcap"), "--stats"]);
  assert.equal(result.code, 0, result.stderr);
  const text = result.stdout;
  assert.match(text, /^Statistics: 1473 frames, \d+ bytes, [\d.]+ s\n/);
  // The numbers tshark -z conv,tcp gives for this file: 924 frames one way, 549 back.
  assert.match(
    text,
    /^tcp +10\.254\.9\.2:42646 +10\.254\.9\.1:5555 +924 +\d+ +549 +\d+ +0\.000000 +2\.0\d+ +handshake, FIN$/m,
  );
  assert.match(text, /^eth +1473 +\d+ +100\.0$/m);
  assert.match(text, /^tcp +1473 +\d+ +100\.0$/m);
  assert.match(text, /^Top talkers:\nhost +frames +bytes\n10\.254\.9\.\d +1473 +\d+$/m);
  assert.doesNotMatch(text, /Flags \[/, "no packet lines without --print");
});

Deno.test("--stats --json: one document; --print adds the packets", async () => {
  const json = await runNetpeek(["-r", fixture("stack.pcap"), "--stats", "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const lines = json.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 1);
  const stats = JSON.parse(lines[0]);
  assert.equal(stats.type, "stats");
  assert.equal(stats.frames, 32);
  assert.equal(stats.hierarchy.eth.frames, 32);
  assert.equal(stats.hierarchy.dns.frames, 5);
  assert.equal(stats.hierarchy.arp.frames, 1);
  const dns = stats.conversations.find((c: { b: { port: number } }) => c.b.port === 53);
  assert.deepEqual([dns.framesAtoB, dns.framesBtoA], [1, 2]);
  assert.equal(typeof stats.talkers[0].address, "string");

  const both = await runNetpeek(["-r", fixture("stack.pcap"), "--stats", "--json", "--print"]);
  const documents = both.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
  assert.equal(documents.length, 33);
  assert.equal(documents.at(-1).type, "stats");
  assert.ok(documents.slice(0, -1).every((packet) => packet.type === undefined && packet.ts));
});

Deno.test("--stats-interval reports as capture time passes", async () => {
  // ipv4-cases.pcap: 17 packets, one a second.
  const result = await runNetpeek([
    "-r",
    fixture("ipv4-cases.pcap"),
    "--stats",
    "--json",
    "--stats-interval",
    "5s",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const frames = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line).frames);
  assert.deepEqual(frames, [6, 11, 16, 17]);
});

Deno.test("--reassemble shows the datagram on the fragment that completed it", async () => {
  const text = await runNetpeek(["-r", fixture("fragments.pcap"), "--reassemble"]);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.split("\n");
  const reassembled = lines.filter((line) => line.startsWith("    reassembled "));
  assert.deepEqual(reassembled, [
    "    reassembled 3 fragments (3008 bytes): 192.0.2.1.41000 > 198.51.100.2.6001: UDP, length 3000",
    "    reassembled 3 fragments (2008 bytes): 192.0.2.1.41000 > 198.51.100.2.6002: UDP, length 2000",
    "    reassembled 3 fragments, 2 overlapping, 1 duplicate (1208 bytes): 192.0.2.1.41000 > 198.51.100.2.6003: UDP, length 1200",
    "    reassembled 2 fragments (2008 bytes): 2001:db8::1.41000 > 2001:db8:0:1::2.6005: UDP, length 2000",
    "    reassembled 2 fragments (2008 bytes): 2001:db8::1.41000 > 2001:db8:0:1::2.6005: UDP, length 2000",
  ]);
  const json = await runNetpeek([
    "-r",
    fixture("fragments.pcap"),
    "--reassemble",
    "--json",
    "--stats",
    "--print",
  ]);
  const documents = json.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
  const done = documents.filter((packet) => packet.reassembled);
  assert.deepEqual(done.map((packet) => packet.reassembled.udp.dstPort), [
    6001,
    6002,
    6003,
    6005,
    6005,
  ]);
  assert.ok(done.every((packet) => packet.reassembled.udp.checksumOk === true));
  const stats = documents.at(-1);
  assert.deepEqual(
    [stats.reassembly.completed, stats.reassembly.pending, stats.reassembly.duplicates],
    [5, 1, 1],
  );
});

Deno.test("--stats text copes with more conversations than a call has arguments", async () => {
  const { formatStatsText } = await import("../src/output/stats.ts");
  const conversations = Array.from({ length: 200_000 }, (_, i) => ({
    protocol: "udp",
    a: { address: `10.0.${i >> 8 & 255}.${i & 255}`, port: 1000 + (i % 1000) },
    b: { address: "10.1.0.1", port: 53 },
    framesAtoB: 1,
    bytesAtoB: 60,
    framesBtoA: 0,
    bytesBtoA: 0,
    start: i,
    end: i,
  }));
  const text = formatStatsText({
    frames: 200_000,
    bytes: 12_000_000,
    start: 0,
    end: 200_000,
    hierarchy: { eth: { frames: 200_000, bytes: 12_000_000 } },
    conversations,
    talkers: [],
    evicted: { flows: 0, frames: 0, bytes: 0 },
  });
  assert.equal(text.split("\n").filter((line) => line.startsWith("udp ")).length, 200_000);
});

Deno.test("--stats: a packet from a host to itself counts once for that host", async () => {
  const result = await runNetpeek(["-r", fixture("lo-tcpdump.pcap"), "--stats", "--json"]);
  const stats = JSON.parse(result.stdout);
  assert.deepEqual(
    stats.talkers.map((t: { address: string; frames: number }) => [t.address, t.frames]),
    [["127.0.0.1", stats.frames]],
  );
});

Deno.test("--stats text is the same written from the conversation columns as from the objects", async () => {
  const { formatStatsText } = await import("../src/output/stats.ts");
  const { FlowTracker } = await import("../src/analysis/flows.ts");
  const { Decoder } = await import("../src/decode/mod.ts");
  const { CaptureFileReader } = await import("../src/file/reader.ts");
  const names = [...Deno.readDirSync(new URL("./fixtures/", import.meta.url))]
    .map((entry) => entry.name)
    .filter((name) => /\.pcap(ng)?$/.test(name))
    .sort();
  let conversations = 0;
  for (const name of names) {
    // Default limits, and tiny ones: flows evicted and retired, the retired list full.
    for (const limits of [{}, { maxFlows: 4, maxRetired: 6, idleTimeout: 1 }]) {
      using file = await Deno.open(fixture(name));
      const reader = await CaptureFileReader.open(file, name);
      const decoder = new Decoder();
      const flows = new FlowTracker(limits);
      await reader.run((frame, header) => {
        flows.observe(decoder.decode(frame, header.linkType, header.len), header);
      }).catch(() => {}); // a damaged fixture counts as far as it goes
      const objects = flows.summary();
      conversations += objects.conversations.length;
      assert.equal(
        formatStatsText(flows.summaryColumns()),
        formatStatsText(objects),
        `${name} ${JSON.stringify(limits)}`,
      );
    }
  }
  assert.ok(conversations > 100, `only ${conversations} conversations`);
});
