/**
 * `deno task bench`: netpeek against tcpdump and tshark on the same capture, in one run, so
 * that machine noise cancels out in the ratios.
 *
 * It makes a mixed capture deterministically (a fixed seed): TCP with options and payload,
 * UDP and DNS, ICMP, IPv6 (with a fragment header now and then), 802.1Q, ARP, and IPv4
 * fragments. Then it times each reader over it, output to /dev/null, and prints one table:
 * packets/s, netpeek's ratio to each peer, and peak resident memory. tshark is slow, so it
 * reads a prefix of the file and its rate is scaled from that. The bare record walk
 * (scripts/bare_walk.ts: 4 MiB reads, IPv4 fields through a `DataView`, nothing else) is the
 * floor the issue measures `--stats` against.
 *
 * It also measures fidelity: the share of netpeek's default lines (on the first 200,000 packets)
 * that begin with `tcpdump -n`'s line for the same packet, and the commonest differences;
 * `--check` fails below 99.5 %. `--before DIR` adds another checkout's netpeek (text and JSON)
 * to the same rounds, each run right after this checkout's of the same kind, for a
 * before-and-after ratio (the median of the rounds' ratios).
 *
 * `--packets N` sets the size (default 1,000,000); `--runs N` runs each reader N times,
 * interleaved, and reports the median; `--check` (what CI runs, with 20,000) also checks that
 * every tool saw every packet; `--uniform-segments` makes the earlier, smaller mix (see
 * `SegmentSizes`). No time is ever asserted.
 *
 * `--live` replays a capture of `--packets` (default 40,000) five times onto `lo` with
 * tcpreplay at top speed (`--speed PPS` for a set rate) while netpeek (text, `-v`, `--json`,
 * `-w`) or tcpdump (text) captures, one at a time, `--runs` (default 5) times each in turn,
 * and reports each capturer's median and worst loss: packets not captured, and (netpeek)
 * captured but not printed because the output could not keep up. Needs root and tcpreplay.
 *
 * `--tui` measures the live view instead (scripts/bench_tui.ts: the first screen, a frame's
 * cost, packets lost with the view open, memory after 10,000,000 packets).
 *
 * @module
 */

import { parseArgs } from "node:util";
import dgram from "node:dgram";
import { taskArgs } from "./task_args.ts";
import {
  concat,
  ethernet,
  ip4,
  ip6,
  ipv4,
  mac,
  random,
  tcp,
  u16,
  u32,
  udp,
} from "./packet_builder.ts";
import { LINKTYPE_ETHERNET } from "../src/decode/linktype.ts";
import { CaptureFileWriter } from "../src/file/writer.ts";
import { loadAppTemplates } from "./app_templates.ts";
import { buildBundle, existsSync } from "./build.ts";
import { type LiveResult, liveRun } from "./live_run.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/**
 * What runs netpeek in a checkout, as its `capture` task does: `netpeek.ts` (the bundle, built
 * first by `main`, or the sources when newer) where there is one, `main.ts` before it was made.
 */
function netpeekEntry(root: string): string {
  return existsSync(`${root}netpeek.ts`) ? `${root}netpeek.ts` : `${root}main.ts`;
}

/**
 * How TCP segments are sized: `bulk` as bulk transfers send them (a third are bare ACKs, most
 * data segments full-sized: 1,000,000 packets make about 640 MB, the size of the capture the
 * issue's goals were measured on); `uniform`, the earlier mix (half bare ACKs, data sizes
 * spread evenly: about 340 MB).
 */
export type SegmentSizes = "bulk" | "uniform";

