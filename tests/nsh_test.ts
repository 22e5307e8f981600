/**
 * NSH against tcpdump and tshark: tcpdump's capture (MD type 1 carrying IPv4), and a built one
 * (IPv6 and Ethernet inside, the O bit, MD type 2, a next protocol tcpdump does not follow, a
 * length under two words, a header longer than the frame). The text (default, `-e`, `-vv`,
 * `-vvv` with the context headers) begins with tcpdump's; NSH's fields and the inner packet's
 * addresses equal tshark's. Linux has no NSH device, so nothing here is made live.
 *
 * tests/fixtures/protocols/nsh.pcap is the built capture, for the tests that read every fixture.
 */

import assert from "node:assert/strict";
import { NSH_FIELDS, type NshHeader } from "../src/decode/mod.ts";
import {
  concat,
  ethernet,
  icmpEcho,
  ip6,
  ipv4,
  u16,
  u32,
  udp6,
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

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/nsh.pcap", import.meta.url).pathname;
const NSH_CHECK: FieldCheck<NshHeader> = { fields: NSH_FIELDS, layer: (packet) => packet.nsh };

/** An NSH (RFC 8300 section 2.2): O bit, TTL, length in words, MD type, next protocol, SPI, SI. */
function nsh(
  oam: boolean,
  ttl: number,
  words: number,
  mdType: number,
  next: number,
  spi: number,
  si: number,
  context: number[] = [],
): number[] {
  const base = ((oam ? 1 : 0) << 29 | ttl << 22 | words << 16 | mdType << 8 | next) >>> 0;
  return [...u32(base), ...u32(((spi << 8) | si) >>> 0), ...context];
}

function frames(): Uint8Array[] {
  const ping = ipv4({
    src: "192.0.2.1",
    dst: "192.0.2.2",
    protocol: 1,
    payload: icmpEcho(8, 9, 1, new Uint8Array(8)),
  });
  const payload6 = udp6("2001:db8::1", "2001:db8::2", 40000, 9, new Uint8Array(4));
  const ipv6 = concat(
    [0x60, 0, 0, 0],
    u16(payload6.length),
    [17, 64],
    ip6("2001:db8::1"),
    ip6("2001:db8::2"),
    payload6,
  );
  const innerEthernet = ethernet("02:00:00:00:00:04", "02:00:00:00:00:03", 0x0800, ping);
  const frame = (payload: Uint8Array | number[]) =>
    ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", 0x894f, new Uint8Array(payload));
  const md1 = [...u32(1), ...u32(2), ...u32(3), ...u32(4)];
  // MD type 2: one TLV of class 0x0102, type 3, 4 bytes of value.
  const md2 = [...u16(0x0102), 3, 4, ...u32(0xdeadbeef)];
  return [
    frame(concat(nsh(false, 63, 6, 1, 2, 0x10, 255, md1), ipv6)),
    frame(concat(nsh(true, 5, 2, 2, 3, 0xabcdef, 3), innerEthernet)),
    frame(concat(nsh(false, 1, 4, 2, 1, 42, 1, md2), ping)),
    // MPLS after it: tcpdump does not follow, nor does netpeek.
    frame(concat(nsh(false, 1, 2, 2, 5, 42, 1), u32(0x00064140))),
    // A length of one word, under the two every header has.
    frame(concat(nsh(false, 1, 1, 2, 1, 42, 1), ping)),
    // 40 words claimed: more than the frame holds.
    frame(concat(nsh(false, 1, 40, 1, 1, 42, 1), ping)),
  ];
}

Deno.test("NSH in tcpdump's capture: lines as tcpdump's (default, -e, -vv, -vvv), fields as tshark's", async () => {
  for (const flags of [[], ["-e"]]) assert.equal(await compareText(CORPUS, () => true, flags), 1);
  // -vv and -vvv: NSH's line and the context headers (the IPv4 line after them is netpeek's).
  for (const flags of [["-vv"], ["-vvv"]]) {
    const theirs = (await output("tcpdump", ["-n", ...flags, "-r", CORPUS])).split("\n");
    const ours = (await runNetpeek([...flags, "-r", CORPUS], { env: { TZ: "UTC" } })).stdout
      .split("\n");
    const header = theirs.findIndex((line) => line.startsWith("    IP "));
    assert.ok(header >= 1);
    assert.deepEqual(ours.slice(0, header), theirs.slice(0, header));
  }
  assert.equal(await compareFields(CORPUS, NSH_CHECK), 1);
  assert.equal(await compareInner(CORPUS), 1);
});

Deno.test("NSH, built: IPv6 and Ethernet inside, MD type 2, what it cannot follow", async () => {
  await withBuiltCapture(frames(), "nsh.pcap", async (path) => {
    // tcpdump says " (invalid)" where the header is impossible; netpeek says why.
    const whole = (text: string) => !text.includes("invalid");
    assert.equal(await compareText(path, whole), 4);
    assert.equal(await compareText(path, whole, ["-e"]), 4);
    const vv = (text: string) => text.split("\n").filter((line) => line.includes("NSH, "));
    const theirs = vv(await output("tcpdump", ["-n", "-vv", "-r", path]));
    const ours = vv((await runNetpeek(["-vv", "-r", path], { env: { TZ: "UTC" } })).stdout);
    for (let i = 0; i < 4; i++) assert.equal(ours[i], theirs[i]);
    assert.equal(await compareFields(path, NSH_CHECK), 6);
    assert.equal(await compareInner(path), 3);
    const lines = (await runNetpeek(["-r", path])).stdout.trimEnd().split("\n");
    assert.match(lines[3], /service-index 0x1: ERROR: unknown-next-protocol$/);
    assert.match(lines[4], /\[\|nsh: length 1 is under the 2 words every header has\]$/);
    assert.match(lines[5], /\[\|nsh: length 160 is beyond the 46 bytes of the packet\]$/);
  });
});
