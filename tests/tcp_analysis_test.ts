/**
 * TCP analysis (src/analysis/tcp_analysis.ts) against tshark's `tcp.analysis.*` fields and
 * relative sequence and acknowledgment numbers, frame by frame, on captures made for it
 * (tcp-analysis.pcap, every flag by hand) and on a real one (tcp-real.pcap).
 */

import assert from "node:assert/strict";
import { FlowTracker } from "../src/analysis/flows.ts";
import { TcpAnalyser, type TcpAnalysis } from "../src/analysis/tcp_analysis.ts";
import { Decoder, TCP_ACK, TCP_SYN } from "../src/decode/mod.ts";
import { frameSeconds } from "../src/frame.ts";
import { CaptureFileReader } from "../src/file/reader.ts";
import { parseTsv } from "./pcap_file.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);

/**
 * netpeek's analysis of every frame of a fixture (undefined for non-TCP frames), and whether
 * the frame's ACK flag is set.
 */
async function analyse(
  name: string,
  analysis: boolean | "numbers" = true,
): Promise<[TcpAnalysis | undefined, boolean][]> {
  using file = await Deno.open(new URL(name, FIXTURES));
  const reader = await CaptureFileReader.open(file, name);
  const decoder = new Decoder();
  const flows = new FlowTracker({ analysis });
  const results: [TcpAnalysis | undefined, boolean][] = [];
  await reader.run((frame, header) => {
    const packet = decoder.decode(frame, header.linkType, header.len);
    const ackFlag = ((packet.tcp?.flagBits ?? 0) & TCP_ACK) !== 0;
    const analysis = flows.observe(packet, header);
    // The numbers alone come in one object, refilled by the next segment: keep a copy.
    results.push([analysis && { ...analysis }, ackFlag]);
  });
  return results;
}

/** The flag names netpeek reports, as tshark's field names. */
const FLAGS: [keyof TcpAnalysis, string][] = [
  ["retransmission", "tcp.analysis.retransmission"],
  ["fastRetransmission", "tcp.analysis.fast_retransmission"],
  ["spuriousRetransmission", "tcp.analysis.spurious_retransmission"],
  ["windowUpdate", "tcp.analysis.window_update"],
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
    let acks = 0;
    ours.forEach(([analysis, ackFlag], index) => {
      const row = expected[index];
      const where = `${name} frame ${index + 1}`;
      if (row["tcp.stream"] === "") {
        assert.equal(analysis, undefined, where);
        return;
      }
      assert.ok(analysis, `${where}: no analysis`);
      assert.equal(analysis.relativeSeq, Number(row["tcp.seq"]), `${where} relative seq`);
      // With the ACK flag, tshark's number; without it the field means nothing (tshark still
      // shows it) and netpeek's is null.
      if (ackFlag) {
        assert.equal(analysis.relativeAck, Number(row["tcp.ack"]), `${where} relative ack`);
        acks++;
      } else {
        assert.equal(analysis.relativeAck, null, `${where} relative ack without ACK`);
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
    // A tracker that never found an acknowledgment would pass the loop above vacuously.
    assert.ok(acks > ours.length / 2, `${name}: only ${acks} acknowledgments compared`);
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

/** The fields `TcpAnalyser.numbers` fills: every one but the findings. */
const NUMBER_FIELDS = [
  "relativeSeq",
  "relativeAck",
  "isnSeen",
  "peerBase",
  "tcpdumpSeqBase",
  "tcpdumpAckBase",
  "tcpdumpSackBase",
] as const;

for (const name of analysisFixtures) {
  Deno.test(`the numbers alone (tcpdump's line) equal the full analysis' on ${name}`, async () => {
    const full = await analyse(name);
    const numbers = await analyse(name, "numbers");
    assert.equal(numbers.length, full.length);
    let relative = 0;
    full.forEach(([analysis], index) => {
      const [fast] = numbers[index];
      const where = `${name} frame ${index + 1}`;
      if (analysis === undefined) return assert.equal(fast, undefined, where);
      assert.ok(fast, where);
      // Field by field, and no finding: the keys are the numbers' alone.
      for (const field of NUMBER_FIELDS) assert.equal(fast[field], analysis[field], where);
      assert.deepEqual(Object.keys(fast), [...NUMBER_FIELDS], where);
      if (fast.tcpdumpSeqBase !== 0) relative++;
    });
    // Segments tcpdump prints relative are the ones whose bases could differ.
    assert.ok(relative > full.length / 3, `${name}: only ${relative} relative segments`);
  });
}

Deno.test("a connection's analysis is the same under any flow id, as the state grows", async () => {
  // The state lies in one typed array by flow id, grown as ids come: a connection at id 1023
  // (the last the array first holds), with the array grown under it halfway through by a
  // segment at id 9000, must see what one at id 0 sees.
  using file = await Deno.open(new URL("tcp-analysis.pcap", FIXTURES));
  const reader = await CaptureFileReader.open(file, "tcp-analysis.pcap");
  const decoder = new Decoder();
  const low = new TcpAnalyser();
  const high = new TcpAnalyser();
  let clientPort = -1;
  let firstSyn: Uint8Array | undefined;
  let synLinkType = 0;
  let compared = 0;
  let findings = 0;
  await reader.run((frame, header) => {
    const tcp = decoder.decode(frame, header.linkType, header.len).tcp;
    if (tcp === undefined) return;
    if (clientPort < 0) clientPort = tcp.srcPort;
    if (firstSyn === undefined && (tcp.flagBits & TCP_SYN) !== 0) {
      firstSyn = frame.slice();
      synLinkType = header.linkType;
    }
    const forward = tcp.srcPort === clientPort;
    const time = frameSeconds(header);
    const atZero = low.analyse(0, forward, tcp, time, 0);
    const farOut = high.analyse(1023, forward, tcp, time, 0);
    assert.deepEqual(farOut, atZero);
    if (++compared === 10) high.analyse(9000, true, tcp, time, 0);
    if (Object.keys(atZero).length > 7) findings++;
  });
  assert.ok(compared > 20 && findings > 5, `${compared} segments, ${findings} with findings`);
  // Forgetting the id clears its state: the capture's first SYN, sent again, starts afresh.
  high.forget(1023);
  const syn = decoder.decode(firstSyn!, synLinkType).tcp!;
  const fresh = high.analyse(1023, true, syn, 0, 0);
  assert.deepEqual([fresh.relativeSeq, fresh.isnSeen, fresh.peerBase], [0, true, null]);
});
