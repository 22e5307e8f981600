/**
 * ARP beyond Ethernet/IPv4, and the EtherTypes tcpdump names without decoding, on built
 * captures of each case (the fuzzed captures of tcpdump's own tests hold many of them) and on
 * tcpdump's `arp-oobr.pcap` and `arp-too-long-tha.pcap`:
 *
 * - an ARP packet whose protocol is not IPv4 with 4-byte addresses, or that has no hardware
 *   length, gets its address types and length only (`ARP, Unknown Hardware (37) (len 6),
 *   Unknown Protocol (0x0000) (len 4), length 46`); other hardware lengths are written as
 *   tcpdump writes them (`who-has 192.0.2.1 (01:02:…:0e) tell 192.0.2.2`), with `-v` the types
 *   before every operation, `<wrong len>` for an address it cannot read; a packet not captured
 *   whole gets tcpdump's mark alone (netpeek's note says how much was captured), and so does
 *   ATM's ARP (RFC 2225) cut short by its own layout (in `arp-oobr.pcap`). Left out: a whole ATM
 *   ARP packet and Frame Relay's DLCIs, which tcpdump reads by their own formats; netpeek writes
 *   their bytes;
 * - a frame of an EtherType tcpdump names but does not decode (`ethertype LAT (0x6004)`) is
 *   printed as one of an unknown type, with the name; FCoE's 0x8906 is unnamed in tcpdump 4.99.
 */

import assert from "node:assert/strict";
import { concat, ip4, mac, u16 } from "../scripts/packet_builder.ts";
import { type BuiltRecord, compareTextWithNotes, output, withRecords } from "./protocol_check.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const LINKTYPE_ETHERNET = 1;
const ETHERTYPE_ARP = 0x0806;

/** An Ethernet frame from 02:00:5e:00:53:01, padded to 60 bytes as a card sends it. */
function frame(type: number, payload: Uint8Array | number[]): Uint8Array {
  const bytes = concat(mac("ff:ff:ff:ff:ff:ff"), mac("02:00:5e:00:53:01"), u16(type), payload);
  return bytes.length >= 60 ? bytes : concat(bytes, new Uint8Array(60 - bytes.length));
}

/** An ARP packet: hardware and protocol types, operation, and the four addresses. */
function arp(
  hardware: number,
  protocol: number,
  operation: number,
  addresses: { sha: number[]; spa: number[]; tha: number[]; tpa: number[] },
): number[] {
  const { sha, spa, tha, tpa } = addresses;
  return [
    ...u16(hardware),
    ...u16(protocol),
    sha.length,
    spa.length,
    ...u16(operation),
    ...sha,
    ...spa,
    ...tha,
    ...tpa,
  ];
}

const SENDER = ip4("192.0.2.2");
const TARGET = ip4("192.0.2.1");
const LONG_HARDWARE = Array.from({ length: 14 }, (_, i) => i + 1);
const ZERO_HARDWARE = new Array(14).fill(0);

function arpFrames(): BuiltRecord[] {
  const cases: number[][] = [
    // Ethernet/IPv4 with a hardware type other than Ethernet's: tcpdump reads it all the same.
    arp(6, 0x0800, 1, {
      sha: mac("02:00:5e:00:53:01"),
      spa: SENDER,
      tha: [0, 0, 0, 0, 0, 0],
      tpa: TARGET,
    }),
    // 14-byte hardware addresses: a request with the target's filled in, a reply.
    arp(1, 0x0800, 1, { sha: LONG_HARDWARE, spa: SENDER, tha: LONG_HARDWARE, tpa: TARGET }),
    arp(1, 0x0800, 1, { sha: LONG_HARDWARE, spa: SENDER, tha: ZERO_HARDWARE, tpa: TARGET }),
    arp(1, 0x0800, 2, { sha: LONG_HARDWARE, spa: SENDER, tha: LONG_HARDWARE, tpa: TARGET }),
    // RARP and Inverse ARP with 8-byte hardware addresses.
    arp(1, 0x0800, 3, {
      sha: LONG_HARDWARE.slice(0, 8),
      spa: SENDER,
      tha: LONG_HARDWARE.slice(6),
      tpa: TARGET,
    }),
    arp(1, 0x0800, 4, {
      sha: LONG_HARDWARE.slice(0, 8),
      spa: SENDER,
      tha: LONG_HARDWARE.slice(6),
      tpa: TARGET,
    }),
    arp(1, 0x0800, 9, { sha: [1, 2], spa: SENDER, tha: [3, 4], tpa: TARGET }),
    // Not IPv4, or not 4-byte protocol addresses, or no hardware address.
    arp(37, 0x0000, 1, {
      sha: mac("02:00:5e:00:53:01"),
      spa: SENDER,
      tha: mac("02:00:5e:00:53:02"),
      tpa: TARGET,
    }),
    arp(1, 0x86dd, 1, {
      sha: mac("02:00:5e:00:53:01"),
      spa: [1, 2, 3, 4, 5, 6],
      tha: [0, 0, 0, 0, 0, 0],
      tpa: [1, 2, 3, 4, 5, 7],
    }),
    arp(1, 0x0800, 1, { sha: [], spa: SENDER, tha: [], tpa: TARGET }),
    arp(1, 0x0800, 1, {
      sha: mac("02:00:5e:00:53:01"),
      spa: [1, 2, 3, 4, 5, 6],
      tha: [0, 0, 0, 0, 0, 0],
      tpa: [1, 2, 3, 4, 5, 7],
    }),
    // The Trailer encapsulation's type, which tcpdump reads as IPv4.
    arp(1, 0x1000, 1, {
      sha: mac("02:00:5e:00:53:01"),
      spa: SENDER,
      tha: [0, 0, 0, 0, 0, 0],
      tpa: TARGET,
    }),
    // An operation tcpdump has no words for.
    arp(1, 0x0800, 10, {
      sha: mac("02:00:5e:00:53:01"),
      spa: SENDER,
      tha: [0, 0, 0, 0, 0, 0],
      tpa: TARGET,
    }),
  ];
  const frames: BuiltRecord[] = cases.map((payload) => ({
    frame: frame(ETHERTYPE_ARP, payload),
  }));
  // Addresses longer than the frame holds: not captured whole.
  const long = arp(1, 0x0800, 1, {
    sha: new Array(100).fill(1),
    spa: SENDER,
    tha: new Array(100).fill(2),
    tpa: TARGET,
  });
  frames.push({ frame: frame(ETHERTYPE_ARP, long).subarray(0, 60), wireLength: 60 });
  return frames;
}

