/**
 * Flow tracking: conversations against `tshark -z conv`, bounded memory, top talkers. The
 * TCP analysis has its own test against tshark: tests/tcp_analysis_test.ts.
 */

import assert from "node:assert/strict";
import { hasCommand } from "./netpeek_process.ts";
import { FlowTracker } from "../src/analysis/flows.ts";
import { Decoder, formatIpv6, LINKTYPE_ETHERNET } from "../src/decode/mod.ts";
import {
  concat,
  ethernet,
  ip4,
  ip6,
  ipv4,
  MAC_A,
  MAC_B,
  random,
  u16,
  udp,
  udp6,
} from "../scripts/packet_builder.ts";
import { CaptureFileReader } from "../src/file/reader.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);

const hasTshark = await hasCommand("tshark");

interface TsharkConversation {
  key: string;
  framesAtoB: number;
  bytesAtoB: number;
  framesBtoA: number;
  bytesBtoA: number;
  start: number;
  duration: number;
}

/** Parses `tshark -q -z conv,tcp -z conv,udp`; bytes may come in kB (rounded). */
function parseTsharkConversations(text: string): Map<string, TsharkConversation> {
  const conversations = new Map<string, TsharkConversation>();
  let protocol = "";
  const bytes = (value: string, unit: string) =>
    Number(value) * (unit === "kB" ? 1000 : unit === "MB" ? 1e6 : 1);
  for (const line of text.split("\n")) {
    const heading = line.match(/^(TCP|UDP) Conversations$/);
    if (heading) protocol = heading[1].toLowerCase();
    const row = line.match(
      /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+) (\d+) (bytes|kB|MB)\s+(\d+) (\d+) (bytes|kB|MB)\s+\d+ \d+ (?:bytes|kB|MB)\s+([\d.]+)\s+([\d.]+)/,
    );
    if (!row) continue;
    const [
      ,
      addressA,
      portA,
      addressB,
      portB,
      framesBA,
      bytesBA,
      unitBA,
      framesAB,
      bytesAB,
      unitAB,
      start,
      duration,
    ] = row;
    conversations.set(`${protocol} ${addressA}:${portA} ${addressB}:${portB}`, {
      key: `${protocol} ${addressA}:${portA} ${addressB}:${portB}`,
      framesAtoB: Number(framesAB),
      bytesAtoB: bytes(bytesAB, unitAB),
      framesBtoA: Number(framesBA),
      bytesBtoA: bytes(bytesBA, unitBA),
      start: Number(start),
      duration: Number(duration),
    });
  }
  return conversations;
}

for (
  const name of [
    "mixed.pcap",
    "stack.pcap",
    "tcp-real.pcap",
    "tcp-analysis.pcap",
    "lo-tcpdump.pcap",
  ]
) {
  Deno.test({
    name: `conversations agree with tshark -z conv on ${name}`,
    ignore: !hasTshark,
    fn: async () => {
      const output = await new Deno.Command("tshark", {
        // Without reassembly, as netpeek counts: a first fragment is a UDP/TCP frame itself.
        args: [
          "-n",
          "-o",
          "ip.defragment:FALSE",
          "-o",
          "ipv6.defragment:FALSE",
          "-r",
          new URL(name, FIXTURES).pathname,
          "-q",
          "-z",
          "conv,tcp",
          "-z",
          "conv,udp",
        ],
        stdout: "piped",
        stderr: "null",
      }).output();
      const theirs = parseTsharkConversations(new TextDecoder().decode(output.stdout));
      assert.ok(theirs.size > 0, "tshark listed no conversation");

      using file = await Deno.open(new URL(name, FIXTURES));
      const reader = await CaptureFileReader.open(file, name);
      const decoder = new Decoder();
      const flows = new FlowTracker();
      await reader.run((frame, header) => {
        flows.observe(decoder.decode(frame, header.linkType, header.len), header);
      });
      const summary = flows.summary();
      const ours = summary.conversations.filter((c) =>
        (c.protocol === "tcp" || c.protocol === "udp") && c.a.port !== null
      );
      assert.equal(ours.length, theirs.size, "conversation count");
      for (const conversation of ours) {
        const forward =
          `${conversation.protocol} ${conversation.a.address}:${conversation.a.port} ${conversation.b.address}:${conversation.b.port}`;
        const backward =
          `${conversation.protocol} ${conversation.b.address}:${conversation.b.port} ${conversation.a.address}:${conversation.a.port}`;
        const match = theirs.get(forward) ?? theirs.get(backward);
        assert.ok(match, `tshark has no ${forward}`);
        const flipped = !theirs.has(forward);
        const ab = flipped
          ? [conversation.framesBtoA, conversation.bytesBtoA]
          : [conversation.framesAtoB, conversation.bytesAtoB];
        const ba = flipped
          ? [conversation.framesAtoB, conversation.bytesAtoB]
          : [conversation.framesBtoA, conversation.bytesBtoA];
        assert.equal(ab[0], match.framesAtoB, `${forward}: frames one way`);
        assert.equal(ba[0], match.framesBtoA, `${forward}: frames the other way`);
        // tshark rounds large byte counts to kB.
        const near = (value: number, reference: number) =>
          reference % 1000 === 0 && reference >= 1000
            ? Math.abs(value - reference) < 1000
            : value === reference;
        assert.ok(
          near(ab[1], match.bytesAtoB),
          `${forward}: bytes one way ${ab[1]} vs ${match.bytesAtoB}`,
        );
        assert.ok(
          near(ba[1], match.bytesBtoA),
          `${forward}: bytes the other way ${ba[1]} vs ${match.bytesBtoA}`,
        );
        assert.ok(
          Math.abs(conversation.start - summary.start - match.start) < 1e-5,
          `${forward}: start`,
        );
        assert.ok(
          Math.abs(conversation.end - conversation.start - match.duration) < 1e-3,
          `${forward}: duration`,
        );
      }
    },
  });
}

