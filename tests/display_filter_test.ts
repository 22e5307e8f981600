/**
 * Display filters (`-Y`) and field extraction (`-T fields`) against tshark, the outside
 * reference: each expression must select exactly the frames `tshark -Y` selects on the same
 * capture (compared by frame number), `-T fields` must print what tshark prints, and a bad
 * expression must say where it is wrong and exit 2.
 */

import assert from "node:assert/strict";
import dgram from "node:dgram";
import { compileDisplayFilter, DisplayFilterError, readCapture } from "../mod.ts";
import { FILTER_FIELDS } from "../src/filter/fields.ts";
import { fieldTypesSource } from "../scripts/make_field_types.ts";
import { readPcap } from "./pcap_file.ts";
import { hasCommand, NetpeekProcess, runNetpeek } from "./netpeek_process.ts";
import { bothFields, captureLo, output, withBuiltCapture } from "./protocol_check.ts";
import { ethernet, ip4, ipv4, tcp, u32 } from "../scripts/packet_builder.ts";
import { filterTableSource } from "../scripts/make_filter_docs.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);
const hasTshark = await hasCommand("tshark");

/**
 * Expressions and the capture each runs over: every operator and its word form, every kind
 * of value (integers, booleans, addresses, strings, bytes, times, protocols), fields that
 * occur several times (`ip.addr`, tunnels), the TCP analysis and stream numbers, and tunnels.
 * Each selects at least one frame in tshark (checked), so none passes by selecting nothing.
 */
