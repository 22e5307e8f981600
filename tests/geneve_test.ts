/**
 * Geneve against tcpdump and tshark, on tcpdump's Geneve captures (Open vSwitch's with an
 * option, Google Cloud's with three, and the GSO ones carrying IPv4 and IPv6): the text
 * (default and `-e`) begins with tcpdump's, the options as `-v` and `-vv` print them, and
 * Geneve's fields and the inner packet's addresses and ports equal tshark's. No test makes
 * Geneve live: this kernel has no Geneve device (`ip link add … type geneve` answers "Unknown
 * device type").
 *
 * tests/fixtures/protocols/geneve.pcap holds the first frames of `geneve.pcap`, for the tests
 * that read every fixture.
 */

import assert from "node:assert/strict";
import { GENEVE_FIELDS, type GeneveHeader } from "../src/decode/mod.ts";
import {
  compareFields,
  compareInner,
  compareText,
  type FieldCheck,
  output,
} from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const GENEVE_CHECK: FieldCheck<GeneveHeader> = {
  fields: GENEVE_FIELDS,
  layer: (packet) => packet.geneve,
  // One value an option: a list, even of one.
  lists: ["geneve.option.class", "geneve.option.type"],
};
const FILES = [
  "geneve.pcap",
  "geneve-gcp.pcap",
  "gso-ipv4-geneve-ipv4.pcap",
  "gso-ipv6-geneve-ipv6.pcap",
];

Deno.test("Geneve in tcpdump's captures: lines as tcpdump's, fields as tshark's", async () => {
  let lines = 0;
  let fields = 0;
  let inner = 0;
  for (const name of FILES) {
    const path = new URL(name, CORPUS).pathname;
    // tcpdump goes on to print SSH's banner, which netpeek does not decode.
    const pick = (text: string) => text.includes("Geneve") && !text.includes("SSH:");
    lines += await compareText(path, pick) + await compareText(path, pick, ["-e"]);
    fields += await compareFields(path, GENEVE_CHECK);
    inner += await compareInner(path);
  }
  assert.ok(lines >= 2 * 40, `only ${lines} lines`);
  assert.ok(fields >= 42 && inner >= 42, `${fields} fields, ${inner} inner packets`);
});

Deno.test("Geneve's options as tcpdump -v and -vv print them", async () => {
  let compared = 0;
  for (const name of ["geneve.pcap", "geneve-gcp.pcap"]) {
    const path = new URL(name, CORPUS).pathname;
    for (const flags of [["-v"], ["-vv"]]) {
      const words = (text: string) =>
        text.split("\n").map((line) => line.match(/Geneve, .*?options \[[^\]]*\]/)?.[0])
          .filter((match) => match !== undefined);
      const theirs = words(await output("tcpdump", ["-n", ...flags, "-r", path]));
      const ours = words((await runNetpeek([...flags, "-r", path], { env: { TZ: "UTC" } })).stdout);
      assert.deepEqual(ours, theirs);
      compared += theirs.length;
    }
  }
  assert.ok(compared >= 4, `only ${compared} option lists`);
});
