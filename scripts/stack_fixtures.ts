/**
 * Frames for the full-stack decoder fixtures: IPv6 extension headers, ICMP and ICMPv6 errors
 * that quote TCP/UDP, neighbor discovery, TCP with every option, checksums right and wrong,
 * DNS queries and answers; and fragment sets for reassembly (in order, reversed, overlapping,
 * duplicated, incomplete), for IPv4 and IPv6.
 *
 * @module
 */

import {
  A,
  B,
  checksum,
  concat,
  ethernet,
  icmpEcho,
  ip4,
  ip6,
  ipv4,
  mac,
  MAC_A,
  MAC_B,
  pseudo6,
  tcp,
  text,
  u16,
  u32,
  udp,
  udp6,
} from "./packet_builder.ts";

const V6_A = "2001:db8::1";
const V6_B = "2001:db8:0:1::2";
const LINK_A = "fe80::200:5eff:fe00:5301";

/** An IPv6 packet: fixed header, then `payload` (which may start with extension headers). */
function ipv6(next: number, payload: Uint8Array, src = V6_A, dst = V6_B, hopLimit = 64) {
  return concat(
    [0x60, 0, 0, 0],
    u16(payload.length),
    [next, hopLimit],
    ip6(src),
    ip6(dst),
    payload,
  );
}

/** An extension header of 8-byte units (hop-by-hop, destination, routing). */
function extension(next: number, body: number[]): Uint8Array {
  const total = Math.ceil((body.length + 2) / 8) * 8;
  return concat([next, total / 8 - 1], body, new Array(total - 2 - body.length).fill(0));
}

function icmp6(src: string, dst: string, type: number, code: number, body: Uint8Array) {
  const message = concat([type, code, 0, 0], body);
  message.set(u16(checksum(message, pseudo6(src, dst, 58, message.length))), 2);
  return message;
}

function icmp4(type: number, code: number, rest: number[], quoted: Uint8Array) {
  const message = concat([type, code, 0, 0], rest, quoted);
  message.set(u16(checksum(message)), 2);
  return message;
}

/** A DNS message: header, one question, and optional answer records (already encoded). */
function dns(
  id: number,
  flags: number,
  name: string,
  type: number,
  answers: Uint8Array[] = [],
  authorities = 0,
): Uint8Array {
  const question = concat(
    ...name.split(".").map((label) => concat([label.length], text(label))),
    [0],
    u16(type),
    u16(1),
  );
  return concat(
    u16(id),
    u16(flags),
    u16(1),
    u16(answers.length),
    u16(authorities),
    u16(0),
    question,
    ...answers,
  );
}

const eth4 = (payload: Uint8Array, back = false) =>
  ethernet(back ? MAC_A : MAC_B, back ? MAC_B : MAC_A, 0x0800, payload);
const eth6 = (payload: Uint8Array, dstMac = MAC_B) => ethernet(dstMac, MAC_A, 0x86dd, payload);

