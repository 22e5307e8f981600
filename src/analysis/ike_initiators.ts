/**
 * Which side of an IKEv1 exchange sent a message, as tcpdump tells it: it remembers the last
 * 20 initiator cookies it saw open an exchange (a message whose responder cookie is all zeros),
 * with the addresses they went from and to, and names a later message with that cookie `I`
 * when it comes from the initiator's address, `R` from the responder's, `?` otherwise or when
 * the cookie was never seen opening. The memory is tcpdump's (print-isakmp.c, `cookiecache`):
 * a ring of 20 entries that starts zeroed, so that text matches tcpdump's line for line.
 * IKEv2 needs none of this: its header has an initiator flag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IKE_ROLE_INITIATOR, IKE_ROLE_RESPONDER, IkeInitiators } from "./ike_initiators.ts";
 * const initiators = new IkeInitiators();
 * const cookie = "cf02326f14a95b93";
 * assert.equal(initiators.role(cookie, true, 4, "10.0.0.1", "10.0.0.2"), IKE_ROLE_INITIATOR);
 * assert.equal(initiators.role(cookie, false, 4, "10.0.0.2", "10.0.0.1"), IKE_ROLE_RESPONDER);
 * ```
 * @module
 */

import type { Packet } from "../decode/mod.ts";

/** Not an IKEv1 message with a whole header: no role. */
export const IKE_ROLE_NONE = 0;
export const IKE_ROLE_INITIATOR = 1;
export const IKE_ROLE_RESPONDER = 2;
/** A cookie that was never seen opening an exchange, or from neither side's address. */
export const IKE_ROLE_UNKNOWN = 3;

/** How many initiators tcpdump remembers (MAXINITIATORS). */
const REMEMBERED = 20;
/** An all-zero cookie, as tcpdump's zeroed cache holds before anything is recorded. */
const ZERO_COOKIE = "0000000000000000";

/** tcpdump's memory of IKEv1 initiators. */
export class IkeInitiators {
  readonly #cookies: string[] = new Array(REMEMBERED).fill(ZERO_COOKIE);
  /** 4 or 6; 0 for an entry never recorded. */
  readonly #versions: number[] = new Array(REMEMBERED).fill(0);
  readonly #initiators: string[] = new Array(REMEMBERED).fill("");
  readonly #responders: string[] = new Array(REMEMBERED).fill("");
  #next = 0;

  /**
   * The role of a message with initiator cookie `cookie` (16 hex digits) sent from `source`
   * to `destination` over IP version `ipVersion`; `opening` when its responder cookie is all
   * zeros. Records an opening message's initiator, as tcpdump does.
   */
  role(
    cookie: string,
    opening: boolean,
    ipVersion: number,
    source: string,
    destination: string,
  ): number {
    const found = this.#cookies.indexOf(cookie);
    if (found < 0) {
      if (!opening) return IKE_ROLE_UNKNOWN;
      this.#record(cookie, ipVersion, source, destination);
      return IKE_ROLE_INITIATOR;
    }
    if (this.#versions[found] !== ipVersion) return IKE_ROLE_UNKNOWN;
    if (this.#initiators[found] === source) return IKE_ROLE_INITIATOR;
    if (this.#responders[found] === source) return IKE_ROLE_RESPONDER;
    return IKE_ROLE_UNKNOWN;
  }

  /**
   * The role of the packet's IKEv1 message (`IKE_ROLE_NONE` for anything else), remembering
   * an opening one: call for every packet, in order, as tcpdump prints them.
   */
  observe(packet: Packet): number {
    const isakmp = packet.isakmp;
    if (isakmp === undefined || isakmp.truncated || isakmp.majorVersion !== 1) {
      return IKE_ROLE_NONE;
    }
    const ip4 = packet.ipv4;
    const ip6 = packet.ipv6;
    if (ip4 === undefined && ip6 === undefined) return IKE_ROLE_NONE;
    return this.role(
      isakmp.initiatorSpi,
      isakmp.responderSpiIsZero,
      ip4 !== undefined ? 4 : 6,
      ip4 !== undefined ? ip4.src : ip6!.src,
      ip4 !== undefined ? ip4.dst : ip6!.dst,
    );
  }

  #record(cookie: string, ipVersion: number, source: string, destination: string): void {
    if (ipVersion !== 4 && ipVersion !== 6) return;
    const at = this.#next;
    this.#cookies[at] = cookie;
    this.#versions[at] = ipVersion;
    this.#initiators[at] = source;
    this.#responders[at] = destination;
    this.#next = (at + 1) % REMEMBERED;
  }
}
