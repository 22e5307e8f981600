/**
 * A syslog message over UDP (RFC 5424 and the older RFC 3164): the priority in angle
 * brackets (`<134>`: facility 16, severity 6) and the text after it. UDP port 514.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SyslogMessage } from "./mod.ts";
 * const bytes = new TextEncoder().encode("<155>1 - host app - - - hello");
 * const syslog = new SyslogMessage().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual([syslog.facilityName, syslog.severityName, syslog.message], ["local3", "error", "1 - host app - - - hello"]);
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** The syslog port. */
export const SYSLOG_PORT = 514;
/** At most three digits of priority (RFC 5424 section 6.2.1: PRIVAL is 0 to 191). */
const MAX_PRIORITY_DIGITS = 3;
const OPEN = 0x3c;
const CLOSE = 0x3e;

/** Severity names (RFC 5424 table 2), as tcpdump writes them. */
const SEVERITY_NAMES: readonly string[] = [
  "emergency",
  "alert",
  "critical",
  "error",
  "warning",
  "notice",
  "info",
  "debug",
];

/** Facility names (RFC 5424 table 1), as tcpdump writes them. */
const FACILITY_NAMES: readonly string[] = [
  "kernel",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "ftp",
  "ntp",
  "security",
  "console",
  "cron",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
];

/** The JSON form of a syslog message (docs/json.md). */
export interface SyslogJson {
  /** Facility number (the priority divided by 8). */
  facility: number;
  /** Its name (`local3`, `daemon`), `unknown (N)` past the table. */
  facilityName: string;
  /** Severity (the priority's low three bits). */
  severity: number;
  /** Its name (`error`, `debug`). */
  severityName: string;
  /** The text after the priority, bytes outside printable ASCII as `\xNN`. */
  message: string;
}

/**
 * The JSON form of a datagram on the syslog port without a priority (docs/json.md): its text,
 * and why the priority could not be read.
 */
export interface SyslogUnreadJson {
  /** The datagram's text, bytes outside printable ASCII as `\xNN`. */
  message: string;
  /** The bytes end before the priority does (`<13`). */
  truncated?: true;
  /** Another byte stands where the priority's `<`, digits or `>` should be. */
  invalid?: true;
}

/** A view of a syslog message. */
export class SyslogMessage extends HeaderView {
  /** The priority, or -1 when the message does not begin with `<digits>`. */
  priority: number = -1;
  /** Without a priority: whether the bytes ended before it did (else another byte stood there). */
  priorityCut = false;
  /** Where the text after the priority begins (absolute); the message's start without one. */
  messageAt: number = 0;

  /**
   * Points the view at a datagram's payload (`offset` to `end`) and reads its priority, from
   * bytes up to `readableEnd`: tcpdump reads it past a datagram shorter than its IP packet.
   */
  override bind(view: DataView, offset: number, end: number, readableEnd = end): this {
    super.bind(view, offset, end);
    this.priority = -1;
    this.messageAt = offset;
    this.priorityCut = true;
    if (offset >= readableEnd) return this;
    this.priorityCut = false;
    if (view.getUint8(offset) !== OPEN) return this;
    let priority = 0;
    let at = offset + 1;
    // tcpdump reads at most three digits (msg_off <= 3 counts the bracket).
    while (at < readableEnd && at - offset <= MAX_PRIORITY_DIGITS) {
      const byte = view.getUint8(at);
      if (byte < 0x30 || byte > 0x39) break;
      priority = priority * 10 + byte - 0x30;
      at++;
    }
    if (at >= readableEnd) {
      this.priorityCut = true;
      return this;
    }
    if (view.getUint8(at) !== CLOSE) return this;
    this.priority = priority;
    this.messageAt = at + 1;
    return this;
  }

  /** Facility: the priority's bits 3 to 9, as tcpdump masks them. */
  get facility(): number {
    return (this.priority & 0x3f8) >>> 3;
  }

  /** Severity. */
  get severity(): number {
    return this.priority & 7;
  }

  /** The facility's name. */
  get facilityName(): string {
    return FACILITY_NAMES[this.facility] ?? `unknown (${this.facility})`;
  }

  /** The severity's name. */
  get severityName(): string {
    return SEVERITY_NAMES[this.severity];
  }

  /** The text after the priority. */
  get message(): string {
    let text = "";
    for (let at = this.messageAt; at < this.end; at++) {
      const byte = this.view.getUint8(at);
      text += byte >= 0x20 && byte < 0x7f
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, "0")}`;
    }
    return text;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): SyslogJson | SyslogUnreadJson {
    if (this.priority < 0) {
      return this.priorityCut
        ? { message: this.message, truncated: true }
        : { message: this.message, invalid: true };
    }
    return {
      facility: this.facility,
      facilityName: this.facilityName,
      severity: this.severity,
      severityName: this.severityName,
      message: this.message,
    };
  }
}

/** Syslog's fields under tshark's names. */
export const SYSLOG_FIELDS: FieldTable<SyslogMessage> = {
  "syslog.facility": (syslog) => syslog.priority < 0 ? undefined : syslog.facility,
  "syslog.level": (syslog) => syslog.priority < 0 ? undefined : syslog.severity,
};

/** The JSON object's keys in their order. */
export const SYSLOG_JSON_KEYS: readonly string[] = [
  "facility",
  "facilityName",
  "severity",
  "severityName",
  "message",
  "truncated",
  "invalid",
] as const satisfies readonly (keyof SyslogJson | keyof SyslogUnreadJson)[];
