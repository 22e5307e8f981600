/**
 * The byte writer the formatters print through, against independent references: numbers
 * against `String` and `toString(16)`, IPv6 text against the WHATWG URL parser (which
 * serialises addresses the RFC 5952 way) and RFC 5952's own examples.
 */

import assert from "node:assert/strict";
import { ByteWriter, encodePieces } from "../src/output/bytes.ts";
import { random } from "../scripts/packet_builder.ts";

function written(write: (out: ByteWriter) => void, size = 4): string {
  const out = new ByteWriter(size);
  write(out);
  return out.toString();
}

Deno.test("uint writes what String writes, at every magnitude and at the edges", () => {
  const next = random(7);
  const values = [
    0,
    9,
    10,
    99,
    100,
    65535,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 53,
    -1,
    -(2 ** 31),
    1.5,
    Number.NaN,
    Infinity,
  ];
  for (let i = 0; i < 20000; i++) values.push(Math.floor(next() * 2 ** (1 + (i % 53))));
  for (const value of values) assert.equal(written((out) => out.uint(value)), String(value));
});

Deno.test("padded and hex write what padStart and toString(16) write", () => {
  const next = random(11);
  for (let i = 0; i < 20000; i++) {
    const value = Math.floor(next() * 2 ** (1 + (i % 32)));
    const width = i % 10;
    assert.equal(
      written((out) => out.padded(value, width)),
      String(value).padStart(width, "0"),
    );
    assert.equal(
      written((out) => out.hex(value, width)),
      value.toString(16).padStart(width, "0"),
    );
  }
  for (const value of [2 ** 32, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER]) {
    assert.equal(written((out) => out.hex(value, 3)), value.toString(16));
  }
});

Deno.test("ipv4 writes the dotted quad of each octet", () => {
  const next = random(13);
  for (let i = 0; i < 5000; i++) {
    const octets = [0, 0, 0, 0].map(() => Math.floor(next() * 256));
    const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    assert.equal(written((out) => out.ipv4(address)), octets.join("."));
  }
});

Deno.test("mac writes each byte as two lower-case hex digits, colon-separated", () => {
  const next = random(17);
  const bytes = new Uint8Array(7);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 2000; i++) {
    for (let j = 0; j < bytes.length; j++) bytes[j] = i < 256 ? (i + j) & 0xff : next() * 256;
    const expected = [...bytes.subarray(1)].map((b) => b.toString(16).padStart(2, "0")).join(":");
    assert.equal(written((out) => out.mac(view, 1)), expected);
  }
});

function ipv6Text(groups: number[]): string {
  const bytes = new Uint8Array(18);
  const view = new DataView(bytes.buffer);
  groups.forEach((group, i) => view.setUint16(2 + 2 * i, group));
  return written((out) => out.ipv6(view, 2));
}

Deno.test("ipv6 writes RFC 5952 text, as the URL parser does", () => {
  const next = random(17);
  for (let i = 0; i < 5000; i++) {
    // Mostly zero groups, so that runs of every length and position come up.
    const groups = Array.from(
      { length: 8 },
      () => next() < 0.5 ? 0 : Math.floor(next() * (next() < 0.5 ? 16 : 65536)),
    );
    if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) continue;
    const hex = groups.map((group) => group.toString(16)).join(":");
    const reference = new URL(`http://[${hex}]/`).hostname.slice(1, -1);
    assert.equal(ipv6Text(groups), reference, hex);
  }
});

Deno.test("ipv6 follows RFC 5952's examples, IPv4-mapped addresses included", () => {
  // RFC 5952 sections 4.2.1-4.2.3, 4.3 and 5.
  assert.equal(ipv6Text([0x2001, 0xdb8, 0, 0, 0, 0, 2, 1]), "2001:db8::2:1");
  assert.equal(ipv6Text([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), "2001:db8:0:1:1:1:1:1");
  assert.equal(ipv6Text([0x2001, 0, 0, 1, 0, 0, 0, 1]), "2001:0:0:1::1");
  assert.equal(ipv6Text([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), "2001:db8::1:0:0:1");
  assert.equal(
    ipv6Text([0x2001, 0xdb8, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, 0xaaaa]),
    "2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa",
  );
  assert.equal(ipv6Text([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0280]), "::ffff:192.0.2.128");
  assert.equal(ipv6Text([0, 0, 0, 0, 0, 0, 0, 0]), "::");
  assert.equal(ipv6Text([0, 0, 0, 0, 0, 0, 0, 1]), "::1");
  assert.equal(ipv6Text([1, 0, 0, 0, 0, 0, 0, 0]), "1::");
});

Deno.test("text, raw pieces and bytes grow the buffer as needed, non-ASCII as UTF-8", () => {
  const piece = encodePieces({ long: "x".repeat(100), short: ", seq " });
  const text = written((out) => {
    out.text("héllo ✓ ");
    out.piece(piece.short);
    out.piece(piece.long);
    out.raw(piece.short.bytes);
    for (let i = 0; i < 1000; i++) out.byte(0x41);
  }, 1);
  assert.equal(text, "héllo ✓ , seq " + "x".repeat(100) + ", seq " + "A".repeat(1000));
});

Deno.test("pieces of any text and length come out as written, between other writes", () => {
  const next = random(17);
  const alphabet = ["a", "{", '"', "é", "✓", "\u{1f600}", "\u07ff", "\u{10ffff}", "\u0000", "~"];
  for (let round = 0; round < 300; round++) {
    const texts = Array.from(
      { length: 1 + Math.floor(next() * 6) },
      () =>
        Array.from(
          { length: Math.floor(next() * 40) },
          () => alphabet[Math.floor(next() * alphabet.length)],
        ).join(""),
    );
    const pieces = encodePieces(Object.fromEntries(texts.map((text, i) => [`p${i}`, text])));
    const expected = texts.map((text, i) => `${text}${i}`).join("");
    const text = written((out) => {
      texts.forEach((_, i) => {
        out.piece(pieces[`p${i}` as keyof typeof pieces]);
        out.uint(i); // lands just past the piece, over its padding
      });
    }, 1 + Math.floor(next() * 64));
    assert.equal(text, expected);
  }
});

Deno.test("field writes what piece then uint write, for pieces of any length and every magnitude", () => {
  const next = random(23);
  const values = [0, 9, 10, 999, 1000, 999999, 1000000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
  values.push(2 ** 32, 2 ** 53, -1, 1.5, Number.NaN, Infinity);
  for (let i = 0; i < 2000; i++) values.push(Math.floor(next() * 2 ** (1 + (i % 40))));
  const texts = ["", "a", ',"seq":', '","caplen":', ',"analysis":{"relativeSeq":', "é✓".repeat(9)];
  const pieces = encodePieces(Object.fromEntries(texts.map((text, i) => [`p${i}`, text])));
  let fields = 0;
  for (const value of values) {
    texts.forEach((text, i) => {
      const piece = pieces[`p${i}` as keyof typeof pieces];
      // A buffer sized so that some writes must grow it first.
      const size = 1 + Math.floor(next() * 48);
      const expected = written((out) => {
        out.piece(piece);
        out.uint(value);
      }, size);
      assert.equal(expected, `${text}${value}`); // the reference itself, as String writes it
      assert.equal(written((out) => out.field(piece, value), size), expected);
      fields++;
    });
  }
  assert.equal(fields, values.length * texts.length); // not vacuous
});