Deno.test("without analysis (--stats alone) the summary is the same and nothing is analysed", async () => {
  for (const name of ["tcp-analysis.pcap", "tcp-real.pcap", "mixed.pcap"]) {
    const summaries = [];
    for (const analysis of [true, false]) {
      using file = await Deno.open(new URL(name, FIXTURES));
      const reader = await CaptureFileReader.open(file, name);
      const decoder = new Decoder();
      const flows = new FlowTracker({ analysis });
      let analysed = 0;
      await reader.run((frame, header) => {
        if (flows.observe(decoder.decode(frame, header.linkType, header.len), header)) analysed++;
      });
      assert.equal(analysed > 0, analysis, `${name}: analysis ${analysis}`);
      summaries.push(flows.summary());
    }
    assert.deepEqual(summaries[1], summaries[0], name);
    // The handshake and the close still reach the summary.
    const states = summaries[1].conversations.map((conversation) => conversation.tcp);
    assert.ok(states.some((state) => state?.handshake), `${name}: a handshake`);
  }
});

Deno.test("top talkers count every packet, whether its flow is active, retired or evicted", () => {
  const next = random(21);
  const v4 = Array.from({ length: 12 }, (_, i) => `192.0.2.${10 + i}`);
  const v6 = ["2001:db8::1", "2001:db8::2", "2001:db8:1::1", "::ffff:192.0.2.10"];
  const decoder = new Decoder();
  // Few flows at a time and a short idle timeout: flows are retired, and beyond the retired
  // list's room their conversations are dropped (evicted), while their hosts must still count.
  const flows = new FlowTracker({ maxFlows: 8, maxRetired: 5, idleTimeout: 2 });
  const expected = new Map<string, { frames: number; bytes: number }>();
  const count = (address: string, bytes: number) => {
    const host = expected.get(address) ?? { frames: 0, bytes: 0 };
    host.frames++;
    host.bytes += bytes;
    expected.set(address, host);
  };
  for (let i = 0; i < 3000; i++) {
    const ipv6 = i % 5 === 0;
    const hosts = ipv6 ? v6 : v4;
    const src = hosts[Math.floor(next() * hosts.length)];
    // Now and then a host talks to itself: it counts once.
    const dst = next() < 0.05 ? src : hosts[Math.floor(next() * hosts.length)];
    const data = new Uint8Array(Math.floor(next() * 200));
    const sport = 1000 + Math.floor(next() * 4);
    const packet = ipv6
      ? concat(
        [0x60, 0, 0, 0],
        u16(8 + data.length),
        [17, 64],
        ip6(src),
        ip6(dst),
        udp6(src, dst, sport, 53, data),
      )
      : ipv4({ src, dst, protocol: 17, payload: udp(ip4(src), ip4(dst), sport, 53, data) });
    const frame = ethernet(MAC_B, MAC_A, ipv6 ? 0x86dd : 0x0800, packet);
    // A tenth of a second apart, with pauses that outlast the idle timeout.
    const time = i / 10 + Math.floor(i / 400) * 5;
    const header = {
      seconds: Math.floor(time),
      fraction: Math.round((time % 1) * 1e6),
      nanosecond: false,
      caplen: frame.length,
      len: frame.length,
    };
    flows.observe(decoder.decode(frame, LINKTYPE_ETHERNET, frame.length), header);
    const text = (address: string) =>
      ipv6 ? formatIpv6(new DataView(Uint8Array.from(ip6(address)).buffer), 0) : address;
    count(text(src), frame.length);
    if (dst !== src) count(text(dst), frame.length);
  }
  const summary = flows.summary(100);
  assert.ok(summary.evicted.flows > 0, "some conversations were evicted");
  const talkers = [...expected].map(([address, { frames, bytes }]) => ({ address, frames, bytes }))
    .sort((x, y) => y.bytes - x.bytes || x.address.localeCompare(y.address));
  assert.deepEqual(summary.talkers, talkers);
});
