/**
 * tcpdump's flags, compared with tcpdump itself: netpeek and `tcpdump -r` run with the same
 * flags on the same files (the fixtures, the protocol fixtures, and a selection of tcpdump's
 * own test captures) and each packet's text must begin with tcpdump's, byte for byte. Where
 * netpeek deliberately differs, the difference is named below (and in the README); a packet
 * that differs in a way no name explains fails the test.
 */

import assert from "node:assert/strict";
import { hasCommand, runNetpeek } from "./netpeek_process.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url).pathname;
const hasTcpdump = await hasCommand("tcpdump");

/** The flag sets: each alone, and the combinations people type. */
const FLAG_SETS: string[][] = [
  ["-nn"],
  ["-nnvv"],
  ["-vvv"],
  ["-tttt"],
  ["-t"],
  ["-tt"],
  ["-ttt"],
  ["-ttttt"],
  ["-q"],
  ["-A"],
  ["-e"],
  ["-x"],
  ["-X"],
  ["-S"],
  ["-#"],
  ["-nnvvX"],
  ["-e", "-v"],
  ["-K", "-v"],
  ["-c5"],
];

/** The levels every capture is compared at; `FLAG_SETS` run on `EVERY_FLAG_FILES`. */
const EVERY_FILE_FLAGS: string[][] = [[], ["-v"], ["-vv"]];

/** Captures each flag set runs on: every kind of line netpeek prints, live and built. */
const EVERY_FLAG_FILES = [
  "mixed.pcap",
  "stack.pcap",
  "tcp-analysis.pcap",
  "ipv4-cases.pcap",
  "fragments.pcap",
  "vlan.pcap",
  "lo-tcpdump.pcap",
  "any-sll2-tcpdump.pcap",
  "protocols/dns.pcap",
  "protocols/http.pcap",
  "protocols/vxlan.pcap",
  "protocols/arista.pcap",
  "protocols/erspan.pcap",
  "ssh.pcap",
];

/** From tcpdump's test captures: everyday traffic netpeek decodes (TCP, DNS, NTP, ICMPv6, …). */
const CORPUS_FILES = [
  "ssh.pcap",
  // (Not e1000g.pcap: Solaris's IPNET link type, which netpeek does not decode.)
  "dns_tcp.pcap",
  "dns_udp.pcap",
  "dnssec.pcap",
  "ntp.pcap",
  "icmpv6.pcap",
  "ipv6-bad-version.pcap",
  "print-flags.pcap",
  "mptcp-v1.pcap",
  "dhcp-rfc4388.pcap",
  // AccECN's handshake: ECN flags with ACK, the NS bit, RFC 6994's experimental option.
  "accecn_handshake.pcap",
  // LINKTYPE_IPV4 holding an IPv6 packet: read by its version, as tcpdump and tshark read it.
  "LINKTYPE_IPV4_invalid.pcap",
  "LINKTYPE_IPV6_invalid.pcap",
  // IP lengths past the frame's end on the wire.
  "ipv4_invalid_total_length.pcap",
  "ipv6_invalid_length_2.pcap",
  // RSTs carrying data (whole and cut short), which -v shows as tcpdump's [RST …].
  "tcp_rst_data.pcap",
  "tcp_rst_data-trunc.pcap",
  "tcp_rst_diag_payload.pcap",
  // Neighbor discovery options: a nonce and PREF64 (unknown to tcpdump 4.99), route info.
  "icmpv6-ns-nonce.pcap",
  "icmpv6-ra-pref64.pcap",
  "icmpv6_opt24.pcap",
  // GRE with a recursion count, which tcpdump's flag list never names.
  "erspan-type-iii-pb-1.pcap",
  // IPv6 routing headers cut short (the others are in protocols/ipv6-routing.pcap), in raw
  // IPv6 files that also hold headers of version 3.
  "ipv6-rthdr-oobr.pcap",
  "hoobr_rt6_print.pcap",
  // VXLAN on Linux's default port 8472, which tcpdump reads as OTV.
  "vxlan_port_8472.pcap",
  // SOME/IP on UDP port 30490: service discovery and a request.
  "someip1.pcap",
  "someip2.pcap",
  // Fuzzed: a DNS length past the IP packet, syslog datagrams without a priority.
  "rtp-seg-fault-1.pcapng",
  "rtp-seg-fault-2.pcapng",
  "zephyr-oobr.pcap",
];

