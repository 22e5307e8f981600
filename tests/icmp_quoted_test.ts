/**
 * The packet an ICMP error quotes, as the display filter and `-T fields` see it: tshark
 * dissects it as a packet of its own and lists its headers' fields after the frame's
 * (`ip.src` twice, `udp.dstport` and `dns.qry.name` of the datagram that was refused), and its
 * protocols are in the frame (`udp` and `dns` hold for a port unreachable). First live on `lo`,
 * where `dig` asks a closed port over IPv4 and IPv6 and the kernel answers with port
 * unreachables; then built frames for what `lo` cannot make: quoted TCP segments (whole and cut
 * to 8 bytes), a redirect (tshark dissects no application protocol in what it quotes) and a
 * quoted first fragment. Each is held to tshark on the same file.
 * @module
 */

import assert from "node:assert/strict";
import dgram from "node:dgram";
import { hasCommand, runNetpeek } from "./netpeek_process.ts";
import { bothFields, captureLo, output, withBuiltCapture } from "./protocol_check.ts";
import { checksum, concat, ethernet, ip4, ipv4, tcp, u16, udp } from "../scripts/packet_builder.ts";

const hasTshark = await hasCommand("tshark", ["-v"]);
const hasTools = hasTshark && await hasCommand("tcpdump") && await hasCommand("dig", ["-v"]);

/** The fields compared: the frame's and the quoted packet's headers, and DNS inside. */
const FIELDS = [
  "ip.src",
  "ip.dst",
  "ip.proto",
  "ip.ttl",
  "ip.len",
  "ip.id",
  "ip.flags",
  "ipv6.src",
  "ipv6.dst",
  "ipv6.plen",
  "ipv6.nxt",
  "udp.srcport",
  "udp.dstport",
  "udp.length",
  "icmp.type",
  "icmp.code",
  "icmpv6.type",
  "dns.id",
  "dns.qry.name",
  "dns.flags.recdesired",
];

/** The frame numbers an expression selects, by tshark and by netpeek. */
async function bothSelect(path: string, expression: string) {
  const args = ["-r", path, "-Y", expression, "-T", "fields", "-e", "frame.number"];
  const theirs = await output("tshark", ["-n", ...args]);
  const ours = await runNetpeek(args);
  assert.equal(ours.code, 0, ours.stderr);
  return { theirs, ours: ours.stdout };
}

/** DNS's port, where tshark and netpeek both decode DNS. */
const DNS_PORT = 53;

/** Whether nothing listens on UDP `port` at `address` (it can be bound, then let go). */
async function isClosed(address: string, port: number): Promise<boolean> {
  const socket = dgram.createSocket(address.includes(":") ? "udp6" : "udp4");
  const bound = await new Promise<boolean>((resolve) => {
    socket.once("error", () => resolve(false));
    socket.bind(port, address, () => resolve(true));
  });
  if (bound) await new Promise<void>((resolve) => socket.close(resolve));
  return bound;
}

