/**
 * TLS records in a TCP segment (RFC 8446 section 5.1; RFC 5246 for 1.2), and what the
 * handshake says in the clear: a ClientHello's server name (RFC 6066), ALPN protocols
 * (RFC 7301), supported versions and key-share groups; a ServerHello's chosen version and
 * cipher suite; an alert's level and description. A segment is taken for TLS on any port
 * when it begins with a record header of a known type and version. Records, extensions and
 * lists are walked within their declared lengths and the captured bytes, with counts bounded.
 *
 * The ClientHello reader works on a handshake message wherever it lies, so QUIC's Initial
 * packets (RFC 9001) use it too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TlsRecords } from "./mod.ts";
 * // An alert record: TLS 1.2, fatal (2), handshake_failure (40).
 * const bytes = new Uint8Array([21, 3, 3, 0, 2, 2, 40]);
 * const tls = new TlsRecords().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual(tls.toJSON().alert, { level: 2, description: 40, descriptionName: "handshake_failure" });
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

// A record's header (RFC 8446 section 5.1), in bytes from its start.
const RECORD_TYPE = 0;
const RECORD_VERSION = 1;
const RECORD_LENGTH = 3;
/** A record's header: type, version, length. */
export const TLS_RECORD_HEADER_LENGTH = 5;
/** The largest record a peer may send: 2^14 plus expansion (RFC 8446 section 5.2). */
const MAX_RECORD_LENGTH = (1 << 14) + 2048;
/** At most this many records are read in one segment. */
const MAX_RECORDS = 64;

/** Record content types (RFC 8446 section 5.1). */
export const TLS_CHANGE_CIPHER_SPEC = 20;
/** An alert record. */
export const TLS_ALERT = 21;
/** A handshake record. */
export const TLS_HANDSHAKE = 22;
/** An application data record. */
export const TLS_APPLICATION_DATA = 23;
/** The lowest version a record header may carry: SSL 3.0. */
export const TLS_RECORD_VERSION_MIN = 0x0300;
/** The highest version a record header may carry: TLS 1.3's 0x0304. */
export const TLS_RECORD_VERSION_MAX = 0x0304;

const CONTENT_TYPE_NAMES: Readonly<Record<number, string>> = {
  20: "ChangeCipherSpec",
  21: "Alert",
  22: "Handshake",
  23: "ApplicationData",
  24: "Heartbeat",
};

/** A record content type's name (`ApplicationData`), or its number as text. */
export function tlsRecordTypeName(type: number): string {
  return CONTENT_TYPE_NAMES[type] ?? `${type}`;
}

/** Handshake message types (RFC 8446 section 4). */
export const TLS_CLIENT_HELLO = 1;
/** A ServerHello. */
export const TLS_SERVER_HELLO = 2;
/** A Certificate message, often larger than a record. */
const TLS_CERTIFICATE = 11;
const HANDSHAKE_NAMES: Readonly<Record<number, string>> = {
  0: "HelloRequest",
  1: "ClientHello",
  2: "ServerHello",
  4: "NewSessionTicket",
  5: "EndOfEarlyData",
  8: "EncryptedExtensions",
  11: "Certificate",
  12: "ServerKeyExchange",
  13: "CertificateRequest",
  14: "ServerHelloDone",
  15: "CertificateVerify",
  16: "ClientKeyExchange",
  20: "Finished",
  24: "KeyUpdate",
};
/** What an encrypted handshake record is called (tshark's words, run together). */
const ENCRYPTED_HANDSHAKE = "EncryptedHandshakeMessage";
/** A handshake message's header: type and a 24-bit length. */
const HANDSHAKE_HEADER_LENGTH = 4;

// Extension codes (IANA "TLS ExtensionType Values").
const EXTENSION_SERVER_NAME = 0;
const EXTENSION_SUPPORTED_GROUPS = 10;
const EXTENSION_ALPN = 16;
const EXTENSION_SUPPORTED_VERSIONS = 43;
const EXTENSION_KEY_SHARE = 51;
/** At most this many extensions, list items or names are read. */
const MAX_ITEMS = 256;
/** A ClientHello's random (RFC 8446 section 4.1.2). */
const RANDOM_LENGTH = 32;
const SERVER_NAME_HOST = 0;

/** Protocol versions' names. */
export function tlsVersionName(version: number): string {
  switch (version) {
    case 0x0300:
      return "SSL3.0";
    case 0x0301:
      return "TLS1.0";
    case 0x0302:
      return "TLS1.1";
    case 0x0303:
      return "TLS1.2";
    case 0x0304:
      return "TLS1.3";
  }
  if ((version & 0x0f0f) === 0x0a0a) return "GREASE";
  return `0x${version.toString(16).padStart(4, "0")}`;
}

