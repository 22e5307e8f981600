/**
 * A client Initial's frames in the orders clients send them, against tshark. Clients may put
 * PADDING anywhere in an Initial and split the ClientHello over several CRYPTO frames, in any
 * order, with PING and PADDING between them (Chrome's "chaos protection" does). The test takes
 * gtlsclient's first Initial from the QUIC fixture, opens it with `node:crypto` (RFC 9001
 * section 5, written here apart from netpeek's own code), lays its frames out again, seals it
 * as a client would, and holds netpeek's reading of the ClientHello to tshark's on the result.
 */

import assert from "node:assert/strict";
import * as nodeCrypto from "node:crypto";
import { Decoder, LINKTYPE_ETHERNET } from "../src/decode/mod.ts";
import { output } from "./protocol_check.ts";
import { parsePcap } from "./pcap_file.ts";

const FIXTURE = new URL("./fixtures/protocols/quic.pcap", import.meta.url).pathname;
/** RFC 9001 section 5.2: the version 1 initial salt. */
const INITIAL_SALT = "38762cf7f55934b34d179ae6a4c80cadccbb7f0a";
/** Where the QUIC datagram starts in the fixture's frames: Ethernet, IPv4 (20 bytes), UDP. */
const QUIC_AT = 14 + 20 + 8;
const UDP_CHECKSUM_AT = 14 + 20 + 6;
const TAG_LENGTH = 16;
const PADDING = 0x00;
const PING = 0x01;
const CRYPTO = 0x06;
/** netpeek's bound on frames read from one Initial (src/decode/quic.ts). */
const MAX_FRAMES = 512;

/** RFC 8446 section 7.1's HKDF-Expand-Label, for outputs of one SHA-256 block at most. */
function expandLabel(secret: Uint8Array, label: string, length: number): Uint8Array {
  const name = new TextEncoder().encode(`tls13 ${label}`);
  const info = new Uint8Array([length >> 8, length & 0xff, name.length, ...name, 0, 1]);
  return new Uint8Array(nodeCrypto.createHmac("sha256", secret).update(info).digest())
    .subarray(0, length);
}

interface InitialKeys {
  key: Uint8Array;
  iv: Uint8Array;
  hp: Uint8Array;
}

function clientInitialKeys(dcid: Uint8Array): InitialKeys {
  const salt = Uint8Array.from(INITIAL_SALT.match(/../g)!, (h) => parseInt(h, 16));
  const initial = new Uint8Array(nodeCrypto.createHmac("sha256", salt).update(dcid).digest());
  const client = expandLabel(initial, "client in", 32);
  return {
    key: expandLabel(client, "quic key", 16),
    iv: expandLabel(client, "quic iv", 12),
    hp: expandLabel(client, "quic hp", 16),
  };
}

/** RFC 9000 section 16's variable-length integer at `at`: its value and length. */
function readVarint(bytes: Uint8Array, at: number): [number, number] {
  const length = 1 << (bytes[at] >> 6);
  let value = bytes[at] & 0x3f;
  for (let i = 1; i < length; i++) value = value * 256 + bytes[at + i];
  return [value, length];
}

/** A variable-length integer in two bytes (values below 16,384). */
function varint2(value: number): number[] {
  assert.ok(value < 0x4000);
  return [0x40 | (value >> 8), value & 0xff];
}

function headerProtectionMask(hp: Uint8Array, sample: Uint8Array): Uint8Array {
  const ecb = nodeCrypto.createCipheriv("aes-128-ecb", hp, null);
  ecb.setAutoPadding(false);
  return new Uint8Array(ecb.update(sample));
}

function nonceFor(iv: Uint8Array, packetNumber: number): Uint8Array {
  const nonce = iv.slice();
  for (let i = 0; i < 4; i++) nonce[11 - i] ^= (packetNumber >>> (8 * i)) & 0xff;
  return nonce;
}

/** An opened Initial: where its parts lie in the datagram, and its plaintext. */
interface OpenedInitial {
  keys: InitialKeys;
  numberAt: number;
  numberLength: number;
  packetNumber: number;
  /** The header with its protection removed: the AEAD's associated data. */
  header: Uint8Array;
  plain: Uint8Array;
}

