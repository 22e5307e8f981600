/**
 * `--ipfix` against a real collector: nfcapd (nfdump's) receives what netpeek exports, and
 * nfdump reads back the same flows, packets and bytes that `netpeek --stats --json` reports
 * (whose conversations tests/flows_test.ts holds to tshark's `-z conv`).
 */

import assert from "node:assert/strict";
import dgram from "node:dgram";
import { FLOW_END_LACK_OF_RESOURCES, FlowTracker } from "../src/analysis/flows.ts";
import {
  type ConversationList,
  type Endpoint,
  FRAMES_A_TO_B,
  FRAMES_B_TO_A,
} from "../src/analysis/conversations.ts";
import { Decoder } from "../src/decode/mod.ts";
import { CaptureFileReader } from "../src/file/reader.ts";
import { hasCommand, NetpeekProcess, runNetpeek } from "./netpeek_process.ts";
import { output } from "./protocol_check.ts";
import { exportFlows, readCapture } from "../mod.ts";
import { RECORD_BYTES, TEMPLATE_IPV4 } from "../src/output/ipfix.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);
const hasNfdump = await hasCommand("nfcapd", ["-V"]) && await hasCommand("nfdump", ["-V"]);

/** A free UDP port on 127.0.0.1 (bound, read, released). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

/** One flow record as nfdump prints it: direction's endpoints, packets, bytes. */
interface Record {
  key: string;
  packets: number;
  bytes: number;
  /** The format's further columns. */
  rest?: string[];
}

