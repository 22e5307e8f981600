/**
 * IGMP (IP protocol 2): version 1 (RFC 1112 appendix I), version 2 (RFC 2236) and version 3
 * (RFC 3376) membership queries, reports and leaves, with the checksum verified (RFC 1071)
 * and version 3's sources and group records read within the message's length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IgmpMessage } from "./mod.ts";
 * // RFC 2236 section 2: a version 2 report for 239.255.255.250 (checksum 0xfa04).
 * const bytes = new Uint8Array([0x16, 0, 0xfa, 0x04, 239, 255, 255, 250]);
 * const igmp = new IgmpMessage().bindMessage(new DataView(bytes.buffer), 0, 8, 8);
 * assert.deepEqual(
 *   [igmp.typeName, igmp.version, igmp.group, igmp.checksumOk],
 *   ["v2 report", 2, "239.255.255.250", true],
 * );
 * ```
 * @module
 */

import { formatIpv4 } from "./address.ts";
import { checksumStatus, type FieldTable } from "./field.ts";
import { HeaderView, onesComplementSum } from "./header.ts";

/** Type, max response code, checksum and group address: 8 bytes (every version). */
export const IGMP_HEADER_LENGTH = 8;
/** A version 3 query: the 8 bytes, then flags, QQIC and the source count (RFC 3376 4.1). */
export const IGMPV3_QUERY_MIN_LENGTH = 12;

/** Membership query (all versions; the length and max response code tell which). */
export const IGMP_MEMBERSHIP_QUERY = 0x11;
/** Version 1 membership report. */
export const IGMP_V1_REPORT = 0x12;
/** DVMRP (carried in IGMP; not decoded further). */
export const IGMP_DVMRP = 0x13;
/** PIM version 1 (carried in IGMP; not decoded further). */
export const IGMP_PIMV1 = 0x14;
/** Version 2 membership report. */
export const IGMP_V2_REPORT = 0x16;
/** Version 2 leave group. */
export const IGMP_LEAVE = 0x17;
/** Multicast traceroute response. */
export const IGMP_MTRACE_RESPONSE = 0x1e;
/** Multicast traceroute query. */
export const IGMP_MTRACE = 0x1f;
/** Version 3 membership report. */
export const IGMP_V3_REPORT = 0x22;

// Where each field lies, in bytes from the message's start (RFC 2236 2, RFC 3376 4).
const FIELD_TYPE = 0;
const FIELD_MAX_RESP_CODE = 1;
const FIELD_CHECKSUM = 2;
const FIELD_GROUP = 4;
/** Version 3 query: reserved (4 bits), S (1), QRV (3). */
const FIELD_QUERY_FLAGS = 8;
const FIELD_QQIC = 9;
const FIELD_SOURCE_COUNT = 10;
const FIELD_QUERY_SOURCES = 12;
/** Version 3 report: the number of group records, after 2 reserved bytes. */
const FIELD_RECORD_COUNT = 6;
const FIELD_RECORDS = 8;

// Where each field of a version 3 group record lies (RFC 3376 4.2.4), from its start.
const RECORD_TYPE = 0;
/** Auxiliary data length, in 32-bit words. */
const RECORD_AUX_LENGTH = 1;
const RECORD_SOURCE_COUNT = 2;
const RECORD_GROUP = 4;
const RECORD_SOURCES = 8;

/** A multicast traceroute query after the 8 bytes (draft-ietf-idmr-traceroute-ipm 3.1). */
const MTRACE_SOURCE = 8;
const MTRACE_DESTINATION = 12;
const MTRACE_REPLY_TO = 16;
/** The response TTL (high byte) and the query id (low 24 bits). */
const MTRACE_TTL_ID = 20;
const MTRACE_END = 24;

/** A multicast traceroute query's fields. */
export interface MtraceQuery {
  /** The query id. */
  id: number;
  /** The source traced from. */
  source: string;
  /** The destination traced to. */
  destination: string;
  /** Where the response goes. */
  replyTo: string;
  /** Whether the response address is multicast (the response TTL then matters). */
  replyToMulticast: boolean;
  /** The response TTL. */
  responseTtl: number;
}

