/**
 * An NTP message (RFC 5905 section 7.3): leap indicator, version and mode, stratum, poll,
 * precision, root delay and dispersion, reference ID and the four timestamps. UDP port 123.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NtpMessage } from "./mod.ts";
 * const bytes = new Uint8Array(48);
 * bytes[0] = 0x24; // leap 0, version 4, mode 4 (server)
 * bytes[1] = 3; // stratum
 * const ntp = new NtpMessage().bind(new DataView(bytes.buffer), 0, 48);
 * assert.deepEqual([ntp.version, ntp.mode, ntp.modeName, ntp.stratum], [4, 4, "Server", 3]);
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** The NTP port. */
export const NTP_PORT = 123;
/** The header without extensions or authenticator: 48 bytes (RFC 5905 figure 8). */
export const NTP_HEADER_LENGTH = 48;

// Where each field lies (RFC 5905 section 7.3), in bytes from the message's start.
/** LI (2 bits), VN (3 bits), Mode (3 bits). */
const FIELD_FLAGS = 0;
const FIELD_STRATUM = 1;
const FIELD_POLL = 2;
const FIELD_PRECISION = 3;
const FIELD_ROOT_DELAY = 4;
const FIELD_ROOT_DISPERSION = 8;
const FIELD_REFERENCE_ID = 12;
const FIELD_REFERENCE_TIME = 16;
const FIELD_ORIGIN_TIME = 24;
const FIELD_RECEIVE_TIME = 32;
const FIELD_TRANSMIT_TIME = 40;
/** The timestamps in order: reference, origin, receive, transmit (each 32.32 seconds). */
const TIMESTAMP_FIELDS = [
  FIELD_REFERENCE_TIME,
  FIELD_ORIGIN_TIME,
  FIELD_RECEIVE_TIME,
  FIELD_TRANSMIT_TIME,
];
/** A key identifier follows the header when there is one (RFC 5905 section 7.3). */
const FIELD_KEY_ID = 48;
const FIELD_DIGEST = 52;

/** Seconds from NTP's epoch (1900) to Unix's (1970). */
export const NTP_UNIX_OFFSET = 2208988800;

/** The modes' names as tcpdump writes them (RFC 5905 figure 10). */
const MODE_NAMES: readonly string[] = [
  "unspecified",
  "symmetric active",
  "symmetric passive",
  "Client",
  "Server",
  "Broadcast",
  "Control Message",
  "Reserved",
];

/** A mode's name as tcpdump writes it (`Client`, `Server`); `mode` is the 3-bit field. */
export function ntpModeName(mode: number): string {
  return MODE_NAMES[mode & 7];
}

/** NTP's control messages (RFC 9327, mode 6): a 12-byte header of their own. */
export const NTP_MODE_CONTROL = 6;
/** The implementations' private messages (mode 7, ntpdc's): response and more bits first. */
const NTP_MODE_PRIVATE = 7;
/** Modes whose messages carry time (RFC 5905 figure 10: 0 to 5). */
export const NTP_LAST_TIME_MODE = 5;
// A control message's header after the first byte (RFC 9327 section 2).
/** R (response), E (error), M (more), opcode. */
const FIELD_CONTROL = 1;
const FIELD_SEQUENCE = 2;
const FIELD_STATUS = 4;
const FIELD_ASSOCIATION = 6;
const FIELD_DATA_OFFSET = 8;
const FIELD_COUNT = 10;
/** A control message's header. */
export const NTP_CONTROL_HEADER_LENGTH = 12;

/** The JSON form of an NTP message (docs/json.md): the time fields for modes 0 to 5. */
export interface NtpJson {
  /** Leap indicator: 0 none, 1 +1 s, 2 -1 s, 3 unsynchronized. */
  leap: number;
  /** Version. */
  version: number;
  /** Mode: 3 client, 4 server, 5 broadcast, 6 control, … */
  mode: number;
  /** The mode's name (`Client`, `Server`). */
  modeName: string;
  /** Stratum (0 unspecified, 1 primary, 2-15 secondary). */
  stratum?: number;
  /** Poll interval, log2 seconds. */
  poll?: number;
  /** Precision, log2 seconds. */
  precision?: number;
  /** Root delay, seconds. */
  rootDelay?: number;
  /** Root dispersion, seconds. */
  rootDispersion?: number;
  /** Reference ID, as 8 hex digits. */
  referenceId?: string;
  /** The timestamps, ISO 8601 UTC (`null` when 0, "not set"). */
  referenceTime?: string | null;
  /** Origin timestamp. */
  originTime?: string | null;
  /** Receive timestamp. */
  receiveTime?: string | null;
  /** Transmit timestamp. */
  transmitTime?: string | null;
}

/** A view of an NTP message. */
export class NtpMessage extends HeaderView {
  /** Leap indicator. */
  get leap(): number {
    return this.u8(FIELD_FLAGS) >>> 6;
  }

  /** Version number. */
  get version(): number {
    return (this.u8(FIELD_FLAGS) >>> 3) & 7;
  }

  /** Mode. */
  get mode(): number {
    return this.u8(FIELD_FLAGS) & 7;
  }

  /** The mode's name as tcpdump writes it. */
  get modeName(): string {
    return ntpModeName(this.mode);
  }

  /** Stratum. */
  get stratum(): number {
    return this.u8(FIELD_STRATUM);
  }

