/**
 * The formatters and the interface list as plain functions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../../mod.ts";
 * import { formatJson } from "../../mod.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 20, 0, 0, 0, 0, 64, 253, 0, 0,
 *   10, 0, 0, 1, 10, 0, 0, 2]), LINKTYPE_RAW);
 * const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 20, len: 20 };
 * assert.deepEqual(formatJson(packet, header).ipv4?.protocol, 253);
 * ```
 * @module
 */

import type { Packet } from "../decode/mod.ts";
import { listInterfaces as list, type NetworkInterface } from "../ffi/interfaces.ts";
import { loadLibpcap } from "../ffi/library.ts";
import { type PacketJson, packetToJson } from "../output/json.ts";
import { TextFormatter, type TextOptions } from "../output/text.ts";
import type { FrameHeader } from "../frame.ts";

/**
 * The packet as netpeek prints it: tcpdump's line (with `-v`, `-e`, `-x` by the options).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../../mod.ts";
 * import { formatText } from "../../mod.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 20, 0, 0, 0, 0, 64, 253, 0, 0,
 *   10, 0, 0, 1, 10, 0, 0, 2]), LINKTYPE_RAW);
 * const header = { seconds: 0, fraction: 0, nanosecond: false, caplen: 20, len: 20 };
 * assert.deepEqual(formatText(packet, header).slice(16), "IP 10.0.0.1 > 10.0.0.2:  ip-proto-253 0\n");
 * ```
 */
export function formatText(packet: Packet, header: FrameHeader, options: TextOptions = {}): string {
  return new TextFormatter(options).format(packet, header);
}

/** The packet as the documented JSON object (docs/json.md). */
export function formatJson(packet: Packet, header: FrameHeader): PacketJson {
  return packetToJson(packet, header);
}

/**
 * The interfaces libpcap can capture on, with addresses and flags (needs libpcap).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listInterfaces } from "../../mod.ts";
 * assert.deepEqual(listInterfaces().some((device) => device.loopback), true);
 * ```
 */
export function listInterfaces(): NetworkInterface[] {
  return list(loadLibpcap());
}
