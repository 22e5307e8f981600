/**
 * Writing capture files and filtering, checked against tcpdump, tshark and capinfos: live
 * round trips on `lo`, filters that select exactly what tcpdump selects, rotation by size and
 * time, a full disk, and a closed pipe.
 */

import assert from "node:assert/strict";
import dgram from "node:dgram";
import { parsePcap, type PcapRecord } from "./pcap_file.ts";
import {
  MAIN,
  NetpeekProcess,
  PERMISSIONS,
  runNetpeek,
  sh,
  STATS_LINE,
} from "./netpeek_process.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);
const fixture = (name: string) => new URL(name, FIXTURES).pathname;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A UDP receiver on 127.0.0.1 and a function that sends it datagrams. */
async function udpPair() {
  const receiver = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => receiver.bind(0, "127.0.0.1", () => resolve()));
  const sender = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => sender.bind(0, "127.0.0.1", () => resolve()));
  return {
    port: receiver.address().port,
    send: (payload: string) =>
      new Promise<void>((resolve, reject) =>
        sender.send(payload, receiver.address().port, "127.0.0.1", (e) => e ? reject(e) : resolve())
      ),
    close: () => {
      sender.close();
      receiver.close();
    },
  };
}

async function tcpdump(
  args: string[],
): Promise<{ code: number; stdout: Uint8Array; stderr: string }> {
  const output = await new Deno.Command("tcpdump", { args, stdout: "piped", stderr: "piped" })
    .output();
  return {
    code: output.code,
    stdout: output.stdout,
    stderr: new TextDecoder().decode(output.stderr),
  };
}

/** Two lists of records are the same: headers (times, lengths) and bytes. */
function sameRecords(ours: PcapRecord[], theirs: PcapRecord[], what: string): void {
  assert.equal(ours.length, theirs.length, `${what}: record count`);
  ours.forEach((record, i) => {
    assert.deepEqual(record.header, theirs[i].header, `${what}: header of record ${i + 1}`);
    assert.deepEqual(record.frame, theirs[i].frame, `${what}: bytes of record ${i + 1}`);
  });
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "netpeek-files-" });
}

