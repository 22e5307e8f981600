/**
 * Runs the decode-and-print path over typical frames before a live capture starts. The first
 * packets otherwise meet code V8 has not compiled yet: at a few hundred thousand packets a
 * second they pile up in the kernel's ring during that first fraction of a second, and it
 * drops some. Output goes to a scratch buffer; nothing is printed or counted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { warmUp } from "./warm_up.ts";
 * assert.deepEqual(await warmUp({ json: false, text: { verbose: true } }, false), undefined);
 * ```
 * @module
 */

import { FlowTracker } from "../analysis/flows.ts";
import { Decoder, LINKTYPE_ETHERNET } from "../decode/mod.ts";
import { ByteWriter } from "../output/bytes.ts";
import { loadPacketFormatter, printedAnalysis, type PrintFormat } from "./print_format.ts";

/** Ethernet frames of the common kinds: TCP (ACK, data), UDP, DNS, ICMP, IPv6, VLAN, ARP. */
export const WARM_UP_FRAMES: readonly Uint8Array[] = [
  "0200000000130200000000180800450000340000400040061b960a0108190a0103148d2a00501cc873c245c950a0801002f1a02f00000101080a00000000ffffffff",
  "02000000000102000000001f08004500004f000e4000400616790a010f200a000102937901bb359346563d0410998018028078d600000101080a0000000e0000000d202122232425262728292a2b2c2d2e2f303132333435363738393a",
  "02000000001a02000000002608004500007000044000401116350a0206270a010a1b7a19138f005c4719202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f70717273",
  "02000000003a020000000004080045000039001a4000401118580a0004050a030a3bc150003500254c54001a01000001000000000000076578616d706c6503636f6d0000010001",
  "02000000002702000000002a0800450000541c4640004001f90c0a020a2b0a02072808000000002a0021202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f5051525354555657",
  "02000000000302000000003286dd600000000071114020010db800020000000000000000000320010db80003000000000000000000041770177800710000202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f70717273747576777879202122232425262728292a2b2c2d2e",
  "0200000000200200000000388100006d0800450000801c464000401101c90a0308390a020021e2dc07d0006cd9ba202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f7071727374757677787920212223242526272829",
  "ffffffffffff020000000039080600010800060400010200000000390a03093a0000000000000a030a3b000000000000000000000000000000000000",
].map((hex) => Uint8Array.from(hex.match(/../g)!, (byte) => parseInt(byte, 16)));

/** Rounds over the frames: enough for V8's optimising compiler to take the hot functions. */
const ROUNDS = 3000;

/** Decodes, follows and formats the typical frames `ROUNDS` times, into a scratch buffer. */
export async function warmUp(format: PrintFormat, stats: boolean): Promise<void> {
  const decoder = new Decoder();
  // The analysis the sink computes for this format, so that the same code is warmed.
  const flows = new FlowTracker({ summary: stats, analysis: printedAnalysis(format) });
  const formatPacket = await loadPacketFormatter({
    ...format,
    text: { ...format.text, color: false },
  });
  const out = new ByteWriter();
  const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 0, len: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    for (const frame of WARM_UP_FRAMES) {
      header.fraction = (header.fraction + 1) % 1000000;
      header.caplen = header.len = frame.length;
      const packet = decoder.decode(frame, LINKTYPE_ETHERNET, frame.length);
      const analysis = flows.observe(packet, header);
      formatPacket(out, packet, header, { analysis });
      out.clear();
    }
  }
}
