/**
 * tcpdump's words where an IPv6 extension header or a UDP header does not add up, on built
 * captures of each case (the fuzzed captures of tcpdump's own tests hold a few of them):
 *
 * - hop-by-hop options that run past their header, or a router alert or jumbo option of the
 *   wrong length: `HBH (rtalert: invalid len 3) [|hbhopt]`, and the line ends (a destination
 *   header's options are read only with `-v`: `DSTOPT (padn) [|dstopt]`);
 * - a transport header cut short after extension headers: the hosts, the headers, then the
 *   ports (`HBH 1000 > 2000:` and netpeek's note), or TCP's hosts again when even its ports
 *   were not captured;
 * - a UDP length field shorter than UDP's header (`truncated-udplength 5`), or longer than the
 *   IP packet holds (`UDP, bad length 3056 > 3`, not for a fragment);
 * - a payload length of 0 with no Jumbo Payload option after it (RFC 2675): `HBH [No valid
 *   Jumbo Payload Hop-by-Hop option found] (invalid)`.
 */

import assert from "node:assert/strict";
import { concat, ip4, ip6, u16, u32 } from "../scripts/packet_builder.ts";
import {
  type BuiltRecord,
  compareText,
  compareTextWithNotes,
  output,
  withRecords,
} from "./protocol_check.ts";

const LINKTYPE_RAW = 101;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_HOP_BY_HOP = 0;
const IPPROTO_DESTINATION = 60;

/** An IPv6 packet from 2001:db8::1 to 2001:db8::2. */
function packet6(next: number, payload: Uint8Array): Uint8Array {
  return concat(
    [0x60, 0, 0, 0],
    u16(payload.length),
    [next, 64],
    ip6("2001:db8::1"),
    ip6("2001:db8::2"),
    payload,
  );
}

/** An IPv4 packet from 192.0.2.1 to 192.0.2.2 (header checksum left 0). */
function packet4(protocol: number, payload: Uint8Array, flags = 0): Uint8Array {
  return concat(
    [0x45, 0],
    u16(20 + payload.length),
    [0, 1],
    u16(flags),
    [64, protocol, 0, 0],
    ip4("192.0.2.1"),
    ip4("192.0.2.2"),
    payload,
  );
}

/** A UDP header with the length field given, and `data`. */
function udpWithLength(length: number, data: number[]): Uint8Array {
  return concat(u16(1000), u16(2000), u16(length), [0, 0], data);
}

const UDP = udpWithLength(12, [0x61, 0x62, 0x63, 0x64]);
const TCP = concat(u16(1000), u16(80), u32(1), u32(0), [0x50, 0x02], u16(1000), [0, 0, 0, 0]);

/** An eight-byte hop-by-hop or destination header: next header, length 0, six bytes of options. */
function optionsHeader(next: number, options: number[]): number[] {
  return [next, 0, ...options];
}

/** Options lists tcpdump stops at, and some it reads through. */
const OPTIONS: number[][] = [
  [0x30, 0x30, 0, 0, 0, 0], // runs past the header
  [5, 3, 0, 0, 0, 0], // router alert of length 3
  [5, 1, 0, 1, 0, 0], // router alert of length 1
  [0xc2, 3, 0, 0, 0, 0], // jumbo of length 3
  [1, 2, 0, 0, 5, 0], // PadN, then a router alert cut by the header's end
  [1, 3, 0, 0, 0, 0x1e], // PadN, then an option type in the last byte
  [5, 2, 0, 0, 1, 0], // router alert and PadN: fine
  [0, 0, 0, 0, 1, 0], // Pad1s and PadN: fine
];

