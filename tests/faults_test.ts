/**
 * The faults of a long capture, each against the real thing: signals to a capture writing a
 * file, an interface taken down or deleted in a test namespace, a full tmpfs while capturing,
 * a one-minute soak with flat memory and no packet lost, and packet bytes that try to reach
 * the terminal.
 */

import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Decoder, LINKTYPE_RAW } from "../src/decode/mod.ts";
import { TextFormatter } from "../src/output/text.ts";
import { parsePcap } from "./pcap_file.ts";
import { NetpeekProcess, runNetpeek, sh, STATS_LINE } from "./netpeek_process.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function udpSender() {
  const receiver = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => receiver.bind(0, "127.0.0.1", () => resolve()));
  const sender = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => sender.bind(0, "127.0.0.1", () => resolve()));
  receiver.on("message", () => {});
  const port = receiver.address().port;
  return {
    port,
    send: (payload: Uint8Array | string) =>
      new Promise<void>((resolve, reject) =>
        sender.send(payload, port, "127.0.0.1", (error) => error ? reject(error) : resolve())
      ),
    close: () => {
      sender.close();
      receiver.close();
    },
  };
}

Deno.test("SIGTERM while writing: the file holds every packet, whole, and exit is 0", async () => {
  const dir = await Deno.makeTempDir();
  const udp = await udpSender();
  try {
    const capture = new NetpeekProcess([
      "-i",
      "lo",
      "-w",
      `${dir}/out.pcap`,
      `udp port ${udp.port}`,
    ]);
    await capture.listening();
    for (let i = 0; i < 20; i++) await udp.send(`packet ${i}`);
    await sleep(50); // not enough for the kernel to hand its block over by itself
    capture.child.kill("SIGTERM");
    const result = await capture.finished();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^20 packets captured, /m);
    const file = parsePcap(await Deno.readFile(`${dir}/out.pcap`));
    assert.equal(file.records.length, 20);
    const check = await new Deno.Command("tcpdump", {
      args: ["-r", `${dir}/out.pcap`],
      stdout: "null",
      stderr: "null",
    })
      .output();
    assert.ok(check.success);
  } finally {
    udp.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/** A veth pair inside a fresh namespace, with traffic possible from the peer. */
async function withNamespace(use: (ns: string, veth: string) => Promise<void>): Promise<void> {
  const tag = `${Deno.pid % 100000}${Math.floor(Math.random() * 100)}`;
  const ns = `netpeek-f-${tag}`;
  const [a, b] = [`nfa${tag}`.slice(0, 15), `nfb${tag}`.slice(0, 15)];
  await sh("ip", ["netns", "add", ns]);
  try {
    await sh("ip", ["-n", ns, "link", "add", a, "type", "veth", "peer", "name", b]);
    await sh("ip", ["-n", ns, "link", "set", a, "up"]);
    await sh("ip", ["-n", ns, "link", "set", b, "up"]);
    await use(ns, a);
  } finally {
    await sh("ip", ["netns", "del", ns]).catch(() => {});
  }
}

for (const fault of ["down", "deleted"] as const) {
  Deno.test(`the interface is ${fault} during a capture: one line, statistics, exit 1`, async () => {
    await withNamespace(async (ns, veth) => {
      const capture = new NetpeekProcess(["-i", veth, "--duration", "20"], [
        "ip",
        "netns",
        "exec",
        ns,
      ]);
      await capture.listening();
      await sleep(200);
      const started = Date.now();
      if (fault === "down") await sh("ip", ["-n", ns, "link", "set", veth, "down"]);
      else await sh("ip", ["-n", ns, "link", "del", veth]);
      const result = await capture.finished(10_000);
      const elapsed = Date.now() - started;
      assert.equal(result.code, 1, result.stderr);
      const lines = result.stderr.trimEnd().split("\n");
      assert.match(
        lines.at(-2)!,
        new RegExp(`^netpeek: ${veth}: The interface (went down|disappeared)`),
      );
      assert.match(lines.at(-1)!, STATS_LINE);
      assert.ok(elapsed < 3000, `noticed after ${elapsed} ms`);
    });
  });
}

Deno.test("a full disk while capturing: one line, exit 1, the file whole to its last record", async () => {
  const dir = await Deno.makeTempDir();
  await sh("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]);
  const udp = await udpSender();
  try {
    const capture = new NetpeekProcess([
      "-i",
      "lo",
      "-U",
      "-w",
      `${dir}/out.pcap`,
      "--duration",
      "20",
      `udp port ${udp.port}`,
    ]);
    await capture.listening();
    const payload = new Uint8Array(1400).fill(0x41);
    for (let i = 0; i < 100 && capture.child; i++) {
      await udp.send(payload);
      if (i % 10 === 9) await sleep(20);
    }
    const result = await capture.finished(10_000);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `^netpeek: ${dir}/out\\.pcap: cannot write: No space left on device; the file ends with the last whole record$`,
        "m",
      ),
    );
    assert.match(result.stderr, STATS_LINE);
    const file = parsePcap(await Deno.readFile(`${dir}/out.pcap`));
    assert.ok(file.records.length > 10);
    assert.ok(file.records.every((record) => record.frame.length === 1442));
  } finally {
    udp.close();
    await sh("umount", [dir]);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a minute's steady stream: every packet seen, resident memory flat", async () => {
  const udp = await udpSender();
  const capture = new NetpeekProcess(["-i", "lo", "--json", `udp port ${udp.port}`]);
  try {
    await capture.listening();
    const rss = () =>
      Number(
        Deno.readTextFileSync(`/proc/${capture.child.pid}/status`).match(
          /^VmRSS:\s+(\d+) kB$/m,
        )![1],
      ) *
      1024;
    const samples: number[] = [];
    const rate = 4000; // packets a second, in bursts of 40 every 10 ms
    const seconds = 60;
    let sent = 0;
    const started = Date.now();
    while (Date.now() - started < seconds * 1000) {
      for (let i = 0; i < rate / 100; i++) {
        await udp.send(`soak ${sent}`);
        sent++;
      }
      const due = started + (sent / rate) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      if (sent % (rate * 5) === 0) samples.push(rss());
    }
    const expected = sent;
    await capture.waitFor(
      () => capture.stdout.split("\n").length - 1 >= expected,
      `${expected} lines`,
      15_000,
    ).catch(() => {});
    capture.child.kill("SIGINT");
    const result = await capture.finished();
    const lines = result.stdout.trimEnd().split("\n").length;
    assert.equal(lines, expected, `saw ${lines} of ${expected} packets`);
    assert.match(
      result.stderr,
      new RegExp(
        `^${expected} packets? captured, \\d+ received by filter, 0 dropped by kernel$`,
        "m",
      ),
    );
    // After warming up (the first 20 s), resident memory must not keep growing.
    const warm = samples.slice(4);
    const growth = Math.max(...warm) - warm[0];
    assert.ok(
      growth < 16 * 1024 * 1024,
      `grew ${(growth / 2 ** 20).toFixed(1)} MiB: ${
        samples.map((s) => (s / 2 ** 20).toFixed(0)).join(" ")
      }`,
    );
  } finally {
    udp.close();
    try {
      capture.child.kill("SIGKILL");
    } catch {
      // ended
    }
    await capture.finished();
  }
});

Deno.test("a DNS name full of terminal escapes prints escaped, in text and in a file read", async () => {
  // Labels "a ESC [" and "31mX BEL CSI": raw bytes, as a hostile packet would carry them.
  const name = [3, 0x61, 0x1b, 0x5b, 6, 0x33, 0x31, 0x6d, 0x58, 0x07, 0x9b, 0];
  const dns = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...name, 0, 1, 0, 1];
  const udp = [0x9c, 0x40, 0, 53, 0, 8 + dns.length, 0, 0, ...dns];
  const ip = [
    0x45,
    0,
    0,
    20 + udp.length,
    0,
    1,
    0,
    0,
    64,
    17,
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
    ...udp,
  ];
  const packet = new Decoder().decode(new Uint8Array(ip), LINKTYPE_RAW);
  assert.equal(packet.dns?.question?.name, "a\\027[.31mX\\007\\155");
  const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: ip.length, len: ip.length };
  const line = new TextFormatter({ verbose: true, hex: "ascii" }).format(packet, header);
  // deno-lint-ignore no-control-regex -- control characters are what is looked for
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(line), JSON.stringify(line));
  // The text writes the bytes as tcpdump does (^X for a control byte, M- for a high one); the
  // JSON keeps dig's \DDD (above).
  assert.match(line, /4660\+ A\? a\^\[\[\.31mX\^GM-\^\[\. \(/);

  // The same packet through the command line, from a capture file.
  const file = new Uint8Array(24 + 16 + ip.length);
  const view = new DataView(file.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 65535, true);
  view.setUint32(20, 101, true);
  view.setUint32(32, ip.length, true);
  view.setUint32(36, ip.length, true);
  file.set(ip, 40);
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, file);
    const result = await runNetpeek(["-r", path, "-v", "-X"]);
    assert.equal(result.code, 0, result.stderr);
    // deno-lint-ignore no-control-regex -- control characters are what is looked for
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(result.stdout), JSON.stringify(result.stdout));
    assert.match(result.stdout, /a\^\[\[\.31mX\^GM-\^\[\./);
    // tcpdump's own line for the packet, which netpeek's (second) line goes on from.
    const tcpdump = await new Deno.Command("tcpdump", {
      args: ["-n", "-r", path],
      stdout: "piped",
      stderr: "null",
    })
      .output().then((output) => new TextDecoder().decode(output.stdout), () => "");
    if (tcpdump !== "") {
      assert.ok(result.stdout.includes(tcpdump.slice(tcpdump.indexOf("4660")).trimEnd()), tcpdump);
    }
  } finally {
    await Deno.remove(path);
  }
});
