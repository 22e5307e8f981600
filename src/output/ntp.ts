/**
 * NTP's output: tcpdump's words for a message (`NTPv4, Server, length 48`), and with `-v` its
 * fields on the lines after, as tcpdump prints them (leap indicator, stratum, poll, precision,
 * root delay and dispersion, reference ID, the four timestamps with their UTC times, and the
 * origin's distance to the receive and transmit times).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NtpMessage } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeNtp } from "./ntp.ts";
 * const bytes = new Uint8Array(48);
 * bytes[0] = 0x23; // version 4, client
 * const out = new ByteWriter();
 * writeNtp(out, new NtpMessage().bind(new DataView(bytes.buffer), 0, 48), 48, 0);
 * assert.equal(out.toString(), "NTPv4, Client, length 48");
 * ```
 * @module
 */

import type { NtpMessage } from "../decode/mod.ts";
import {
  NTP_CONTROL_HEADER_LENGTH,
  NTP_HEADER_LENGTH,
  NTP_LAST_TIME_MODE,
  NTP_MODE_CONTROL,
  NTP_UNIX_OFFSET,
  ntpModeName,
} from "../decode/mod.ts";
import { type ByteWriter, encodePieces, Piece } from "./bytes.ts";

/** tcpdump's leap indicator names; the value is printed shifted to its place in the byte. */
const LEAP_NAMES: readonly string[] = ["", "+1s", "-1s", "clock unsynchronized"];
const STRATUM_UNSPECIFIED = 0;
const STRATUM_PRIMARY = 1;
const STRATUM_INFO_QUERY = 62;
const STRATUM_INFO_REPLY = 63;
/** A key ID after the header (RFC 5905 section 7.3), then the digest. */
const KEY_ID_LENGTH = 4;
const TWO_32 = 4294967296;

/** `NTPv4, Server, length 48`; with `verbosity` above 0 the fields on lines after. */
export function writeNtp(out: ByteWriter, ntp: NtpMessage, length: number, verbosity: number) {
  out.text(`NTPv${ntp.version}, ${ntp.modeName}, length ${length}`);
  if (verbosity === 0) return;
  const leap = ntp.leap;
  out.text(`\n\tLeap indicator: ${LEAP_NAMES[leap]} (${leap << 6})`);
  // Shorter than its header on the wire, tcpdump calls the message invalid; cut short by the
  // capture, it prints the fields captured, then its mark.
  if (ntp.mode <= NTP_LAST_TIME_MODE) {
    if (length < NTP_HEADER_LENGTH) out.text(INVALID);
    else writeTimeMessage(out, ntp, length);
  } else if (ntp.mode === NTP_MODE_CONTROL) {
    if (length < NTP_CONTROL_HEADER_LENGTH) out.text(INVALID);
    else writeControlMessage(out, ntp, length);
  }
}

const INVALID = " (invalid)";
const CUT = " [|ntp]";
/** `-v`'s words before the time message's four timestamps, in their order. */
const TIMESTAMP_LABELS: readonly string[] = [
  "\n\t  Reference Timestamp:  ",
  "\n\t  Originator Timestamp: ",
  "\n\t  Receive Timestamp:    ",
  "\n\t  Transmit Timestamp:   ",
];

/**
 * Whether the message was captured only up to before `end` bytes: then tcpdump's mark is
 * written, where tcpdump stops reading.
 */
function cutBefore(out: ByteWriter, ntp: NtpMessage, end: number): boolean {
  if (ntp.capturedLength >= end) return false;
  out.text(CUT);
  return true;
}

/** A control message's header (RFC 9327), as tcpdump 4.99 prints it. */
function writeControlMessage(out: ByteWriter, ntp: NtpMessage, length: number): void {
  const control = ntp.controlWord;
  const [sequence, status, association, offset, count] = ntp.controlFields;
  if (cutBefore(out, ntp, 2)) return;
  out.text(
    `, ${control & 0x80 ? "Response" : "Request"}, ${control & 0x40 ? "Error" : "OK"}, ` +
      `${control & 0x20 ? "More" : "Last"}, OpCode=${control & 0x1f}\n`,
  );
  // Sequence, status, association, offset and count: two bytes each from byte 2.
  const fields: [string, string][] = [
    ["\tSequence=", `${sequence}`],
    [", Status=", status === 0 ? "0" : "0x" + status.toString(16)],
    [", Assoc.=", `${association}`],
    [", Offset=", `${offset}`],
    [", Count=", `${count}`],
  ];
  for (let i = 0; i < fields.length; i++) {
    if (cutBefore(out, ntp, 4 + 2 * i)) return;
    out.text(fields[i][0] + fields[i][1]);
  }
  if (count === 0) return;
  // The data the count announces must fit in the message, and be captured.
  if (length - NTP_CONTROL_HEADER_LENGTH < count) out.text(INVALID);
  else if (!cutBefore(out, ntp, NTP_CONTROL_HEADER_LENGTH + count)) {
    out.text("\n\tTO-BE-DONE: data not interpreted");
  }
}

