/**
 * Top talkers: the hosts that sent and received the most bytes in a capture file.
 *
 *     deno run --allow-read examples/top_talkers.ts capture.pcap [how-many]
 *
 * @module
 */

import { readCapture } from "../mod.ts";

const [path, howMany = "10"] = Deno.args;
if (!path) {
  console.error("usage: top_talkers.ts CAPTURE [HOW-MANY]");
  Deno.exit(2);
}

const hosts = new Map<string, { packets: number; bytes: number }>();
for await (const packet of readCapture(path)) {
  const ip = packet.ipv4 ?? packet.ipv6;
  if (!ip) continue;
  for (const address of [ip.src, ip.dst]) {
    const host = hosts.get(address) ?? { packets: 0, bytes: 0 };
    host.packets++;
    host.bytes += packet.header.len;
    hosts.set(address, host);
  }
}

const top = [...hosts].sort((a, b) => b[1].bytes - a[1].bytes || a[0].localeCompare(b[0]));
for (const [address, { packets, bytes }] of top.slice(0, Number(howMany))) {
  console.log(
    `${address.padEnd(40)} ${String(packets).padStart(8)} packets ${
      String(bytes).padStart(12)
    } bytes`,
  );
}
