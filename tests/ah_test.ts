/**
 * IPsec AH against tcpdump and tshark: `AH(spi=0x…,seq=0x…,icv=0x…): ` before the protocol it
 * protects, which is decoded as without it; the next header, length, SPI, sequence number and
 * ICV equal tshark's. No test makes AH live: this kernel has no AH transform (`ip xfrm state
 * add … proto ah` answers "Requested type not found"). So the IPv6 side is tcpdump's capture of
 * OSPFv3 under AH, and the IPv4 side is built here, then read by tcpdump and tshark as the
 * references.
 *
 * tests/fixtures/protocols/ah.pcap holds the first frames of that OSPFv3 capture, for the tests
 * that read every fixture.
 */

import assert from "node:assert/strict";
import { AH_FIELDS, type AhHeader } from "../src/decode/mod.ts";
import { pcapRecords } from "../scripts/make_fixtures.ts";
import {
  concat,
  ethernet,
  icmpEcho,
  ip4,
  ipv4,
  tcp,
  u16,
  u32,
  udp,
} from "../scripts/packet_builder.ts";
import { compareFields, compareText, type FieldCheck, output } from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const OSPF_UNDER_AH = new URL(
  "../../shared/pcap-corpus/tcpdump/OSPFv3_with_AH.pcap",
  import.meta.url,
).pathname;

const AH_CHECK: FieldCheck<AhHeader> = { fields: AH_FIELDS, layer: (packet) => packet.ah };

const SOURCE = "192.0.2.1";
const DESTINATION = "198.51.100.2";
const ICV = Array.from({ length: 12 }, (_, i) => 0xa0 + i);
const IPPROTO_AH = 51;

/** An AH header (RFC 4302 section 2) with a 96-bit ICV, `reserved` 0 unless given. */
function ah(next: number, spi: number, sequence: number, reserved = 0, icv = ICV): number[] {
  const words = (12 + icv.length) / 4 - 2;
  return [next, words, ...u16(reserved), ...u32(spi), ...u32(sequence), ...icv];
}

function frame(payload: Uint8Array): Uint8Array {
  const packet = ipv4({ src: SOURCE, dst: DESTINATION, protocol: IPPROTO_AH, payload });
  return ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, packet);
}

/** IPv4 under AH: TCP, UDP (syslog), ICMP, ESP, nothing, a reserved field set, AH cut short. */
function ipv4Frames(): { frame: Uint8Array; caplen?: number }[] {
  const [src, dst] = [ip4(SOURCE), ip4(DESTINATION)];
  const syn = { sport: 40000, dport: 80, seq: 1000, ack: 0, flags: 0x02, window: 64240 };
  const syslog = new TextEncoder().encode("<13>netpeek: under AH");
  const whole = [
    frame(concat(ah(6, 0x1000, 1), tcp(src, dst, syn))),
    frame(concat(ah(17, 0x2000, 7), udp(src, dst, 40000, 514, syslog))),
    frame(concat(ah(1, 0x3000, 9), icmpEcho(8, 1, 1, new Uint8Array(8)))),
    frame(concat(ah(50, 0x4000, 11), u32(0x55), u32(3), new Uint8Array(16))),
    frame(concat(ah(59, 0x5000, 13, 0, []), new Uint8Array(4))),
    frame(concat(ah(6, 0x6000, 15, 0x3030), tcp(src, dst, syn))),
  ].map((bytes) => ({ frame: bytes }));
  // Cut by the snapshot length inside the ICV, and before the sequence number.
  const cut = frame(concat(ah(6, 0x1000, 17), tcp(src, dst, syn)));
  return [...whole, { frame: cut, caplen: 14 + 20 + 16 }, { frame: cut, caplen: 14 + 20 + 10 }];
}