/** An IPv4 address: 4 bytes. */
const ADDRESS_LENGTH = 4;
/** The S flag ("suppress router-side processing") of a version 3 query. */
const SUPPRESS_FLAG = 0x08;
/** The querier's robustness variable: the low 3 bits of the flags byte. */
const QRV_MASK = 0x07;
/** A max response code (or QQIC) from 128 up is a float: 1, 3 bits exponent, 4 mantissa. */
const FLOAT_CODE = 0x80;

const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [IGMP_MEMBERSHIP_QUERY, "membership query"],
  [IGMP_V1_REPORT, "v1 report"],
  [IGMP_DVMRP, "dvmrp"],
  [IGMP_PIMV1, "pimv1"],
  [IGMP_V2_REPORT, "v2 report"],
  [IGMP_LEAVE, "leave group"],
  [IGMP_MTRACE_RESPONSE, "mtrace response"],
  [IGMP_MTRACE, "mtrace"],
  [IGMP_V3_REPORT, "v3 report"],
]);

/** The version each report and leave belongs to. */
const REPORT_VERSIONS: ReadonlyMap<number, number> = new Map([
  [IGMP_V1_REPORT, 1],
  [IGMP_V2_REPORT, 2],
  [IGMP_LEAVE, 2],
  [IGMP_V3_REPORT, 3],
]);

/** Version 3 group record types (RFC 3376 4.2.12), as tcpdump names them. */
const RECORD_TYPE_NAMES: readonly string[] = [
  "",
  "is_in",
  "is_ex",
  "to_in",
  "to_ex",
  "allow",
  "block",
];

/**
 * The time a max response code or QQIC stands for, in its units (tenths of a second for a
 * response time, seconds for QQIC): below 128 the code itself, from 128 up the float of
 * RFC 3376 4.1.1, `(mant | 0x10) << (exp + 3)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { igmpCodeValue } from "./mod.ts";
 * assert.deepEqual([igmpCodeValue(100), igmpCodeValue(0x80), igmpCodeValue(0xff)], [100, 128, 31744]);
 * ```
 */
export function igmpCodeValue(code: number): number {
  if (code < FLOAT_CODE) return code;
  return ((code & 0x0f) | 0x10) << (((code & 0x70) >> 4) + 3);
}

/**
 * What is wrong with an IGMP message of `length` bytes (the IP payload's), or `undefined`:
 * every version has at least the 8 bytes of type, code, checksum and group.
 */
export function igmpLengthProblem(length: number): string | undefined {
  return length < IGMP_HEADER_LENGTH
    ? `length ${length} is below ${IGMP_HEADER_LENGTH}`
    : undefined;
}

/** One group record of a version 3 report, as JSON shows it. */
export interface IgmpGroupRecord {
  /** Record type: 1 is_in, 2 is_ex, 3 to_in, 4 to_ex, 5 allow, 6 block. */
  type: number;
  /** tcpdump's name for the type, or `unknown`. */
  typeName: string;
  /** Auxiliary data length, in 32-bit words. */
  auxLength: number;
  /** The multicast address. */
  group: string;
  /** The source addresses. */
  sources: string[];
}

