/**
 * SOME/IP's header (AUTOSAR "SOME/IP Protocol Specification", R22-11, section 4.1.2): the
 * message ID (service and method, the method's top bit set for an event), the length of what
 * follows the length field, the request ID (client and session), the protocol and interface
 * versions, the message type and the return code; 16 bytes, big-endian. On UDP port 30490,
 * where tcpdump reads it (service discovery's port).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SomeIpMessage } from "./mod.ts";
 * const bytes = new Uint8Array([0, 1, 0, 2, 0, 0, 0, 8, 0, 8, 0, 5, 1, 1, 1, 0]);
 * const message = new SomeIpMessage().bind(new DataView(bytes.buffer), 0, 16);
 * assert.deepEqual(
 *   [message.serviceId, message.methodId, message.clientId, message.messageTypeName],
 *   [1, 2, 8, "REQUEST_NO_RETURN"],
 * );
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** The port tcpdump reads SOME/IP on (SOME/IP service discovery's, by IANA). */
export const SOMEIP_PORT = 30490;
/** The header's length: what a message has before its payload. */
export const SOMEIP_HEADER_LENGTH = 16;

/**
 * The header's fields: where each begins, in bytes from the header's start, and its size. The
 * message ID is the service and method IDs, the request ID the client and session IDs.
 */
export const SOMEIP_LAYOUT = {
  messageId: [0, 4],
  serviceId: [0, 2],
  methodId: [2, 2],
  length: [4, 4],
  requestId: [8, 4],
  clientId: [8, 2],
  sessionId: [10, 2],
  protocolVersion: [12, 1],
  interfaceVersion: [13, 1],
  messageType: [14, 1],
  returnCode: [15, 1],
} as const;

/** A field of the header, by its name in `SOMEIP_LAYOUT`. */
export type SomeIpField = keyof typeof SOMEIP_LAYOUT;

/** The method ID's top bit: an event (or notification), not a method. */
const EVENT_BIT = 0x8000;
/** Message type bits: the acknowledgement and the transport protocol (segmented) flags. */
const TYPE_ACK = 0x40;
const TYPE_TP = 0x20;

/** The message types' names, as tcpdump prints them. */
const MESSAGE_TYPES: ReadonlyMap<number, string> = new Map([
  [0x00, "REQUEST"],
  [0x01, "REQUEST_NO_RETURN"],
  [0x02, "NOTIFICATION"],
  [0x80, "RESPONSE"],
  [0x81, "ERROR"],
  [0x20, "TP_REQUEST"],
  [0x21, "TP_REQUEST_NO_RETURN"],
  [0x22, "TP_NOTIFICATION"],
  [0xa0, "TP_RESPONSE"],
  [0xa1, "TP_ERROR"],
]);

/** The return codes' names, as tcpdump prints them. */
const RETURN_CODES: readonly string[] = [
  "E_OK",
  "E_NOT_OK",
  "E_UNKNOWN_SERVICE",
  "E_UNKNOWN_METHOD",
  "E_NOT_READY",
  "E_NOT_REACHABLE",
  "E_TIMEOUT",
  "E_WRONG_PROTOCOL_VERSION",
  "E_WRONG_INTERFACE_VERSION",
  "E_MALFORMED_MESSAGE",
  "E_WRONG_MESSAGE_TYPE",
  "E_E2E_REPEATED",
  "E_E2E_WRONG_SEQUENCE",
  "E_E2E",
  "E_E2E_NOT_AVAILABLE",
  "E_E2E_NO_NEW_DATA",
];

/** The JSON form of a SOME/IP header (docs/json.md); a field cut short is left out. */
export interface SomeIpJson {
  /** The service ID. */
  serviceId?: number;
  /** The whole 16 bits, the event bit included (as tshark's `someip.methodid`). */
  methodId?: number;
  /** Whether the method ID names an event (its top bit). */
  event?: boolean;
  /** Bytes after the length field: the request ID, the four one-byte fields, the payload. */
  length?: number;
  /** The request ID's client half. */
  clientId?: number;
  /** The request ID's session half. */
  sessionId?: number;
  /** The protocol version (1). */
  protocolVersion?: number;
  /** The service interface's major version. */
  interfaceVersion?: number;
  /** 0 request, 1 without a response, 2 notification, 0x80 response, 0x81 error. */
  messageType?: number;
  /** tcpdump's name for it (`Unknown` past its list). */
  messageTypeName?: string;
  /** The return code. */
  returnCode?: number;
  /** tcpdump's name for it (`Unknown` past its list). */
  returnCodeName?: string;
  /** Fewer than the header's 16 bytes were captured. */
  truncated?: true;
}

/** A view of a SOME/IP header; see `truncated` for one cut short. */
export class SomeIpMessage extends HeaderView {
  /** Whether the captured bytes hold the field. */
  has(field: SomeIpField): boolean {
    const [at, size] = SOMEIP_LAYOUT[field];
    return at + size <= this.capturedLength;
  }

