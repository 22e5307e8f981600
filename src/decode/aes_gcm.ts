/**
 * AES-128 (FIPS 197) and AES-128-GCM opening (NIST SP 800-38D), synchronous and in
 * TypeScript: what a QUIC client Initial needs (RFC 9001 section 5: header protection is one
 * AES block, the payload AES-128-GCM). `node:crypto` does the same, but loading it costs every
 * run that meets QUIC some 35-50 ms, and each packet about 45 µs in its calls; this opens a
 * 1,150-byte Initial in about 13 µs once compiled, and has nothing to load.
 * tests/quic_crypto_test.ts holds it to FIPS 197's and SP 800-38D's vectors and to
 * `node:crypto` on random inputs.
 *
 * AES uses the usual four 256-word round tables; GHASH multiplies a byte at a time with a
 * 256-entry table per key (Shoup's method, its 16-entry nibble table widened: half the steps).
 * Neither is constant-time: these keys are public (anyone who sees the packet can derive
 * them), so there is no secret to leak.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Aes128 } from "./aes_gcm.ts";
 * const hex = (text: string) => Uint8Array.from(text.match(/../g)!, (h) => parseInt(h, 16));
 * const aes = new Aes128(hex("000102030405060708090a0b0c0d0e0f")); // FIPS 197 appendix C.1
 * const block = hex("00112233445566778899aabbccddeeff");
 * aes.encryptBlock(block, 0, block, 0);
 * assert.deepEqual(block, hex("69c4e0d86a7b0430d8cdb78070b4c55a"));
 * ```
 * @module
 */

const ROUNDS = 10;
const BLOCK = 16;

/** The S-box and the encryption round tables, made on first use (a few microseconds). */
let sbox: Uint8Array | undefined;
let te0: Uint32Array;
let te1: Uint32Array;
let te2: Uint32Array;
let te3: Uint32Array;

/** Doubles a byte in AES's field (FIPS 197 section 4.2.1, `xtime`). */
function xtime(value: number): number {
  return ((value << 1) ^ (value & 0x80 ? 0x1b : 0)) & 0xff;
}

function tables(): Uint8Array {
  if (sbox !== undefined) return sbox;
  const box = new Uint8Array(256);
  // Walks the field's multiplicative group with generator 3 and its inverse 3⁻¹, so that q
  // is p's inverse at each step; the affine map of section 5.1.1 then gives the S-box entry.
  let p = 1;
  let q = 1;
  do {
    p = p ^ xtime(p);
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    const rotated = q ^ ((q << 1) | (q >> 7)) ^ ((q << 2) | (q >> 6)) ^
      ((q << 3) | (q >> 5)) ^ ((q << 4) | (q >> 4));
    box[p] = (rotated ^ 0x63) & 0xff;
  } while (p !== 1);
  box[0] = 0x63;
  te0 = new Uint32Array(256);
  te1 = new Uint32Array(256);
  te2 = new Uint32Array(256);
  te3 = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const s = box[i];
    const twice = xtime(s);
    const word = ((twice << 24) | (s << 16) | (s << 8) | (twice ^ s)) >>> 0;
    te0[i] = word;
    te1[i] = ((word >>> 8) | (word << 24)) >>> 0;
    te2[i] = ((word >>> 16) | (word << 16)) >>> 0;
    te3[i] = ((word >>> 24) | (word << 8)) >>> 0;
  }
  sbox = box;
  return box;
}

function readWord(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function writeWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word >>> 24;
  bytes[at + 1] = word >>> 16;
  bytes[at + 2] = word >>> 8;
  bytes[at + 3] = word;
}

/** An AES-128 key, expanded once; encrypts blocks. */
export class Aes128 {
  readonly #roundKeys = new Uint32Array(4 * (ROUNDS + 1));
  /** The last block encrypted, as four big-endian words. */
  readonly words = new Uint32Array(4);

