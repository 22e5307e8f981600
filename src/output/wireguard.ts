/**
 * WireGuard's output: tcpdump prints a plain UDP line; netpeek adds the message's type and
 * indices after it, as tshark names them: `: WireGuard Handshake Initiation, sender
 * 0x44332211`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WireGuardMessage } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeWireGuardHint } from "./wireguard.ts";
 * const bytes = new Uint8Array(148);
 * bytes.set([1, 0, 0, 0, 0x11, 0x22, 0x33, 0x44]);
 * const out = new ByteWriter();
 * writeWireGuardHint(out, new WireGuardMessage().bind(new DataView(bytes.buffer), 0, 148));
 * assert.equal(out.toString(), ": WireGuard Handshake Initiation, sender 0x44332211");
 * ```
 * @module
 */

import type { WireGuardMessage } from "../decode/mod.ts";
import type { ByteWriter } from "./bytes.ts";

function index(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

/** `: WireGuard <type>` with its sender, receiver and counter. */
export function writeWireGuardHint(out: ByteWriter, wg: WireGuardMessage): void {
  let text = `: WireGuard ${wg.typeName}`;
  const sender = wg.sender;
  if (sender !== undefined) text += `, sender ${index(sender)}`;
  const receiver = wg.receiver;
  if (receiver !== undefined) text += `, receiver ${index(receiver)}`;
  const counter = wg.counter;
  if (counter !== undefined) text += `, counter ${counter}`;
  out.text(text);
}