/** Writes the mixed capture; returns how many packets it holds. */
export function makeCapture(
  path: string,
  packets: number,
  seed = 1,
  segments: SegmentSizes = "bulk",
): number {
  const next = random(seed);
  const pick = (n: number) => Math.floor(next() * n);
  const hosts = Array.from({ length: 64 }, (_, i) => `10.${i >> 4}.${i & 15}.${1 + (i % 200)}`);
  const v6hosts = Array.from({ length: 16 }, (_, i) => ip6(`2001:db8:${i}::${i + 1}`));
  const macs = Array.from(
    { length: 64 },
    (_, i) =>
      `02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${
        (i & 255).toString(16).padStart(2, "0")
      }`,
  );
  using file = Deno.openSync(path, { write: true, create: true, truncate: true });
  const writer = new CaptureFileWriter(file, path, {
    format: "pcap",
    linkType: LINKTYPE_ETHERNET,
    snaplen: 262144,
    nanosecond: false,
  });
  let time = 1767225600 * 1e6;
  const seqs = new Map<string, number>();
  // Traffic comes in conversations: a pool of them, some far busier than others.
  const flows = Array.from({ length: 2000 }, () => ({
    a: pick(hosts.length),
    b: pick(hosts.length),
    sport: 30000 + pick(30000),
  }));
  const busy = () => flows[Math.floor(flows.length * next() ** 3)];
  const payload = new Uint8Array(1460).map((_, i) => 0x20 + (i % 90));
  // Encrypted bytes, for TLS records and QUIC packets.
  const noise = new Uint8Array(1460).map(() => pick(256));
  // Real applications' messages (the protocol tests' captures), put into these conversations.
  const apps = loadAppTemplates();
  const any = (list: Uint8Array[]) => list[pick(list.length)];
  for (let n = 0; n < packets; n++) {
    const kind = next();
    const flow = busy();
    const a = flow.a;
    const b = flow.b === a ? (a + 1) % hosts.length : flow.b;
    const [srcMac, dstMac] = [macs[a], macs[b]];
    let frame: Uint8Array;
    if (kind < 0.55) {
      // TCP: data or ACKs with timestamps, on one of a few hundred connections.
      const sport = flow.sport;
      const key = `${a}-${b}-${sport}`;
      const seq = seqs.get(key) ?? pick(2 ** 31);
      const length = segments === "uniform"
        ? (next() < 0.5 ? 0 : 1 + pick(1460))
        : next() < 0.3
        ? 0
        : next() < 0.8
        ? 1448 // the MSS with timestamps on a 1500-byte MTU
        : 1 + pick(1448);
      const dport = next() < 0.7 ? 443 : 80;
      // As real traffic: a segment now and then begins an HTTP request or response, or a TLS
      // record (hellos at a connection's start, then application data records, each some ten
      // segments long); the rest continue what came before.
      let data: Uint8Array = payload.subarray(0, length);
      if (length > 0) {
        const what = next();
        if (dport === 80 && what < 0.08) {
          data = any(what < 0.04 ? apps.httpRequests : apps.httpResponses);
        } else if (dport === 443 && what < 0.01) data = any(apps.tlsHellos);
        else if (dport === 443 && what < 0.11 && length > 5) {
          data = concat([23, 3, 3], u16(length - 5), noise.subarray(0, length - 5));
        } else if (dport === 443) data = noise.subarray(0, length);
      }
      seqs.set(key, (seq + data.length) >>> 0);
      const segment = tcp(
        ip4(hosts[a]),
        ip4(hosts[b]),
        {
          sport,
          dport,
          seq,
          ack: pick(2 ** 31),
          flags: length > 0 ? 0x018 : 0x010,
          window: 500 + pick(1000),
        },
        data,
        [1, 1, 8, 10, ...u32(n), ...u32(n - 1)],
      );
      frame = ethernet(
        dstMac,
        srcMac,
        0x0800,
        ipv4({ src: hosts[a], dst: hosts[b], protocol: 6, id: n & 0xffff, payload: segment }),
      );
    } else if (kind < 0.7) {
      // UDP: DNS questions and answers, QUIC, NTP, syslog and DHCP as their programs send
      // them, and datagrams of other applications.
      const what = next();
      let data: Uint8Array;
      let [sport, dport] = [flow.sport, 5000 + (flow.sport % 10)];
      if (what < 0.13) [data, dport] = [any(apps.dnsQueries), 53];
      else if (what < 0.25) [data, sport] = [any(apps.dnsResponses), 53];
      else if (what < 0.55) {
        dport = 443;
        const kind = next();
        if (kind < 0.01) data = any(apps.quicInitials);
        else if (kind < 0.02) [data, sport, dport] = [any(apps.quicServer), 443, flow.sport];
        else if (kind < 0.05) data = any(apps.quicHandshakes);
        else data = concat([0x40 | pick(64)], noise.subarray(0, 20 + pick(1200)));
      } else if (what < 0.58) [data, sport, dport] = [any(apps.ntp), 123, 123];
      else if (what < 0.61) [data, dport] = [any(apps.syslog), 514];
      else if (what < 0.615) [data, sport, dport] = [any(apps.dhcp), 68, 67];
      else data = payload.subarray(0, 20 + pick(400));
      const datagram = udp(ip4(hosts[a]), ip4(hosts[b]), sport, dport, data);
      frame = ethernet(
        dstMac,
        srcMac,
        0x0800,
        ipv4({ src: hosts[a], dst: hosts[b], protocol: 17, id: n & 0xffff, payload: datagram }),
      );
    } else if (kind < 0.78) {
      // ICMP echo.
      const message = concat(
        [next() < 0.5 ? 8 : 0, 0, 0, 0],
        u16(a),
        u16(n & 0xffff),
        payload.subarray(0, 56),
      );
      frame = ethernet(
        dstMac,
        srcMac,
        0x0800,
        ipv4({ src: hosts[a], dst: hosts[b], protocol: 1, payload: message }),
      );
    } else if (kind < 0.88) {
      // IPv6 UDP, now and then behind a fragment header.
      const [s, d] = [v6hosts[a % 16], v6hosts[b % 16]];
      const data = payload.subarray(0, 40 + pick(200));
      const body = concat(u16(5353), u16(6000 + pick(10)), u16(8 + data.length), [0, 0], data);
      const fragment = next() < 0.1;
      const next6 = fragment ? 44 : 17;
      const rest = fragment ? concat([17, 0], u16(1), u32(n), body) : body;
      frame = ethernet(
        dstMac,
        srcMac,
        0x86dd,
        concat([0x60, 0, 0, 0], u16(rest.length), [next6, 64], s, d, rest),
      );
    } else if (kind < 0.94) {
      // 802.1Q-tagged IPv4 UDP.
      const datagram = udp(
        ip4(hosts[a]),
        ip4(hosts[b]),
        flow.sport,
        2000,
        payload.subarray(0, 100),
      );
      const inner = ipv4({ src: hosts[a], dst: hosts[b], protocol: 17, payload: datagram });
      frame = ethernet(dstMac, srcMac, 0x8100, concat(u16(100 + pick(10)), u16(0x0800), inner));
    } else if (kind < 0.97) {
      // ARP request.
      frame = ethernet(
        "ff:ff:ff:ff:ff:ff",
        srcMac,
        0x0806,
        concat(
          [0, 1, 8, 0, 6, 4, 0, 1],
          mac(srcMac),
          ip4(hosts[a]),
          [0, 0, 0, 0, 0, 0],
          ip4(hosts[b]),
        ),
      );
    } else {
      // An IPv4 fragment (first or later) with an IP option.
      const first = next() < 0.5;
      frame = ethernet(
        dstMac,
        srcMac,
        0x0800,
        ipv4({
          src: hosts[a],
          dst: hosts[b],
          protocol: 17,
          id: n & 0xffff,
          flagsOffset: first ? 0x2000 : 185,
          options: [1, 1, 1, 0],
          payload: payload.subarray(0, 480),
        }),
      );
    }
    time += 1 + pick(20);
    writer.write(frame, {
      seconds: Math.floor(time / 1e6),
      fraction: time % 1e6,
      nanosecond: false,
      caplen: frame.length,
      len: frame.length,
    });
  }
  writer.close();
  return packets;
}

