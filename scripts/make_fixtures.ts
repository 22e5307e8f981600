/**
 * Makes the decoder's fixture captures in tests/fixtures, and the reference values tshark
 * reads from them (`<name>.tshark.tsv`), which the decoder tests compare against.
 *
 * - Hand-built frames (deterministic): IPv4 flag and fragment cases, options, a bad checksum,
 *   TOS/ECN values, Ethernet padding, IPv6, ARP, VLAN/QinQ, Linux cooked v1 and v2, raw IP and
 *   BSD loopback link types.
 * - `editcap -s` cuts a copy to a small snapshot length: snaplen-truncated frames.
 * - tcpdump captures real loopback traffic on `lo` (Ethernet) and on `any` (Linux cooked v1
 *   and v2), unless `--no-live` is given. Needs root, tcpdump, tshark, editcap and ping.
 *
 * Run: `deno task fixtures` (add `--no-live` to keep the committed live captures).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { taskArgs } from "./task_args.ts";

import {
  A,
  B,
  concat,
  ethernet,
  icmpEcho,
  ip4,
  ip6,
  ipv4,
  type Ipv4Spec,
  mac,
  MAC_A,
  MAC_B,
  tcp,
  text,
  u16,
  u32,
  udp,
  udp6,
} from "./packet_builder.ts";
import {
  fragmentFrames,
  scanFrames,
  stackFrames,
  tcpAnalysisFrames,
  type TimedFrame,
} from "./stack_fixtures.ts";

const OUT = new URL("../tests/fixtures/", import.meta.url).pathname;

// --- pcap ----------------------------------------------------------------------------------

interface PcapLayout {
  snaplen?: number;
  /** Nanosecond magic, and fractions with digits below the microsecond. */
  nanosecond?: boolean;
  /** Big-endian, as a SPARC or PowerPC host writes it. */
  bigEndian?: boolean;
}

/** A classic pcap file of records at whole-number times (seconds and a fraction). */
export function pcapRecords(
  linkType: number,
  records: { seconds: number; fraction: number; frame: Uint8Array; wireLength?: number }[],
  layout: PcapLayout = {},
): Uint8Array {
  const little = !layout.bigEndian;
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, layout.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, little);
  header.setUint16(4, 2, little);
  header.setUint16(6, 4, little);
  header.setUint32(16, layout.snaplen ?? 262144, little);
  header.setUint32(20, linkType, little);
  return concat(
    new Uint8Array(header.buffer),
    ...records.map(({ seconds, fraction, frame, wireLength }) => {
      const record = new DataView(new ArrayBuffer(16));
      record.setUint32(0, seconds, little);
      record.setUint32(4, fraction, little);
      record.setUint32(8, frame.length, little);
      record.setUint32(12, wireLength ?? frame.length, little);
      return concat(new Uint8Array(record.buffer), frame);
    }),
  );
}

/** A classic pcap file of frames at the given times (seconds, microsecond precision). */
function timedPcap(linkType: number, frames: TimedFrame[]): Uint8Array {
  return pcapRecords(
    linkType,
    frames.map(({ time, frame }) => {
      const micros = Math.round(time * 1e6);
      return { seconds: Math.floor(micros / 1e6), fraction: micros % 1e6, frame };
    }),
  );
}

/** A classic pcap file: one record a second from 2026-01-01T00:00:00Z. */
function pcap(linkType: number, frames: Uint8Array[], layout: PcapLayout = {}): Uint8Array {
  return pcapRecords(
    linkType,
    frames.map((frame, index) => ({
      seconds: 1767225600 + index,
      fraction: layout.nanosecond ? 1_000_000 * index + 7 * index : 1000 * index,
      frame,
    })),
    layout,
  );
}

/**
 * A big-endian pcapng file with what tools rarely write: a time resolution of 2^-20 s, a
 * Simple Packet Block cut to the interface's snapshot length, and blocks to skip (name
 * resolution, interface statistics).
 */