/** The JSON form of an IGMP message (docs/json.md). */
export interface IgmpJson {
  /** Message type (0x11 query, 0x12 v1 report, 0x16 v2 report, 0x17 leave, 0x22 v3 report). */
  type: number;
  /** `membership query`, `v1 report`, `v2 report`, `leave group`, `v3 report`, … */
  typeName: string;
  /** IGMP version (1, 2 or 3), or null for the other types. */
  version: number | null;
  /** The max response code as sent. */
  maxRespCode: number;
  /** A query's max response time in seconds. */
  maxRespTime?: number;
  /** Checksum as transmitted. */
  checksum: number;
  /** Whether the checksum is right; null when the message was not captured whole. */
  checksumOk: boolean | null;
  /** The group address (queries, v1 and v2 reports, leaves). */
  group?: string;
  /** A version 3 query's S flag: suppress router-side processing. */
  suppress?: boolean;
  /** A version 3 query's robustness variable. */
  qrv?: number;
  /** A version 3 query's interval code as sent (seconds below 128, else a float code). */
  qqic?: number;
  /** A version 3 query's source addresses. */
  sources?: string[];
  /** A version 3 report's group records. */
  records?: IgmpGroupRecord[];
  /** Set when a count runs past the message: what follows it was not read. */
  malformed?: true;
}

/** A view of one IGMP message. */
export class IgmpMessage extends HeaderView {
  /** The message's length: the IP payload's, by the IP lengths. */
  messageLength = 0;

  /** False when the message is the first fragment of an IP datagram: it continues elsewhere. */
  wholeMessage = true;

  /**
   * Binds a message of `messageLength` bytes (the IP payload) captured up to `end`; the
   * caller has checked that `IGMP_HEADER_LENGTH` bytes of it were captured.
   */
  bindMessage(
    view: DataView,
    offset: number,
    end: number,
    messageLength: number,
    wholeMessage = true,
  ): this {
    this.messageLength = messageLength;
    this.wholeMessage = wholeMessage;
    return this.bind(view, offset, Math.min(end, offset + messageLength));
  }

  /** Message type. */
  get type(): number {
    return this.view.getUint8(this.offset + FIELD_TYPE);
  }

  /** `membership query`, `v2 report`, …, or `unknown`. */
  get typeName(): string {
    return TYPE_NAMES.get(this.type) ?? "unknown";
  }

  /** Max response code (a query's; 0 in a version 1 query, unused in reports). */
  get maxRespCode(): number {
    return this.view.getUint8(this.offset + FIELD_MAX_RESP_CODE);
  }

  /** Checksum as transmitted. */
  get checksum(): number {
    return this.view.getUint16(this.offset + FIELD_CHECKSUM);
  }

  /** Whether this is a version 3 query (RFC 3376 7.1: a query of 12 bytes or more). */
  get isV3Query(): boolean {
    return this.type === IGMP_MEMBERSHIP_QUERY && this.messageLength >= IGMPV3_QUERY_MIN_LENGTH;
  }

  /**
   * The version the message belongs to (RFC 3376 7.1 for queries: 8 bytes and a zero code
   * is version 1, 8 bytes version 2, 12 or more version 3); `null` for the other types.
   */
  get version(): number | null {
    const type = this.type;
    if (type !== IGMP_MEMBERSHIP_QUERY) return REPORT_VERSIONS.get(type) ?? null;
    if (this.isV3Query) return 3;
    return this.maxRespCode === 0 ? 1 : 2;
  }

  /**
   * Whether the message carries a group address at byte 4: queries, reports and leaves of
   * versions 1 and 2, and multicast traceroute.
   */
  get hasGroup(): boolean {
    const type = this.type;
    return type === IGMP_MEMBERSHIP_QUERY || type === IGMP_V1_REPORT ||
      type === IGMP_V2_REPORT || type === IGMP_LEAVE || type === IGMP_MTRACE ||
      type === IGMP_MTRACE_RESPONSE;
  }

  /** The group address as a number (0 in a general query). */
  get groupNumber(): number {
    return this.view.getUint32(this.offset + FIELD_GROUP);
  }

  /** The group address. */
  get group(): string {
    return formatIpv4(this.view, this.offset + FIELD_GROUP);
  }

  /** A query's max response time in tenths of a second (version 3's code decoded). */
  get maxRespTenths(): number {
    return this.isV3Query ? igmpCodeValue(this.maxRespCode) : this.maxRespCode;
  }

  /** A version 3 query's S flag; only with `isV3Query`. */
  get suppress(): boolean {
    return (this.view.getUint8(this.offset + FIELD_QUERY_FLAGS) & SUPPRESS_FLAG) !== 0;
  }