const CASES: readonly (readonly [string, string])[] = [
  // Addresses: CIDR, multi-occurrence, !=, ~=, ===, in with prefixes, field against field.
  ["mixed.pcap", "ip.addr == 192.0.2.0/24 and not tcp"],
  ["mixed.pcap", "ip.src == 192.0.2.1 || ipv6"],
  ["mixed.pcap", "ip.src != 192.0.2.1"],
  ["mixed.pcap", "ip.addr ~= 192.0.2.1"],
  ["mixed.pcap", "ip.addr !== 127.0.0.1"],
  ["mixed.pcap", "ip.addr === 127.0.0.1"],
  ["mixed.pcap", "ip.dst in {198.51.100.0/24, 127.0.0.1}"],
  ["mixed.pcap", "ip.addr not in {192.0.2.1, 127.0.0.1}"],
  ["mixed.pcap", "ip.src == ip.dst"],
  ["mixed.pcap", "ipv6.addr == 2001:db8::/32"],
  ["mixed.pcap", "ipv6.dst == 2001:db8:0:1::2"],
  ["mixed.pcap", "ipv6.addr == 2001:db8::1"],
  // Ethernet addresses in each spelling, slices, bytes.
  ["mixed.pcap", "eth.src[0:3] == 02:00:5e"],
  ["mixed.pcap", "eth.dst[0] == 0xff"],
  ["mixed.pcap", "eth.src[-1:1] == 02"],
  ["mixed.pcap", "eth.addr == ff:ff:ff:ff:ff:ff"],
  ["mixed.pcap", "eth.src == 02-00-5e-00-53-02"],
  ["mixed.pcap", "eth.src == 0200.5e00.5302"],
  ["mixed.pcap", "eth.type == 0x0806"],
  ["mixed.pcap", "frame contains 02:00:5e:00:53:02"],
  // Integers and booleans: every comparison, word forms, octal and hex literals, ranges, &.
  ["mixed.pcap", "ip.ttl <= 64 && ip.ttl >= 64"],
  ["mixed.pcap", "ip.len gt 40 and ip.len lt 90"],
  ["mixed.pcap", "ip.ttl eq 64 and icmp.code ne 1"],
  ["mixed.pcap", "ip.ttl == 0100"],
  ["mixed.pcap", "ip.id == 0x0101"],
  ["mixed.pcap", "ip.proto in {1, 6}"],
  ["mixed.pcap", "ip.flags == 0x02"],
  ["mixed.pcap", "ip.dsfield == 0x00"],
  ["mixed.pcap", "ip.dsfield.dscp != 0"],
  ["mixed.pcap", "ip.flags.df"],
  ["mixed.pcap", "ip.flags.mf == 1 || ip.frag_offset > 0"],
  ["mixed.pcap", "ip.checksum.status"],
  ["mixed.pcap", "udp.dstport in {5000..5010}"],
  ["mixed.pcap", "udp.length >= 14 and udp.length <= 14"],
  ["mixed.pcap", "tcp.flags & 0x02"],
  ["mixed.pcap", "tcp.flags bitwise_and 0x11"],
  ["mixed.pcap", "tcp.flags.syn == 1 and tcp.flags.ack == 0"],
  ["mixed.pcap", "tcp.flags.fin && tcp.flags.ece"],
  ["mixed.pcap", "tcp.flags.ae == 1"],
  ["mixed.pcap", "tcp.flags.res == 0"],
  ["mixed.pcap", "tcp.srcport > tcp.dstport"],
  ["mixed.pcap", "tcp.window_size_value == 0"],
  ["mixed.pcap", "tcp.options.mss_val == 1460"],
  ["mixed.pcap", "tcp.option_kind == 8"],
  ["mixed.pcap", "icmp.type == 0 or icmp.type == 8"],
  ["mixed.pcap", "icmpv6.type == 128"],
  ["mixed.pcap", "arp.opcode == 2"],
  ["mixed.pcap", "arp.dst.proto_ipv4 == 192.0.2.254"],
  // Logic, protocols, contains on a protocol.
  ["mixed.pcap", "not (udp or tcp)"],
  ["mixed.pcap", "(ip.ttl == 64 || ipv6) && !(icmp || icmpv6)"],
  ["mixed.pcap", "ip.src == 192.0.2.1 && !(udp.srcport == 40000 || udp.srcport in {1000})"],
  ["mixed.pcap", "arp"],
  ["mixed.pcap", "mdns"],
  ["mixed.pcap", "udp"],
  ["mixed.pcap", 'frame contains "HTTP"'],
  ["mixed.pcap", "tcp contains 48:54:54:50"],
  // The frame: numbers, lengths, times, comments.
  ["mixed.pcap", "frame.number >= 20 && frame.number <= 25"],
  ["mixed.pcap", "frame.len == 62"],
  ["mixed.pcap", "frame.cap_len < 61"],
  ["mixed.pcap", "frame.time_relative > 10"],
  ["mixed.pcap", "frame.time_delta < 0.0001"],
  ["mixed.pcap", "frame.time_relative >= 1.001 and frame.time_relative <= 3.003"],
  ["mixed.pcap", "frame.time_epoch > 1000000000"],
  ["comments.pcapng", 'frame.comment contains "e"'],
  // Streams and the TCP analysis.
  ["mixed.pcap", "udp.stream == 1"],
  ["mixed.pcap", "tcp.stream == 1"],
  ["mixed.pcap", "tcp.seq == 1 && tcp.ack == 1"],
  ["tcp-real.pcap", "tcp.analysis.retransmission"],
  ["tcp-real.pcap", "tcp.analysis.out_of_order"],
  ["tcp-real.pcap", "tcp.analysis.window_update"],
  ["tcp-real.pcap", "tcp.analysis.flags && !tcp.analysis.window_update"],
  ["tcp-real.pcap", "tcp.options.sack_le > 0"],
  ["tcp-real.pcap", "tcp.seq > 100000 && tcp.len > 1000"],
  ["tcp-real.pcap", "tcp.ack < 1000 && tcp.flags.ack"],
  ["tcp-real.pcap", "tcp.window_size_value < 1000 and tcp.flags.ack"],
  ["tcp-analysis.pcap", "tcp.analysis.keep_alive"],
  ["tcp-analysis.pcap", "tcp.analysis.zero_window"],
  ["tcp-analysis.pcap", "tcp.analysis.window_full"],
  ["tcp-analysis.pcap", "tcp.analysis.retransmission || tcp.analysis.out_of_order"],
  ["tcp-analysis.pcap", "tcp.stream == 0 && tcp.seq == 1"],
  // Strings: equality, contains, matches (case-insensitive too), sets, slices, characters.
  ["protocols/dns.pcap", 'dns.qry.name == "www.example.test"'],
  ["protocols/dns.pcap", 'dns.qry.name contains "example"'],
  ["protocols/dns.pcap", 'dns.qry.name matches "^_sip[.]"'],
  ["protocols/dns.pcap", 'dns.qry.name matches "(?i)WWW"'],
  ["protocols/dns.pcap", 'dns.qry.name in {"example.test", "nope.example.test"}'],
  ["protocols/dns.pcap", 'dns.qry.name[0:3] == "www"'],
  ["protocols/dns.pcap", "dns.flags.rcode != 0"],
  ["protocols/dns.pcap", "dns.flags.response == 0"],
  ["protocols/dns.pcap", "dns.qry.type == 28"],
  ["protocols/dns.pcap", "dns.a == 192.0.2.80"],
  ["protocols/dns.pcap", "dns.a"],
  ["protocols/dns.pcap", "dns.aaaa"],
  ["protocols/dns.pcap", "dns && udp.stream > 5"],
  ["protocols/http.pcap", 'http.request.method == "GET"'],
  ["protocols/http.pcap", "http.request.method[0] == 'G'"],
  ["protocols/http.pcap", 'http.request.uri contains "ready"'],
  ["protocols/http.pcap", "http.response.code == 200"],
  ["protocols/http.pcap", 'http.host matches "8000$"'],
  ["protocols/http.pcap", "http"],
  ["protocols/http.pcap", "http.request && tcp.srcport > 1024"],
  ["protocols/http.pcap", "http.response"],
  ["protocols/http.pcap", "tcp.stream == 2"],
  ["protocols/tls.pcap", "tls.handshake.extensions_server_name"],
  ["protocols/tls.pcap", 'tls.handshake.extensions_server_name matches "example"'],
  ["protocols/tls.pcap", "tls.handshake.type == 1"],
  ["protocols/tls.pcap", "tls"],
  ["protocols/quic.pcap", "quic"],
  ["protocols/quic.pcap", "quic.long.packet_type == 0"],
  ["protocols/quic.pcap", "quic.version == 1"],
  ["protocols/quic.pcap", "quic.scid[0:2] == b4:dc"],
  ["protocols/dhcp.pcap", "dhcp.option.dhcp == 2"],
  ["protocols/dhcp.pcap", "dhcp.hw.mac_addr[0] == 0x02"],
  ["protocols/dhcp.pcap", "dhcp.ip.your == 192.0.2.108"],
  ["protocols/dhcp.pcap", "dhcp.option.hostname"],
  ["protocols/dhcp.pcap", "dhcp.id == 0x6a1c3120"],
  ["protocols/ntp-syslog.pcap", "ntp"],
  ["protocols/ntp-syslog.pcap", "syslog.level <= 4"],
  ["protocols/ssdp-wireguard.pcap", "wg.type == 1"],
  ["protocols/ssdp-wireguard.pcap", "udp.port == 1900"],
  // Tunnels: fields of every layer, inner protocols, outer and inner addresses.
  ["protocols/vxlan.pcap", "vxlan.vni == 42"],
  ["protocols/vxlan.pcap", "ip.addr == 192.0.2.2 && icmp.type == 0"],
  ["protocols/vxlan.pcap", "eth.addr == fa:80:8a:e3:ad:42"],
  ["protocols/vxlan.pcap", "arp.src.hw_mac == fa:80:8a:e3:ad:42"],
  ["protocols/gre.pcap", "gre.proto == 0x0800"],
  ["protocols/gre.pcap", "ipv6 && gre"],
  ["protocols/gre.pcap", "tcp.dstport == 443"],
  ["protocols/gre.pcap", "ip.src == 192.0.2.10"],
  ["protocols/geneve.pcap", "geneve.vni == 10"],
  ["protocols/geneve.pcap", "tcp.port == 22 && tcp.flags.syn"],
  ["protocols/geneve.pcap", "ip.addr == 30.0.0.0/24"],
  ["protocols/mpls.pcap", "mpls.label == 16"],
  ["protocols/mpls.pcap", "mpls.bottom == 1"],
  ["protocols/esp.pcap", "esp"],
  ["protocols/isakmp.pcap", "isakmp"],
  ["protocols/isakmp.pcap", "isakmp.exchangetype == 32 && udp.port == 4500"],
  ["protocols/isakmp.pcap", "isakmp.rspi == 00:00:00:00:00:00:00:00"],
  ["protocols/isakmp.pcap", "isakmp.flag_e"],
  ["protocols/pppoe.pcap", "pppoed"],
  ["protocols/pppoe.pcap", "pppoes"],
  ["protocols/pppoe.pcap", "pppoe.code == 0x09"],
  ["protocols/llc.pcap", "stp"],
  ["protocols/llc.pcap", "llc.dsap == 0x42"],
  ["protocols/macsec.pcap", "macsec"],
  ["protocols/igmp.pcap", "igmp.type == 0x22"],
  ["protocols/igmp.pcap", "igmp.maddr == 239.0.0.0/8"],
  ["vlan.pcap", "vlan.id == 100"],
  ["fragments.pcap", "ip.frag_offset == 0 && ip.flags.mf"],
  ["sll.pcap", "sll.pkttype == 0"],
  ["sll2.pcap", "sll"],
  ["null.pcap", "null.family == 2"],
];

