/**
 * IGMP's output: the text tcpdump prints after `IP src > dst: ` (its print-igmp.c), for
 * queries of every version, reports, leaves and multicast traceroute; DVMRP and PIMv1, which
 * IGMP carries, are named and not decoded further. The JSON is the message's `toJSON`
 * (docs/json.md), written by the JSON writers as a rare layer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeIgmp } from "./igmp.ts";
 * const packet = decode(new Uint8Array([0x46, 0, 0, 32, 0, 0, 0, 0, 1, 2, 0, 0,
 *   192, 0, 2, 1, 224, 0, 0, 2, 0x94, 4, 0, 0,
 *   0x17, 0, 0x0c, 0xfa, 239, 1, 2, 3]), LINKTYPE_RAW);
 * const out = new ByteWriter();
 * writeIgmp(out, packet.igmp!);
 * assert.equal(out.toString(), "igmp leave 239.1.2.3");
 * ```
 * @module
 */

import {
  IGMP_DVMRP,
  IGMP_LEAVE,
  IGMP_MEMBERSHIP_QUERY,
  IGMP_MTRACE,
  IGMP_MTRACE_RESPONSE,
  IGMP_PIMV1,
  IGMP_V1_REPORT,
  IGMP_V2_REPORT,
  IGMP_V3_REPORT,
  type IgmpMessage,
  IGMPV3_QUERY_MIN_LENGTH,
} from "../decode/mod.ts";
import type { ByteWriter } from "./bytes.ts";
import { addressList, groupRecordsText, IGMPV3_RECORDS } from "./group_records.ts";

/** The max response code tcpdump leaves unsaid: 100 tenths, the default (RFC 2236 2.2). */
const DEFAULT_MAX_RESP = 100;
/** A version 3 report is at least its 8 bytes and one 8-byte record (print-igmp.c). */
const IGMPV3_REPORT_MIN_LENGTH = 16;
/** A response time from this many tenths on is printed as a duration, not as `N.Ns`. */
const DURATION_FROM_TENTHS = 600;
/** tcpdump's mark for a message cut short by the snapshot length. */
const CUT = "[|igmp]";

/** tcpdump's `relts_print`: a duration as `1y2w3d4h5m6s`, largest units first. */
const DURATION_UNITS: readonly (readonly [number, string])[] = [
  [31536000, "y"],
  [604800, "w"],
  [86400, "d"],
  [3600, "h"],
  [60, "m"],
  [1, "s"],
];

function duration(seconds: number): string {
  if (seconds === 0) return "0s";
  let text = "";
  let left = seconds;
  for (const [unit, name] of DURATION_UNITS) {
    if (left >= unit) {
      text += `${Math.floor(left / unit)}${name}`;
      left %= unit;
    }
  }
  return text;
}

/** Writes tcpdump's text of the message: `igmp query v2 [max resp time 10] [gaddr …]`, … */
export function writeIgmp(out: ByteWriter, igmp: IgmpMessage, verbosity = 0): void {
  out.text(igmpText(igmp, verbosity));
}

function igmpText(igmp: IgmpMessage, verbosity: number): string {
  const length = igmp.messageLength;
  switch (igmp.type) {
    case IGMP_MEMBERSHIP_QUERY:
      return "igmp query" +
        (length >= IGMPV3_QUERY_MIN_LENGTH ? v3Query(igmp, verbosity) : v1v2Query(igmp));
    case IGMP_V1_REPORT:
      return `igmp v1 report ${igmp.group}${length !== 8 ? ` [len ${length}]` : ""}`;
    case IGMP_V2_REPORT:
      return `igmp v2 report ${igmp.group}`;
    case IGMP_V3_REPORT:
      return "igmp v3 report" + v3Report(igmp, verbosity);
    case IGMP_LEAVE:
      return `igmp leave ${igmp.group}`;
    case IGMP_DVMRP:
      return "igmp dvmrp";
    case IGMP_PIMV1:
      return "igmp pimv1";
    case IGMP_MTRACE_RESPONSE:
    case IGMP_MTRACE:
      return mtrace(igmp);
    default:
      return `igmp-${igmp.type}`;
  }
}

function v1v2Query(igmp: IgmpMessage): string {
  const code = igmp.maxRespCode;
  let text = code === 0
    ? " v1"
    : ` v2${code !== DEFAULT_MAX_RESP ? ` [max resp time ${code}]` : ""}`;
  if (igmp.groupNumber !== 0) text += ` [gaddr ${igmp.group}]`;
  if (igmp.messageLength !== 8) text += ` [len ${igmp.messageLength}]`;
  return text;
}

function v3Query(igmp: IgmpMessage, verbosity: number): string {
  const length = igmp.messageLength;
  let text = " v3";
  if (length % 4 !== 0) return `${text} [invalid len ${length}]`;
  const code = igmp.maxRespCode;
  if (code !== DEFAULT_MAX_RESP) {
    const tenths = igmp.maxRespTenths;
    text += ` [max resp time ${
      tenths < DURATION_FROM_TENTHS
        ? `${(tenths / 10).toFixed(1)}s`
        : duration(Math.floor(tenths / 10))
    }]`;
  }
  if (igmp.groupNumber === 0) return text;
  text += ` [gaddr ${igmp.group}`;
  if (igmp.capturedLength < IGMPV3_QUERY_MIN_LENGTH) return `${text}${CUT}`;
  const sources = igmp.sourceCount;
  if (sources > 0) {
    text += length < IGMPV3_QUERY_MIN_LENGTH + 4 * sources
      ? " [invalid number of sources]"
      : verbosity > 1
      ? ` {${
        addressList(
          igmp.dataView,
          igmp.offset + IGMPV3_QUERY_MIN_LENGTH,
          igmp.end,
          sources,
          IGMPV3_RECORDS,
        )
      } }`
      : `, ${sources} source(s)`;
  }
  return `${text}]`;
}

function v3Report(igmp: IgmpMessage, verbosity: number): string {
  const length = igmp.messageLength;
  if (length < IGMPV3_REPORT_MIN_LENGTH || length % 4 !== 0) return ` [invalid len ${length}]`;
  const text = `, ${igmp.recordCount} group record(s)`;
  if (verbosity === 0) return text;
  return text + groupRecordsText(
    igmp.dataView,
    igmp.offset,
    igmp.end,
    length,
    igmp.recordCount,
    verbosity,
    IGMPV3_RECORDS,
  );
}

/** `mtrace 7: 192.0.2.1 to 198.51.100.1 reply-to 192.0.2.1`, from the query after 8 bytes. */
function mtrace(igmp: IgmpMessage): string {
  const word = igmp.type === IGMP_MTRACE ? "mtrace" : "mresp";
  const query = igmp.mtraceQuery;
  // tcpdump checks the capture before the length, so a short message is a cut one too.
  if (query === null) return CUT;
  const ttl = query.replyToMulticast ? ` with-ttl ${query.responseTtl}` : "";
  return `${word} ${query.id}: ${query.source} to ${query.destination} reply-to ${query.replyTo}${ttl}`;
}
