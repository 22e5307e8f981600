/**
 * ISAKMP's words as tcpdump prints them (print-isakmp.c): `isakmp: phase 1 I ident` for IKEv1,
 * with the side that sent it from tcpdump's memory of initiators (`extras.ikeRole`), and
 * `isakmp: parent_sa ikev2_init[I]` for IKEv2, from its flags. With `-v` the version and
 * message ID (`isakmp 1.0 msgid 00000000:`), an encrypted message's first payload, the
 * payloads one a line (isakmp_payloads.ts) and a length that disagrees with UDP's; with `-vv`
 * the cookies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IsakmpHeader } from "../decode/mod.ts";
 * import { IKE_ROLE_INITIATOR } from "../analysis/ike_initiators.ts";
 * import { isakmpText } from "./isakmp.ts";
 * const bytes = new Uint8Array(28);
 * bytes.set([1, 0x10, 2, 0], 16); // SA first, version 1.0, identity protection, no flags
 * bytes.set([0, 0, 0, 28], 24);
 * const isakmp = new IsakmpHeader().bind(new DataView(bytes.buffer), 0, 28);
 * assert.equal(isakmpText(isakmp, IKE_ROLE_INITIATOR, 28, 0), "isakmp: phase 1 I ident");
 * // With -v: the version and message ID; the SA payload the header names is not there.
 * assert.equal(
 *   isakmpText(isakmp, IKE_ROLE_INITIATOR, 28, 1),
 *   "isakmp 1.0 msgid 00000000: phase 1 I ident: [|sa]",
 * );
 * ```
 * @module
 */

import {
  IKEV2_FLAG_INITIATOR,
  IKEV2_FLAG_RESPONSE,
  IKEV2_FLAG_VERSION,
  ISAKMP_FLAG_COMMIT,
  ISAKMP_FLAG_ENCRYPTION,
  type IsakmpHeader,
} from "../decode/mod.ts";
import { isakmpPayloadsText, payloadName } from "./isakmp_payloads.ts";
import {
  IKE_ROLE_INITIATOR,
  IKE_ROLE_NONE,
  IKE_ROLE_RESPONDER,
  IKE_ROLE_UNKNOWN,
} from "../analysis/ike_initiators.ts";

/** tcpdump's names of exchange types (`etypestr`): IKEv1's, then IKEv2's from 34. */
const EXCHANGE_NAMES: Readonly<Record<number, string>> = {
  0: "none",
  1: "base",
  2: "ident",
  3: "auth",
  4: "agg",
  5: "inf",
  32: "oakley-quick",
  33: "oakley-newgroup",
  34: "ikev2_init",
  35: "ikev2_auth",
  36: "child_sa",
  37: "inf2",
};

const ROLE_WORDS: Readonly<Record<number, string>> = {
  [IKE_ROLE_INITIATOR]: " I",
  [IKE_ROLE_RESPONDER]: " R",
};

function hex8(value: number): string {
  return value.toString(16).padStart(8, "0");
}

/**
 * tcpdump's text for an ISAKMP message of `length` bytes (UDP's, less the non-ESP marker),
 * sent by side `role` (`IKE_ROLE_NONE` when unknown: `I` for an opening message, `?` else).
 */
export function isakmpText(
  isakmp: IsakmpHeader,
  role: number,
  length: number,
  verbosity: number,
): string {
  if (isakmp.truncated) return " [|isakmp]";
  const major = isakmp.majorVersion;
  let text = "isakmp";
  if (verbosity > 0) text += ` ${major}.${isakmp.minorVersion} msgid ${hex8(isakmp.messageId)}`;
  if (verbosity > 1) text += ` cookie ${isakmp.initiatorSpi}->${isakmp.responderSpi}`;
  text += ":";
  if (major !== 1 && major !== 2) return text;
  const firstPhase = isakmp.messageId === 0;
  const flags = isakmp.flags;
  if (major === 1) {
    text += firstPhase ? " phase 1" : " phase 2/others";
    if (role === IKE_ROLE_NONE) {
      role = isakmp.responderSpiIsZero ? IKE_ROLE_INITIATOR : IKE_ROLE_UNKNOWN;
    }
    text += ROLE_WORDS[role] ?? " ?";
    text += ` ${exchangeName(isakmp.exchangeType)}`;
    if (flags !== 0) {
      text += `[${flags & ISAKMP_FLAG_ENCRYPTION ? "E" : ""}${
        flags & ISAKMP_FLAG_COMMIT ? "C" : ""
      }]`;
    }
  } else {
    text += firstPhase ? " parent_sa" : " child_sa ";
    text += ` ${exchangeName(isakmp.exchangeType)}`;
    if (flags !== 0) {
      text += `[${flags & IKEV2_FLAG_INITIATOR ? "I" : ""}${flags & IKEV2_FLAG_VERSION ? "V" : ""}${
        flags & IKEV2_FLAG_RESPONSE ? "R" : ""
      }]`;
    }
  }
  if (verbosity === 0) return text;
  text += ":";
  const next = isakmp.nextPayload;
  // An encrypted message's payloads cannot be read (both versions test IKEv1's E bit).
  if (flags & ISAKMP_FLAG_ENCRYPTION) text += ` [encrypted ${payloadName(next)}]`;
  else {
    const context = { version: major, nextPayload: next, phase: firstPhase ? 1 : 2 };
    const { dataView, offset, end } = isakmp;
    const listing = isakmpPayloadsText(dataView, offset, end, context, verbosity);
    text += listing.text;
    if (listing.cutShort) return text;
  }
  if (isakmp.length !== length) text += ` (len mismatch: isakmp ${isakmp.length}/ip ${length})`;
  return text;
}

function exchangeName(type: number): string {
  return EXCHANGE_NAMES[type] ?? `#${type}`;
}