/**
 * tcpdump's named EtherTypes it does not decode, two it has no name for, and FCoE's: listed here
 * as read from tcpdump, apart from the decoder's table, so that a change to either shows.
 */
const UNDECODED_TYPES = [
  0x0600,
  0x1000,
  0x6001,
  0x6002,
  0x6004,
  0x6007,
  0x6558,
  0x8038,
  0x803c,
  0x803e,
  0x805b,
  0x805c,
  0x893a,
  0x1234,
  0x8906,
];

const FLAG_SETS = [[], ["-v"], ["-e"], ["-q"], ["-x"], ["-e", "-v"]];

Deno.test("ARP of other address kinds and lengths: tcpdump's words, as print-arp.c writes them", async () => {
  await withRecords(LINKTYPE_ETHERNET, arpFrames(), async (path) => {
    // (Not -x: after a packet cut short, tcpdump dumps the whole frame, link header included.)
    for (const flags of FLAG_SETS.filter((set) => !set.includes("-x"))) {
      const marks = await compareTextWithNotes(path, flags);
      assert.equal(marks.get("arp"), 1, flags.join(" "));
    }
    // Guard: the cases tcpdump words apart.
    const theirs = await output("tcpdump", ["-n", "-r", path]);
    const verbose = await output("tcpdump", ["-n", "-v", "-r", path]);
    for (
      const words of [
        "ARP, Request who-has 192.0.2.1 tell 192.0.2.2, length 46",
        "who-has 192.0.2.1 (01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e) tell 192.0.2.2",
        "Reply 192.0.2.2 is-at 01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e",
        "Reverse Request who-is 07:08:09:0a:0b:0c:0d:0e tell 01:02:03:04:05:06:07:08",
        "Inverse Reply 01:02 at 192.0.2.2",
        "ARP, Unknown Hardware (37) (len 6), Unknown Protocol (0x0000) (len 4), length 46",
        "ARP, Ethernet (len 6), IPv6 (len 6), length 46",
        "ARP, Ethernet (len 0), IPv4 (len 4), length 46",
        "NACK Reply \n",
      ]
    ) assert.ok(theirs.includes(words), `${words} not in\n${theirs}`);
    for (
      const words of [
        "Request who-has <wrong len> tell <wrong len>",
        "IPv6 (len 6), Request who-has <wrong proto type> tell <wrong proto type>",
        "TokenRing (len 6), IPv4 (len 4), Request who-has 192.0.2.1 tell 192.0.2.2",
      ]
    ) assert.ok(verbose.includes(words), `${words} not in\n${verbose}`);
  });
  for (const name of ["arp-oobr.pcap", "arp-too-long-tha.pcap"]) {
    const path = new URL(name, CORPUS).pathname;
    for (const flags of [[], ["-v"]]) await compareTextWithNotes(path, flags);
  }
});

Deno.test("EtherTypes tcpdump names but does not decode: its ether_print's lines, with the name", async () => {
  const frames = UNDECODED_TYPES.map((type) => ({ frame: frame(type, new Uint8Array(46)) }));
  await withRecords(LINKTYPE_ETHERNET, frames, async (path) => {
    for (const flags of FLAG_SETS) {
      const marks = await compareTextWithNotes(path, flags);
      assert.equal(marks.size, 0);
    }
    const theirs = await output("tcpdump", ["-n", "-r", path]);
    for (
      const words of [
        "02:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype LAT (0x6004), length 60: \n\t0x0000:",
        "ethertype IEEE1905.1 (0x893a), length 60",
        "ethertype Unknown (0x8906), length 60",
      ]
    ) assert.ok(theirs.includes(words), `${words} not in\n${theirs}`);
    const quiet = await output("tcpdump", ["-n", "-q", "-r", path]);
    assert.ok(quiet.includes(", DEC DNS, length 60: \n"), quiet);
  });
});
