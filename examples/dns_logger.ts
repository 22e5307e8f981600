/**
 * A DNS query logger: every question asked and every answer's code, live or from a file.
 *
 *     sudo deno run --allow-ffi --allow-read --allow-env examples/dns_logger.ts eth0
 *     deno run --allow-read examples/dns_logger.ts -r capture.pcap
 *
 * @module
 */

import { capture, type CapturedPacket, readCapture } from "../mod.ts";

const packets: AsyncIterable<CapturedPacket> = Deno.args[0] === "-r"
  ? readCapture(Deno.args[1])
  : capture(Deno.args[0] ?? "any", { filter: "port 53 or port 5353" });

for await (const packet of packets) {
  const dns = packet.dns;
  const ip = packet.ipv4 ?? packet.ipv6;
  const asked = dns?.question;
  if (!asked || !ip) continue;
  const time = packet.time.toISOString();
  const question = `${asked.typeName} ${asked.name}`;
  if (dns.isResponse) {
    console.log(
      `${time} ${ip.src} answered ${question}: ${dns.rcodeName}, ${dns.answerCount} answers`,
    );
  } else {
    console.log(`${time} ${ip.src} asked ${ip.dst} for ${question}`);
  }
}
