/**
 * The library as a user's script would use it: everything imported from mod.ts only.
 */

import assert from "node:assert/strict";
import dgram from "node:dgram";
import { runNetpeek } from "./netpeek_process.ts";
import {
  capture,
  type CapturedPacket,
  CaptureError,
  decode,
  formatJson,
  formatText,
  LINKTYPE_RAW,
  listInterfaces,
  readCapture,
  writeCapture,
} from "../mod.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

Deno.test("capture() on lo with a filter sees exactly the datagrams sent; copy() keeps one", async () => {
  const receiver = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => receiver.bind(0, "127.0.0.1", () => resolve()));
  receiver.on("message", () => {});
  const sender = dgram.createSocket("udp4");
  const port = receiver.address().port;
  try {
    const packets = capture("lo", {
      filter: `udp dst port ${port}`,
      count: 3,
      signal: AbortSignal.timeout(10_000),
    });
    const iterator = packets[Symbol.asyncIterator]();
    const first = iterator.next(); // opens the handle
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const text of ["one", "two!", "three"]) {
      await new Promise<void>((resolve) => sender.send(text, port, "127.0.0.1", () => resolve()));
    }
    const seen: CapturedPacket[] = [];
    for (let result = await first; !result.done; result = await iterator.next()) {
      const packet = result.value;
      assert.equal(packet.udp?.dstPort, port);
      assert.equal(packet.ipv4?.src, "127.0.0.1");
      assert.equal(packet.ipv4?.df, true);
      assert.ok(packet.time.getTime() > Date.now() - 60_000);
      seen.push(packet.copy());
    }
    assert.deepEqual(seen.map((packet) => packet.udp!.payloadLength), [3, 4, 5]);
    // The copies still hold their own bytes after the capture moved on and closed.
    assert.deepEqual(seen.map((packet) => packet.bytes.length), [45, 46, 47]);
    assert.ok((packets.stats()?.received ?? 0) >= 3);
    assert.match(
      seen[0].toText(),
      new RegExp(`IP 127\\.0\\.0\\.1\\.\\d+ > 127\\.0\\.0\\.1\\.${port}: UDP, length 3`),
    );
    assert.equal(JSON.parse(JSON.stringify(seen[2])).udp.length, 13);
  } finally {
    sender.close();
    receiver.close();
  }
});

Deno.test("capture() stops promptly when its signal aborts on a silent interface", async () => {
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 300);
  let count = 0;
  for await (const _ of capture("lo", { filter: "udp port 9", signal: controller.signal })) count++;
  assert.equal(count, 0);
  assert.ok(Date.now() - started < 1000);
});

Deno.test("capture() on a missing interface throws a CaptureError", async () => {
  await assert.rejects(async () => {
    for await (const _ of capture("eth9")) break;
  }, (error: unknown) => error instanceof CaptureError && /no such device/.test(error.message));
});

Deno.test("readCapture() from a path and from a stream; writeCapture() round trip", async () => {
  const ids: number[][] = [];
  for await (const packet of readCapture(fixture("vlan.pcap"))) {
    ids.push(packet.vlan.map((tag) => tag.id));
  }
  assert.deepEqual(ids, [[100], [200, 300]]);

  using file = await Deno.open(fixture("multi.pcapng"));
  const linkTypes: number[] = [];
  for await (const packet of readCapture(file.readable)) linkTypes.push(packet.linkType);
  assert.deepEqual([...new Set(linkTypes)].sort((a, b) => a - b), [1, 101, 276]);

  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    const writer = writeCapture(path);
    const originals: Uint8Array[] = [];
    for await (const packet of readCapture(fixture("ipv4-cases.pcap"))) {
      writer.write(packet);
      originals.push(packet.bytes.slice());
    }
    writer.close();
    const back: Uint8Array[] = [];
    for await (const packet of readCapture(path)) back.push(packet.bytes.slice());
    assert.deepEqual(back, originals);
    const tcpdump = await new Deno.Command("tcpdump", {
      args: ["-r", path],
      stdout: "null",
      stderr: "null",
    }).output();
    assert.ok(tcpdump.success);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("decode() bytes into typed layers; formatText and formatJson", () => {
  const bytes = new Uint8Array([
    0x45,
    0,
    0,
    40,
    0,
    1,
    0x40,
    0,
    64,
    6,
    0,
    0,
    10,
    0,
    0,
    1,
    10,
    0,
    0,
    2,
    0xc8,
    0x22,
    0x01,
    0xbb,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0x50,
    0x02,
    0xfa,
    0xf0,
    0,
    0,
    0,
    0,
  ]);
  const packet = decode(bytes, LINKTYPE_RAW);
  assert.equal(packet.ipv4?.df, true);
  assert.equal(packet.tcp?.flags.syn, true);
  assert.equal(packet.tcp?.dstPort, 443);
  const header = { seconds: 1767225600, fraction: 5, nanosecond: false, caplen: 40, len: 40 };
  assert.match(
    formatText(packet, header),
    /IP 10\.0\.0\.1\.51234 > 10\.0\.0\.2\.443: Flags \[S\], seq 1, win 64240, length 0\n$/,
  );
  assert.equal(formatJson(packet, header).ts, "2026-01-01T00:00:00.000005Z");
});

Deno.test("listInterfaces() lists lo with its address", () => {
  const lo = listInterfaces().find((device) => device.name === "lo");
  assert.ok(lo?.loopback);
  assert.ok(lo.addresses.some((address) => address.address === "127.0.0.1"));
});

Deno.test("readCapture() with a filter yields what tcpdump's filter passes", async () => {
  const filter = "tcp[tcpflags] & tcp-syn != 0 or udp port 53";
  const times: string[] = [];
  for await (const packet of readCapture(fixture("stack.pcap"), { filter })) {
    times.push(packet.toText().slice(0, 15));
  }
  // tcpdump with the same expression on the same file: the same packets.
  const output = await new Deno.Command("tcpdump", {
    args: ["-n", "-r", fixture("stack.pcap").pathname, filter],
    env: { TZ: "UTC" },
    stdout: "piped",
    stderr: "null",
  }).output();
  const expected = new TextDecoder().decode(output.stdout).trimEnd().split("\n")
    .map((line) => line.slice(0, 15));
  assert.ok(expected.length >= 3, "the filter passes several packets");
  assert.deepEqual(times, expected);
  await assert.rejects(
    async () => {
      for await (const _ of readCapture(fixture("stack.pcap"), { filter: "tcp portt 80" })) {
        // never reached
      }
    },
    (error: Error) => error.name === "FilterError",
  );
});

Deno.test("packet.payload is the data after the last decoded header", async () => {
  const payloads: string[] = [];
  for await (const packet of readCapture(fixture("tcp-analysis.pcap"))) {
    const tcp = packet.tcp;
    if (tcp === undefined || tcp.payloadLength === 0) continue;
    assert.equal(packet.payload.length, tcp.payloadLength);
    payloads.push(new TextDecoder().decode(packet.payload.subarray(0, 4)));
  }
  assert.ok(payloads.length >= 3, `only ${payloads.length} segments with data`);
});

Deno.test("toText() numbers TCP as the command line does, relative to each side's first", async () => {
  const lines: string[] = [];
  for await (const packet of readCapture(fixture("tcp-real.pcap"))) lines.push(packet.toText());
  const command = await runNetpeek(["-r", fixture("tcp-real.pcap").pathname]);
  const printed = command.stdout;
  assert.match(printed, /seq 1:/, "the command line prints relative numbers");
  assert.equal(lines.join(""), printed);
});