function unusualPcapng(frames: Uint8Array[]): Uint8Array {
  const block = (type: number, body: Uint8Array) => {
    const padded = concat(body, new Uint8Array((4 - (body.length % 4)) % 4));
    const length = 12 + padded.length;
    return concat(u32(type), u32(length), padded, u32(length));
  };
  const option = (code: number, value: number[]) =>
    concat(u16(code), u16(value.length), value, new Array((4 - (value.length % 4)) % 4).fill(0));
  const section = block(
    0x0a0d0d0a,
    concat(u32(0x1a2b3c4d), u16(1), u16(0), u32(0xffffffff), u32(0xffffffff)),
  );
  const snaplen = 64;
  const iface = block(
    1,
    concat(u16(1), u16(0), u32(snaplen), option(2, [...text("eth-test")]), option(9, [0x80 | 20]), [
      0,
      0,
      0,
      0,
    ]),
  );
  // One IPv4 name record (address, then a NUL-terminated name, padded) and the end record.
  const names = block(4, concat(u16(1), u16(9), ip4(A), [...text("host"), 0, 0, 0, 0], u32(0)));
  // 1767225600.5 s in 2^-20 s ticks
  const ticksHigh = Math.floor((1767225600 * 2 ** 20 + 2 ** 19) / 2 ** 32);
  const ticksLow = (1767225600 * 2 ** 20 + 2 ** 19) % 2 ** 32;
  const enhanced = block(
    6,
    concat(
      u32(0),
      u32(ticksHigh),
      u32(ticksLow),
      u32(frames[0].length),
      u32(frames[0].length),
      frames[0],
    ),
  );
  const simple = block(3, concat(u32(frames[1].length), frames[1].subarray(0, snaplen)));
  const statistics = block(5, concat(u32(0), u32(ticksHigh), u32(ticksLow), u32(0)));
  return concat(section, iface, names, enhanced, simple, statistics);
}

// --- the captures --------------------------------------------------------------------------

/** An Ethernet frame carrying IPv4 from A to B (`out`) or from B to A (`back`). */
function framed(direction: "out" | "back", spec: Omit<Ipv4Spec, "src" | "dst">): Uint8Array {
  const out = direction === "out";
  return ethernet(
    out ? MAC_B : MAC_A,
    out ? MAC_A : MAC_B,
    0x0800,
    ipv4({ src: out ? A : B, dst: out ? B : A, ...spec }),
  );
}

function ipv4Cases(): Uint8Array[] {
  const a = ip4(A);
  const b = ip4(B);
  const hello = text("hello");
  const datagram = (spec: Partial<Ipv4Spec>, payload = udp(a, b, 40000, 5001, hello)) =>
    framed("out", { protocol: 17, payload, ...spec });
  const fragmentBody = new Uint8Array(24).fill(0x61);
  const ping = text("ping-data-0123456789");
  return [
    datagram({ flagsOffset: 0x4000 }), // DF only
    datagram({ flagsOffset: 0x2000, id: 0x0101 }), // MF, offset 0: first fragment
    datagram({ flagsOffset: 0x2000 | 185, id: 0x0101 }, fragmentBody), // middle, offset 1480
    datagram({ flagsOffset: 370, id: 0x0101 }, fragmentBody), // last fragment, offset 2960
    datagram({ flagsOffset: 0x0000 }), // no flags at all
    datagram({ flagsOffset: 0x8000 }), // the reserved bit alone
    datagram({ options: [148, 4, 0, 0, 1, 7, 7, 4, 0, 0, 0, 0] }), // RA, NOP, RR
    datagram({ options: [68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0] }), // timestamp
    datagram({ badChecksum: 0xbeef }), // wrong header checksum
    datagram({ tos: 0xbb }), // DSCP EF (46), ECN CE
    datagram({ tos: 0x8a }), // DSCP AF41 (34), ECN ECT(0)
    datagram({ tos: 0x01, ttl: 1 }), // ECN ECT(1), TTL 1
    framed("out", {
      protocol: 6,
      payload: tcp(
        a,
        b,
        {
          sport: 51234,
          dport: 443,
          seq: 0xfffffff0,
          ack: 0,
          flags: 0x002, // SYN, with MSS and SACK-permitted options
          window: 64240,
        },
        new Uint8Array(0),
        [2, 4, 5, 0xb4, 1, 1, 4, 2],
      ),
    }),
    framed("back", {
      protocol: 6,
      payload: tcp(b, a, {
        sport: 443,
        dport: 51234,
        seq: 1000,
        ack: 0xfffffff1,
        flags: 0x018, // PSH, ACK
        window: 501,
      }, text("HTTP/1.1 200 OK\r\n")),
    }),
    framed("out", {
      protocol: 6,
      tos: 0x02,
      payload: tcp(a, b, {
        sport: 51234,
        dport: 443,
        seq: 1,
        ack: 1018,
        flags: 0x1c1, // NS, CWR, ECE, FIN
        window: 0,
      }),
    }),
    framed("out", { protocol: 1, payload: icmpEcho(8, 0x1234, 7, ping) }),
    framed("back", { protocol: 1, flagsOffset: 0, payload: icmpEcho(0, 0x1234, 7, ping) }),
  ];
}

