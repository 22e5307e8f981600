/**
 * The fast JSON writer makes exactly the bytes `JSON.stringify(packetToJson(…))` makes: on
 * every packet of every fixture capture (with TCP analysis as the command line adds it), and
 * on fuzzed frames.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { FlowTracker } from "../src/analysis/flows.ts";
import { TCP_ANALYSIS_FLAGS, type TcpAnalysis } from "../src/analysis/tcp_analysis.ts";
import { Decoder } from "../src/decode/mod.ts";
import { CaptureFileReader } from "../src/file/reader.ts";
import { formatJsonLine } from "../src/output/json.ts";
import { writeJsonLine } from "../src/output/json_writer.ts";
import { frameArbitrary, seedFrames } from "../scripts/fuzz.ts";

/**
 * Holds the fast writer to the reference on every packet of one capture (with TCP analysis as
 * the command line adds it); returns how many packets it compared. With `damaged`, a file
 * netpeek does not read is skipped and a record cut short ends the file, as it ends a reading.
 */
async function compareCapture(url: URL, name: string, damaged = false): Promise<number> {
  using file = await Deno.open(url);
  let reader: CaptureFileReader;
  try {
    reader = await CaptureFileReader.open(file, name);
  } catch (error) {
    if (damaged) return 0; // not a capture file netpeek reads (tests/corpus_check covers those)
    throw error;
  }
  const decoder = new Decoder();
  const flows = new FlowTracker();
  let compared = 0;
  try {
    await reader.run((frame, header) => {
      const packet = decoder.decode(frame, header.linkType, header.len);
      const extras = { analysis: flows.observe(packet, header) };
      assert.equal(
        writeJsonLine(packet, header, extras),
        formatJsonLine(packet, header, extras),
        name,
      );
      compared++;
    });
  } catch (error) {
    if (!damaged || error instanceof assert.AssertionError) throw error;
  }
  return compared;
}

Deno.test("fast JSON equals JSON.stringify of the documented object on every fixture packet", async () => {
  let compared = 0;
  // The general fixtures, and the application protocols' (real clients and servers).
  for (const directory of ["./fixtures/", "./fixtures/protocols/"]) {
    const fixtures = new URL(directory, import.meta.url);
    for (const entry of Deno.readDirSync(fixtures)) {
      if (!/\.pcap(ng)?$/.test(entry.name)) continue;
      compared += await compareCapture(new URL(entry.name, fixtures), entry.name);
    }
  }
  assert.ok(compared > 2000, `only ${compared} packets`);
});

Deno.test("fast JSON equals JSON.stringify on every packet of tcpdump's test captures", async () => {
  // 830 files, many malformed: every protocol's odd cases, as tcpdump's own tests hold them.
  const corpus = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
  let compared = 0;
  for (const entry of Deno.readDirSync(corpus)) {
    compared += await compareCapture(new URL(entry.name, corpus), entry.name, true);
  }
  assert.ok(compared > 10_000, `only ${compared} packets`);
});

Deno.test("fast JSON equals JSON.stringify on fuzzed frames", () => {
  const decoder = new Decoder();
  const header = { seconds: 1767225600, fraction: 123, nanosecond: false, caplen: 0, len: 0 };
  fc.assert(
    fc.property(frameArbitrary(seedFrames()), ({ linkType, bytes }) => {
      const packet = decoder.decode(bytes, linkType, bytes.length);
      const frameHeader = { ...header, caplen: bytes.length, len: bytes.length };
      assert.equal(writeJsonLine(packet, frameHeader), formatJsonLine(packet, frameHeader));
    }),
    { numRuns: 3000, seed: 7 },
  );
});

Deno.test("fast JSON writes every combination of TCP analysis flags as JSON.stringify does", async () => {
  using file = await Deno.open(new URL("./fixtures/tcp-analysis.pcap", import.meta.url));
  const reader = await CaptureFileReader.open(file, "tcp-analysis.pcap");
  const record = await reader.next();
  assert.ok(record !== null);
  const packet = new Decoder().decode(record.frame, record.header.linkType, record.header.len);
  assert.ok(packet.tcp !== undefined);
  // The flags in the order FlowTracker sets them (an object's keys keep insertion order).
  const flags = [...TCP_ANALYSIS_FLAGS, "duplicateAck"] as const;
  for (let subset = 0; subset < 1 << flags.length; subset++) {
    const analysis: TcpAnalysis = {
      relativeSeq: subset,
      relativeAck: subset % 3 === 0 ? null : 2 ** 32 - 1,
      isnSeen: subset % 2 === 0,
      peerBase: subset % 5 === 0 ? null : 12345,
      tcpdumpSeqBase: 0,
      tcpdumpAckBase: 0,
      tcpdumpSackBase: 0,
    };
    flags.forEach((flag, bit) => {
      if ((subset & (1 << bit)) === 0) return;
      if (flag === "duplicateAck") analysis.duplicateAck = subset;
      else analysis[flag] = true;
    });
    const extras = { analysis };
    assert.equal(
      writeJsonLine(packet, record.header, extras),
      formatJsonLine(packet, record.header, extras),
    );
  }
});
