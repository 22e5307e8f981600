/**
 * MPLS against tcpdump and tshark: label stacks of one and two labels (an explicit NULL label,
 * the first nibble guessing IPv4 and IPv6, a payload of neither, multicast's EtherType, a stack
 * that runs past the frame), on Ethernet and in UDP (RFC 7510, tcpdump's capture of it). The
 * text (default, `-e`, and `-v`'s label lines) begins with tcpdump's, the labels and the inner
 * packet's addresses equal tshark's. No test makes MPLS live: this kernel has no MPLS routing
 * (`/proc/sys/net/mpls` is missing), so the Ethernet capture is built here.
 *
 * tests/fixtures/protocols/mpls.pcap is that built capture (kept with `NETPEEK_KEEP_CAPTURES`),
 * for the tests that read every fixture.
 */

import assert from "node:assert/strict";
import { MPLS_FIELDS, type MplsStack } from "../src/decode/mod.ts";
import { concat, ethernet, icmpEcho, ip6, ipv4, u16, u32 } from "../scripts/packet_builder.ts";
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
const MPLS_CHECK: FieldCheck<MplsStack> = {
  fields: MPLS_FIELDS,
  layer: (packet) => packet.mpls,
  lists: Object.keys(MPLS_FIELDS),
};

/** A label stack entry (RFC 3032 section 2.1). */
function entry(label: number, tc: number, bottom: boolean, ttl: number): number[] {
  return u32(((label << 12) | (tc << 9) | (bottom ? 0x100 : 0) | ttl) >>> 0);
}

function frames(): Uint8Array[] {
  const ping = ipv4({
    src: "192.0.2.1",
    dst: "192.0.2.2",
    protocol: 1,
    payload: icmpEcho(8, 7, 1, new Uint8Array(16)),
  });
  // An IPv6 header with no next header (59) and nothing after it.
  const empty6 = concat([0x60, 0, 0, 0], u16(0), [59, 64], ip6("2001:db8::1"), ip6("2001:db8::2"));
  const frame = (type: number, payload: Uint8Array) =>
    ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", type, payload);
  return [
    frame(0x8847, concat(entry(100, 0, true, 64), ping)),
    frame(0x8847, concat(entry(1000, 5, false, 64), entry(0, 0, true, 63), ping)),
    frame(0x8848, concat(entry(16, 1, true, 1), ping)),
    frame(0x8847, concat(entry(300, 0, false, 64), entry(2, 0, true, 64), empty6)),
    frame(0x8847, concat(entry(200, 0, true, 64), new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]))),
    // No bottom of stack before the frame ends.
    frame(0x8847, concat(entry(1000, 0, false, 64), entry(1001, 0, false, 64))),
  ];
}

Deno.test("MPLS on Ethernet, built: lines as tcpdump's (default, -e, -v), fields as tshark's", async () => {
  await withBuiltCapture(frames(), "mpls.pcap", async (path) => {
    // tcpdump says "(invalid)" where the stack runs past the frame; netpeek says where.
    const whole = (text: string) => !text.includes("(invalid)");
    const lines = await compareText(path, whole) + await compareText(path, whole, ["-e"]);
    // Five whole packets, twice; the three whose payload tcpdump dumps have a second line.
    assert.equal(lines, 2 * (5 + 3), "five whole packets, twice, with their dumps");
    // A payload of neither IPv4 nor IPv6: tcpdump dumps its bytes, and so does netpeek.
    const dump = (text: string) => text.split("\n").filter((line) => line.startsWith("\t0x"));
    const tcpdumpDump = dump(await output("tcpdump", ["-n", "-r", path]));
    assert.ok(tcpdumpDump.length >= 2);
    assert.deepEqual(
      dump((await runNetpeek(["-r", path], { env: { TZ: "UTC" } })).stdout),
      tcpdumpDump,
    );
    // -v: the labels after the first on lines of their own, the reserved ones named.
    const labels = (text: string) => text.split("\n").filter((line) => line.includes("(label "));
    const theirs = labels(await output("tcpdump", ["-n", "-v", "-r", path]));
    const ours = labels((await runNetpeek(["-v", "-r", path], { env: { TZ: "UTC" } })).stdout);
    assert.equal(ours.length, theirs.length);
    theirs.forEach((line, i) => {
      const cut = line.endsWith(" (invalid)") ? line.slice(0, -" (invalid)".length) : line;
      assert.ok(ours[i].startsWith(cut), `${ours[i]}\n${line}`);
    });
    assert.equal(await compareFields(path, MPLS_CHECK), 6);
    assert.equal(await compareInner(path), 4);
  });
});

Deno.test("MPLS in UDP (tcpdump's capture): lines as tcpdump's, fields as tshark's", async () => {
  const path = new URL("mpls-over-udp.pcap", CORPUS).pathname;
  const lines = await compareText(path, () => true) + await compareText(path, () => true, ["-e"]);
  assert.equal(lines, 4);
  // tshark reads port 6635 as MPLS only when told to.
  const check = { ...MPLS_CHECK, tsharkArgs: ["-d", "udp.port==6635,mpls"] };
  assert.equal(await compareFields(path, check), 2);
  assert.equal(await compareInner(path), 2);
});
