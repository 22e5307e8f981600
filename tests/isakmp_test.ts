/**
 * ISAKMP (IKE) against tcpdump and tshark, on tcpdump's captures of IKEv1 and IKEv2 exchanges
 * (UDP port 500, and port 4500 after the non-ESP marker) and on built datagrams around the
 * header's limits: each packet's text begins with tcpdump's (`isakmp: phase 1 I ident`,
 * `NONESP-encap: isakmp: …`, `isakmp: parent_sa ikev2_init[I]`, ` [|isakmp]`), and every
 * header field equals tshark's. No test makes IKE live: no IKE daemon is among the packages
 * (strongSwan, libreswan and racoon are not installed), so tcpdump's captures are used.
 *
 * IKEv1's `I` and `R` come from tcpdump's memory of initiators (analysis/ike_initiators.ts):
 * the reader keeps it, in packet order, and hands each message's side to whichever thread
 * formats it; a test runs the two-thread printing on an exchange to hold that.
 */

import assert from "node:assert/strict";
import {
  Decoder,
  IKEV2_FLAG_INITIATOR,
  ISAKMP_FIELDS,
  LINKTYPE_ETHERNET,
} from "../src/decode/mod.ts";
import { IKE_ROLE_NONE, IkeInitiators } from "../src/analysis/ike_initiators.ts";
import { CaptureFileReader } from "../src/file/reader.ts";
import { packetFormatter } from "../src/cli/print_format.ts";
import { PrintPipeline } from "../src/cli/print_pipeline.ts";
import {
  concat,
  ethernet,
  ip6,
  u16,
  u32,
  udp6,
  udpOverEthernet,
} from "../scripts/packet_builder.ts";
import { bothFields, compareText, output, withBuiltCapture } from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const corpus = (name: string) => new URL(name, CORPUS).pathname;

/** tcpdump's captures of whole exchanges, and fuzzed ones whose headers still decode. */
const CAPTURES = [
  "ISAKMP_sa_setup.pcap",
  "isakmp4500.pcap",
  "ikev2four.pcap",
  "ikev2pI2.pcap",
  "ikev2-id-normal.pcap",
  "ikev2-id-short.pcap",
  "isakmp-no-none-np.pcapng",
  "isakmp-rfc3948-oobr.pcap",
  // A version tshark does not know (11.14), and a header whose length field is 0.
  "isakmp-delete-segfault.pcap",
  "isakmp-pointer-loop.pcap",
];

const FIELDS = Object.keys(ISAKMP_FIELDS);

Deno.test("ISAKMP in tcpdump's captures: lines begin as tcpdump's, header fields as tshark's", async () => {
  let lines = 0;
  const words = new Set<string>();
  for (const name of CAPTURES) {
    lines += await compareText(corpus(name), (packet) => {
      const match = packet.match(/isakmp: (phase \d(?:\/others)? [IR?]|parent_sa|child_sa)/);
      if (match !== null) words.add(match[1]);
      return packet.includes("isakmp");
    });
    const { theirs, ours } = await bothFields(corpus(name), ["frame.number", ...FIELDS]);
    assert.equal(ours, theirs, name);
  }
  // Both sides of IKEv1 (from the memory of initiators), a message from neither, both IKEv2
  // phases: the captures hold each kind of line the test is for.
  for (const word of ["phase 1 I", "phase 1 R", "phase 2/others I", "phase 1 ?", "parent_sa"]) {
    assert.ok(words.has(word), `no "${word}" line compared`);
  }
  assert.ok(words.has("child_sa"));
  assert.ok(lines >= 50, `only ${lines} lines compared`);
});

Deno.test("ISAKMP with -v and -vv: the header's words as tcpdump's (the payload lines are not listed)", async () => {
  for (const name of ["ISAKMP_sa_setup.pcap", "ikev2four.pcap", "isakmp4500.pcap"]) {
    for (const flag of ["-v", "-vv"]) {
      const theirs = (await output("tcpdump", ["-n", flag, "-r", corpus(name)]))
        .split("\n").filter((line) => line.includes(" isakmp "));
      const ours = (await runNetpeek(["-n", flag, "-r", corpus(name)])).stdout
        .split("\n").filter((line) => line.includes(" isakmp "));
      assert.ok(theirs.length > 0);
      assert.equal(ours.length, theirs.length, `${name} ${flag}`);
      // tcpdump's header line ends at the colon its payload lines follow; netpeek's may add a
      // length mismatch there (tcpdump prints it after the payloads).
      ours.forEach((line, i) => assert.ok(line.startsWith(theirs[i]), `${line}\n${theirs[i]}`));
    }
  }
});

const [HOST_A, HOST_B] = ["192.0.2.1", "192.0.2.2"];

/** An ISAKMP header: cookies, next payload, version, exchange type, flags, message ID, length. */
function header(
  version: number,
  exchange: number,
  flags: number,
  messageId: number,
  responder = 0,
  length = 28,
): Uint8Array {
  return concat(
    u32(0x11223344),
    u32(0x55667788),
    u32(responder),
    u32(responder),
    [1, version, exchange, flags],
    u32(messageId),
    u32(length),
  );
}

function datagram(sport: number, dport: number, payload: Uint8Array, from = HOST_A, to = HOST_B) {
  return udpOverEthernet(from, to, sport, dport, payload);
}