  /** A version 3 query's robustness variable; only with `isV3Query`. */
  get qrv(): number {
    return this.view.getUint8(this.offset + FIELD_QUERY_FLAGS) & QRV_MASK;
  }

  /** A version 3 query's interval code as sent; only with `isV3Query`. */
  get qqic(): number {
    return this.view.getUint8(this.offset + FIELD_QQIC);
  }

  /** A version 3 query's source count as sent; only with `isV3Query`. */
  get sourceCount(): number {
    return this.view.getUint16(this.offset + FIELD_SOURCE_COUNT);
  }

  /** A version 3 report's group record count as sent; only for `IGMP_V3_REPORT`. */
  get recordCount(): number {
    return this.view.getUint16(this.offset + FIELD_RECORD_COUNT);
  }

  /** Whether the whole message was captured, so its checksum and lists can be read. */
  get captured(): boolean {
    return this.capturedLength >= this.messageLength;
  }

  /**
   * Whether the checksum (over the whole message) is right; `null` when the message was not
   * captured whole or is one fragment of an IP datagram.
   */
  get checksumOk(): boolean | null {
    if (!this.captured || !this.wholeMessage) return null;
    return onesComplementSum(this.view, this.offset, this.messageLength) === 0xffff;
  }

  /**
   * A version 3 query's source addresses, read within the message and the capture; `null`
   * when the count runs past them.
   */
  get sources(): string[] | null {
    return this.#addresses(this.offset + FIELD_QUERY_SOURCES, this.sourceCount);
  }

  /**
   * A version 3 report's group records, within the message and the capture; the records
   * that fit, with `complete` false when the count runs past them.
   */
  get records(): { records: IgmpGroupRecord[]; complete: boolean } {
    const records: IgmpGroupRecord[] = [];
    const view = this.view;
    const end = this.end;
    let at = this.offset + FIELD_RECORDS;
    for (let i = 0, count = this.recordCount; i < count; i++) {
      if (at + RECORD_SOURCES > end) return { records, complete: false };
      const sourceCount = view.getUint16(at + RECORD_SOURCE_COUNT);
      const auxLength = view.getUint8(at + RECORD_AUX_LENGTH);
      const sources = this.#addresses(at + RECORD_SOURCES, sourceCount);
      if (sources === null) return { records, complete: false };
      const type = view.getUint8(at + RECORD_TYPE);
      records.push({
        type,
        typeName: RECORD_TYPE_NAMES[type] || "unknown",
        auxLength,
        group: formatIpv4(view, at + RECORD_GROUP),
        sources,
      });
      at += RECORD_SOURCES + sourceCount * ADDRESS_LENGTH + auxLength * ADDRESS_LENGTH;
    }
    return { records, complete: true };
  }

  /** A multicast traceroute's query, or `null` when it was not captured whole. */
  get mtraceQuery(): MtraceQuery | null {
    if (this.capturedLength < MTRACE_END) return null;
    const view = this.view;
    const at = this.offset;
    const ttlId = view.getUint32(at + MTRACE_TTL_ID);
    return {
      id: ttlId & 0x00ffffff,
      source: formatIpv4(view, at + MTRACE_SOURCE),
      destination: formatIpv4(view, at + MTRACE_DESTINATION),
      replyTo: formatIpv4(view, at + MTRACE_REPLY_TO),
      replyToMulticast: view.getUint8(at + MTRACE_REPLY_TO) >>> 4 === 0xe,
      responseTtl: ttlId >>> 24,
    };
  }