function sign8(value: number): number {
  return value > 127 ? value - 256 : value;
}

/** tcpdump's `p_sfix`: a 16.16 fixed-point number as seconds with six decimals. */
function shortFixed(word: number): string {
  const integer = word >>> 16;
  const fraction = Math.trunc(((word & 0xffff) / 65536) * 1000000);
  return `${integer | 0}.${String(fraction).padStart(6, "0")}`;
}

/** tcpdump's `p_ntp_time`: seconds and nanoseconds, and the UTC time when seconds are set. */
function longTime(seconds: number, fraction: number): string {
  const nanoseconds = Math.trunc((fraction / TWO_32) * 1000000000);
  let text = `${seconds}.${String(nanoseconds).padStart(9, "0")}`;
  if (seconds !== 0) {
    const date = new Date((seconds - NTP_UNIX_OFFSET) * 1000);
    text += ` (${date.toISOString().slice(0, 19)}Z)`;
  }
  return text;
}

/** tcpdump's `p_ntp_delta`: from `origin` to `time`, signed. */
function delta(origin: [number, number], time: [number, number]): string {
  const [originSeconds, originFraction] = origin;
  const [seconds, fraction] = time;
  if (originSeconds === 0 && originFraction === 0) return longTime(seconds, fraction);
  let whole = seconds - originSeconds;
  let sign: string;
  let part: number;
  if (whole > 0) {
    sign = "+";
    part = (fraction - originFraction) >>> 0;
    if (originFraction > fraction) whole -= 1;
  } else if (whole < 0) {
    sign = "-";
    part = (originFraction - fraction) >>> 0;
    if (fraction > originFraction) whole += 1;
    whole = -whole;
  } else if (fraction > originFraction) {
    sign = "+";
    part = fraction - originFraction;
  } else {
    sign = "-";
    part = originFraction - fraction;
  }
  const nanoseconds = Math.trunc((part / TWO_32) * 1000000000);
  return `${sign}${whole}.${String(nanoseconds).padStart(9, "0")}`;
}

