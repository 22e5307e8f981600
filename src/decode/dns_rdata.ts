/**
 * A DNS record's data as text, in the presentation format of the RFC that defines each type
 * (what `dig` prints after the type), for JSON and display filters. Names are written as
 * netpeek writes them elsewhere: without the final dot, the root as `.`. A type without a
 * format here, or data that does not fit its type, is written as RFC 3597 section 5 writes
 * unknown data: `\# <length> <hex>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DnsMessage, DnsRecord, dnsRecordData } from "./mod.ts";
 * // A response to "MX? example.test" with one answer: 10 mail.example.test.
 * const name = [7, ..."example".split("").map((c) => c.charCodeAt(0)), 4, 116, 101, 115, 116, 0];
 * const bytes = new Uint8Array([0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, ...name, 0, 15, 0, 1,
 *   0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, 9, 0, 10, 4, 109, 97, 105, 108, 0xc0, 12]);
 * const dns = new DnsMessage().bind(new DataView(bytes.buffer), 0, bytes.length);
 * const record = new DnsRecord();
 * dns.readRecord(dns.questionsEnd, record);
 * assert.equal(dnsRecordData(dns, record), "10 mail.example.test");
 * ```
 * @module
 */

import {
  DNS_TYPE_A,
  DNS_TYPE_AAAA,
  DNS_TYPE_CAA,
  DNS_TYPE_CNAME,
  DNS_TYPE_DNAME,
  DNS_TYPE_DNSKEY,
  DNS_TYPE_DS,
  DNS_TYPE_HTTPS,
  DNS_TYPE_MX,
  DNS_TYPE_NS,
  DNS_TYPE_PTR,
  DNS_TYPE_SOA,
  DNS_TYPE_SRV,
  DNS_TYPE_SSHFP,
  DNS_TYPE_SVCB,
  DNS_TYPE_TXT,
} from "./dns_types.ts";
import { formatIpv4, formatIpv6 } from "./address.ts";
import type { DnsMessage, DnsRecord } from "./dns.ts";

const IPV4_LENGTH = 4;
const IPV6_LENGTH = 16;
/** SOA: two names, then serial, refresh, retry, expire and minimum (RFC 1035 3.3.13). */
const SOA_NUMBERS = 5;

/** SvcParamKeys' names (RFC 9460 section 14.3.2). */
const SVC_PARAM_NAMES: readonly string[] = [
  "mandatory",
  "alpn",
  "no-default-alpn",
  "port",
  "ipv4hint",
  "ech",
  "ipv6hint",
];
const SVC_ALPN = 1;
const SVC_PORT = 3;
const SVC_IPV4HINT = 4;
const SVC_IPV6HINT = 6;
const SVC_MANDATORY = 0;

/** Where a record's names are copied. */
const NAME_TEXT = new Uint8Array(4 * 255 + 32);

/** Data that does not fit its type: thrown inside, written as RFC 3597's generic form. */
class Unfit extends Error {}

/** Reads a record's data left to right, failing as `Unfit` past its end. */
class DataReader {
  at: number;
  constructor(readonly dns: DnsMessage, start: number, readonly end: number) {
    this.at = start;
  }
  need(length: number): number {
    const at = this.at;
    if (at + length > this.end) throw new Unfit();
    this.at += length;
    return at;
  }
  u8(): number {
    return this.dns.byteAt(this.need(1));
  }
  u16(): number {
    return this.dns.uint16At(this.need(2));
  }
  u32(): number {
    return this.dns.uint32At(this.need(4));
  }
  name(): string {
    const count = this.dns.copyName(this.at, NAME_TEXT, 0);
    const next = this.dns.nameNext;
    if (count < 0 || next > this.end) throw new Unfit();
    this.at = next;
    return String.fromCharCode(...NAME_TEXT.subarray(0, count));
  }
  hex(length: number): string {
    return this.dns.hexAt(this.need(length), length);
  }
  /** A <character-string> (RFC 1035 section 3.3), quoted as the master file writes it. */
  characterString(): string {
    const length = this.u8();
    const at = this.need(length);
    let text = '"';
    for (let i = 0; i < length; i++) text += escapeText(this.dns.byteAt(at + i));
    return text + '"';
  }
  get done(): boolean {
    return this.at >= this.end;
  }
}

/** One byte of quoted text: `"` and `\` escaped, bytes outside printable ASCII as `\DDD`. */
function escapeText(byte: number): string {
  if (byte === 0x22 || byte === 0x5c) return "\\" + String.fromCharCode(byte);
  if (byte >= 0x20 && byte < 0x7f) return String.fromCharCode(byte);
  return "\\" + byte.toString().padStart(3, "0");
}

/** RFC 3597 section 5's form for data without a format (or that does not fit it). */
function genericData(dns: DnsMessage, record: DnsRecord): string {
  const length = record.dataLength;
  return length === 0 ? "\\# 0" : `\\# ${length} ${dns.hexAt(record.dataAt, length)}`;
}

/** Base64 of `length` bytes at `at`. */
function base64(dns: DnsMessage, at: number, length: number): string {
  let binary = "";
  for (let i = 0; i < length; i++) binary += String.fromCharCode(dns.byteAt(at + i));
  return btoa(binary);
}

