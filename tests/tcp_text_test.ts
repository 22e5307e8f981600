/**
 * TCP's flags and options in the text line, against tcpdump itself: a capture built here holds
 * every combination of the nine flag bits, and SYNs carrying each option kind (0 to 255) and the
 * option cases tcpdump words its own way (Fast Open, RFC 6994 experiments, MD5, TCP-AO, user
 * timeout, lengths that do not fit the kind, lists that run past the header) and Multipath TCP's
 * option in each subtype, on the segments it belongs to and others. Each packet's
 * text must begin with tcpdump's, byte for byte, without and with `-v`. Real traffic rarely
 * carries these, so the capture is built; tcpdump is the reference.
 *
 * The one difference the README names: netpeek shows TCP's NS bit as `N` where tcpdump leaves
 * it out; with the `N` taken away the line must be tcpdump's.
 */

import assert from "node:assert/strict";
import { pcapRecords } from "../scripts/make_fixtures.ts";
import { ethernet, ip4, ipv4, tcp } from "../scripts/packet_builder.ts";
import { hasCommand, runNetpeek } from "./netpeek_process.ts";

const hasTcpdump = await hasCommand("tcpdump");

const SOURCE = "192.0.2.1";
const DESTINATION = "198.51.100.2";
const TCP_NS = 0x100;
const TCP_SYN = 0x02;
const FLAG_COMBINATIONS = 512;

function frame(flags: number, options: number[] = [], payload = new Uint8Array(0)): Uint8Array {
  const padded = [...options, ...new Array((4 - options.length % 4) % 4).fill(0)];
  const segment = tcp(
    ip4(SOURCE),
    ip4(DESTINATION),
    { sport: 40000, dport: 8443, seq: 1000, ack: 2000, flags, window: 512 },
    payload,
    padded,
  );
  return ethernet(
    "02:00:00:00:00:02",
    "02:00:00:00:00:01",
    0x0800,
    ipv4({ src: SOURCE, dst: DESTINATION, protocol: 6, payload: segment }),
  );
}

const bytes = (count: number, from = 1) => Array.from({ length: count }, (_, i) => from + i);

/** Option lists that tcpdump words in ways of its own. */
const OPTION_CASES: number[][] = [
  // Every kind with two bytes of data: the known ones then have a length they do not take.
  ...bytes(254, 2).map((kind) => [kind, 4, 0xab, 0xcd]),
  // Fast Open: a cookie request, cookies of 8 and 4 bytes, cookies of impossible sizes.
  [34, 2],
  [34, 10, ...bytes(8)],
  [34, 6, ...bytes(4)],
  [34, 5, ...bytes(3)],
  [34, 20, ...bytes(18)],
  // RFC 6994 experiments: Fast Open's id, AccECN's, none at all.
  [254, 4, 0xf9, 0x89],
  [254, 12, 0xf9, 0x89, ...bytes(8)],
  [254, 4, 0xac, 0xc0],
  [254, 14, 0xac, 0xc0, ...new Array(10).fill(0)],
  [254, 2],
  [254, 3, 1],
  // MD5 (BGP's), TCP-AO with and without a MAC, user timeouts in seconds and minutes.
  [19, 18, ...bytes(16, 0xa0)],
  [29, 4, 1, 2],
  [29, 16, 1, 2, ...bytes(12)],
  [28, 4, 0x80, 0x10],
  [28, 4, 0, 5],
  [6, 6, 1, 2, 3, 4],
  [7, 6, 1, 2, 3, 4],
  [11, 6, 0, 0, 0, 1],
  [13, 6, 0, 0, 0, 1],
  [20, 4, 1, 2],
  // SACK with no blocks, a part of one, two blocks; a length past the header; a bare length.
  [5, 2],
  [5, 6, 0, 0, 0, 1],
  [5, 18, ...bytes(16)],
  [2, 4, 5, 0xb4, 1, 3, 40, 7],
  [2, 1],
  // What Linux sends on a SYN, then a SYN that asks for Fast Open.
  [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7],
  [2, 4, 5, 0xb4, 1, 1, 34, 2, 1, 3, 3, 7],
];

