/**
 * Top talkers: the hosts that sent and received the most bytes in a capture file.
 *
 *     deno run --allow-read examples/top_talkers.ts capture.pcap [how-many]
 *
 * Each IP packet counts once for the host that sent it and once for the host it went to (so
 * twice for a host talking to itself, as on `lo`): the counts tshark's `-z endpoints,ip`
 * gives, with what each host sent and received beside them.
 *
 * @module
 */

import { readCapture } from "../mod.ts";

const [path, howMany = "10"] = Deno.args;
if (!path) {
  console.error("usage: top_talkers.ts CAPTURE [HOW-MANY]");
  Deno.exit(2);
}

interface Talker {
  sentPackets: number;
  sentBytes: number;
  receivedPackets: number;
  receivedBytes: number;
}

const hosts = new Map<string, Talker>();
const talker = (address: string): Talker => {
  let host = hosts.get(address);
  if (host === undefined) {
    host = { sentPackets: 0, sentBytes: 0, receivedPackets: 0, receivedBytes: 0 };
    hosts.set(address, host);
  }
  return host;
};
for await (const packet of readCapture(path)) {
  const ip = packet.ipv4 ?? packet.ipv6;
  if (!ip) continue;
  const bytes = packet.header.len;
  const sender = talker(ip.src);
  sender.sentPackets++;
  sender.sentBytes += bytes;
  const receiver = talker(ip.dst);
  receiver.receivedPackets++;
  receiver.receivedBytes += bytes;
}

const total = (host: Talker) => host.sentBytes + host.receivedBytes;
const top = [...hosts].sort((a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]));
for (const [address, host] of top.slice(0, Number(howMany))) {
  const packets = host.sentPackets + host.receivedPackets;
  console.log(
    `${address.padEnd(40)} ${String(packets).padStart(8)} packets ${
      String(total(host)).padStart(12)
    } bytes  sent ${host.sentPackets}/${host.sentBytes}  received ${host.receivedPackets}/${host.receivedBytes}`,
  );
}
