/**
 * The Multipath TCP option (kind 30) in tcpdump's words, inside the TCP option list: its length,
 * its subtype's name, and what tcpdump 4.99 shows of each subtype (RFC 8684 section 3, RFC 6824
 * for version 0): `mptcp 12 capable v1 {0x29a6c86981ad933c}`, `mptcp 20 dss ack 1 seq 2 subseq
 * 3 len 4 csum 0x5`, `mptcp 24 join hmac 0x…`. An option whose length does not fit its subtype
 * (or the segment's flags) is one tcpdump calls bad: the writer says so and the list ends there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeMptcpOption } from "./mptcp.ts";
 * // A DSS option with a 4-byte data ACK, on an ACK segment (flags 0x10).
 * const option = new Uint8Array([30, 8, 0x20, 0x01, 0, 0, 0, 42]);
 * const out = new ByteWriter();
 * assert.equal(writeMptcpOption(out, new DataView(option.buffer), 0, 0x10), true);
 * assert.equal(out.toString(), " 8 dss ack 42");
 * ```
 * @module
 */

import type { ByteWriter } from "./bytes.ts";

/** The TCP flags the subtypes' lengths depend on (RFC 9293 section 3.1). */
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

/** Where the option's fields are, from its kind byte (RFC 8684 section 3). */
const FIELD_LENGTH = 1;
const FIELD_SUBTYPE = 2;
/** The byte after the subtype: flags (MP_CAPABLE, DSS), an address id (MP_JOIN, ADD_ADDR). */
const FIELD_FOURTH = 3;
const FIELD_BODY = 4;
/** The shortest option: kind, length, subtype. */
const MINIMUM_LENGTH = 3;

/** Subtypes (RFC 8684 section 3, IANA "MPTCP Option Subtypes") tcpdump 4.99 knows by name. */
const SUBTYPE_NAMES = [
  "capable",
  "join",
  "dss",
  "add-addr",
  "rem-addr",
  "prio",
  "fail",
  "fast-close",
] as const;
const MP_CAPABLE = 0;
const MP_JOIN = 1;
const DSS = 2;
const ADD_ADDR = 3;
const REMOVE_ADDR = 4;
const MP_PRIO = 5;
const MP_FAIL = 6;
const MP_FASTCLOSE = 7;

/** MP_CAPABLE's "checksum required" flag (A in RFC 8684, C in RFC 6824). */
const CAPABLE_CHECKSUM = 0x80;
/** MP_JOIN's and MP_PRIO's backup bit. */
const BACKUP = 0x01;
/** DSS flags: DATA_FIN, 8-byte DSN, DSN present, 8-byte data ACK, data ACK present. */
const DSS_FIN = 0x10;
const DSS_LONG_SEQUENCE = 0x08;
const DSS_SEQUENCE = 0x04;
const DSS_LONG_ACK = 0x02;
const DSS_ACK = 0x01;

/** ADD_ADDR's version and echo bits as tcpdump names them. */
const ADD_ADDR_KINDS: Readonly<Record<number, string>> = {
  0x6: "v0-ip6",
  0x4: "v0-ip4",
  0x1: "v1-echo",
  0x0: "v1",
};

/**
 * Writes an MPTCP option's text after tcpdump's `mptcp` (the option is whole and captured:
 * `at` is its kind byte, `tcpFlags` the segment's flags byte). Returns false where tcpdump
 * ends the option list with `[bad opt]` (a length its subtype does not have).
 */
export function writeMptcpOption(
  out: ByteWriter,
  view: DataView,
  at: number,
  tcpFlags: number,
): boolean {
  const length = view.getUint8(at + FIELD_LENGTH);
  if (length < MINIMUM_LENGTH) return false;
  const subtype = view.getUint8(at + FIELD_SUBTYPE) >>> 4;
  out.byte(0x20);
  out.uint(length);
  out.byte(0x20);
  out.text(SUBTYPE_NAMES[subtype] ?? "unknown");
  switch (subtype) {
    case MP_CAPABLE:
      return writeCapable(out, view, at, length, tcpFlags);
    case MP_JOIN:
      return writeJoin(out, view, at, length, tcpFlags);
    case DSS:
      return writeDss(out, view, at, length, tcpFlags);
    case ADD_ADDR:
      return writeAddAddress(out, view, at, length);
    case REMOVE_ADDR:
      if (length < FIELD_BODY) return false;
      out.text(" id");
      for (let i = FIELD_FOURTH; i < length; i++) {
        out.byte(0x20);
        out.uint(view.getUint8(at + i));
      }
      return true;
    case MP_PRIO:
      if (length !== 3 && length !== 4) return false;
      out.text(view.getUint8(at + FIELD_SUBTYPE) & BACKUP ? " backup" : " non-backup");
      if (length === 4) id(out, view.getUint8(at + FIELD_FOURTH));
      return true;
    case MP_FAIL:
      if (length !== 12) return false;
      out.text(" seq ");
      out.text(view.getBigUint64(at + FIELD_BODY).toString());
      return true;
    case MP_FASTCLOSE:
      if (length !== 12) return false;
      out.text(" key 0x");
      out.text(view.getBigUint64(at + FIELD_BODY).toString(16));
      return true;
    default:
      return true;
  }
}

/** ` id N`. */
function id(out: ByteWriter, value: number): void {
  out.text(" id ");
  out.uint(value);
}

/** A 64-bit field as tcpdump's `0x%PRIx64`. */
function hex64(view: DataView, at: number): string {
  return `0x${view.getBigUint64(at).toString(16)}`;
}

/** A 32-bit field as tcpdump's `0x%x`. */
function hex32(view: DataView, at: number): string {
  return `0x${view.getUint32(at).toString(16)}`;
}