function openInitial(datagram: Uint8Array): OpenedInitial {
  assert.equal(datagram[0] & 0xf0, 0xc0, "a version 1 Initial");
  let at = 5;
  const dcid = datagram.subarray(at + 1, at + 1 + datagram[at]);
  at += 1 + dcid.length;
  at += 1 + datagram[at]; // the source connection ID
  const [tokenLength, tokenBytes] = readVarint(datagram, at);
  at += tokenBytes + tokenLength;
  const [length, lengthBytes] = readVarint(datagram, at);
  const numberAt = at + lengthBytes;
  const keys = clientInitialKeys(dcid);
  const mask = headerProtectionMask(keys.hp, datagram.subarray(numberAt + 4, numberAt + 20));
  const header = datagram.slice(0, numberAt + 4);
  header[0] ^= mask[0] & 0x0f;
  const numberLength = (header[0] & 3) + 1;
  let packetNumber = 0;
  for (let i = 0; i < numberLength; i++) {
    header[numberAt + i] ^= mask[1 + i];
    packetNumber = packetNumber * 256 + header[numberAt + i];
  }
  const sealedAt = numberAt + numberLength;
  const sealedEnd = numberAt + length - TAG_LENGTH;
  const decipher = nodeCrypto.createDecipheriv(
    "aes-128-gcm",
    keys.key,
    nonceFor(keys.iv, packetNumber),
  );
  decipher.setAAD(header.subarray(0, sealedAt));
  decipher.setAuthTag(datagram.subarray(sealedEnd, sealedEnd + TAG_LENGTH));
  const plain = new Uint8Array([
    ...decipher.update(datagram.subarray(sealedAt, sealedEnd)),
    ...decipher.final(),
  ]);
  return {
    keys,
    numberAt,
    numberLength,
    packetNumber,
    header: header.subarray(0, sealedAt),
    plain,
  };
}

/** Seals `plain` (the same length as the opened one) into `datagram` in place. */
function sealInitial(datagram: Uint8Array, opened: OpenedInitial, plain: Uint8Array): void {
  const { keys, numberAt, numberLength, header } = opened;
  assert.equal(plain.length, opened.plain.length);
  const cipher = nodeCrypto.createCipheriv(
    "aes-128-gcm",
    keys.key,
    nonceFor(keys.iv, opened.packetNumber),
  );
  cipher.setAAD(header);
  const sealed = new Uint8Array([...cipher.update(plain), ...cipher.final()]);
  const sealedAt = numberAt + numberLength;
  datagram.set(sealed, sealedAt);
  datagram.set(cipher.getAuthTag(), sealedAt + sealed.length);
  datagram.set(header, 0);
  const mask = headerProtectionMask(keys.hp, datagram.subarray(numberAt + 4, numberAt + 20));
  datagram[0] ^= mask[0] & 0x0f;
  for (let i = 0; i < numberLength; i++) datagram[numberAt + i] ^= mask[1 + i];
}

/** The ClientHello's bytes, from the opened Initial's CRYPTO frames (offset 0 onwards). */
function cryptoData(plain: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < plain.length;) {
    const type = plain[at++];
    if (type === PADDING || type === PING) continue;
    assert.equal(type, CRYPTO, `frame type ${type} in gtlsclient's first Initial`);
    const [offset, offsetBytes] = readVarint(plain, at);
    at += offsetBytes;
    const [length, lengthBytes] = readVarint(plain, at);
    at += lengthBytes;
    assert.equal(offset, parts.reduce((sum, part) => sum + part.length, 0));
    parts.push(plain.subarray(at, at + length));
    at += length;
  }
  return new Uint8Array(parts.flatMap((part) => [...part]));
}

