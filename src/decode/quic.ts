/**
 * QUIC packets in a UDP datagram (RFC 8999, RFC 9000 section 17): each long header's version,
 * type and connection IDs, coalesced packets one after another, Version Negotiation's
 * versions, and a short header marked as such (its connection ID's length is known only to
 * the endpoints). A client's Initial packet is decrypted as RFC 9001 section 5 describes:
 * keys from its Destination Connection ID (HKDF-SHA256 with the version's salt), header
 * protection removed with AES-128-ECB, the payload opened with AES-128-GCM (sha256.ts and
 * aes_gcm.ts: `node:crypto` would cost every run that meets QUIC 35-50 ms to load); its
 * CRYPTO frames are put together from offset 0 and the ClientHello in them read as TLS's is
 * (server name, ALPN). A server's Initial is keyed by the client's first Connection ID, which
 * its own packet does not carry: it is shown undecrypted. UDP port 443.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quicInitialKeys } from "./mod.ts";
 * // RFC 9001 appendix A.1: the client's keys for Destination Connection ID 0x8394c8f03e515708.
 * const keys = quicInitialKeys(new Uint8Array([0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08]), 1);
 * const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
 * assert.deepEqual([hex(keys!.key), hex(keys!.iv), hex(keys!.hp)], [
 *   "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2",
 * ]);
 * ```
 * @module
 */

import { Aes128, Aes128Gcm, GCM_TAG_LENGTH } from "./aes_gcm.ts";
import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";
import { hmacSha256 } from "./sha256.ts";
import { readClientHello, type TlsClientHello } from "./tls.ts";

/** QUIC's usual port. */
export const QUIC_PORT = 443;

/** QUIC version 1 (RFC 9000) and 2 (RFC 9369). */
export const QUIC_V1 = 0x00000001;
/** QUIC version 2. */
export const QUIC_V2 = 0x6b3343cf;

const LONG_HEADER = 0x80;
/** Draft versions: 0xff0000NN (RFC 9000 section 15). */
const DRAFT_VERSION_PREFIX = 0xff0000;
/** Versions reserved to exercise negotiation: 0x?a?a?a?a (RFC 9000 section 15). */
const GREASE_MASK = 0x0f0f0f0f;
const GREASE_PATTERN = 0x0a0a0a0a;
/** Long packet types as version 1 numbers them (RFC 9000 section 17.2). */
const TYPE_NAMES = ["Initial", "0-RTT", "Handshake", "Retry"];
const TYPE_INITIAL = 0;
const TYPE_RETRY = 3;
/** Version 2 numbers them otherwise (RFC 9369 section 3.2): its bits to version 1's type. */
const V2_TYPES = [TYPE_RETRY, TYPE_INITIAL, 1, 2];
/** A connection ID is at most 20 bytes in QUIC v1 and v2 (RFC 9000 section 17.2). */
const MAX_CID_LENGTH = 20;
/** At most this many packets are read from one datagram. */
const MAX_PACKETS = 16;
/** Header protection's sample: 16 bytes, 4 after the packet number's start (RFC 9001 5.4.2). */
const SAMPLE_OFFSET = 4;
const SAMPLE_LENGTH = 16;

/** The salts of RFC 9001 section 5.2 and RFC 9369 section 3.3.1. */
const INITIAL_SALTS: Readonly<Record<number, Uint8Array>> = {
  [QUIC_V1]: hexBytes("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"),
  [QUIC_V2]: hexBytes("0dede3def700a6db819381be6e269dcbf9bd2ed9"),
};
/** Version 2 labels its keys otherwise (RFC 9369 section 3.3.2). */
const KEY_LABELS: Readonly<Record<number, [string, string, string]>> = {
  [QUIC_V1]: ["quic key", "quic iv", "quic hp"],
  [QUIC_V2]: ["quicv2 key", "quicv2 iv", "quicv2 hp"],
};

