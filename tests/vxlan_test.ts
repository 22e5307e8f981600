/**
 * VXLAN against tcpdump and tshark: a real tunnel the kernel makes between two namespaces over
 * a veth pair (the underlay on 198.51.100.0/24, the overlay on 192.0.2.0/24), pings and an
 * HTTP exchange through it, captured on the underlay. The text (default, `-e`, `-v`) begins
 * with tcpdump's, outer line and inner line; the VXLAN fields and the inner packet's addresses
 * and ports equal tshark's. tcpdump's own VXLAN captures are read too.
 *
 * tests/fixtures/protocols/vxlan.pcap is this test's capture (kept with
 * `NETPEEK_KEEP_CAPTURES`), for the tests that read every fixture.
 */

import assert from "node:assert/strict";
import { VXLAN_FIELDS, type VxlanHeader } from "../src/decode/mod.ts";
import {
  compareFields,
  compareInner,
  compareText,
  type FieldCheck,
  keepCapture,
  output,
  stopServers,
} from "./protocol_check.ts";
import { curlWhenUp, hasCommand, NetpeekProcess, sh } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);

const VXLAN_CHECK: FieldCheck<VxlanHeader> = {
  fields: VXLAN_FIELDS,
  layer: (packet) => packet.vxlan,
};

/** Compares a capture's text at three levels, its VXLAN fields and its inner packets. */
async function checkFile(path: string): Promise<{ lines: number; fields: number; inner: number }> {
  let lines = 0;
  for (const flags of [[], ["-e"], ["-v"]]) lines += await compareText(path, () => true, flags);
  return {
    lines,
    fields: await compareFields(path, VXLAN_CHECK),
    inner: await compareInner(path),
  };
}

Deno.test("VXLAN in tcpdump's captures: outer and inner lines as tcpdump's, fields as tshark's", async () => {
  for (const name of ["vxlan.pcap", "gso-ipv4-vxlan-ipv6.pcap"]) {
    const { lines, fields, inner } = await checkFile(new URL(name, CORPUS).pathname);
    assert.ok(lines >= 3 && fields >= 1 && inner >= 1, `${name}: ${lines} ${fields} ${inner}`);
  }
});

Deno.test({
  name: "a VXLAN tunnel made by the kernel: pings and HTTP through it, captured on the underlay",
  ignore: !(await hasCommand("curl")),
  fn: async () => {
    const tag = `${Deno.pid % 100000}${Math.floor(Math.random() * 100)}`;
    const [left, right] = [`netpeek-vl-${tag}`, `netpeek-vr-${tag}`];
    const dir = await Deno.makeTempDir();
    const servers: Deno.ChildProcess[] = [];
    await sh("ip", ["netns", "add", left]);
    await sh("ip", ["netns", "add", right]);
    try {
      await sh("ip", [
        "link",
        "add",
        `vxu${tag}`,
        "netns",
        left,
        "type",
        "veth",
        "peer",
        "name",
        `vxd${tag}`,
        "netns",
        right,
      ]);
      const ends: [string, string, string, string, string][] = [
        [left, `vxu${tag}`, "198.51.100.1", "198.51.100.2", "192.0.2.1"],
        [right, `vxd${tag}`, "198.51.100.2", "198.51.100.1", "192.0.2.2"],
      ];
      for (const [ns, link, local, remote, overlay] of ends) {
        await sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
        await sh("ip", ["-n", ns, "addr", "add", `${local}/24`, "dev", link]);
        await sh("ip", ["-n", ns, "link", "set", link, "up"]);
        await sh("ip", [
          "-n",
          ns,
          "link",
          "add",
          "vx0",
          "type",
          "vxlan",
          "id",
          "42",
          "local",
          local,
          "remote",
          remote,
          "dstport",
          "4789",
          "dev",
          link,
        ]);
        // No IPv6 link-local address: the overlay carries the test's traffic alone.
        await sh("ip", ["-n", ns, "link", "set", "vx0", "addrgenmode", "none"]);
        await sh("ip", ["-n", ns, "addr", "add", `${overlay}/24`, "dev", "vx0"]);
        await sh("ip", ["-n", ns, "link", "set", "vx0", "up"]);
      }
      await Deno.writeTextFile(
        `${dir}/server.ts`,
        `Deno.serve({ hostname: "192.0.2.2", port: 80, onListen() {} }, () => new Response("through the tunnel\\n"));`,
      );
      servers.push(
        new Deno.Command("ip", {
          args: ["netns", "exec", right, Deno.execPath(), "run", "--allow-net", `${dir}/server.ts`],
          stdout: "null",
          stderr: "null",
        }).spawn(),
      );
      const path = `${dir}/vxlan.pcap`;
      const capture = new NetpeekProcess(
        ["-i", `vxu${tag}`, "-w", path, "--duration", "60", "udp", "port", "4789"],
        ["ip", "netns", "exec", left],
      );
      await capture.listening();
      await sh("ip", [
        "netns",
        "exec",
        left,
        "ping",
        "-c",
        "3",
        "-i",
        "0.2",
        "-W",
        "2",
        "192.0.2.2",
      ]);
      // The server is up once curl gets its answer (at most five seconds).
      const page = await curlWhenUp(left, "http://192.0.2.2/");
      assert.equal(page, "through the tunnel\n");
      capture.child.kill("SIGINT");
      assert.equal((await capture.finished()).code, 0);
      await keepCapture(path, "vxlan.pcap");
      const { lines, fields, inner } = await checkFile(path);
      // Three pings and their replies, a TCP handshake, a request, an answer, the close.
      assert.ok(inner >= 12, `only ${inner} inner packets`);
      assert.ok(fields >= inner && lines >= 3 * inner, `${lines} lines, ${fields} fields`);
      const text = await output("tcpdump", ["-n", "-r", path]);
      assert.ok(text.includes("vni 42\nIP 192.0.2.1 > 192.0.2.2: ICMP echo request"), text);
    } finally {
      await stopServers(servers);
      await sh("ip", ["netns", "del", left]);
      await sh("ip", ["netns", "del", right]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
