/**
 * 802.2 LLC, SNAP and the spanning tree against tcpdump and tshark: tcpdump's captures (RSTP,
 * MSTP with MSTIs, SPB, Cisco's PVST over SNAP, BPDUs cut short or impossible) and a built one
 * (a configuration and a topology change BPDU, IPv4 under SNAP and under SAP 6, U, S and I
 * frames, an XID). The text (default, `-e`, `-v`) begins with tcpdump's; LLC's and the BPDUs'
 * fields equal tshark's. The kernel's bridges speak STP only between ports of their own, so
 * nothing is captured live here.
 *
 * tests/fixtures/protocols/llc.pcap is the built capture, for the tests that read every fixture.
 */

import assert from "node:assert/strict";
import { LLC_FIELDS, type LlcHeader, STP_FIELDS, type StpBpdu } from "../src/decode/mod.ts";
import { icmpEcho, ipv4, mac, u16, u32 } from "../scripts/packet_builder.ts";
import {
  compareFields,
  compareText,
  type FieldCheck,
  output,
  withBuiltCapture,
} from "./protocol_check.ts";
import { pcapRecords } from "../scripts/make_fixtures.ts";
import { runNetpeek } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const LLC_CHECK: FieldCheck<LlcHeader> = { fields: LLC_FIELDS, layer: (packet) => packet.llc };
const STP_CHECK: FieldCheck<StpBpdu> = {
  fields: STP_FIELDS,
  layer: (packet) => packet.stp,
  // SPB's auxiliary configuration name is filed under the same name, after MSTP's.
  firstOccurrence: ["mstp.config_name"],
};
/** Lines of the protocols netpeek names but does not decode (DTP, CDP): tcpdump's own. */
const spanningTree = (text: string) => text.includes("STP");

/** An 802.3 frame: addresses, the length field, the LLC payload, padding to 60 bytes. */
function ieee8023(dst: string, payload: number[]): Uint8Array {
  const frame = [...mac(dst), ...mac("02:00:00:00:00:01"), ...u16(payload.length), ...payload];
  while (frame.length < 60) frame.push(0);
  return new Uint8Array(frame);
}

const BRIDGE = [0x80, 0x00, ...mac("02:00:00:00:00:0a")];
const timers = [...u16(1 * 256), ...u16(20 * 256), ...u16(2 * 256), ...u16(15 * 256)];

function frames(): Uint8Array[] {
  const stp = (bpdu: number[]) => ieee8023("01:80:c2:00:00:00", [0x42, 0x42, 0x03, ...bpdu]);
  const ping = [
    ...ipv4({
      src: "192.0.2.1",
      dst: "198.51.100.2",
      protocol: 1,
      payload: icmpEcho(8, 7, 1, new Uint8Array(8)),
    }),
  ];
  return [
    // 802.1D configuration BPDU: topology change and its acknowledgement, root path cost 4.
    stp([0, 0, 0, 0, 0x81, ...BRIDGE, ...u32(4), ...BRIDGE, ...u16(0x8002), ...timers]),
    // A topology change notification.
    stp([0, 0, 0, 0x80]),
    // An RST BPDU from a root port, learning and forwarding.
    stp([0, 0, 2, 2, 0x38, ...BRIDGE, ...u32(19), ...BRIDGE, ...u16(0x8001), ...timers, 0]),
    // IPv4 under SNAP (RFC 1042), and under SAP 6 (RFC 948).
    ieee8023("02:00:00:00:00:02", [0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00, ...ping]),
    ieee8023("02:00:00:00:00:02", [0x06, 0x06, 0x03, ...ping]),
    // U frames: a TEST command, an XID with its format identifier, a UA response with Final.
    ieee8023("02:00:00:00:00:02", [0xf0, 0xf0, 0xf3, 1, 2, 3]),
    ieee8023("02:00:00:00:00:02", [0x04, 0x04, 0xbf, 0x81, 0x01, 0x00]),
    ieee8023("02:00:00:00:00:02", [0xf0, 0xf1, 0x73]),
    // An S frame (Receiver Ready, N(R) 5, poll) and an I frame (N(S) 3, N(R) 9).
    ieee8023("02:00:00:00:00:02", [0xf0, 0xf0, 0x01, 0x0b]),
    ieee8023("02:00:00:00:00:02", [0x30, 0x40, 0x06, 0x12, 0xde, 0xad]),
  ];
}

