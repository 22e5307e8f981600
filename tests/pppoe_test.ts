/**
 * PPPoE and PPP against tcpdump and tshark: tcpdump's captures (a PADI, LCP echo requests) and
 * a built one (the discovery stages with text and binary tags, IPv4 with and without protocol
 * compression, IPv6, every LCP code, IPCP, CHAP and PAP with their values, lengths that claim
 * more than the frame). The text (default and `-e`) begins with tcpdump's; PPPoE's and PPP's
 * fields, and the IPv4 header inside, equal tshark's. No PPPoE server runs here (no pppd), so
 * nothing is made live.
 *
 * tests/fixtures/protocols/pppoe.pcap is the built capture, for the tests that read every
 * fixture.
 */

import assert from "node:assert/strict";
import {
  IPV4_FIELDS,
  type Ipv4Header,
  type Packet,
  PPP_FIELDS,
  type PppFrame,
  PPPOE_FIELDS,
  type PppoeHeader,
} from "../src/decode/mod.ts";
import { pcapRecords } from "../scripts/make_fixtures.ts";
import {
  concat,
  ethernet,
  icmpEcho,
  ip6,
  ipv4,
  u16,
  u32,
  udp6,
} from "../scripts/packet_builder.ts";
import { compareFields, compareText, type FieldCheck, withBuiltCapture } from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const PPPOE_CHECK: FieldCheck<PppoeHeader> = {
  fields: PPPOE_FIELDS,
  layer: (packet) => packet.pppoe,
};
/** tshark reads no address and control field in PPPoE (RFC 2516 leaves it out); tcpdump does. */
const withAddressControl = (packet: Packet) => packet.ppp?.hasAddressControl === true;
const PPP_CHECK: FieldCheck<PppFrame> = {
  fields: PPP_FIELDS,
  layer: (packet) => packet.ppp,
  skip: withAddressControl,
};
const IPV4_CHECK: FieldCheck<Ipv4Header> = {
  fields: IPV4_FIELDS,
  layer: (packet) => packet.pppoe !== undefined ? packet.ipv4 : undefined,
  // tshark files IPv6's version under ip.version too.
  skip: (packet) => withAddressControl(packet) || packet.ipv6 !== undefined,
  // tshark verifies IPv4 checksums only when asked; netpeek always does.
  tsharkArgs: ["-o", "ip.check_checksum:TRUE"],
};

const CLIENT = "02:00:00:00:00:01";
const SERVER = "02:00:00:00:00:02";
const text = (words: string) => [...new TextEncoder().encode(words)];

function pppoe(type: number, code: number, session: number, payload: number[], length?: number) {
  const header = [0x11, code, ...u16(session), ...u16(length ?? payload.length)];
  return ethernet(SERVER, CLIENT, type, new Uint8Array([...header, ...payload]));
}
const tag = (type: number, value: number[]) => [...u16(type), ...u16(value.length), ...value];
const session = (payload: number[], length?: number) => pppoe(0x8864, 0, 0x2a, payload, length);
/** A control, CHAP or PAP message: code, identifier, length, data. */
const message = (protocol: number, code: number, id: number, data: number[]) => [
  ...u16(protocol),
  code,
  id,
  ...u16(4 + data.length),
  ...data,
];