/** Runs a command with stdout to /dev/null; returns seconds and peak resident memory. */
async function timed(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ seconds: number; peak: number; stdoutLines?: number; ok: boolean }> {
  const started = performance.now();
  const child = new Deno.Command(command, { args, env, stdout: "null", stderr: "piped" }).spawn();
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
      peak = Math.max(peak, Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1] ?? 0) * 1024);
    } catch {
      // ended
    }
  }, 20);
  const output = await child.output();
  clearInterval(sampler);
  return { seconds: (performance.now() - started) / 1000, peak, ok: output.success };
}

/** Counts the packets a command prints: lines that start with a time stamp, frame number or `{`. */
async function countLines(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<number> {
  const output = await new Deno.Command(command, { args, env, stdout: "piped", stderr: "null" })
    .output();
  // tshark right-aligns its frame numbers: skip leading spaces.
  let packets = 0;
  let lineStart = true;
  for (const byte of output.stdout) {
    if (lineStart && byte === 0x20) continue;
    if (lineStart && (byte === 0x7b || (byte >= 0x30 && byte <= 0x39))) packets++;
    lineStart = byte === 10;
  }
  return packets;
}

/** How many records the bare walk walked (the first number it prints). */
async function bareWalkRecords(deno: string, path: string): Promise<number> {
  const output = await new Deno.Command(deno, {
    args: ["run", "--allow-read", `${ROOT}scripts/bare_walk.ts`, path],
    stdout: "piped",
  }).output();
  return Number(new TextDecoder().decode(output.stdout).split(" ")[0]);
}

/** How many packets' text the fidelity check compares (tcpdump's and netpeek's, in memory). */
const FIDELITY_PACKETS = 200_000;
/** The share of lines that must begin with tcpdump's (the issue's figure); `--check` holds it. */
const FIDELITY_GOAL = 0.995;

/**
 * The share of netpeek's default lines that begin with `tcpdump -n`'s line for the same
 * packet, byte for byte, and the commonest kinds of difference (digits blurred).
 */
async function fidelity(
  deno: string,
  netpeekArgs: string[],
  path: string,
  flags: string[] = [],
): Promise<{ same: number; total: number; kinds: [string, number][] }> {
  // Each packet's lines: without flags its first line alone, whatever lines follow it; with
  // flags (-v) every line tcpdump prints for it.
  const packetLines = async (command: string, args: string[]) => {
    const packets: string[][] = [];
    const text = new TextDecoder().decode(
      (await new Deno.Command(command, {
        args,
        env: { TZ: "UTC" },
        stdout: "piped",
        stderr: "null",
      }).output()).stdout,
    );
    for (const line of text.split("\n")) {
      if (line === "") continue;
      if (!/^\s/.test(line)) packets.push([line]);
      else if (flags.length > 0 && packets.length > 0) packets[packets.length - 1].push(line);
    }
    return packets;
  };
  const theirs = await packetLines("tcpdump", ["-n", ...flags, "-r", path]);
  const ours = await packetLines(deno, [...netpeekArgs, ...flags, "-r", path]);
  if (ours.length !== theirs.length) {
    throw new Error(`tcpdump printed ${theirs.length} packets, netpeek ${ours.length}`);
  }
  let same = 0;
  const total = theirs.length;
  const kinds = new Map<string, number>();
  theirs.forEach((lines, index) => {
    const mismatch = lines.findIndex((line, at) => !ours[index][at]?.startsWith(line));
    if (mismatch < 0) same++;
    else {
      const kind = lines[mismatch].replace(/^\S+ /, "").replace(/[0-9a-f]{2,}|\d+/g, "#")
        .slice(0, 90);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  });
  return { same, total, kinds: [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 5) };
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/**
 * A UDP socket on 127.0.0.1 for `--ipfix` to send to (nothing listening would be a refused
 * port). It only receives: what a collector stores is measured with nfcapd (docs/deploy.md).
 */
async function sinkCollector() {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  socket.on("message", () => {});
  return { port: socket.address().port, close: () => socket.close() };
}

/**
 * Exports the capture once to nfcapd on 127.0.0.1 and compares what it stored ("Flows: N" as
 * it ends) with what netpeek says it sent: no record may be lost on loopback.
 */
async function nfcapdCheck(deno: string, netpeek: (...extra: string[]) => string[]) {
  const installed = await new Deno.Command("nfcapd", {
    args: ["-V"],
    stdout: "null",
    stderr: "null",
  })
    .output().then((output) => output.success, () => false);
  if (!installed) return "--ipfix into nfcapd: skipped (nfcapd is not installed)";
  const dir = await Deno.makeTempDir({ prefix: "netpeek-bench-nfcapd-" });
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const nfcapd = new Deno.Command("nfcapd", {
    args: ["-w", dir, "-p", String(port), "-b", "127.0.0.1", "-t", "3600", "-B", "8388608"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const run = await new Deno.Command(deno, {
      args: netpeek("--ipfix", `127.0.0.1:${port}`),
      stdout: "null",
      stderr: "piped",
    }).output();
    const sent = Number(/(\d+) flow records/.exec(new TextDecoder().decode(run.stderr))?.[1]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    nfcapd.kill("SIGTERM");
    const output = await nfcapd.output();
    const log = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    const stored = Number(/Flows: (\d+)/.exec(log)?.[1]);
    return `--ipfix into nfcapd:          ${sent} records sent, ${stored} stored` +
      (sent === stored ? " (none lost)" : " (RECORDS LOST)");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The display filters and fields issue 19's goals are measured with. */
const DISPLAY_443 = "tcp.port == 443";
const DISPLAY_NONE = "ip.ttl == 0";
const FIELDS_ARGS = ["-e", "ip.src", "-e", "tcp.dstport"];

async function fileBench(
  packets: number,
  check: boolean,
  rounds: number,
  segments: SegmentSizes,
  before: string | undefined,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "netpeek-bench-" });
  const path = `${dir}/mixed.pcap`;
  try {
    makeCapture(path, packets, 1, segments);
    const size = (await Deno.stat(path)).size;
    const tsharkPackets = Math.min(packets, 20_000);
    const prefix = `${dir}/prefix.pcap`;
    await new Deno.Command("editcap", {
      args: ["-F", "pcap", "-r", path, prefix, `1-${tsharkPackets}`],
    }).output();
    const deno = Deno.execPath();
    const netpeekAt = (root: string, ...extra: string[]) => [
      "run",
      "--allow-ffi",
      "--allow-env=NETPEEK_LIBPCAP",
      "--allow-read",
      "--allow-write",
      "--allow-net",
      netpeekEntry(root),
      "-r",
      path,
      ...extra,
    ];
    const netpeek = (...extra: string[]) => netpeekAt(ROOT, ...extra);
    const collector = await sinkCollector();
    const utc = { TZ: "UTC" };
    // Warm the disk cache and Deno's module cache once.
    await timed(deno, netpeek("-c", "1"), utc);
    await timed("tcpdump", ["-n", "-r", path, "-w", "/dev/null"], utc);

    const runs: [string, string, string[], number, Record<string, string>?][] = [
      ["netpeek text", deno, netpeek(), packets, utc],
      ["netpeek -v", deno, netpeek("-v"), packets, utc],
      ["netpeek --json", deno, netpeek("--json"), packets, utc],
      ["netpeek --stats", deno, netpeek("--stats"), packets, utc],
      ["netpeek -Y port 443", deno, netpeek("-Y", DISPLAY_443), packets, utc],
      ["netpeek -Y ttl 0", deno, netpeek("-Y", DISPLAY_NONE), packets, utc],
      ["netpeek -T fields", deno, netpeek("-T", "fields", ...FIELDS_ARGS), packets, utc],
      ["netpeek --ipfix", deno, netpeek("--ipfix", `127.0.0.1:${collector.port}`), packets, utc],
      ["tcpdump -n -r (TZ=UTC)", "tcpdump", ["-n", "-r", path], packets, utc],
      ["tcpdump -nn -v -r", "tcpdump", ["-nn", "-v", "-r", path], packets, utc],
      ["tcpdump -r -w /dev/null", "tcpdump", ["-r", path, "-w", "/dev/null"], packets, utc],
      ["tshark -n -r", "tshark", ["-n", "-r", prefix], tsharkPackets, utc],
      ["tshark -T ek", "tshark", ["-n", "-r", prefix, "-T", "ek"], tsharkPackets, utc],
      ["tshark -Y port 443", "tshark", ["-n", "-r", prefix, "-Y", DISPLAY_443], tsharkPackets, utc],
      [
        "tshark -T fields",
        "tshark",
        ["-n", "-r", prefix, "-T", "fields", ...FIELDS_ARGS],
        tsharkPackets,
        utc,
      ],
      [
        "deno bare record walk",
        deno,
        ["run", "--allow-read", `${ROOT}scripts/bare_walk.ts`, path],
        packets,
        utc,
      ],
    ];
    // --before DIR: another checkout's netpeek on the same capture, in the same rounds, each
    // right after this checkout's run of the same kind, so that the two meet the same spell of
    // a noisy machine.
    if (before !== undefined) {
      const pairs: [string, string, string[]][] = [
        ["netpeek text", "before: netpeek text", []],
        ["netpeek --json", "before: netpeek --json", ["--json"]],
        ["netpeek --stats", "before: netpeek --stats", ["--stats"]],
      ];
      for (const [now, name, extra] of pairs) {
        const at = runs.findIndex(([runName]) => runName === now) + 1;
        runs.splice(at, 0, [name, deno, netpeekAt(before, ...extra), packets, utc]);
      }
    }
    // With --runs N, each reader runs N times, interleaved (so that a slow spell of the machine
    // hits every reader alike), and the median rate is kept.
    const samples = new Map<string, { rates: number[]; peak: number }>();
    for (let round = 0; round < rounds; round++) {
      for (const [name, command, args, count, env] of runs) {
        const result = await timed(command, args, env);
        if (!result.ok) throw new Error(`${name} failed`);
        const sample = samples.get(name) ?? { rates: [], peak: 0 };
        sample.rates.push(count / result.seconds);
        sample.peak = Math.max(sample.peak, result.peak);
        samples.set(name, sample);
      }
    }
    const results = new Map<string, { rate: number; peak: number }>();
    for (const [name, { rates, peak }] of samples) {
      const sorted = rates.toSorted((a, b) => a - b);
      results.set(name, { rate: sorted[Math.floor(sorted.length / 2)], peak });
    }
    console.log(
      `\nmixed capture: ${packets} packets, ${mib(size)} (tshark reads the first ${tsharkPackets})${
        rounds > 1 ? `; median of ${rounds} runs each` : ""
      }\n`,
    );
    console.log("reader                      packets/s   peak RSS");
    for (const [name, { rate, peak }] of results) {
      console.log(
        `${name.padEnd(26)} ${Math.round(rate).toString().padStart(10)}   ${mib(peak).padStart(8)}`,
      );
    }
    const ratio = (a: string, b: string) =>
      (results.get(a)!.rate / results.get(b)!.rate).toFixed(2);
    console.log(
      `\ntext vs tcpdump -n -r:        ${
        ratio("netpeek text", "tcpdump -n -r (TZ=UTC)")
      }x (goal 5x)`,
    );
    console.log(
      `text -v vs tcpdump -nn -v:    ${ratio("netpeek -v", "tcpdump -nn -v -r")}x`,
    );
    console.log(
      `json vs tshark -T ek:         ${ratio("netpeek --json", "tshark -T ek")}x (goal 100x)`,
    );
    console.log(
      `json vs tcpdump -n -r:        ${
        ratio("netpeek --json", "tcpdump -n -r (TZ=UTC)")
      }x (goal 1x)`,
    );
    console.log(
      `-Y port 443 vs text:          ${ratio("netpeek -Y port 443", "netpeek text")}x (goal 1.5x)`,
    );
    console.log(
      `-Y port 443 vs tshark -Y:     ${
        ratio("netpeek -Y port 443", "tshark -Y port 443")
      }x (goal 20x)`,
    );
    console.log(
      `-Y ttl 0 vs --stats:          ${ratio("netpeek -Y ttl 0", "netpeek --stats")}x (goal 1x)`,
    );
    console.log(
      `-T fields vs tshark -T fields: ${
        ratio("netpeek -T fields", "tshark -T fields")
      }x (goal 30x)`,
    );
    console.log(
      `--ipfix vs --stats:           ${ratio("netpeek --ipfix", "netpeek --stats")}x (goal 0.8x)`,
    );
    collector.close();
    console.log(await nfcapdCheck(deno, netpeek));
    console.log(
      `--stats vs bare record walk:  ${
        ratio("netpeek --stats", "deno bare record walk")
      }x (goal 0.5x)`,
    );
    if (before !== undefined) {
      // Each round's pair (run one after the other) gives a ratio; the median of those is
      // steadier than the ratio of two medians taken from different rounds.
      const paired = (now: string, then: string) => {
        const nowRates = samples.get(now)!.rates;
        const thenRates = samples.get(then)!.rates;
        const ratios = nowRates.map((rate, round) => rate / thenRates[round]);
        const median = ratios.toSorted((a, b) => a - b)[Math.floor(ratios.length / 2)];
        return `${median.toFixed(2)}x (by round: ${ratios.map((r) => r.toFixed(2)).join(", ")})`;
      };
      console.log(
        `text now vs before:           ${paired("netpeek text", "before: netpeek text")}`,
      );
      console.log(
        `json now vs before:           ${paired("netpeek --json", "before: netpeek --json")}`,
      );
    }
    const compared = Math.min(packets, FIDELITY_PACKETS);
    const sample = compared === packets ? path : `${dir}/fidelity.pcap`;
    if (sample !== path) {
      await new Deno.Command("editcap", {
        args: ["-F", "pcap", "-r", path, sample, `1-${compared}`],
      })
        .output();
    }
    const faithful = await fidelity(deno, netpeekAt(ROOT).slice(0, -2), sample);
    const share = faithful.same / faithful.total;
    console.log(
      `\nfidelity: ${faithful.same} of ${faithful.total} lines begin with tcpdump -n's (${
        (100 * share).toFixed(2)
      } %, goal ${100 * FIDELITY_GOAL} %)${
        compared < packets ? `, first ${compared} packets` : ""
      }`,
    );
    for (const [kind, count] of faithful.kinds) {
      console.log(`  ${String(count).padStart(7)}  ${kind}`);
    }
    // -v: every line of tcpdump -v's, header and ports included (reported, not a goal).
    const verbose = await fidelity(deno, netpeekAt(ROOT).slice(0, -2), sample, ["-v"]);
    console.log(
      `-v fidelity: ${verbose.same} of ${verbose.total} packets begin line by line with ` +
        `tcpdump -n -v's (${(100 * verbose.same / verbose.total).toFixed(2)} %)`,
    );
    for (const [kind, count] of verbose.kinds) {
      console.log(`  ${String(count).padStart(7)}  ${kind}`);
    }

    if (check && share < FIDELITY_GOAL) {
      throw new Error(`fidelity ${(100 * share).toFixed(2)} % is below the goal`);
    }
    if (check) {
      // In CI: every tool saw every packet; no timing is asserted.
      const counts = {
        netpeek: await countLines(deno, netpeek(), utc),
        json: await countLines(deno, netpeek("--json"), utc),
        tcpdump: await countLines("tcpdump", ["-n", "-r", path], utc),
        tshark: await countLines("tshark", ["-n", "-r", prefix], utc),
        bareWalk: await bareWalkRecords(deno, path),
      };
      console.log(JSON.stringify(counts));
      if (
        counts.netpeek !== packets || counts.json !== packets || counts.tcpdump !== packets ||
        counts.tshark !== tsharkPackets || counts.bareWalk !== packets
      ) {
        throw new Error(`a reader missed packets: ${JSON.stringify(counts)}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The share of the packets sent that were not captured, or captured and not printed. */
function lostShare(result: LiveResult): number {
  return (result.sent - result.captured + result.notPrinted) / result.sent;
}

/**
 * `--live`: tcpreplay at top speed onto lo, `runs` times in turn for each capturer (netpeek
 * text, `-v`, `--json`, `-w`, and tcpdump's text), each run the capture `passes` times;
 * prints each capturer's median and worst loss, counting packets captured but not printed
 * as lost.
 */
async function liveBench(
  packets: number,
  runs: number,
  segments: SegmentSizes,
  speed: string,
  before?: string,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "netpeek-live-" });
  const capture = `${dir}/mixed.pcap`;
  const passes = 5;
  try {
    makeCapture(capture, packets, 1, segments);
    const netpeekAt = (root: string) => [
      "run",
      "--allow-ffi",
      "--allow-env=NETPEEK_LIBPCAP,SystemRoot",
      "--allow-read",
      "--allow-write",
      netpeekEntry(root),
      "-i",
      "lo",
    ];
    const netpeek = netpeekAt(ROOT);
    const capturers: [string, string, string[]][] = [
      ["netpeek text", Deno.execPath(), netpeek],
      ["netpeek -v", Deno.execPath(), [...netpeek, "-v"]],
      ["netpeek --json", Deno.execPath(), [...netpeek, "--json"]],
      ["netpeek -w", Deno.execPath(), [...netpeek, "-w", "/dev/null"]],
      ["tcpdump text", "tcpdump", ["-n", "-i", "lo"]],
    ];
    if (before !== undefined) {
      const earlier = netpeekAt(before);
      capturers.push(
        ["before: text", Deno.execPath(), earlier],
        ["before: -v", Deno.execPath(), [...earlier, "-v"]],
        ["before: --json", Deno.execPath(), [...earlier, "--json"]],
      );
    }
    const results = new Map<string, LiveResult[]>(capturers.map(([name]) => [name, []]));
    for (let run = 0; run < runs; run++) {
      for (const [name, command, args] of capturers) {
        const result = await liveRun(command, args, capture, speed, passes);
        results.get(name)!.push(result);
        console.log(
          `${name}: ${Math.round(result.rate)} packets/s, sent ${result.sent}, captured ` +
            `${result.captured}, dropped by kernel ${result.dropped}, not printed ` +
            `${result.notPrinted}`,
        );
      }
    }
    const percent = (share: number) => `${(100 * share).toFixed(2)} %`;
    console.log(
      `\nlive on lo: ${packets} packets x ${passes} passes a run, tcpreplay ${
        speed === "top" ? "at top speed" : `at ${speed} packets/s`
      }, ${runs} runs each (${segments} segments); lost = not captured + captured but not printed\n`,
    );
    console.log(
      "| capturer | packets/s (median) | lost, median | lost, worst | kernel drops, worst | not printed, worst |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (const [name] of capturers) {
      const all = results.get(name)!;
      const shares = all.map(lostShare).sort((a, b) => a - b);
      const rates = all.map((result) => result.rate).sort((a, b) => a - b);
      console.log(
        `| ${name} | ${Math.round(rates[rates.length >> 1]).toLocaleString("en")} | ${
          percent(shares[shares.length >> 1])
        } | ${percent(shares[shares.length - 1])} | ${
          Math.max(...all.map((result) => result.dropped))
        } | ${Math.max(...all.map((result) => result.notPrinted))} |`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function main(): Promise<void> {
  if (taskArgs().includes("--tui")) {
    // The live view's figures: their own script (loaded only then), their own options.
    const { tuiMain } = await import("./bench_tui.ts");
    return await tuiMain(makeCapture);
  }
  const { values } = parseArgs({
    args: taskArgs(),
    options: {
      packets: { type: "string" },
      runs: { type: "string" },
      speed: { type: "string" },
      check: { type: "boolean" },
      live: { type: "boolean" },
      "uniform-segments": { type: "boolean" },
      before: { type: "string" },
    },
  });
  const segments = values["uniform-segments"] ? "uniform" : "bulk";
  // netpeek as `deno task capture` runs it: from its bundle, made from these sources.
  console.log(`bundled netpeek from ${await buildBundle()} sources (deno task build)`);
  if (values.live) {
    // Live: 40,000 packets replayed five times a run, unless told otherwise.
    const packets = values.packets === undefined ? 40_000 : Number(values.packets);
    await liveBench(
      packets,
      Number(values.runs ?? 5),
      segments,
      values.speed ?? "top",
      values.before === undefined ? undefined : values.before.replace(/\/?$/, "/"),
    );
  } else {
    await fileBench(
      Number(values.packets ?? 1_000_000),
      values.check === true,
      Number(values.runs ?? 1),
      segments,
      values.before === undefined ? undefined : values.before.replace(/\/?$/, "/"),
    );
  }
}

if (import.meta.main) await main();
