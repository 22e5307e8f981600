/**
 * A DHCPv6 message (RFC 8415 section 8): its type and transaction ID, or a relay message's
 * hop count (section 9). UDP ports 546 and 547.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Dhcpv6Message } from "./mod.ts";
 * const bytes = new Uint8Array([1, 0xaa, 0x56, 0xce]);
 * const dhcp = new Dhcpv6Message().bind(new DataView(bytes.buffer), 0, 4);
 * assert.deepEqual([dhcp.typeName, dhcp.transactionId], ["solicit", 0xaa56ce]);
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** The client's port. */
export const DHCPV6_CLIENT_PORT = 546;
/** The server's and relay's port. */
export const DHCPV6_SERVER_PORT = 547;

const FIELD_TYPE = 0;
/** A client or server message: type, then a 24-bit transaction ID (the word less its top byte). */

/** A relay message: type, then the hop count. */
const FIELD_HOP_COUNT = 1;
const RELAY_FORWARD = 12;
const RELAY_REPLY = 13;

/** Message types as tcpdump names them (`dh6_msgtype_str`). */
const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: "solicit",
  2: "advertise",
  3: "request",
  4: "confirm",
  5: "renew",
  6: "rebind",
  7: "reply",
  8: "release",
  9: "decline",
  10: "reconfigure",
  11: "inf-req",
  12: "relay-fwd",
  13: "relay-reply",
  14: "leasequery",
  15: "leasequery-reply",
  16: "leasequery-done",
  17: "leasequery-data",
  18: "reconfigure-request",
  19: "reconfigure-reply",
  20: "dhcpv4-query",
  21: "dhcpv4-response",
};

/** The JSON form of a DHCPv6 message (docs/json.md). */
export interface Dhcpv6Json {
  /** Message type. */
  type: number;
  /** Its name (`solicit`, `advertise`, `reply`, …). */
  typeName: string;
  /** Transaction ID (client and server messages). */
  transactionId?: number;
  /** Hop count (relay messages). */
  hopCount?: number;
}

/** A view of a DHCPv6 message. */
export class Dhcpv6Message extends HeaderView {
  /** Message type. */
  get type(): number {
    return this.u8(FIELD_TYPE);
  }

  /** Whether it is a relay message (forward or reply). */
  get isRelay(): boolean {
    const type = this.type;
    return type === RELAY_FORWARD || type === RELAY_REPLY;
  }

  /** Its name as tcpdump writes it, or `msgtype-N`. */
  get typeName(): string {
    return TYPE_NAMES[this.type] ?? `msgtype-${this.type}`;
  }

  /** The transaction ID, or undefined for a relay message or one cut short. */
  get transactionId(): number | undefined {
    if (this.isRelay || this.end - this.offset < 4) return undefined;
    return this.u32(FIELD_TYPE) & 0xffffff;
  }

  /** A relay message's hop count. */
  get hopCount(): number | undefined {
    return this.isRelay ? this.u8(FIELD_HOP_COUNT) : undefined;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): Dhcpv6Json {
    const json: Dhcpv6Json = { type: this.type, typeName: this.typeName };
    const id = this.transactionId;
    if (id !== undefined) json.transactionId = id;
    const hops = this.hopCount;
    if (hops !== undefined) json.hopCount = hops;
    return json;
  }
}

/** DHCPv6's fields under tshark's names. */
export const DHCPV6_FIELDS: FieldTable<Dhcpv6Message> = {
  "dhcpv6.msgtype": (dhcp) => dhcp.type,
  "dhcpv6.xid": (dhcp) => dhcp.transactionId,
};

/** The JSON object's keys in their order. */
export const DHCPV6_JSON_KEYS: readonly string[] = [
  "type",
  "typeName",
  "transactionId",
  "hopCount",
] as const satisfies readonly (keyof Dhcpv6Json)[];