/** An SVCB/HTTPS record's parameters (RFC 9460 section 2.1). */
function svcParams(reader: DataReader): string {
  const dns = reader.dns;
  let text = "";
  while (!reader.done) {
    const key = reader.u16();
    const length = reader.u16();
    const at = reader.need(length);
    const name = SVC_PARAM_NAMES[key] ?? `key${key}`;
    const value = new DataReader(dns, at, at + length);
    let shown: string;
    if (key === SVC_ALPN) {
      const ids: string[] = [];
      while (!value.done) {
        const size = value.u8();
        const from = value.need(size);
        let id = "";
        for (let i = 0; i < size; i++) {
          const byte = dns.byteAt(from + i);
          id += byte === 0x2c ? "\\\\," : escapeText(byte);
        }
        ids.push(id);
      }
      shown = ids.join(",");
    } else if (key === SVC_PORT) {
      shown = String(value.u16());
    } else if (key === SVC_IPV4HINT || key === SVC_IPV6HINT) {
      const size = key === SVC_IPV4HINT ? IPV4_LENGTH : IPV6_LENGTH;
      const addresses: string[] = [];
      while (!value.done) {
        const from = value.need(size);
        addresses.push(
          size === IPV4_LENGTH ? formatIpv4(dns.dataView, from) : formatIpv6(dns.dataView, from),
        );
      }
      shown = addresses.join(",");
    } else if (key === SVC_MANDATORY) {
      const keys: string[] = [];
      while (!value.done) {
        const mandatory = value.u16();
        keys.push(SVC_PARAM_NAMES[mandatory] ?? `key${mandatory}`);
      }
      shown = keys.join(",");
    } else {
      shown = length === 0 ? "" : dns.hexAt(at, length);
    }
    text += shown === "" ? ` ${name}` : ` ${name}=${shown}`;
  }
  return text;
}

/**
 * The record's data as presentation text: `192.0.2.7`, `10 mail.example.test`,
 * `"v=spf1 -all"`, `1 . alpn=h2,h3 port=443`; `\# 4 c0000207` for a type without a format
 * here, or data that does not fit its type. Call it only when the data was captured
 * (`record.dataCut` false).
 */
export function dnsRecordData(dns: DnsMessage, record: DnsRecord): string {
  const reader = new DataReader(dns, record.dataAt, record.dataAt + record.dataLength);
  const view = dns.dataView;
  try {
    let text: string;
    switch (record.type) {
      case DNS_TYPE_A:
        if (record.dataLength !== IPV4_LENGTH) throw new Unfit();
        return formatIpv4(view, record.dataAt);
      case DNS_TYPE_AAAA:
        if (record.dataLength !== IPV6_LENGTH) throw new Unfit();
        return formatIpv6(view, record.dataAt);
      case DNS_TYPE_NS:
      case DNS_TYPE_CNAME:
      case DNS_TYPE_PTR:
      case DNS_TYPE_DNAME:
        text = reader.name();
        break;
      case DNS_TYPE_MX: {
        const preference = reader.u16();
        text = `${preference} ${reader.name()}`;
        break;
      }
      case DNS_TYPE_SRV: {
        const priority = reader.u16();
        const weight = reader.u16();
        const port = reader.u16();
        text = `${priority} ${weight} ${port} ${reader.name()}`;
        break;
      }
      case DNS_TYPE_SOA: {
        const parts = [reader.name(), reader.name()];
        for (let i = 0; i < SOA_NUMBERS; i++) parts.push(String(reader.u32()));
        text = parts.join(" ");
        break;
      }
      case DNS_TYPE_TXT: {
        const strings: string[] = [];
        do strings.push(reader.characterString()); while (!reader.done);
        text = strings.join(" ");
        break;
      }
      case DNS_TYPE_CAA: {
        const flags = reader.u8();
        const tagLength = reader.u8();
        const tagAt = reader.need(tagLength);
        let tag = "";
        for (let i = 0; i < tagLength; i++) tag += escapeText(dns.byteAt(tagAt + i));
        const valueAt = reader.need(reader.end - reader.at);
        let value = "";
        for (let at = valueAt; at < reader.end; at++) value += escapeText(dns.byteAt(at));
        return `${flags} ${tag} "${value}"`;
      }
      case DNS_TYPE_SSHFP: {
        const algorithm = reader.u8();
        const fingerprintType = reader.u8();
        return `${algorithm} ${fingerprintType} ${reader.hex(reader.end - reader.at)}`;
      }
      case DNS_TYPE_DS: {
        const keyTag = reader.u16();
        const algorithm = reader.u8();
        const digestType = reader.u8();
        return `${keyTag} ${algorithm} ${digestType} ${reader.hex(reader.end - reader.at)}`;
      }
      case DNS_TYPE_DNSKEY: {
        const flags = reader.u16();
        const protocol = reader.u8();
        const algorithm = reader.u8();
        const key = base64(dns, reader.at, reader.end - reader.at);
        return `${flags} ${protocol} ${algorithm} ${key}`;
      }
      case DNS_TYPE_SVCB:
      case DNS_TYPE_HTTPS: {
        const priority = reader.u16();
        const target = reader.name();
        text = `${priority} ${target}${svcParams(reader)}`;
        break;
      }
      default:
        return genericData(dns, record);
    }
    if (!reader.done) throw new Unfit();
    return text;
  } catch (error) {
    if (error instanceof Unfit) return genericData(dns, record);
    throw error;
  }
}