/** tshark's frame numbers for an expression (failing the test when tshark rejects it). */
async function tsharkSelects(path: string, expression: string): Promise<number[]> {
  const text = await output("tshark", [
    "-n",
    "-r",
    path,
    "-Y",
    expression,
    "-T",
    "fields",
    "-e",
    "frame.number",
  ]);
  return text.split("\n").filter((line) => line !== "").map(Number);
}

/** Runs `work` over `items`, `width` at a time (tshark starts slowly; two cores). */
async function pooled<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await work(items[at]);
    }
  }));
  return results;
}

/** The frames each expression selects through the library, one pass over each capture. */
async function netpeekSelects(cases: readonly (readonly [string, string])[]): Promise<number[][]> {
  const selected: number[][] = cases.map(() => []);
  for (const file of new Set(cases.map(([path]) => path))) {
    const predicates = cases.flatMap(([path, expression], at) =>
      path === file ? [[at, compileDisplayFilter(expression)] as const] : []
    );
    let number = 0;
    for await (const packet of readCapture(new URL(file, FIXTURES))) {
      number++;
      for (const [at, matches] of predicates) if (matches(packet)) selected[at].push(number);
    }
  }
  return selected;
}

Deno.test({
  name: `${CASES.length} display filters select the frames tshark -Y selects`,
  ignore: !hasTshark,
  fn: async () => {
    assert.ok(CASES.length >= 60);
    const theirs = await pooled(
      CASES,
      3,
      ([path, expression]) => tsharkSelects(new URL(path, FIXTURES).pathname, expression),
    );
    const ours = await netpeekSelects(CASES);
    const wrong: string[] = [];
    CASES.forEach(([path, expression], at) => {
      // A case tshark selects nothing with would pass by selecting nothing too.
      assert.ok(theirs[at].length > 0, `tshark selects nothing with ${expression} on ${path}`);
      if (theirs[at].join(" ") !== ours[at].join(" ")) {
        wrong.push(`${path} [${expression}]: tshark ${theirs[at]}; netpeek ${ours[at]}`);
      }
    });
    assert.deepEqual(wrong, []);
  },
});

