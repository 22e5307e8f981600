/**
 * Flow tracking: TCP analysis against tshark's `tcp.analysis.*` (and relative sequence
 * numbers) on captures made for it, and conversations against `tshark -z conv`.
 */

import assert from "node:assert/strict";
import { FlowTracker, type TcpAnalysis } from "../src/analysis/flows.ts";
import { Decoder } from "../src/decode/mod.ts";
import { CaptureFileReader } from "../src/file/reader.ts";
import { parseTsv } from "./pcap_file.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);

/** netpeek's analysis of every frame of a fixture (undefined for non-TCP frames). */
async function analyse(name: string): Promise<(TcpAnalysis | undefined)[]> {
  using file = await Deno.open(new URL(name, FIXTURES));
  const reader = await CaptureFileReader.open(file, name);
  const decoder = new Decoder();
  const flows = new FlowTracker();
  const results: (TcpAnalysis | undefined)[] = [];
  await reader.run((frame, header) => {
    results.push(flows.observe(decoder.decode(frame, header.linkType, header.len), header));
  });
  return results;
}

/** The flag names netpeek reports, as tshark's field names. */
const FLAGS: [keyof TcpAnalysis, string][] = [
  ["retransmission", "tcp.analysis.retransmission"],
  ["fastRetransmission", "tcp.analysis.fast_retransmission"],
  ["spuriousRetransmission", "tcp.analysis.spurious_retransmission"],
  ["outOfOrder", "tcp.analysis.out_of_order"],
  ["lostSegment", "tcp.analysis.lost_segment"],
  ["zeroWindow", "tcp.analysis.zero_window"],
  ["windowFull", "tcp.analysis.window_full"],
  ["keepAlive", "tcp.analysis.keep_alive"],
];

const analysisFixtures = [...Deno.readDirSync(FIXTURES)]
  .map((entry) => entry.name)
  .filter((name) => name.startsWith("tcp-") && name.endsWith(".pcap"))
  .sort();

Deno.test("TCP analysis fixtures exist", () => {
  assert.ok(analysisFixtures.includes("tcp-analysis.pcap"));
});

for (const name of analysisFixtures) {
  Deno.test(`TCP analysis agrees with tshark's on ${name}`, async () => {
    const expected = parseTsv(
      await Deno.readTextFile(new URL(name.replace(/\.pcap$/, ".tshark-analysis.tsv"), FIXTURES)),
    );
    const ours = await analyse(name);
    assert.equal(ours.length, expected.length);
    const seen = new Set<string>();
    ours.forEach((analysis, index) => {
      const row = expected[index];
      const where = `${name} frame ${index + 1}`;
      if (row["tcp.stream"] === "") {
        assert.equal(analysis, undefined, where);
        return;
      }
      assert.ok(analysis, `${where}: no analysis`);
      assert.equal(analysis.relativeSeq, Number(row["tcp.seq"]), `${where} relative seq`);
      if (analysis.relativeAck !== null) {
        assert.equal(analysis.relativeAck, Number(row["tcp.ack"]), `${where} relative ack`);
      }
      for (const [ours, theirs] of FLAGS) {
        assert.equal(analysis[ours] === true, row[theirs] !== "", `${where} ${theirs}`);
        if (row[theirs] !== "") seen.add(theirs);
      }
      assert.equal(
        analysis.duplicateAck ?? 0,
        Number(row["tcp.analysis.duplicate_ack_num"] || 0),
        `${where} duplicate ACK number`,
      );
      if (analysis.duplicateAck) seen.add("tcp.analysis.duplicate_ack_num");
    });
    if (name === "tcp-analysis.pcap") {
      // The hand-made connection shows every flag at least once.
      assert.deepEqual(
        [...seen].sort(),
        [...FLAGS.map(([, theirs]) => theirs), "tcp.analysis.duplicate_ack_num"]
          .filter((field) => field !== "tcp.analysis.spurious_retransmission").sort(),
      );
    }
  });
}