/** Hex digits' bytes; `""` (a zero-length connection ID) is none. */
function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** HKDF-Expand-Label (RFC 8446 section 7.1) for outputs of one SHA-256 block or less. */
function expandLabel(secret: Uint8Array, label: string, length: number): Uint8Array {
  const full = new TextEncoder().encode("tls13 " + label);
  const info = new Uint8Array(2 + 1 + full.length + 1 + 1);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = full.length;
  info.set(full, 3);
  info[3 + full.length] = 0; // empty context
  info[4 + full.length] = 1; // HKDF-Expand's first block counter
  return hmacSha256(secret, info).subarray(0, length);
}

/** A client Initial's keys: AEAD key, IV and header-protection key. */
export interface QuicKeys {
  /** AES-128-GCM key. */
  key: Uint8Array;
  /** The IV the packet number is XORed into. */
  iv: Uint8Array;
  /** AES-128 header-protection key. */
  hp: Uint8Array;
}

/**
 * The keys protecting a client's Initial packets (RFC 9001 section 5.2), derived from the
 * Destination Connection ID of its first Initial; null for a version without known salts.
 */
export function quicInitialKeys(dcid: Uint8Array, version: number): QuicKeys | null {
  const salt = INITIAL_SALTS[version];
  const labels = KEY_LABELS[version];
  if (salt === undefined || labels === undefined) return null;
  const initial = hmacSha256(salt, dcid);
  const client = expandLabel(initial, "client in", 32);
  return {
    key: expandLabel(client, labels[0], 16),
    iv: expandLabel(client, labels[1], 12),
    hp: expandLabel(client, labels[2], 16),
  };
}

/** A client Initial's keys made ready to use: the payload's AEAD and header protection. */
interface InitialCiphers {
  iv: Uint8Array;
  payload: Aes128Gcm;
  headerProtection: Aes128;
}

/** Ciphers by version and DCID: a connection's client Initials share them. */
const CIPHER_CACHE = new Map<string, InitialCiphers | null>();
const CIPHER_CACHE_SIZE = 256;

function cachedInitialCiphers(dcid: string, version: number): InitialCiphers | null {
  const key = `${version}:${dcid}`;
  let ciphers = CIPHER_CACHE.get(key);
  if (ciphers === undefined) {
    if (CIPHER_CACHE.size >= CIPHER_CACHE_SIZE) CIPHER_CACHE.clear();
    const keys = quicInitialKeys(hexBytes(dcid), version);
    ciphers = keys === null ? null : {
      iv: keys.iv,
      payload: new Aes128Gcm(keys.key),
      headerProtection: new Aes128(keys.hp),
    };
    CIPHER_CACHE.set(key, ciphers);
  }
  return ciphers;
}

/** A variable-length integer (RFC 9000 section 16) at `at`: value and size; null past `end`. */
function varint(view: DataView, at: number, end: number): [number, number] | null {
  if (at >= end) return null;
  const first = view.getUint8(at);
  const size = 1 << (first >> 6);
  if (at + size > end) return null;
  let value = first & 0x3f;
  for (let i = 1; i < size; i++) value = value * 256 + view.getUint8(at + i);
  return [value, size];
}

/** One QUIC packet of a datagram. */
export interface QuicPacketJson {
  /** `long` or `short` header. */
  header: "long" | "short";
  /** Version (long headers); 0 for Version Negotiation. */
  version?: number;
  /** `Initial`, `0-RTT`, `Handshake`, `Retry`, `VersionNegotiation` (long headers). */
  type?: string;
  /** Destination Connection ID, hex (long headers). */
  dcid?: string;
  /** Source Connection ID, hex (long headers). */
  scid?: string;
  /** The Length field: packet number and payload (Initial, 0-RTT, Handshake). */
  length?: number;
  /** Version Negotiation's versions, hex. */
  versions?: string[];
  /** The packet number, once header protection is off (a decrypted Initial). */
  packetNumber?: number;
  /** A client Initial opened: `true`; `false` when its keys did not open it. */
  decrypted?: boolean;
  /** What the ClientHello in a decrypted Initial's CRYPTO frames offers. */
  clientHello?: { sni: string | null; alpn: string[]; cut?: boolean };
}

/** The JSON form of a datagram's QUIC packets (docs/json.md). */
export interface QuicJson {
  /** The packets, coalesced ones in order. */
  packets: QuicPacketJson[];
}

