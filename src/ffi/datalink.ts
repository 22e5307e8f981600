/**
 * Link types and direction on a capture handle: what `-L` lists, what `-y` sets (and the
 * `LINUX_SLL2` that `-i any` gets, as tcpdump 4.99 asks for it), and what `-Q` lets through.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadLibpcap } from "./library.ts";
 * import { dataLinkByName, listDataLinks } from "./datalink.ts";
 * const lib = loadLibpcap();
 * assert.equal(dataLinkByName(lib, "LINUX_SLL2"), 276);
 * // Needs root or CAP_NET_RAW: the pseudo-device offers both cooked headers.
 * const names = listDataLinks(lib, "any").map((link) => link.name);
 * assert.ok(names.includes("LINUX_SLL") && names.includes("LINUX_SLL2"));
 * ```
 * @module
 */

import { UserError } from "../user_error.ts";
import {
  cString,
  errbufText,
  type Libpcap,
  PCAP_ERRBUF_SIZE,
  takeIntList,
  toCString,
} from "./library.ts";

/** `DLT_LINUX_SLL2`: what tcpdump 4.99 asks of `any`, so each line can name its interface. */
export const DLT_LINUX_SLL2 = 276;

/** `pcap_direction_t`, by `-Q`'s words. */
export const PCAP_DIRECTIONS = { inout: 0, in: 1, out: 2 } as const;
/** `-Q`'s words. */
export type CaptureDirection = keyof typeof PCAP_DIRECTIONS;

/** A link type a device offers: its DLT value and libpcap's name and description. */
export interface DataLink {
  value: number;
  name: string;
  description: string;
}

/** A link type or direction that cannot be used; the message is one line for the user. */
export class DataLinkError extends UserError {
  /** The error's name. */
  override name = "DataLinkError";
}

/**
 * The DLT value for a name as `-y` takes it (`EN10MB`, `LINUX_SLL2`, case-insensitive, with or
 * without `DLT_`). Throws `DataLinkError` for a name libpcap does not know.
 */
export function dataLinkByName(lib: Libpcap, name: string): number {
  const value = lib.pcap.pcap_datalink_name_to_val(toCString(name.replace(/^DLT_/i, "")));
  if (value < 0) {
    throw new DataLinkError(`invalid data link type ${name}; see -L for the device's types`);
  }
  return value;
}

/** libpcap's name and description of a DLT value (`DLT_123` for one it does not know). */
export function describeDataLink(lib: Libpcap, value: number): DataLink {
  const name = cString(lib.pcap.pcap_datalink_val_to_name(value)) || `DLT_${value}`;
  const description = cString(lib.pcap.pcap_datalink_val_to_description(value)) || "";
  return { value, name, description };
}

/** The link types `handle` (activated) offers, in libpcap's order. */
export function handleDataLinks(lib: Libpcap, handle: Deno.PointerObject): DataLink[] {
  const slot = new BigUint64Array(1);
  const count = lib.pcap.pcap_list_datalinks(handle, new Uint8Array(slot.buffer));
  if (count < 0) {
    throw new DataLinkError(
      `cannot list the data link types: ${cString(lib.pcap.pcap_geterr(handle))}`,
    );
  }
  return takeIntList(slot, count, (list) => lib.pcap.pcap_free_datalinks(list))
    .map((value) => describeDataLink(lib, value));
}

/** The link types a device offers (`-L`): opens it, asks, closes it. */
export function listDataLinks(lib: Libpcap, device: string): DataLink[] {
  const pcap = lib.pcap;
  const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
  const handle = pcap.pcap_create(toCString(device), errbuf);
  if (handle === null) throw new DataLinkError(`${device}: ${errbufText(errbuf)}`);
  try {
    const status = pcap.pcap_activate(handle);
    if (status < 0) {
      const detail = cString(pcap.pcap_geterr(handle)) ||
        cString(pcap.pcap_statustostr(status));
      throw new DataLinkError(`${device}: ${detail}; see --list-interfaces`);
    }
    return handleDataLinks(lib, handle);
  } finally {
    pcap.pcap_close(handle);
  }
}

/**
 * Sets an activated handle's link type. Throws `DataLinkError` naming the types the device
 * offers when it has not this one, as tcpdump does.
 */
export function setDataLink(
  lib: Libpcap,
  handle: Deno.PointerObject,
  device: string,
  value: number,
): void {
  if (lib.pcap.pcap_set_datalink(handle, value) === 0) return;
  const offered = handleDataLinks(lib, handle).map((link) => link.name).join(", ");
  throw new DataLinkError(
    `${device}: ${describeDataLink(lib, value).name} is not one of its data link types ` +
      `(${offered}); see -L`,
  );
}

/** Restricts an activated handle to one direction (`-Q`). */
export function setDirection(
  lib: Libpcap,
  handle: Deno.PointerObject,
  device: string,
  direction: CaptureDirection,
): void {
  if (lib.pcap.pcap_setdirection(handle, PCAP_DIRECTIONS[direction]) === 0) return;
  throw new DataLinkError(
    `${device}: cannot capture only -Q ${direction}: ${
      cString(lib.pcap.pcap_geterr(handle)) || "not supported"
    }`,
  );
}
