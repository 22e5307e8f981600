/**
 * VXLAN's words as tcpdump 4.99 prints them after the UDP ports:
 * `VXLAN, flags [I] (0x08), vni 100`; the frame it carries follows on a line of its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VxlanHeader } from "../decode/mod.ts";
 * import { vxlanText } from "./vxlan.ts";
 * const bytes = new Uint8Array([0x08, 0, 0, 0, 0, 0, 100, 0]);
 * const vxlan = new VxlanHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.equal(vxlanText(vxlan), "VXLAN, flags [I] (0x08), vni 100");
 * ```
 * @module
 */

import type { VxlanHeader } from "../decode/mod.ts";

/** tcpdump's words for a VXLAN header. */
export function vxlanText(vxlan: VxlanHeader): string {
  const flags = vxlan.flags;
  return `VXLAN, flags [${vxlan.vniValid ? "I" : "invalid"}] (0x${
    flags.toString(16).padStart(2, "0")
  }), vni ${vxlan.vni}`;
}