/** Cipher suites' names (IANA "TLS Cipher Suites"): the common ones. */
const CIPHER_SUITE_NAMES: Readonly<Record<number, string>> = {
  0x1301: "TLS_AES_128_GCM_SHA256",
  0x1302: "TLS_AES_256_GCM_SHA384",
  0x1303: "TLS_CHACHA20_POLY1305_SHA256",
  0x1304: "TLS_AES_128_CCM_SHA256",
  0x1305: "TLS_AES_128_CCM_8_SHA256",
  0xc02b: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  0xc02c: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  0xc02f: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  0xc030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  0xcca8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  0xcca9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  0xc009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
  0xc00a: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
  0xc013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  0xc014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
  0xc023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
  0xc024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
  0xc027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
  0xc028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
  0x009c: "TLS_RSA_WITH_AES_128_GCM_SHA256",
  0x009d: "TLS_RSA_WITH_AES_256_GCM_SHA384",
  0x009e: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
  0x009f: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
  0xccaa: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  0x002f: "TLS_RSA_WITH_AES_128_CBC_SHA",
  0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
  0x003c: "TLS_RSA_WITH_AES_128_CBC_SHA256",
  0x003d: "TLS_RSA_WITH_AES_256_CBC_SHA256",
  0x00ff: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
};

/** A cipher suite's IANA name, or its number in hex. */
export function tlsCipherSuiteName(suite: number): string {
  return CIPHER_SUITE_NAMES[suite] ?? `0x${suite.toString(16).padStart(4, "0")}`;
}

/** Named groups (IANA "TLS Supported Groups"): the common ones. */
const GROUP_NAMES: Readonly<Record<number, string>> = {
  0x0017: "secp256r1",
  0x0018: "secp384r1",
  0x0019: "secp521r1",
  0x001d: "x25519",
  0x001e: "x448",
  0x0100: "ffdhe2048",
  0x0101: "ffdhe3072",
  0x0102: "ffdhe4096",
  0x0103: "ffdhe6144",
  0x0104: "ffdhe8192",
  0x11ec: "X25519MLKEM768",
  0x6399: "X25519Kyber768Draft00",
};

/** A group's name, `GREASE` for a reserved value (RFC 8701), or its number in hex. */
export function tlsGroupName(group: number): string {
  if ((group & 0x0f0f) === 0x0a0a) return "GREASE";
  return GROUP_NAMES[group] ?? `0x${group.toString(16).padStart(4, "0")}`;
}

/** Alert descriptions (RFC 8446 section 6). */
const ALERT_NAMES: Readonly<Record<number, string>> = {
  0: "close_notify",
  10: "unexpected_message",
  20: "bad_record_mac",
  21: "decryption_failed",
  22: "record_overflow",
  40: "handshake_failure",
  42: "bad_certificate",
  43: "unsupported_certificate",
  44: "certificate_revoked",
  45: "certificate_expired",
  46: "certificate_unknown",
  47: "illegal_parameter",
  48: "unknown_ca",
  49: "access_denied",
  50: "decode_error",
  51: "decrypt_error",
  70: "protocol_version",
  71: "insufficient_security",
  80: "internal_error",
  86: "inappropriate_fallback",
  90: "user_canceled",
  109: "missing_extension",
  110: "unsupported_extension",
  112: "unrecognized_name",
  113: "bad_certificate_status_response",
  115: "unknown_psk_identity",
  116: "certificate_required",
  120: "no_application_protocol",
};

/** What a ClientHello offers. */
export interface TlsClientHello {
  /** legacy_version (0x0303 for TLS 1.2 and 1.3). */
  version: number;
  /** The host name asked for (server_name), or null. */
  serverName: string | null;
  /** ALPN protocols, in order. */
  alpn: string[];
  /** supported_versions, in order (empty when absent: TLS 1.2 and before). */
  supportedVersions: number[];
  /** The groups of key_share's entries. */
  keyShareGroups: number[];
  /** supported_groups. */
  supportedGroups: number[];
  /** The cipher suites offered. */
  cipherSuites: number[];
  /** The message runs past the bytes at hand (a later segment or record holds the rest). */
  cut: boolean;
}

