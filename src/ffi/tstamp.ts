/**
 * Time stamp types (`pcap-tstamp(7)`): which clock stamps a live capture's packets, as `-J`
 * lists them and `-j` chooses one (`host`, `adapter`, `adapter_unsynced`, ...).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadLibpcap } from "./library.ts";
 * import { listTimeStampTypes, timeStampTypeByName } from "./tstamp.ts";
 * const lib = loadLibpcap();
 * assert.equal(timeStampTypeByName(lib, "host"), 0);
 * // lo offers none to choose from: the host's clock stamps its packets.
 * const types = listTimeStampTypes(lib, "lo");
 * assert.ok(types.length === 0 || types.some((type) => type.name === "host"));
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

/** A time stamp type: libpcap's value, name and description. */
export interface TimeStampType {
  value: number;
  name: string;
  description: string;
}

/** A time stamp type that cannot be used; the message is one line for the user. */
export class TimeStampTypeError extends UserError {
  /** The error's name. */
  override name = "TimeStampTypeError";
}

/** `-j`'s argument as libpcap's value; throws `TimeStampTypeError` for a name it does not know. */
export function timeStampTypeByName(lib: Libpcap, name: string): number {
  const toValue = lib.pcap.pcap_tstamp_type_name_to_val;
  const value = toValue ? toValue(toCString(name)) : -1;
  if (value < 0) {
    throw new TimeStampTypeError(
      `invalid time stamp type ${name}; see --list-time-stamp-types for the interface's`,
    );
  }
  return value;
}

/**
 * The time stamp types `device` lets a capture choose (`-J`), in libpcap's order; none when
 * its time stamps cannot be chosen.
 */
export function listTimeStampTypes(lib: Libpcap, device: string): TimeStampType[] {
  const pcap = lib.pcap;
  const list = pcap.pcap_list_tstamp_types;
  if (!list) return [];
  const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
  const handle = pcap.pcap_create(toCString(device), errbuf);
  if (handle === null) throw new TimeStampTypeError(`${device}: ${errbufText(errbuf)}`);
  try {
    const slot = new BigUint64Array(1);
    const count = list(handle, new Uint8Array(slot.buffer));
    if (count < 0) {
      throw new TimeStampTypeError(`${device}: ${cString(pcap.pcap_geterr(handle))}`);
    }
    const values = takeIntList(slot, count, (types) => pcap.pcap_free_tstamp_types?.(types));
    return values.map((value) => ({
      value,
      name: cString(pcap.pcap_tstamp_type_val_to_name?.(value) ?? null) || `${value}`,
      description: cString(pcap.pcap_tstamp_type_val_to_description?.(value) ?? null),
    }));
  } finally {
    pcap.pcap_close(handle);
  }
}

/** tcpdump -J's text for a device's list. */
export function formatTimeStampTypes(device: string, types: TimeStampType[]): string {
  if (types.length === 0) return `Time stamp type cannot be set for ${device}\n`;
  return `Time stamp types for ${device} (use option -j to set):\n` +
    types.map((type) => `  ${type.name} (${type.description || type.name})\n`).join("");
}
