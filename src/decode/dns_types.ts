/**
 * DNS record types (IANA "Resource Record (RR) TYPEs"): the numbers netpeek reads data of,
 * declared once for the decoder, the data's presentation and the text writer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DNS_TYPE_AAAA, DNS_TYPE_HTTPS } from "./mod.ts";
 * assert.deepEqual([DNS_TYPE_AAAA, DNS_TYPE_HTTPS], [28, 65]);
 * ```
 * @module
 */

/** An IPv4 address (RFC 1035). */
export const DNS_TYPE_A = 1;
/** A name server (RFC 1035). */
export const DNS_TYPE_NS = 2;
/** A canonical name (RFC 1035). */
export const DNS_TYPE_CNAME = 5;
/** The start of a zone (RFC 1035). */
export const DNS_TYPE_SOA = 6;
/** A pointer (RFC 1035). */
export const DNS_TYPE_PTR = 12;
/** A mail exchange (RFC 1035). */
export const DNS_TYPE_MX = 15;
/** Text (RFC 1035). */
export const DNS_TYPE_TXT = 16;
/** An IPv6 address (RFC 3596). */
export const DNS_TYPE_AAAA = 28;
/** A service location (RFC 2782). */
export const DNS_TYPE_SRV = 33;
/** A delegation name (RFC 6672). */
export const DNS_TYPE_DNAME = 39;
/** A delegation signer (RFC 4034). */
export const DNS_TYPE_DS = 43;
/** An SSH key fingerprint (RFC 4255). */
export const DNS_TYPE_SSHFP = 44;
/** A DNSSEC key (RFC 4034). */
export const DNS_TYPE_DNSKEY = 48;
/** A service binding (RFC 9460). */
export const DNS_TYPE_SVCB = 64;
/** A service binding for HTTPS (RFC 9460). */
export const DNS_TYPE_HTTPS = 65;
/** MIT's "unspecified ASCII" (tcpdump prints its data as text). */
export const DNS_TYPE_UNSPECA = 104;
/** A transaction signature (RFC 8945). */
export const DNS_TYPE_TSIG = 250;
/** A URI (RFC 7553). */
export const DNS_TYPE_URI = 256;
/** A certification authority authorization (RFC 8659). */
export const DNS_TYPE_CAA = 257;
