/**
 * IPv6 routing headers (RFC 8200 section 4.4): the deprecated type 0, Mobile IPv6's type 2 and
 * the Segment Routing Header (RFC 8754), on tcpdump's captures of them and on built packets of
 * every case tcpdump 4.99 words differently (reserved and flags not zero, odd lengths, unknown
 * types, segment lists shorter than the length, headers cut short, Ethernet carried after an
 * SRH). The text is held to `tcpdump -n` at several `-v` levels, the fields and the transport
 * checksums (whose pseudo-header holds the final destination, RFC 8200 section 8.1) to tshark.
 * Also: a raw IP frame of a version neither 4 nor 6, tcpdump's `unknown ip N`.
 *
 * This kernel makes no SRv6 encapsulation to capture live (`ip -6 route add … encap seg6` says
 * "lwt encapsulation type not supported"), and no program among the packages sends a routing
 * header, so these are capture files.
 */

import assert from "node:assert/strict";
import {
  ICMP_FIELDS,
  type IcmpHeader,
  IPV6_FIELDS,
  type Ipv6Header,
  Ipv6RoutingHeader,
  TCP_FIELDS,
  type TcpHeader,
  UDP_FIELDS,
  type UdpHeader,
} from "../src/decode/mod.ts";
import {
  checksum,
  concat,
  ethernet,
  ip6,
  pseudo6,
  u16,
  u32,
  udp6,
} from "../scripts/packet_builder.ts";
import {
  type BuiltRecord,
  compareFields,
  compareText,
  compareTextWithNotes,
  type FieldCheck,
  output,
  withRecords,
} from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);

/** tcpdump's captures with routing headers (the last two cut short by the capture). */
const CORPUS_FILES = [
  "ipv6-routing-header.pcap",
  "ipv6-srh-ext-header.pcap",
  "ipv6-srh-insert-cksum.pcap",
  "ipv6-srh-ipproto-ether.pcap",
  "ipv6-srh-tlv-hmac.pcap",
  "ipv6-srh-tlv-pad1-padn-5.pcap",
  "ipv6-srh-tlv-pad1-padn-5-trunc.pcap",
  "ipv6-rthdr-oobr.pcap",
  "hoobr_rt6_print.pcap",
];

const LINKTYPE_RAW = 101;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ROUTING = 43;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_NONE = 59;
const IPPROTO_ETHERNET = 143;

const SOURCE = "2001:db8::1";
const VIA = "2001:db8::2";
const FINAL = "2001:db8::3";
const OTHER = "2001:db8::4";

/** An IPv6 packet from SOURCE to VIA (the routing header's next hop). */
function packet6(next: number, payload: Uint8Array, payloadLength = payload.length): Uint8Array {
  return concat([0x60, 0, 0, 0], u16(payloadLength), [next, 64], ip6(SOURCE), ip6(VIA), payload);
}

/** A routing header: its fixed four bytes, then `data`; the length field as given or fitted. */
function routing(
  next: number,
  type: number,
  segmentsLeft: number,
  data: (number[] | Uint8Array)[],
  lengthUnits?: number,
): Uint8Array {
  const body = concat(...data);
  return concat([next, lengthUnits ?? (body.length + 4) / 8 - 1, type, segmentsLeft], body);
}

/** A UDP datagram whose checksum covers `destination` in its pseudo-header. */
function udpTo(destination: string): Uint8Array {
  return udp6(SOURCE, destination, 1000, 2000, new TextEncoder().encode("abcd"));
}

/** An ICMPv6 echo request whose checksum covers `destination`. */
function echoTo(destination: string): Uint8Array {
  const message = concat([128, 0, 0, 0], u16(1), u16(2), [1, 2, 3, 4]);
  const pseudo = pseudo6(SOURCE, destination, IPPROTO_ICMPV6, message.length);
  message.set(u16(checksum(message, pseudo)), 2);
  return message;
}

/** A TCP SYN whose checksum covers `destination`. */
function synTo(destination: string): Uint8Array {
  const segment = concat(u16(1000), u16(80), u32(1), u32(0), [0x50, 0x02], u16(1000), [0, 0, 0, 0]);
  segment.set(u16(checksum(segment, pseudo6(SOURCE, destination, IPPROTO_TCP, 20))), 16);
  return segment;
}