Deno.test({
  name: "xor (Wireshark 4.2's, newer than this tshark) selects what its and/or/not form does",
  ignore: !hasTshark,
  fn: async () => {
    const [a, b] = ["ip.ttl == 64", "tcp"];
    const path = new URL("mixed.pcap", FIXTURES).pathname;
    const theirs = await tsharkSelects(path, `(${a} && !(${b})) || (!(${a}) && ${b})`);
    const [ours, ourWords] = await netpeekSelects([
      ["mixed.pcap", `${a} ^^ ${b}`],
      ["mixed.pcap", `${a} xor ${b}`],
    ]);
    assert.ok(theirs.length > 0);
    assert.deepEqual(ours, theirs);
    assert.deepEqual(ourWords, theirs);
  },
});

/** netpeek's output lines for the file with `args`, without the "reading from file" line. */
async function netpeekLines(path: string, args: string[]): Promise<string[]> {
  const result = await runNetpeek(["-r", path, ...args], { env: { TZ: "UTC" } });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.split("\n").filter((line) => line !== "");
}

Deno.test({
  name: "-Y on the command line: text, --json, -c, -w and --stats hold exactly tshark's frames",
  ignore: !hasTshark,
  fn: async () => {
    const path = new URL("tcp-real.pcap", FIXTURES).pathname;
    const expression = "tcp.analysis.retransmission || tcp.len == 0";
    const frames = await tsharkSelects(path, expression);
    assert.ok(frames.length > 10 && frames.length < 1000, `${frames.length} frames`);

    // Text and JSON: the lines of the selected frames, as netpeek prints them unfiltered.
    for (const mode of [[], ["--json"]]) {
      const all = await netpeekLines(path, mode);
      const selected = await netpeekLines(path, [...mode, "-Y", expression]);
      assert.deepEqual(selected, frames.map((number) => all[number - 1]));
    }
    // -c counts matches.
    const first = await netpeekLines(path, [
      "-Y",
      expression,
      "-T",
      "fields",
      "-e",
      "frame.number",
      "-c",
      "5",
    ]);
    assert.deepEqual(first.map(Number), frames.slice(0, 5));

    // -w writes the frames tshark -Y -w writes.
    const dir = await Deno.makeTempDir({ prefix: "netpeek-display-" });
    try {
      const ourFile = `${dir}/ours.pcap`;
      const theirFile = `${dir}/theirs.pcap`;
      const written = await runNetpeek(["-r", path, "-Y", expression, "-w", ourFile]);
      assert.equal(written.code, 0, written.stderr);
      await output("tshark", ["-n", "-r", path, "-Y", expression, "-F", "pcap", "-w", theirFile]);
      const ours = (await readPcap(ourFile)).records;
      const theirs = (await readPcap(theirFile)).records;
      assert.equal(ours.length, frames.length);
      assert.deepEqual(ours.map((record) => record.frame), theirs.map((record) => record.frame));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }

    // --stats sums up the matching frames only.
    const stats = await netpeekLines(path, ["-Y", expression, "--stats"]);
    assert.match(stats[0], new RegExp(`^Statistics: ${frames.length} frames,`));
  },
});

/** The fields compared with tshark's -T fields: every kind of value and of formatting. */
const PRINTED_FIELDS = [
  "frame.number",
  "frame.len",
  "frame.time_relative",
  "frame.time_delta",
  "eth.src",
  "eth.dst",
  "eth.type",
  "vlan.id",
  "ip.src",
  "ip.dst",
  "ip.addr",
  "ip.ttl",
  "ip.id",
  "ip.proto",
  "ip.flags",
  "ip.flags.df",
  "ip.dsfield",
  "ipv6.src",
  "ipv6.addr",
  "tcp.srcport",
  "tcp.dstport",
  "tcp.seq",
  "tcp.ack",
  "tcp.len",
  "tcp.flags",
  "tcp.flags.syn",
  "tcp.stream",
  "udp.stream",
  "udp.length",
  "tcp.analysis.retransmission",
  "tcp.analysis.duplicate_ack_num",
  "dns.qry.name",
  "dns.a",
  "http.request.method",
  "tls.handshake.extensions_server_name",
  "vxlan.vni",
  "icmp.type",
  "arp.opcode",
];

