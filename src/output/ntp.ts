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
} from "../decode/mod.ts";
import type { ByteWriter } from "./bytes.ts";

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
  if (ntp.mode <= NTP_LAST_TIME_MODE) {
    if (ntp.capturedLength < NTP_HEADER_LENGTH) out.text(" [|ntp]");
    else writeTimeMessage(out, ntp, length);
  } else if (ntp.mode === NTP_MODE_CONTROL) {
    if (ntp.capturedLength < NTP_CONTROL_HEADER_LENGTH) out.text(" [|ntp]");
    else writeControlMessage(out, ntp);
  }
}

/** A control message's header (RFC 9327), as tcpdump 4.99 prints it. */
function writeControlMessage(out: ByteWriter, ntp: NtpMessage): void {
  const control = ntp.controlWord;
  const [sequence, status, association, offset, count] = ntp.controlFields;
  out.text(
    `, ${control & 0x80 ? "Response" : "Request"}, ${control & 0x40 ? "Error" : "OK"}, ` +
      `${control & 0x20 ? "More" : "Last"}, OpCode=${control & 0x1f}`,
  );
  out.text(
    `\n\tSequence=${sequence}, Status=${status === 0 ? "0" : "0x" + status.toString(16)}, ` +
      `Assoc.=${association}, Offset=${offset}, Count=${count}`,
  );
  if (count !== 0) out.text("\n\tTO-BE-DONE: data not interpreted");
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
  out.text(`, Stratum ${stratum} (${stratumName})`);
  out.text(`, poll ${poll}`);
  if (poll > -32 && poll < 32) out.text(poll >= 0 ? ` (${2 ** poll}s)` : ` (1/${2 ** -poll}s)`);
  out.text(`, precision ${sign8(ntp.precision & 0xff)}`);
  out.text(`\n\tRoot Delay: ${shortFixed(ntp.rootDelayWord)}`);
  out.text(`, Root dispersion: ${shortFixed(ntp.rootDispersionWord)}`);
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
  out.text(`\n\t  Reference Timestamp:  ${longTime(...ntp.timestamp(0))}`);
  out.text(`\n\t  Originator Timestamp: ${longTime(...origin)}`);
  out.text(`\n\t  Receive Timestamp:    ${longTime(...ntp.timestamp(2))}`);
  out.text(`\n\t  Transmit Timestamp:   ${longTime(...ntp.timestamp(3))}`);
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