function otherProtocols(): Uint8Array[] {
  const v6a = ip6("2001:db8::1");
  const v6b = ip6("2001:db8:0:1::2");
  const udpData = text("v6 data");
  const datagram6 = udp6("2001:db8::1", "2001:db8:0:1::2", 5353, 5353, udpData);
  const ipv6 = (next: number, payload: Uint8Array, src = v6a, dst = v6b) =>
    concat([0x60, 0xb0, 0x12, 0x34], u16(payload.length), [next, 255], src, dst, payload);
  const echo6 = icmpEcho(128, 42, 1, text("abc"));
  const arpRequest = concat(
    [0, 1, 8, 0, 6, 4, 0, 1],
    mac(MAC_A),
    ip4(A),
    [0, 0, 0, 0, 0, 0],
    ip4("192.0.2.254"),
  );
  const arpReply = concat(
    [0, 1, 8, 0, 6, 4, 0, 2],
    mac(MAC_B),
    ip4("192.0.2.254"),
    mac(MAC_A),
    ip4(A),
  );
  return [
    ethernet("33:33:00:00:00:fb", MAC_A, 0x86dd, ipv6(17, datagram6)),
    ethernet(MAC_B, MAC_A, 0x86dd, ipv6(58, echo6)),
    ethernet("ff:ff:ff:ff:ff:ff", MAC_A, 0x0806, arpRequest),
    ethernet(MAC_A, MAC_B, 0x0806, arpReply),
  ];
}

function vlanFrames(): Uint8Array[] {
  const a = ip4(A);
  const b = ip4(B);
  const inner = ipv4({
    src: A,
    dst: B,
    protocol: 17,
    payload: udp(a, b, 1000, 2000, text("tagged")),
  });
  return [
    // 802.1Q: PCP 5, VLAN 100
    ethernet(MAC_B, MAC_A, 0x8100, concat(u16(0xa064), u16(0x0800), inner)),
    // 802.1ad outer S-tag VLAN 200 (PCP 3, DEI), inner C-tag VLAN 300
    ethernet(
      MAC_B,
      MAC_A,
      0x88a8,
      concat(u16(0x70c8), u16(0x8100), u16(0x012c), u16(0x0800), inner),
    ),
  ];
}

/** An interface index no machine is likely to have: `-i any` lines print `?` for its name. */
const UNNAMED_INTERFACE_INDEX = 4242;

function sllFrames(version: 1 | 2): Uint8Array[] {
  const a = ip4("127.0.0.1");
  const payload = ipv4({
    src: "127.0.0.1",
    dst: "127.0.0.1",
    protocol: 17,
    payload: udp(a, a, 33333, 53, text("cooked")),
  });
  const address = [...mac(MAC_A), 0, 0];
  const header = (packetType: number, protocol: number) =>
    version === 1 ? concat(u16(packetType), u16(1), u16(6), address, u16(protocol)) : concat(
      u16(protocol),
      [0, 0],
      u32(UNNAMED_INTERFACE_INDEX),
      u16(1),
      [packetType, 6],
      address,
    );
  return [
    concat(header(0, 0x0800), payload), // to us
    concat(header(4, 0x0800), payload), // sent by us
  ];
}

function rawFrames(): Uint8Array[] {
  const a = ip4(A);
  const b = ip4(B);
  return [ipv4({ src: A, dst: B, protocol: 17, payload: udp(a, b, 7, 7, text("raw")) })];
}

function nullFrames(): Uint8Array[] {
  const a = ip4("127.0.0.1");
  const packet = ipv4({
    src: "127.0.0.1",
    dst: "127.0.0.1",
    protocol: 17,
    payload: udp(a, a, 1234, 4321, text("bsd")),
  });
  return [concat([2, 0, 0, 0], packet)]; // AF_INET in a little-endian host's order
}

// --- tools ---------------------------------------------------------------------------------

