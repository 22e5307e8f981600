/**
 * An MPLS label stack (RFC 3032 section 2.1): 4-byte entries of label, traffic class, bottom
 * of stack and TTL, after EtherType 0x8847 or 0x8848 or on UDP port 6635 (RFC 7510). Nothing
 * names what follows the bottom label; as tcpdump does, the explicit NULL labels say IPv4 (0,
 * and 3) or IPv6 (2), and otherwise the first nibble does (4 or 6). The decoder decodes that
 * as `Packet.inner`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MplsStack } from "./mod.ts";
 * // Label 100, tc 0, bottom of stack, ttl 64; then an IPv4 header's first byte.
 * const bytes = new Uint8Array([0x00, 0x06, 0x41, 0x40, 0x45]);
 * const mpls = new MplsStack().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual(mpls.entries(), [{ label: 100, tc: 0, bottom: true, ttl: 64 }]);
 * assert.deepEqual([mpls.length, mpls.payloadVersion()], [4, 4]);
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** MPLS's EtherTypes: unicast and multicast. */
export const ETHERTYPE_MPLS_UNICAST = 0x8847;
/** MPLS multicast. */
export const ETHERTYPE_MPLS_MULTICAST = 0x8848;
/** MPLS in UDP's port (RFC 7510). */
export const MPLS_UDP_PORT = 6635;
/** One label stack entry. */
export const MPLS_ENTRY_LENGTH = 4;
/**
 * The most labels read before the stack counts as malformed. tcpdump and tshark read labels up
 * to the bottom of the stack or the end of the data, and so does netpeek in any frame up to
 * 4 KiB; the bound keeps a jumbo frame of garbage from being listed whole.
 */
export const MAX_MPLS_LABELS = 1024;

const LABEL_SHIFT = 12;
const TC_SHIFT = 9;
const TC_MASK = 0x7;
const BOTTOM = 0x100;
const TTL_MASK = 0xff;
// Reserved labels (RFC 3032 section 2.1) that name the payload.
const LABEL_IPV4_NULL = 0;
const LABEL_IPV6_NULL = 2;
const LABEL_IMPLICIT_NULL = 3;

/** One label stack entry, as JSON shows it. */
export interface MplsEntry {
  /** The 20-bit label. */
  label: number;
  /** Traffic class (formerly EXP). */
  tc: number;
  /** Bottom of stack. */
  bottom: boolean;
  /** Time to live. */
  ttl: number;
}

/** A view of an MPLS label stack. */
export class MplsStack extends HeaderView {
  /**
   * The bytes the stack and its payload had on the wire: the captured ones unless the decoder
   * says more.
   */
  wireLength = 0;

  /** Points the view at a stack, its wire length that of the bytes given. */
  override bind(view: DataView, offset: number, end: number): this {
    this.wireLength = end - offset;
    return super.bind(view, offset, end);
  }

  /**
   * Whether the wire ran out before the bottom of the stack (tcpdump: `(invalid)`), as against
   * the capture cutting it short.
   */
  get endsOnTheWire(): boolean {
    const count = this.count;
    return !this.complete && count < MAX_MPLS_LABELS &&
      (count + 1) * MPLS_ENTRY_LENGTH > this.wireLength;
  }

  /** How many entries were captured, up to the bottom of the stack or `MAX_MPLS_LABELS`. */
  get count(): number {
    let count = 0;
    for (let at = this.offset; at + MPLS_ENTRY_LENGTH <= this.end && count < MAX_MPLS_LABELS;) {
      count++;
      if ((this.view.getUint32(at) & BOTTOM) !== 0) break;
      at += MPLS_ENTRY_LENGTH;
    }
    return count;
  }

  /** Whether the captured entries end with the bottom of the stack. */
  get complete(): boolean {
    const count = this.count;
    return count > 0 && (this.entryAt(count - 1) & BOTTOM) !== 0;
  }

  /** The stack's length in bytes (the captured entries). */
  get length(): number {
    return this.count * MPLS_ENTRY_LENGTH;
  }

  /** Entry `index` as a 32-bit word. */
  entryAt(index: number): number {
    return this.view.getUint32(this.offset + index * MPLS_ENTRY_LENGTH);
  }

  /** The entries (allocates). */
  entries(): MplsEntry[] {
    return Array.from({ length: this.count }, (_, index) => {
      const entry = this.entryAt(index);
      return {
        label: entry >>> LABEL_SHIFT,
        tc: (entry >> TC_SHIFT) & TC_MASK,
        bottom: (entry & BOTTOM) !== 0,
        ttl: entry & TTL_MASK,
      };
    });
  }

  /**
   * The IP version after the bottom label, as tcpdump guesses it (4, 6, or 0 for neither):
   * the explicit NULL labels say so, or else the payload's first nibble.
   */
  payloadVersion(): number {
    if (!this.complete) return 0;
    const label = this.entryAt(this.count - 1) >>> LABEL_SHIFT;
    if (label === LABEL_IPV4_NULL || label === LABEL_IMPLICIT_NULL) return 4;
    if (label === LABEL_IPV6_NULL) return 6;
    const at = this.offset + this.length;
    if (at >= this.end) return 0;
    const nibble = this.view.getUint8(at) >> 4;
    return nibble === 4 || nibble === 6 ? nibble : 0;
  }

  /**
   * Whether tcpdump reads the payload after the bottom label as IP: an explicit NULL label,
   * or a first byte of 0x45-0x4f (IPv4 with a whole header) or 0x60-0x6f (IPv6). Where
   * `payloadVersion` says IPv4 and this does not (0x40-0x44: a header under 20 bytes, which
   * tshark still dissects as IPv4), tcpdump dumps the bytes instead.
   */
  payloadReadAsIpByTcpdump(): boolean {
    const version = this.payloadVersion();
    if (version !== 4) return version === 6;
    const label = this.entryAt(this.count - 1) >>> LABEL_SHIFT;
    if (label === LABEL_IPV4_NULL || label === LABEL_IMPLICIT_NULL) return true;
    return (this.view.getUint8(this.offset + this.length) & 0x0f) >= 5;
  }

  /** The documented JSON form (see docs/json.md): the entries, outermost first. */
  toJSON(): MplsEntry[] {
    return this.entries();
  }
}

/** MPLS's fields under tshark's names, one value a label. */
export const MPLS_FIELDS: FieldTable<MplsStack> = {
  "mpls.label": (mpls) => mpls.entries().map((entry) => entry.label),
  "mpls.exp": (mpls) => mpls.entries().map((entry) => entry.tc),
  "mpls.bottom": (mpls) => mpls.entries().map((entry) => entry.bottom ? 1 : 0),
  "mpls.ttl": (mpls) => mpls.entries().map((entry) => entry.ttl),
};

/** The JSON entry's keys in their order. */
export const MPLS_JSON_KEYS: readonly string[] = [
  "label",
  "tc",
  "bottom",
  "ttl",
] as const satisfies readonly (keyof MplsEntry)[];