  constructor(key: Uint8Array) {
    if (key.length !== BLOCK) throw new RangeError("an AES-128 key is 16 bytes");
    const box = tables();
    const keys = this.#roundKeys;
    for (let i = 0; i < 4; i++) keys[i] = readWord(key, 4 * i);
    let roundConstant = 1;
    for (let i = 4; i < keys.length; i++) {
      let word = keys[i - 1];
      if (i % 4 === 0) {
        // RotWord, SubWord and the round constant (section 5.2).
        word = ((box[(word >>> 16) & 0xff] << 24) | (box[(word >>> 8) & 0xff] << 16) |
          (box[word & 0xff] << 8) | box[word >>> 24]) ^ (roundConstant << 24);
        roundConstant = xtime(roundConstant);
      }
      keys[i] = keys[i - 4] ^ word;
    }
  }

  /** Encrypts the block of words `s0`…`s3` into `words`. */
  encryptWords(s0: number, s1: number, s2: number, s3: number): void {
    const keys = this.#roundKeys;
    const box = sbox!;
    s0 ^= keys[0];
    s1 ^= keys[1];
    s2 ^= keys[2];
    s3 ^= keys[3];
    let k = 4;
    for (let round = 1; round < ROUNDS; round++, k += 4) {
      const t0 = te0[s0 >>> 24] ^ te1[(s1 >>> 16) & 0xff] ^ te2[(s2 >>> 8) & 0xff] ^
        te3[s3 & 0xff] ^ keys[k];
      const t1 = te0[s1 >>> 24] ^ te1[(s2 >>> 16) & 0xff] ^ te2[(s3 >>> 8) & 0xff] ^
        te3[s0 & 0xff] ^ keys[k + 1];
      const t2 = te0[s2 >>> 24] ^ te1[(s3 >>> 16) & 0xff] ^ te2[(s0 >>> 8) & 0xff] ^
        te3[s1 & 0xff] ^ keys[k + 2];
      const t3 = te0[s3 >>> 24] ^ te1[(s0 >>> 16) & 0xff] ^ te2[(s1 >>> 8) & 0xff] ^
        te3[s2 & 0xff] ^ keys[k + 3];
      s0 = t0;
      s1 = t1;
      s2 = t2;
      s3 = t3;
    }
    // The last round: SubBytes, ShiftRows and the key, without MixColumns.
    const out = this.words;
    out[0] = ((box[s0 >>> 24] << 24) | (box[(s1 >>> 16) & 0xff] << 16) |
      (box[(s2 >>> 8) & 0xff] << 8) | box[s3 & 0xff]) ^ keys[k];
    out[1] = ((box[s1 >>> 24] << 24) | (box[(s2 >>> 16) & 0xff] << 16) |
      (box[(s3 >>> 8) & 0xff] << 8) | box[s0 & 0xff]) ^ keys[k + 1];
    out[2] = ((box[s2 >>> 24] << 24) | (box[(s3 >>> 16) & 0xff] << 16) |
      (box[(s0 >>> 8) & 0xff] << 8) | box[s1 & 0xff]) ^ keys[k + 2];
    out[3] = ((box[s3 >>> 24] << 24) | (box[(s0 >>> 16) & 0xff] << 16) |
      (box[(s1 >>> 8) & 0xff] << 8) | box[s2 & 0xff]) ^ keys[k + 3];
  }

  /** Encrypts the 16 bytes at `inputAt` into `output` at `outputAt` (they may overlap). */
  encryptBlock(input: Uint8Array, inputAt: number, output: Uint8Array, outputAt: number): void {
    this.encryptWords(
      readWord(input, inputAt),
      readWord(input, inputAt + 4),
      readWord(input, inputAt + 8),
      readWord(input, inputAt + 12),
    );
    for (let i = 0; i < 4; i++) writeWord(output, outputAt + 4 * i, this.words[i]);
  }
}

/**
 * The reduction of the four bits shifted out of GHASH's product, placed in the top 16 bits of
 * the first word (SP 800-38D's R = 11100001 || 0¹²⁰, for each nibble).
 */