/** The frames of stack.pcap, each a case the decoder must agree with tshark on. */
export function stackFrames(): Uint8Array[] {
  const a = ip4(A);
  const b = ip4(B);
  const frames: Uint8Array[] = [];

  // IPv6 extension headers.
  const mld = icmp6(
    LINK_A,
    "ff02::16",
    143,
    0,
    new Uint8Array([0, 0, 0, 1, 4, 0, 0, 0, ...ip6("ff02::fb")]),
  );
  const routerAlert = [5, 2, 0, 0, 1, 0]; // Router Alert (MLD), PadN
  frames.push(
    eth6(
      ipv6(0, concat(extension(58, routerAlert), mld), LINK_A, "ff02::16", 1),
      "33:33:00:00:00:16",
    ),
  );
  const udpPayload = udp6(V6_A, V6_B, 5000, 7, text("through options"));
  const destination = extension(17, [1, 4, 0, 0, 0, 0]); // PadN
  const routing = extension(60, [4, 0, 0, 0, 0, 0, ...ip6(V6_B)]); // segment routing, 0 left
  frames.push(eth6(ipv6(43, concat(routing, destination, udpPayload))));
  // A fragmented UDP datagram: the first fragment carries the UDP header.
  const big = udp6(V6_A, V6_B, 5000, 9, new Uint8Array(40).fill(0x42));
  const fragment = (offset: number, more: boolean, data: Uint8Array) =>
    eth6(ipv6(44, concat([17, 0], u16(offset | (more ? 1 : 0)), u32(0xcafe), data)));
  frames.push(fragment(0, true, big.subarray(0, 24)));
  frames.push(fragment(24, false, big.subarray(24)));
  // AH in front of TCP; ESP hides everything after it.
  const tcp6 = (() => {
    const segment = tcp(ip6(V6_A), ip6(V6_B), {
      sport: 40001,
      dport: 443,
      seq: 7,
      ack: 0,
      flags: 0x002,
      window: 65535,
    });
    segment.set([0, 0], 16);
    segment.set(u16(checksum(segment, pseudo6(V6_A, V6_B, 6, segment.length))), 16);
    return segment;
  })();
  const ah = concat([6, 4, 0, 0], u32(0x1000), u32(1), new Array(12).fill(0xaa));
  frames.push(eth6(ipv6(51, concat(ah, tcp6))));
  frames.push(eth6(ipv6(50, concat(u32(0x2000), u32(1), new Array(24).fill(0x5a)))));

  // ICMPv4 errors quoting what caused them.
  const query = ipv4({
    src: A,
    dst: B,
    protocol: 17,
    payload: udp(a, b, 40000, 53, dns(7, 0x0100, "example.com", 1)),
  });
  const quote = (packet: Uint8Array) => packet.subarray(0, 28);
  const fromB = (message: Uint8Array) =>
    eth4(ipv4({ src: B, dst: A, protocol: 1, payload: message }), true);
  frames.push(fromB(icmp4(3, 3, [0, 0, 0, 0], quote(query)))); // port unreachable
  frames.push(fromB(icmp4(3, 1, [0, 0, 0, 0], quote(query)))); // host unreachable
  frames.push(fromB(icmp4(3, 4, [0, 0, ...u16(1400)], quote(query)))); // need to frag
  const syn = ipv4({
    src: A,
    dst: B,
    protocol: 6,
    ttl: 1,
    payload: tcp(a, b, { sport: 40002, dport: 80, seq: 1, ack: 0, flags: 0x002, window: 1024 }),
  });
  frames.push(fromB(icmp4(11, 0, [0, 0, 0, 0], quote(syn)))); // time exceeded in transit
  frames.push(fromB(icmp4(5, 1, ip4("192.0.2.254"), quote(syn)))); // redirect for host
  frames.push(fromB(icmp4(12, 0, [20, 0, 0, 0], quote(syn)))); // parameter problem

  // ICMPv6 errors and neighbor discovery.
  const query6 = ipv6(17, udp6(V6_A, V6_B, 40003, 53, dns(8, 0x0100, "example.org", 28)));
  const fromB6 = (message: Uint8Array) => eth6(ipv6(58, message, V6_B, V6_A), MAC_A);
  frames.push(fromB6(icmp6(V6_B, V6_A, 1, 4, concat([0, 0, 0, 0], query6))));
  frames.push(fromB6(icmp6(V6_B, V6_A, 2, 0, concat(u32(1280), query6))));
  frames.push(fromB6(icmp6(V6_B, V6_A, 3, 0, concat([0, 0, 0, 0], query6))));
  const solicited = "ff02::1:ff00:2";
  frames.push(eth6(
    ipv6(
      58,
      icmp6(V6_A, solicited, 135, 0, concat([0, 0, 0, 0], ip6(V6_B), [1, 1], mac(MAC_A))),
      V6_A,
      solicited,
      255,
    ),
    "33:33:ff:00:00:02",
  ));
  frames.push(eth6(
    ipv6(
      58,
      icmp6(V6_B, V6_A, 136, 0, concat([0x60, 0, 0, 0], ip6(V6_B), [2, 1], mac(MAC_B))),
      V6_B,
      V6_A,
      255,
    ),
    MAC_A,
  ));
  frames.push(
    eth6(
      ipv6(
        58,
        icmp6(LINK_A, "ff02::2", 133, 0, concat([0, 0, 0, 0], [1, 1], mac(MAC_A))),
        LINK_A,
        "ff02::2",
        255,
      ),
      "33:33:00:00:00:02",
    ),
  );
  const prefix = concat([3, 4, 64, 0xc0], u32(86400), u32(14400), u32(0), ip6("2001:db8:1::"));
  frames.push(eth6(
    ipv6(
      58,
      icmp6(
        LINK_A,
        "ff02::1",
        134,
        0,
        concat([64, 0x80], u16(1800), u32(0), u32(0), prefix, [5, 1, 0, 0], u32(1500)),
      ),
      LINK_A,
      "ff02::1",
      255,
    ),
    "33:33:00:00:00:01",
  ));

  // TCP with every option, and checksums right and wrong.
  const options = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, ...u32(123456), ...u32(0), 1, 3, 3, 7];
  frames.push(eth4(ipv4({
    src: A,
    dst: B,
    protocol: 6,
    payload: tcp(
      a,
      b,
      { sport: 40010, dport: 443, seq: 1000, ack: 0, flags: 0x002, window: 64240 },
      new Uint8Array(0),
      options,
    ),
  })));
  const sack = [
    1,
    1,
    5,
    18,
    ...u32(3000),
    ...u32(4000),
    ...u32(5000),
    ...u32(6000),
    1,
    1,
    8,
    10,
    ...u32(123460),
    ...u32(99),
  ];
  frames.push(eth4(
    ipv4({
      src: B,
      dst: A,
      protocol: 6,
      payload: tcp(
        b,
        a,
        { sport: 443, dport: 40010, seq: 9000, ack: 2001, flags: 0x010, window: 501 },
        new Uint8Array(0),
        sack,
      ),
    }),
    true,
  ));
  const experimental = [253, 4, 0xab, 0xcd, 1, 1, 1, 0]; // an experimental option, NOPs, EOL
  frames.push(eth4(ipv4({
    src: A,
    dst: B,
    protocol: 6,
    payload: tcp(
      a,
      b,
      { sport: 40010, dport: 443, seq: 1001, ack: 9001, flags: 0x018, window: 512 },
      text("hi"),
      experimental,
    ),
  })));
  const badTcp = tcp(
    a,
    b,
    { sport: 40011, dport: 80, seq: 5, ack: 6, flags: 0x010, window: 100 },
    text("x"),
  );
  badTcp[17] ^= 0xff;
  frames.push(eth4(ipv4({ src: A, dst: B, protocol: 6, payload: badTcp })));
  const noChecksum = udp(a, b, 40012, 9999, text("no sum"));
  noChecksum.set([0, 0], 6);
  frames.push(eth4(ipv4({ src: A, dst: B, protocol: 17, payload: noChecksum })));
  const badUdp = udp(a, b, 40013, 9999, text("bad sum"));
  badUdp[7] ^= 0x01;
  frames.push(eth4(ipv4({ src: A, dst: B, protocol: 17, payload: badUdp })));
  const badIcmp = icmpEcho(8, 1, 1, text("x"));
  badIcmp[3] ^= 0x10;
  frames.push(eth4(ipv4({ src: A, dst: B, protocol: 1, payload: badIcmp })));

  // DNS: a query, an answer with a compressed name, NXDomain, over TCP, and mDNS.
  frames.push(eth4(query));
  const answer = concat([0xc0, 12], u16(1), u16(1), u32(300), u16(4), ip4("93.184.216.34"));
  frames.push(
    eth4(
      ipv4({
        src: B,
        dst: A,
        protocol: 17,
        payload: udp(b, a, 53, 40000, dns(7, 0x8180, "example.com", 1, [answer])),
      }),
      true,
    ),
  );
  frames.push(
    eth4(
      ipv4({
        src: B,
        dst: A,
        protocol: 17,
        payload: udp(b, a, 53, 40000, dns(9, 0x8183, "nothing.example", 28, [], 1)),
      }),
      true,
    ),
  );
  const overTcp = dns(10, 0x0100, "example.net", 15);
  frames.push(eth4(ipv4({
    src: A,
    dst: B,
    protocol: 6,
    payload: tcp(
      a,
      b,
      { sport: 40020, dport: 53, seq: 77, ack: 88, flags: 0x018, window: 512 },
      concat(u16(overTcp.length), overTcp),
    ),
  })));
  frames.push(
    eth4(
      ipv4({
        src: A,
        dst: "224.0.0.251",
        protocol: 17,
        payload: udp(a, ip4("224.0.0.251"), 5353, 5353, dns(0, 0, "printer.local", 12)),
      }),
    ),
  );

  // A gratuitous ARP announcement.
  frames.push(
    ethernet(
      "ff:ff:ff:ff:ff:ff",
      MAC_A,
      0x0806,
      concat([0, 1, 8, 0, 6, 4, 0, 1], mac(MAC_A), ip4(A), [0, 0, 0, 0, 0, 0], ip4(A)),
    ),
  );
  return frames;
}

