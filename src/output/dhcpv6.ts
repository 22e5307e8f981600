/**
 * DHCPv6's text, as tcpdump 4.99 prints it (`print-dhcp6.c`): `dhcp6 solicit` by default;
 * with `-v` the transaction ID (or a relay's addresses) and every option in parentheses,
 * `dhcp6 reply (xid=2ffdd1 (IA_NA IAID:33752069 T1:3600 T2:5400 (IA_ADDR 2a00:… pltime:4500
 * vltime:7200)) (client-ID hwaddr type 1 000102030405) …)`, a relayed message inside its
 * `relay-message` option. tcpdump's quirks are kept: a relay-message option's parenthesis is
 * never closed, and an option that runs past the message ends the list with ` [|dhcp6]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Dhcpv6Message } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeDhcpv6 } from "./dhcpv6.ts";
 * // A solicit (xid 0x0a0b0c) asking for DNS servers (option 6 holding 23).
 * const bytes = new Uint8Array([1, 0x0a, 0x0b, 0x0c, 0, 6, 0, 2, 0, 23]);
 * const dhcp = new Dhcpv6Message().bind(new DataView(bytes.buffer), 0, bytes.length);
 * const out = new ByteWriter();
 * writeDhcpv6(out, dhcp, 1);
 * assert.equal(out.toString(), "dhcp6 solicit (xid=a0b0c (option-request DNS-server))");
 * ```
 * @module
 */

import {
  DHCPV6_ADDRESS_LIST_OPTIONS,
  DHCPV6_DUID,
  DHCPV6_MAX_NESTING,
  DHCPV6_MAX_OPTIONS,
  DHCPV6_OPTION,
  DHCPV6_RELAY_HEADER_LENGTH,
  Dhcpv6Message,
  dhcpv6OptionName,
  dhcpv6StatusName,
  DnsMessage,
  walkDhcpv6Options,
} from "../decode/mod.ts";
import type { ByteWriter } from "./bytes.ts";
import { writeName as writeDnsName } from "./dns.ts";
import { writePrintableByte } from "./printable.ts";

/** What tcpdump prints when the message ends inside an option. */
const TRUNCATED = " [|dhcp6]";
const ADDRESS_LENGTH = 16;
/** tcpdump shows at most this many bytes of an interface, subscriber or remote ID. */
const ID_BYTES_SHOWN = 10;
const DHCPV6_RENEW = 5;
const DHCPV6_INFORMATION_REQUEST = 11;
const AUTH_DELAYED = 2;
const AUTH_RECONFIGURE = 3;

/** Reads names in an option's data (tcpdump's `fqdn_print`). */
const NAMES = new DnsMessage();
/** Binds relayed messages. */
const RELAYED: Dhcpv6Message[] = Array.from(
  { length: DHCPV6_MAX_NESTING },
  () => new Dhcpv6Message(),
);

/**
 * Writes the message: `dhcp6 TYPE`, then with `verbosity` 1 or more its options (tcpdump 4.99
 * prints them the same at -v, -vv and -vvv).
 */
export function writeDhcpv6(out: ByteWriter, dhcp: Dhcpv6Message, verbosity: number): void {
  out.text(`dhcp6 ${dhcp.typeName}`);
  if (verbosity < 1) return;
  writeBody(out, dhcp, { left: DHCPV6_MAX_OPTIONS }, 0);
}

/** ` (xid=… OPTIONS)` or a relay's ` (linkaddr=… peeraddr=… OPTIONS)`. */
function writeBody(
  out: ByteWriter,
  dhcp: Dhcpv6Message,
  budget: { left: number },
  depth: number,
): void {
  const view = dhcp.dataView;
  out.text(" (");
  if (!dhcp.isRelay) {
    const id = dhcp.transactionId;
    if (id === undefined) {
      out.text(TRUNCATED);
      return;
    }
    out.text(`xid=${id.toString(16)}`);
  } else {
    if (dhcp.offset + DHCPV6_RELAY_HEADER_LENGTH > dhcp.end) {
      // tcpdump checks the peer address is captured before it prints either.
      out.text(TRUNCATED);
      return;
    }
    out.text(`linkaddr=${dhcp.linkAddress} peeraddr=${dhcp.peerAddress}`);
  }
  writeOptions(out, view, dhcp.optionsStart, dhcp.end, budget, depth);
  out.byte(0x29);
}

