/**
 * The warm-up before a live capture runs every output mode's code over its frames without
 * printing, and its frames are what they claim to be (so it warms the paths real traffic
 * takes, not the error paths).
 */

import assert from "node:assert/strict";
import { Decoder, LINKTYPE_ETHERNET } from "../src/decode/mod.ts";
import { WARM_UP_FRAMES } from "../src/cli/warm_up.ts";

Deno.test("the warm-up frames decode whole: TCP, UDP, DNS, ICMP, IPv6, VLAN and ARP", () => {
  const decoder = new Decoder();
  const kinds = WARM_UP_FRAMES.map((frame) => {
    const packet = decoder.decode(frame, LINKTYPE_ETHERNET, frame.length);
    assert.equal(packet.error, undefined);
    if (packet.ipv4) assert.equal(packet.ipv4.checksumOk, true);
    return [
      packet.vlanCount > 0 ? "vlan" : "",
      packet.ipv6 ? "ipv6" : "",
      packet.arp ? "arp" : "",
      packet.tcp ? "tcp" : "",
      packet.udp ? "udp" : "",
      packet.icmp ? "icmp" : "",
      packet.dns ? "dns" : "",
    ].join("");
  });
  assert.deepEqual(kinds, ["tcp", "tcp", "udp", "udpdns", "icmp", "ipv6udp", "vlanudp", "arp"]);
});

Deno.test("the warm-up runs in every output mode and prints nothing", async () => {
  const script = `
    import { warmUp } from ${
    JSON.stringify(new URL("../src/cli/warm_up.ts", import.meta.url).href)
  };
    for (const json of [false, true]) {
      for (const stats of [false, true]) {
        await warmUp(
          { json, text: { verbose: stats, link: json, hex: stats ? "ascii" : "none" } },
          stats,
        );
      }
    }`;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(output.stderr), "");
  assert.equal(output.success, true);
  assert.equal(output.stdout.length, 0);
});