/** Runs `exporting` while nfcapd listens, then nfdump's reading of what it stored. */
async function collected(
  exporting: (port: number) => Promise<void>,
  format = "%pr|%sa|%sp|%da|%dp|%pkt|%byt",
  repeatTo?: number,
): Promise<Record[]> {
  const dir = await Deno.makeTempDir({ prefix: "netpeek-nfcapd-" });
  const port = freePort();
  const nfcapd = new Deno.Command("nfcapd", {
    args: [
      ...["-w", dir, "-p", String(port), "-b", "127.0.0.1", "-t", "3600"],
      // nfcapd's repeater passes each message on as it comes (the live test times them).
      ...(repeatTo === undefined ? [] : ["-R", `127.0.0.1/${repeatTo}`]),
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    // nfcapd has no "ready" line on its own: wait until its socket is bound.
    for (let tries = 0; tries < 50; tries++) {
      const ss = await output("ss", ["-Huln", `sport = :${port}`]);
      if (ss.trim() !== "") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await exporting(port);
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    nfcapd.kill("SIGTERM");
    await nfcapd.output();
  }
  try {
    const files = [...Deno.readDirSync(dir)].filter((entry) => entry.name.startsWith("nfcapd."));
    assert.equal(files.length, 1, "nfcapd wrote one file");
    const text = await output("nfdump", [
      "-r",
      `${dir}/${files[0].name}`,
      "-q",
      "-N",
      "-o",
      `fmt:${format}`,
    ]);
    return text.trim().split("\n").filter((line) => line !== "").map((line) => {
      const [protocol, sa, sp, da, dp, packets, bytes, ...rest] = line.split("|").map((part) =>
        part.trim()
      );
      return {
        key: `${protocol} ${sa} ${sp} ${da} ${dp}`,
        packets: Number(packets),
        bytes: Number(bytes),
        rest,
      };
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

interface JsonConversation {
  protocol: string;
  a: Endpoint;
  b: Endpoint;
  framesAtoB: number;
  bytesAtoB: number;
  framesBtoA: number;
  bytesBtoA: number;
}

/**
 * tshark's first ICMP type and code each way ("source destination" to "type.code"), as nfdump
 * shows them in the destination port.
 */
async function icmpTypeCodes(path: string): Promise<Map<string, string>> {
  const text = await output("tshark", [
    "-n",
    "-r",
    path,
    "-Y",
    "icmp || icmpv6",
    "-T",
    "fields",
    "-E",
    "occurrence=f",
    ...[
      "ip.src",
      "ipv6.src",
      "ip.dst",
      "ipv6.dst",
      "icmp.type",
      "icmp.code",
      "icmpv6.type",
      "icmpv6.code",
    ].flatMap((field) => ["-e", field]),
  ]);
  const codes = new Map<string, string>();
  for (const line of text.split("\n").filter((line) => line !== "")) {
    const [src4, src6, dst4, dst6, type4, code4, type6, code6] = line.split("\t");
    const key = `${src4 || src6} ${dst4 || dst6}`;
    if (!codes.has(key)) codes.set(key, `${type4 || type6}.${code4 || code6}`);
  }
  return codes;
}

/** netpeek's conversations, as one record per direction that carried packets. */
function directions(
  conversations: JsonConversation[],
  icmp: Map<string, string> = new Map(),
): Record[] {
  const records: Record[] = [];
  // nfdump -N prints protocol numbers.
  const numbers: { [name: string]: number } = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58 };
  const name = (protocol: string) => String(numbers[protocol] ?? Number(protocol.slice(3)));
  const key = (c: JsonConversation, from: Endpoint, to: Endpoint) => {
    // nfdump shows ICMP's type and code where the destination port would be.
    const toPort = c.protocol.startsWith("icmp")
      ? icmp.get(`${from.address} ${to.address}`) ?? "none"
      : String(to.port ?? 0);
    return `${name(c.protocol)} ${from.address} ${from.port ?? 0} ${to.address} ${toPort}`;
  };
  for (const c of conversations) {
    if (c.framesAtoB > 0) {
      records.push({ key: key(c, c.a, c.b), packets: c.framesAtoB, bytes: c.bytesAtoB });
    }
    if (c.framesBtoA > 0) {
      records.push({ key: key(c, c.b, c.a), packets: c.framesBtoA, bytes: c.bytesBtoA });
    }
  }
  return records;
}

/**
 * `netpeek -r path --ipfix 127.0.0.1:port`, with --stats' idle timeout (300 s) so that both
 * split flows alike; fails the test unless it succeeds.
 */
async function exportFile(path: string, port: number, extra: string[] = []) {
  const args = ["-r", path, "--ipfix", `127.0.0.1:${port}`, "--ipfix-idle", "300", ...extra];
  const result = await runNetpeek(args);
  assert.equal(result.code, 0, result.stderr);
  return result;
}

const sorted = (records: Record[]) => records.map((r) => `${r.key} ${r.packets} ${r.bytes}`).sort();

for (const name of ["mixed.pcap", "tcp-real.pcap", "protocols/dns.pcap", "protocols/quic.pcap"]) {
  Deno.test({
    name: `--ipfix from ${name}: nfcapd stores the flows --stats reports, packets and bytes`,
    ignore: !hasNfdump,
    fn: async () => {
      const path = new URL(name, FIXTURES).pathname;
      const records = await collected(async (port) => {
        const result = await exportFile(path, port);
        assert.equal(result.stdout, "", "--ipfix alone prints nothing");
      });
      const stats = await runNetpeek(["-r", path, "--stats", "--json"]);
      const ours = directions(JSON.parse(stats.stdout).conversations, await icmpTypeCodes(path));
      assert.ok(ours.length > 0);
      assert.deepEqual(sorted(records), sorted(ours));
    },
  });
}

Deno.test({
  name: "--ipfix with -Y exports the flows of the matching frames only",
  ignore: !hasNfdump,
  fn: async () => {
    const path = new URL("mixed.pcap", FIXTURES).pathname;
    const records = await collected(async (port) => {
      const result = await runNetpeek(["-r", path, "-Y", "udp", "--ipfix", `127.0.0.1:${port}`]);
      assert.equal(result.code, 0, result.stderr);
    });
    const frames = (await output("tshark", ["-n", "-r", path, "-Y", "udp"])).trim().split("\n");
    assert.ok(records.length > 0 && records.every((record) => record.key.startsWith("17 ")));
    assert.equal(records.reduce((sum, record) => sum + record.packets, 0), frames.length);
  },
});

Deno.test("--ipfix: a bad HOST:PORT or options are usage errors (exit 2)", async () => {
  const path = new URL("mixed.pcap", FIXTURES).pathname;
  for (
    const [args, message] of [
      [["--ipfix", "collector"], /--ipfix wants HOST:PORT/],
      [["--ipfix", "2001:db8::1:4739"], /--ipfix wants HOST:PORT/],
      [["--ipfix", "127.0.0.1:70000"], /--ipfix wants HOST:PORT/],
      [["--ipfix-domain", "3"], /--ipfix-domain goes with --ipfix/],
      [["--ipfix", "127.0.0.1:4739", "--ipfix-idle", "0"], /--ipfix-idle wants seconds/],
      [["--ipfix", "no-such-host.invalid:4739"], /cannot resolve no-such-host\.invalid/],
    ] as const
  ) {
    const result = await runNetpeek(["-r", path, ...args]);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
  }
});

Deno.test("--ipfix with no collector listening: one warning, every packet printed, the loss counted", async () => {
  // Many flows (scan.pcap's SYNs), so that several messages go out and the refusal is seen.
  const path = new URL("scan.pcap", FIXTURES).pathname;
  const port = freePort();
  const result = await runNetpeek([
    "-r",
    path,
    "--ipfix",
    `127.0.0.1:${port}`,
    "--ipfix-idle",
    "1",
    "--print",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split("\n");
  const tcpdump = (await output("tcpdump", ["-n", "-r", path])).trim().split("\n");
  assert.equal(lines.length, tcpdump.length, "every packet printed");
  // One warning for the refusal (ICMP port unreachable), then the count of what was lost.
  const warnings = result.stderr.split("\n").filter((line) => line.includes("warning"));
  assert.equal(warnings.length, 2, result.stderr);
  assert.match(warnings[0], /connection refused \(ICMP port unreachable\)/);
  assert.match(warnings[1], /flow records in (\d+) messages .*; \d+ of them could not be sent$/);
});

Deno.test("a full flow table exports the flows it evicts: every packet is in a record", async () => {
  using file = await Deno.open(new URL("scan.pcap", FIXTURES));
  const reader = await CaptureFileReader.open(file, "scan.pcap");
  const decoder = new Decoder();
  let exported = 0;
  let evicted = 0;
  const flows = new FlowTracker({
    summary: false,
    maxFlows: 4,
    export: (list: ConversationList, at: number, reason: number) => {
      exported += list.numbers[at * 6 + FRAMES_A_TO_B] + list.numbers[at * 6 + FRAMES_B_TO_A];
      if (reason === FLOW_END_LACK_OF_RESOURCES) evicted++;
    },
  });
  let ipPackets = 0;
  await reader.run((frame, header) => {
    const packet = decoder.decode(frame, header.linkType, header.len);
    if (packet.ipv4 !== undefined || packet.ipv6 !== undefined) ipPackets++;
    flows.observe(packet, header);
  });
  flows.flushExport();
  assert.ok(evicted > 4, `${evicted} flows evicted`);
  assert.equal(exported, ipPackets);
});

Deno.test({
  name: "--ipfix live on lo: a flow's record goes out when its idle timeout passes, mid-capture",
  ignore: !hasNfdump,
  fn: async () => {
    // netpeek exports to nfcapd, which stores the flows and repeats each message to a socket
    // here that notes when it came.
    const collector = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => collector.bind(0, "127.0.0.1", resolve));
    const messages: { at: number; bytes: Uint8Array }[] = [];
    collector.on("message", (bytes: Uint8Array) => messages.push({ at: Date.now(), bytes }));
    const sender = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => sender.bind(0, "127.0.0.1", resolve));
    const target = freePort();
    const frameBytes = 14 + 20 + 8 + 12;
    try {
      const stored = await collected(
        async (port) => {
          const netpeek = new NetpeekProcess([
            ...["-i", "lo", "--duration", "8", "--ipfix", `127.0.0.1:${port}`, "--ipfix-idle", "1"],
            `udp and dst port ${target}`,
          ]);
          await netpeek.listening();
          const payload = new TextEncoder().encode("twelve bytes");
          for (let i = 0; i < 5; i++) {
            await new Promise<void>((resolve, reject) =>
              sender.send(
                payload,
                target,
                "127.0.0.1",
                (error) => error ? reject(error) : resolve(),
              )
            );
          }
          const sent = Date.now();
          // The flow goes idle after a second; the sweep and the message follow within a few more.
          for (let waited = 0; messages.length === 0 && waited < 5000; waited += 100) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          const result = await netpeek.finished();
          assert.equal(result.code, 0, result.stderr);
          assert.ok(messages.length > 0, "no IPFIX message while the capture ran");
          assert.ok(messages[0].at - sent < 5000);
          // The IPv4 record (template 256): ports at 8 and 10, bytes at 15, packets at 23, reason
          // at 47, the interface at 51.
          const size = RECORD_BYTES[TEMPLATE_IPV4];
          const message = messages[0].bytes;
          const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
          let found = false;
          for (let at = 16; at + 4 <= message.length; at += view.getUint16(at + 2)) {
            if (view.getUint16(at) !== TEMPLATE_IPV4) continue;
            for (
              let record = at + 4;
              record + size <= at + view.getUint16(at + 2);
              record += size
            ) {
              if (view.getUint16(record + 10) !== target) continue;
              found = true;
              assert.equal(view.getUint8(record + 47), 1, "flowEndReason: idle timeout");
              const lo = Number((await Deno.readTextFile("/sys/class/net/lo/ifindex")).trim());
              assert.equal(view.getUint32(record + 51), lo, "ingressInterface: lo's index");
            }
          }
          assert.ok(found, "the flow's record is in the first message");
        },
        undefined,
        collector.address().port,
      );
      // nfcapd stored the flow with its counts.
      const flow = stored.find((record) => record.key.endsWith(` ${target}`));
      assert.ok(flow, JSON.stringify(stored));
      assert.deepEqual([flow.packets, flow.bytes], [5, 5 * frameBytes]);
    } finally {
      collector.close();
      sender.close();
    }
  },
});

Deno.test({
  name:
    "--ipfix-biflow: one record per conversation, the reverse side as nfdump reads it; VLAN, ToS",
  ignore: !hasNfdump,
  fn: async () => {
    const path = new URL("mixed.pcap", FIXTURES).pathname;
    const records = await collected(async (port) => {
      await exportFile(path, port, ["--ipfix-biflow"]);
    }, "%pr|%sa|%sp|%da|%dp|%ipkt|%ibyt|%opkt|%obyt|%stos|%svln");
    const stats = await runNetpeek(["-r", path, "--stats", "--json"]);
    const conversations: JsonConversation[] = JSON.parse(stats.stdout).conversations;
    // Each conversation is one record: A to B forward, B to A in the reverse elements.
    const forward = directions(
      conversations.map((c) => ({ ...c, framesBtoA: 0 })),
      await icmpTypeCodes(path),
    );
    assert.equal(records.length, conversations.length);
    assert.deepEqual(
      records.map((r) => `${r.key} ${r.packets} ${r.bytes} ${r.rest![0]} ${r.rest![1]}`).sort(),
      forward.map((f) => {
        const c = conversations.find((c) =>
          f.key.includes(` ${c.a.address} `) &&
          c.framesAtoB === f.packets && c.bytesAtoB === f.bytes
        )!;
        assert.ok(c, `conversation of ${f.key}`);
        return `${f.key} ${f.packets} ${f.bytes} ${c.framesBtoA} ${c.bytesBtoA}`;
      }).sort(),
    );
    // The first packet's VLAN and class of service, as tshark reads them.
    const first = async (filter: string, field: string) =>
      (await output("tshark", ["-n", "-r", path, "-Y", filter, "-T", "fields", "-e", field]))
        .split("\n")[0];
    const vlan = Number(await first("udp.srcport == 1000", "vlan.id"));
    const trafficClass = Number(await first("udp.port == 5353", "ipv6.tclass"));
    assert.ok(vlan > 0 && trafficClass > 0, "the capture has a VLAN and a traffic class");
    const record = (port: string) => records.find((r) => r.key.split(" ")[2] === port)!;
    assert.equal(Number(record("1000").rest![3]), vlan);
    assert.equal(Number(record("5353").rest![2]), trafficClass);
  },
});

/** One IPFIX message as a TCP collector saw it: its sets' ids, and its IPv4 records' port and packets. */
interface SeenMessage {
  connection: number;
  sets: number[];
  records: { port: number; packets: number }[];
}

/** A TCP collector on `port` that parses the stream into messages; `stop` closes it all. */
function tcpCollector(port: number, seen: SeenMessage[], connection: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const open: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      open.push(conn);
      (async () => {
        let buffer = new Uint8Array(0);
        const chunk = new Uint8Array(65536);
        for (;;) {
          const count = await conn.read(chunk).catch(() => null);
          if (count === null) break;
          const joined = new Uint8Array(buffer.length + count);
          joined.set(buffer);
          joined.set(chunk.subarray(0, count), buffer.length);
          buffer = joined;
          while (buffer.length >= 16) {
            const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
            const length = view.getUint16(2);
            if (buffer.length < length) break;
            const message: SeenMessage = { connection, sets: [], records: [] };
            for (let at = 16; at + 4 <= length; at += view.getUint16(at + 2)) {
              const id = view.getUint16(at);
              message.sets.push(id);
              const size = RECORD_BYTES[id];
              if (id !== TEMPLATE_IPV4) continue;
              for (let r = at + 4; r + size <= at + view.getUint16(at + 2); r += size) {
                message.records.push({
                  port: view.getUint16(r + 10),
                  packets: Number(view.getBigUint64(r + 23)),
                });
              }
            }
            seen.push(message);
            buffer = buffer.slice(length);
          }
        }
      })();
    }
  })();
  return {
    stop: async () => {
      listener.close();
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // closed by the other side
        }
      }
      await accepting.catch(() => {});
    },
  };
}

Deno.test("--ipfix tcp://: templates first on each connection; a restarted collector is reconnected", async () => {
  const port = freePort();
  const seen: SeenMessage[] = [];
  let collector = tcpCollector(port, seen, 1);
  const sender = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => sender.bind(0, "127.0.0.1", resolve));
  const target = freePort();
  const send = (count: number) =>
    Promise.all(
      Array.from({ length: count }, () =>
        new Promise<void>((resolve, reject) =>
          sender.send(new Uint8Array(4), target, "127.0.0.1", (e) =>
            e ? reject(e) : resolve())
        )),
    );
  const until = async (test: () => boolean, ms: number) => {
    for (let waited = 0; !test() && waited < ms; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const netpeek = new NetpeekProcess([
    "-i",
    "lo",
    "--duration",
    "12",
    "--ipfix",
    `tcp://127.0.0.1:${port}`,
    "--ipfix-idle",
    "1",
    `udp and dst port ${target}`,
  ]);
  try {
    await netpeek.listening();
    await send(3);
    const withPackets = (packets: number) => () =>
      seen.some((m) => m.records.some((r) => r.port === target && r.packets === packets));
    await until(withPackets(3), 5000);
    assert.ok(withPackets(3)(), "the first flow's record over the first connection");
    // The collector goes away; a new flow ends while it is away; then it comes back.
    await collector.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await send(4);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    collector = tcpCollector(port, seen, 2);
    await until(withPackets(4), 6000);
    const result = await netpeek.finished();
    assert.equal(result.code, 0, result.stderr);
    const second = seen.filter((m) => m.connection === 2);
    assert.ok(second.length > 0, `nothing after the restart; stderr: ${result.stderr}`);
    assert.deepEqual(second[0].sets, [2], "a new connection begins with the templates alone");
    assert.deepEqual(seen.filter((m) => m.connection === 1)[0].sets, [2]);
    assert.ok(withPackets(4)(), "the record of the flow that ended while the collector was away");
    const warnings = result.stderr.split("\n").filter((line) => line.includes("warning"));
    assert.ok(warnings.length <= 1, result.stderr);
    assert.match(result.stderr, /--ipfix: \d+ flow records in \d+ messages to 127\.0\.0\.1/);
  } finally {
    sender.close();
    await collector.stop();
  }
});

Deno.test("--ipfix tcp:// with no collector: one warning, the run goes on, the unsent counted", async () => {
  const path = new URL("scan.pcap", FIXTURES).pathname;
  const result = await runNetpeek([
    "-r",
    path,
    "--ipfix",
    `tcp://127.0.0.1:${freePort()}`,
    "--print",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const tcpdump = (await output("tcpdump", ["-n", "-r", path])).trim().split("\n");
  assert.equal(result.stdout.trim().split("\n").length, tcpdump.length, "every packet printed");
  const warnings = result.stderr.split("\n").filter((line) => line.includes("--ipfix"));
  assert.equal(warnings.length, 2, result.stderr);
  assert.match(warnings[0], /refused/i);
  // Every message the run made is counted as unsent (scan.pcap's flows make a few).
  assert.match(
    warnings[1],
    /^netpeek: warning: --ipfix: \d+ flow records in (\d+) messages to 127\.0\.0\.1 port \d+; \1 of them could not be sent$/,
  );
});

Deno.test({
  name: "exportFlows (the library) sends what --ipfix sends, as nfcapd stores it",
  ignore: !hasNfdump,
  fn: async () => {
    const path = new URL("tcp-real.pcap", FIXTURES).pathname;
    const fromLibrary = await collected(async (port) => {
      const sent = await exportFlows(readCapture(path), {
        collector: `127.0.0.1:${port}`,
        idleTimeout: 300,
      });
      assert.equal(sent.failed, 0);
    });
    const fromCommandLine = await collected(async (port) => {
      await exportFile(path, port);
    });
    assert.ok(fromLibrary.length > 0);
    assert.deepEqual(sorted(fromLibrary), sorted(fromCommandLine));
    await assert.rejects(exportFlows([], { collector: "nowhere" }), TypeError);
  },
});

Deno.test("--ipfix to an IPv6 collector ([::1]:PORT): the records arrive", async () => {
  const collector = dgram.createSocket("udp6");
  await new Promise<void>((resolve) => collector.bind(0, "::1", resolve));
  let records = 0;
  collector.on("message", (message: Uint8Array) => {
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
    for (let at = 16; at + 4 <= message.length; at += view.getUint16(at + 2)) {
      const size = RECORD_BYTES[view.getUint16(at)];
      if (size !== undefined) records += Math.floor((view.getUint16(at + 2) - 4) / size);
    }
  });
  try {
    const path = new URL("mixed.pcap", FIXTURES).pathname;
    const result = await runNetpeek(["-r", path, "--ipfix", `[::1]:${collector.address().port}`]);
    assert.equal(result.code, 0, result.stderr);
    const said = /--ipfix: (\d+) flow records in \d+ messages to ::1 port/.exec(result.stderr);
    assert.ok(said, result.stderr);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(records > 0);
    assert.equal(records, Number(said[1]));
  } finally {
    collector.close();
  }
});
