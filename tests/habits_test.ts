/**
 * A tcpdump user's first hour: `tcpdump -U -w - | netpeek -r -` streams, compressed captures
 * read as tshark reads them, and every mistake gets one line that says what to do, with its
 * exit status.
 *
 * The streaming test captures on `lo` with the real tcpdump and pings 127.0.0.1 (five
 * packets each way, bounded in count and time).
 */

import assert from "node:assert/strict";
import { hasCommand, netpeekCommand, runNetpeek } from "./netpeek_process.ts";
import { readCapture, writeCapture } from "../mod.ts";
import { output } from "./protocol_check.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);
const fixture = (name: string) => new URL(name, FIXTURES).pathname;
const hasTcpdump = await hasCommand("tcpdump");
const isRoot = Deno.uid() === 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Per packet, milliseconds between its time stamp and its line reaching the test. */
async function streamedLatencies(): Promise<number[]> {
  const tcpdump = new Deno.Command("tcpdump", {
    args: ["--immediate-mode", "-U", "-w", "-", "-i", "lo", "icmp"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const [command, args] = netpeekCommand(["-r", "-", "-tt"]);
  const netpeek = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  const piped = tcpdump.stdout.pipeTo(netpeek.stdin).catch(() => {});
  // tcpdump says it is listening once its capture is open.
  const stderr = tcpdump.stderr.pipeThrough(new TextDecoderStream()).getReader();
  for (let text = ""; !text.includes("listening on");) {
    const { value, done } = await stderr.read();
    if (done) throw new Error(`tcpdump did not start: ${text}`);
    text += value;
  }
  stderr.releaseLock();
  tcpdump.stderr.cancel().catch(() => {});
  const arrivals: { at: number; line: string }[] = [];
  const reading = (async () => {
    let pending = "";
    for await (const chunk of netpeek.stdout.pipeThrough(new TextDecoderStream())) {
      const at = Date.now();
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) arrivals.push({ at, line });
    }
  })();
  const ping = await new Deno.Command("ping", {
    args: ["-c", "5", "-i", "0.3", "-W", "1", "127.0.0.1"],
    stdout: "null",
    stderr: "null",
  }).output();
  assert.ok(ping.success, "ping 127.0.0.1 failed");
  // Long enough that a line held until the end would show as a second's delay or more.
  await sleep(1500);
  tcpdump.kill("SIGTERM");
  await tcpdump.status;
  await piped;
  await reading;
  await netpeek.status;
  return arrivals.map(({ at, line }) => {
    const stamp = /^(\d+)\.(\d{6}) IP 127\.0\.0\.1 > 127\.0\.0\.1: ICMP echo/.exec(line);
    assert.ok(stamp, `unexpected line: ${line}`);
    return at - (Number(stamp[1]) * 1000 + Number(stamp[2]) / 1000);
  });
}

Deno.test({
  name: "tcpdump -U -w - | netpeek -r -: each packet is printed as soon as it arrives",
  ignore: !hasTcpdump || !isRoot,
  fn: async () => {
    const latencies = await streamedLatencies();
    assert.equal(latencies.length, 10, "five echo requests and five replies");
    const sorted = [...latencies].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    // The issue asks for 100 ms; the slowest may meet a busy moment of a two-core machine,
    // but never the second and more that waiting for the end would take.
    assert.ok(median < 100, `median ${median.toFixed(1)} ms: ${sorted.map(Math.round)}`);
    assert.ok(sorted.at(-1)! < 500, `slowest ${sorted.at(-1)!.toFixed(1)} ms`);
  },
});

Deno.test("a gzip capture reads as the plain one does, from a file and from a pipe", async () => {
  const plain = await runNetpeek(["-r", fixture("mixed.pcap")]);
  const bytes = await Deno.readFile(fixture("mixed.pcap"));
  const gzip = new Uint8Array(
    await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")))
      .arrayBuffer(),
  );
  const path = await Deno.makeTempFile({ suffix: ".pcap.gz" });
  try {
    await Deno.writeFile(path, gzip);
    const fromFile = await runNetpeek(["-r", path]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.ok(plain.stdout.split("\n").length > 10);
    assert.equal(fromFile.stdout, plain.stdout);
    const fromPipe = await runNetpeek(["-r", "-"], { stdin: gzip });
    assert.equal(fromPipe.stdout, plain.stdout);
    // Cut short: the packets before the damage, then one line saying so.
    const cut = await runNetpeek(["-r", "-"], { stdin: gzip.subarray(0, gzip.length - 40) });
    assert.equal(cut.code, 1);
    assert.match(cut.stderr, /netpeek: -: the gzip data is damaged .*cut short or corrupt\n$/);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("a zstd capture is named, with the command that reads it", async () => {
  const zstd = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
  const result = await runNetpeek(["-r", "-"], { stdin: zstd });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /compressed with zstd.*zstd -d/);
});

/** Each mistake: the arguments, the exit status, and the one line it gets. */
const MISTAKES: [string[], number, RegExp][] = [
  [["-r", "/tmp"], 1, /^netpeek: \/tmp: is a directory: give -r a capture file in it$/],
  [["-r", fixture("raw.pcap"), "-w", "/tmp"], 1, /^netpeek: \/tmp: is a directory: give -w /],
  [["-B", "0"], 2, /^netpeek: --buffer-size wants a positive whole number, not "0"/],
  [
    ["--buffer-packets", "many", "-i", "lo"],
    2,
    /^netpeek: --buffer-packets wants a positive whole number, not "many"/,
  ],
  [["-r", "x", "-w", "y", "-C", "0"], 2, /^netpeek: -C wants a size in millions of bytes/],
  [["eth9", "tcp", "port", "80"], 1, /^netpeek: eth9: no such device; see --list-interfaces$/],
  [["--jsno", "-r", "x"], 2, /^netpeek: Unknown option '--jsno' \(did you mean --json\?\)/],
  [["-c", "-5", "-r", "x"], 2, /^netpeek: --count wants a positive whole number, not "-5"/],
  [["-c", "0", "-r", "x"], 2, /^netpeek: --count wants a positive whole number, not "0"/],
  [["-ttttttt", "-r", "x"], 2, /^netpeek: -t is given at most five times/],
];

Deno.test("-w onto the file -r reads is refused, and the file is left whole", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.copyFile(fixture("mixed.pcap"), path);
    const before = (await Deno.stat(path)).size;
    const result = await runNetpeek(["-r", path, "-w", path.replace(/\/([^/]+)$/, "/./$1")]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /is the file -r reads: write to another file\n$/);
    assert.equal((await Deno.stat(path)).size, before);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("-w with options that only print warns that nothing is printed", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    const result = await runNetpeek(["-r", fixture("raw.pcap"), "-w", path, "--json", "-v"]);
    assert.equal(result.code, 0);
    assert.match(
      result.stderr,
      /^netpeek: warning: with -w .*--json, -v show nothing; add --print/,
    );
    assert.equal(result.stdout, "");
    const printed = await runNetpeek(["-r", fixture("raw.pcap"), "-w", path, "--json", "--print"]);
    assert.doesNotMatch(printed.stderr, /warning/);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("mistakes get one line that says what to do, and their exit status", async () => {
  for (const [args, status, line] of MISTAKES) {
    const result = await runNetpeek(args);
    assert.equal(result.code, status, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr.trimEnd(), line, args.join(" "));
    assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
  }
});

/** Splits a shell-quoted command line into its words (single quotes only, as the README uses). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]);
}

Deno.test("the README's examples on the fixtures print what the README shows", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const examples = [
    ...readme.matchAll(/```\n\$ netpeek (-r tests\/fixtures\/[^\n]+)\n([^`]*)```/g),
  ];
  assert.ok(examples.length >= 2, "the README's -v and -V examples");
  for (const [, command, shown] of examples) {
    const result = await runNetpeek(shellWords(command), {
      env: { TZ: "UTC" },
      cwd: new URL("..", import.meta.url).pathname,
    });
    assert.equal(result.code, 0, `${command}: ${result.stderr}`);
    assert.equal(result.stdout, shown, command);
  }
});

/** tcpdump's lines for `path` with `filter` (TZ=UTC). */
const tcpdumpText = (path: string, filter: string[] = []) =>
  output("tcpdump", ["-n", "-r", path, ...filter]);

Deno.test({
  name: "relative TCP numbers where the SYN was not seen: as tcpdump's, cut or filtered",
  ignore: !hasTcpdump,
  fn: async () => {
    // A capture started mid-connection: the records from the 40th on.
    const path = await Deno.makeTempFile({ suffix: ".pcap" });
    try {
      const writer = writeCapture(path, { linkType: 1 });
      let index = 0;
      for await (const packet of readCapture(fixture("tcp-real.pcap"))) {
        if (index++ >= 40) writer.write(packet);
      }
      writer.close();
      for (
        const [file, filter] of [
          [path, []],
          // A filter that drops every SYN.
          [fixture("tcp-real.pcap"), ["tcp[tcpflags] & tcp-syn == 0"]],
        ] as [string, string[]][]
      ) {
        const theirs = await tcpdumpText(file, filter);
        const ours = await runNetpeek(["-r", file, ...filter], { env: { TZ: "UTC" } });
        assert.ok(theirs.split("\n").length > 20, `tcpdump printed too little for ${file}`);
        // Relative numbers are in play: neither the SYN's nor absolute ones.
        assert.match(theirs, /seq \d{1,6}:\d{1,6}, ack \d{1,6},/);
        assert.equal(ours.stdout, theirs, `${file} ${filter.join(" ")}`);
      }
      // SACK edges on the first segment seen with ACK, which prints its own numbers absolute:
      // already relative to the other side's base, as tcpdump's.
      const sack = ["ip", "and", "tcp"];
      const theirs = await tcpdumpText(fixture("stack.pcap"), sack);
      assert.match(theirs, /sack 2 \{1000:2000\}/);
      const ours = await runNetpeek(["-r", fixture("stack.pcap"), ...sack], { env: { TZ: "UTC" } });
      assert.equal(ours.stdout, theirs);
    } finally {
      await Deno.remove(path);
    }
  },
});

Deno.test({
  name: "--list-time-stamp-types and -j go through libpcap, as tcpdump's -J and -j",
  ignore: !hasTcpdump || !isRoot,
  fn: async () => {
    const ours = await runNetpeek(["--list-time-stamp-types", "-i", "lo"]);
    const theirs = await new Deno.Command("tcpdump", {
      args: ["-J", "-i", "lo"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(ours.code, 0, ours.stderr);
    const decoder = new TextDecoder();
    // tcpdump prints the list on standard output, or "cannot be set" on standard error.
    assert.equal(
      ours.stdout,
      decoder.decode(theirs.stdout) || decoder.decode(theirs.stderr).replace(/^tcpdump: /, ""),
    );
    const wrong = await runNetpeek(["-j", "no-such-type", "-i", "lo", "-c", "1"]);
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      /^netpeek: invalid time stamp type no-such-type; see --list-time-stamp-types/,
    );
  },
});
