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
import { loadPacketFormatter } from "../src/cli/print_format.ts";
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

/** Captures whose -v lines hold every kind of payload tcpdump lists, and fuzzed ones. */
const VERBOSE_CAPTURES = [
  ...CAPTURES.filter((name) => name !== "isakmp-rfc3948-oobr.pcap"), // its frames exceed snaplen
  "isakmp-various-oobr.pcap",
  "isakmp-ikev1_n_print-oobr.pcap",
  "isakmp-identification-segfault.pcap",
  "isakmpv1-attr-oobr.pcap",
  "ikev1_id_ipv6_addr_subnet-oobr.pcap",
  "isakmp-3948-oobr-2.pcap",
  "ikev2pI2-segfault.pcapng",
];

Deno.test("ISAKMP with -v, -vv and -vvv: every payload line as tcpdump's", async () => {
  const seen = new Set<string>();
  let lines = 0;
  for (const name of VERBOSE_CAPTURES) {
    for (const flag of ["-v", "-vv", "-vvv"]) {
      lines += await compareText(corpus(name), (packet) => {
        if (!packet.includes("isakmp")) return false;
        for (const match of packet.matchAll(/\((\w+)(?:\[C\])?:/g)) seen.add(`${match[1]} ${flag}`);
        if (packet.includes("[|isakmp]")) seen.add(`cut ${flag}`);
        return true;
      }, [flag]);
    }
  }
  // The payloads of both versions, nested proposals and transforms, and a read past the
  // capture, at each level of detail: the captures hold what the test is for.
  const kinds = ["sa", "p", "t", "ke", "nonce", "vid", "id", "n", "v2ke", "v2IDi", "v2vid"];
  for (const kind of [...kinds, "v2e", "cut"]) {
    for (const flag of ["-v", "-vv", "-vvv"]) {
      assert.ok(seen.has(`${kind} ${flag}`), `no "(${kind}:" packet compared with ${flag}`);
    }
  }
  assert.ok(lines >= 600, `only ${lines} lines compared`);
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

/** A payload: its type, body and whether the critical bit is set (IKEv2). */
type Payload = [type: number, body: Uint8Array | number[], critical?: boolean];

/** Payloads chained by their next-payload fields; returns the first type and the bytes. */
function chain(payloads: Payload[]): [number, Uint8Array] {
  const parts = payloads.map(([_, body, critical], i) => {
    const next = payloads[i + 1]?.[0] ?? 0;
    return concat([next, critical ? 0x80 : 0], u16(body.length + 4), body);
  });
  return [payloads[0]?.[0] ?? 0, concat(...parts)];
}

/** A whole message: the header (its next payload and length filled in) and its payloads. */
function message(version: number, exchange: number, messageId: number, payloads: Payload[]) {
  const [first, body] = chain(payloads);
  const head = header(version, exchange, 0, messageId, 0x0a0b0c0d, 28 + body.length);
  head[16] = first;
  return concat(head, body);
}

const bytesOf = (text: string) => [...new TextEncoder().encode(text)];
const ipv4 = (text: string) => text.split(".").map(Number);

Deno.test("ISAKMP payloads of every type, built: -v, -vv and -vvv lines as tcpdump's", async () => {
  const attribute = (type: number, value: number) => concat(u16(0x8000 | type), u16(value));
  const longAttribute = (type: number, value: number[]) =>
    concat(u16(type), u16(value.length), value);
  // IKEv1: an SA with a secrecy situation (tcpdump prints the DOI as its ident), an ESP
  // proposal with an SPI, transforms with IPsec attributes (a named value, an unnamed one, a
  // long one) and an AH and an IPComp proposal after it.
  const espTransform = chain([
    [
      3,
      concat([1, 12, 0, 0], attribute(4, 1), attribute(5, 9), longAttribute(2, [0, 1, 0x51, 0x80])),
    ],
    [3, concat([2, 3, 0, 0], attribute(1, 2))],
  ])[1];
  const proposals = chain([
    [2, concat([1, 3, 4, 2], u32(0xcafe0001), espTransform)],
    [2, concat([2, 2, 0, 1], chain([[3, concat([1, 5, 0, 0])]])[1])],
    [
      2,
      concat([3, 4, 2, 1], [0xab, 0xcd], chain([[3, concat([1, 2, 0, 0], attribute(6, 128))]])[1]),
    ],
  ])[1];
  const v1 = message(0x10, 32, 5, [
    [1, concat(u32(1), u32(3), u32(0), proposals)],
    [8, [1, 2, 3, 4, 5, 6, 7, 8]],
    [10, Array.from({ length: 40 }, (_, i) => i)],
    [5, concat([1, 17, 0x01, 0xf4], ipv4("198.51.100.7"))],
    [5, concat([2, 0, 0, 0], bytesOf("vpn.example.test\u0001"))],
    [5, concat([4, 6, 0, 0], ipv4("192.0.2.0"), ipv4("255.255.255.0"))],
    [5, concat([8, 0, 0, 0], ip6("2001:db8::1"), ip6("2001:db8::ff"))],
    [5, concat([11, 0, 0, 0], [9, 8, 7])],
    [6, concat([4], [0x30, 0x82, 1, 2])],
    [7, concat([4], [])],
    [9, [0xaa, 0xbb]],
    [
      11,
      concat(
        u32(1),
        [3, 4],
        u16(24576),
        u32(0xcafe0001),
        attribute(11, 1),
        longAttribute(12, [0, 0, 0x0e, 0x10]),
      ),
    ],
    [11, concat(u32(1), [3, 4], u16(24577), u32(0xcafe0001), u32(1))],
    [11, concat(u32(1), [1, 0], u16(14), bytesOf("no proposal chosen here"))],
    [11, concat(u32(2), [1, 0], u16(16384))],
    [12, concat(u32(1), [3, 4], u16(2), u32(0xcafe0001), u32(0xcafe0002))],
    [13, [0x4f, 0x45, 0x6c, 0x2d]],
  ]);
  // IKEv1 with the SA of another DOI, a phase 1 message with its SA alone.
  const v1OtherDoi = message(0x10, 2, 0, [[1, concat(u32(2), u32(1))], [42, [1, 2, 3]]]);
  // IKEv2: a critical SA with a proposal and every transform type (an AES key length), a
  // short KE, identities, authentication, notifications with and without an SPI, the generic
  // payloads, a vendor ID, and the encrypted payload last.
  const v2Transforms = chain([
    [3, concat([1, 0], u16(12), attribute(14, 256))],
    [3, concat([2, 0], u16(2))],
    [3, concat([3, 0], u16(12))],
    [3, concat([4, 0], u16(19))],
    [3, concat([5, 0], u16(0))],
    [3, concat([9, 0], u16(3))],
  ])[1];
  const v2Proposal = chain([[2, concat([1, 3, 4, 6], u32(0x0badcafe), v2Transforms)]])[1];
  const v2 = message(0x20, 35, 1, [
    [33, v2Proposal, true],
    [34, [0, 14]],
    [34, concat(u16(19), u16(0), Array.from({ length: 32 }, (_, i) => 255 - i))],
    [35, concat([2, 0, 0, 0], bytesOf("client.example.test"))],
    [36, concat([1, 0, 0, 0], ipv4("198.51.100.9"))],
    [36, concat([11, 0, 0, 0], [1, 2, 3, 4, 5])],
    [39, concat([2, 0, 0, 0], Array.from({ length: 20 }, (_, i) => i * 7))],
    [40, Array.from({ length: 24 }, (_, i) => i + 100)],
    [41, concat([3, 4], u16(16393), u32(0x0badcafe))],
    [41, concat([0, 0], u16(16384))],
    [41, concat([0, 0], u16(40000), [1, 2])],
    [41, concat([0, 0], u16(9000))],
    [37, [4, 1, 2, 3]],
    [38, [4, 5, 6]],
    [42, concat([3, 4], u16(1), u32(0x0badcafe))],
    [
      44,
      concat(
        [1, 0, 0, 0],
        [7, 0],
        u16(16),
        [0, 0, 0xff, 0xff],
        ipv4("192.0.2.0"),
        ipv4("192.0.2.255"),
      ),
    ],
    [
      45,
      concat(
        [1, 0, 0, 0],
        [7, 0],
        u16(16),
        [0, 0, 0xff, 0xff],
        ipv4("198.51.100.0"),
        ipv4("198.51.100.255"),
      ),
    ],
    [47, [1, 0, 0, 0, 0, 1, 0, 0]],
    [48, [1, 1, 0, 5, 1]],
    [43, bytesOf("netpeek\u0000test")],
    [46, Array.from({ length: 48 }, (_, i) => i)],
  ]);
  // IKEv2 with a cookie notification short enough to be shown whole, and a cut-short SA.
  const v2Cookie = message(0x20, 34, 0, [[
    41,
    concat([0, 0], u16(16390), [1, 2, 3, 4, 5, 6, 7, 8]),
  ]]);
  const v2Cut = message(0x20, 34, 0, [[33, v2Proposal], [40, [1, 2, 3, 4]]]).subarray(0, 60);
  const frames = [v1, v1OtherDoi, v2, v2Cookie, v2Cut].map((bytes) => datagram(500, 500, bytes));
  await withBuiltCapture(frames, "isakmp-payloads.pcap", async (path) => {
    for (const flag of ["-v", "-vv", "-vvv", "-vvvv"]) {
      const lines = await compareText(path, () => true, [flag]);
      assert.ok(lines >= 60, `${flag}: only ${lines} lines compared`);
    }
  });
});

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
      await loadPacketFormatter(format),
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