/** The whole UDP datagrams (header and data) the fragment sets carry, by id. */
export function fragmentedDatagrams(): Map<number, Uint8Array> {
  const a = ip4(A);
  const b = ip4(B);
  const datagram = (port: number, size: number) =>
    udp(a, b, 41000, port, Uint8Array.from({ length: size }, (_, i) => (i * 7 + port) & 0xff));
  const payload6 = udp6(
    V6_A,
    V6_B,
    41000,
    6005,
    Uint8Array.from({ length: 2000 }, (_, i) => i & 0xff),
  );
  return new Map([
    [0x101, datagram(6001, 3000)],
    [0x102, datagram(6002, 2000)],
    [0x103, datagram(6003, 1200)],
    [0x104, datagram(6004, 1600)],
    [0x201, payload6],
    [0x202, payload6],
  ]);
}

/**
 * Fragment sets for reassembly, each a different UDP datagram (its id and port tell them
 * apart): in order, reversed, overlapping, with a duplicate, and one that never completes;
 * then the same three ways for IPv6.
 */
export function fragmentFrames(): Uint8Array[] {
  const datagrams = fragmentedDatagrams();
  const frames: Uint8Array[] = [];
  const piece = (id: number, payload: Uint8Array, start: number, end: number, more: boolean) =>
    eth4(ipv4({
      src: A,
      dst: B,
      protocol: 17,
      id,
      flagsOffset: (more ? 0x2000 : 0) | (start / 8),
      payload: payload.subarray(start, end),
    }));
  // 1. In order: 0-1480, 1480-2960, 2960-end.
  const first = datagrams.get(0x101)!;
  frames.push(
    piece(0x101, first, 0, 1480, true),
    piece(0x101, first, 1480, 2960, true),
    piece(0x101, first, 2960, first.length, false),
  );
  // 2. Reversed.
  const second = datagrams.get(0x102)!;
  frames.push(
    piece(0x102, second, 1600, second.length, false),
    piece(0x102, second, 800, 1600, true),
    piece(0x102, second, 0, 800, true),
  );
  // 3. Overlapping (the middle piece overlaps both neighbours) with a duplicate of the first.
  const third = datagrams.get(0x103)!;
  frames.push(
    piece(0x103, third, 0, 512, true),
    piece(0x103, third, 0, 512, true),
    piece(0x103, third, 400, 904, true),
    piece(0x103, third, 800, third.length, false),
  );
  // 4. Incomplete: the middle never comes.
  const fourth = datagrams.get(0x104)!;
  frames.push(piece(0x104, fourth, 0, 504, true), piece(0x104, fourth, 1000, fourth.length, false));
  // 5. IPv6, in order and reversed.
  const payload6 = datagrams.get(0x201)!;
  const piece6 = (id: number, start: number, end: number, more: boolean) =>
    eth6(
      ipv6(
        44,
        concat([17, 0], u16(start | (more ? 1 : 0)), u32(id), payload6.subarray(start, end)),
      ),
    );
  frames.push(piece6(0x201, 0, 1232, true), piece6(0x201, 1232, payload6.length, false));
  frames.push(piece6(0x202, 1232, payload6.length, false), piece6(0x202, 0, 1232, true));
  return frames;
}