function frames(): Uint8Array[] {
  const ping = [
    ...ipv4({
      src: "192.0.2.1",
      dst: "198.51.100.2",
      protocol: 1,
      payload: icmpEcho(8, 7, 1, new Uint8Array(8)),
    }),
  ];
  const payload6 = udp6("2001:db8::1", "2001:db8::2", 40000, 9, new Uint8Array(4));
  const ipv6 = [
    ...concat(
      [0x60, 0, 0, 0],
      u16(payload6.length),
      [17, 64],
      ip6("2001:db8::1"),
      ip6("2001:db8::2"),
      payload6,
    ),
  ];
  const cookie = [0x9e, 0x01, 0xff, 0x00, 0x13, 0x37];
  return [
    pppoe(0x8863, 0x09, 0, [...tag(0x0101, []), ...tag(0x0103, [1, 2, 3, 4])]),
    pppoe(0x8863, 0x07, 0, [
      ...tag(0x0102, text("bras-01.example")),
      ...tag(0x0101, text("internet")),
      ...tag(0x0104, cookie),
      ...tag(0x0000, []),
    ]),
    pppoe(0x8863, 0x19, 0, [...tag(0x0101, text("internet")), ...tag(0x0104, cookie)]),
    pppoe(0x8863, 0x65, 0x2a, [...tag(0x0101, text("internet"))]),
    pppoe(0x8863, 0xa7, 0x2a, [...tag(0x0203, text("session closed"))]),
    session([...u16(0x0021), ...ping]),
    session([0x21, ...ping]),
    session([0xff, 0x03, ...u16(0x0021), ...ping]),
    session([...u16(0x0057), ...ipv6]),
    ...Array.from(
      { length: 16 },
      (_, i) => session(message(0xc021, i + 1, i, [...u32(0x11223344)])),
    ),
    session(message(0x8021, 1, 3, [3, 6, 0, 0, 0, 0])),
    session(message(0x8057, 2, 4, [1, 10, 0, 0, 0, 0, 0, 0, 0, 1])),
    session(message(0xc223, 1, 5, [4, 0xde, 0xad, 0xbe, 0xef, ...text("bras-01")])),
    session(message(0xc223, 2, 5, [2, 0x12, 0x34, ...text("user@example.test")])),
    session(message(0xc223, 3, 5, text("Welcome"))),
    session(message(0xc223, 4, 6, [...text("bad"), 0x07, 0xc8])),
    session(message(0xc023, 1, 8, [4, ...text("user"), 6, ...text("secret")])),
    session(message(0xc023, 2, 8, [2, ...text("ok")])),
    session(message(0xc023, 3, 9, [0])),
    session([...u16(0x00fd), 1, 2, 3]),
    // A payload length beyond the frame: tcpdump says so and keeps to the frame.
    session([...u16(0x0021), ...ping], 900),
  ];
}

Deno.test("PPPoE in tcpdump's captures: lines as tcpdump's (default, -e), fields as tshark's", async () => {
  for (const name of ["pppoe.pcap", "pppoes.pcap"]) {
    const path = new URL(name, CORPUS).pathname;
    const lines = await compareText(path, () => true) + await compareText(path, () => true, ["-e"]);
    assert.ok(lines >= 2, `${name}: ${lines}`);
    assert.ok(await compareFields(path, PPPOE_CHECK) >= 1);
  }
  assert.equal(await compareFields(new URL("pppoes.pcap", CORPUS).pathname, PPP_CHECK), 2);
});

Deno.test("PPPoE, built: discovery, IP inside, LCP, IPCP, CHAP and PAP as tcpdump and tshark read them", async () => {
  const built = frames();
  await withBuiltCapture(built, "pppoe.pcap", async (path) => {
    assert.equal(await compareText(path, () => true), built.length);
    assert.equal(await compareText(path, () => true, ["-e"]), built.length);
    assert.equal(await compareFields(path, PPPOE_CHECK), built.length);
    assert.equal(await compareFields(path, PPP_CHECK), built.length - 6);
    assert.equal(await compareFields(path, IPV4_CHECK), 3);
    const json = (await runNetpeek(["--json", "-r", path])).stdout.trimEnd().split("\n")
      .map((line) => JSON.parse(line));
    assert.deepEqual(json[1].pppoe.tags.map((t: { type: number }) => t.type), [
      0x0102,
      0x0101,
      0x0104,
      0,
    ]);
    assert.equal(json[1].pppoe.tags[2].value, "9e01ff001337");
    assert.deepEqual(json[5].ppp, { protocol: 0x21 });
    assert.equal(json[5].ipv4.dst, "198.51.100.2");
    assert.deepEqual(json[9].ppp, { protocol: 0xc021, code: 1, identifier: 0, length: 8 });
  });
});

Deno.test("PPPoE cut short: decoded as far as it goes, marked", async () => {
  const whole = frames()[5];
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(
      path,
      pcapRecords(
        1,
        [17, 21, 23].map((length, i) => ({
          seconds: i,
          fraction: 0,
          frame: whole.subarray(0, length),
        })),
      ),
    );
    const lines = (await runNetpeek(["-r", path])).stdout.trimEnd().split("\n");
    assert.match(lines[0], /\[\|pppoe: truncated: 3 of 6 header bytes captured at offset 14\]$/);
    // The frame ends before the payload length: tcpdump's "[len 38 > 1!]", then the note.
    assert.match(
      lines[1],
      /^\S+ PPPoE {2}\[len 38 > 1!\] \[ses 0x2a\] +\[\|ppp: truncated: 1 of 2 /,
    );
    assert.match(
      lines[2],
      /^\S+ PPPoE {2}\[len 38 > 3!\] \[ses 0x2a\] IP {2}\[\|ipv4: truncated: 1 of 20 /,
    );
  } finally {
    await Deno.remove(path);
  }
});