async function writeIpv4Capture(path: string): Promise<void> {
  const frames = ipv4Frames();
  // pcapRecords writes whole frames: the cut ones are re-cut below, with their wire length.
  const bytes = pcapRecords(
    1,
    frames.map(({ frame }, i) => ({ seconds: 1767225600 + i, fraction: 0, frame })),
  );
  const view = new DataView(bytes.buffer);
  const parts: Uint8Array[] = [bytes.subarray(0, 24)];
  let at = 24;
  for (const { caplen } of frames) {
    const length = view.getUint32(at + 8, true);
    const record = bytes.slice(at, at + 16 + (caplen ?? length));
    new DataView(record.buffer).setUint32(8, caplen ?? length, true);
    parts.push(record);
    at += 16 + length;
  }
  await Deno.writeFile(path, concat(...parts));
}

Deno.test("AH over IPv4, built: lines begin with tcpdump's (default and -v), fields as tshark's", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await writeIpv4Capture(path);
    const whole = (text: string) => text.includes("AH(") && !text.includes("[|");
    const lines = await compareText(path, whole) + await compareText(path, whole, ["-v"]);
    assert.ok(lines >= 12, `six whole packets, twice: ${lines} lines`);
    // tcpdump ends a header cut short with "[|ah]", netpeek with where and how much.
    const tcpdump = (await output("tcpdump", ["-n", "-r", path])).trimEnd().split("\n");
    const netpeek = (await runNetpeek(["-r", path], { env: { TZ: "UTC" } })).stdout.trimEnd()
      .split("\n");
    const cut = tcpdump.filter((line) => line.endsWith(" [|ah]"));
    assert.equal(cut.length, 2);
    for (const line of cut) {
      const ours = netpeek[tcpdump.indexOf(line)];
      assert.ok(ours.startsWith(line.slice(0, -" [|ah]".length) + " [|ah: truncated"), ours);
    }
    // tshark shows an ICV of no bytes as "<MISSING>": that packet is passed over.
    const fields = await compareFields(path, { ...AH_CHECK, skip: (p) => p.ah?.icvLength === 0 });
    assert.equal(fields, 7);
    // --stats counts a segment under AH in its TCP or UDP conversation, as tshark's conv does.
    const stats = (await runNetpeek(["--stats", "-r", path])).stdout;
    const conversations = await output("tshark", [
      "-n",
      "-q",
      "-r",
      path,
      "-z",
      "conv,tcp",
      "-z",
      "conv,udp",
    ]);
    for (const [protocol, port] of [["tcp", 80], ["udp", 514]]) {
      assert.ok(conversations.includes(`198.51.100.2:${port}`), conversations);
      assert.match(
        stats,
        new RegExp(`^${protocol} +192\\.0\\.2\\.1:40000 +198\\.51\\.100\\.2:${port} `, "m"),
      );
    }
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("AH in IPv6 (tcpdump's OSPFv3 capture): tcpdump's words up to the protocol, fields as tshark's", async () => {
  for (const flags of [[], ["-v"]]) {
    const tcpdump = (await output("tcpdump", ["-n", ...flags, "-r", OSPF_UNDER_AH]))
      .split("\n").filter((line) => line.includes("AH("));
    const netpeek = (await runNetpeek([...flags, "-r", OSPF_UNDER_AH], { env: { TZ: "UTC" } }))
      .stdout.split("\n").filter((line) => line.includes("AH("));
    assert.equal(netpeek.length, tcpdump.length);
    assert.ok(tcpdump.length >= 60, `${tcpdump.length} lines`);
    // netpeek does not decode OSPF: the words up to it are compared, from the addresses on
    // (with -v tcpdump writes the IPv6 header on the same line).
    tcpdump.forEach((line, i) => {
      const theirs = line.slice(line.lastIndexOf("fe80::"), line.lastIndexOf("): ") + 3);
      assert.ok(netpeek[i].includes(theirs), `${netpeek[i]}\n${theirs}`);
    });
  }
  assert.ok(await compareFields(OSPF_UNDER_AH, AH_CHECK) >= 60);
});