const REDUCE_NIBBLE = new Uint32Array([
  0x0000,
  0x1c20,
  0x3840,
  0x2460,
  0x7080,
  0x6ca0,
  0x48c0,
  0x54e0,
  0xe100,
  0xfd20,
  0xd940,
  0xc560,
  0x9180,
  0x8da0,
  0xa9c0,
  0xb5e0,
].map((value) => value << 16));

/**
 * The same for the eight bits of a byte: two nibble steps, the first's reduction shifted on by
 * the second.
 */
const REDUCE_BYTE = Uint32Array.from(
  { length: 256 },
  (_, bits) => (REDUCE_NIBBLE[bits & 15] >>> 4) ^ REDUCE_NIBBLE[bits >>> 4],
);

/** The authentication tag's length: QUIC's AEAD uses the full 16 bytes. */
export const GCM_TAG_LENGTH = 16;
const NONCE_LENGTH = 12;

/** An AES-128-GCM key: opens (decrypts and authenticates) messages sealed with it. */
export class Aes128Gcm {
  readonly #aes: Aes128;
  /**
   * What each byte value adds to GHASH's product, four words an entry (from H = AES(K, 0¹²⁸)):
   * the nibble table's entries for its low and high halves, one step apart.
   */
  readonly #table = new Uint32Array(256 * 4);
  /** GHASH's running value Y, as four big-endian words; the block being multiplied. */
  readonly #y = new Uint32Array(4);
  readonly #x = new Uint32Array(4);

  constructor(key: Uint8Array) {
    this.#aes = new Aes128(key);
    this.#aes.encryptWords(0, 0, 0, 0);
    // H·i for each nibble i (bit order reversed, as GHASH's is): the single bits 8, 4, 2, 1 by
    // halving, the rest as their sums.
    const nibbles = new Uint32Array(16 * 4);
    let [v0, v1, v2, v3] = this.#aes.words;
    for (let entry = 8; entry > 0; entry >>= 1) {
      nibbles.set([v0, v1, v2, v3], 4 * entry);
      const carry = v3 & 1 ? 0xe1000000 : 0;
      v3 = ((v3 >>> 1) | (v2 << 31)) >>> 0;
      v2 = ((v2 >>> 1) | (v1 << 31)) >>> 0;
      v1 = ((v1 >>> 1) | (v0 << 31)) >>> 0;
      v0 = ((v0 >>> 1) ^ carry) >>> 0;
    }
    for (let high = 2; high <= 8; high <<= 1) {
      for (let low = 1; low < high; low++) {
        for (let w = 0; w < 4; w++) {
          nibbles[4 * (high + low) + w] = nibbles[4 * high + w] ^ nibbles[4 * low + w];
        }
      }
    }
    // A byte's entry: its low nibble's, moved on by one nibble step, plus its high nibble's.
    const table = this.#table;
    for (let byte = 0; byte < 256; byte++) {
      const low = 4 * (byte & 15);
      const high = 4 * (byte >>> 4);
      const w3 = nibbles[low + 3];
      table[4 * byte] = ((nibbles[low] >>> 4) ^ REDUCE_NIBBLE[w3 & 15] ^ nibbles[high]) >>> 0;
      table[4 * byte + 1] = (((nibbles[low + 1] >>> 4) | (nibbles[low] << 28)) ^
        nibbles[high + 1]) >>> 0;
      table[4 * byte + 2] = (((nibbles[low + 2] >>> 4) | (nibbles[low + 1] << 28)) ^
        nibbles[high + 2]) >>> 0;
      table[4 * byte + 3] = (((w3 >>> 4) | (nibbles[low + 2] << 28)) ^ nibbles[high + 3]) >>> 0;
    }
  }