/** Every whole case, one frame each. */
function wholeFrames(): Uint8Array[] {
  const reserved = [0, 0, 0, 0];
  const srhTail = (
    lastEntry: number,
    flags: number,
    tag: number,
  ) => [lastEntry, flags, ...u16(tag)];
  return [
    // Type 0, one address: the final destination, in the checksum.
    packet6(
      IPPROTO_ROUTING,
      concat(routing(IPPROTO_UDP, 0, 1, [reserved, ip6(FINAL)]), udpTo(FINAL)),
    ),
    // The same, its checksum over the IPv6 destination instead: wrong, as tcpdump says.
    packet6(
      IPPROTO_ROUTING,
      concat(routing(IPPROTO_UDP, 0, 1, [reserved, ip6(FINAL)]), udpTo(VIA)),
    ),
    // Reserved not zero.
    packet6(
      IPPROTO_ROUTING,
      concat(routing(IPPROTO_UDP, 0, 1, [[0, 0, 1, 2], ip6(FINAL)]), udpTo(FINAL)),
    ),
    // An odd length: invalid, the line ends.
    packet6(
      IPPROTO_ROUTING,
      concat(routing(IPPROTO_UDP, 0, 1, [reserved, ip6(FINAL), new Uint8Array(8)]), udpTo(FINAL)),
    ),
    // Mobile IPv6's home address.
    packet6(
      IPPROTO_ROUTING,
      concat(routing(IPPROTO_UDP, 2, 1, [reserved, ip6(FINAL)]), udpTo(FINAL)),
    ),
    // RPL's (type 3) and an unassigned type: tcpdump names neither.
    packet6(
      IPPROTO_ROUTING,
      concat(routing(IPPROTO_UDP, 3, 1, [reserved, ip6(FINAL)]), udpTo(FINAL)),
    ),
    packet6(
      IPPROTO_ROUTING,
      concat(routing(IPPROTO_UDP, 7, 1, [reserved, ip6(FINAL)]), udpTo(FINAL)),
    ),
    // SRH: flags and a tag, two segments, the first the final destination.
    packet6(
      IPPROTO_ROUTING,
      concat(
        routing(IPPROTO_UDP, 4, 1, [srhTail(1, 5, 0x12ab), ip6(FINAL), ip6(OTHER)]),
        udpTo(FINAL),
      ),
    ),
    // SRH with a PadN TLV after one segment (the length counts it).
    packet6(
      IPPROTO_ROUTING,
      concat(
        routing(IPPROTO_UDP, 4, 0, [srhTail(0, 0, 0), ip6(FINAL), [1, 14], new Uint8Array(14)]),
        udpTo(FINAL),
      ),
    ),
    // SRH whose last entry is past what its length holds.
    packet6(
      IPPROTO_ROUTING,
      concat(routing(IPPROTO_UDP, 4, 0, [srhTail(3, 0, 0), ip6(FINAL)]), udpTo(FINAL)),
    ),
    // Length 0: no addresses, the IPv6 destination stays in the checksum.
    packet6(IPPROTO_ROUTING, concat(routing(IPPROTO_UDP, 0, 0, [reserved]), udpTo(VIA))),
    packet6(IPPROTO_ROUTING, concat(routing(IPPROTO_UDP, 4, 0, [srhTail(0, 0, 0)]), udpTo(VIA))),
    // TCP and ICMPv6 after a routing header.
    packet6(
      IPPROTO_ROUTING,
      concat(routing(IPPROTO_TCP, 0, 1, [reserved, ip6(FINAL)]), synTo(FINAL)),
    ),
    packet6(
      IPPROTO_ROUTING,
      concat(routing(IPPROTO_ICMPV6, 0, 1, [reserved, ip6(FINAL)]), echoTo(FINAL)),
    ),
    // No segments left: the IPv6 destination is the final one (RFC 8200 section 8.1, and
    // tshark); tcpdump still sums the last address.
    packet6(
      IPPROTO_ROUTING,
      concat(routing(IPPROTO_UDP, 0, 0, [reserved, ip6(FINAL)]), udpTo(VIA)),
    ),
    // RPL (RFC 6554): 8 octets elided from each address, the last one's from the destination.
    packet6(
      IPPROTO_ROUTING,
      concat(
        routing(IPPROTO_UDP, 3, 1, [[0x88, 0, 0, 0], ip6(OTHER).slice(8), ip6(FINAL).slice(8)]),
        udpTo(FINAL),
      ),
    ),
    // Nothing after it.
    packet6(IPPROTO_ROUTING, routing(IPPROTO_NONE, 0, 0, [reserved, ip6(FINAL)])),
    // Hop-by-hop, routing, then a first fragment.
    packet6(
      0,
      concat(
        [IPPROTO_ROUTING, 0, 1, 4, 0, 0, 0, 0],
        routing(IPPROTO_FRAGMENT, 0, 1, [reserved, ip6(FINAL)]),
        [IPPROTO_UDP, 0, 0, 1, 0, 0, 0, 7],
        udpTo(FINAL),
      ),
    ),
    // An Ethernet frame after an SRH (RFC 8986's End.DX2).
    packet6(
      IPPROTO_ROUTING,
      concat(
        routing(IPPROTO_ETHERNET, 4, 0, [srhTail(0, 0, 0), ip6(VIA)]),
        ethernet(
          "02:00:5e:00:53:02",
          "02:00:5e:00:53:01",
          0x86dd,
          concat(
            [0x60, 0, 0, 0],
            u16(12),
            [IPPROTO_ICMPV6, 64],
            ip6(SOURCE),
            ip6(OTHER),
            echoTo(OTHER),
          ),
        ),
      ),
    ),
  ];
}

