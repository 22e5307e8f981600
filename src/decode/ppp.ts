/**
 * PPP (RFC 1661) as PPPoE carries it: an optional address and control field (0xff 0x03), the
 * protocol (two bytes, or one when the peer compresses it: RFC 1661 section 6.5), then the
 * network packet or a control message. Control protocols (LCP, IPCP, IPV6CP, CCP, …), CHAP
 * (RFC 1994) and PAP (RFC 1334) share one layout: code, identifier, length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PppFrame } from "./mod.ts";
 * // LCP Echo-Request (RFC 1661 section 5.8), id 2, length 8, magic number 0x11223344.
 * const bytes = new Uint8Array([0xc0, 0x21, 9, 2, 0, 8, 0x11, 0x22, 0x33, 0x44]);
 * const ppp = new PppFrame().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual(
 *   [ppp.protocol, ppp.headerLength, ppp.hasMessage, ppp.code, ppp.identifier, ppp.messageLength],
 *   [0xc021, 2, true, 9, 2, 8],
 * );
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** PPP protocol numbers (RFC 1661, IANA's PPP DLL protocol numbers) netpeek dispatches on. */
export const PPP_IPV4 = 0x0021;
/** IPv6 (RFC 5072). */
export const PPP_IPV6 = 0x0057;
/** MPLS unicast (RFC 3032). */
export const PPP_MPLS_UNICAST = 0x0281;
/** MPLS multicast. */
export const PPP_MPLS_MULTICAST = 0x0283;
/** CHAP (RFC 1994). */
export const PPP_CHAP = 0xc223;
/** PAP (RFC 1334). */
export const PPP_PAP = 0xc023;

/** The control protocols whose messages are code, identifier, length (tcpdump's list). */
const CONTROL_PROTOCOLS: ReadonlySet<number> = new Set([
  0xc021, // LCP
  0x8021, // IPCP
  0x8023, // OSICP
  0x8281, // MPLSCP
  0x8057, // IPV6CP
  0x80fd, // CCP
  0xc02b, // BACP
]);

const ADDRESS_CONTROL = 0xff03;
const ADDRESS_CONTROL_LENGTH = 2;
/** Code, identifier, length. */
export const PPP_MESSAGE_HEADER_LENGTH = 4;

/** The JSON form (docs/json.md). */
export interface PppJson {
  /** The PPP protocol number (0x0021 IPv4, 0x0057 IPv6, 0xc021 LCP, …). */
  protocol: number;
  /** A control, CHAP or PAP message's code. */
  code?: number;
  /** Its identifier. */
  identifier?: number;
  /** Its length, as it gives it. */
  length?: number;
}

/** A view of a PPP frame from its first byte (the address field, or the protocol). */
export class PppFrame extends HeaderView {
  /** Whether the address and control fields (0xff 0x03) come first. */
  get hasAddressControl(): boolean {
    return this.offset + ADDRESS_CONTROL_LENGTH <= this.end && this.u16(0) === ADDRESS_CONTROL;
  }

  /** Where the protocol field starts. */
  get #protocolAt(): number {
    return this.hasAddressControl ? ADDRESS_CONTROL_LENGTH : 0;
  }

  /** Whether the protocol is compressed to one byte (its first byte is odd). */
  get compressed(): boolean {
    return (this.u8(this.#protocolAt) & 1) === 1;
  }

  /** The protocol number. */
  get protocol(): number {
    const at = this.#protocolAt;
    return this.compressed ? this.u8(at) : this.u16(at);
  }

  /** Bytes before the payload: address and control, and the protocol. */
  get headerLength(): number {
    return this.#protocolAt + (this.compressed ? 1 : 2);
  }

  /** Whether the payload is a code, identifier, length message (control, CHAP, PAP). */
  get hasMessage(): boolean {
    const protocol = this.protocol;
    return CONTROL_PROTOCOLS.has(protocol) || protocol === PPP_CHAP || protocol === PPP_PAP;
  }

  /** Whether the protocol is one of the control protocols (LCP, IPCP, …). */
  get isControl(): boolean {
    return CONTROL_PROTOCOLS.has(this.protocol);
  }

  /** The message's code. */
  get code(): number {
    return this.u8(this.headerLength);
  }

  /** The message's identifier. */
  get identifier(): number {
    return this.u8(this.headerLength + 1);
  }

  /** The message's length as it gives it (header included). */
  get messageLength(): number {
    return this.u16(this.headerLength + 2);
  }

  /** Whether the message's four header bytes were captured. */
  get messageCaptured(): boolean {
    return this.offset + this.headerLength + PPP_MESSAGE_HEADER_LENGTH <= this.end;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): PppJson {
    const json: PppJson = { protocol: this.protocol };
    if (this.hasMessage && this.messageCaptured) {
      json.code = this.code;
      json.identifier = this.identifier;
      json.length = this.messageLength;
    }
    return json;
  }
}

/** PPP's fields under tshark's names (code, identifier and length of control protocols). */
export const PPP_FIELDS: FieldTable<PppFrame> = {
  "ppp.protocol": (ppp) => ppp.protocol,
  "ppp.code": (ppp) => ppp.isControl && ppp.messageCaptured ? ppp.code : undefined,
  "ppp.identifier": (ppp) => ppp.isControl && ppp.messageCaptured ? ppp.identifier : undefined,
  "ppp.length": (ppp) => ppp.isControl && ppp.messageCaptured ? ppp.messageLength : undefined,
};

/** The JSON object's keys in their order. */
export const PPP_JSON_KEYS: readonly string[] = [
  "protocol",
  "code",
  "identifier",
  "length",
] as const satisfies readonly (keyof PppJson)[];
