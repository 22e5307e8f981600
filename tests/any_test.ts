/**
 * `-i any` as tcpdump 4.99 shows it, on a real capture: a namespace with its loopback and one
 * end of a veth pair, pings on both, captured on `any`. The capture is LINUX_SLL2; each line
 * names its interface and direction exactly as `tcpdump -n -r` (run in the same namespace, so
 * that it names the same indexes) prints them; the JSON carries name and direction, and the
 * cooked header's fields equal tshark's. `-Q in`/`-Q out` keep one direction, `-L` lists what
 * tcpdump lists, `-y` sets a type and `-i N` takes `-D`'s number.
 */

import assert from "node:assert/strict";
import { SLL_FIELDS, type SllHeader } from "../src/decode/mod.ts";
import { compareFields, type FieldCheck } from "./protocol_check.ts";
import { hasCommand, NetpeekProcess, runNetpeek, sh } from "./netpeek_process.ts";

const SLL_CHECK: FieldCheck<SllHeader> = { fields: SLL_FIELDS, layer: (packet) => packet.sll };

/** Pings sent each way: enough to see both directions, few enough to stay quick. */
const PINGS = 2;

/** A namespace with `lo` up and a veth to a second one, 198.51.100.1 ⇄ 198.51.100.2. */
async function makeNamespaces(tag: string): Promise<{ ns: string; peer: string; veth: string }> {
  const [ns, peer, veth] = [`netpeek-al-${tag}`, `netpeek-ar-${tag}`, `anyv${tag}`];
  await sh("ip", ["netns", "add", ns]);
  await sh("ip", ["netns", "add", peer]);
  await sh("ip", [
    "link",
    "add",
    veth,
    "netns",
    ns,
    "type",
    "veth",
    "peer",
    "name",
    `anyp${tag}`,
    "netns",
    peer,
  ]);
  for (
    const [space, link, address] of [[ns, veth, "198.51.100.1"], [
      peer,
      `anyp${tag}`,
      "198.51.100.2",
    ]]
  ) {
    await sh("ip", ["-n", space, "link", "set", "lo", "up"]);
    // No IPv6 link-local address, so no router solicitations in the capture.
    await sh("ip", ["-n", space, "link", "set", link, "addrgenmode", "none"]);
    await sh("ip", ["-n", space, "addr", "add", `${address}/24`, "dev", link]);
    await sh("ip", ["-n", space, "link", "set", link, "up"]);
  }
  return { ns, peer, veth };
}

async function removeNamespaces(...names: string[]): Promise<void> {
  for (const name of names) await sh("ip", ["netns", "delete", name]).catch(() => {});
}

/** Pings `address` from inside `ns`, `PINGS` times. */
async function ping(ns: string, address: string): Promise<void> {
  await sh("ip", [
    "netns",
    "exec",
    ns,
    "ping",
    "-c",
    String(PINGS),
    "-i",
    "0.2",
    "-W",
    "2",
    address,
  ]);
}

/** Captures ICMP on `any` in `ns` while `traffic` runs; returns the printed lines. */
async function captureAny(
  ns: string,
  args: string[],
  expectedLines: number,
  traffic: () => Promise<void>,
): Promise<{ lines: string[]; stderr: string }> {
  const capture = new NetpeekProcess(
    ["-i", "any", "--duration", "30", ...args, "icmp"],
    ["ip", "netns", "exec", ns],
  );
  await capture.listening();
  await traffic();
  await capture.waitFor(
    () => capture.stdout.split("\n").length > expectedLines,
    `${expectedLines} lines`,
  );
  capture.child.kill("SIGINT");
  const result = await capture.finished();
  assert.equal(result.code, 0, result.stderr);
  return { lines: result.stdout.trimEnd().split("\n"), stderr: result.stderr };
}

