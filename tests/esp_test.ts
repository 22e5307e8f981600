/**
 * IPsec ESP against tcpdump and tshark, on tcpdump's captures of ESP over IPv4 and of ESP in
 * UDP (NAT traversal): the text begins with tcpdump's (`ESP(spi=0x12345678,seq=0x1)`,
 * `UDP-encap: ESP(…)`), the SPI and sequence number equal tshark's. No test makes ESP live:
 * this kernel has no ESP transform (`ip xfrm state add … proto esp` answers "Requested type
 * not found"), so tcpdump's captures of it are used instead.
 *
 * Port 4500's other words (RFC 3948), and ESP too short for its clear header, are held to
 * tcpdump's on built packets and on tcpdump's own crafted captures: the NAT keep-alive
 * (`isakmp-nat-keep-alive`), a datagram too short for the marker (`[|isakmp_rfc3948]`) and ESP
 * with no byte past its 8 (`[|esp]`).
 *
 * tests/fixtures/protocols/esp.pcap holds frames of two of those captures (ESP over IPv4 and
 * in UDP), for the tests that read every fixture.
 */

import assert from "node:assert/strict";
import { ESP_FIELDS, type EspHeader } from "../src/decode/mod.ts";
import {
  concat,
  ethernet,
  ip4,
  ip6,
  ipv4,
  u16,
  u32,
  udp,
  udp6,
} from "../scripts/packet_builder.ts";
import {
  compareFields,
  compareText,
  type FieldCheck,
  output,
  withBuiltCapture,
} from "./protocol_check.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);

const ESP_CHECK: FieldCheck<EspHeader> = {
  fields: ESP_FIELDS,
  layer: (packet) => packet.esp,
  // tshark reads port 4500 as ESP in UDP only when told to.
  tsharkArgs: ["-o", "esp.enable_encryption_decode:FALSE"],
};

Deno.test("ESP in tcpdump's captures: text as tcpdump's, SPI and sequence as tshark's", async () => {
  let lines = 0;
  let fields = 0;
  for (
    const name of ["02-sunrise-sunset-esp.pcap", "08-sunrise-sunset-esp2.pcap", "espudp1.pcap"]
  ) {
    const path = new URL(name, CORPUS).pathname;
    lines += await compareText(path, (packet) => packet.includes("ESP("));
    fields += await compareFields(path, ESP_CHECK);
  }
  assert.equal(lines, 24);
  assert.ok(fields >= 16, `only ${fields} packets' fields compared`);
});

const [HOST_A, HOST_B] = ["192.0.2.1", "192.0.2.2"];
const [HOST6_A, HOST6_B] = ["2001:db8::1", "2001:db8::2"];
const NAT_T_PORT = 4500;
const IPPROTO_UDP = 17;
const IPPROTO_ESP = 50;
const IPPROTO_HOP_BY_HOP = 0;
/** An ESP header (SPI 0x01020304, sequence 7) and `extra` bytes of what it protects. */
const esp = (extra: number) => concat(u32(0x01020304), u32(7), new Uint8Array(extra).fill(0x7a));

/** The frames: port 4500's datagrams of each length around the limits, ESP of 7 to 9 bytes. */
function natTraversalFrames(): Uint8Array[] {
  const over4 = (protocol: number, payload: Uint8Array, flagsOffset?: number) =>
    ethernet(
      "02:00:00:00:00:02",
      "02:00:00:00:00:01",
      0x0800,
      ipv4({ src: HOST_A, dst: HOST_B, protocol, payload, flagsOffset }),
    );
  const over6 = (next: number, payload: Uint8Array) =>
    ethernet(
      "02:00:00:00:00:02",
      "02:00:00:00:00:01",
      0x86dd,
      concat([0x60, 0, 0, 0], u16(payload.length), [next, 64], ip6(HOST6_A), ip6(HOST6_B), payload),
    );
  const natT = (data: Uint8Array, sport = NAT_T_PORT) =>
    udp(ip4(HOST_A), ip4(HOST_B), sport, NAT_T_PORT, data);
  const natT6 = (data: Uint8Array) => udp6(HOST6_A, HOST6_B, NAT_T_PORT, NAT_T_PORT, data);
  // A first fragment: the UDP length counts the whole datagram, tcpdump's length this part.
  const firstFragment = natT(esp(8));
  firstFragment.set(u16(400), 4);
  return [
    over4(IPPROTO_UDP, natT(new Uint8Array([0xff]))),
    over4(IPPROTO_UDP, natT(new Uint8Array([0x00]))),
    over4(IPPROTO_UDP, natT(new Uint8Array([0xff, 0xff]))),
    over4(IPPROTO_UDP, natT(new Uint8Array([1, 2, 3]))),
    over4(IPPROTO_UDP, natT(new Uint8Array(0))),
    over4(IPPROTO_UDP, natT(esp(0).subarray(0, 4))),
    over4(IPPROTO_UDP, natT(esp(0).subarray(0, 7))),
    over4(IPPROTO_UDP, natT(esp(0))),
    over4(IPPROTO_UDP, natT(esp(1))),
    over4(IPPROTO_UDP, natT(esp(20), 1234)),
    over4(IPPROTO_UDP, firstFragment, 0x2000),
    over4(IPPROTO_ESP, esp(0)),
    over4(IPPROTO_ESP, esp(1)),
    over6(IPPROTO_UDP, natT6(new Uint8Array([0xff]))),
    over6(IPPROTO_UDP, natT6(esp(0))),
    over6(IPPROTO_UDP, natT6(esp(2))),
    over6(IPPROTO_ESP, esp(0).subarray(0, 7)),
    over6(IPPROTO_ESP, esp(0)),
    over6(IPPROTO_ESP, esp(1)),
    over6(IPPROTO_HOP_BY_HOP, concat([IPPROTO_ESP, 0, 1, 4, 0, 0, 0, 0], esp(0))),
  ];
}

Deno.test("UDP port 4500 and ESP cut short, built: tcpdump's keep-alive, [|isakmp_rfc3948] and [|esp]", async () => {
  await withBuiltCapture(natTraversalFrames(), "nat_traversal.pcap", async (path) => {
    let lines = 0;
    for (const flags of [[], ["-v"], ["-vv"]]) lines += await compareText(path, () => true, flags);
    // Twenty packets; with -v (and -vv) the thirteen over IPv4 have their header's line too.
    assert.equal(lines, 20 + 2 * (20 + 13));
    // Guard: each of tcpdump's words is among them.
    const theirs = await output("tcpdump", ["-n", "-r", path]);
    for (
      const words of [
        "isakmp-nat-keep-alive",
        " [|isakmp_rfc3948]",
        "UDP-encap:  [|esp]",
        ":  [|esp]",
        "length 16",
      ]
    ) {
      assert.ok(theirs.includes(words), `tcpdump no longer says ${words}:\n${theirs}`);
    }
  });
});

Deno.test("UDP port 4500 in tcpdump's crafted captures: keep-alives, a marker and ESP cut short", async () => {
  const cases: [string, (packet: string) => boolean, number][] = [
    ["isakmp4500.pcap", (packet) => packet.endsWith("isakmp-nat-keep-alive"), 4],
    ["isakmp-3948-oobr-2.pcap", () => true, 1],
    ["esp_truncated.pcap", () => true, 1],
  ];
  for (const [name, pick, count] of cases) {
    const path = new URL(name, CORPUS).pathname;
    assert.equal(await compareText(path, pick), count, name);
  }
});
