/**
 * GRE, IPv4 in IP and IPv6 in IP (6in4) against tcpdump and tshark: the text (default and
 * `-e`) begins with tcpdump's, outer and inner packet on one line; GRE's fields and the inner
 * packet's addresses and ports equal tshark's. No test makes these tunnels live: this kernel
 * has no GRE, IPIP or SIT devices (`ip link add … type gre` answers "Unknown device type"). So
 * the capture is built here, with every GRE option and both IP versions outside and inside,
 * and read by tcpdump and tshark as the references; tcpdump's own GRE capture is read too.
 *
 * tests/fixtures/protocols/gre.pcap is the built capture (kept with `NETPEEK_KEEP_CAPTURES`),
 * for the tests that read every fixture.
 */

import assert from "node:assert/strict";
import { GRE_FIELDS, type GreHeader } from "../src/decode/mod.ts";
import {
  checksum,
  concat,
  ethernet,
  icmpEcho,
  ip4,
  ip6,
  ipv4,
  pseudo6,
  tcp,
  u16,
  u32,
} from "../scripts/packet_builder.ts";
import {
  compareFields,
  compareInner,
  compareText,
  type FieldCheck,
  output,
  withBuiltCapture,
} from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const GRE_CHECK: FieldCheck<GreHeader> = { fields: GRE_FIELDS, layer: (packet) => packet.gre };

const [OUTER_A, OUTER_B] = ["192.0.2.10", "198.51.100.20"];
const [OUTER6_A, OUTER6_B] = ["2001:db8::10", "2001:db8:1::20"];
const [INNER_A, INNER_B] = ["192.0.2.1", "192.0.2.2"];
const [INNER6_A, INNER6_B] = ["2001:db8:2::1", "2001:db8:2::2"];
const IPPROTO_IPIP = 4;
const IPPROTO_TCP = 6;
const IPPROTO_IPV6 = 41;
const IPPROTO_GRE = 47;
const IPPROTO_ICMPV6 = 58;

/** An IPv6 header and its payload. */
function ipv6(src: string, dst: string, next: number, payload: Uint8Array): Uint8Array {
  return concat([0x60, 0, 0, 0], u16(payload.length), [next, 64], ip6(src), ip6(dst), payload);
}

/** An ICMPv6 echo request, its checksum over the pseudo-header. */
function icmp6Echo(src: string, dst: string): Uint8Array {
  const message = concat([128, 0, 0, 0], u16(9), u16(1), new Uint8Array(8));
  message.set(u16(checksum(message, pseudo6(src, dst, IPPROTO_ICMPV6, message.length))), 2);
  return message;
}

function gre(flags: number, protocol: number, words: number[], payload: Uint8Array): Uint8Array {
  return concat(u16(flags), u16(protocol), words, payload);
}

/** The frames: GRE with each option, over IPv4 and IPv6, carrying IPv4, IPv6 and Ethernet. */
function frames(): Uint8Array[] {
  const ping = ipv4({
    src: INNER_A,
    dst: INNER_B,
    protocol: 1,
    payload: icmpEcho(8, 7, 1, new Uint8Array(16)),
  });
  const syn = ipv4({
    src: INNER_A,
    dst: INNER_B,
    protocol: IPPROTO_TCP,
    payload: tcp(ip4(INNER_A), ip4(INNER_B), {
      sport: 40000,
      dport: 443,
      seq: 1000,
      ack: 0,
      flags: 0x02,
      window: 64240,
    }),
  });
  const ping6 = ipv6(INNER6_A, INNER6_B, IPPROTO_ICMPV6, icmp6Echo(INNER6_A, INNER6_B));
  const over4 = (protocol: number, payload: Uint8Array) =>
    ethernet(
      "02:00:00:00:00:02",
      "02:00:00:00:00:01",
      0x0800,
      ipv4({ src: OUTER_A, dst: OUTER_B, protocol, payload }),
    );
  const over6 = (next: number, payload: Uint8Array) =>
    ethernet(
      "02:00:00:00:00:02",
      "02:00:00:00:00:01",
      0x86dd,
      ipv6(OUTER6_A, OUTER6_B, next, payload),
    );
  const bridged = ethernet("02:00:00:00:00:04", "02:00:00:00:00:03", 0x0800, ping);
  return [
    over4(IPPROTO_GRE, gre(0x0000, 0x0800, [], ping)),
    over4(IPPROTO_GRE, gre(0x2000, 0x0800, u32(0x28), syn)),
    over4(IPPROTO_GRE, gre(0x1000, 0x0800, u32(5), ping)),
    over4(IPPROTO_GRE, gre(0x8000, 0x0800, [0x12, 0x34, 0, 0], ping)),
    over4(IPPROTO_GRE, gre(0x3000, 0x6558, [...u32(42), ...u32(9)], bridged)),
    over4(IPPROTO_GRE, gre(0x0000, 0x86dd, [], ping6)),
    over4(IPPROTO_GRE, gre(0x0000, 0x8909, [], new Uint8Array(8))),
    over4(IPPROTO_IPIP, ping),
    over4(IPPROTO_IPV6, ping6),
    over6(IPPROTO_GRE, gre(0x2000, 0x86dd, u32(7), ping6)),
    over6(IPPROTO_IPIP, syn),
    over6(IPPROTO_IPV6, ping6),
    // The carried header cut short (the outer lengths say so too).
    over4(IPPROTO_GRE, gre(0x2000, 0x0800, u32(0x28), ping.subarray(0, 10))),
  ];
}

Deno.test("GRE and IP in IP, built: one line as tcpdump's (default and -e), fields as tshark's", async () => {
  await withBuiltCapture(frames(), "gre.pcap", async (path) => {
    const whole = (text: string) => !text.includes("[|");
    const lines = await compareText(path, whole) + await compareText(path, whole, ["-e"]);
    assert.equal(lines, 24, "twelve whole packets, twice");
    // tcpdump ends a header cut short with "[|ip]", netpeek with where and how much.
    const tcpdump = (await output("tcpdump", ["-n", "-r", path])).trimEnd().split("\n");
    const netpeek = (await runNetpeek(["-r", path], { env: { TZ: "UTC" } })).stdout.trimEnd()
      .split("\n");
    const cut = tcpdump.findIndex((line) => line.endsWith(" [|ip]"));
    assert.ok(netpeek[cut].startsWith(tcpdump[cut].slice(0, -"[|ip]".length) + "[|ipv4: "));
    assert.equal(await compareFields(path, GRE_CHECK), 9);
    assert.equal(await compareInner(path), 11);
  });
});

Deno.test("GRE in tcpdump's capture: lines as tcpdump's, fields as tshark's", async () => {
  const path = new URL("various_gre.pcap", CORPUS).pathname;
  const lines = await compareText(path, (text) => text.includes("GREv0"));
  assert.ok(lines >= 30, `only ${lines} lines`);
  // tshark goes on into what 0x8909 (Cisco metadata) carries, IP and a GRE header again;
  // netpeek stops at the first
  // GRE header, as tcpdump does (`gre-proto-0x8909`): the first of tshark's values is compared.
  const firstOccurrence = Object.keys(GRE_FIELDS);
  assert.ok(await compareFields(path, { ...GRE_CHECK, firstOccurrence }) >= 30);
});