for (
  const name of [
    "mixed.pcap",
    "tcp-real.pcap",
    "tcp-analysis.pcap",
    "vlan.pcap",
    "protocols/dns.pcap",
    "protocols/http.pcap",
    "protocols/tls.pcap",
    "protocols/vxlan.pcap",
    "protocols/quic.pcap",
    "protocols/dhcp.pcap",
  ]
) {
  Deno.test({
    name: `-T fields prints what tshark prints on ${name}`,
    ignore: !hasTshark,
    fn: async () => {
      const path = new URL(name, FIXTURES).pathname;
      const { theirs, ours } = await bothFields(path, PRINTED_FIELDS, [
        "header=y",
        "occurrence=a",
      ]);
      // Not a comparison of empty columns: the file's frames are there, with values.
      assert.ok(theirs.split("\n").length > 3 && /\d+\.\d+\.\d+\.\d+/.test(theirs));
      assert.equal(ours, theirs);
    },
  });
}

/**
 * Captures of tcpdump's test suite, each with the fields whose values or printing once differed
 * from tshark's there: an 802.3 frame's length is `eth.len` (and under a tag `vlan.len`), not a
 * type; an OUI prints in decimal; Linux cooked frames over GRE carry `sll.gretype`; the EDNS
 * payload size prints in decimal; a client identifier's MAC is a second `dhcp.hw.mac_addr`;
 * NTP mode 7 has no leap indicator; a time span past 2^53 ns keeps its nanoseconds; SACK edges
 * are relative, as the acknowledgment is.
 */
const CORPUS_FIELDS: readonly [string, readonly string[]][] = [
  ["3560_CDP.pcap", ["eth.type", "eth.len", "llc.oui"]],
  ["erspan-type-ii-3.pcap", ["eth.type", "eth.len"]],
  ["MSTP_Intra-Region_BPDUs.pcap", ["vlan.etype", "vlan.len", "vlan.id"]],
  ["babel.pcap", ["sll.etype", "sll.ltype", "sll.gretype", "sll.hatype"]],
  ["dns-badcookie.pcap", ["dns.rr.udp_payload_size", "dns.id"]],
  ["dhcp-mud.pcap", ["dhcp.hw.mac_addr", "dhcp.id"]],
  ["ntp-mode7.pcap", ["ntp.flags.li", "ntp.flags.vn", "ntp.flags.mode"]],
  ["bgp_vpn_rt-oobr.pcap", ["frame.time_relative", "frame.time_delta"]],
  ["ssh.pcap", ["tcp.options.sack_le", "tcp.options.sack_re"]],
];

Deno.test({
  name:
    "-T fields prints what tshark prints on tcpdump's captures of 802.3, cooked GRE, EDNS, DHCP client ids, NTP mode 7 and far-apart times",
  ignore: !hasTshark,
  fn: async () => {
    for (const [name, fields] of CORPUS_FIELDS) {
      const path = new URL(`../../shared/pcap-corpus/tcpdump/${name}`, import.meta.url).pathname;
      const { theirs, ours } = await bothFields(path, [...fields], ["occurrence=a"]);
      // Guard: tshark gives values there.
      assert.match(theirs, /[^\t\n]/, name);
      assert.equal(ours, theirs, name);
    }
  },
});

Deno.test({
  name:
    "an IPv4 first fragment cut short by the snapshot length is read as the datagram, as tshark reads it",
  ignore: !hasTshark,
  fn: async () => {
    const cut = await Deno.makeTempFile({ suffix: ".pcap" });
    try {
      // The fixture's fragments at a snapshot length of 80: no fragment is captured whole.
      const editcap = await new Deno.Command("editcap", {
        args: ["-s", "80", new URL("fragments.pcap", FIXTURES).pathname, cut],
      }).output();
      assert.ok(editcap.success);
      const fields = ["frame.number", "udp.srcport", "udp.dstport", "udp.length", "udp.stream"];
      const { theirs, ours } = await bothFields(cut, fields);
      // Guard: tshark reads UDP in the cut first fragments (and in none of the whole ones).
      assert.ok(theirs.split("\n").filter((line) => /^\d+\t41000\t/.test(line)).length >= 5);
      assert.equal(ours, theirs);
      const selected = async (command: string, args: string[]) =>
        command === "tshark"
          ? await output("tshark", ["-n", "-r", cut, "-Y", "udp", ...args])
          : (await runNetpeek(["-r", cut, "-Y", "udp", ...args])).stdout;
      const frameNumbers = ["-T", "fields", "-e", "frame.number"];
      assert.equal(await selected("netpeek", frameNumbers), await selected("tshark", frameNumbers));
    } finally {
      await Deno.remove(cut);
    }
  },
});

