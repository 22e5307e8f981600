/**
 * The live view's hex pane marks the bytes of the field the details' selection is on: each
 * field's place (the decoders' `*_FIELD_PLACES`) is held to the place tshark gives the same
 * field (`-T pdml`: `pos` and `size`) in real captures, packet by packet. A field whose place
 * is not known (and a layer's heading) marks its layer, checked in tui_view_test.ts.
 */

import assert from "node:assert/strict";
import { PacketStore } from "../src/tui/packet_store.ts";
import { describe, detailLines, fieldBytes, packetJson } from "../src/tui/view.ts";
import { CaptureFileReader } from "../src/file/reader.ts";

const FIXTURES = ["mixed", "stack", "tcp-analysis", "other-protocols", "ipv4-cases"].map((name) =>
  new URL(`./fixtures/${name}.pcap`, import.meta.url).pathname
);

const TPID_8021AD = 0x88a8;

/**
 * Bit fields whose bytes netpeek marks more narrowly than tshark, which marks the whole word
 * that holds them (the 802.1Q tag's priority and DEI, in its first byte; IPv6's traffic class,
 * in its first two): there netpeek's bytes must lie within tshark's.
 */
const WITHIN_TSHARKS = new Set(["vlan.priority", "vlan.dei", "ipv6.tclass"]);

/** A JSON field (its layer and key) and tshark's name for it; ICMPv6 has its own names. */
const TSHARK_NAMES: Readonly<Record<string, string>> = {
  "eth.dst": "eth.dst",
  "eth.src": "eth.src",
  "eth.type": "eth.type",
  "vlan.pcp": "vlan.priority",
  "vlan.dei": "vlan.dei",
  "vlan.id": "vlan.id",
  "vlan.type": "vlan.etype",
  "arp.hardwareType": "arp.hw.type",
  "arp.protocolType": "arp.proto.type",
  "arp.operation": "arp.opcode",
  "arp.senderMac": "arp.src.hw_mac",
  "arp.senderIp": "arp.src.proto_ipv4",
  "arp.targetMac": "arp.dst.hw_mac",
  "arp.targetIp": "arp.dst.proto_ipv4",
  "ipv4.version": "ip.version",
  "ipv4.ihl": "ip.hdr_len",
  "ipv4.dscp": "ip.dsfield.dscp",
  "ipv4.ecn": "ip.dsfield.ecn",
  "ipv4.length": "ip.len",
  "ipv4.id": "ip.id",
  "ipv4.df": "ip.flags.df",
  "ipv4.mf": "ip.flags.mf",
  "ipv4.fragOffset": "ip.frag_offset",
  "ipv4.ttl": "ip.ttl",
  "ipv4.protocol": "ip.proto",
  "ipv4.checksum": "ip.checksum",
  "ipv4.src": "ip.src",
  "ipv4.dst": "ip.dst",
  "ipv6.version": "ipv6.version",
  "ipv6.trafficClass": "ipv6.tclass",
  "ipv6.flowLabel": "ipv6.flow",
  "ipv6.payloadLength": "ipv6.plen",
  "ipv6.nextHeader": "ipv6.nxt",
  "ipv6.hopLimit": "ipv6.hlim",
  "ipv6.src": "ipv6.src",
  "ipv6.dst": "ipv6.dst",
  "tcp.srcPort": "tcp.srcport",
  "tcp.dstPort": "tcp.dstport",
  "tcp.seq": "tcp.seq_raw",
  "tcp.ack": "tcp.ack_raw",
  "tcp.dataOffset": "tcp.hdr_len",
  "tcp.flags": "tcp.flags",
  "tcp.window": "tcp.window_size_value",
  "tcp.checksum": "tcp.checksum",
  "tcp.urgent": "tcp.urgent_pointer",
  "tcp.options": "tcp.options",
  "udp.srcPort": "udp.srcport",
  "udp.dstPort": "udp.dstport",
  "udp.length": "udp.length",
  "udp.checksum": "udp.checksum",
  "icmp.type": "icmp.type",
  "icmp.code": "icmp.code",
  "icmp.checksum": "icmp.checksum",
  "icmp.id": "icmp.ident",
  "icmp.sequence": "icmp.seq",
  "icmp.mtu": "icmp.mtu",
  "icmp.gateway": "icmp.redir_gw",
  "icmp.pointer": "icmp.pointer",
  "icmpv6.type": "icmpv6.type",
  "icmpv6.code": "icmpv6.code",
  "icmpv6.checksum": "icmpv6.checksum",
  "icmpv6.id": "icmpv6.echo.identifier",
  "icmpv6.sequence": "icmpv6.echo.sequence_number",
  "icmpv6.mtu": "icmpv6.mtu",
  "icmpv6.pointer": "icmpv6.pointer",
  "dns.id": "dns.id",
  "dns.flags": "dns.flags",
  "dns.response": "dns.flags.response",
  "dns.opcode": "dns.flags.opcode",
  "dns.rcode": "dns.flags.rcode",
  "dns.questions": "dns.count.queries",
  "dns.answers": "dns.count.answers",
  "dns.authorities": "dns.count.auth_rr",
  "dns.additionals": "dns.count.add_rr",
};