/** How many frames precede the last CRYPTO frame, each PADDING byte counted as a frame. */
function framesBeforeLastCrypto(plain: Uint8Array): number {
  let frames = 0;
  let before = 0;
  for (let at = 0; at < plain.length; frames++) {
    const type = plain[at++];
    if (type !== CRYPTO) continue;
    before = frames;
    at += readVarint(plain, at)[1];
    const [length, lengthBytes] = readVarint(plain, at);
    at += lengthBytes + length;
  }
  return before;
}

/** A CRYPTO frame carrying `data` at stream offset `offset`. */
function cryptoFrame(offset: number, data: Uint8Array): number[] {
  return [CRYPTO, ...varint2(offset), ...varint2(data.length), ...data];
}

/** Frames as a client may lay them out, padded with PADDING at the end to `length` bytes. */
type Layout = (hello: Uint8Array, length: number) => number[];

const LAYOUTS: Record<string, Layout> = {
  // All the padding first (RFC 9000 section 19.1 lets it stand anywhere), then the ClientHello.
  "padding first": (hello, length) => {
    const frame = cryptoFrame(0, hello);
    return [...new Array(length - frame.length).fill(PADDING), ...frame];
  },
  // Chrome's way: the ClientHello in pieces, last piece first, with PING and runs of PADDING
  // between them.
  "pieces out of order, PING and PADDING between": (hello, length) => {
    const cut1 = Math.floor(hello.length / 3);
    const cut2 = Math.floor((2 * hello.length) / 3);
    const frames = [
      ...new Array(300).fill(PADDING),
      ...cryptoFrame(cut2, hello.subarray(cut2)),
      PING,
      ...new Array(260).fill(PADDING),
      ...cryptoFrame(0, hello.subarray(0, cut1)),
      PING,
      PING,
      ...cryptoFrame(cut1, hello.subarray(cut1, cut2)),
    ];
    return [...frames, ...new Array(length - frames.length).fill(PADDING)];
  },
};

Deno.test("QUIC Initial: the ClientHello read wherever the client puts its frames, as tshark reads it", async () => {
  const capture = await Deno.readFile(FIXTURE);
  const { frame } = parsePcap(capture).records[0];
  const datagram = frame.subarray(QUIC_AT);
  const opened = openInitial(datagram);
  const hello = cryptoData(opened.plain);
  // Where the first record starts in the file: its frame's bytes are changed in place.
  const frameAt = frame.byteOffset;
  for (const [name, layout] of Object.entries(LAYOUTS)) {
    const plain = new Uint8Array(layout(hello, opened.plain.length));
    // Guard: before the last CRYPTO frame lie more frames than netpeek reads from a packet,
    // when each PADDING byte counts as one (as it did).
    assert.ok(framesBeforeLastCrypto(plain) > MAX_FRAMES, name);
    const changed = capture.slice();
    const changedDatagram = changed.subarray(frameAt + QUIC_AT, frameAt + frame.length);
    sealInitial(changedDatagram, opened, plain);
    // An IPv4 UDP checksum of 0 is none (RFC 768): no need to work it out again.
    changed[frameAt + UDP_CHECKSUM_AT] = changed[frameAt + UDP_CHECKSUM_AT + 1] = 0;
    const path = await Deno.makeTempFile({ suffix: ".pcap" });
    try {
      await Deno.writeFile(path, changed);
      const theirs = (await output("tshark", [
        "-n",
        "-r",
        path,
        "-c",
        "1",
        "-T",
        "fields",
        "-e",
        "tls.handshake.extensions_server_name",
        "-e",
        "tls.handshake.extensions_alpn_str",
      ])).trimEnd().split("\t");
      // Guard: tshark found the ClientHello, as gtlsclient sent it.
      assert.deepEqual(theirs, ["localhost", "h3"], `${name}: tshark`);
      const packet = new Decoder().decode(
        changed.subarray(frameAt, frameAt + frame.length),
        LINKTYPE_ETHERNET,
      );
      const quic = packet.quic;
      assert.ok(quic !== undefined, name);
      assert.deepEqual(quic.clientHello, { sni: theirs[0], alpn: [theirs[1]] }, name);
    } finally {
      await Deno.remove(path);
    }
  }
});
