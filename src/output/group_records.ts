/**
 * IGMPv3's and MLDv2's group records (RFC 3376 section 4.2.4, RFC 3810 section 5.2.4), which
 * share one shape (type, auxiliary data length, source count, group, sources) in an address
 * family of their own, as tcpdump's `-v` writes them: ` [gaddr 239.1.2.3 to_ex, 0 source(s)]`,
 * and with `-vv` the sources themselves: ` [gaddr 239.1.2.3 is_in { 192.0.2.1 }]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupRecordsText, IGMPV3_RECORDS } from "./group_records.ts";
 * // An IGMPv3 report: 8 bytes of header, then one TO_EXCLUDE record for 239.1.2.3.
 * const report = new Uint8Array([0x22, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 239, 1, 2, 3]);
 * const view = new DataView(report.buffer);
 * assert.equal(
 *   groupRecordsText(view, 0, report.length, report.length, 1, 1, IGMPV3_RECORDS),
 *   " [gaddr 239.1.2.3 to_ex, 0 source(s)]",
 * );
 * ```
 * @module
 */

import { formatIpv4, formatIpv6 } from "../decode/mod.ts";

/** What differs between IGMPv3's records and MLDv2's, and in tcpdump's words for them. */
export interface GroupRecordFamily {
  /** Bytes of an address: 4 or 16. */
  readonly width: number;
  /** The address at `at`, as text. */
  readonly format: (view: DataView, at: number) => string;
  /** tcpdump's name of a record of an unknown type: ` [v3-report-#9]`. */
  readonly unknownType: (type: number) => string;
  /** tcpdump's note where the capture ends inside a record. */
  readonly cut: string;
  /** Whether the message's length is checked to hold each record's header (IGMPv3's printer). */
  readonly checkGroups: boolean;
}

/** IGMPv3's records: IPv4 groups and sources. */
export const IGMPV3_RECORDS: GroupRecordFamily = {
  width: 4,
  format: formatIpv4,
  unknownType: (type) => ` [v3-report-#${type}]`,
  cut: "[|igmp]",
  checkGroups: true,
};

/** MLDv2's records: IPv6 groups and sources. */
export const MLDV2_RECORDS: GroupRecordFamily = {
  width: 16,
  format: formatIpv6,
  unknownType: (type) => ` [v2-report-#${type}]`,
  cut: " [|icmp6]",
  checkGroups: false,
};

/** RFC 3376 section 4.2.12, RFC 3810 section 5.2.12: the record types, as tcpdump names them. */
const RECORD_TYPES = ["", "is_in", "is_ex", "to_in", "to_ex", "allow", "block"];
/** Where the first record begins: after the report's own 8 bytes. */
const FIRST_RECORD = 8;
/** Records are bounded by the message's length; this bounds a claim of more. */
const MAX_RECORDS = 256;

/** `count` addresses from `at`, each after a space; those past `end` (the capture) left out. */
export function addressList(
  view: DataView,
  at: number,
  end: number,
  count: number,
  family: GroupRecordFamily,
): string {
  const width = family.width;
  let text = "";
  for (let i = 0; i < count && at + width * (i + 1) <= end; i++) {
    text += ` ${family.format(view, at + width * i)}`;
  }
  return text;
}

/**
 * The `count` records of the report at `start` (`length` bytes long, captured to `end`), at
 * `-v` level `verbosity`. tcpdump steps over each record's sources, not its auxiliary data.
 */
export function groupRecordsText(
  view: DataView,
  start: number,
  end: number,
  length: number,
  count: number,
  verbosity: number,
  family: GroupRecordFamily,
): string {
  const width = family.width;
  const header = 4 + width;
  let text = "";
  for (let i = 0, group = FIRST_RECORD; i < Math.min(count, MAX_RECORDS); i++) {
    if (family.checkGroups && length < group + header) return `${text} [invalid number of groups]`;
    const at = start + group;
    if (at + header > end) return `${text}${family.cut}`;
    const type = view.getUint8(at);
    const sources = view.getUint16(at + 2);
    text += ` [gaddr ${family.format(view, at + 4)} ${
      RECORD_TYPES[type] || family.unknownType(type)
    }`;
    if (length < group + header + width * sources) {
      return `${text} [invalid number of sources ${sources}]`;
    }
    text += verbosity === 1
      ? `, ${sources} source(s)`
      : ` {${addressList(view, at + header, end, sources, family)} }`;
    group += header + width * sources;
    text += "]";
  }
  return text;
}
