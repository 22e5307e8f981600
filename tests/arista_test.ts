/**
 * Arista's timestamp EtherType against tcpdump, on tcpdump's own capture: the header (64 and
 * 48 bits, TAI and UTC, R/R2 and R3) and the frame after it (IPv4, 802.1Q, MPLS) print as
 * tcpdump prints them (default, `-e`, `-v`); JSON's timestamp is the one tcpdump prints. tshark
 * has no Arista dissector, so tcpdump is the only reference here. A header cut short, and a
 * subtype not known, are decoded as far as they go and marked.
 */

import assert from "node:assert/strict";
import { pcapRecords } from "../scripts/make_fixtures.ts";
import { compareText, output } from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const CAPTURE = new URL("../../shared/pcap-corpus/tcpdump/arista_ether.pcap", import.meta.url)
  .pathname;

Deno.test("Arista timestamps: lines as tcpdump's (default, -e, -v)", async () => {
  for (const flags of [[], ["-e"]]) {
    assert.equal(await compareText(CAPTURE, () => true, flags), 16, flags.join(" "));
  }
  // -v: every one of the 40 lines tcpdump -v prints (headers, ports, MPLS's inner lines).
  assert.equal(await compareText(CAPTURE, () => true, ["-v"]), 40);
});

Deno.test("Arista timestamps: JSON's seconds and nanoseconds are the time tcpdump prints", async () => {
  const printed = [...(await output("tcpdump", ["-n", "-r", CAPTURE]))
    .matchAll(/Timestamp (?:(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)|(\d+))\.(\d{9}): /g)];
  const json = (await runNetpeek(["--json", "-r", CAPTURE])).stdout.trimEnd().split("\n")
    .map((line) => JSON.parse(line).arista);
  assert.equal(printed.length, 16);
  assert.equal(json.length, 16);
  printed.forEach(([, date, seconds, nanoseconds], i) => {
    const expected = date !== undefined ? Date.parse(`${date}Z`) / 1000 : Number(seconds);
    assert.deepEqual([json[i].seconds, json[i].nanoseconds], [expected, Number(nanoseconds)]);
  });
  // Both formats and both timescales occur: the comparison covers each way of reading it.
  assert.deepEqual(new Set(json.map((a) => `${a.format}/${a.timescale}`)).size, 4);
});

Deno.test("Arista header cut short, or of a subtype not known: decoded as far as it goes", async () => {
  const frame = (await Deno.readFile(CAPTURE)).subarray(24 + 16, 24 + 16 + 110);
  // The subtype's low byte, after the addresses and the EtherType.
  const unknown = frame.slice();
  unknown[15] = 2; // subtype 2
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(
      path,
      pcapRecords(1, [
        { seconds: 1, fraction: 0, frame: frame.subarray(0, 20) },
        { seconds: 2, fraction: 0, frame: unknown },
      ]),
    );
    const lines = (await runNetpeek(["-r", path])).stdout.trimEnd().split("\n");
    assert.match(lines[0], / \[\|arista: truncated: 6 of 14 header bytes captured at offset 14\]$/);
    assert.match(
      lines[1],
      /SubType Unknown \(0x0002\), {2}\[\|arista: subtype 2 format 1 is not decoded\]$/,
    );
    const json = (await runNetpeek(["--json", "-r", path])).stdout.trimEnd().split("\n")
      .map((line) => JSON.parse(line));
    assert.deepEqual(json[1].arista, { subtype: 2, timescale: 0, format: 1, hardware: 0 });
    assert.equal(json[1].error, "arista: subtype 2 format 1 is not decoded");
  } finally {
    await Deno.remove(path);
  }
});