/** Every capture to compare, by a short name, with its path. */
function captures(): Map<string, string> {
  const files = new Map<string, string>();
  for (const folder of ["", "protocols/"]) {
    for (const entry of Deno.readDirSync(`${FIXTURES}${folder}`)) {
      // tcpdump reads no pcapng whose interfaces have different link types.
      if (/\.pcap(ng)?$/.test(entry.name) && entry.name !== "multi.pcapng") {
        files.set(`${folder}${entry.name}`, `${FIXTURES}${folder}${entry.name}`);
      }
    }
  }
  for (const name of CORPUS_FILES) {
    try {
      if (Deno.statSync(`${CORPUS}${name}`).isFile) files.set(name, `${CORPUS}${name}`);
    } catch {
      // The corpus is beside the checkout in CI; without it the fixtures are compared.
    }
  }
  return files;
}

/** A packet's lines: the first, and those that continue it (indented, or a dump's). */
function packets(text: string, timeStamped: boolean): string[][] {
  const result: string[][] = [];
  const starts = timeStamped ? /^(?: {0,4}\d+ {2})?[ -]?\d/ : /^\S/;
  for (const line of text.replace(/\n$/, "").split("\n")) {
    if (line === "" && result.length === 0) continue;
    if (starts.test(line) || result.length === 0) result.push([line]);
    else result[result.length - 1].push(line);
  }
  return result;
}

/** Whether each of tcpdump's lines begins netpeek's line there (which may go on). */
function beginsAsTcpdump(ours: string[], theirs: string[]): boolean {
  return theirs.every((line, index) => ours[index]?.startsWith(line));
}

/** A line without truncation marks: tcpdump's `[|bootp]`, netpeek's `[|udp: truncated: …]`. */
function withoutMarks(line: string): string {
  return line.replace(/ ?\[\|[a-z0-9-]+(: [^\]]*)?\]/g, "");
}

/**
 * Where either side marks a cut: line by line, without the marks, netpeek's line begins with
 * tcpdump's; or netpeek stopped sooner, at a cut its note names, having printed only what
 * tcpdump printed up to there. So words that differ before a cut still fail.
 */
function cutAlike(ours: string, theirs: string): boolean {
  const mine = ours.split("\n");
  const reference = theirs.split("\n");
  for (let index = 0; index < reference.length; index++) {
    const [line, their] = [mine[index] ?? "", reference[index]];
    const [bare, theirBare] = [withoutMarks(line), withoutMarks(their)];
    if (bare.startsWith(theirBare)) continue;
    return /\[\|[a-z0-9-]+: /.test(line) && theirBare.startsWith(bare);
  }
  return true;
}

/**
 * The deliberate differences, each named in the README's list: what netpeek prints there, or
 * what tcpdump does that netpeek does not (yet).
 */
const DIFFERENCES: { name: string; applies: (ours: string, theirs: string) => boolean }[] = [
  {
    name: "a fragment's (frag id:length@offset+) note",
    applies: (ours, theirs) =>
      / \(frag \d+:\d+@\d+\+?\)/.test(ours) && !/ \(frag \d+:/.test(theirs),
  },
  {
    // Only that: without the N, the packet must be tcpdump's.
    name: "TCP's NS flag shown as N",
    applies: (ours, theirs) =>
      /Flags \[[^\]]*N\]/.test(ours) &&
      beginsAsTcpdump(
        ours.replace(/Flags \[([^\]]*)N\]/, (_, rest: string) => `Flags [${rest || "none"}]`)
          .split("\n"),
        theirs.split("\n"),
      ),
  },
  {
    name: "truncation notes say which header and how much of it",
    applies: (ours, theirs) => /\[\|[a-z0-9-]+[:\]]/.test(ours + theirs) && cutAlike(ours, theirs),
  },
  {
    name: "PPP's -v option lines",
    applies: (_ours, theirs) => /encoded length \d+ \(=Option\(s\) length/.test(theirs),
  },
  {
    name: "ERSPAN decoded after tcpdump's gre-proto words",
    applies: (ours) => /gre-proto-0x(88be|22eb): ERSPAN/.test(ours),
  },
  {
    name: "a LINKTYPE_IPV6 frame that holds IPv4 held to IPv6, as tshark holds it",
    applies: (ours, theirs) =>
      /IP6 (\([^)]*\) )?version error: 4 != 6/.test(ours) && /^[^\n]* IP (\(|\d)/.test(theirs),
  },
  {
    name: "UDP port 8472 plain, as tshark's, where tcpdump reads OTV",
    applies: (ours, theirs) =>
      /\.8472: (\[[^\]]*\] )?UDP, length \d+$/m.test(ours) &&
      /\.8472: (\[[^\]]*\] )?OTV, flags /.test(theirs),
  },
  {
    name: "OSPF named, not decoded",
    applies: (ours, theirs) => / OSPF, length \d+/.test(ours) && /OSPFv?\d/.test(theirs),
  },
];