  /** Y = (Y ⊕ X)·H for the block of words `x0`…`x3`. */
  #ghash(x0: number, x1: number, x2: number, x3: number): void {
    const y = this.#y;
    const table = this.#table;
    const x = this.#x;
    x[0] = y[0] ^ x0;
    x[1] = y[1] ^ x1;
    x[2] = y[2] ^ x2;
    x[3] = y[3] ^ x3;
    let z0 = 0;
    let z1 = 0;
    let z2 = 0;
    let z3 = 0;
    // Byte 15 first: Horner's rule over bytes (each step divides by x⁸, reduced).
    for (let word = 3; word >= 0; word--) {
      let bytes = x[word];
      for (let k = 0; k < 4; k++, bytes >>>= 8) {
        const shifted = z3 & 0xff;
        z3 = (z3 >>> 8) | (z2 << 24);
        z2 = (z2 >>> 8) | (z1 << 24);
        z1 = (z1 >>> 8) | (z0 << 24);
        z0 = (z0 >>> 8) ^ REDUCE_BYTE[shifted];
        const at = 4 * (bytes & 0xff);
        z0 ^= table[at];
        z1 ^= table[at + 1];
        z2 ^= table[at + 2];
        z3 ^= table[at + 3];
      }
    }
    y[0] = z0;
    y[1] = z1;
    y[2] = z2;
    y[3] = z3;
  }

  /** GHASH over `bytes`, the last block padded with zeros. */
  #ghashBytes(bytes: Uint8Array): void {
    const whole = bytes.length & ~(BLOCK - 1);
    for (let at = 0; at < whole; at += BLOCK) {
      this.#ghash(
        readWord(bytes, at),
        readWord(bytes, at + 4),
        readWord(bytes, at + 8),
        readWord(bytes, at + 12),
      );
    }
    if (whole < bytes.length) {
      const last = new Uint8Array(BLOCK);
      last.set(bytes.subarray(whole));
      this.#ghash(readWord(last, 0), readWord(last, 4), readWord(last, 8), readWord(last, 12));
    }
  }

  /**
   * Opens `ciphertext` sealed with this key, the 12-byte `nonce` and `aad`: the plaintext, or
   * null when `tag` does not authenticate them (a damaged packet, or the wrong keys).
   */
  open(
    nonce: Uint8Array,
    aad: Uint8Array,
    ciphertext: Uint8Array,
    tag: Uint8Array,
  ): Uint8Array | null {
    if (nonce.length !== NONCE_LENGTH || tag.length !== GCM_TAG_LENGTH) return null;
    const y = this.#y;
    y.fill(0);
    this.#ghashBytes(aad);
    this.#ghashBytes(ciphertext);
    const aadBits = aad.length * 8;
    const textBits = ciphertext.length * 8;
    this.#ghash(
      Math.floor(aadBits / 2 ** 32),
      aadBits >>> 0,
      Math.floor(textBits / 2 ** 32),
      textBits >>> 0,
    );
    // The tag is AES(K, J0) ⊕ GHASH, J0 = nonce || 1 (section 7.1, a 96-bit IV).
    const aes = this.#aes;
    const n0 = readWord(nonce, 0);
    const n1 = readWord(nonce, 4);
    const n2 = readWord(nonce, 8);
    aes.encryptWords(n0, n1, n2, 1);
    let difference = 0;
    for (let w = 0; w < 4; w++) difference |= (aes.words[w] ^ y[w]) ^ readWord(tag, 4 * w);
    if (difference !== 0) return null;
    // Counter mode from J0 + 1 (inc32 never wraps: a QUIC packet is far below 2^32 blocks).
    const plain = new Uint8Array(ciphertext.length);
    const stream = aes.words;
    for (let at = 0, counter = 2; at < ciphertext.length; at += BLOCK, counter++) {
      aes.encryptWords(n0, n1, n2, counter);
      const end = Math.min(at + BLOCK, ciphertext.length);
      for (let i = at; i < end; i++) {
        const offset = i - at;
        plain[i] = ciphertext[i] ^ (stream[offset >> 2] >>> (8 * (3 - (offset & 3))));
      }
    }
    return plain;
  }
}