  /** `count` addresses from `at`, or `null` when they run past the captured message. */
  #addresses(at: number, count: number): string[] | null {
    if (at + count * ADDRESS_LENGTH > this.end) return null;
    const addresses: string[] = [];
    for (let i = 0; i < count; i++) addresses.push(formatIpv4(this.view, at + i * ADDRESS_LENGTH));
    return addresses;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): IgmpJson {
    const type = this.type;
    const version = this.version;
    const json: IgmpJson = {
      type,
      typeName: this.typeName,
      version,
      maxRespCode: this.maxRespCode,
      ...(type === IGMP_MEMBERSHIP_QUERY && version !== 1
        ? { maxRespTime: this.maxRespTenths / 10 }
        : {}),
      checksum: this.checksum,
      checksumOk: this.checksumOk,
    };
    if (this.hasGroup) json.group = this.group;
    if (this.isV3Query && this.capturedLength >= IGMPV3_QUERY_MIN_LENGTH) {
      json.suppress = this.suppress;
      json.qrv = this.qrv;
      json.qqic = this.qqic;
      const sources = this.sources;
      if (sources === null) json.malformed = true;
      else json.sources = sources;
    } else if (type === IGMP_V3_REPORT && this.capturedLength >= FIELD_RECORDS) {
      const { records, complete } = this.records;
      json.records = records;
      if (!complete) json.malformed = true;
    }
    return json;
  }
}

const isV3Report = (igmp: IgmpMessage) => igmp.type === IGMP_V3_REPORT;
const v3Query = <T>(igmp: IgmpMessage, read: (igmp: IgmpMessage) => T): T | undefined =>
  igmp.isV3Query && igmp.capturedLength >= IGMPV3_QUERY_MIN_LENGTH ? read(igmp) : undefined;
const recordList = <T extends number | string>(
  igmp: IgmpMessage,
  read: (record: IgmpGroupRecord) => T,
): T[] | undefined => isV3Report(igmp) ? igmp.records.records.map(read) : undefined;

/** IGMP's fields under tshark's names (docs/json.md names their JSON keys). */
export const IGMP_FIELDS: FieldTable<IgmpMessage> = {
  "igmp.type": (igmp) => igmp.type,
  "igmp.version": (igmp) => igmp.version ?? undefined,
  // tshark shows a version 2 or 3 message's response time, in tenths (version 3's decoded).
  "igmp.max_resp": (igmp) => {
    const version = igmp.version;
    return version === 2 || version === 3 && !isV3Report(igmp) ? igmp.maxRespTenths : undefined;
  },
  "igmp.checksum": (igmp) => igmp.checksum,
  "igmp.checksum.status": (igmp) => checksumStatus(igmp.checksumOk),
  "igmp.maddr": (igmp) => igmp.hasGroup ? igmp.group : recordList(igmp, (record) => record.group),
  "igmp.s": (igmp) => v3Query(igmp, (query) => query.suppress ? 1 : 0),
  "igmp.qrv": (igmp) => v3Query(igmp, (query) => query.qrv),
  "igmp.qqic": (igmp) => v3Query(igmp, (query) => query.qqic),
  "igmp.num_src": (igmp) =>
    v3Query(igmp, (query) => query.sourceCount) ??
      recordList(igmp, (record) => record.sources.length),
  "igmp.saddr": (igmp) => {
    const sources = isV3Report(igmp)
      ? igmp.records.records.flatMap((record) => record.sources)
      : v3Query(igmp, (query) => query.sources ?? []) ?? [];
    return sources.length === 0 ? undefined : sources;
  },
  "igmp.num_grp_recs": (igmp) => isV3Report(igmp) ? igmp.recordCount : undefined,
  "igmp.record_type": (igmp) => recordList(igmp, (record) => record.type),
};

/**
 * The JSON object's keys in their order: `toJSON`, the fast JSON writer and docs/json.md follow
 * this one declaration (tests/json_keys_test.ts holds all three to it). A key may be absent
 * from an object, never out of order.
 */
export const IGMP_JSON_KEYS: readonly string[] = [
  "type",
  "typeName",
  "version",
  "maxRespCode",
  "maxRespTime",
  "checksum",
  "checksumOk",
  "group",
  "suppress",
  "qrv",
  "qqic",
  "sources",
  "records",
  "malformed",
] as const satisfies readonly (keyof IgmpJson)[];