/** A type 0 and an SRH, each cut after every field tcpdump reads. */
function cutFrames(): BuiltRecord[] {
  const type0 = packet6(
    IPPROTO_ROUTING,
    concat(routing(IPPROTO_UDP, 0, 2, [[0, 0, 0, 0], ip6(FINAL), ip6(OTHER)]), udpTo(OTHER)),
  );
  const srh = packet6(
    IPPROTO_ROUTING,
    concat(routing(IPPROTO_UDP, 4, 1, [[1, 0, 0, 0], ip6(FINAL), ip6(OTHER)]), udpTo(FINAL)),
  );
  const cuts = [41, 42, 43, 44, 45, 47, 48, 50, 64, 70, 80, 87];
  return [type0, srh].flatMap((whole) =>
    cuts.map((cut) => ({ frame: whole.subarray(0, cut), wireLength: whole.length }))
  );
}

/** The routing header's fields (a packet IPv6 carries after one has IPv6's other fields twice). */
const IPV6_CHECK: FieldCheck<Ipv6Header> = {
  fields: Object.fromEntries(
    Object.entries(IPV6_FIELDS).filter(([name]) => name.startsWith("ipv6.routing.")),
  ),
  layer: (packet) => packet.ipv6,
};
/**
 * The transport checksums, which tshark verifies only when asked (of the packet a tunnel
 * carries, where the routing header's packet carries one).
 */
const CHECKSUMS = ["-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"];
const UDP_CHECK: FieldCheck<UdpHeader> = {
  fields: UDP_FIELDS,
  layer: (packet) => (packet.inner ?? packet).udp,
  tsharkArgs: CHECKSUMS,
  // tshark stops at a Segment Routing Header whose length cannot hold its segment list, and
  // leaves a first fragment's datagram to reassembly.
  skip: (packet) => {
    const ip = packet.ipv6;
    if (ip === undefined || ip.routingHeaderOffset < 0) return false;
    if (ip.fragmentHeaderOffset >= 0) return true;
    const srh = new Ipv6RoutingHeader().bind(ip.dataView, ip.routingHeaderOffset, ip.end);
    return srh.isSegmentRouting && srh.lengthUnits < 2 * (srh.lastEntry + 1);
  },
};
const TCP_CHECK: FieldCheck<TcpHeader> = {
  fields: TCP_FIELDS,
  layer: (packet) => (packet.inner ?? packet).tcp,
  tsharkArgs: CHECKSUMS,
};
const ICMP_CHECK: FieldCheck<IcmpHeader> = {
  fields: ICMP_FIELDS,
  layer: (packet) => (packet.inner ?? packet).icmp,
};

