/**
 * The command line as a user meets it: help, version, interface list, and the one-line
 * errors with their exit codes (usage 2, runtime 1), including a missing libpcap and a user
 * without capture permission.
 */

import assert from "node:assert/strict";
import { parseCommandLine, parseDuration, UsageError } from "../src/cli/args.ts";
import { MAIN, PERMISSIONS, runNetpeek, sh, STATS_LINE } from "./netpeek_process.ts";

/** stderr must be exactly one line: no stack trace, no second thoughts. */
function assertOneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line of stderr, got:\n${stderr}`);
  return lines[0];
}

Deno.test("parseCommandLine: defaults, flags and the interface", () => {
  const defaults = parseCommandLine([]);
  assert.equal(defaults.interface, undefined);
  assert.equal(defaults.snaplen, 262144);
  assert.equal(defaults.promisc, true);
  assert.equal(defaults.hex, "none");
  const options = parseCommandLine(["-p", "-s", "96", "-B", "4096", "-v", "-e", "-X", "lo"]);
  assert.deepEqual(
    [options.words, options.promisc, options.snaplen, options.bufferSize, options.hex],
    [["lo"], false, 96, 4096 * 1024, "ascii"],
  );
  assert.equal(parseCommandLine(["-i", "eth0", "-c", "7"]).count, 7);
  assert.equal(defaults.bufferPackets, 200_000);
  assert.equal(parseCommandLine(["--buffer-packets", "2000"]).bufferPackets, 2000);
  const files = parseCommandLine(["-w", "out", "-C", "1.5", "-W", "4", "-G", "60", "-U", "tcp"]);
  assert.deepEqual(
    [files.write, files.sizeLimit, files.fileCount, files.interval, files.packetBuffered],
    ["out", 1_500_000, 4, 60, true],
  );
  assert.deepEqual(files.words, ["tcp"]);
  assert.equal(parseCommandLine(["--time-stamp-precision", "nano"]).nanosecond, true);
  assert.equal(parseDuration("90"), 90_000);
  assert.equal(parseDuration("1h"), 3_600_000);
});

Deno.test("parseCommandLine: mistakes are UsageErrors with a plain message", () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /^Unknown option '--bogus'$/],
    [["-c", "0"], /--count wants a positive whole number, not "0"/],
    [["-c", "ten"], /--count wants a positive whole number, not "ten"/],
    [["-s", "300000"], /--snaplen is at most 262144/],
    [["--duration", "soon"], /--duration wants a time/],
    [["--time-stamp-precision", "pico"], /micro or nano/],
    [["--json", "-x"], /do not mix/],
    [["-r", "a.pcap", "-i", "eth0"], /-r reads a file and -i captures live/],
    [["--tui", "-r", "-"], /--tui reads its keys from standard input: give -r a file, not -/],
    [["-f", "tcp", "-F", "filter.txt"], /give the filter once/],
    [["-i", "lo", "-f", "tcp", "udp"], /give the filter once/],
    [["--pcapng"], /--pcapng goes with -w/],
    [["-C", "10"], /-C goes with -w/],
    [["-w", "x.pcap", "-W", "3"], /-W goes with -C or -G/],
    [["-w", "-", "--print"], /-w - writes the capture to standard output/],
    [["-w", "x.pcap", "-C", "big"], /-C wants a size in millions of bytes/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseCommandLine(args), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("--help and --version", async () => {
  const help = await runNetpeek(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^netpeek: capture and decode network packets\./);
  assert.match(help.stdout, /--list-interfaces/);
  const version = await runNetpeek(["--version"]);
  assert.equal(version.code, 0);
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assert.match(version.stdout, new RegExp(`^netpeek ${denoJson.version}\nlibpcap version \\d`));
});

Deno.test("a bad option: one line, exit 2", async () => {
  const result = await runNetpeek(["--colour"]);
  assert.equal(result.code, 2);
  assert.equal(assertOneLine(result.stderr), "netpeek: Unknown option '--colour'; see --help");
  const count = await runNetpeek(["-c", "0", "-i", "lo"]);
  assert.equal(count.code, 2);
  assert.match(assertOneLine(count.stderr), /^netpeek: --count wants a positive whole number/);
});

Deno.test("an unknown interface: one line naming it and --list-interfaces, exit 1", async () => {
  const result = await runNetpeek(["-i", "eth9"]);
  assert.equal(result.code, 1);
  assert.equal(
    assertOneLine(result.stderr),
    "netpeek: eth9: no such device; see --list-interfaces",
  );
  assert.equal(result.stdout, "");
});

Deno.test("an interface that is down: says how to bring it up, exit 1", async () => {
  const name = `npdn${Deno.pid % 100000}`;
  await sh("ip", ["link", "add", name, "type", "veth", "peer", "name", `${name}p`]);
  try {
    const result = await runNetpeek(["-i", name, "-c", "1"]);
    assert.equal(result.code, 1);
    assert.equal(
      assertOneLine(result.stderr),
      `netpeek: ${name}: interface is down; bring it up (ip link set ${name} up) ` +
        "or pick another, see --list-interfaces",
    );
  } finally {
    await sh("ip", ["link", "del", name]);
  }
});

Deno.test("without an interface it picks an up, non-loopback one, as tcpdump does", async () => {
  const links = JSON.parse(await sh("ip", ["-j", "link", "show", "up"])) as {
    ifname: string;
    flags: string[];
  }[];
  const candidates = links.filter((link) => link.ifname && !link.flags.includes("LOOPBACK"))
    .map((link) => link.ifname);
  const result = await runNetpeek(["--duration", "0.5", "-p"]);
  if (candidates.length === 0) {
    assert.equal(result.code, 1);
    assert.match(assertOneLine(result.stderr), /no interface to capture on is up/);
    return;
  }
  assert.equal(result.code, 0, result.stderr);
  const chosen = result.stderr.match(/^listening on (\S+), /m)?.[1];
  assert.ok(chosen && candidates.includes(chosen), `chose ${chosen}, not one of ${candidates}`);
});

Deno.test("libpcap missing: one line naming what was tried and what to do, exit 1", async () => {
  const result = await runNetpeek(["-i", "lo"], {
    env: { NETPEEK_LIBPCAP: "/nonexistent/libpcap.so.1" },
  });
  assert.equal(result.code, 1);
  const line = assertOneLine(result.stderr);
  assert.match(
    line,
    /^netpeek: cannot load libpcap from NETPEEK_LIBPCAP=\/nonexistent\/libpcap\.so\.1: /,
  );
  assert.match(line, /point it at libpcap's shared library or unset it$/);
});

Deno.test("--list-interfaces shows names, addresses and flags", async () => {
  const result = await runNetpeek(["-D"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^\d+\.lo \[Up, Running, Loopback\]$/m);
  assert.match(result.stdout, /^ {4}ipv4 {2}127\.0\.0\.1 netmask 255\.0\.0\.0$/m);
  for (const line of result.stdout.trimEnd().split("\n")) {
    assert.match(line, /^(\d+\.\S+( \(.*\))? \[.*\]| {4}(ipv4|ipv6|link) +\S+( netmask \S+)?)$/);
  }
});

Deno.test("no permission to capture: says sudo or setcap, exit 1", async () => {
  // A real unprivileged user. It cannot read root's Deno or this checkout, so both are
  // copied to a directory it can read.
  const dir = await Deno.makeTempDir({ prefix: "netpeek-nobody-" });
  try {
    await Deno.chmod(dir, 0o755);
    await Deno.copyFile(Deno.execPath(), `${dir}/deno`);
    await Deno.chmod(`${dir}/deno`, 0o755);
    const root = new URL("..", import.meta.url).pathname;
    await sh("cp", ["-r", `${root}main.ts`, `${root}deno.json`, `${root}src`, dir]);
    await sh("chmod", ["-R", "a+rX", dir]);
    await Deno.mkdir(`${dir}/home`);
    await sh("chown", ["nobody", `${dir}/home`]);
    const output = await new Deno.Command("setpriv", {
      args: [
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        `${dir}/deno`,
        "run",
        ...PERMISSIONS,
        `${dir}/main.ts`,
        "-i",
        "lo",
        "-c",
        "1",
      ],
      env: { HOME: `${dir}/home`, DENO_DIR: `${dir}/home/deno`, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 1, stderr);
    const line = assertOneLine(stderr);
    assert.match(line, /^netpeek: lo: permission denied/);
    assert.match(line, /run with sudo, or once: sudo setcap cap_net_raw,cap_net_admin=eip/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a closed pipe (| head -2) ends the run quietly, exit 0, statistics printed", async () => {
  const [command, args] = ["bash", [
    "-o",
    "pipefail",
    "-c",
    `"${Deno.execPath()}" run ${PERMISSIONS.join(" ")} "${MAIN}" -i lo --duration 15 ` +
    `2>"$STDERR_FILE" | head -n 2`,
  ]];
  const stderrFile = await Deno.makeTempFile();
  try {
    const child = new Deno.Command(command, {
      args,
      env: { STDERR_FILE: stderrFile },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const started = Date.now();
    // Traffic until the pipeline ends; bounded to 10 s.
    while (Date.now() - started < 10_000) {
      const stderr = await Deno.readTextFile(stderrFile);
      if (stderr.includes("listening on")) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ping = new Deno.Command("ping", {
      args: ["-c", "20", "-i", "0.2", "-W", "1", "127.0.0.1"],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const output = await child.output();
    ping.kill();
    await ping.status;
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = await Deno.readTextFile(stderrFile);
    assert.equal(output.code, 0, `pipeline status; netpeek said: ${stderr}`);
    assert.equal(stdout.trimEnd().split("\n").length, 2);
    assert.ok(Date.now() - started < 12_000, "netpeek did not stop at the closed pipe");
    assert.match(stderr, STATS_LINE);
    assert.doesNotMatch(stderr, /error|Error/);
  } finally {
    await Deno.remove(stderrFile);
  }
});
