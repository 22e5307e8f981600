/**
 * RARP (RFC 903) and Inverse ARP (RFC 2390) against tcpdump and tshark, on a built capture:
 * reverse requests and replies under RARP's EtherType and under ARP's, inverse requests and
 * replies, a NACK and an operation with no name (tcpdump dumps their bytes, and so does
 * netpeek), and a request that names the target's MAC address. The whole text (default, `-e`,
 * `-v`) equals tcpdump's; ARP's fields equal tshark's. Linux sends no RARP of its own, so
 * nothing is made live.
 */

import assert from "node:assert/strict";
import { ARP_FIELDS, type ArpPacket } from "../src/decode/mod.ts";
import { pcapRecords } from "../scripts/make_fixtures.ts";
import { ethernet, ip4, mac, u16 } from "../scripts/packet_builder.ts";
import { compareFields, type FieldCheck, output } from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const ARP_CHECK: FieldCheck<ArpPacket> = { fields: ARP_FIELDS, layer: (packet) => packet.arp };
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_RARP = 0x8035;

function arp(type: number, op: number, sender: [string, string], target: [string, string]) {
  return ethernet(
    "ff:ff:ff:ff:ff:ff",
    sender[0],
    type,
    new Uint8Array([
      ...u16(1),
      ...u16(0x0800),
      6,
      4,
      ...u16(op),
      ...mac(sender[0]),
      ...ip4(sender[1]),
      ...mac(target[0]),
      ...ip4(target[1]),
    ]),
  );
}

const CLIENT: [string, string] = ["02:00:00:00:00:01", "0.0.0.0"];
const SERVER: [string, string] = ["02:00:00:00:00:02", "192.0.2.2"];
const ANSWER: [string, string] = ["02:00:00:00:00:01", "192.0.2.10"];

Deno.test("RARP and Inverse ARP: the whole text as tcpdump's, fields as tshark's", async () => {
  const frames = [
    arp(ETHERTYPE_RARP, 3, CLIENT, CLIENT),
    arp(ETHERTYPE_RARP, 4, SERVER, ANSWER),
    arp(ETHERTYPE_ARP, 3, CLIENT, CLIENT),
    arp(ETHERTYPE_ARP, 8, CLIENT, ["02:00:00:00:00:05", "0.0.0.0"]),
    arp(ETHERTYPE_ARP, 9, ["02:00:00:00:00:05", "192.0.2.7"], CLIENT),
    arp(ETHERTYPE_ARP, 10, SERVER, ANSWER),
    arp(ETHERTYPE_ARP, 5, SERVER, ANSWER),
    arp(ETHERTYPE_ARP, 1, SERVER, ["02:00:00:00:00:05", "192.0.2.7"]),
  ];
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(
      path,
      pcapRecords(1, frames.map((frame, i) => ({ seconds: 1767225600 + i, fraction: 0, frame }))),
    );
    for (const flags of [[], ["-e"], ["-v"]]) {
      const theirs = await output("tcpdump", ["-n", ...flags, "-r", path]);
      assert.match(theirs, /Reverse Reply 02:00:00:00:00:01 at 192\.0\.2\.10/);
      const ours = await runNetpeek([...flags, "-r", path], { env: { TZ: "UTC" } });
      assert.equal(ours.stdout, theirs, flags.join(" "));
    }
    assert.equal(await compareFields(path, ARP_CHECK), frames.length);
    const json = (await runNetpeek(["--json", "-r", path])).stdout.trimEnd().split("\n")
      .map((line) => JSON.parse(line));
    assert.deepEqual([json[1].eth.type, json[1].arp.operation, json[1].arp.targetIp], [
      ETHERTYPE_RARP,
      4,
      "192.0.2.10",
    ]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("a gratuitous ARP request: tcpdump's line, then netpeek's word for it", async () => {
  const announcer: [string, string] = ["02:00:00:00:00:01", "192.0.2.5"];
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(
      path,
      pcapRecords(1, [{
        seconds: 1767225600,
        fraction: 0,
        frame: arp(ETHERTYPE_ARP, 1, announcer, ["00:00:00:00:00:00", announcer[1]]),
      }]),
    );
    const theirs = (await output("tcpdump", ["-n", "-r", path])).trimEnd();
    assert.match(theirs, /who-has 192\.0\.2\.5 tell 192\.0\.2\.5, length 46$/);
    const ours = (await runNetpeek(["-r", path], { env: { TZ: "UTC" } })).stdout.trimEnd();
    assert.equal(ours, `${theirs} (gratuitous)`);
  } finally {
    await Deno.remove(path);
  }
});
