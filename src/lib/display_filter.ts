/**
 * Display filters for scripts: `compileDisplayFilter` turns one of Wireshark's display-filter
 * expressions (`tcp.port == 443 && !tcp.analysis.retransmission`) into a predicate over the
 * library's packets, with the fields and semantics of `netpeek -Y` (see docs/filters.md).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CapturedPacket, compileDisplayFilter } from "../../mod.ts";
 * const udpTo53 = new Uint8Array([0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 17, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2, 0x13, 0x88, 0x00, 0x35, 0, 8, 0, 0]);
 * const matches = compileDisplayFilter("udp.dstport == 53 && ip.addr == 198.51.100.0/24");
 * assert.equal(matches(CapturedPacket.of(udpTo53, 101)), true);
 * assert.equal(compileDisplayFilter("tcp")(CapturedPacket.of(udpTo53, 101)), false);
 * ```
 * @module
 */

import { FlowTracker } from "../analysis/flows.ts";
import { compileFilter } from "../filter/compile.ts";
import { FilterFrame } from "../filter/frame.ts";
import type { CapturedPacket } from "./packet.ts";

/**
 * Compiles a display filter into a predicate; throws `DisplayFilterError` (with the place
 * that is wrong) for an expression it cannot read. The predicate keeps what tshark keeps
 * across a capture: `frame.number`, the times relative to the first frame, `tcp.stream`,
 * `udp.stream` and the TCP analysis count the packets it is given, so give it every packet,
 * in order, when the expression uses them.
 */
export function compileDisplayFilter(expression: string): (packet: CapturedPacket) => boolean {
  const filter = compileFilter(expression);
  const frame = new FilterFrame();
  const flows = filter.needsAnalysis || filter.needsStreams
    ? new FlowTracker({
      summary: false,
      analysis: filter.needsAnalysis,
      streams: filter.needsStreams,
    })
    : undefined;
  return (packet) => {
    const layers = packet.layers;
    frame.next(layers, packet.header);
    if (flows !== undefined) frame.followed(flows.observe(layers, packet.header), flows);
    return filter.matches(frame);
  };
}