/**
 * MP_CAPABLE: the version, `csum` when checksums are required, and the keys: a SYN's (4 or
 * 12 bytes: none or the sender's), the third ACK's (20 or 22: both).
 */
function writeCapable(
  out: ByteWriter,
  view: DataView,
  at: number,
  length: number,
  tcpFlags: number,
): boolean {
  const onSyn = (length === 12 || length === 4) && (tcpFlags & TCP_SYN) !== 0;
  const onAck = (length === 20 || length === 22) && (tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_ACK;
  if (!onSyn && !onAck) return false;
  const version = view.getUint8(at + FIELD_SUBTYPE) & 0x0f;
  if (version > 1) {
    out.text(` Unknown Version (${version})`);
    return true;
  }
  out.text(` v${version}`);
  if (view.getUint8(at + FIELD_FOURTH) & CAPABLE_CHECKSUM) out.text(" csum");
  if (length >= 12) {
    out.text(` {${hex64(view, at + FIELD_BODY)}`);
    if (length >= 20) out.text(`,${hex64(view, at + FIELD_BODY + 8)}`);
    out.byte(0x7d);
  }
  return true;
}

/** MP_JOIN: a SYN's token and nonce (12 bytes), a SYN/ACK's HMAC and nonce (16), an ACK's HMAC (24). */
function writeJoin(
  out: ByteWriter,
  view: DataView,
  at: number,
  length: number,
  tcpFlags: number,
): boolean {
  const syn = length === 12 && (tcpFlags & TCP_SYN) !== 0;
  const synAck = length === 16 && (tcpFlags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
  const ack = length === 24 && (tcpFlags & TCP_ACK) !== 0;
  if (!syn && !synAck && !ack) return false;
  if (!ack) {
    if (view.getUint8(at + FIELD_SUBTYPE) & BACKUP) out.text(" backup");
    id(out, view.getUint8(at + FIELD_FOURTH));
  }
  if (syn) {
    out.text(` token ${hex32(view, at + FIELD_BODY)} nonce ${hex32(view, at + FIELD_BODY + 4)}`);
  } else if (synAck) {
    out.text(` hmac ${hex64(view, at + FIELD_BODY)} nonce ${hex32(view, at + FIELD_BODY + 8)}`);
  } else {
    out.text(" hmac 0x");
    out.hexBytes(view, at + FIELD_BODY, 20);
  }
  return true;
}

/**
 * DSS: `fin`, the data ACK (4 or 8 bytes), the mapping (data sequence number of 4 or 8 bytes,
 * subflow sequence number, length, and a checksum when 2 bytes are left). Never on a SYN; the
 * fields must fill the option exactly.
 */
function writeDss(
  out: ByteWriter,
  view: DataView,
  at: number,
  length: number,
  tcpFlags: number,
): boolean {
  if (length < FIELD_BODY || (tcpFlags & TCP_SYN) !== 0) return false;
  const flags = view.getUint8(at + FIELD_FOURTH);
  if (flags & DSS_FIN) out.text(" fin");
  let field = at + FIELD_BODY;
  let left = length - FIELD_BODY;
  if (flags & DSS_ACK) {
    out.text(" ack ");
    const size = writeDssNumber(out, view, field, (flags & DSS_LONG_ACK) !== 0, left);
    if (size === 0) return false;
    field += size;
    left -= size;
  }
  if (flags & DSS_SEQUENCE) {
    out.text(" seq ");
    const size = writeDssNumber(out, view, field, (flags & DSS_LONG_SEQUENCE) !== 0, left);
    if (size === 0) return false;
    field += size;
    left -= size;
    if (left < 4) return false;
    out.text(" subseq ");
    out.uint(view.getUint32(field));
    field += 4;
    left -= 4;
    if (left < 2) return false;
    out.text(" len ");
    out.uint(view.getUint16(field));
    field += 2;
    left -= 2;
    if (left >= 2) {
      out.text(" csum 0x");
      out.hex(view.getUint16(field));
      left -= 2;
    }
  }
  return left === 0;
}

/**
 * A data ACK or data sequence number of 8 bytes (`long`) or 4 at `field`, in decimal; its
 * size, or 0 when it does not fit in the `left` bytes of the option.
 */
function writeDssNumber(
  out: ByteWriter,
  view: DataView,
  field: number,
  long: boolean,
  left: number,
): number {
  const size = long ? 8 : 4;
  if (left < size) return 0;
  out.text(long ? view.getBigUint64(field).toString() : String(view.getUint32(field)));
  return size;
}

/**
 * ADD_ADDR: version and echo bits, the address id, the address, a port (10, 18, 22 and 30
 * bytes) and a truncated HMAC (16, 18, 28 and 30 bytes).
 */
function writeAddAddress(out: ByteWriter, view: DataView, at: number, length: number): boolean {
  const v4 = length === 8 || length === 10 || length === 16 || length === 18;
  const v6 = length === 20 || length === 22 || length === 28 || length === 30;
  if (!v4 && !v6) return false;
  out.byte(0x20);
  out.text(ADD_ADDR_KINDS[view.getUint8(at + FIELD_SUBTYPE) & 0x0f] ?? "[bad version/echo]");
  id(out, view.getUint8(at + FIELD_FOURTH));
  out.byte(0x20);
  const address = at + FIELD_BODY;
  const addressLength = v4 ? 4 : 16;
  if (v4) out.ipv4(view.getUint32(address));
  else out.ipv6(view, address);
  const withPort = length === 10 || length === 18 || length === 22 || length === 30;
  let after = address + addressLength;
  if (withPort) {
    out.byte(0x3a);
    out.uint(view.getUint16(after));
    after += 2;
  }
  if (length === 16 || length === 18 || length === 28 || length === 30) {
    out.text(` hmac ${hex64(view, after)}`);
  }
  return true;
}