Deno.test({
  name: "-i any: lo and a veth in one capture, each line naming its interface and direction",
  ignore: !(await hasCommand("tcpdump")) || !(await hasCommand("tshark")),
  fn: async () => {
    const tag = `${Deno.pid % 10000}${Math.floor(Math.random() * 100)}`;
    const { ns, peer, veth } = await makeNamespaces(tag);
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/any.pcap`;
      // Loopback: each ping seen once, coming in; the veth: requests out, replies in.
      const both = await captureAny(ns, ["--print", "-w", path], 4 * PINGS, async () => {
        await ping(ns, "127.0.0.1");
        await ping(ns, "198.51.100.2");
      });
      assert.match(both.stderr, /listening on any, link-type LINUX_SLL2 \(Linux cooked v2\)/);

      // tcpdump reads the file in the same namespace, so it names the same indexes.
      const tcpdump = (await sh("ip", ["netns", "exec", ns, "tcpdump", "-n", "-r", path]))
        .trimEnd().split("\n");
      assert.deepEqual(both.lines, tcpdump);
      const replayed = await runNetpeek(["-r", path], { prefix: ["ip", "netns", "exec", ns] });
      assert.deepEqual(replayed.stdout.trimEnd().split("\n"), tcpdump);
      const withLink = await runNetpeek(["-e", "-r", path], {
        prefix: ["ip", "netns", "exec", ns],
      });
      assert.deepEqual(
        withLink.stdout.trimEnd().split("\n"),
        (await sh("ip", ["netns", "exec", ns, "tcpdump", "-n", "-e", "-r", path]))
          .trimEnd().split("\n"),
      );
      // Guards against a vacuous pass: both interfaces, both directions, as tcpdump pads them.
      const name = (line: string) => line.slice(16, 16 + Math.max(veth.length, 5) + 5);
      const seen = new Set(both.lines.map(name));
      for (const prefix of ["lo    In  ", `${veth} Out `, `${veth} In  `]) {
        assert.ok(
          [...seen].some((start) => start.startsWith(prefix)),
          `no line starts "${prefix}": ${[...seen].join(" | ")}`,
        );
      }

      const json = await runNetpeek(["--json", "-r", path], {
        prefix: ["ip", "netns", "exec", ns],
      });
      const cooked = json.stdout.trimEnd().split("\n").map((line) => JSON.parse(line).sll);
      assert.equal(cooked.length, tcpdump.length);
      tcpdump.forEach((line, i) => {
        const words = line.slice(16).split(/\s+/);
        assert.deepEqual([cooked[i].interfaceName, cooked[i].direction], words.slice(0, 2));
      });
      assert.ok(await compareFields(path, SLL_CHECK) >= 4 * PINGS);

      // -Q: one direction at a time (lo's packets count as received).
      const received = await captureAny(ns, ["-Q", "in"], 3 * PINGS, async () => {
        await ping(ns, "127.0.0.1");
        await ping(ns, "198.51.100.2");
      });
      assert.ok(received.lines.every((line) => / (lo {4}|\S+ )In {2}IP /.test(line)));
      assert.ok(received.lines.some((line) => line.includes(`${veth} In  `)));
      const sent = await captureAny(ns, ["-Q", "out"], PINGS, () => ping(ns, "198.51.100.2"));
      assert.ok(sent.lines.length >= PINGS);
      assert.ok(sent.lines.every((line) => line.includes(`${veth} Out IP 198.51.100.1 >`)));
    } finally {
      await removeNamespaces(ns, peer);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "-L lists what tcpdump -L lists; -y sets a type; -i N is -D's Nth interface",
  ignore: !(await hasCommand("tcpdump")),
  fn: async () => {
    for (const device of ["any", "lo"]) {
      const ours = await runNetpeek(["-L", "-i", device]);
      assert.equal(ours.code, 0, ours.stderr);
      // tcpdump 4.99 writes its list to standard error; netpeek to standard output.
      const theirs = await new Deno.Command("tcpdump", { args: ["-L", "-i", device] }).output();
      assert.equal(ours.stdout, new TextDecoder().decode(theirs.stderr));
    }
    const listed = await runNetpeek(["-D"]);
    const number = listed.stdout.split("\n").find((line) => /^\d+\.lo /.test(line))?.split(".")[0];
    assert.ok(number !== undefined, listed.stdout);
    const byNumber = await runNetpeek(["-L", "-i", number]);
    assert.match(byNumber.stdout, /^Data link types for lo /);
    const tooFar = await runNetpeek(["-i", "999", "-c", "1"]);
    assert.equal(tooFar.code, 1);
    assert.match(
      tooFar.stderr,
      /^netpeek: -i 999: no interface has that number \(-D lists \d+\)\n$/,
    );

    // -y: any captured with LINUX_SLL (v1) instead of the default v2.
    const v1 = await runNetpeek(["-i", "any", "-y", "LINUX_SLL", "--duration", "0.3", "-c", "1"]);
    assert.match(v1.stderr, /link-type LINUX_SLL \(Linux cooked v1\)/);
    const wrong = await runNetpeek(["-i", "lo", "-y", "LINUX_SLL2", "-c", "1"]);
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      /lo: LINUX_SLL2 is not one of its data link types \(EN10MB\); see -L/,
    );
    const unknown = await runNetpeek(["-i", "lo", "-y", "NOSUCH", "-c", "1"]);
    assert.match(unknown.stderr, /^netpeek: invalid data link type NOSUCH; see -L/);
    const direction = await runNetpeek(["-i", "lo", "-Q", "sideways"]);
    assert.equal(direction.code, 2);
    assert.match(direction.stderr, /-Q is in, out or inout, not "sideways"/);
  },
});
