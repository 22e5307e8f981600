/**
 * Which application protocol a UDP datagram is decoded as, for every pair of the ports the
 * decoder knows (and an ordinary one), with payloads that look like WireGuard, like QUIC, or
 * like neither, over IPv4 and IPv6. The decoder finds the protocol with a table of ports; here the protocols are
 * tried one after another in their order of precedence, and tcpdump reads the same capture:
 * each of its lines must begin netpeek's (which is how that order was found: tcpdump's, where
 * it decodes the protocol).
 */

import assert from "node:assert/strict";
import { Decoder, LINKTYPE_ETHERNET, type Packet } from "../src/decode/mod.ts";
import {
  A,
  B,
  concat,
  ethernet,
  ip6,
  text,
  u16,
  udp6,
  udpOverEthernet,
} from "../scripts/packet_builder.ts";
import { assertShows, compareText, output, withBuiltCapture } from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

/**
 * The protocols in order of precedence: the layer each sets, and the ports that name it.
 * tcpdump 4.99's order where it decodes them, then those it does not (WireGuard, SSDP, QUIC,
 * LLMNR).
 */
const PRECEDENCE: readonly { layer: keyof Packet | "sip"; ports: readonly number[] }[] = [
  { layer: "dns", ports: [53, 5353] },
  { layer: "dhcp", ports: [67, 68] },
  { layer: "isakmp", ports: [500] },
  { layer: "esp", ports: [4500] },
  { layer: "ntp", ports: [123] },
  { layer: "dhcpv6", ports: [546, 547] },
  // SIP: lines of text, which the decoder keeps no layer of.
  { layer: "sip", ports: [5060] },
  { layer: "syslog", ports: [514] },
  { layer: "vxlan", ports: [4789] },
  { layer: "geneve", ports: [6081] },
  { layer: "mpls", ports: [6635] },
  { layer: "someip", ports: [30490] },
  { layer: "wireguard", ports: [51820] },
  { layer: "http", ports: [1900] },
  { layer: "quic", ports: [443] },
  { layer: "dns", ports: [5355] },
];

/** A port no protocol is decoded on. */
const ORDINARY_PORT = 40000;

const PORTS = [...PRECEDENCE.flatMap((entry) => entry.ports), ORDINARY_PORT];

/** A WireGuard handshake initiation's shape: type 1, three zero bytes, 148 bytes in all. */
const WIREGUARD_LIKE = concat([1, 0, 0, 0], new Uint8Array(144).fill(0x41));
/** A QUIC version 1 long header (an Initial's first byte, a zero-length DCID and SCID). */
const QUIC_LIKE = concat([0xc0, 0, 0, 0, 1, 0, 0, 0, 8], new Uint8Array(60).fill(0x42));
/** A long header of a version QUIC does not have: neither WireGuard's nor QUIC's. */
const NEITHER = concat([0xc0, 0x12, 0x34, 0x56, 0x78, 0, 0], new Uint8Array(40).fill(0x43));
/** An SSDP search: HTTP on port 1900, and a short header to QUIC's port. */
const SSDP_SEARCH = text("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n");

const PAYLOADS = [WIREGUARD_LIKE, QUIC_LIKE, NEITHER, SSDP_SEARCH];

/** The layer the precedence list gives a datagram between `ports` carrying `payload`. */
function expectedLayer(ports: number[], payload: Uint8Array): keyof Packet | "sip" | undefined {
  for (const { layer, ports: named } of PRECEDENCE) {
    if (!ports.some((port) => named.includes(port))) continue;
    // Only these two look at the payload before they take the datagram: else the next
    // protocol named by a port is tried.
    if (layer === "wireguard" && payload !== WIREGUARD_LIKE) continue;
    if (layer === "quic" && payload === NEITHER) continue;
    return layer;
  }
  return undefined;
}

/** Every pair of ports, each way, with each payload. */
function datagrams(): { ports: number[]; payload: Uint8Array; frame: Uint8Array }[] {
  const built = [];
  for (const source of PORTS) {
    for (const destination of PORTS) {
      for (const payload of PAYLOADS) {
        built.push({
          ports: [source, destination],
          payload,
          frame: udpOverEthernet(A, B, source, destination, payload),
        });
        built.push({
          ports: [source, destination],
          payload,
          frame: udp6OverEthernet(source, destination, payload),
        });
      }
    }
  }
  return built;
}

/** The same datagram over IPv6, 2001:db8::1 to 2001:db8::2. */
function udp6OverEthernet(source: number, destination: number, payload: Uint8Array): Uint8Array {
  const [from, to] = ["2001:db8::1", "2001:db8::2"];
  const datagram = udp6(from, to, source, destination, payload);
  const header = concat([0x60, 0, 0, 0], u16(datagram.length), [17, 64], ip6(from), ip6(to));
  return ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", 0x86dd, concat(header, datagram));
}