function writeTimeMessage(out: ByteWriter, ntp: NtpMessage, length: number): void {
  const stratum = ntp.stratum;
  const poll = ntp.poll;
  const stratumName = stratum === STRATUM_UNSPECIFIED
    ? "unspecified"
    : stratum === STRATUM_PRIMARY
    ? "primary reference"
    : stratum >= 2 && stratum <= 15
    ? "secondary reference"
    : "reserved";
  if (cutBefore(out, ntp, 2)) return;
  out.text(`, Stratum ${stratum} (${stratumName})`);
  if (cutBefore(out, ntp, 3)) return;
  out.text(`, poll ${poll}`);
  if (poll > -32 && poll < 32) out.text(poll >= 0 ? ` (${2 ** poll}s)` : ` (1/${2 ** -poll}s)`);
  if (cutBefore(out, ntp, 4)) return;
  out.text(`, precision ${sign8(ntp.precision & 0xff)}`);
  if (cutBefore(out, ntp, 8)) return;
  out.text(`\n\tRoot Delay: ${shortFixed(ntp.rootDelayWord)}`);
  if (cutBefore(out, ntp, 12)) return;
  out.text(`, Root dispersion: ${shortFixed(ntp.rootDispersionWord)}`);
  if (cutBefore(out, ntp, 16)) return;
  out.text(", Reference-ID: ");
  const view = ntp.dataView;
  const reference = ntp.referenceIdAt;
  switch (stratum) {
    case STRATUM_UNSPECIFIED:
      out.text("(unspec)");
      break;
    case STRATUM_PRIMARY:
      for (let i = 0; i < 4; i++) {
        const byte = view.getUint8(reference + i);
        if (byte === 0) break;
        out.text(
          byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16)}`,
        );
      }
      break;
    case STRATUM_INFO_QUERY:
    case STRATUM_INFO_REPLY:
      out.ipv4(ntp.referenceId);
      out.text(stratum === STRATUM_INFO_QUERY ? " INFO_QUERY" : " INFO_REPLY");
      return;
    default:
      out.text(`0x${ntp.referenceId.toString(16).padStart(8, "0")}`);
  }
  const origin = ntp.timestamp(1);
  // Four eight-byte timestamps from byte 16.
  for (let i = 0; i < TIMESTAMP_LABELS.length; i++) {
    if (cutBefore(out, ntp, 24 + 8 * i)) return;
    out.text(TIMESTAMP_LABELS[i] + longTime(...ntp.timestamp(i)));
  }
  out.text(`\n\t    Originator - Receive Timestamp:  ${delta(origin, ntp.timestamp(2))}`);
  out.text(`\n\t    Originator - Transmit Timestamp: ${delta(origin, ntp.timestamp(3))}`);
  // After the header: a key ID alone (a crypto-NAK), or with a 128- or 160-bit digest.
  const trailer = length - NTP_HEADER_LENGTH;
  const digestWords = (trailer - KEY_ID_LENGTH) / 4;
  if (trailer === KEY_ID_LENGTH || digestWords === 4 || digestWords === 5) {
    if (ntp.trailerLength < trailer) return;
    out.text(`\n\tKey id: ${ntp.keyId}`);
    if (trailer === KEY_ID_LENGTH) return;
    const words = ntp.digestWords.slice(0, digestWords);
    out.text(
      `\n\tAuthentication: ${words.map((word) => word.toString(16).padStart(8, "0")).join("")}`,
    );
  } else if (trailer > 0) {
    out.text(`\n\t(${trailer} more bytes after the header)`);
  }
}

/** The keys of NTP's JSON object (`NtpMessage.toJSON`), in its order. */
const JSON_PIECE = encodePieces({
  leap: '{"leap":',
  version: ',"version":',
  mode: ',"mode":',
  modeName: ',"modeName":',
  stratum: ',"stratum":',
  poll: ',"poll":',
  precision: ',"precision":',
  rootDelay: ',"rootDelay":',
  rootDispersion: ',"rootDispersion":',
  referenceId: ',"referenceId":"',
  referenceTime: '","referenceTime":',
  originTime: ',"originTime":',
  receiveTime: ',"receiveTime":',
  transmitTime: ',"transmitTime":',
  null: "null",
});
/** Each mode's name as a JSON string. */
const MODE_NAME_PIECES: readonly Piece[] = Array.from(
  { length: 8 },
  (_, mode) => new Piece(JSON.stringify(ntpModeName(mode))),
);
const TIME_KEYS = [
  JSON_PIECE.referenceTime,
  JSON_PIECE.originTime,
  JSON_PIECE.receiveTime,
  JSON_PIECE.transmitTime,
];
const SECONDS_A_DAY = 86_400;

/**
 * Appends the message's JSON object: the same bytes as `JSON.stringify(ntp)` (its `toJSON`),
 * the times written without a `Date` each.
 */
export function writeNtpJson(out: ByteWriter, ntp: NtpMessage): void {
  out.field(JSON_PIECE.leap, ntp.leap);
  out.field(JSON_PIECE.version, ntp.version);
  out.field(JSON_PIECE.mode, ntp.mode);
  out.piece(JSON_PIECE.modeName);
  out.piece(MODE_NAME_PIECES[ntp.mode]);
  if (ntp.hasTime) {
    out.field(JSON_PIECE.stratum, ntp.stratum);
    out.piece(JSON_PIECE.poll);
    writeSigned(out, ntp.poll);
    out.piece(JSON_PIECE.precision);
    writeSigned(out, ntp.precision);
    out.piece(JSON_PIECE.rootDelay);
    out.text(String(ntp.rootDelayWord / 65536));
    out.piece(JSON_PIECE.rootDispersion);
    out.text(String(ntp.rootDispersionWord / 65536));
    out.piece(JSON_PIECE.referenceId);
    out.hex(ntp.referenceId, 8);
    for (let which = 0; which < TIME_KEYS.length; which++) {
      // The reference ID's closing quote is in the first time's key.
      out.piece(TIME_KEYS[which]);
      const [seconds, fraction] = ntp.timestamp(which);
      writeNtpTimeJson(out, seconds, fraction);
    }
  }
  out.byte(0x7d);
}

function writeSigned(out: ByteWriter, value: number): void {
  if (value < 0) out.byte(0x2d);
  out.uint(Math.abs(value));
}

/**
 * `ntpTimeText` as a JSON string (or `null` for 0): `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, the
 * date from the day count by Howard Hinnant's `civil_from_days`.
 */
function writeNtpTimeJson(out: ByteWriter, seconds: number, fraction: number): void {
  if (seconds === 0 && fraction === 0) {
    out.piece(JSON_PIECE.null);
    return;
  }
  const unix = seconds - NTP_UNIX_OFFSET;
  const days = Math.floor(unix / SECONDS_A_DAY);
  const ofDay = unix - days * SECONDS_A_DAY;
  // Days since 0000-03-01, in 400-year eras of 146,097 days (era 0 holds 1900 to 2036).
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra -
    (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  out.byte(0x22);
  out.padded(year, 4);
  out.byte(0x2d);
  out.padded(month, 2);
  out.byte(0x2d);
  out.padded(day, 2);
  out.byte(0x54);
  out.padded(Math.floor(ofDay / 3600), 2);
  out.byte(0x3a);
  out.padded(Math.floor(ofDay / 60) % 60, 2);
  out.byte(0x3a);
  out.padded(ofDay % 60, 2);
  out.byte(0x2e);
  out.padded(Math.floor(fraction / 2 ** 32 * 1e9), 9);
  out.byte(0x5a);
  out.byte(0x22);
}