Deno.test("live -w on lo: the same packets, bytes and time stamps as tcpdump -w", async () => {
  const dir = await tempDir();
  const udp = await udpPair();
  try {
    const filter = `udp port ${udp.port}`;
    const ours = new NetpeekProcess([
      "-i",
      "lo",
      "-w",
      `${dir}/ours.pcap`,
      "--duration",
      "20",
      filter,
    ]);
    const reference = new Deno.Command("tcpdump", {
      // -Z root: Debian's tcpdump would otherwise drop to a user that cannot write here.
      // (and --immediate-mode: on SIGINT it does not collect the kernel's last block).
      args: ["-i", "lo", "-Z", "root", "--immediate-mode", "-w", `${dir}/ref.pcap`, "-U", filter],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // Read tcpdump's stderr to the end: a closed pipe would kill it with SIGPIPE.
    let referenceErr = "";
    let ready: () => void = () => {};
    const referenceReady = new Promise<void>((resolve) => ready = resolve);
    const referenceDrained = (async () => {
      for await (const chunk of reference.stderr) {
        referenceErr += new TextDecoder().decode(chunk);
        if (referenceErr.includes("listening on")) ready();
      }
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tooLate = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${referenceErr}`)), 15_000);
    });
    try {
      await Promise.race([Promise.all([ours.listening(), referenceReady]), tooLate]);
    } finally {
      clearTimeout(timer);
    }
    for (const payload of ["a", "bb", "ccc", "dddd", "eeeee"]) await udp.send(payload);
    await sleep(500);
    ours.child.kill("SIGINT");
    reference.kill("SIGINT");
    const result = await ours.finished();
    await reference.status;
    await referenceDrained;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "", "-w without --print prints no packets");
    assert.match(result.stderr, /^5 packets captured, /m);

    // The same packets as tcpdump's own capture of them, byte for byte (time stamps come
    // from each capturing socket, so they differ by microseconds between the two files).
    const oursFile = parsePcap(await Deno.readFile(`${dir}/ours.pcap`));
    const refFile = parsePcap(await Deno.readFile(`${dir}/ref.pcap`));
    assert.equal(oursFile.linkType, 1);
    assert.deepEqual(
      oursFile.records.map((record) => record.frame),
      refFile.records.map((record) => record.frame),
    );
    oursFile.records.forEach((record, i) => {
      const theirs = refFile.records[i].header;
      const apart = Math.abs(
        (record.header.seconds - theirs.seconds) * 1e6 + record.header.fraction - theirs.fraction,
      );
      assert.ok(apart < 100_000, `record ${i + 1}: ${apart} µs from tcpdump's`);
    });

    // Read back, netpeek and tcpdump see the same packets, bytes and time stamps.
    const readBack = await tcpdump(["-n", "-tt", "-x", "-r", `${dir}/ours.pcap`]);
    assert.equal(readBack.code, 0, readBack.stderr);
    const tcpdumpPackets = new TextDecoder().decode(readBack.stdout).split(/\n(?=\d)/);
    const hexOf = (text: string) => text.split("\n").filter((line) => line.startsWith("\t0x"));
    const [json, hex] = await Promise.all([
      runNetpeek(["-r", `${dir}/ours.pcap`, "--json"]),
      runNetpeek(["-r", `${dir}/ours.pcap`, "-x"]),
    ]);
    const netpeekPackets = hex.stdout.split(/\n(?=\d)/);
    const times = json.stdout.trimEnd().split("\n").map((line) => JSON.parse(line).ts as string);
    assert.equal(tcpdumpPackets.length, 5);
    assert.equal(netpeekPackets.length, 5);
    tcpdumpPackets.forEach((packet, i) => {
      const epoch = packet.split(" ")[0];
      const iso = new Date(Number(epoch.split(".")[0]) * 1000).toISOString().slice(0, 19);
      assert.equal(times[i], `${iso}.${epoch.split(".")[1]}Z`, `time of packet ${i + 1}`);
      assert.deepEqual(hexOf(netpeekPackets[i]), hexOf(packet), `bytes of packet ${i + 1}`);
    });
    assert.deepEqual(
      times.map((_, i) => JSON.parse(json.stdout.split("\n")[i]).udp.length - 8),
      [1, 2, 3, 4, 5],
    );
  } finally {
    udp.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("live --pcapng with nanosecond time stamps, -U and --print", async () => {
  const dir = await tempDir();
  const udp = await udpPair();
  try {
    const path = `${dir}/live.pcapng`;
    const capture = new NetpeekProcess([
      "-i",
      "lo",
      "-w",
      path,
      "--pcapng",
      "--time-stamp-precision",
      "nano",
      "-U",
      "--print",
      "--duration",
      "20",
      `udp port ${udp.port}`,
    ]);
    await capture.listening();
    await udp.send("first");
    await capture.waitFor(() => capture.stdout.includes("UDP, length 5"), "the printed line");
    // -U: the packet is in the file while the capture still runs.
    const during = await sh("tshark", ["-r", path, "-T", "fields", "-e", "frame.len"]);
    assert.equal(during.trim(), "47");
    await udp.send("second");
    await sleep(300);
    capture.child.kill("SIGTERM");
    const result = await capture.finished();
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trimEnd().split("\n").length, 2);
    const info = await sh("capinfos", ["-t", "-c", "-M", path]);
    assert.match(info, /File type:\s+(Wireshark\/\.\.\. - )?pcapng/);
    assert.match(info, /Number of packets:\s+2/);
    const precision = await sh("capinfos", ["-a", path]);
    assert.ok(precision.length > 0);
    const epochs = await sh("tshark", ["-r", path, "-T", "fields", "-e", "frame.time_epoch"]);
    assert.equal(epochs.trim().split("\n").length, 2);
    const json = await runNetpeek(["-r", path, "--json"]);
    const first = JSON.parse(json.stdout.split("\n")[0]);
    assert.match(first.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    const [epochSeconds, epochNanos] = epochs.trim().split("\n")[0].split(".");
    assert.equal(Date.parse(first.ts.slice(0, 19) + "Z") / 1000, Number(epochSeconds));
    assert.equal(first.ts.slice(20, 29), epochNanos);
  } finally {
    udp.close();
    await Deno.remove(dir, { recursive: true });
  }
});

const EXPRESSIONS = [
  "tcp",
  "udp port 53",
  "udp",
  "host 192.0.2.1",
  "ip[6:2] & 0x1fff != 0",
  "vlan and udp",
  "icmp or arp",
  "ip6",
  "tcp[tcpflags] & tcp-syn != 0",
  "not ip",
  "ether host 02:00:5e:00:53:02 and less 61",
];

Deno.test("filters on a file select exactly what tcpdump selects", async () => {
  const path = fixture("mixed.pcap");
  const total = parsePcap(await Deno.readFile(path)).records.length;
  for (const expression of EXPRESSIONS) {
    const theirs = await tcpdump(["-r", path, "-w", "-", expression]);
    assert.equal(theirs.code, 0, theirs.stderr);
    const raw = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...PERMISSIONS, MAIN, "-r", path, "-w", "-", expression],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(raw.code, 0, `${expression}: ${new TextDecoder().decode(raw.stderr)}`);
    const selected = parsePcap(raw.stdout).records;
    sameRecords(selected, parsePcap(theirs.stdout).records, expression);
    assert.ok(selected.length < total || expression === "not ip", `${expression} selects less`);
  }
});

Deno.test("-d prints the program tcpdump -d prints; -F reads the filter from a file", async () => {
  const path = fixture("mixed.pcap");
  for (const expression of ["tcp port 443", "vlan and udp", "icmp or arp"]) {
    const ours = await runNetpeek(["-r", path, "-d", expression]);
    const theirs = await tcpdump(["-r", path, "-d", expression]);
    assert.equal(ours.code, 0);
    assert.equal(ours.stdout, new TextDecoder().decode(theirs.stdout), expression);
  }
  const filterFile = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(filterFile, "# only ICMP\nicmp\n");
    const result = await runNetpeek(["-r", path, "-F", filterFile, "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const packets = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.ok(packets.length >= 2);
    assert.ok(packets.every((packet) => packet.icmp && packet.ipv4));
  } finally {
    await Deno.remove(filterFile);
  }
});

Deno.test("a bad filter fails before any capture: libpcap's message, exit 2", async () => {
  const live = await runNetpeek(["-i", "lo", "tcp", "port"]);
  assert.equal(live.code, 2);
  assert.equal(live.stderr, "netpeek: filter: can't parse filter expression: syntax error\n");
  const file = await runNetpeek(["-r", fixture("mixed.pcap"), "-f", "host 999.1.1.1"]);
  assert.equal(file.code, 2);
  assert.match(file.stderr, /^netpeek: filter: .*999\.1\.1\.1.*\n$/);
  assert.equal(file.stdout, "");
});

Deno.test("live filter: the first word names the interface, the rest is the filter", async () => {
  const wanted = await udpPair();
  const other = await udpPair();
  try {
    const capture = new NetpeekProcess([
      "lo",
      "udp",
      "port",
      String(wanted.port),
      "--duration",
      "20",
    ]);
    await capture.listening();
    assert.match(capture.stderr, /listening on lo,/);
    await other.send("noise");
    await wanted.send("signal");
    await sh("ping", ["-c", "1", "127.0.0.1"]);
    await other.send("noise");
    await sleep(300);
    capture.child.kill("SIGINT");
    const result = await capture.finished();
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.stdout);
    assert.match(lines[0], new RegExp(`> 127\\.0\\.0\\.1\\.${wanted.port}: UDP, length 6$`));
    assert.match(result.stderr, /^1 packet captured, /m);
  } finally {
    wanted.close();
    other.close();
  }
});

Deno.test("rotation by size: FILE, FILE1, …; with -W a ring of N files", async () => {
  const dir = await tempDir();
  try {
    const source = parsePcap(await Deno.readFile(fixture("mixed.pcap")));
    const result = await runNetpeek([
      "-r",
      fixture("mixed.pcap"),
      "-w",
      `${dir}/out`,
      "-C",
      "0.001",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort((a, b) =>
      a.length - b.length || a.localeCompare(b)
    );
    assert.equal(names[0], "out");
    assert.deepEqual(names.slice(1), names.slice(1).map((_, i) => `out${i + 1}`));
    assert.ok(names.length >= 3, `only ${names.length} files`);
    const all: PcapRecord[] = [];
    for (const name of names) {
      const check = await tcpdump(["-r", `${dir}/${name}`, "-w", "/dev/null"]);
      assert.equal(check.code, 0, `${name}: ${check.stderr}`);
      const bytes = await Deno.readFile(`${dir}/${name}`);
      // Each file is cut once it is past 1,000 bytes, so none grows far beyond.
      assert.ok(bytes.length < 1000 + 300, `${name} is ${bytes.length} bytes`);
      all.push(...parsePcap(bytes).records);
    }
    sameRecords(all, source.records, "files in order");

    const ring = `${dir}/ring`;
    await Deno.mkdir(ring);
    const ringResult = await runNetpeek([
      "-r",
      fixture("mixed.pcap"),
      "-w",
      `${ring}/r`,
      "-C",
      "0.001",
      "-W",
      "3",
    ]);
    assert.equal(ringResult.code, 0, ringResult.stderr);
    assert.deepEqual([...Deno.readDirSync(ring)].map((entry) => entry.name).sort(), [
      "r0",
      "r1",
      "r2",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rotation by time: strftime names per interval; -G with -W stops after N files", async () => {
  const dir = await tempDir();
  try {
    // ipv4-cases.pcap: 17 packets one second apart from 2026-01-01T00:00:00Z.
    const result = await runNetpeek([
      "-r",
      fixture("ipv4-cases.pcap"),
      "-w",
      `${dir}/t-%s.pcap`,
      "-G",
      "5",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
    assert.deepEqual(names, [0, 5, 10, 15].map((offset) => `t-${1767225600 + offset}.pcap`));
    const counts = await Promise.all(names.map(async (name) => {
      const check = await tcpdump(["-r", `${dir}/${name}`, "-w", "/dev/null"]);
      assert.equal(check.code, 0, check.stderr);
      return parsePcap(await Deno.readFile(`${dir}/${name}`)).records.length;
    }));
    assert.deepEqual(counts, [5, 5, 5, 2]);

    const limited = `${dir}/limited`;
    await Deno.mkdir(limited);
    const stop = await runNetpeek([
      "-r",
      fixture("ipv4-cases.pcap"),
      "-w",
      `${limited}/%H%M%S.pcap`,
      "-G",
      "5",
      "-W",
      "2",
      "-U",
    ]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal([...Deno.readDirSync(limited)].length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a full disk: one line, exit 1, and the file readable to its last whole record", async () => {
  const dir = await tempDir();
  const mount = `${dir}/tiny`;
  await Deno.mkdir(mount);
  await sh("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mount]);
  try {
    // Four copies of mixed.pcap's packets are more than 64 KiB.
    const big = `${dir}/big.pcap`;
    const merged = await new Deno.Command("mergecap", {
      args: ["-F", "pcap", "-w", big, ...Array(30).fill(fixture("mixed.pcap"))],
    }).output();
    assert.ok(merged.success);
    const result = await runNetpeek(["-r", big, "-w", `${mount}/out.pcap`]);
    assert.equal(result.code, 1);
    const errors = result.stderr.trimEnd().split("\n").filter((line) =>
      line.startsWith("netpeek:")
    );
    assert.deepEqual(errors, [
      `netpeek: ${mount}/out.pcap: cannot write: No space left on device; ` +
      "the file ends with the last whole record",
    ]);
    const check = await tcpdump(["-r", `${mount}/out.pcap`, "-w", "/dev/null"]);
    assert.equal(check.code, 0, check.stderr);
    const kept = parsePcap(await Deno.readFile(`${mount}/out.pcap`)).records;
    assert.ok(kept.length > 0);
  } finally {
    await sh("umount", [mount]);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an unwritable -w path: one line, exit 1", async () => {
  const result = await runNetpeek(["-r", fixture("mixed.pcap"), "-w", "/nonexistent/dir/out.pcap"]);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr.trimEnd().split("\n").at(-1),
    "netpeek: /nonexistent/dir/out.pcap: cannot create: No such file or directory",
  );
});

Deno.test("-w - into a closed pipe ends quietly, exit 0", async () => {
  const output = await new Deno.Command("bash", {
    args: [
      "-o",
      "pipefail",
      "-c",
      `"${Deno.execPath()}" run ${PERMISSIONS.join(" ")} "${MAIN}" -r "${
        fixture("mixed.pcap")
      }" -w - | head -c 100 >/dev/null`,
    ],
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.doesNotMatch(new TextDecoder().decode(output.stderr), /netpeek: /);
  assert.ok(STATS_LINE instanceof RegExp);
});