/** The application layers the decoder may set on a datagram. */
const APPLICATION_LAYERS = [...new Set(PRECEDENCE.map((entry) => entry.layer))].filter((
  layer,
): layer is keyof Packet => layer !== "sip");

Deno.test("UDP ports: each pair decoded as the protocol of higher precedence", () => {
  const decoder = new Decoder();
  const seen = new Set<string>();
  for (const { ports, payload, frame } of datagrams()) {
    const packet = decoder.decode(frame, LINKTYPE_ETHERNET);
    const set = APPLICATION_LAYERS.filter((layer) => packet[layer] !== undefined);
    assert.ok(set.length <= 1, `ports ${ports}: ${set}`);
    const got = set[0];
    let want = expectedLayer(ports, payload);
    // SIP's lines are the text's alone: the decoder takes the port and keeps no layer.
    if (want === "sip") want = undefined;
    // SSDP's port takes the datagram, but only an HTTP message is decoded as one.
    if (want === "http" && payload !== SSDP_SEARCH) want = undefined;
    assert.equal(got, want, `ports ${ports}, payload of ${payload.length} bytes`);
    if (got !== undefined) seen.add(got);
  }
  // Guard against a vacuous pass: every protocol was met.
  for (const layer of APPLICATION_LAYERS) assert.ok(seen.has(layer), `never decoded: ${layer}`);
});

Deno.test("UDP ports: every pair's line begins with tcpdump's (default, -v, -vv)", async () => {
  const frames = datagrams().map((datagram) => datagram.frame);
  await withBuiltCapture(frames, "udp-ports", async (path) => {
    for (const flags of [[], ["-v"], ["-vv"]]) {
      const compared = await compareText(path, () => true, flags);
      assert.ok(compared >= frames.length, `${flags}: ${compared} lines compared`);
    }
  });
});

Deno.test("LLMNR: tcpdump's plain UDP line, then the message as tcpdump words DNS", async () => {
  const name = concat([4], text("host"), [0]);
  const query = concat([0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], name, [0, 1, 0, 1]);
  const reply = concat(
    [0x12, 0x34, 0x80, 0, 0, 1, 0, 1, 0, 0, 0, 0],
    name,
    [0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 192, 0, 2, 7],
  );
  const frames = [
    udpOverEthernet(A, "224.0.0.252", ORDINARY_PORT, 5355, query),
    udpOverEthernet(B, A, 5355, ORDINARY_PORT, reply),
    // Shorter than DNS's header: tcpdump's line, and netpeek's note of what is wrong.
    udpOverEthernet(A, "224.0.0.252", ORDINARY_PORT, 5355, new Uint8Array([1, 2, 3, 4, 5])),
  ];
  await withBuiltCapture(frames, "llmnr.pcap", async (path) => {
    for (const flags of [[], ["-vv"]]) {
      assert.equal(await compareText(path, () => true, flags), frames.length * (flags.length + 1));
    }
    const lines = (await runNetpeek(["-r", path], { env: { TZ: "UTC" } })).stdout;
    assertShows(lines, [
      "UDP, length 22: LLMNR 4660 A? host.\n",
      "UDP, length 38: LLMNR 4660- 1/0/0 A 192.0.2.7\n",
      "UDP, length 5 [|dns: length 5 < 12]\n",
    ]);
    // JSON and fields keep the message, as tshark's LLMNR dissector reads it.
    const json = (await runNetpeek(["--json", "-r", path])).stdout.trimEnd().split("\n")
      .map((line) => JSON.parse(line));
    assert.equal(json[1].dns.answer[0].data, "192.0.2.7");
    const fields = ["-T", "fields", "-e", "dns.qry.name", "-e", "dns.a", "-r", path];
    const theirs = await output("tshark", ["-n", ...fields]);
    assert.match(theirs, /host\t192\.0\.2\.7/);
    assert.equal((await runNetpeek(fields)).stdout, theirs);
  });
});

Deno.test("SIP on UDP 5060: tcpdump's words in place of UDP's (default and -v)", async () => {
  const messages = [
    text("INVITE sip:bob@example.test SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1\r\n\r\n"),
    text("SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 192.0.2.1\r\n\r\n"),
    text("REGISTER sip:example.test SIP/2.0\r\nContact: <sip:alice@192.0.2.1>"),
    text("not a request\r\n"),
  ];
  const frames = messages.map((message) => udpOverEthernet(A, B, 5060, 5060, message));
  await withBuiltCapture(frames, "sip.pcap", async (path) => {
    for (const flags of [[], ["-v"]]) assert.ok(await compareText(path, () => true, flags));
    assertShows((await runNetpeek(["-r", path], { env: { TZ: "UTC" } })).stdout, [
      "5060: SIP: INVITE sip:bob@example.test SIP/2.0\n",
      "5060: SIP: SIP/2.0 180 Ringing\n",
      "5060: SIP: REGISTER sip:example.test SIP/2.0\n",
      "5060: SIP\n",
    ]);
  });
});
