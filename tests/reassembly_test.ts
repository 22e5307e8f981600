/**
 * Fragment reassembly: the rebuilt datagrams equal the original payloads byte for byte (from
 * the script that fragmented them), complete on the same frames as tshark's reassembly, and
 * the limits (timeout, datagram count) hold.
 */

import assert from "node:assert/strict";
import { hasCommand } from "./netpeek_process.ts";
import { type Reassembled, Reassembler } from "../src/analysis/reassembly.ts";
import { Decoder } from "../src/decode/mod.ts";
import { CaptureFileReader } from "../src/file/reader.ts";
import { fragmentedDatagrams } from "../scripts/stack_fixtures.ts";
import { parseTsv } from "./pcap_file.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);

async function reassemble(name: string, reassembler = new Reassembler()) {
  using file = await Deno.open(new URL(name, FIXTURES));
  const reader = await CaptureFileReader.open(file, name);
  const decoder = new Decoder();
  const completed: { frame: number; result: Reassembled; udp: Record<string, unknown> }[] = [];
  let frame = 0;
  await reader.run((bytes, header) => {
    frame++;
    const result = reassembler.offer(decoder.decode(bytes, header.linkType, header.len), header);
    if (result) {
      const udp = result.packet.udp!;
      completed.push({
        frame,
        result: { ...result, payload: result.payload.slice() },
        udp: { dstPort: udp.dstPort, length: udp.length, checksumOk: udp.checksumOk },
      });
    }
  });
  return { completed, stats: reassembler.stats() };
}

Deno.test("reassembled datagrams equal the originals byte for byte", async () => {
  const { completed, stats } = await reassemble("fragments.pcap");
  const originals = fragmentedDatagrams();
  assert.deepEqual(completed.map((c) => c.result.id), [0x101, 0x102, 0x103, 0x201, 0x202]);
  for (const { result, udp } of completed) {
    const original = originals.get(result.id)!;
    assert.deepEqual(result.payload, original, `datagram ${result.id.toString(16)}`);
    assert.equal(result.length, original.length);
    // The whole datagram is there again, so its UDP checksum can be verified.
    assert.equal(udp.checksumOk, true);
    assert.equal(udp.length, original.length);
  }
  const overlapping = completed.find((c) => c.result.id === 0x103)!.result;
  assert.equal(overlapping.duplicates, 1);
  assert.equal(overlapping.overlaps, 2);
  assert.equal(stats.pending, 1, "the datagram missing its middle is still waiting");
  assert.equal(stats.completed, 5);
});

const hasTshark = await hasCommand("tshark");

Deno.test({
  name: "datagrams complete on the frames tshark's reassembly completes them",
  ignore: !hasTshark,
  fn: async () => {
    const output = await new Deno.Command("tshark", {
      args: [
        "-n",
        "-r",
        new URL("fragments.pcap", FIXTURES).pathname,
        "-T",
        "fields",
        "-E",
        "header=y",
        "-e",
        "frame.number",
        "-e",
        "udp.dstport",
        "-e",
        "udp.length",
        "-e",
        "ip.fragment.count",
        "-e",
        "ipv6.fragment.count",
      ],
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.ok(output.success);
    const theirs = parseTsv(new TextDecoder().decode(output.stdout)).filter((row) =>
      row["udp.dstport"] !== ""
    );
    const { completed } = await reassemble("fragments.pcap");
    assert.deepEqual(
      completed.map((c) => [
        c.frame,
        c.udp.dstPort,
        c.udp.length,
        c.result.fragments + c.result.duplicates,
      ]),
      theirs.map((row) => [
        Number(row["frame.number"]),
        Number(row["udp.dstport"]),
        Number(row["udp.length"]),
        Number(row["ip.fragment.count"] || row["ipv6.fragment.count"]),
      ]),
    );
  },
});

Deno.test("an incomplete datagram times out, and the pending count is bounded", async () => {
  const timed = await reassemble("fragments.pcap", new Reassembler({ timeout: 5 }));
  // fragments.pcap spans 15 s: the 0x104 datagram (frames 11-12) times out 5 s later.
  assert.equal(timed.stats.timedOut, 1);
  assert.equal(timed.stats.pending, 0);
  assert.equal(timed.completed.length, 5);

  const bounded = await reassemble("fragments.pcap", new Reassembler({ maxDatagrams: 1 }));
  // With room for one datagram, the interleaved overlap set still completes; none waits.
  assert.ok(bounded.stats.evicted >= 1);
  assert.ok(bounded.stats.pending <= 1);
});