/** A frame and its capture time in seconds. */
export interface TimedFrame {
  time: number;
  frame: Uint8Array;
}

/**
 * A TCP connection exercising every analysis flag: handshake with window scaling, a segment
 * not captured (lost), duplicate ACKs and a fast retransmission, an out-of-order arrival, a
 * plain retransmission, a zero window, a keep-alive, a window filled exactly, and a reset.
 */
export function tcpAnalysisFrames(): TimedFrame[] {
  const a = ip4(A);
  const b = ip4(B);
  const start = 1767225600;
  const frames: TimedFrame[] = [];
  const client = 1000;
  const server = 5000;
  const send = (
    ms: number,
    fromClient: boolean,
    seq: number,
    ack: number,
    flags: number,
    window: number,
    length = 0,
    options: number[] = [],
  ) => {
    const [src, dst] = fromClient ? [a, b] : [b, a];
    const segment = tcp(
      src,
      dst,
      {
        sport: fromClient ? 40100 : 80,
        dport: fromClient ? 80 : 40100,
        seq: (fromClient ? client : server) + seq,
        ack: ack === 0 ? 0 : (fromClient ? server : client) + ack,
        flags,
        window,
      },
      new Uint8Array(length).fill(0x61),
      options,
    );
    const packet = ipv4({
      src: fromClient ? A : B,
      dst: fromClient ? B : A,
      protocol: 6,
      payload: segment,
    });
    frames.push({ time: start + ms / 1000, frame: eth4(packet, !fromClient) });
  };
  const synOptions = [2, 4, 0x05, 0xb4, 4, 2, 1, 1, 1, 3, 3, 7]; // MSS, SACK-permitted, NOPs, wscale 7
  const SYN = 0x002, ACK = 0x010, PSH_ACK = 0x018, RST = 0x004;
  send(0, true, 0, 0, SYN, 64240, 0, synOptions);
  send(1, false, 0, 1, SYN | ACK, 65160, 0, synOptions);
  send(2, true, 1, 1, ACK, 502);
  send(3, true, 1, 1, PSH_ACK, 502, 100);
  send(4, false, 1, 101, ACK, 510);
  send(10, true, 101, 1, PSH_ACK, 502, 100);
  // rel 201 is never captured: the next segment follows a gap.
  send(11, true, 301, 1, PSH_ACK, 502, 100);
  send(12, false, 1, 201, ACK, 510);
  send(13, false, 1, 201, ACK, 510);
  send(14, true, 401, 1, PSH_ACK, 502, 100);
  send(15, false, 1, 201, ACK, 510);
  send(16, false, 1, 201, ACK, 510);
  send(17, true, 201, 1, PSH_ACK, 502, 100); // fast retransmission after three duplicate ACKs
  send(20, false, 1, 501, ACK, 510);
  send(30, true, 501, 1, PSH_ACK, 502, 100);
  send(31, true, 601, 1, PSH_ACK, 502, 100);
  send(32, true, 801, 1, PSH_ACK, 502, 100); // after a gap
  send(32.5, true, 701, 1, PSH_ACK, 502, 100); // the gap, half a millisecond later: reordered
  send(40, false, 1, 901, ACK, 510);
  send(50, true, 901, 1, PSH_ACK, 502, 100);
  send(350, true, 901, 1, PSH_ACK, 502, 100); // retransmitted after 300 ms without an ACK
  send(360, false, 1, 1001, ACK, 0); // zero window
  send(500, true, 1000, 1, ACK, 502); // keep-alive: one before the next sequence number
  send(600, false, 1, 1001, ACK, 2); // window opens to 2 × 128 = 256 bytes
  send(610, true, 1001, 1, PSH_ACK, 502, 256); // fills it exactly
  send(620, false, 1, 1257, ACK, 0); // zero window again
  send(700, true, 1257, 1, RST, 0);
  return frames;
}

