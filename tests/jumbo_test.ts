/**
 * Packets larger than 64 KiB, on tcpdump's captures of them: IPv6 jumbograms (RFC 2675, a hop-
 * by-hop Jumbo Payload option after a payload length of 0, as BIG TCP sends them) and IPv4
 * GSO/BIG TCP segments with a total length of 0. The IPv6 lines equal tcpdump's (with `-v`, the
 * options `HBH (jumbo: 80040) `); the IPv4 line begins with tcpdump's `IP bad-len 0`, where
 * tcpdump 4.99 stops and netpeek goes on with the frame's length. Lengths equal tshark's.
 */

import assert from "node:assert/strict";
import {
  IPV4_FIELDS,
  type Ipv4Header,
  IPV6_FIELDS,
  type Ipv6Header,
  TCP_FIELDS,
  type TcpHeader,
} from "../src/decode/mod.ts";
import { concat, ethernet, ip6, ipv4, u16, u32 } from "../scripts/packet_builder.ts";
import {
  compareFields,
  compareText,
  type FieldCheck,
  output,
  withBuiltCapture,
} from "./protocol_check.ts";

/** IP protocol numbers: ESP, and "no next header" (RFC 8200 section 4.7). */
const IPPROTO_ESP = 50;
const IPPROTO_NONE = 59;
import { runNetpeek } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const IPV6_CHECK: FieldCheck<Ipv6Header> = { fields: IPV6_FIELDS, layer: (packet) => packet.ipv6 };
const IPV4_CHECK: FieldCheck<Ipv4Header> = {
  fields: IPV4_FIELDS,
  layer: (packet) => packet.ipv4,
  tsharkArgs: ["-o", "ip.check_checksum:TRUE"],
};
const TCP_CHECK: FieldCheck<TcpHeader> = { fields: TCP_FIELDS, layer: (packet) => packet.tcp };

Deno.test("IPv6 jumbograms: lines as tcpdump's, HBH (jumbo: N) with -v, lengths as tshark's", async () => {
  for (const name of ["bigtcp-ipv6-hbh.pcap", "ipv6_jumbogram_1.pcap"]) {
    const path = new URL(name, CORPUS).pathname;
    assert.equal(await compareText(path, () => true), 1);
    const theirs = await output("tcpdump", ["-n", "-v", "-r", path]);
    const jumbo = /HBH \(jumbo: \d+\) {2}/.exec(theirs)?.[0];
    assert.ok(jumbo !== undefined, theirs);
    const ours = (await runNetpeek(["-v", "-r", path])).stdout;
    assert.ok(ours.includes(jumbo), `${ours}\nwants ${jumbo}`);
    assert.equal(await compareFields(path, IPV6_CHECK), 1);
  }
  const path = new URL("bigtcp-ipv6-hbh.pcap", CORPUS).pathname;
  assert.equal(await compareFields(path, TCP_CHECK), 1);
  const json = JSON.parse((await runNetpeek(["--json", "-r", path])).stdout);
  assert.deepEqual([json.ipv6.payloadLength, json.tcp.payloadLength], [0, 80000]);
});

Deno.test("IPv4 with a total length of 0 (GSO, BIG TCP): tcpdump's words, then the segment", async () => {
  const path = new URL("bigtcp-ipv4.pcap", CORPUS).pathname;
  const theirs = (await output("tcpdump", ["-n", "-r", path])).trimEnd();
  assert.match(theirs, / IP bad-len 0$/);
  const ours = (await runNetpeek(["-r", path], { env: { TZ: "UTC" } })).stdout.trimEnd();
  assert.ok(ours.startsWith(theirs + " "), ours);
  assert.match(ours, /Flags \[P\.\], seq 4155358606:4155438606, .* length 80000$/);
  assert.equal(await compareFields(path, IPV4_CHECK), 1);
  assert.equal(await compareFields(path, TCP_CHECK), 1);
});

Deno.test("IPv6 jumbograms longer than the frame: tcpdump's truncated-ip6 after the hop-by-hop header, a UDP jumbogram's length from IP", async () => {
  // tcpdump checks a length from the Jumbo Payload option where it reads the option, so its
  // words come after `HBH `; a UDP length field of 0 in a jumbogram (RFC 2675 section 4) is
  // counted from the IP length; then what IP carries, by the length IP states
  // (`ip-proto-12 3858693802`). (Crafted captures from tcpdump's tests.)
  for (
    const name of [
      "ipv6_jumbogram_invalid_length.pcap",
      "quic_32_bit_pointer_overflow.pcap",
      "ipv6-too-long-jumbo.pcap",
    ]
  ) {
    const path = new URL(name, CORPUS).pathname;
    for (const flags of [[], ["-q"], ["-v"], ["-vv"]]) {
      assert.equal(await compareText(path, () => true, flags), 1);
    }
    const theirs = await output("tcpdump", ["-n", "-r", path]);
    // Guard: the case at hand.
    assert.match(theirs, /: HBH truncated-ip6 - \d+ bytes missing!/);
  }
});

Deno.test("IP lengths past the frame: tcpdump's truncated-ip words, then what IP carries by the length IP states", async () => {
  // tcpdump notes the missing bytes and goes on: a protocol it does not know with the length
  // IP states (` ip-proto-12 80`), no next header, ESP (with `[|esp]` when its header is cut).
  const carried: [number, Uint8Array][] = [
    [12, new Uint8Array(20).fill(0x61)],
    [IPPROTO_NONE, new Uint8Array(20)],
    [IPPROTO_ESP, concat(u32(0x01020304), u32(7), [0x7a, 0x7a])],
    [IPPROTO_ESP, concat(u32(0x01020304), u32(7))],
    [IPPROTO_ESP, concat(u32(0x01020304), [0, 0])],
  ];
  const claimed = 100;
  const frames = carried.flatMap(([protocol, payload]) => {
    const over4 = ipv4({ src: "192.0.2.1", dst: "192.0.2.2", protocol, payload });
    over4.set(u16(claimed), 2);
    const over6 = concat(
      [0x60, 0, 0, 0],
      u16(claimed),
      [protocol, 64],
      ip6("2001:db8::1"),
      ip6("2001:db8::2"),
      payload,
    );
    const hopByHop = concat(
      [0x60, 0, 0, 0],
      u16(claimed),
      [0, 64],
      ip6("2001:db8::1"),
      ip6("2001:db8::2"),
      [protocol, 0, 1, 4, 0, 0, 0, 0],
      payload,
    );
    return [
      ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, over4),
      ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", 0x86dd, over6),
      ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", 0x86dd, hopByHop),
    ];
  });
  await withBuiltCapture(frames, "ip_length_past_frame.pcap", async (path) => {
    // The IPv4 checksums are wrong now; -v shows tcpdump's words for that as well.
    assert.equal(await compareText(path, () => true), 15);
    assert.equal(await compareText(path, () => true, ["-v"]), 15 + 5);
    const theirs = await output("tcpdump", ["-n", "-r", path]);
    // Guard: the words this is about.
    for (
      const words of ["missing! 192.0.2.1 > 192.0.2.2:  ip-proto-12 80", "HBH  ip-proto-12 92"]
    ) {
      assert.ok(theirs.includes(words), `tcpdump no longer says ${words}:\n${theirs}`);
    }
    assert.match(theirs, /missing!2001:db8::1 > 2001:db8::2: no next header/);
    assert.match(theirs, /ESP\(spi=0x01020304,seq=0x7\), length 100/);
  });
});