/** One packet as the walk found it. */
interface QuicPacketPlace {
  /** Where it begins and ends (absolute). */
  at: number;
  end: number;
  json: QuicPacketJson;
  /** For a long header with a payload: where the packet number begins. */
  numberAt: number;
}

/** A view of the QUIC packets in a UDP datagram. */
export class QuicDatagram extends HeaderView {
  #packets: QuicPacketPlace[] | null = null;

  /** Points the view at a datagram's payload. */
  override bind(view: DataView, offset: number, end: number): this {
    super.bind(view, offset, end);
    this.#packets = null;
    this.fromServer = false;
    return this;
  }

  /**
   * Whether the datagram comes from the server's port: its Initials are keyed by the
   * client's first Connection ID, not their own, so none is tried.
   */
  fromServer = false;

  /**
   * Whether a datagram on QUIC's port begins a QUIC packet: a long header of a version
   * netpeek knows (1, 2, a draft, Version Negotiation's 0, or a reserved "greased" one), or
   * a short header. The fixed bit is not required: peers may grease it (RFC 9287).
   */
  static looksLikeQuic(view: DataView, at: number, end: number): boolean {
    if (at >= end) return false;
    if ((view.getUint8(at) & LONG_HEADER) === 0) return true;
    if (end - at < 5) return false;
    const version = view.getUint32(at + 1);
    return version === 0 || version === QUIC_V1 || version === QUIC_V2 ||
      (version >>> 8) === DRAFT_VERSION_PREFIX || (version & GREASE_MASK) === GREASE_PATTERN;
  }

  /** Whether the datagram begins with a short header: then it holds that one packet alone. */
  get isShortHeaderOnly(): boolean {
    return (this.view.getUint8(this.offset) & LONG_HEADER) === 0;
  }

  /** The packets, read (and a client Initial decrypted) once per bind. */
  get packets(): QuicPacketJson[] {
    return this.#places().map((place) => place.json);
  }

  #places(): QuicPacketPlace[] {
    if (this.#packets !== null) return this.#packets;
    const places: QuicPacketPlace[] = [];
    const view = this.view;
    let at = this.offset;
    for (let count = 0; count < MAX_PACKETS && at < this.end; count++) {
      const place = this.#readPacket(view, at);
      if (place === null) break;
      places.push(place);
      if (place.end <= at) break;
      at = place.end;
    }
    this.#packets = places;
    for (const place of places) {
      if (place.json.type !== "Initial") continue;
      if (this.fromServer) place.json.decrypted = false;
      else this.#decryptInitial(place);
    }
    return places;
  }

