/**
 * Syslog's output: tcpdump's words for a message (`SYSLOG local3.warning, length: 118`), and
 * with `-v` the facility, severity and text on the lines after.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SyslogMessage } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeSyslog } from "./syslog.ts";
 * const bytes = new TextEncoder().encode("<14>hello");
 * const out = new ByteWriter();
 * writeSyslog(out, new SyslogMessage().bind(new DataView(bytes.buffer), 0, 9), 9, 0);
 * assert.equal(out.toString(), "SYSLOG user.info, length: 9");
 * ```
 * @module
 */

import type { SyslogMessage } from "../decode/mod.ts";
import { type ByteWriter, encodePieces, HEX_DIGITS } from "./bytes.ts";
import { hexDump } from "./hexdump.ts";
import { writePrintableByte } from "./printable.ts";

/** `SYSLOG facility.severity, length: N`; with `verbosity` the fields and text after. */
export function writeSyslog(
  out: ByteWriter,
  syslog: SyslogMessage,
  length: number,
  verbosity: number,
): void {
  if (syslog.priority < 0) {
    // tcpdump's words when no priority could be read, each after a space of its own.
    out.text(syslog.priorityCut ? " [|syslog]" : " (invalid)");
    return;
  }
  if (verbosity === 0) {
    out.text(`SYSLOG ${syslog.facilityName}.${syslog.severityName}, length: ${length}`);
    return;
  }
  out.text(
    `SYSLOG, length: ${length}\n\tFacility ${syslog.facilityName} (${syslog.facility}), ` +
      `Severity ${syslog.severityName} (${syslog.severity})\n\tMsg: `,
  );
  const view = syslog.dataView;
  for (let at = syslog.messageAt; at < syslog.end; at++) {
    writePrintableByte(out, view.getUint8(at));
  }
  if (verbosity > 1) {
    // -vv: the whole message in hex, as tcpdump's `print_unknown_data` adds it.
    const bytes = new Uint8Array(
      view.buffer,
      view.byteOffset + syslog.offset,
      syslog.end - syslog.offset,
    );
    out.text("\n" + hexDump(bytes, false).trimEnd());
  }
}

/** The keys of syslog's JSON object (`SyslogMessage.toJSON`), in its order. */
const JSON_PIECE = encodePieces({
  facility: '{"facility":',
  facilityName: ',"facilityName":',
  severity: ',"severity":',
  severityName: ',"severityName":',
  message: ',"message":"',
  unreadMessage: '{"message":"',
  truncated: ',"truncated":true}',
  invalid: ',"invalid":true}',
});

/**
 * Appends the message's JSON object: the same bytes as `JSON.stringify(syslog)` (its
 * `toJSON`), the message's text escaped from its bytes without making the string.
 */
export function writeSyslogJson(out: ByteWriter, syslog: SyslogMessage): void {
  const unread = syslog.priority < 0;
  if (unread) out.piece(JSON_PIECE.unreadMessage);
  else {
    out.field(JSON_PIECE.facility, syslog.facility);
    out.piece(JSON_PIECE.facilityName);
    out.text(JSON.stringify(syslog.facilityName));
    out.field(JSON_PIECE.severity, syslog.severity);
    out.piece(JSON_PIECE.severityName);
    out.text(JSON.stringify(syslog.severityName));
    out.piece(JSON_PIECE.message);
  }
  const view = syslog.dataView;
  const end = syslog.end;
  // Each byte is at most `\\xNN` (5 bytes) in the JSON string.
  out.reserve(5 * Math.max(0, end - syslog.messageAt) + 2);
  const bytes = out.bytes;
  let length = out.length;
  for (let at = syslog.messageAt; at < end; at++) {
    const byte = view.getUint8(at);
    if (byte >= 0x20 && byte < 0x7f) {
      // The message's `"` and `\` are JSON's to escape.
      if (byte === 0x22 || byte === 0x5c) bytes[length++] = 0x5c;
      bytes[length++] = byte;
    } else {
      // The message's own `\xNN`, its backslash escaped for JSON.
      bytes[length++] = 0x5c;
      bytes[length++] = 0x5c;
      bytes[length++] = 0x78;
      bytes[length++] = HEX_DIGITS[byte >> 4];
      bytes[length++] = HEX_DIGITS[byte & 15];
    }
  }
  bytes[length++] = 0x22;
  if (unread) {
    out.length = length;
    out.piece(syslog.priorityCut ? JSON_PIECE.truncated : JSON_PIECE.invalid);
    return;
  }
  bytes[length++] = 0x7d;
  out.length = length;
}