Deno.test({
  name: "a port unreachable for dig's query, live on lo: the quoted headers and DNS as tshark's",
  ignore: !hasTools,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "netpeek-quoted-" });
    const path = `${dir}/unreachable.pcap`;
    try {
      // A loopback address where no DNS server listens, over IPv4 and (if free) IPv6.
      const servers: string[] = [];
      for (const address of ["127.0.0.2", "127.0.0.3", "127.0.0.4"]) {
        if (await isClosed(address, DNS_PORT)) {
          servers.push(address);
          break;
        }
      }
      assert.equal(servers.length, 1, "a DNS server listens on 127.0.0.2 to 127.0.0.4");
      if (await isClosed("::1", DNS_PORT)) servers.push("::1");
      await captureLo(path, `udp port ${DNS_PORT} or icmp or icmp6`, async () => {
        for (const server of servers) {
          // One try: the port unreachable ends it at once ("connection refused").
          await new Deno.Command("dig", {
            args: [`@${server}`, "+tries=1", "+time=2", "quoted.example.test"],
            stdout: "null",
            stderr: "null",
          }).output();
        }
      });
      const { theirs, ours } = await bothFields(path, FIELDS, ["occurrence=a"]);
      // Guard: the errors are there, and tshark lists the quoted headers after the frame's.
      assert.match(theirs, /^127\.0\.0\.\d,127\.0\.0\.1\t.*quoted\.example\.test/m, theirs);
      if (servers.includes("::1")) assert.match(theirs, /::1,::1\t.*quoted\.example\.test/, theirs);
      assert.equal(ours, theirs);
      for (
        const expression of [
          "udp",
          "dns",
          "icmp && udp",
          "icmpv6 && dns",
          `udp.dstport == ${DNS_PORT}`,
          'dns.qry.name == "quoted.example.test" && !icmp && !icmpv6',
          `ip.src == ${servers[0]} && ip.proto == 17`,
        ]
      ) {
        const selected = await bothSelect(path, expression);
        assert.equal(selected.ours, selected.theirs, expression);
      }
      // Not a vacuous pass: the errors match "icmp && udp" in both.
      const errors = await bothSelect(path, "icmp && udp");
      assert.ok(errors.theirs.trim().length > 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** An ICMP message with its checksum over the whole message (RFC 792). */
function icmpMessage(type: number, code: number, rest: number[], body: Uint8Array): Uint8Array {
  const message = concat([type, code, 0, 0], rest, body);
  message.set(u16(checksum(message)), 2);
  return message;
}

Deno.test({
  name: "quoted TCP segments, a redirect and a first fragment: fields and filters as tshark's",
  ignore: !hasTshark,
  fn: async () => {
    const [host, server, router] = ["192.0.2.1", "198.51.100.2", "192.0.2.254"];
    const frame = (src: string, dst: string, protocol: number, payload: Uint8Array, id = 1) =>
      ethernet(
        "02:00:00:00:00:01",
        "02:00:00:00:00:02",
        0x0800,
        ipv4({ src, dst, protocol, payload, id }),
      );
    const segment = (seq: number, ack: number, flags: number) =>
      tcp(ip4(host), ip4(server), { sport: 40002, dport: 80, seq, ack, flags, window: 1000 });
    const quote = (protocol: number, payload: Uint8Array, id: number, bytes?: number) =>
      ipv4({ src: host, dst: server, protocol, payload, id }).subarray(0, bytes);
    const dnsQuery = concat(
      [0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0],
      [7, ...new TextEncoder().encode("example"), 4, ...new TextEncoder().encode("test"), 0],
      u16(1),
      u16(1),
    );
    const dnsDatagram = udp(ip4(host), ip4(server), 40003, 53, dnsQuery);
    const firstFragment = ipv4({
      src: host,
      dst: server,
      protocol: 17,
      payload: udp(ip4(host), ip4(server), 40004, 123, new Uint8Array(48)),
      id: 9,
      flagsOffset: 0x2000,
    }).subarray(0, 28);
    const frames = [
      frame(host, server, 6, segment(5000, 0, 0x02), 2),
      // Fragmentation needed, quoting the whole 20-byte header of an ACK.
      frame(
        router,
        host,
        1,
        icmpMessage(3, 4, [0, 0, 5, 0xdc], quote(6, segment(5001, 9001, 0x18), 3)),
        4,
      ),
      // Time exceeded, quoting 8 bytes of a SYN: ports and sequence number only.
      frame(
        router,
        host,
        1,
        icmpMessage(11, 0, [0, 0, 0, 0], quote(6, segment(7000, 0, 0x02), 5, 28)),
        6,
      ),
      // A redirect quoting a DNS query: tshark dissects its UDP header but not the DNS.
      frame(router, host, 1, icmpMessage(5, 1, ip4(router), quote(17, dnsDatagram, 7)), 8),
      // A port unreachable quoting the same query: DNS dissected.
      frame(server, host, 1, icmpMessage(3, 3, [0, 0, 0, 0], quote(17, dnsDatagram, 7)), 10),
      // A port unreachable quoting a first fragment: not reassembled, its UDP header dissected.
      frame(server, host, 1, icmpMessage(3, 3, [0, 0, 0, 0], firstFragment), 11),
    ];
    await withBuiltCapture(frames, "icmp_quoted.pcap", async (path) => {
      const fields = [
        ...FIELDS,
        "ip.flags.mf",
        "tcp.srcport",
        "tcp.dstport",
        "tcp.seq",
        "tcp.ack",
        "tcp.flags",
        "tcp.hdr_len",
        "tcp.len",
        "tcp.window_size_value",
      ];
      const { theirs, ours } = await bothFields(path, fields, ["occurrence=a"]);
      // Guard: tshark shows the quoted segment's numbers as sent, and the redirect's UDP.
      assert.match(theirs, /\t5001\t9001\t0x0018\t/, theirs);
      assert.match(theirs, /\t40003\t53\t/, theirs);
      assert.equal(ours, theirs);
      for (
        const expression of ["dns", "udp", "tcp.seq == 7000", "tcp.len == 0", "ip.flags.mf == 1"]
      ) {
        const selected = await bothSelect(path, expression);
        assert.equal(selected.ours, selected.theirs, expression);
      }
    });
  },
});