  #readPacket(view: DataView, at: number): QuicPacketPlace | null {
    const end = this.end;
    const first = view.getUint8(at);
    if ((first & LONG_HEADER) === 0) {
      return { at, end, json: { header: "short" }, numberAt: -1 };
    }
    if (at + 6 > end) return null;
    const version = view.getUint32(at + 1);
    let cursor = at + 5;
    const dcidLength = view.getUint8(cursor++);
    if (dcidLength > MAX_CID_LENGTH && version !== 0) return null;
    if (cursor + dcidLength + 1 > end) return null;
    const dcid = this.#hex(cursor, dcidLength);
    cursor += dcidLength;
    const scidLength = view.getUint8(cursor++);
    if (cursor + scidLength > end) return null;
    const scid = this.#hex(cursor, scidLength);
    cursor += scidLength;
    if (version === 0) {
      const versions: string[] = [];
      for (; cursor + 4 <= end && versions.length < 64; cursor += 4) {
        versions.push(view.getUint32(cursor).toString(16).padStart(8, "0"));
      }
      const json: QuicPacketJson = {
        header: "long",
        version,
        type: "VersionNegotiation",
        dcid,
        scid,
        versions,
      };
      return { at, end, json, numberAt: -1 };
    }
    const bits = (first >> 4) & 3;
    const type = version === QUIC_V2 ? V2_TYPES[bits] : bits;
    const json: QuicPacketJson = { header: "long", version, type: TYPE_NAMES[type], dcid, scid };
    if (type === TYPE_RETRY) return { at, end, json, numberAt: -1 };
    if (type === TYPE_INITIAL) {
      const token = varint(view, cursor, end);
      if (token === null) return { at, end, json, numberAt: -1 };
      cursor += token[1] + token[0];
    }
    const length = varint(view, cursor, end);
    if (length === null) return { at, end, json, numberAt: -1 };
    cursor += length[1];
    json.length = length[0];
    return { at, end: Math.min(end, cursor + length[0]), json, numberAt: cursor };
  }

  #hex(at: number, length: number): string {
    let text = "";
    for (let i = 0; i < length; i++) {
      text += this.view.getUint8(at + i).toString(16).padStart(2, "0");
    }
    return text;
  }

  #bytes(at: number, length: number): Uint8Array {
    return new Uint8Array(this.view.buffer, this.view.byteOffset + at, length).slice();
  }

  /** Opens a client Initial with keys from its own DCID (RFC 9001 section 5). */
  #decryptInitial(place: QuicPacketPlace): void {
    const json = place.json;
    const numberAt = place.numberAt;
    const length = json.length ?? 0;
    if (numberAt < 0 || numberAt + length > this.end) return;
    if (numberAt + SAMPLE_OFFSET + SAMPLE_LENGTH > this.end) return;
    const ciphers = cachedInitialCiphers(json.dcid ?? "", json.version ?? 0);
    if (ciphers === null) return;
    const mask = this.#bytes(numberAt + SAMPLE_OFFSET, SAMPLE_LENGTH);
    ciphers.headerProtection.encryptBlock(mask, 0, mask, 0);
    const header = this.#bytes(place.at, numberAt - place.at + 4);
    header[0] ^= mask[0] & 0x0f;
    const numberLength = (header[0] & 3) + 1;
    let packetNumber = 0;
    const numberStart = numberAt - place.at;
    for (let i = 0; i < numberLength; i++) {
      header[numberStart + i] ^= mask[1 + i];
      packetNumber = packetNumber * 256 + header[numberStart + i];
    }
    const aad = header.subarray(0, numberStart + numberLength);
    const payloadAt = numberAt + numberLength;
    const payloadLength = length - numberLength - GCM_TAG_LENGTH;
    if (payloadLength <= 0) return;
    const nonce = ciphers.iv.slice();
    for (let i = 0; i < 8; i++) nonce[11 - i] ^= Math.floor(packetNumber / 2 ** (8 * i)) & 0xff;
    const plain = ciphers.payload.open(
      nonce,
      aad,
      this.#bytes(payloadAt, payloadLength),
      this.#bytes(payloadAt + payloadLength, GCM_TAG_LENGTH),
    );
    if (plain === null) {
      // Not a client's first flight (a server's Initial, or after a Retry): its keys are
      // not derived from this packet's own DCID.
      json.decrypted = false;
      return;
    }
    json.packetNumber = packetNumber;
    json.decrypted = true;
    const hello = clientHelloFromFrames(plain);
    if (hello !== null) {
      json.clientHello = { sni: hello.serverName, alpn: hello.alpn };
      if (hello.cut) json.clientHello.cut = true;
    }
  }

  /** The ClientHello of the first decrypted Initial, or null. */
  get clientHello(): { sni: string | null; alpn: string[] } | null {
    for (const packet of this.packets) if (packet.clientHello) return packet.clientHello;
    return null;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): QuicJson {
    return { packets: this.packets };
  }
}

// Frame types in Initial packets (RFC 9000 section 19).
const FRAME_PADDING = 0x00;
const FRAME_PING = 0x01;
const FRAME_ACK = 0x02;
const FRAME_ACK_ECN = 0x03;
const FRAME_CRYPTO = 0x06;
const FRAME_CLOSE = 0x1c;
/** At most this many frames are read from one packet. */
const MAX_FRAMES = 512;
/** A handshake message's header (RFC 8446 section 4). */
const HANDSHAKE_HEADER = 4;
const CLIENT_HELLO = 1;

/**
 * The ClientHello carried by a decrypted Initial's CRYPTO frames, put together from offset 0
 * (frames may come in any order); null when there is none or a frame cannot be read.
 */
