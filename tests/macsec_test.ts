/**
 * MACsec against tcpdump and tshark, on tcpdump's own MACsec captures: integrity-only frames
 * (decoded through to ICMP and UDP, with and without a short length), encrypted and changed
 * text (the SecTAG, then a dump of the data), and SecTAGs cut short or claiming more than the
 * frame holds. The text (default, `-e`, `-v`) begins with tcpdump's; the SecTAG's fields and the
 * frame inside equal tshark's.
 *
 * tests/fixtures/protocols/macsec.pcap holds four of these captures merged, for the tests that
 * read every fixture.
 */

import assert from "node:assert/strict";
import { MACSEC_FIELDS, type MacsecHeader } from "../src/decode/mod.ts";
import { compareFields, compareText, type FieldCheck, output } from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const MACSEC_CHECK: FieldCheck<MacsecHeader> = {
  fields: MACSEC_FIELDS,
  layer: (packet) => packet.macsec,
};
/** The captures whose SecTAG is whole: integrity only, encrypted, changed. */
const WHOLE = [
  "macsec-integonly.pcap",
  "macsec-encrypted.pcap",
  "macsec-changed.pcap",
  "macsec-short-valid.pcap",
  "macsec-short-longer.pcap",
];

Deno.test("MACsec: lines as tcpdump's (default, -e, -v), SecTAG fields as tshark's", async () => {
  let lines = 0;
  let fields = 0;
  for (const name of WHOLE) {
    const path = new URL(name, CORPUS).pathname;
    for (const flags of [[], ["-e"], ["-v"]]) lines += await compareText(path, () => true, flags);
    fields += await compareFields(path, MACSEC_CHECK);
  }
  // Each capture holds one frame; -v compares the dump's lines too.
  assert.ok(lines >= 3 * WHOLE.length, `${lines} lines`);
  assert.equal(fields, WHOLE.length);
});

Deno.test("MACsec: what is inside an integrity-only frame is the frame's own, as tshark reads it", async () => {
  const path = new URL("macsec-short-valid.pcap", CORPUS).pathname;
  const tshark = (await output("tshark", [
    "-r",
    path,
    "-T",
    "fields",
    "-e",
    "ip.src",
    "-e",
    "ip.ttl",
    "-e",
    "udp.srcport",
    "-e",
    "udp.length",
  ])).trim().split("\t");
  const json = JSON.parse((await runNetpeek(["--json", "-r", path])).stdout);
  assert.deepEqual(
    [json.ipv4.src, json.ipv4.ttl, json.udp.srcPort, json.udp.length].map(String),
    tshark,
  );
  assert.deepEqual([json.macsec.integrityOnly, json.macsec.shortLength], [true, 34]);
});

Deno.test("MACsec: encrypted and changed data dumped as tcpdump dumps it", async () => {
  for (const name of ["macsec-encrypted.pcap", "macsec-changed.pcap"]) {
    const path = new URL(name, CORPUS).pathname;
    for (const flags of [[], ["-e"]]) {
      const theirs = await output("tcpdump", ["-n", ...flags, "-r", path]);
      const ours = (await runNetpeek([...flags, "-r", path], { env: { TZ: "UTC" } })).stdout;
      assert.ok(theirs.includes("\t0x0000:  "), theirs);
      assert.equal(ours, theirs);
    }
  }
});

Deno.test("MACsec cut short or claiming more than the frame: decoded as far as it goes, marked", async () => {
  for (const name of ["macsec-short-shorter.pcap", "macsec-snap.pcap"]) {
    const path = new URL(name, CORPUS).pathname;
    for (const flags of [[], ["-e"]]) {
      const theirs = (await output("tcpdump", ["-n", ...flags, "-r", path])).trimEnd();
      assert.ok(theirs.endsWith(" [|macsec]"), theirs);
      const ours = (await runNetpeek([...flags, "-r", path], { env: { TZ: "UTC" } })).stdout;
      // tcpdump's words up to its note, then netpeek's note, which says what was wrong.
      assert.ok(ours.startsWith(theirs.slice(0, -"]".length) + ": "), `${ours}\n${theirs}`);
    }
  }
});
