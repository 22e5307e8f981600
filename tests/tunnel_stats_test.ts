/**
 * `--stats` on tunnels: each frame counts in the protocol hierarchy under every layer it holds,
 * its tunnels' and the packets' inside them included; and each IP header it holds counts its
 * own conversation, outer and inner alike. The references are tshark's: for the hierarchy, the
 * frames whose `frame.protocols` name the layer; for conversations, `-z conv,ip`.
 */

import assert from "node:assert/strict";
import { output } from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const FIXTURES = new URL("./fixtures/protocols/", import.meta.url);
/** netpeek's layer names and the tshark protocols they stand for. */
const TSHARK_NAMES: Record<string, string[]> = {
  eth: ["eth"],
  ipv4: ["ip"],
  ipv6: ["ipv6"],
  tcp: ["tcp"],
  udp: ["udp"],
  icmp: ["icmp"],
  icmpv6: ["icmpv6"],
  arp: ["arp"],
  vxlan: ["vxlan"],
  gre: ["gre"],
  geneve: ["geneve"],
  mpls: ["mpls"],
  nsh: ["nsh"],
  llc: ["llc"],
  stp: ["stp"],
  macsec: ["macsec"],
  pppoe: ["pppoed", "pppoes"],
  erspan: ["erspan"],
};

Deno.test("--stats counts each tunnel, and what it carries, in the hierarchy as tshark does", async () => {
  let compared = 0;
  const dir = await Deno.makeTempDir();
  for (
    const name of ["vxlan", "gre", "geneve", "mpls", "nsh", "macsec", "pppoe", "llc", "erspan"]
  ) {
    // Frames netpeek finds impossible it stops at, where tshark may read on: left out.
    const fixture = new URL(`${name}.pcap`, FIXTURES).pathname;
    const impossible = (await runNetpeek(["--json", "-r", fixture])).stdout.trimEnd().split("\n")
      .flatMap((line, i) => JSON.parse(line).error !== undefined ? [String(i + 1)] : []);
    // PPP with an address and control field, which RFC 2516 leaves out of PPPoE: tcpdump and
    // netpeek skip it, tshark reads it as protocol 0xff.
    const addressed =
      (await output("tshark", ["-r", fixture, "-T", "fields", "-e", "ppp.protocol"]))
        .trimEnd().split("\n").flatMap((value, i) => Number(value) === 0xff ? [String(i + 1)] : []);
    impossible.push(...addressed);
    const path = `${dir}/${name}.pcap`;
    await output("editcap", [fixture, path, ...impossible]);
    const protocols =
      (await output("tshark", ["-r", path, "-T", "fields", "-e", "frame.protocols"]))
        .trimEnd().split("\n").map((line) => new Set(line.split(":")));
    const stats = JSON.parse((await runNetpeek(["--stats", "--json", "-r", path])).stdout);
    const hierarchy: Record<string, { frames: number }> = stats.hierarchy;
    assert.ok(
      hierarchy[name === "pppoe" ? "pppoe" : name]?.frames > 0,
      `${name}: ${JSON.stringify(hierarchy)}`,
    );
    for (const [layer, names] of Object.entries(TSHARK_NAMES)) {
      // tcpdump does not follow NSH's next protocol MPLS, nor does netpeek; tshark does.
      if (name === "nsh" && layer === "mpls") continue;
      const theirs = protocols.filter((set) => names.some((n) => set.has(n))).length;
      assert.equal(hierarchy[layer]?.frames ?? 0, theirs, `${name}.pcap: ${layer}`);
      compared += theirs;
    }
  }
  assert.ok(compared > 300, `${compared}`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--stats counts a tunnelled packet's conversation and its tunnel's, as tshark -z conv,ip", async () => {
  const path = new URL("vxlan.pcap", FIXTURES).pathname;
  const table = await output("tshark", ["-r", path, "-q", "-z", "conv,ip"]);
  const theirs = [...table.matchAll(/^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+\S+(?:\s+\S+)?\s+(\d+)/gm)]
    .map(([, a, b]) => [a, b].sort().join(" "));
  const stats = JSON.parse((await runNetpeek(["--stats", "--json", "-r", path])).stdout);
  const ours = new Set(
    stats.conversations.filter((c: { protocol: string }) =>
      c.protocol === "ipv4" || c.protocol === "tcp" || c.protocol === "udp" || c.protocol === "icmp"
    )
      .map((c: { a: { address: string }; b: { address: string } }) =>
        [c.a.address, c.b.address].sort().join(" ")
      ),
  );
  assert.ok(theirs.length >= 2, table);
  for (const pair of theirs) assert.ok(ours.has(pair), `${pair} not in ${[...ours].join(", ")}`);
});