  /** Service ID. */
  get serviceId(): number {
    return this.u16(SOMEIP_LAYOUT.serviceId[0]);
  }

  /** Method ID, with its event bit. */
  get methodId(): number {
    return this.u16(SOMEIP_LAYOUT.methodId[0]);
  }

  /** Whether the method ID names an event. */
  get isEvent(): boolean {
    return (this.methodId & EVENT_BIT) !== 0;
  }

  /** The method's or event's number: the method ID without its event bit. */
  get methodNumber(): number {
    return this.methodId & ~EVENT_BIT;
  }

  /** Bytes after the length field. */
  get length(): number {
    return this.u32(SOMEIP_LAYOUT.length[0]);
  }

  /** Client ID (the request ID's first half). */
  get clientId(): number {
    return this.u16(SOMEIP_LAYOUT.clientId[0]);
  }

  /** Session ID (the request ID's second half). */
  get sessionId(): number {
    return this.u16(SOMEIP_LAYOUT.sessionId[0]);
  }

  /** Protocol version. */
  get protocolVersion(): number {
    return this.u8(SOMEIP_LAYOUT.protocolVersion[0]);
  }

  /** Interface version. */
  get interfaceVersion(): number {
    return this.u8(SOMEIP_LAYOUT.interfaceVersion[0]);
  }

  /** Message type. */
  get messageType(): number {
    return this.u8(SOMEIP_LAYOUT.messageType[0]);
  }

  /** tcpdump's name for the message type. */
  get messageTypeName(): string {
    return MESSAGE_TYPES.get(this.messageType) ?? "Unknown";
  }

  /** Return code. */
  get returnCode(): number {
    return this.u8(SOMEIP_LAYOUT.returnCode[0]);
  }

  /** tcpdump's name for the return code. */
  get returnCodeName(): string {
    return RETURN_CODES[this.returnCode] ?? "Unknown";
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): SomeIpJson {
    const json: SomeIpJson = {};
    if (this.has("serviceId")) json.serviceId = this.serviceId;
    if (this.has("methodId")) {
      json.methodId = this.methodId;
      json.event = this.isEvent;
    }
    if (this.has("length")) json.length = this.length;
    if (this.has("clientId")) json.clientId = this.clientId;
    if (this.has("sessionId")) json.sessionId = this.sessionId;
    if (this.has("protocolVersion")) json.protocolVersion = this.protocolVersion;
    if (this.has("interfaceVersion")) json.interfaceVersion = this.interfaceVersion;
    if (this.has("messageType")) {
      json.messageType = this.messageType;
      json.messageTypeName = this.messageTypeName;
    }
    if (this.has("returnCode")) {
      json.returnCode = this.returnCode;
      json.returnCodeName = this.returnCodeName;
    }
    if (this.truncated) json.truncated = true;
    return json;
  }
}

/**
 * `value` when tshark shows it: the message ID's and the length's fields once those 8 bytes
 * are there, the rest only with the whole header (its last field, the return code).
 */
function shown<Value>(message: SomeIpMessage, firstPart: boolean, value: Value): Value | undefined {
  return message.has(firstPart ? "length" : "returnCode") ? value : undefined;
}

/**
 * SOME/IP's fields under tshark's names (its dissector, given the port with
 * `-d udp.port==30490,someip`; tshark 4.0 leaves the port to service discovery otherwise). A
 * message shorter than the header shows the message ID and length if it has their 8 bytes.
 */
export const SOMEIP_FIELDS: FieldTable<SomeIpMessage> = {
  "someip.messageid": (m) => shown(m, true, m.serviceId * 0x10000 + m.methodId),
  "someip.serviceid": (m) => shown(m, true, m.serviceId),
  "someip.methodid": (m) => shown(m, true, m.methodId),
  "someip.length": (m) => shown(m, true, m.length),
  "someip.clientid": (m) => shown(m, false, m.clientId),
  "someip.sessionid": (m) => shown(m, false, m.sessionId),
  "someip.protoversion": (m) => shown(m, false, m.protocolVersion),
  "someip.interfaceversion": (m) => shown(m, false, m.interfaceVersion),
  "someip.messagetype": (m) => shown(m, false, m.messageType),
  "someip.messagetype.ack": (m) => shown(m, false, (m.messageType & TYPE_ACK) !== 0 ? 1 : 0),
  "someip.messagetype.tp": (m) => shown(m, false, (m.messageType & TYPE_TP) !== 0 ? 1 : 0),
  "someip.returncode": (m) => shown(m, false, m.returnCode),
};

/** The JSON object's keys in their order. */
export const SOMEIP_JSON_KEYS: readonly string[] = [
  "serviceId",
  "methodId",
  "event",
  "length",
  "clientId",
  "sessionId",
  "protocolVersion",
  "interfaceVersion",
  "messageType",
  "messageTypeName",
  "returnCode",
  "returnCodeName",
  "truncated",
] as const satisfies readonly (keyof SomeIpJson)[];