/** Each packet's fields as tshark places them, each name's in order (the outer layer's first). */
async function tsharkPlaces(path: string): Promise<Map<string, [number, number][]>[]> {
  const output = await new Deno.Command("tshark", {
    args: ["-n", "-r", path, "-T", "pdml"],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.ok(output.success, `tshark -T pdml ${path}`);
  const packets: Map<string, [number, number][]>[] = [];
  for (const packet of new TextDecoder().decode(output.stdout).split("<packet>").slice(1)) {
    const places = new Map<string, [number, number][]>();
    for (const match of packet.matchAll(/<field name="([^"]+)"[^>]*? size="(\d+)" pos="(\d+)"/g)) {
      const place: [number, number] = [Number(match[3]), Number(match[2])];
      places.set(match[1], [...places.get(match[1]) ?? [], place]);
    }
    packets.push(places);
  }
  return packets;
}

Deno.test("each field's bytes are where tshark places the same field", async () => {
  const compared = new Set<string>();
  let checks = 0;
  const wrong = new Set<string>();
  for (const path of FIXTURES) {
    const expected = await tsharkPlaces(path);
    const store = new PacketStore(1 << 24);
    const reader = await CaptureFileReader.open(await Deno.open(path), path);
    await reader.runRanges((bytes, offset, header) => {
      store.add(bytes, offset, header, header.linkType);
    });
    assert.equal(store.count, expected.length, path);
    for (let number = 1; number <= store.count; number++) {
      const stored = store.packet(number)!;
      const described = describe(stored);
      const icmpv6 = described.packet.icmp?.version === 6;
      for (const line of detailLines(packetJson(stored), new Set())) {
        const fieldPath = line.path;
        if (fieldPath === undefined) continue;
        const [layer, key] = fieldPath[0] === "vlan" ? ["vlan", fieldPath[2]] : fieldPath;
        // A field's own line, not a member of a list or object within it (the flags' bits).
        if (fieldPath.length !== (layer === "vlan" ? 3 : 2)) continue;
        let name = TSHARK_NAMES[`${layer === "icmp" && icmpv6 ? "icmpv6" : layer}.${key}`];
        let occurrence = 0;
        if (layer === "vlan" && name !== undefined) {
          // tshark names an 802.1ad tag's fields apart; the nth tag of a kind is its nth field.
          const tags = described.packet.vlan;
          const tag = Number(fieldPath[1].slice(1, -1));
          const family = (i: number) => tags[i].tpid === TPID_8021AD ? "ieee8021ad" : "vlan";
          name = name.replace(/^vlan/, family(tag));
          for (let i = 0; i < tag; i++) if (family(i) === family(tag)) occurrence++;
        }
        const place = expected[number - 1].get(name ?? "")?.[occurrence];
        if (name === undefined || place === undefined) continue;
        const range = fieldBytes(describe(stored), fieldPath, stored.bytes);
        const actual = range && [range.start, range.end - range.start];
        const within = WITHIN_TSHARKS.has(name) && actual !== undefined &&
          actual[0] >= place[0] && actual[0] + actual[1] <= place[0] + place[1] && actual[1] > 0 &&
          actual[1] < place[1];
        if (!within && JSON.stringify(actual) !== JSON.stringify(place)) {
          wrong.add(`${fieldPath.join(".")} at ${actual}, tshark's ${name} at ${place}`);
        }
        compared.add(name);
        checks++;
      }
    }
  }
  assert.deepEqual([...wrong], []);
  // Every layer with places was met, and most of its fields: the comparison is not vacuous.
  for (
    const layer of [
      "eth",
      "vlan",
      "ieee8021ad",
      "arp",
      "ip",
      "ipv6",
      "tcp",
      "udp",
      "icmp",
      "icmpv6",
      "dns",
    ]
  ) {
    assert.ok([...compared].some((name) => name.startsWith(`${layer}.`)), `no ${layer} field met`);
  }
  assert.ok(compared.size >= 55, `only ${compared.size} fields compared: ${[...compared]}`);
  assert.ok(checks > 500, `only ${checks} checks`);
});