/** The same over IPv6 (the memory of initiators keeps IPv6 addresses too). */
function datagram6(payload: Uint8Array, from: string, to: string) {
  const segment = udp6(from, to, 500, 500, payload);
  return ethernet(
    "02:00:00:00:00:02",
    "02:00:00:00:00:01",
    0x86dd,
    concat([0x60, 0, 0, 0], u16(segment.length), [17, 64], ip6(from), ip6(to), segment),
  );
}

Deno.test("ISAKMP built around its limits: tcpdump's words, tshark's fields", async () => {
  const frames = [
    // IKEv1: an opening message, the answer, one from a third address, commit and encrypted.
    datagram(500, 500, header(0x10, 2, 0, 0)),
    datagram(500, 500, header(0x10, 2, 0, 0, 0x0a0b0c0d), HOST_B, HOST_A),
    datagram(500, 500, header(0x10, 2, 0, 0, 0x0a0b0c0d), "192.0.2.3", HOST_B),
    datagram(500, 500, header(0x10, 32, 3, 7, 0x0a0b0c0d)),
    datagram(500, 500, header(0x10, 6, 4, 7, 0x0a0b0c0d)),
    // IKEv2: initiator and response flags, an unknown exchange type, a child SA.
    datagram(500, 500, header(0x20, 34, IKEV2_FLAG_INITIATOR, 0)),
    datagram(500, 500, header(0x20, 99, 0x30, 1, 0x0a0b0c0d)),
    // Another major version, a length that disagrees with UDP's (-v), a header cut short.
    datagram(500, 500, header(0x30, 2, 0, 0)),
    datagram(500, 500, header(0x10, 5, 0, 9, 0x0a0b0c0d, 100)),
    datagram(500, 500, header(0x10, 2, 0, 0).subarray(0, 27)),
    // IKEv1 over IPv6: the opening message and its answer.
    datagram6(header(0x10, 4, 0, 0), "2001:db8::1", "2001:db8::2"),
    datagram6(header(0x10, 4, 0, 0, 0x0a0b0c0d), "2001:db8::2", "2001:db8::1"),
    // Port 4500: after the marker, the marker alone, a marker and a header cut short.
    datagram(4500, 4500, concat(u32(0), header(0x10, 32, 1, 3, 0x0a0b0c0d))),
    datagram(4500, 4500, concat(u32(0))),
    datagram(4500, 4500, concat(u32(0), header(0x20, 35, 8, 1).subarray(0, 10))),
  ];
  await withBuiltCapture(frames, "isakmp-built.pcap", async (path) => {
    for (const flags of [[], ["-v"], ["-vv"]]) {
      const compared = await compareText(path, () => true, flags);
      assert.ok(compared >= frames.length, `${flags}: ${compared}`);
    }
    const { theirs, ours } = await bothFields(path, ["frame.number", ...FIELDS]);
    assert.equal(ours, theirs);
    // Not vacuous: tshark gives most of them an initiator SPI.
    assert.ok(theirs.split("\n").filter((line) => /^\d+\t[0-9a-f]{16}\t/.test(line)).length >= 9);
    const { theirs: selected, ours: ourSelected } = await bothFields(path, ["frame.number"], []);
    assert.ok(selected.length > 0 && ourSelected === selected);
  });
});

Deno.test("an IKEv1 exchange printed on two threads names each side as one thread does", async () => {
  const path = corpus("ISAKMP_sa_setup.pcap");
  const format = { json: false, text: {} };
  const outputPath = await Deno.makeTempFile();
  try {
    const pipeline = PrintPipeline.start(
      { ...format, nanosecond: false, outputPath },
      packetFormatter(format),
    );
    assert.ok(pipeline !== undefined);
    assert.equal(await pipeline.running, true); // the worker formats the batches
    using file = await Deno.open(path);
    const reader = await CaptureFileReader.open(file, path);
    const decoder = new Decoder();
    const initiators = new IkeInitiators();
    const roles: number[] = [];
    await reader.runRanges((bytes, offset, record) => {
      const packet = decoder.decodeAt(bytes, offset, record.caplen, LINKTYPE_ETHERNET, record.len);
      const role = packet.isakmp === undefined ? IKE_ROLE_NONE : initiators.observe(packet);
      roles.push(role);
      pipeline.add(
        bytes,
        offset,
        record.caplen,
        record,
        LINKTYPE_ETHERNET,
        packet,
        undefined,
        role,
      );
    }, () => pipeline.chunkEnd());
    pipeline.finish();
    // Past the time stamp (printed in the test's time zone): the lines as tcpdump's.
    const afterTime = (line: string) => line.slice(line.indexOf(" ") + 1);
    const twoThreads = (await Deno.readTextFile(outputPath)).trimEnd().split("\n").map(afterTime);
    const tcpdump = (await output("tcpdump", ["-n", "-r", path])).trimEnd().split("\n")
      .map(afterTime);
    assert.equal(twoThreads.length, tcpdump.length);
    twoThreads.forEach((line, i) =>
      assert.ok(line.startsWith(tcpdump[i]), `${line}\n${tcpdump[i]}`)
    );
    assert.ok(roles.filter((role) => role !== IKE_ROLE_NONE).length >= 6);
    assert.ok(twoThreads.some((line) => line.includes("phase 1 R ident")));
  } finally {
    await Deno.remove(outputPath);
  }
});