/**
 * A port scan for the example detector: 192.0.2.1 sends SYNs to 30 ports of 198.51.100.2,
 * 10 ms apart, some answered with RST; and an ordinary connection from 192.0.2.7 alongside.
 */
export function scanFrames(): TimedFrame[] {
  const scanner = ip4(A);
  const target = ip4(B);
  const start = 1767225600;
  const frames: TimedFrame[] = [];
  for (let i = 0; i < 30; i++) {
    const port = [22, 23, 25, 53, 80, 110, 143, 443, 445, 993][i % 10] + Math.floor(i / 10) * 1000;
    const syn = tcp(scanner, target, {
      sport: 50000,
      dport: port,
      seq: 7777 + i,
      ack: 0,
      flags: 0x002,
      window: 1024,
    });
    frames.push({
      time: start + i * 0.01,
      frame: eth4(ipv4({ src: A, dst: B, protocol: 6, payload: syn })),
    });
    if (i % 3 === 0) {
      const rst = tcp(target, scanner, {
        sport: port,
        dport: 50000,
        seq: 0,
        ack: 7778 + i,
        flags: 0x014,
        window: 0,
      });
      frames.push({
        time: start + i * 0.01 + 0.0001,
        frame: eth4(ipv4({ src: B, dst: A, protocol: 6, payload: rst }), true),
      });
    }
  }
  const other = ip4("192.0.2.7");
  const hello = tcp(other, target, {
    sport: 41000,
    dport: 443,
    seq: 1,
    ack: 0,
    flags: 0x002,
    window: 64240,
  });
  frames.push({
    time: start + 0.5,
    frame: eth4(ipv4({ src: "192.0.2.7", dst: B, protocol: 6, payload: hello })),
  });
  return frames;
}
