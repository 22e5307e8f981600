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
import type { ByteWriter } from "./bytes.ts";
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
    out.text("[|syslog]");
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
