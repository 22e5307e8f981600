/**
 * A port-scan detector: flags a host that sends SYNs to many ports of another host within a
 * time window (default 20 ports in 10 seconds), live or from a file.
 *
 *     sudo deno run --allow-ffi --allow-read --allow-env examples/syn_scan.ts eth0
 *     deno run --allow-read examples/syn_scan.ts -r capture.pcap [PORTS] [SECONDS]
 *
 * @module
 */

import { capture, type CapturedPacket, readCapture } from "../mod.ts";

const fromFile = Deno.args[0] === "-r";
const [ports = "20", seconds = "10"] = Deno.args.slice(fromFile ? 2 : 1);
const packets: AsyncIterable<CapturedPacket> = fromFile
  ? readCapture(Deno.args[1])
  : capture(Deno.args[0] ?? "any", { filter: "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn" });

/** Per scanner and target: when each port was first tried. */
const tries = new Map<string, Map<number, number>>();
const flagged = new Set<string>();

for await (const packet of packets) {
  const tcp = packet.tcp;
  const ip = packet.ipv4 ?? packet.ipv6;
  if (!tcp || !ip || !tcp.flags.syn || tcp.flags.ack) continue;
  const pair = `${ip.src} ${ip.dst}`;
  const now = packet.time.getTime() / 1000;
  const seen = tries.get(pair) ?? new Map<number, number>();
  tries.set(pair, seen);
  seen.set(tcp.dstPort, seen.get(tcp.dstPort) ?? now);
  for (const [port, first] of seen) if (now - first > Number(seconds)) seen.delete(port);
  if (seen.size >= Number(ports) && !flagged.has(pair)) {
    flagged.add(pair);
    console.log(`${packet.time.toISOString()} ${ip.src} scanned ${seen.size} ports on ${ip.dst}`);
  }
}
