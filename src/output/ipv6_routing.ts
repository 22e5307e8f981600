/**
 * tcpdump's words for an IPv6 routing header (print-rt6.c, tcpdump 4.99): `RT6 (len=2,
 * type=0 [Deprecated], segleft=1, [0]2001:db8::3) `, a Segment Routing Header's
 * `last-entry=…, tag=…` before its segments, `flags=0x…` and type 0's and 2's `rsv=0x…` when not
 * zero or with `-v`. An odd length (`(invalid length 3) (invalid)`) or a type tcpdump does not
 * know (`(unknown type) (invalid)`) ends the line there. A header cut short by the capture gets
 * the words of the fields captured, as tcpdump prints them before its `[|rt6]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Ipv6RoutingHeader } from "../decode/mod.ts";
 * import { routingText } from "./ipv6_routing.ts";
 * const bytes = new Uint8Array(24);
 * bytes.set([17, 2, 0, 1]); // type 0, one segment left, one address
 * bytes.set([0x20, 0x01, 0x0d, 0xb8], 8);
 * bytes[23] = 3;
 * const routing = new Ipv6RoutingHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.equal(routingText(routing, 0), "RT6 (len=2, type=0 [Deprecated], segleft=1, [0]2001:db8::3) ");
 * assert.equal(routingText(routing, 1), "RT6 (len=2, type=0 [Deprecated], segleft=1, rsv=0x0, [0]2001:db8::3) ");
 * ```
 * @module
 */

import {
  type Ipv6RoutingHeader,
  ROUTING_CAPTURED_THROUGH as THROUGH,
  ROUTING_TYPE_MOBILE,
  ROUTING_TYPE_SEGMENT,
  ROUTING_TYPE_SOURCE,
} from "../decode/mod.ts";

/**
 * Whether tcpdump calls the header invalid and ends the line after its words: an odd length
 * for the types that carry addresses (two units each), or a type it does not decode.
 */
export function routingEndsLine(routing: Ipv6RoutingHeader): boolean {
  return !routing.carriesAddresses || routing.lengthUnits % 2 === 1;
}

/**
 * tcpdump's words for the routing header, a space after them when the line goes on. Of a
 * header cut short, the fields captured (no space after: the line's truncation note follows).
 */
export function routingText(routing: Ipv6RoutingHeader, verbosity: number): string {
  const captured = routing.capturedLength;
  let text = "RT6";
  if (captured < THROUGH.length) return text;
  const length = routing.lengthUnits;
  text += ` (len=${length}`;
  if (captured < THROUGH.type) return text;
  const type = routing.routingType;
  text += `, type=${type}${type === ROUTING_TYPE_SOURCE ? " [Deprecated]" : ""}`;
  if (captured < THROUGH.segmentsLeft) return text;
  text += `, segleft=${routing.segmentsLeft}`;
  if (type === ROUTING_TYPE_SOURCE || type === ROUTING_TYPE_MOBILE) {
    // tcpdump reads the reserved word whole, and SRH's flags before its tag, printed or not.
    if (captured < THROUGH.reserved) return text;
    const reserved = routing.reserved;
    if (reserved !== 0 || verbosity > 0) text += `, rsv=0x${reserved.toString(16)}`;
  } else if (type === ROUTING_TYPE_SEGMENT) {
    if (captured < THROUGH.lastEntry) return text;
    text += `, last-entry=${routing.lastEntry}`;
    if (captured < THROUGH.flags) return text;
    const flags = routing.flags;
    if (flags !== 0 || verbosity > 0) text += `, flags=0x${flags.toString(16)}`;
    if (captured < THROUGH.tag) return text;
    text += `, tag=${routing.tag.toString(16)}`;
  } else return `${text} (unknown type) (invalid)`;
  if (length % 2 === 1) return `${text} (invalid length ${length}) (invalid)`;
  for (let i = 0; i < routing.addressCount; i++) {
    if (!routing.addressCaptured(i)) return text;
    text += `, [${i}]${routing.address(i)}`;
  }
  return text + ") ";
}