  /** Poll interval (log2 s, signed). */
  get poll(): number {
    const value = this.u8(FIELD_POLL);
    return value > 127 ? value - 256 : value;
  }

  /** Precision (log2 s, signed). */
  get precision(): number {
    const value = this.u8(FIELD_PRECISION);
    return value > 127 ? value - 256 : value;
  }

  /** Root delay's 16.16 fixed-point word. */
  get rootDelayWord(): number {
    return this.u32(FIELD_ROOT_DELAY);
  }

  /** Root dispersion's 16.16 fixed-point word. */
  get rootDispersionWord(): number {
    return this.u32(FIELD_ROOT_DISPERSION);
  }

  /** Reference ID word. */
  get referenceId(): number {
    return this.u32(FIELD_REFERENCE_ID);
  }

  /** Where the reference ID lies (absolute), for writers that print its bytes. */
  get referenceIdAt(): number {
    return this.offset + FIELD_REFERENCE_ID;
  }

  /** A timestamp's seconds and fraction words: 0 reference, 1 origin, 2 receive, 3 transmit. */
  timestamp(which: number): [number, number] {
    const at = TIMESTAMP_FIELDS[which];
    return [this.u32(at), this.u32(at + 4)];
  }

  /** Bytes after the header: 4 a key ID alone, 20 a key ID and an MD5 digest. */
  get trailerLength(): number {
    return this.end - this.offset - NTP_HEADER_LENGTH;
  }

  /** The key ID after the header. */
  get keyId(): number {
    return this.u32(FIELD_KEY_ID);
  }

  /** The digest's five words after the key ID (a 128-bit digest is the first four). */
  get digestWords(): number[] {
    return [0, 4, 8, 12, 16].map((at) => this.u32(FIELD_DIGEST + at));
  }

  /** Whether the 48-byte time header was captured and the mode carries time. */
  get hasTime(): boolean {
    return this.mode <= NTP_LAST_TIME_MODE && this.end - this.offset >= NTP_HEADER_LENGTH;
  }

  /** A control message's R, E and M flags and opcode byte. */
  get controlWord(): number {
    return this.u8(FIELD_CONTROL);
  }

  /** A control message's sequence, status, association, data offset and count. */
  get controlFields(): [number, number, number, number, number] {
    return [
      this.u16(FIELD_SEQUENCE),
      this.u16(FIELD_STATUS),
      this.u16(FIELD_ASSOCIATION),
      this.u16(FIELD_DATA_OFFSET),
      this.u16(FIELD_COUNT),
    ];
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): NtpJson {
    const head = {
      leap: this.leap,
      version: this.version,
      mode: this.mode,
      modeName: this.modeName,
    };
    if (!this.hasTime) return head;
    return {
      ...head,
      stratum: this.stratum,
      poll: this.poll,
      precision: this.precision,
      rootDelay: this.rootDelayWord / 65536,
      rootDispersion: this.rootDispersionWord / 65536,
      referenceId: this.referenceId.toString(16).padStart(8, "0"),
      referenceTime: ntpTimeText(...this.timestamp(0)),
      originTime: ntpTimeText(...this.timestamp(1)),
      receiveTime: ntpTimeText(...this.timestamp(2)),
      transmitTime: ntpTimeText(...this.timestamp(3)),
    };
  }
}

/**
 * An NTP timestamp as ISO 8601 UTC with nanoseconds, in era 0 (1900-2036); `null` for 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ntpTimeText } from "./mod.ts";
 * assert.equal(ntpTimeText(2208988800 + 86400, 0x80000000), "1970-01-02T00:00:00.500000000Z");
 * ```
 */
export function ntpTimeText(seconds: number, fraction: number): string | null {
  if (seconds === 0 && fraction === 0) return null;
  const date = new Date((seconds - NTP_UNIX_OFFSET) * 1000).toISOString().slice(0, 19);
  const nanoseconds = Math.floor(fraction / 2 ** 32 * 1e9);
  return `${date}.${String(nanoseconds).padStart(9, "0")}Z`;
}

/** NTP's fields under tshark's names. */
export const NTP_FIELDS: FieldTable<NtpMessage> = {
  // Mode 7's first bits are its response and more flags, not a leap indicator (tshark's).
  "ntp.flags.li": (ntp) => ntp.mode === NTP_MODE_PRIVATE ? undefined : ntp.leap,
  "ntp.flags.vn": (ntp) => ntp.version,
  "ntp.flags.mode": (ntp) => ntp.mode,
  "ntp.stratum": (ntp) => ntp.hasTime ? ntp.stratum : undefined,
  // tshark shows poll and precision as the unsigned bytes they are sent as.
  "ntp.ppoll": (ntp) => ntp.hasTime ? ntp.poll & 0xff : undefined,
  "ntp.precision": (ntp) => ntp.hasTime ? ntp.precision & 0xff : undefined,
};

/** The JSON object's keys in their order. */
export const NTP_JSON_KEYS: readonly string[] = [
  "leap",
  "version",
  "mode",
  "modeName",
  "stratum",
  "poll",
  "precision",
  "rootDelay",
  "rootDispersion",
  "referenceId",
  "referenceTime",
  "originTime",
  "receiveTime",
  "transmitTime",
] as const satisfies readonly (keyof NtpJson)[];
