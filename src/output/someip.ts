/**
 * SOME/IP's text, as tcpdump prints it (`someip_print`): `SOMEIP, service 1, method 2, len 8,
 * client 8, session 5, pver 1, iver 1, msgtype REQUEST_NO_RETURN, retcode E_OK`, then an empty
 * line (tcpdump ends its words with a newline of their own). A header cut short ends at the
 * first field not captured, with tcpdump's mark; a message shorter than the header on the wire
 * is `SOMEIP (invalid)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SomeIpMessage } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeSomeIp } from "./someip.ts";
 * const bytes = new Uint8Array([0xff, 0xff, 0x81, 0, 0, 0, 0, 64, 0, 0, 0, 0, 1, 1, 2, 0]);
 * const out = new ByteWriter();
 * writeSomeIp(out, new SomeIpMessage().bind(new DataView(bytes.buffer), 0, 16), 16);
 * assert.equal(
 *   out.toString(),
 *   "SOMEIP, service 65535, event 256, len 64, client 0, session 0, pver 1, iver 1, " +
 *     "msgtype NOTIFICATION, retcode E_OK\n",
 * );
 * ```
 * @module
 */

import { SOMEIP_HEADER_LENGTH, type SomeIpMessage } from "../decode/mod.ts";
import type { ByteWriter } from "./bytes.ts";

/** tcpdump's mark where it could read no further. */
const CUT = " [|someip]";

/**
 * tcpdump's words for a SOME/IP header; `length` is the message's on the wire (the datagram's
 * payload), which tcpdump checks before it reads the header.
 */
export function writeSomeIp(out: ByteWriter, message: SomeIpMessage, length: number): void {
  out.text("SOMEIP");
  if (length < SOMEIP_HEADER_LENGTH) return out.text(" (invalid)");
  // tcpdump reads the header in these steps, and stops at the first it cannot.
  if (!message.has("messageId")) return out.text(CUT);
  const kind = message.isEvent ? "event" : "method";
  out.text(`, service ${message.serviceId}, ${kind} ${message.methodNumber}`);
  if (!message.has("length")) return out.text(CUT);
  out.text(`, len ${message.length}`);
  if (!message.has("requestId")) return out.text(CUT);
  out.text(`, client ${message.clientId}, session ${message.sessionId}`);
  if (!message.has("protocolVersion")) return out.text(CUT);
  out.text(`, pver ${message.protocolVersion}`);
  if (!message.has("interfaceVersion")) return out.text(CUT);
  out.text(`, iver ${message.interfaceVersion}`);
  if (!message.has("messageType")) return out.text(CUT);
  out.text(`, msgtype ${message.messageTypeName}`);
  if (!message.has("returnCode")) return out.text(CUT);
  out.text(`, retcode ${message.returnCodeName}\n`);
}
