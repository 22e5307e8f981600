/**
 * Display-filter fields: each protocol declares, beside its view, the fields it decodes
 * under tshark's names (`ip.ttl`, `igmp.maddr`), each read from the layer's view as tshark's
 * `-T fields` shows it. The tests hold every declared field against tshark on real captures;
 * the display filter reads the same declarations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksumStatus, decode, type FieldTable, type Ipv4Header, LINKTYPE_RAW } from "./mod.ts";
 * const fields: FieldTable<Ipv4Header> = {
 *   "ip.ttl": (ip) => ip.ttl,
 *   "ip.checksum.status": (ip) => checksumStatus(ip.checksumOk),
 * };
 * const packet = decode(new Uint8Array([0x45, 0, 0, 20, 0, 0, 0, 0, 64, 253, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2]), LINKTYPE_RAW);
 * assert.deepEqual([fields["ip.ttl"](packet.ipv4!), fields["ip.checksum.status"](packet.ipv4!)], [64, 0]);
 * ```
 * @module
 */

/** A field's value as tshark's `-T fields` shows it: a number, text, or one per occurrence. */
export type FieldValue = number | string | readonly (number | string)[] | undefined;

/** A layer's fields: tshark's name, and how to read the value from the layer's view. */
export type FieldTable<Layer> = Readonly<Record<string, (layer: Layer) => FieldValue>>;

/** tshark's checksum status: 1 good, 0 bad, 2 not verified. */
export function checksumStatus(ok: boolean | null): number {
  return ok === null ? 2 : ok ? 1 : 0;
}

/**
 * Where a JSON key's bytes lie in its layer: `[offset, length]` from the start of the layer's
 * view (the live view marks them in the hex pane), or a function of the view where the place
 * depends on the header (options, address lengths). Bit fields take the bytes that hold them,
 * as Wireshark marks them. The tests hold each place to tshark's on real captures.
 */
export type FieldPlace<Layer> =
  | readonly [offset: number, length: number]
  | ((layer: Layer) => readonly [offset: number, length: number] | undefined);

/** A layer's JSON keys and where their bytes lie. */
export type FieldPlaces<Layer> = Readonly<Record<string, FieldPlace<Layer>>>;