async function run(command: string, args: string[], allowFailure = false): Promise<string> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success && !allowFailure) {
    throw new Error(`${command} ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout);
}

/** The tshark fields the decoder tests compare, in this order. */
export const TSHARK_FIELDS = [
  "frame.time_epoch",
  "frame.interface_id",
  "frame.comment",
  "frame.cap_len",
  "frame.len",
  "eth.src",
  "eth.dst",
  "eth.type",
  "ieee8021ad.id",
  "ieee8021ad.priority",
  "ieee8021ad.dei",
  "vlan.id",
  "vlan.priority",
  "vlan.dei",
  "vlan.etype",
  "sll.pkttype",
  "sll.hatype",
  "sll.src.eth",
  "sll.etype",
  "sll.ifindex",
  "null.family",
  "ip.version",
  "ip.hdr_len",
  "ip.dsfield.dscp",
  "ip.dsfield.ecn",
  "ip.len",
  "ip.id",
  "ip.flags.rb",
  "ip.flags.df",
  "ip.flags.mf",
  "ip.frag_offset",
  "ip.ttl",
  "ip.proto",
  "ip.checksum",
  "ip.checksum.status",
  "ip.src",
  "ip.dst",
  "ip.opt.type",
  "ipv6.tclass",
  "ipv6.flow",
  "ipv6.plen",
  "ipv6.nxt",
  "ipv6.hlim",
  "ipv6.src",
  "ipv6.dst",
  "tcp.srcport",
  "tcp.dstport",
  "tcp.seq_raw",
  "tcp.ack_raw",
  "tcp.hdr_len",
  "tcp.flags",
  "tcp.window_size_value",
  "tcp.urgent_pointer",
  "tcp.len",
  "udp.srcport",
  "udp.dstport",
  "udp.length",
  "icmp.type",
  "icmp.code",
  "icmp.ident",
  "icmp.seq",
  "icmpv6.type",
  "icmpv6.code",
  "icmpv6.echo.identifier",
  "icmpv6.echo.sequence_number",
  "ipv6.fraghdr.offset",
  "ipv6.fraghdr.more",
  "ipv6.fraghdr.ident",
  "tcp.option_kind",
  "tcp.options.mss_val",
  "tcp.options.wscale.shift",
  "tcp.options.sack_le",
  "tcp.options.sack_re",
  "tcp.options.timestamp.tsval",
  "tcp.options.timestamp.tsecr",
  "tcp.checksum.status",
  "udp.checksum.status",
  "icmp.checksum.status",
  "icmpv6.checksum.status",
  "icmp.redir_gw",
  "icmp.mtu",
  "icmp.pointer",
  "icmpv6.mtu",
  "icmpv6.pointer",
  "icmpv6.nd.ns.target_address",
  "icmpv6.nd.na.target_address",
  "icmpv6.nd.na.flag.r",
  "icmpv6.nd.na.flag.s",
  "icmpv6.nd.na.flag.o",
  "icmpv6.opt.type",
  "icmpv6.opt.linkaddr",
  "icmpv6.opt.prefix",
  "icmpv6.opt.prefix.length",
  "dns.id",
  "dns.flags.response",
  "dns.flags.opcode",
  "dns.flags.rcode",
  "dns.qry.name",
  "dns.qry.type",
  "dns.count.answers",
  "arp.isgratuitous",
  "arp.opcode",
  "arp.src.hw_mac",
  "arp.src.proto_ipv4",
  "arp.dst.hw_mac",
  "arp.dst.proto_ipv4",
];

/** tshark's TCP analysis fields, read with sequence analysis on (relative numbers). */
export const TSHARK_ANALYSIS_FIELDS = [
  "tcp.stream",
  "tcp.seq",
  "tcp.ack",
  "tcp.analysis.retransmission",
  "tcp.analysis.fast_retransmission",
  "tcp.analysis.spurious_retransmission",
  "tcp.analysis.out_of_order",
  "tcp.analysis.lost_segment",
  "tcp.analysis.duplicate_ack_num",
  "tcp.analysis.zero_window",
  "tcp.analysis.window_full",
  "tcp.analysis.keep_alive",
  "tcp.analysis.window_update",
];

/** tshark's TCP analysis of a capture, one row per frame. */
export async function tsharkAnalysis(path: string): Promise<string> {
  return await run("tshark", [
    "-n",
    "-r",
    path,
    "-T",
    "fields",
    "-E",
    "header=y",
    "-E",
    "separator=/t",
    "-E",
    "occurrence=f",
    ...TSHARK_ANALYSIS_FIELDS.flatMap((field) => [
      "-e",
      field.startsWith("tcp.analysis.") && field !== "tcp.analysis.duplicate_ack_num"
        ? field
        : field,
    ]),
  ]);
}

/** tshark's reading of a capture, one row per frame, fields as in `TSHARK_FIELDS`. */
export async function tsharkFields(path: string): Promise<string> {
  return await run("tshark", [
    "-n",
    "-r",
    path,
    "-o",
    "ip.check_checksum:TRUE",
    "-o",
    "ip.defragment:FALSE",
    "-o",
    "ipv6.defragment:FALSE",
    "-o",
    "tcp.check_checksum:TRUE",
    "-o",
    "udp.check_checksum:TRUE",
    "-o",
    "tcp.analyze_sequence_numbers:FALSE",
    "-T",
    "fields",
    "-E",
    "header=y",
    "-E",
    "separator=/t",
    "-E",
    "occurrence=a",
    "-E",
    "aggregator=,",
    ...TSHARK_FIELDS.flatMap((field) => ["-e", field]),
  ]);
}

async function live(): Promise<void> {
  const burst = async () => {
    await new Promise((resolve) => setTimeout(resolve, 700));
    await run("ping", ["-c", "2", "-i", "0.2", "127.0.0.1"]);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const connection = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    const accepted = await listener.accept();
    await connection.write(text("fixture"));
    await accepted.read(new Uint8Array(16));
    connection.close();
    accepted.close();
    listener.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
  };
  const captures: [string, string[]][] = [
    ["lo-tcpdump.pcap", ["-i", "lo"]],
    ["any-sll2-tcpdump.pcap", ["-i", "any", "-y", "LINUX_SLL2"]],
    ["any-sll-tcpdump.pcap", ["-i", "any", "-y", "LINUX_SLL"]],
  ];
  for (const [name, args] of captures) {
    // Only loopback traffic that this script makes: ICMP echo and one TCP connection.
    const filter = "host 127.0.0.1 and (icmp or tcp)";
    const child = new Deno.Command("tcpdump", {
      args: [...args, "-c", "16", "-U", "-w", OUT + name, filter],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await burst();
    await new Promise((resolve) => setTimeout(resolve, 300));
    try {
      child.kill("SIGINT");
    } catch {
      // already done: it saw its 16 packets
    }
    await child.status;
  }
}

/**
 * A real TCP transfer between two test namespaces, captured on the sender's side: for 300 ms
 * the receiver's MTU is too small for the segments (lost after capture: retransmissions), and
 * the receiver stops reading for a second (its buffer fills: zero window).
 */
async function realTcp(): Promise<void> {
  const [nsA, nsB] = ["netpeek-fix-a", "netpeek-fix-b"];
  const ip = (...args: string[]) => run("ip", args);
  const peer = new URL("./tcp_peer.ts", import.meta.url).pathname;
  await ip("netns", "del", nsA).catch(() => {});
  await ip("netns", "del", nsB).catch(() => {});
  try {
    await ip("netns", "add", nsA);
    await ip("netns", "add", nsB);
    await ip("link", "add", "npfa", "type", "veth", "peer", "name", "npfb");
    await ip("link", "set", "npfa", "netns", nsA);
    await ip("link", "set", "npfb", "netns", nsB);
    await ip("-n", nsA, "addr", "add", "10.254.9.1/24", "dev", "npfa");
    await ip("-n", nsB, "addr", "add", "10.254.9.2/24", "dev", "npfb");
    await ip("-n", nsA, "link", "set", "npfa", "up");
    await ip("-n", nsB, "link", "set", "npfb", "up");
    // Segmentation offload would hand tcpdump 64 KiB "segments" that never crossed a wire.
    await run(
      "ip",
      ["netns", "exec", nsB, "ethtool", "-K", "npfb", "tso", "off", "gso", "off"],
      true,
    );
    const capture = new Deno.Command("ip", {
      args: [
        "netns",
        "exec",
        nsB,
        "tcpdump",
        "-i",
        "npfb",
        "-s",
        "96",
        "-U",
        "-Z",
        "root",
        "-w",
        OUT + "tcp-real.pcap",
        "tcp port 5555",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const server = new Deno.Command("ip", {
      args: [
        "netns",
        "exec",
        nsA,
        Deno.execPath(),
        "run",
        "-A",
        peer,
        "server",
        "5555",
        "50",
        "1000",
      ],
      stdout: "null",
    }).spawn();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const client = new Deno.Command("ip", {
      args: [
        "netns",
        "exec",
        nsB,
        Deno.execPath(),
        "run",
        "-A",
        peer,
        "client",
        "10.254.9.1",
        "5555",
        String(1 << 20),
      ],
    }).spawn();
    await new Promise((resolve) => setTimeout(resolve, 1300));
    // A receiver MTU below the segments' size: veth drops them after the sender's capture.
    await ip("-n", nsA, "link", "set", "npfa", "mtu", "1000");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await ip("-n", nsA, "link", "set", "npfa", "mtu", "1500");
    await client.status;
    await server.status;
    await new Promise((resolve) => setTimeout(resolve, 500));
    capture.kill("SIGINT");
    await capture.status;
  } finally {
    await ip("netns", "del", nsA).catch(() => {});
    await ip("netns", "del", nsB).catch(() => {});
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: taskArgs(),
    options: { "no-live": { type: "boolean" }, "real-tcp-only": { type: "boolean" } },
  });
  await Deno.mkdir(OUT, { recursive: true });
  const files: [string, Uint8Array][] = [
    ["ipv4-cases.pcap", pcap(1, ipv4Cases())],
    ["stack.pcap", pcap(1, stackFrames())],
    ["fragments.pcap", pcap(1, fragmentFrames())],
    ["tcp-analysis.pcap", timedPcap(1, tcpAnalysisFrames())],
    ["scan.pcap", timedPcap(1, scanFrames())],
    ["nano.pcap", pcap(1, ipv4Cases().slice(0, 4), { nanosecond: true })],
    ["big-endian.pcap", pcap(1, ipv4Cases().slice(12, 17), { bigEndian: true })],
    ["unusual.pcapng", unusualPcapng([ipv4Cases()[0], ipv4Cases()[13]])],
    ["other-protocols.pcap", pcap(1, otherProtocols())],
    ["vlan.pcap", pcap(1, vlanFrames())],
    ["sll.pcap", pcap(113, sllFrames(1))],
    ["sll2.pcap", pcap(276, sllFrames(2))],
    ["raw.pcap", pcap(101, rawFrames())],
    ["null.pcap", pcap(0, nullFrames())],
  ];
  for (const [name, bytes] of files) await Deno.writeFile(OUT + name, bytes);
  // Snaplen truncation by an independent tool: cut the IPv4 cases at 40 and 54 bytes.
  await run("editcap", [
    "-F",
    "pcap",
    "-s",
    "40",
    OUT + "ipv4-cases.pcap",
    OUT + "truncated-40.pcap",
  ]);
  await run("editcap", [
    "-F",
    "pcap",
    "-s",
    "54",
    OUT + "ipv4-cases.pcap",
    OUT + "truncated-54.pcap",
  ]);
  if (values["real-tcp-only"]) await realTcp();
  else if (!values["no-live"]) {
    await live();
    await realTcp();
  }
  // pcapng as Wireshark's tools write it: several link types and resolutions, comments.
  await run("mergecap", [
    "-F",
    "pcapng",
    "-w",
    OUT + "multi.pcapng",
    OUT + "nano.pcap",
    OUT + "raw.pcap",
    OUT + "sll2.pcap",
  ]);
  await run("editcap", [
    "-F",
    "pcapng",
    "-a",
    "1:first frame comment",
    "-a",
    "2:second, with ünïcode",
    OUT + "vlan.pcap",
    OUT + "comments.pcapng",
  ]);
  // Every Ethernet fixture in one file, for comparing filters with tcpdump's.
  await run("mergecap", [
    "-F",
    "pcap",
    "-w",
    OUT + "mixed.pcap",
    ...["ipv4-cases", "other-protocols", "vlan", "lo-tcpdump"].map((name) => `${OUT}${name}.pcap`),
  ]);

  for await (const entry of Deno.readDir(OUT)) {
    if (!/\.pcap(ng)?$/.test(entry.name)) continue;
    // The real transfer is for TCP analysis only; its full field dump would be large.
    if (entry.name.startsWith("tcp-real")) {
      await Deno.writeTextFile(
        OUT + "tcp-real.tshark-analysis.tsv",
        await tsharkAnalysis(OUT + entry.name),
      );
      continue;
    }
    const tsv = await tsharkFields(OUT + entry.name);
    await Deno.writeTextFile(OUT + entry.name.replace(/\.pcap(ng)?$/, ".tshark.tsv"), tsv);
    console.log(`${entry.name}: ${tsv.trim().split("\n").length - 1} frames`);
    if (entry.name.startsWith("tcp-")) {
      await Deno.writeTextFile(
        OUT + entry.name.replace(/\.pcap$/, ".tshark-analysis.tsv"),
        await tsharkAnalysis(OUT + entry.name),
      );
    }
  }
}

if (import.meta.main) await main();