const TCP_ACK = 0x10;
const TCP_SYN_ACK = TCP_SYN | TCP_ACK;
const TCP_FIN_ACK = 0x11;

/**
 * Multipath TCP options (RFC 8684 section 3; RFC 6824 for version 0), each on the segment it
 * belongs to or on one it does not (which tcpdump calls a bad option): every subtype, each
 * length a subtype may have, and lengths it may not.
 */
const MPTCP_CASES: [number, number[]][] = [
  // MP_CAPABLE: a SYN's without and with the sender's key, version 0 with checksums, an
  // unknown version; the third ACK's two keys, with RFC 8684's data length; a length on the
  // wrong segment.
  [TCP_SYN, [30, 4, 0x01, 0x01]],
  [TCP_SYN, [30, 12, 0x01, 0x01, ...bytes(8, 0xf1)]],
  [TCP_SYN, [30, 12, 0x00, 0x81, ...bytes(8, 0x10)]],
  [TCP_SYN, [30, 12, 0x02, 0x01, ...bytes(8)]],
  [TCP_ACK, [30, 20, 0x00, 0x81, ...bytes(16, 0x20)]],
  [TCP_ACK, [30, 22, 0x01, 0x01, ...bytes(18, 0x30)]],
  [TCP_SYN, [30, 20, 0x01, 0x01, ...bytes(16)]],
  [TCP_ACK, [30, 12, 0x01, 0x01, ...bytes(8)]],
  // MP_JOIN: SYN (backup), SYN/ACK, third ACK; and a SYN's length on an ACK.
  [TCP_SYN, [30, 12, 0x11, 5, ...bytes(8, 0x80)]],
  [TCP_SYN_ACK, [30, 16, 0x10, 1, ...bytes(12, 0x90)]],
  [TCP_ACK, [30, 24, 0x10, 0, ...bytes(20, 0xa0)]],
  [TCP_ACK, [30, 12, 0x10, 1, ...bytes(8)]],
  // DSS: a 4- and an 8-byte data ACK; a mapping with a checksum; DATA_FIN with 8-byte numbers
  // and no checksum; fields that do not fill the option; a DSS on a SYN.
  [TCP_ACK, [30, 8, 0x20, 0x01, 0, 0, 0x30, 0x39]],
  [TCP_ACK, [30, 12, 0x20, 0x03, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1]],
  [TCP_ACK, [30, 20, 0x20, 0x05, ...bytes(16, 0x40)]],
  [TCP_FIN_ACK, [30, 26, 0x20, 0x1f, ...bytes(22, 0x50)]],
  [TCP_ACK, [30, 7, 0x20, 0x01, 1, 2, 3]],
  [TCP_ACK, [30, 10, 0x20, 0x01, ...bytes(6)]],
  [TCP_SYN, [30, 4, 0x20, 0x00]],
  // ADD_ADDR: IPv4 bare, with a port, with an HMAC, both; IPv6 bare and with both; each echo
  // and version word; a length it does not have.
  [TCP_ACK, [30, 8, 0x30, 1, 192, 0, 2, 7]],
  [TCP_ACK, [30, 10, 0x34, 2, 192, 0, 2, 8, 0x1f, 0x90]],
  [TCP_ACK, [30, 16, 0x30, 3, 192, 0, 2, 9, ...bytes(8, 0x60)]],
  [TCP_ACK, [30, 18, 0x31, 4, 198, 51, 100, 1, 0, 80, ...bytes(8, 0x70)]],
  [TCP_ACK, [30, 20, 0x36, 5, 0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]],
  [TCP_ACK, [30, 30, 0x3f, 6, 0x20, 0x01, 0x0d, 0xb8, ...bytes(12), 1, 0xbb, ...bytes(8)]],
  [TCP_ACK, [30, 9, 0x30, 1, 192, 0, 2, 7, 0]],
  // REMOVE_ADDR with two ids, and too short; MP_PRIO without and with an id (backup or not),
  // and too long; MP_FAIL; MP_FASTCLOSE; MP_TCPRST and subtype 15 (unknown to tcpdump 4.99).
  [TCP_ACK, [30, 5, 0x40, 1, 2]],
  [TCP_ACK, [30, 3, 0x40]],
  [TCP_ACK, [30, 3, 0x51]],
  [TCP_ACK, [30, 4, 0x50, 7]],
  [TCP_ACK, [30, 5, 0x50, 7, 8]],
  [TCP_ACK, [30, 12, 0x60, 0, ...bytes(8, 0xc0)]],
  [TCP_ACK, [30, 12, 0x70, 0, ...bytes(8, 0xd0)]],
  [TCP_ACK, [30, 4, 0x81, 2]],
  [TCP_ACK, [30, 3, 0xf0]],
  // Shorter than any MPTCP option.
  [TCP_ACK, [30, 2]],
];