Deno.test({
  name:
    "tcp.option_kind as tshark lists it: the zero bytes after an end-of-list, to the first other",
  ignore: !hasTshark,
  fn: async () => {
    const [a, b] = ["192.0.2.1", "192.0.2.2"];
    const spec = { sport: 40000, dport: 80, seq: 1, ack: 0, flags: 0x02, window: 1000 };
    const frames = [
      [2, 4, 5, 180, 0, 0, 0, 0],
      [0, 1, 1, 3, 3, 7, 0, 0],
      [1, 0, 2, 4, 5, 180, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
      [0, 1, 0, 0],
      [0, 0, 0, 0],
      [2, 4, 5, 180, 0, 0, 0, 1],
    ].map((options) =>
      ethernet(
        "02:00:00:00:00:02",
        "02:00:00:00:00:01",
        0x0800,
        ipv4({
          src: a,
          dst: b,
          protocol: 6,
          payload: tcp(ip4(a), ip4(b), spec, undefined, options),
        }),
      )
    );
    await withBuiltCapture(frames, "tcp_eol.pcap", async (path) => {
      const { theirs, ours } = await bothFields(path, ["tcp.option_kind", "tcp.options.mss_val"], [
        "occurrence=a",
      ]);
      // Guard: tshark lists zeros after the end-of-list here.
      assert.ok(theirs.includes("2,0,0,0,0\t1460"), theirs);
      assert.equal(ours, theirs);
    });
  },
});

Deno.test({
  name:
    "a capture begun mid-conversation: tcp.ack and SACK edges before the other side has sent, as tshark's",
  ignore: !hasTshark,
  fn: async () => {
    const [a, b] = ["192.0.2.1", "198.51.100.2"];
    const segment = (fromA: boolean, seq: number, ack: number, flags: number, options: number[]) =>
      ethernet(
        "02:00:00:00:00:02",
        "02:00:00:00:00:01",
        0x0800,
        ipv4({
          src: fromA ? a : b,
          dst: fromA ? b : a,
          protocol: 6,
          payload: tcp(
            ip4(fromA ? a : b),
            ip4(fromA ? b : a),
            {
              sport: fromA ? 40000 : 443,
              dport: fromA ? 443 : 40000,
              seq,
              ack,
              flags,
              window: 900,
            },
            new Uint8Array(fromA ? 0 : 100),
            options,
          ),
        }),
      );
    // SACK of one block (kind 5, length 10), after two NOPs.
    const sack = (left: number, right: number) => [1, 1, 5, 10, ...u32(left), ...u32(right)];
    const [seqA, seqB] = [1_000_000, 5_000_000];
    const frames = [
      // A acknowledges B's data before B's first segment is in the capture, then SACKs.
      segment(true, seqA, seqB + 100, 0x10, []),
      segment(true, seqA, seqB + 100, 0x10, sack(seqB + 200, seqB + 300)),
      segment(true, seqA, seqB + 100, 0x10, sack(seqB + 200, seqB + 400)),
      // A segment without ACK: its acknowledgment number as sent.
      segment(true, seqA, seqB + 7, 0x02, []),
      // Then B's first segments, and A's acknowledgments of them.
      segment(false, seqB + 100, seqA, 0x18, []),
      segment(true, seqA, seqB + 200, 0x10, []),
      segment(false, seqB + 200, seqA, 0x18, []),
      segment(true, seqA, seqB + 300, 0x10, sack(seqB + 400, seqB + 500)),
    ];
    await withBuiltCapture(frames, "tcp_unseen_peer.pcap", async (path) => {
      const fields = ["tcp.seq", "tcp.ack", "tcp.options.sack_le", "tcp.options.sack_re"];
      const { theirs, ours } = await bothFields(path, fields, ["occurrence=a"]);
      // Guard: tshark counts B's numbers from A's first acknowledgment before B has sent.
      assert.match(theirs, /^1\t1\t\t\n1\t1\t101\t201\n/, theirs);
      assert.equal(ours, theirs);
    });
  },
});

Deno.test({
  name: "-E separator, quote, occurrence and aggregator as tshark's",
  ignore: !hasTshark,
  fn: async () => {
    const path = new URL("protocols/vxlan.pcap", FIXTURES).pathname;
    const fields = ["frame.number", "ip.src", "eth.addr", "vxlan.vni"];
    for (
      const options of [
        ["separator=,", "quote=d"],
        ["separator=/s", "occurrence=f"],
        ["occurrence=l", "quote=s", "header=y"],
        ["aggregator=;", "separator=|"],
        ["aggregator=/s", "header=y", "quote=n"],
      ]
    ) {
      const { theirs, ours } = await bothFields(path, fields, options);
      assert.ok(theirs.length > 100);
      assert.equal(ours, theirs, options.join(" "));
    }
  },
});

/** tshark numbers a new stream where a port pair is reused after a close; so must netpeek. */
Deno.test({
  name: "a port pair reused after a close is a new tcp.stream and a new conversation, live on lo",
  ignore: !hasTshark || !(await hasCommand("curl")) || !(await hasCommand("tcpdump")),
  fn: async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    // Without a length the client reads to the server's close: the server closes first, so
    // the client's port is free again at once (no TIME_WAIT on its side).
    const serve = (async () => {
      for await (const connection of listener) {
        await connection.read(new Uint8Array(4096)).catch(() => null);
        await connection.write(new TextEncoder().encode("HTTP/1.0 200 OK\r\n\r\nok"))
          .catch(() => 0);
        connection.close();
      }
    })();
    const dir = await Deno.makeTempDir({ prefix: "netpeek-reuse-" });
    const path = `${dir}/reuse.pcap`;
    try {
      await captureLo(path, `tcp port ${port}`, async () => {
        const clientPort = 20000 + Math.floor(Math.random() * 10000);
        const connections = 3;
        for (let i = 0; i < connections; i++) {
          const curl = await new Deno.Command("curl", {
            args: [
              "-s",
              "-m",
              "5",
              "--local-port",
              String(clientPort),
              `http://127.0.0.1:${port}/`,
            ],
            stdout: "piped",
            stderr: "null",
          }).output();
          assert.equal(new TextDecoder().decode(curl.stdout), "ok");
        }
      });
    } finally {
      listener.close();
      await serve.catch(() => {});
    }
    try {
      const theirs = await output("tshark", ["-n", "-r", path, "-T", "fields", "-e", "tcp.stream"]);
      const streams = new Set(theirs.trim().split("\n"));
      assert.equal(streams.size, 3, `tshark sees three connections: ${[...streams]}`);
      const ours = await runNetpeek(["-r", path, "-T", "fields", "-e", "tcp.stream"]);
      assert.equal(ours.stdout, theirs);
      // --stats: three conversations, as tshark -z conv,tcp lists.
      const conversations = await output("tshark", ["-n", "-r", path, "-q", "-z", "conv,tcp"]);
      const stats = await runNetpeek(["-r", path, "--stats"]);
      assert.equal(
        stats.stdout.split("\n").filter((line) => /^tcp\s+\S+:\d+/.test(line)).length,
        conversations.split("\n").filter((line) => line.includes("<->")).length,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a bad expression: one message, the expression, a caret under the place; exit 2", async () => {
  const cases: [string, RegExp, number][] = [
    ["(tcp.port == 80", /a \( is not closed/, 15],
    ["tcp.port == 80)", /\)/, 14],
    ["tcp.prot == 80", /did you mean tcp\.port/, 0],
    ["ip.src == hello", /"hello" is not an IPv4 address/, 10],
    ['tcp.port == "x"', /not a number/, 12],
    ["ip.addr == 192.0.2.0/33", /prefix length/, 11],
    ["", /empty/, 0],
    ["tcp &&", /missing/, 6],
    ["tcp.port = 80", /"=" was not expected/, 9],
    ["tcp.port in {80 443}", /commas/, 16],
    ['eth.src matches "^02"', /matches takes a string field/, 0],
  ];
  for (const [expression, reason, caret] of cases) {
    const result = await runNetpeek([
      "-r",
      new URL("mixed.pcap", FIXTURES).pathname,
      "-Y",
      expression,
    ]);
    assert.equal(result.code, 2, expression);
    assert.equal(result.stdout, "");
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 3, result.stderr);
    assert.match(lines[0], /^netpeek: display filter: /);
    assert.match(lines[0], reason);
    assert.equal(lines[1], `  ${expression}`);
    assert.equal(lines[2], `  ${" ".repeat(caret)}^`, `${expression}: ${result.stderr}`);
  }
  // The library throws the same error, with the place.
  assert.throws(() => compileDisplayFilter("tcp.port = 80"), (error: unknown) => {
    return error instanceof DisplayFilterError && error.position === 9;
  });
});

Deno.test("-T fields refuses an unknown field and a protocol, naming the nearest fields", async () => {
  const path = new URL("mixed.pcap", FIXTURES).pathname;
  const unknown = await runNetpeek(["-r", path, "-T", "fields", "-e", "ip.sorc"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /-e ip\.sorc: not a field netpeek knows; did you mean ip\.src/);
  const option = await runNetpeek(["-r", path, "-T", "fields", "-e", "ip.src", "-E", "quote=x"]);
  assert.equal(option.code, 2);
  assert.equal(option.stderr.trimEnd().split("\n").length, 1);
});

Deno.test({
  name: "the field types are tshark's today (src/filter/field_types.ts is current)",
  ignore: !hasTshark,
  fn: async () => {
    const committed = await Deno.readTextFile(
      new URL("../src/filter/field_types.ts", import.meta.url),
    );
    assert.equal(committed, await fieldTypesSource());
    // Every field has a type tshark knows: none is missing from tshark's registry.
    const untyped = [...FILTER_FIELDS.values()].filter((field) => field.type === "");
    assert.deepEqual(untyped.map((field) => field.name), []);
  },
});

Deno.test("docs/filters.md's table of fields is current", async () => {
  const doc = await Deno.readTextFile(new URL("../docs/filters.md", import.meta.url));
  const table = filterTableSource();
  assert.ok(table.split("\n").length > FILTER_FIELDS.size, "a row per field");
  assert.ok(doc.includes(table), "run scripts/make_filter_docs.ts");
});

Deno.test("docs/filters.md's error example is what netpeek prints", async () => {
  const doc = await Deno.readTextFile(new URL("../docs/filters.md", import.meta.url));
  const example = doc.match(/\$ netpeek -r capture\.pcap -Y '([^']+)'\n([\s\S]*?)\n```/);
  assert.ok(example, "the example is in the doc");
  const result = await runNetpeek([
    "-r",
    new URL("mixed.pcap", FIXTURES).pathname,
    "-Y",
    example[1],
  ]);
  assert.equal(result.code, 2);
  assert.equal(result.stderr.trimEnd(), example[2]);
});

Deno.test({
  name: "checksum statuses are tshark's with its checksum checks on",
  ignore: !hasTshark,
  fn: async () => {
    const path = new URL("mixed.pcap", FIXTURES).pathname;
    const fields = ["ip.checksum.status", "udp.checksum.status", "tcp.checksum.status"];
    const args = fields.flatMap((field) => ["-e", field]);
    const checks = ["ip", "udp", "tcp"].flatMap((layer) => ["-o", `${layer}.check_checksum:TRUE`]);
    const theirs = (await output("tshark", ["-n", ...checks, "-r", path, "-T", "fields", ...args]))
      .split("\n");
    const ours = (await runNetpeek(["-r", path, "-T", "fields", ...args])).stdout.split("\n");
    assert.equal(ours.length, theirs.length);
    let good = 0;
    theirs.forEach((line, at) => {
      // Bad (0) in tshark, unverified (2) in netpeek: a checksum the sending host's card was to
      // fill in (docs/filters.md); anything else must agree.
      const expected = line.split("\t").map((status, column) =>
        status === "0" && ours[at].split("\t")[column] === "2" ? "2" : status
      ).join("\t");
      assert.equal(ours[at], expected, `frame ${at + 1}`);
      if (/\b1\b/.test(line)) good++;
    });
    assert.ok(good > 20, `${good} frames with a verified checksum`);
  },
});

Deno.test("-Y live on lo: after the BPF filter, only the matches, and -c counts matches", async () => {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  const wanted = socket.address().port;
  const other = wanted === 65535 ? wanted - 1 : wanted + 1;
  const send = (payload: Uint8Array, port: number) =>
    new Promise<void>((resolve, reject) =>
      socket.send(payload, port, "127.0.0.1", (error) => error ? reject(error) : resolve())
    );
  const netpeek = new NetpeekProcess([
    "-i",
    "lo",
    "--duration",
    "20",
    "-c",
    "3",
    "-Y",
    `udp.dstport == ${wanted} && udp.length > 8`,
    "-T",
    "fields",
    "-e",
    "udp.dstport",
    "-e",
    "udp.length",
    `udp and (port ${wanted} or port ${other})`,
  ]);
  try {
    await netpeek.listening();
    const payload = new TextEncoder().encode("netpeek");
    // Each wanted datagram follows one to the other port and an empty one: both left out.
    for (let i = 0; i < 5; i++) {
      await send(payload, other);
      await send(new Uint8Array(0), wanted);
      await send(payload, wanted);
    }
    const result = await netpeek.finished();
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${wanted}\t15\n`.repeat(3));
  } finally {
    socket.close();
  }
});

Deno.test({
  name: "readCapture's displayFilter yields the frames tshark -Y selects; a bad one throws first",
  ignore: !hasTshark,
  fn: async () => {
    const path = new URL("tcp-real.pcap", FIXTURES).pathname;
    const expression = "tcp.analysis.out_of_order || tcp.stream == 0 && tcp.len > 1400";
    const theirs = await tsharkSelects(path, expression);
    const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16)).join(".");
    const selected: string[] = [];
    for await (const packet of readCapture(path, { displayFilter: expression })) {
      selected.push(hex(packet.bytes));
    }
    const all: string[] = [];
    for await (const packet of readCapture(path)) all.push(hex(packet.bytes));
    assert.ok(theirs.length > 50 && theirs.length < all.length);
    assert.deepEqual(selected, theirs.map((number) => all[number - 1]));
    await assert.rejects(async () => {
      for await (const _ of readCapture("/nonexistent.pcap", { displayFilter: "tcp.port ==" })) {
        // never reached: the filter fails before the file is opened
      }
    }, DisplayFilterError);
  },
});

Deno.test({
  name: "the TCP reserved bits, set in tcpdump's captures: tcp.flags as tshark's, JSON reserved",
  ignore: !hasTshark,
  fn: async () => {
    const corpus = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
    for (const name of ["heapoverflow-tcp_print.pcap", "tcp-auth-heapoverflow.pcap"]) {
      const path = new URL(name, corpus).pathname;
      const fields = ["frame.number", "tcp.flags", "tcp.flags.res", "tcp.flags.ae"];
      const { theirs, ours } = await bothFields(path, fields, []);
      assert.equal(ours, theirs);
      const frames = await tsharkSelects(path, "tcp.flags.res == 1");
      assert.equal(frames.length, 1, `tshark sees one segment with reserved bits in ${name}`);
      const [ourFrames] = await netpeekSelects([[path, "tcp.flags.res == 1"]]);
      assert.deepEqual(ourFrames, frames);
      const json = await netpeekLines(path, ["--json", "-Y", "tcp.flags.res == 1"]);
      const flags = Number(theirs.split("\n")[frames[0] - 1].split("\t")[1]);
      assert.equal(JSON.parse(json[0]).tcp.reserved, flags >> 9);
    }
  },
});