Deno.test("spanning tree in tcpdump's captures: lines as tcpdump's (default, -e, -v), fields as tshark's", async () => {
  const names = [
    "802.1w_rapid_STP.pcap",
    "MSTP_Intra-Region_BPDUs.pcap",
    "spb_bpduv4.pcap",
    "rpvstp-trunk-native-vid5.pcap",
    "stp-v4-length-sigsegv.pcap",
  ];
  let lines = 0;
  let fields = 0;
  for (const name of names) {
    const path = new URL(name, CORPUS).pathname;
    for (const flags of [[], ["-e"], ["-v"]]) {
      // tcpdump ends an impossible BPDU with "(invalid)"; netpeek adds why after it.
      lines += await compareText(path, spanningTree, flags);
    }
    fields += await compareFields(path, STP_CHECK) + await compareFields(path, LLC_CHECK);
  }
  assert.ok(lines >= 3 * (30 + 10 + 25 + 1), `${lines} lines`);
  assert.ok(fields >= 2 * (30 + 10 + 25), `${fields} packets`);
});

Deno.test("LLC and STP, built: BPDUs, IPv4 under SNAP and SAP 6, U, S and I frames", async () => {
  const built = frames();
  await withBuiltCapture(built, "llc.pcap", async (path) => {
    for (const flags of [[], ["-e"], ["-v"]]) {
      // Each frame's line, and the dump tcpdump prints after the three LLC frames it does not
      // decode further; -v adds the BPDUs' and IPv4's lines.
      assert.equal(
        await compareText(path, () => true, flags),
        flags[0] === "-v" ? 19 : built.length + 3,
      );
    }
    // tcpdump dumps the bytes of an LLC frame it does not decode further; so does netpeek.
    const ours = (await runNetpeek(["-r", path], { env: { TZ: "UTC" } })).stdout;
    assert.match(
      ours,
      /Information, send seq 3, rcv seq 9, Flags \[Command\], length 6\n\t0x0000: {2}3040 0612 dead/,
    );
    assert.equal(await compareFields(path, LLC_CHECK), built.length);
    assert.equal(await compareFields(path, STP_CHECK), 3);
    const json = (await runNetpeek(["--json", "-r", path])).stdout.trimEnd().split("\n")
      .map((line) => JSON.parse(line));
    assert.deepEqual(json[1].stp, { version: 0, type: 0x80 });
    assert.deepEqual(json[3].llc, { dsap: 0xaa, ssap: 0xaa, control: 3, oui: 0, pid: 0x0800 });
    assert.equal(json[3].ipv4.dst, "198.51.100.2");
  });
});

Deno.test("an MSTP configuration name holding control and high bytes: printed escaped, as tcpdump -v", async () => {
  const capture = await Deno.readFile(new URL("MSTP_Intra-Region_BPDUs.pcap", CORPUS));
  const record = capture.subarray(24);
  const length = new DataView(record.buffer, record.byteOffset).getUint32(8, true);
  const frame = record.slice(16, 16 + length);
  // "Brewery" as the name: a bell and an é where "ew" was.
  const at = frame.findIndex((_, i) =>
    new TextDecoder().decode(frame.subarray(i, i + 7)) === "Brewery"
  );
  assert.ok(at > 0);
  frame.set([0x07, 0xe9], at + 2);
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(path, pcapRecords(1, [{ seconds: 1767225600, fraction: 0, frame }]));
    const theirs = await output("tcpdump", ["-n", "-v", "-r", path]);
    assert.match(theirs, /MCID Name Br\^GM-iery, rev/);
    const ours = (await runNetpeek(["-v", "-r", path], { env: { TZ: "UTC" } })).stdout;
    const name = (text: string) => /MCID Name [^\n]*/.exec(text)?.[0];
    assert.equal(name(ours), name(theirs));
  } finally {
    await Deno.remove(path);
  }
});
