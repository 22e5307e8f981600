/**
 * An MPLS label stack's words as tcpdump 4.99 prints them: `MPLS (label 100, tc 0, [S], ttl
 * 64)`, one parenthesis a label; with `-v` each label after the first on a line of its own and
 * the reserved labels named (`(label 0 (IPv4 explicit NULL), …`). The payload follows after a
 * space, or with `-v` on a line of its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MplsStack } from "../decode/mod.ts";
 * import { mplsText } from "./mpls.ts";
 * const bytes = new Uint8Array([0x00, 0x06, 0x40, 0x40, 0x00, 0x00, 0x01, 0x3f]);
 * const mpls = new MplsStack().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.equal(mplsText(mpls, 0), "MPLS (label 100, tc 0, ttl 64) (label 0, tc 0, [S], ttl 63)");
 * assert.equal(
 *   mplsText(mpls, 1),
 *   "MPLS (label 100, tc 0, ttl 64)\n\t(label 0 (IPv4 explicit NULL), tc 0, [S], ttl 63)",
 * );
 * ```
 * @module
 */

import type { MplsStack } from "../decode/mod.ts";

/** tcpdump's names of the reserved labels (`mpls_labelname`). */
const LABEL_NAMES: readonly string[] = [
  "IPv4 explicit NULL",
  "router alert",
  "IPv6 explicit NULL",
  "implicit NULL",
  ...Array<string>(12).fill("rsvd"),
];

/** tcpdump's words for a label stack (the captured entries). */
export function mplsText(mpls: MplsStack, verbosity: number): string {
  let text = "MPLS";
  const entries = mpls.entries();
  entries.forEach((entry, index) => {
    text += index > 0 && verbosity > 0 ? "\n\t" : " ";
    text += `(label ${entry.label}`;
    if (verbosity > 0 && entry.label < LABEL_NAMES.length) text += ` (${LABEL_NAMES[entry.label]})`;
    text += `, tc ${entry.tc}${entry.bottom ? ", [S]" : ""}, ttl ${entry.ttl})`;
  });
  return text;
}