/** What a ServerHello chose. */
export interface TlsServerHello {
  /** legacy_version. */
  version: number;
  /** The version in force: supported_versions' choice when present (TLS 1.3), else `version`. */
  chosenVersion: number;
  /** The cipher suite chosen. */
  cipherSuite: number;
  /** The group of the server's key share (TLS 1.3), or -1. */
  keyShareGroup: number;
  /** The ALPN protocol chosen, in the clear before TLS 1.3 (1.3 sends it encrypted), or null. */
  alpn: string | null;
}

/** A reader of a handshake message's fields within [at, end), failing past the end. */
class Cursor {
  constructor(public view: DataView, public at: number, public end: number) {}
  cut = false;
  has(length: number): boolean {
    if (this.at + length <= this.end) return true;
    this.cut = true;
    return false;
  }
  u8(): number {
    if (!this.has(1)) return -1;
    return this.view.getUint8(this.at++);
  }
  u16(): number {
    if (!this.has(2)) return -1;
    const value = this.view.getUint16(this.at);
    this.at += 2;
    return value;
  }
  skip(length: number): boolean {
    if (!this.has(length)) return false;
    this.at += length;
    return true;
  }
  text(length: number): string {
    let value = "";
    const stop = Math.min(this.at + length, this.end);
    for (let i = this.at; i < stop; i++) {
      const byte = this.view.getUint8(i);
      value += byte > 0x20 && byte < 0x7f && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, "0")}`;
    }
    return value;
  }
}

/** Reads a list of 16-bit values with a `lengthBytes`-byte length before it. */
function u16List(cursor: Cursor, lengthBytes: 1 | 2): number[] {
  const length = lengthBytes === 1 ? cursor.u8() : cursor.u16();
  const values: number[] = [];
  if (length < 0) return values;
  const end = Math.min(cursor.at + length, cursor.end);
  for (let at = cursor.at; at + 2 <= end && values.length < MAX_ITEMS; at += 2) {
    values.push(cursor.view.getUint16(at));
  }
  cursor.skip(length);
  return values;
}

/**
 * Reads a ClientHello's body (after the 4-byte handshake header) at `at`, `length` bytes long
 * on the wire, of which those before `end` are at hand.
 */
export function readClientHello(
  view: DataView,
  at: number,
  length: number,
  end: number,
): TlsClientHello {
  const bodyEnd = at + length;
  const cursor = new Cursor(view, at, Math.min(bodyEnd, end));
  const hello: TlsClientHello = {
    version: cursor.u16(),
    serverName: null,
    alpn: [],
    supportedVersions: [],
    keyShareGroups: [],
    supportedGroups: [],
    cipherSuites: [],
    cut: bodyEnd > end,
  };
  cursor.skip(RANDOM_LENGTH);
  const sessionId = cursor.u8();
  if (sessionId >= 0) cursor.skip(sessionId);
  hello.cipherSuites = u16List(cursor, 2);
  const compression = cursor.u8();
  if (compression >= 0) cursor.skip(compression);
  const extensionsLength = cursor.u16();
  if (extensionsLength >= 0) {
    readExtensions(cursor, Math.min(cursor.at + extensionsLength, cursor.end), (type, ext) => {
      switch (type) {
        case EXTENSION_SERVER_NAME: {
          ext.u16(); // the list's length
          for (let i = 0; i < MAX_ITEMS && ext.at < ext.end; i++) {
            const nameType = ext.u8();
            const nameLength = ext.u16();
            if (nameLength < 0) break;
            if (nameType === SERVER_NAME_HOST && hello.serverName === null) {
              hello.serverName = ext.text(nameLength);
            }
            if (!ext.skip(nameLength)) break;
          }
          break;
        }
        case EXTENSION_ALPN: {
          ext.u16();
          for (let i = 0; i < MAX_ITEMS && ext.at < ext.end; i++) {
            const size = ext.u8();
            if (size < 0) break;
            hello.alpn.push(ext.text(size));
            if (!ext.skip(size)) break;
          }
          break;
        }
        case EXTENSION_SUPPORTED_VERSIONS:
          hello.supportedVersions = u16List(ext, 1);
          break;
        case EXTENSION_SUPPORTED_GROUPS:
          hello.supportedGroups = u16List(ext, 2);
          break;
        case EXTENSION_KEY_SHARE: {
          ext.u16();
          for (let i = 0; i < MAX_ITEMS && ext.at < ext.end; i++) {
            const group = ext.u16();
            const size = ext.u16();
            if (size < 0) break;
            hello.keyShareGroups.push(group);
            if (!ext.skip(size)) break;
          }
          break;
        }
      }
    });
  }
  hello.cut ||= cursor.cut;
  return hello;
}

/** Calls `each` for every extension in [cursor.at, end) with a cursor over its data. */
function readExtensions(
  cursor: Cursor,
  end: number,
  each: (type: number, data: Cursor) => void,
): void {
  for (let i = 0; i < MAX_ITEMS && cursor.at + 4 <= end; i++) {
    const type = cursor.u16();
    const length = cursor.u16();
    const dataEnd = Math.min(cursor.at + length, end);
    each(type, new Cursor(cursor.view, cursor.at, dataEnd));
    if (cursor.at + length > end) {
      cursor.cut = true;
      return;
    }
    cursor.at += length;
  }
}

/** Reads a ServerHello's body, as `readClientHello` reads a ClientHello's. */
export function readServerHello(
  view: DataView,
  at: number,
  length: number,
  end: number,
): TlsServerHello {
  const cursor = new Cursor(view, at, Math.min(at + length, end));
  const version = cursor.u16();
  cursor.skip(RANDOM_LENGTH);
  const sessionId = cursor.u8();
  if (sessionId >= 0) cursor.skip(sessionId);
  const cipherSuite = cursor.u16();
  cursor.u8(); // compression
  let chosenVersion = version;
  let keyShareGroup = -1;
  let alpn: string | null = null;
  const extensionsLength = cursor.u16();
  if (extensionsLength >= 0) {
    readExtensions(cursor, Math.min(cursor.at + extensionsLength, cursor.end), (type, ext) => {
      if (type === EXTENSION_SUPPORTED_VERSIONS) {
        const chosen = ext.u16();
        if (chosen >= 0) chosenVersion = chosen;
      } else if (type === EXTENSION_KEY_SHARE) keyShareGroup = ext.u16();
      else if (type === EXTENSION_ALPN) {
        ext.u16();
        const size = ext.u8();
        if (size >= 0) alpn = ext.text(size);
      }
    });
  }
  return { version, chosenVersion, cipherSuite, keyShareGroup, alpn };
}

/** Whether `at` begins a TLS record header: a known type, a TLS version, a sane length. */
export function isTlsRecordStart(view: DataView, at: number, end: number): boolean {
  if (end - at < TLS_RECORD_HEADER_LENGTH) return false;
  const type = view.getUint8(at + RECORD_TYPE);
  if (type < TLS_CHANGE_CIPHER_SPEC || type > TLS_APPLICATION_DATA) return false;
  const version = view.getUint16(at + RECORD_VERSION);
  if (version < TLS_RECORD_VERSION_MIN || version > TLS_RECORD_VERSION_MAX) return false;
  const length = view.getUint16(at + RECORD_LENGTH);
  return length > 0 && length <= MAX_RECORD_LENGTH;
}

/** One record's header. */
export interface TlsRecordJson {
  /** Content type: 20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data. */
  type: number;
  /** Its name. */
  typeName: string;
  /** The record's version field. */
  version: number;
  /** The record's length. */
  length: number;
}

/** The JSON form of a segment's TLS records (docs/json.md). */
export interface TlsJson {
  /** Every record that begins in the segment. */
  records: TlsRecordJson[];
  /** The handshake messages' types of the records' first messages, in order. */
  handshakes?: string[];
  /** What a ClientHello in the segment offers. */
  clientHello?: {
    version: number;
    sni: string | null;
    alpn: string[];
    supportedVersions: string[];
    keyShareGroups: string[];
    cipherSuites: number;
    cut?: boolean;
  };
  /** What a ServerHello in the segment chose. */
  serverHello?: {
    version: string;
    cipherSuite: number;
    cipherSuiteName: string;
    alpn?: string;
  };
  /** An alert in the clear. */
  alert?: { level: number; description: number; descriptionName: string };
}

/** A view of the TLS records that begin in a TCP segment. */
export class TlsRecords extends HeaderView {
  /**
   * Calls `each` with the start of every record in the segment (bounded), stopping at one
   * that runs past the bytes at hand or is not a record.
   */
  forEachRecord(each: (at: number, type: number, length: number) => void): void {
    const view = this.view;
    let at = this.offset;
    for (let count = 0; count < MAX_RECORDS; count++) {
      if (count > 0 && !isTlsRecordStart(view, at, this.end)) return;
      if (at + TLS_RECORD_HEADER_LENGTH > this.end) return;
      const type = view.getUint8(at + RECORD_TYPE);
      const length = view.getUint16(at + RECORD_LENGTH);
      each(at, type, length);
      at += TLS_RECORD_HEADER_LENGTH + length;
      if (at >= this.end) return;
    }
  }

  /**
   * Whether any record in the segment is a handshake or an alert (what a hint shows); most
   * segments hold application data alone. Reads the headers only, without allocating.
   */
  get hasHandshakeOrAlert(): boolean {
    const view = this.view;
    let at = this.offset;
    for (let count = 0; count < MAX_RECORDS && at + TLS_RECORD_HEADER_LENGTH <= this.end; count++) {
      const type = view.getUint8(at + RECORD_TYPE);
      if (type === TLS_HANDSHAKE || type === TLS_ALERT) return true;
      if (count > 0 && !isTlsRecordStart(view, at, this.end)) return false;
      at += TLS_RECORD_HEADER_LENGTH + view.getUint16(at + RECORD_LENGTH);
    }
    return false;
  }

  /**
   * The first handshake message of a handshake record at `at`: type, body start and length;
   * null when it was not captured or is encrypted (TLS 1.2's Finished after
   * ChangeCipherSpec): after a ChangeCipherSpec record in the same segment (RFC 5246 section
   * 7.1: what follows it is protected), of an unknown type, or with a length past the record
   * for a message that is never split across records. (An encrypted Finished whose first byte
   * happened to be 11 was read as a Certificate, which is never checked for length.)
   */
  #handshake(at: number): [number, number, number] | null {
    const body = at + TLS_RECORD_HEADER_LENGTH;
    if (body + HANDSHAKE_HEADER_LENGTH > this.end || this.#afterChangeCipherSpec(at)) return null;
    const view = this.view;
    const type = view.getUint8(body);
    const length = (view.getUint8(body + 1) << 16) | view.getUint16(body + 2);
    const recordLength = view.getUint16(at + RECORD_LENGTH);
    if (HANDSHAKE_NAMES[type] === undefined) return null;
    const splittable = type === TLS_CLIENT_HELLO || type === TLS_CERTIFICATE;
    if (!splittable && length + HANDSHAKE_HEADER_LENGTH > recordLength) return null;
    return [type, body + HANDSHAKE_HEADER_LENGTH, length];
  }

  /** Whether a ChangeCipherSpec record comes before the record at `at` in the segment. */
  #afterChangeCipherSpec(at: number): boolean {
    const view = this.view;
    for (let record = this.offset, count = 0; record < at && count < MAX_RECORDS; count++) {
      if (view.getUint8(record + RECORD_TYPE) === TLS_CHANGE_CIPHER_SPEC) return true;
      record += TLS_RECORD_HEADER_LENGTH + view.getUint16(record + RECORD_LENGTH);
    }
    return false;
  }

  /** The type of the handshake record at `at`'s first message, or undefined when encrypted. */
  handshakeTypeAt(at: number): number | undefined {
    return this.#handshake(at)?.[0];
  }

  /** The version field of the record at `at`. */
  recordVersionAt(at: number): number {
    return this.view.getUint16(at + RECORD_VERSION);
  }

  /** The ClientHello in the segment, or null. */
  get clientHello(): TlsClientHello | null {
    let hello: TlsClientHello | null = null;
    this.forEachRecord((at, type) => {
      if (hello !== null || type !== TLS_HANDSHAKE) return;
      const message = this.#handshake(at);
      if (message === null || message[0] !== TLS_CLIENT_HELLO) return;
      hello = readClientHello(this.view, message[1], message[2], this.end);
    });
    return hello;
  }

  /** The ServerHello in the segment, or null. */
  get serverHello(): TlsServerHello | null {
    let hello: TlsServerHello | null = null;
    this.forEachRecord((at, type) => {
      if (hello !== null || type !== TLS_HANDSHAKE) return;
      const message = this.#handshake(at);
      if (message === null || message[0] !== TLS_SERVER_HELLO) return;
      hello = readServerHello(this.view, message[1], message[2], this.end);
    });
    return hello;
  }

  /** The handshake types of the records' first messages (names), in order. */
  get handshakeNames(): string[] {
    const names: string[] = [];
    this.forEachRecord((at, type) => {
      if (type !== TLS_HANDSHAKE) return;
      const message = this.#handshake(at);
      names.push(message === null ? ENCRYPTED_HANDSHAKE : HANDSHAKE_NAMES[message[0]]);
    });
    return names;
  }

  /** The first alert in the clear (a 2-byte alert record), or null. */
  get alert(): { level: number; description: number } | null {
    let alert: { level: number; description: number } | null = null;
    this.forEachRecord((at, type, length) => {
      const body = at + TLS_RECORD_HEADER_LENGTH;
      if (alert !== null || type !== TLS_ALERT || length !== 2 || body + 2 > this.end) return;
      alert = { level: this.view.getUint8(body), description: this.view.getUint8(body + 1) };
    });
    return alert;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): TlsJson {
    const records: TlsRecordJson[] = [];
    this.forEachRecord((at, type, length) =>
      records.push({
        type,
        typeName: tlsRecordTypeName(type),
        version: this.view.getUint16(at + RECORD_VERSION),
        length,
      })
    );
    const json: TlsJson = { records };
    const handshakes = this.handshakeNames;
    if (handshakes.length > 0) json.handshakes = handshakes;
    const client = this.clientHello;
    if (client !== null) {
      json.clientHello = {
        version: client.version,
        sni: client.serverName,
        alpn: client.alpn,
        supportedVersions: client.supportedVersions.map(tlsVersionName),
        keyShareGroups: client.keyShareGroups.map(tlsGroupName),
        cipherSuites: client.cipherSuites.length,
      };
      if (client.cut) json.clientHello.cut = true;
    }
    const server = this.serverHello;
    if (server !== null) {
      json.serverHello = {
        version: tlsVersionName(server.chosenVersion),
        cipherSuite: server.cipherSuite,
        cipherSuiteName: tlsCipherSuiteName(server.cipherSuite),
      };
      if (server.alpn !== null) json.serverHello.alpn = server.alpn;
    }
    const alert = this.alert;
    if (alert !== null) json.alert = { ...alert, descriptionName: tlsAlertName(alert.description) };
    return json;
  }
}

/** An alert description's name (RFC 8446 section 6), or its number. */
export function tlsAlertName(description: number): string {
  return ALERT_NAMES[description] ?? `${description}`;
}

/** Values of every record in the segment under one field. */
function perRecord(
  read: (tls: TlsRecords, at: number, type: number) => number | undefined,
): (tls: TlsRecords) => number[] | undefined {
  return (tls) => {
    const values: number[] = [];
    tls.forEachRecord((at, type) => {
      const value = read(tls, at, type);
      if (value !== undefined) values.push(value);
    });
    return values.length > 0 ? values : undefined;
  };
}

/**
 * TLS's fields under tshark's names. The records' types are not among them: once TLS 1.3
 * encrypts, tshark files them under another name (`tls.record.opaque_type`), which only the
 * whole conversation tells; JSON has them.
 */
export const TLS_FIELDS: FieldTable<TlsRecords> = {
  "tls.handshake.type": perRecord((tls, at, type) =>
    type === TLS_HANDSHAKE ? tls.handshakeTypeAt(at) : undefined
  ),
  "tls.handshake.ciphersuite": (tls) => {
    const server = tls.serverHello;
    if (server !== null) return server.cipherSuite;
    const suites = tls.clientHello?.cipherSuites;
    return suites === undefined || suites.length === 0 ? undefined : suites;
  },
  "tls.handshake.extensions.supported_version": (tls) => {
    const server = tls.serverHello;
    if (server !== null) {
      return server.chosenVersion === server.version ? undefined : server.chosenVersion;
    }
    const versions = tls.clientHello?.supportedVersions;
    return versions === undefined || versions.length === 0 ? undefined : versions;
  },
  "tls.handshake.extensions_server_name": (tls) => tls.clientHello?.serverName ?? undefined,
  "tls.handshake.extensions_alpn_str": (tls) => {
    const server = tls.serverHello;
    if (server !== null) return server.alpn ?? undefined;
    const alpn = tls.clientHello?.alpn;
    return alpn === undefined || alpn.length === 0 ? undefined : alpn;
  },
  "tls.handshake.extensions_key_share_group": (tls) => {
    const server = tls.serverHello;
    if (server !== null) return server.keyShareGroup < 0 ? undefined : server.keyShareGroup;
    const groups = tls.clientHello?.keyShareGroups;
    return groups === undefined || groups.length === 0 ? undefined : groups;
  },
  "tls.alert_message.level": (tls) => tls.alert?.level,
  "tls.alert_message.desc": (tls) => tls.alert?.description,
};

/** The JSON object's keys in their order. */
export const TLS_JSON_KEYS: readonly string[] = [
  "records",
  "handshakes",
  "clientHello",
  "serverHello",
  "alert",
] as const satisfies readonly (keyof TlsJson)[];
