/**
 * MLD (ICMPv6 multicast listener messages, RFC 2710 and RFC 3810) against tcpdump: the Linux
 * kernel's reports and dones of both versions, when a program joins and leaves an IPv6 group
 * in a namespace made here, and tcpdump's captures of queries and version 2 reports. Each
 * MLD packet's text must begin with tcpdump's line.
 */

import assert from "node:assert/strict";
import { compareText } from "./protocol_check.ts";
import { NetpeekProcess, sh } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const isMld = (packet: string) => packet.includes("multicast listener");

Deno.test("MLD in tcpdump's captures: queries and version 2 reports as tcpdump prints them", async () => {
  let lines = 0;
  for (const name of ["icmpv6.pcap", "icmpv6-ra-pref64.pcap", "icmpv6-ns-nonce.pcap"]) {
    lines += await compareText(new URL(name, CORPUS).pathname, isMld);
  }
  assert.ok(lines >= 4, `only ${lines} MLD lines compared`);
});

Deno.test("MLD from the kernel: version 1 and 2 reports and a done, live", async () => {
  const tag = `${Deno.pid % 100000}${Math.floor(Math.random() * 100)}`;
  const ns = `netpeek-m-${tag}`;
  const [outside, inside] = [`nma${tag}`.slice(0, 15), `nmb${tag}`.slice(0, 15)];
  const dir = await Deno.makeTempDir();
  const join = `${dir}/join.ts`;
  // Joins a group for a moment and leaves it: the kernel sends the reports and the done.
  await Deno.writeTextFile(
    join,
    `const [group, index] = Deno.args;
const socket = Deno.listenDatagram({ transport: "udp", hostname: "::", port: 5000 });
const membership = await socket.joinMulticastV6(group, Number(index));
await new Promise((resolve) => setTimeout(resolve, 400));
await membership.leave();
await new Promise((resolve) => setTimeout(resolve, 200));
socket.close();`,
  );
  const inNamespace = (command: string, ...args: string[]) =>
    sh("ip", ["netns", "exec", ns, command, ...args]);
  await sh("ip", ["netns", "add", ns]);
  try {
    await sh("ip", ["link", "add", outside, "type", "veth", "peer", "name", inside, "netns", ns]);
    await sh("ip", ["link", "set", outside, "up"]);
    await sh("ip", ["-n", ns, "link", "set", inside, "up"]);
    await sh("ip", ["-n", ns, "addr", "add", "2001:db8::2/64", "dev", inside, "nodad"]);
    // A link-local address first: MLD messages come from one (RFC 3810 section 5).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const index = (await inNamespace("cat", `/sys/class/net/${inside}/ifindex`)).trim();
    const path = `${dir}/mld.pcap`;
    // "ip6", not "icmp6": MLD comes behind a hop-by-hop header (router alert), which BPF's
    // icmp6 does not look past.
    const capture = new NetpeekProcess(["-i", outside, "-w", path, "--duration", "30", "ip6"]);
    await capture.listening();
    for (const [version, group] of [["2", "ff05::1:3"], ["1", "ff05::1:4"]]) {
      await inNamespace("sysctl", "-qw", `net.ipv6.conf.${inside}.force_mld_version=${version}`);
      await inNamespace(
        Deno.execPath(),
        "run",
        "--allow-net",
        "--unstable-net",
        join,
        group,
        index,
      );
    }
    capture.child.kill("SIGINT");
    const result = await capture.finished();
    assert.equal(result.code, 0, result.stderr);
    const lines = await compareText(path, isMld);
    assert.ok(lines >= 3, `only ${lines} MLD lines compared`);
    const text = await sh("tcpdump", ["-n", "-r", path]);
    for (
      const kind of [
        "multicast listener report v2",
        "multicast listener report",
        "multicast listener done",
      ]
    ) {
      assert.ok(text.includes(kind), `no ${kind} in:\n${text}`);
    }
  } finally {
    await sh("ip", ["netns", "del", ns]).catch(() => {});
    await sh("ip", ["link", "del", outside]).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