function clientHelloFromFrames(plain: Uint8Array): TlsClientHello | null {
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const pieces: [number, Uint8Array][] = [];
  let at = 0;
  for (let count = 0; count < MAX_FRAMES && at < plain.length; count++) {
    const type = plain[at++];
    if (type === FRAME_PADDING) {
      // A run of padding counts as one frame: clients pad anywhere, also before the
      // ClientHello or between its pieces, with hundreds of bytes.
      while (at < plain.length && plain[at] === FRAME_PADDING) at++;
      continue;
    }
    if (type === FRAME_PING) continue;
    if (type === FRAME_CRYPTO) {
      const offset = varint(view, at, plain.length);
      if (offset === null) return null;
      at += offset[1];
      const length = varint(view, at, plain.length);
      if (length === null || at + length[1] + length[0] > plain.length) return null;
      at += length[1];
      pieces.push([offset[0], plain.subarray(at, at + length[0])]);
      at += length[0];
    } else if (type === FRAME_ACK || type === FRAME_ACK_ECN) {
      // Largest, delay, range count, first range, then the ranges (and ECN counts).
      const fields: number[] = [];
      for (let i = 0; i < 4; i++) {
        const value = varint(view, at, plain.length);
        if (value === null) return null;
        fields.push(value[0]);
        at += value[1];
      }
      const more = Math.min(fields[2], MAX_FRAMES) * 2 + (type === FRAME_ACK_ECN ? 3 : 0);
      for (let i = 0; i < more; i++) {
        const value = varint(view, at, plain.length);
        if (value === null) return null;
        at += value[1];
      }
    } else if (type === FRAME_CLOSE) break;
    else return null;
  }
  pieces.sort((a, b) => a[0] - b[0]);
  let contiguous = 0;
  const parts: Uint8Array[] = [];
  for (const [offset, data] of pieces) {
    if (offset > contiguous) break;
    const fresh = data.subarray(Math.max(0, contiguous - offset));
    parts.push(fresh);
    contiguous += fresh.length;
  }
  const stream = new Uint8Array(contiguous);
  let written = 0;
  for (const part of parts) {
    stream.set(part, written);
    written += part.length;
  }
  if (stream.length < HANDSHAKE_HEADER || stream[0] !== CLIENT_HELLO) return null;
  const length = (stream[1] << 16) | (stream[2] << 8) | stream[3];
  const streamView = new DataView(stream.buffer);
  return readClientHello(streamView, HANDSHAKE_HEADER, length, stream.length);
}

/** Values of the datagram's long-header packets under one field. */
function perLongPacket(
  read: (packet: QuicPacketJson) => number | string | undefined,
): (quic: QuicDatagram) => (number | string)[] | undefined {
  return (quic) => {
    const values: (number | string)[] = [];
    for (const packet of quic.packets) {
      if (packet.header !== "long") continue;
      const value = read(packet);
      if (value !== undefined) values.push(value);
    }
    return values.length > 0 ? values : undefined;
  };
}

/** QUIC's fields under tshark's names (the decrypted ClientHello's under TLS's). */
export const QUIC_FIELDS: FieldTable<QuicDatagram> = {
  "quic.header_form": (quic) => quic.packets.map((packet) => packet.header === "long" ? 1 : 0),
  "quic.version": perLongPacket((packet) => packet.version),
  "quic.long.packet_type": perLongPacket((packet) => {
    const index = TYPE_NAMES.indexOf(packet.type ?? "");
    return index < 0 ? undefined : index;
  }),
  "quic.scid": perLongPacket((packet) => packet.scid === "" ? undefined : packet.scid),
  "tls.handshake.extensions_server_name": (quic) => quic.clientHello?.sni ?? undefined,
  "tls.handshake.extensions_alpn_str": (quic) => {
    const alpn = quic.clientHello?.alpn;
    return alpn === undefined || alpn.length === 0 ? undefined : alpn;
  },
};

/** The JSON object's keys in their order. */
export const QUIC_JSON_KEYS: readonly string[] = ["packets"] as const satisfies readonly (
  keyof QuicJson
)[];