function frames(): BuiltRecord[] {
  const list: BuiltRecord[] = [];
  for (const header of [IPPROTO_HOP_BY_HOP, IPPROTO_DESTINATION]) {
    for (const options of OPTIONS) {
      list.push({ frame: packet6(header, concat(optionsHeader(IPPROTO_UDP, options), UDP)) });
    }
  }
  const pad = [1, 4, 0, 0, 0, 0];
  for (const length of [3064, 5, 0]) {
    const udp = udpWithLength(length, [0x61, 0x62, 0x63]);
    list.push({ frame: packet6(IPPROTO_UDP, udp) });
    list.push({
      frame: packet6(IPPROTO_DESTINATION, concat(optionsHeader(IPPROTO_UDP, pad), udp)),
    });
    list.push({ frame: packet4(IPPROTO_UDP, udp) });
  }
  // A first IPv4 fragment: its length field counts the whole datagram.
  list.push({ frame: packet4(IPPROTO_UDP, udpWithLength(3008, [0x61, 0x62, 0x63]), 0x2000) });
  // An IPv6 first fragment, the same.
  list.push({
    frame: packet6(
      IPPROTO_FRAGMENT,
      concat([IPPROTO_UDP, 0, 0, 1, 0, 0, 0, 7], udpWithLength(3008, [0x61, 0x62, 0x63])),
    ),
  });
  // A payload length of 0 before a hop-by-hop header with no Jumbo Payload option.
  const noJumbo = packet6(IPPROTO_HOP_BY_HOP, concat(optionsHeader(IPPROTO_UDP, pad), UDP));
  noJumbo.set([0, 0], 4);
  list.push({ frame: noJumbo });
  // Transport headers cut short after each kind of extension header.
  for (
    const [next, header] of [
      [IPPROTO_HOP_BY_HOP, optionsHeader(0, pad)],
      [IPPROTO_DESTINATION, optionsHeader(0, pad)],
      [IPPROTO_FRAGMENT, [0, 0, 0, 1, 0, 0, 0, 7]],
    ] as [number, number[]][]
  ) {
    for (const [protocol, transport] of [[IPPROTO_UDP, UDP], [IPPROTO_TCP, TCP]] as const) {
      const whole = packet6(next, concat([protocol, ...header.slice(1)], transport));
      for (const cut of [1, 2, 4, 6, 7, 12]) {
        list.push({ frame: whole.subarray(0, 48 + cut), wireLength: whole.length });
      }
    }
  }
  return list;
}

Deno.test("malformed IPv6 options, UDP lengths and transport headers cut after extension headers: tcpdump's words", async () => {
  await withRecords(LINKTYPE_RAW, frames(), async (path) => {
    for (const flags of [[], ["-q"], ["-v"], ["-vv"]]) {
      const marks = await compareTextWithNotes(path, flags);
      // Guard: the cases tcpdump marks.
      for (const mark of ["hbhopt", "udp", "tcp"]) assert.ok(marks.has(mark), `${flags} ${mark}`);
      if (flags.includes("-v")) assert.ok(marks.has("dstopt"));
    }
    const theirs = await output("tcpdump", ["-n", "-r", path]);
    for (
      const words of [
        "HBH (rtalert: invalid len 3) [|hbhopt]",
        "HBH (jumbo: invalid len 3) [|hbhopt]",
        "HBH  [|hbhopt]",
        "DSTOPT 1000 > 2000: UDP, length 4",
        "2001:db8::2.2000: UDP, bad length 3056 > 3",
        "DSTOPT 1000 > 2000: truncated-udplength 5",
        "192.0.2.2.2000: truncated-udplength 0",
        "192.0.2.2.2000: UDP, length 3000",
        "HBH 1000 > 2000:  [|udp]",
        "frag (0|20) 2001:db8::1 > 2001:db8::2: [|tcp]",
        "2001:db8::2: HBH [No valid Jumbo Payload Hop-by-Hop option found] (invalid)\n",
      ]
    ) assert.ok(theirs.includes(words), `${words} not in\n${theirs}`);
    // And without notes, every line as tcpdump's (the -v lines end where tcpdump's do).
    const verbose = await output("tcpdump", ["-n", "-v", "-r", path]);
    assert.match(verbose, /DSTOPT \(padn\) \[\|dstopt\]\n/);
    assert.ok(await compareText(path, (text) => !/\[\|[a-z0-9]+\]$/.test(text), ["-v"]) > 20);
  });
});
