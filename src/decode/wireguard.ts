/**
 * WireGuard's messages (the WireGuard paper, section 5.4): handshake initiation (1), response
 * (2), cookie reply (3) and transport data (4), with their sender and receiver indices and the
 * data's counter (little-endian, as WireGuard writes them). UDP port 51820, when the first
 * four bytes are a known type and three zero bytes, and the length fits the type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WireGuardMessage } from "./mod.ts";
 * const bytes = new Uint8Array(148);
 * bytes.set([1, 0, 0, 0, 0x11, 0x22, 0x33, 0x44]);
 * const wg = new WireGuardMessage().bind(new DataView(bytes.buffer), 0, 148);
 * assert.deepEqual([wg.typeName, wg.sender], ["Handshake Initiation", 0x44332211]);
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** WireGuard's usual port. */
export const WIREGUARD_PORT = 51820;

// Message types and their fixed lengths (the WireGuard paper, section 5.4).
const TYPE_INITIATION = 1;
const TYPE_RESPONSE = 2;
const TYPE_COOKIE = 3;
const TYPE_DATA = 4;
const LENGTHS: Readonly<Record<number, number>> = { 1: 148, 2: 92, 3: 64 };
/** Transport data: type, receiver, counter, then at least the 16-byte tag. */
const DATA_MIN_LENGTH = 32;
const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: "Handshake Initiation",
  2: "Handshake Response",
  3: "Cookie Reply",
  4: "Transport Data",
};
// Fields, in bytes from the message's start.
const FIELD_SENDER = 4;
/** The receiver follows the sender in a response, and comes first in a cookie or data. */
const FIELD_RESPONSE_RECEIVER = 8;
const FIELD_RECEIVER = 4;
const FIELD_COUNTER = 8;

/** Whether a datagram's payload is a WireGuard message of a type and length that fit. */
export function isWireGuard(view: DataView, at: number, end: number, length: number): boolean {
  if (end - at < 4 || (view.getUint32(at) & 0x00ffffff) !== 0) return false;
  const type = view.getUint8(at);
  if (type === TYPE_DATA) return length >= DATA_MIN_LENGTH && length % 16 === 0;
  return LENGTHS[type] === length;
}

/** The JSON form of a WireGuard message (docs/json.md). */
export interface WireGuardJson {
  /** 1 initiation, 2 response, 3 cookie reply, 4 transport data. */
  type: number;
  /** Its name. */
  typeName: string;
  /** The sender's index (initiation, response). */
  sender?: number;
  /** The receiver's index (response, cookie reply, data). */
  receiver?: number;
  /** Transport data's counter (a string past 2^53). */
  counter?: number | string;
}

/** A view of a WireGuard message. */
export class WireGuardMessage extends HeaderView {
  /** Message type. */
  get type(): number {
    return this.u8(0);
  }

  /** Its name. */
  get typeName(): string {
    return TYPE_NAMES[this.type] ?? `${this.type}`;
  }

  #le32(at: number): number | undefined {
    const offset = this.offset + at;
    return offset + 4 <= this.end ? this.view.getUint32(offset, true) : undefined;
  }

  /** The sender's index (initiation, response). */
  get sender(): number | undefined {
    const type = this.type;
    return type === TYPE_INITIATION || type === TYPE_RESPONSE
      ? this.#le32(FIELD_SENDER)
      : undefined;
  }

  /** The receiver's index (response, cookie reply, data). */
  get receiver(): number | undefined {
    const type = this.type;
    if (type === TYPE_RESPONSE) return this.#le32(FIELD_RESPONSE_RECEIVER);
    return type === TYPE_COOKIE || type === TYPE_DATA ? this.#le32(FIELD_RECEIVER) : undefined;
  }

  /** Transport data's counter. */
  get counter(): number | string | undefined {
    if (this.type !== TYPE_DATA) return undefined;
    const at = this.offset + FIELD_COUNTER;
    if (at + 8 > this.end) return undefined;
    const value = this.view.getBigUint64(at, true);
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): WireGuardJson {
    const json: WireGuardJson = { type: this.type, typeName: this.typeName };
    const sender = this.sender;
    if (sender !== undefined) json.sender = sender;
    const receiver = this.receiver;
    if (receiver !== undefined) json.receiver = receiver;
    const counter = this.counter;
    if (counter !== undefined) json.counter = counter;
    return json;
  }
}

/** WireGuard's fields under tshark's names. */
export const WIREGUARD_FIELDS: FieldTable<WireGuardMessage> = {
  "wg.type": (wg) => wg.type,
  "wg.sender": (wg) => wg.sender,
  "wg.receiver": (wg) => wg.receiver,
};

/** The JSON object's keys in their order. */
export const WIREGUARD_JSON_KEYS: readonly string[] = [
  "type",
  "typeName",
  "sender",
  "receiver",
  "counter",
] as const satisfies readonly (keyof WireGuardJson)[];