const LEVELS = [[], ["-v"], ["-vv"], ["-q"], ["-e"], ["-x"]];

/**
 * A packet whose UDP checksum tcpdump sums over a routing header's address with no segments
 * left, where netpeek and tshark sum the IPv6 destination: one whose header lists an address
 * other than the destination.
 */
function checksumApart(text: string): boolean {
  const routing = /> (\S+): RT6 \(.*segleft=0, (.*)\) .*(udp sum ok|bad udp cksum)/.exec(text);
  if (routing === null) return false;
  const addresses = [...routing[2].matchAll(/\[\d+\]([0-9a-f:]+)/g)].map((match) => match[1]);
  return addresses.some((address) => address !== routing[1]);
}

Deno.test("IPv6 routing headers: tcpdump's RT6 words at every -v level, on its captures and on every case built", async () => {
  for (const name of CORPUS_FILES.slice(0, 6)) {
    const path = new URL(name, CORPUS).pathname;
    for (const flags of LEVELS) assert.ok(await compareText(path, () => true, flags) > 0);
  }
  await withRecords(LINKTYPE_RAW, wholeFrames().map((frame) => ({ frame })), async (path) => {
    const frames = wholeFrames().length;
    for (const flags of LEVELS) {
      const compared = await compareText(path, (text) => !checksumApart(text), flags);
      assert.ok(compared >= frames - 3, `${flags.join(" ")}: ${compared} of ${frames}`);
    }
    // The deliberate difference: with no segments left, the IPv6 destination is in the
    // pseudo-header (RFC 8200 section 8.1, as tshark sums it), where tcpdump sums the routing
    // header's address.
    const verbose = await output("tcpdump", ["-n", "-v", "-r", path]);
    const lines = verbose.trimEnd().split("\n");
    const ours = (await runNetpeek(["-v", "-r", path], { env: { TZ: "UTC" } })).stdout
      .trimEnd().split("\n");
    const apart = lines.flatMap((line, i) => checksumApart(line) ? [i] : []);
    assert.equal(apart.length, 3, verbose);
    for (const i of apart) {
      const verdict = / \[(udp sum ok|bad udp cksum 0x[0-9a-f]+ -> 0x[0-9a-f]+!)\] /;
      const [ourVerdict, theirVerdict] = [verdict.exec(ours[i])?.[1], verdict.exec(lines[i])?.[1]];
      assert.notEqual(ourVerdict, undefined, ours[i]);
      assert.notEqual(ourVerdict, theirVerdict);
      assert.equal(ours[i].replace(ourVerdict!, theirVerdict!), lines[i]);
    }
    // Guard: the cases are the ones tcpdump words apart.
    const theirs = verbose;
    for (
      const words of [
        "rsv=0x102",
        "type=0 [Deprecated], segleft=1, rsv=0x0 (invalid length 3) (invalid)",
        "type=3, segleft=1 (unknown type) (invalid)",
        "last-entry=1, flags=0x5, tag=12ab, [0]2001:db8::3, [1]2001:db8::4) ",
        "RT6 (len=2, type=2, segleft=1, rsv=0x0, [0]2001:db8::3) ",
        "[udp sum ok]",
        "[bad udp cksum",
        "[icmp6 sum ok]",
        "HBH (padn) RT6 ",
        "IP6 (hlim 64, next-header ICMPv6 (58) payload length: 12) 2001:db8::1 > 2001:db8::4: ",
      ]
    ) assert.ok(theirs.includes(words), `${words} not in\n${theirs}`);
    assert.equal(theirs.match(/\[bad udp cksum/g)?.length, 2, theirs);
  });
});

Deno.test("IPv6 routing headers cut short: the words of the fields captured, as tcpdump prints them before its [|rt6]", async () => {
  const check = async (path: string) => {
    for (const flags of [[], ["-v"]]) {
      const marks = await compareTextWithNotes(path, flags);
      assert.ok((marks.get("rt6") ?? 0) > 0, "no header cut short");
    }
  };
  await withRecords(LINKTYPE_RAW, cutFrames(), check);
  for (const name of ["ipv6-rthdr-oobr.pcap", "hoobr_rt6_print.pcap"]) {
    await check(new URL(name, CORPUS).pathname);
  }
  // A header cut after an odd length: tcpdump's invalid words come first, then the note.
  const trunc = new URL("ipv6-srh-tlv-pad1-padn-5-trunc.pcap", CORPUS).pathname;
  const theirs = (await output("tcpdump", ["-n", "-r", trunc])).trimEnd();
  assert.match(theirs, /\(invalid length 3\) \(invalid\)$/);
  const ours = (await runNetpeek(["-r", trunc], { env: { TZ: "UTC" } })).stdout.trimEnd();
  assert.ok(ours.startsWith(`${theirs} [|ipv6: truncated: 31 of 32`), ours);
});

Deno.test("IPv6 routing headers: fields and transport checksums (final destination in the pseudo-header) as tshark's", async () => {
  const check = async (path: string) => {
    assert.ok(await compareFields(path, IPV6_CHECK) > 0);
    await compareFields(path, UDP_CHECK);
    await compareFields(path, TCP_CHECK);
    await compareFields(path, ICMP_CHECK);
  };
  for (const name of CORPUS_FILES) await check(new URL(name, CORPUS).pathname);
  // The fixture whose stack of headers includes an SRH (its other fields are decode_test's).
  const stack = new URL("./fixtures/stack.pcap", import.meta.url).pathname;
  assert.ok(await compareFields(stack, IPV6_CHECK) > 0);
  await withRecords(LINKTYPE_RAW, wholeFrames().map((frame) => ({ frame })), async (path) => {
    await check(path);
    // Guard: tshark verifies the checksums, good and bad.
    const statuses = await output("tshark", [
      "-n",
      ...CHECKSUMS,
      "-r",
      path,
      "-T",
      "fields",
      "-e",
      "udp.checksum.status",
    ]);
    assert.ok(statuses.includes("1") && statuses.includes("0"), statuses);
  });
  await withRecords(LINKTYPE_RAW, cutFrames(), async (path) => {
    assert.ok(await compareFields(path, IPV6_CHECK) > 0);
  });
});

Deno.test("IPv6 routing headers in JSON: each routing extension's type, segments left and addresses, as tshark reads them", async () => {
  const path = new URL("ipv6-srh-ext-header.pcap", CORPUS).pathname;
  const json = JSON.parse((await runNetpeek(["--json", "-r", path])).stdout);
  const [segleft, addresses, lastEntry] = (await output("tshark", [
    "-n",
    "-r",
    path,
    "-T",
    "fields",
    "-e",
    "ipv6.routing.segleft",
    "-e",
    "ipv6.routing.srh.addr",
    "-e",
    "ipv6.routing.srh.last_entry",
  ])).trim().split("\t");
  assert.deepEqual(json.ipv6.extensions[0], {
    type: IPPROTO_ROUTING,
    name: "routing",
    length: 40,
    routing: {
      type: 4,
      segmentsLeft: Number(segleft),
      addresses: addresses.split(","),
      lastEntry: Number(lastEntry),
      flags: 0,
      tag: 0,
    },
  });
});

Deno.test("raw IP frames of a version neither 4 nor 6: tcpdump's unknown ip N, on every raw link type", async () => {
  const frames = [
    concat([0x30], new Uint8Array(39)),
    concat([0x50], new Uint8Array(19)),
    concat([0xf5], new Uint8Array(30)),
    new Uint8Array([0]),
  ].map((frame) => ({ frame }));
  // LINKTYPE_RAW, DLT_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6.
  for (const linkType of [101, 12, 228, 229]) {
    await withRecords(linkType, frames, async (path) => {
      for (const flags of [[], ["-e"], ["-v"], ["-x"]]) {
        assert.equal(await compareText(path, () => true, flags) >= frames.length, true);
      }
      assert.match(await output("tcpdump", ["-n", "-r", path]), /unknown ip 15\n/);
    });
  }
  for (const name of ["heap-overflow-1.pcap", "beep-oobr.pcap"]) {
    const path = new URL(name, CORPUS).pathname;
    assert.equal(await compareText(path, (text) => text.includes("unknown ip"), ["-x"]) > 0, true);
  }
});