/** The options from `start` to `end`, each ` (NAME …)`; ` [|dhcp6]` where one is cut. */
function writeOptions(
  out: ByteWriter,
  view: DataView,
  start: number,
  end: number,
  budget: { left: number },
  depth: number,
): void {
  // tcpdump checks an option's length against the message before it prints the name.
  const whole = walkDhcpv6Options(view, start, end, budget, (code, at, length, cut) => {
    if (cut) return false;
    out.text(` (${dhcpv6OptionName(code)}`);
    return writeOption(out, view, code, at, length, budget, depth);
  });
  if (!whole) out.text(TRUNCATED);
}

/** ` ?)`: tcpdump's word for an option whose length does not fit its fields. */
function unfit(out: ByteWriter): true {
  out.text(" ?)");
  return true;
}

/** A name at `at` (tcpdump's `fqdn_print`); where it ends, or -1 when it could not be read. */
function writeName(out: ByteWriter, view: DataView, at: number, end: number): number {
  NAMES.bind(view, at, end);
  return writeDnsName(out, NAMES, at);
}

/**
 * One option's fields and its closing parenthesis, after ` (NAME`; false when tcpdump stops
 * with ` [|dhcp6]` inside it (a name or a suboption that runs past it).
 */
function writeOption(
  out: ByteWriter,
  view: DataView,
  code: number,
  at: number,
  length: number,
  budget: { left: number },
  depth: number,
): boolean {
  const end = at + length;
  const nested = (from: number): void => {
    if (from < end && depth + 1 < DHCPV6_MAX_NESTING) {
      writeOptions(out, view, from, end, budget, depth + 1);
    }
  };
  switch (code) {
    case DHCPV6_OPTION.clientId:
    case DHCPV6_OPTION.serverId: {
      if (length < 2) return unfit(out);
      const type = view.getUint16(at);
      if (type === DHCPV6_DUID.linkLayerAndTime) {
        if (length < 8) return unfit(out);
        out.text(` hwaddr/time type ${view.getUint16(at + 2)} time ${view.getUint32(at + 4)} `);
        out.hexBytes(view, at + 8, length - 8);
      } else if (type === DHCPV6_DUID.enterprise) {
        if (length < 10) return unfit(out);
        // tcpdump 4.99 shows the enterprise number and the identifier's first four bytes.
        out.text(" vid ");
        out.hexBytes(view, at + 2, 8);
      } else if (type === DHCPV6_DUID.linkLayer) {
        if (length < 4) return unfit(out);
        out.text(` hwaddr type ${view.getUint16(at + 2)} `);
        out.hexBytes(view, at + 4, length - 4);
      } else out.text(` type ${type}`);
      break;
    }
    case DHCPV6_OPTION.iaAddress:
      if (length < 24) return unfit(out);
      out.byte(0x20);
      out.ipv6(view, at);
      out.text(` pltime:${view.getUint32(at + 16)} vltime:${view.getUint32(at + 20)}`);
      nested(at + 24);
      break;
    case DHCPV6_OPTION.optionRequest:
    case DHCPV6_OPTION.echoRequest:
      if (length % 2 !== 0) return unfit(out);
      for (let i = at; i < end; i += 2) out.text(` ${dhcpv6OptionName(view.getUint16(i))}`);
      break;
    case DHCPV6_OPTION.preference:
      if (length !== 1) return unfit(out);
      out.text(` ${view.getUint8(at)}`);
      break;
    case DHCPV6_OPTION.elapsedTime:
      if (length !== 2) return unfit(out);
      out.text(` ${view.getUint16(at)}`);
      break;
    case DHCPV6_OPTION.relayMessage: {
      // tcpdump opens a parenthesis for the relayed message and closes only that one.
      out.text(" (");
      if (depth + 1 >= DHCPV6_MAX_NESTING) return true;
      const relayed = RELAYED[depth].bind(view, at, end);
      out.text("dhcp6");
      if (length < 4) return false;
      out.text(` ${relayed.typeName}`);
      writeBody(out, relayed, budget, depth + 1);
      out.byte(0x29);
      return true;
    }
    case DHCPV6_OPTION.authentication:
      if (length < 11) return unfit(out);
      writeAuthentication(out, view, at, length);
      break;
    case DHCPV6_OPTION.interfaceId:
    case DHCPV6_OPTION.subscriberId:
      out.byte(0x20);
      out.hexBytes(view, at, Math.min(length, ID_BYTES_SHOWN));
      out.text("...");
      break;
    case DHCPV6_OPTION.reconfigureMessage: {
      if (length !== 1) return unfit(out);
      const type = view.getUint8(at);
      if (type === DHCPV6_RENEW) out.text(" for renew");
      else if (type === DHCPV6_INFORMATION_REQUEST) out.text(" for inf-req");
      else out.text(` for ???(${type.toString(16).padStart(2, "0")})`);
      break;
    }
    case DHCPV6_OPTION.sipServersDomain:
    case DHCPV6_OPTION.domainList:
      for (let position = at; position < end;) {
        out.byte(0x20);
        position = writeName(out, view, position, end);
        if (position < 0) return false;
      }
      break;
    case DHCPV6_OPTION.statusCode:
      if (length < 2) return unfit(out);
      out.text(` ${dhcpv6StatusName(view.getUint16(at))}`);
      break;
    case DHCPV6_OPTION.iaNa:
    case DHCPV6_OPTION.iaPd:
      if (length < 12) return unfit(out);
      out.text(
        ` IAID:${view.getUint32(at)} T1:${view.getUint32(at + 4)} T2:${view.getUint32(at + 8)}`,
      );
      nested(at + 12);
      break;
    case DHCPV6_OPTION.iaTa:
      if (length < 4) return unfit(out);
      out.text(` IAID:${view.getUint32(at)}`);
      nested(at + 4);
      break;
    case DHCPV6_OPTION.iaPrefix:
      if (length < 25) return unfit(out);
      out.byte(0x20);
      out.ipv6(view, at + 9);
      out.text(`/${view.getUint8(at + 8)}`);
      out.text(` pltime:${view.getUint32(at)} vltime:${view.getUint32(at + 4)}`);
      nested(at + 25);
      break;
    case DHCPV6_OPTION.informationRefreshTime:
    case DHCPV6_OPTION.clientTime:
      if (length !== 4) return unfit(out);
      out.text(` ${view.getUint32(at)}`);
      break;
    case DHCPV6_OPTION.remoteId:
      if (length < 4) return unfit(out);
      out.text(` ${view.getUint32(at)} `);
      out.hexBytes(view, at + 4, Math.min(length - 4, ID_BYTES_SHOWN));
      out.text("...");
      break;
    case DHCPV6_OPTION.leaseQuery: {
      if (length < 17) return unfit(out);
      const type = view.getUint8(at);
      out.text(type === 1 ? " by-address" : type === 2 ? " by-clientID" : ` type_${type}`);
      out.byte(0x20);
      out.ipv6(view, at + 1);
      nested(at + 17);
      break;
    }
    case DHCPV6_OPTION.clientData:
      nested(at);
      break;
    case DHCPV6_OPTION.relayData:
      if (length < 16) return unfit(out);
      out.byte(0x20);
      out.ipv6(view, at);
      out.byte(0x20);
      out.hexBytes(view, at + 16, Math.min(length - 16, ID_BYTES_SHOWN));
      out.text("...");
      break;
    case DHCPV6_OPTION.ntpServer:
      if (length < 4) return unfit(out);
      if (!writeNtpServers(out, view, at, end)) return false;
      break;
    case DHCPV6_OPTION.aftrName:
      if (length < 3) return unfit(out);
      writeLabels(out, view, at, length);
      break;
    case DHCPV6_OPTION.posixTimezone:
    case DHCPV6_OPTION.tzdbTimezone:
    case DHCPV6_OPTION.mudUrl:
      if (length < 5) return unfit(out);
      out.byte(0x20);
      for (let i = at; i < end; i++) writePrintableByte(out, view.getUint8(i));
      break;
    default:
      if (DHCPV6_ADDRESS_LIST_OPTIONS.has(code)) {
        if (length % ADDRESS_LENGTH !== 0) return unfit(out);
        for (let i = at; i < end; i += ADDRESS_LENGTH) {
          out.byte(0x20);
          out.ipv6(view, i);
        }
      }
  }
  out.byte(0x29);
  return true;
}