async function writeCapture(path: string): Promise<number> {
  const frames = [
    ...bytes(FLAG_COMBINATIONS, 0).map((flags) => frame(flags)),
    ...OPTION_CASES.map((options) => frame(TCP_SYN, options)),
    ...MPTCP_CASES.map(([flags, options]) => frame(flags, options)),
  ];
  await Deno.writeFile(
    path,
    pcapRecords(
      1,
      frames.map((bytes, i) => ({ seconds: 1767225600 + i, fraction: 0, frame: bytes })),
    ),
  );
  return frames.length;
}

/** A packet's lines: the first, and those that continue it (indented). */
function packets(text: string): string[][] {
  const result: string[][] = [];
  for (const line of text.replace(/\n$/, "").split("\n")) {
    if (/^\d/.test(line) || result.length === 0) result.push([line]);
    else result[result.length - 1].push(line);
  }
  return result;
}

/** The line without netpeek's `N` for the NS bit, as tcpdump shows the flags. */
function withoutNs(line: string): string {
  return line.replace(/Flags \[([^\]]*)N\]/, (_, rest: string) => `Flags [${rest || "none"}]`);
}

for (const flags of [[], ["-v"], ["-vv"]]) {
  Deno.test({
    name: `TCP flags and options ${flags.join(" ") || "(default)"}: each line begins as tcpdump's`,
    ignore: !hasTcpdump,
    fn: async () => {
      const path = await Deno.makeTempFile({ suffix: ".pcap" });
      try {
        const count = await writeCapture(path);
        const tcpdump = await new Deno.Command("tcpdump", {
          args: ["-n", ...flags, "-r", path],
          env: { TZ: "UTC" },
          stdout: "piped",
          stderr: "null",
        }).output();
        const theirs = packets(new TextDecoder().decode(tcpdump.stdout));
        const ours = packets(
          (await runNetpeek([...flags, "-r", path], { env: { TZ: "UTC" } }))
            .stdout,
        );
        assert.equal(theirs.length, count, "tcpdump read every packet");
        assert.equal(ours.length, count);
        const wrong: string[] = [];
        let ns = 0;
        ours.forEach((lines, index) => {
          const nsSet = index < FLAG_COMBINATIONS && (index & TCP_NS) !== 0;
          if (nsSet) ns++;
          theirs[index].forEach((line, at) => {
            const mine = lines[at] ?? "";
            const shown = nsSet ? withoutNs(mine) : mine;
            if (!shown.startsWith(line)) {
              wrong.push(`#${index + 1} line ${at + 1}\n  netpeek: ${mine}\n  tcpdump: ${line}`);
            }
          });
        });
        assert.equal(ns, FLAG_COMBINATIONS / 2);
        assert.deepEqual(wrong, []);
      } finally {
        await Deno.remove(path);
      }
    },
  });
}