Deno.test({
  name: "tcpdump's flags on real captures: each packet begins as tcpdump prints it",
  ignore: !hasTcpdump,
  fn: async () => {
    const files = captures();
    assert.ok(files.size >= 40, `only ${files.size} captures`);
    const runs: [string[], string][] = [
      ...EVERY_FILE_FLAGS.flatMap((flags) => [...files.keys()].map((name) => [flags, name])),
      ...FLAG_SETS.flatMap((flags) =>
        EVERY_FLAG_FILES.filter((name) => files.has(name)).map((name) => [flags, name])
      ),
    ] as [string[], string][];
    const unexplained: string[] = [];
    const explained = new Map<string, number>();
    let compared = 0;
    for (const [flags, name] of runs) {
      const path = files.get(name)!;
      const timeStamped = !flags.some((flag) => /^-t+$/.test(flag));
      const [tcpdump, ours] = await Promise.all([
        new Deno.Command("tcpdump", {
          args: ["-n", ...flags, "-r", path],
          env: { TZ: "UTC" },
          stdout: "piped",
          stderr: "null",
        }).output(),
        runNetpeek([...flags, "-r", path], { env: { TZ: "UTC" } }),
      ]);
      const theirs = packets(new TextDecoder().decode(tcpdump.stdout), timeStamped);
      const mine = packets(ours.stdout, timeStamped);
      const where = `${flags.join(" ") || "(no flags)"} ${name}`;
      if (mine.length !== theirs.length) {
        unexplained.push(`${where}: ${mine.length} packets, tcpdump ${theirs.length}`);
        continue;
      }
      mine.forEach((lines, index) => {
        compared++;
        const reference = theirs[index];
        if (beginsAsTcpdump(lines, reference)) return;
        const [text, their] = [lines.join("\n"), reference.join("\n")];
        const difference = DIFFERENCES.find((known) => known.applies(text, their));
        if (difference !== undefined) {
          explained.set(difference.name, (explained.get(difference.name) ?? 0) + 1);
          return;
        }
        const dump = Deno.env.get("DUMP_DIFFERENCES");
        if (dump) {
          Deno.writeTextFileSync(dump, JSON.stringify({ flags, name, index, text, their }) + "\n", {
            append: true,
          });
        }
        unexplained.push(`${where} #${index + 1}\n  netpeek: ${text}\n  tcpdump: ${their}`);
      });
    }
    assert.ok(compared > 10_000, `only ${compared} packets compared`);
    assert.deepEqual(unexplained.slice(0, 10), [], `${unexplained.length} unexplained`);
    // Each named difference is met: none is a blanket that hides nothing.
    assert.deepEqual(
      DIFFERENCES.map((difference) => difference.name).filter((name) => !explained.has(name)),
      [],
    );
  },
});