/** RFC 8415 section 21.11's fields, as tcpdump prints them. */
function writeAuthentication(out: ByteWriter, view: DataView, at: number, length: number): void {
  const protocol = view.getUint8(at);
  const algorithm = view.getUint8(at + 1);
  const replay = view.getUint8(at + 2);
  out.text(
    protocol === AUTH_DELAYED
      ? " proto: delayed"
      : protocol === AUTH_RECONFIGURE
      ? " proto: reconfigure"
      : ` proto: ${protocol}`,
  );
  out.text(algorithm === 1 ? ", alg: HMAC-MD5" : `, alg: ${algorithm}`);
  out.text(replay === 0 ? ", RDM: mono" : `, RDM: ${replay}`);
  out.text(", RD:");
  for (let i = 0; i < 4; i++) {
    out.byte(0x20);
    out.hex(view.getUint16(at + 3 + 2 * i), 4);
  }
  const info = at + 11;
  const infoLength = length - 11;
  if (protocol === AUTH_DELAYED) {
    if (infoLength === 0) return;
    if (infoLength < 20) {
      out.text(" ??");
      return;
    }
    const realm = infoLength - 20;
    if (realm > 0) out.text(", realm: ");
    out.hexBytes(view, info, realm);
    out.text(`, key ID: `);
    out.hex(view.getUint32(info + realm), 8);
    out.text(", HMAC-MD5:");
    for (let i = 0; i < 4; i++) {
      out.byte(0x20);
      out.hex(view.getUint32(info + realm + 4 + 4 * i), 8);
    }
  } else if (protocol === AUTH_RECONFIGURE) {
    if (infoLength !== 17) {
      out.text(" ??");
      return;
    }
    const type = view.getUint8(info);
    out.text(type === 1 ? " reconfig-key" : type === 2 ? " type: HMAC-MD5" : " type: ??");
    out.text(" value:");
    for (let i = 0; i < 4; i++) {
      out.byte(0x20);
      out.hex(view.getUint32(info + 1 + 4 * i), 8);
    }
  } else out.text(" ??");
}

