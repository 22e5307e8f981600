/**
 * The cryptography that opens a QUIC client Initial (src/decode/sha256.ts, aes_gcm.ts),
 * against published vectors (FIPS 180-4, RFC 4231, FIPS 197, the GCM specification's test
 * cases, RFC 9001 appendix A) and against `node:crypto` (OpenSSL) on random inputs.
 */

import assert from "node:assert/strict";
import * as nodeCrypto from "node:crypto";
import { Aes128, Aes128Gcm } from "../src/decode/aes_gcm.ts";
import { hmacSha256, sha256 } from "../src/decode/sha256.ts";
import { quicInitialKeys } from "../src/decode/quic.ts";

const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
const text = (bytes: Uint8Array) =>
  Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
const ascii = (value: string) => new TextEncoder().encode(value);

Deno.test("SHA-256 and HMAC-SHA256: FIPS 180-4's and RFC 4231's vectors", () => {
  assert.equal(
    text(sha256(ascii("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    text(sha256(new Uint8Array())),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  // Two blocks: the padding spills into a second one.
  assert.equal(
    text(sha256(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  assert.equal(
    text(hmacSha256(new Uint8Array(20).fill(0x0b), ascii("Hi There"))),
    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
  );
  assert.equal(
    text(hmacSha256(ascii("Jefe"), ascii("what do ya want for nothing?"))),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
});

Deno.test("AES-128 and AES-128-GCM: FIPS 197's and the GCM specification's vectors", () => {
  const block = hex("00112233445566778899aabbccddeeff");
  new Aes128(hex("000102030405060708090a0b0c0d0e0f")).encryptBlock(block, 0, block, 0);
  assert.equal(text(block), "69c4e0d86a7b0430d8cdb78070b4c55a");
  // Test case 2: one block of zeros under the zero key and IV.
  const zero = new Aes128Gcm(new Uint8Array(16));
  const opened = zero.open(
    new Uint8Array(12),
    new Uint8Array(),
    hex("0388dace60b6a392f328c2b971b2fe78"),
    hex("ab6e47d42cec13bdf53a67b21257bddf"),
  );
  assert.deepEqual(opened, new Uint8Array(16));
  // Test case 4: additional data and a last block of 12 bytes.
  const gcm = new Aes128Gcm(hex("feffe9928665731c6d6a8f9467308308"));
  const nonce = hex("cafebabefacedbaddecaf888");
  const aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const sealed = hex(
    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e" +
      "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
  );
  const tag = hex("5bc94fbc3221a5db94fae95ae7121a47");
  assert.equal(
    text(gcm.open(nonce, aad, sealed, tag) ?? new Uint8Array()),
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" +
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
  );
  // A changed bit anywhere fails authentication: nothing is returned.
  const damaged = sealed.slice();
  damaged[59] ^= 1;
  assert.equal(gcm.open(nonce, aad, damaged, tag), null);
  assert.equal(gcm.open(nonce, aad.subarray(1), sealed, tag), null);
});

Deno.test("RFC 9001 appendix A: the client Initial's keys and header protection mask", () => {
  const keys = quicInitialKeys(hex("8394c8f03e515708"), 1)!;
  assert.deepEqual([text(keys.key), text(keys.iv), text(keys.hp)], [
    "1f369613dd76d5467730efcbe3b1a22d",
    "fa044b2f42a3fd3b46fb255c",
    "9f50449e04a0e810283a1e9933adedd2",
  ]);
  const mask = hex("d1b1c98dd7689fb8ec11d242b123dc9b"); // A.2's sample
  new Aes128(keys.hp).encryptBlock(mask, 0, mask, 0);
  assert.equal(text(mask.subarray(0, 5)), "437b9aec36");
});

Deno.test("SHA-256, HMAC, AES and AES-GCM equal node:crypto's on random inputs", () => {
  for (let round = 0; round < 200; round++) {
    const data = new Uint8Array(nodeCrypto.randomBytes((round * 37) % 1500));
    const key = new Uint8Array(nodeCrypto.randomBytes(round % 130));
    const context = `round ${round}, ${data.length} bytes, key ${text(key)}`;
    assert.equal(
      text(sha256(data)),
      nodeCrypto.createHash("sha256").update(data).digest("hex"),
      context,
    );
    assert.equal(
      text(hmacSha256(key, data)),
      nodeCrypto.createHmac("sha256", key).update(data).digest("hex"),
      context,
    );
    const aesKey = new Uint8Array(nodeCrypto.randomBytes(16));
    const nonce = new Uint8Array(nodeCrypto.randomBytes(12));
    const aad = new Uint8Array(nodeCrypto.randomBytes(round % 64));
    const block = data.slice(0, 16);
    if (block.length === 16) {
      const ecb = nodeCrypto.createCipheriv("aes-128-ecb", aesKey, null);
      ecb.setAutoPadding(false);
      const expected = text(ecb.update(block));
      new Aes128(aesKey).encryptBlock(block, 0, block, 0);
      assert.equal(text(block), expected, context);
    }
    const cipher = nodeCrypto.createCipheriv("aes-128-gcm", aesKey, nonce);
    cipher.setAAD(aad);
    const sealed = new Uint8Array([...cipher.update(data), ...cipher.final()]);
    const tag = new Uint8Array(cipher.getAuthTag());
    const gcm = new Aes128Gcm(aesKey);
    assert.equal(text(gcm.open(nonce, aad, sealed, tag) ?? ascii("refused")), text(data), context);
    tag[round % 16] ^= 1 << (round % 8);
    assert.equal(gcm.open(nonce, aad, sealed, tag), null, context);
  }
});