/** RFC 5908's suboptions: ` subopt:1 2a01::1 subopt:3 ntp.example.com.`; false when cut. */
function writeNtpServers(out: ByteWriter, view: DataView, at: number, end: number): boolean {
  // tcpdump reads a suboption while four bytes of the option are left after it.
  for (let position = at; position < end - 4;) {
    const code = view.getUint16(position);
    const length = view.getUint16(position + 2);
    position += 4;
    if (position + length > end) return false;
    out.text(` subopt:${code}`);
    if (code === 1 || code === 2) {
      if (length !== ADDRESS_LENGTH) out.text(" ?");
      else {
        out.byte(0x20);
        out.ipv6(view, position);
      }
    } else if (code === 3) {
      out.byte(0x20);
      if (writeName(out, view, position, position + length) < 0) return false;
    } else out.text(" ?");
    position += length;
  }
  return true;
}

/** AFTR-Name's labels (RFC 6334), as tcpdump walks them: dots between, none after. */
function writeLabels(out: ByteWriter, view: DataView, at: number, length: number): void {
  out.byte(0x20);
  let remaining = length;
  let position = at;
  const end = at + length;
  while (remaining > 0 && position < end && view.getUint8(position) !== 0) {
    const label = view.getUint8(position++);
    if (label >= remaining - 1) {
      out.text(" ?");
      return;
    }
    for (let i = 0; i < label; i++) writePrintableByte(out, view.getUint8(position + i));
    position += label;
    remaining -= label + 1;
    if (position < end && view.getUint8(position) !== 0) out.byte(0x2e);
  }
}
