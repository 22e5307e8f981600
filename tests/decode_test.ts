/**
 * The decoder against an independent reference: for every fixture capture, each field tshark
 * reads (tests/fixtures/*.tshark.tsv, made by scripts/make_fixtures.ts) must equal what netpeek
 * decodes. Plus the cases a reference cannot show: no throw on any cut, error notes, RFC
 * examples.
 */

import assert from "node:assert/strict";
import { hasCommand } from "./netpeek_process.ts";
import {
  decode,
  Decoder,
  formatIpv6,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_RAW,
  onesComplementSum,
  type Packet,
  PACKET_FIELDS,
} from "../src/decode/mod.ts";
import { CaptureFileReader, type FileRecordHeader } from "../src/file/reader.ts";
import { parseTsv, readPcap } from "./pcap_file.ts";
import { formatJsonLine } from "../src/output/json.ts";
import { TSHARK_FIELDS, tsharkFields } from "../scripts/make_fixtures.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);

type Value = number | string | undefined | Value[];
type Extractor = (packet: Packet, header: FileRecordHeader) => Value;

/** The frame's own fields (the record header), then every field the layers declare. */
const FIELDS: Record<string, Extractor> = {
  "frame.time_epoch": (_, header) =>
    `${header.seconds}.${
      String(header.nanosecond ? header.fraction : header.fraction * 1000).padStart(9, "0")
    }`,
  "frame.interface_id": (_, header) => header.interfaceId,
  "frame.comment": (_, header) => header.comment,
  "frame.cap_len": (_, header) => header.caplen,
  "frame.len": (_, header) => header.len,
  ...Object.fromEntries(
    Object.entries(PACKET_FIELDS).map(([name, read]) => [name, (p: Packet) => read(p) as Value]),
  ),
};

/**
 * Fields other tests hold against tshark on captures of their own (tests/igmp_test.ts,
 * tests/dns_test.ts, tests/http_test.ts, …, tests/esp_test.ts, tests/ah_test.ts, tests/vxlan_test.ts,
 * tests/gre_test.ts, tests/geneve_test.ts, tests/mpls_test.ts, …, tests/llc_stp_test.ts,
 * tests/isakmp_test.ts): every field their protocol declares, on real traffic of it; the jumbo
 * length (tests/jumbo_test.ts); the routing header's (tests/ipv6_routing_test.ts); and the fields
 * an 802.3 length or a cooked frame's protocol is (tests/display_filter_test.ts, on tcpdump's
 * captures of them).
 */
const OWN_TEST =
  /^((igmp|dns|http|ntp|syslog|dhcp|dhcpv6|tls|quic|esp|ah|vxlan|gre|geneve|mpls|macsec|nsh|pppoe|pppoed|ppp|llc|stp|mstp|erspan|wg|isakmp|someip)\.|ipv6\.opt\.jumbo$|ipv6\.routing\.|(eth|vlan)\.len$|sll\.(ltype|gretype)$)/;

/** Fields tshark may repeat for headers inside others (ICMP errors): compare the first. */
const FIRST_OCCURRENCE_ONLY = new Set(["ip.src", "ip.dst", "ip.version", "ip.proto"]);
const LISTS = new Set(
  Object.keys(FIELDS).filter((name) =>
    /^(vlan|ieee8021ad)\.|opt\.type|option_kind|sack_[lr]e|icmpv6\.opt\./.test(name)
  ),
);

function normalise(text: string): Value {
  if (/^\d+\.\d{9}$/.test(text)) return text; // a time stamp: compared as written
  if (/^0x[0-9a-f]+$/i.test(text) || /^\d+$/.test(text)) return Number(text);
  if (text === "True") return 1;
  if (text === "False") return 0;
  return text;
}

/** Free text that tshark does not split. */
const TEXT_FIELDS = new Set(["frame.comment"]);

function tsharkValue(field: string, text: string): Value {
  if (text === "") return undefined;
  if (TEXT_FIELDS.has(field)) return text;
  const parts = text.split(",").map(normalise);
  if (LISTS.has(field)) return parts;
  if (FIRST_OCCURRENCE_ONLY.has(field) || /^(ip|ipv6)\./.test(field)) return parts[0];
  return parts.length === 1 ? parts[0] : parts;
}

/** The layer a tshark field belongs to, as netpeek names it in its error notes. */
function layerOf(field: string): string {
  const prefix = field.split(".")[0];
  return ({ ip: "ipv4", icmpv6: "icmp", ieee8021ad: "vlan" } as Record<string, string>)[prefix] ??
    prefix;
}

function existsSync(url: URL): boolean {
  try {
    Deno.statSync(url);
    return true;
  } catch {
    return false;
  }
}

const fixtureNames: string[] = [];
for (const entry of Deno.readDirSync(FIXTURES)) {
  // Every capture with tshark's field dump beside it (tcp-real.pcap is for TCP analysis).
  const reference = entry.name.replace(/\.pcap(ng)?$/, ".tshark.tsv");
  if (/\.pcap(ng)?$/.test(entry.name) && existsSync(new URL(reference, FIXTURES))) {
    fixtureNames.push(entry.name);
  }
}
fixtureNames.sort();

Deno.test("fixture set covers every case the decoder tests promise", () => {
  for (
    const name of [
      "ipv4-cases.pcap",
      "truncated-40.pcap",
      "vlan.pcap",
      "sll.pcap",
      "sll2.pcap",
      "any-sll2-tcpdump.pcap",
      "lo-tcpdump.pcap",
      "raw.pcap",
      "null.pcap",
      "nano.pcap",
      "big-endian.pcap",
      "multi.pcapng",
      "comments.pcapng",
      "unusual.pcapng",
      "stack.pcap",
      "fragments.pcap",
      "tcp-analysis.pcap",
    ]
  ) assert.ok(fixtureNames.includes(name), `missing fixture ${name}`);
});

for (const name of fixtureNames) {
  Deno.test(`reader and decoder agree with tshark on ${name}`, async () => {
    const expected = parseTsv(
      await Deno.readTextFile(new URL(name.replace(/\.pcap(ng)?$/, ".tshark.tsv"), FIXTURES)),
    );
    const file = { records: [] as { header: FileRecordHeader; frame: Uint8Array }[] };
    using source = await Deno.open(new URL(name, FIXTURES));
    const reader = await CaptureFileReader.open(source, name);
    await reader.run((frame, header) => {
      file.records.push({ header: { ...header }, frame: frame.slice() });
    });
    assert.equal(file.records.length, expected.length, "frame count");
    const decoder = new Decoder();
    let compared = 0;
    file.records.forEach(({ header, frame }, index) => {
      const packet = decoder.decode(frame, header.linkType, header.len);
      for (const [field, extract] of Object.entries(FIELDS)) {
        if (OWN_TEST.test(field)) continue;
        // Classic pcap has no interface numbers; tshark leaves the field empty there.
        if (field === "frame.interface_id" && reader.format === "pcap") continue;
        // A Simple Packet Block has no time stamp: tshark shows none, netpeek the epoch.
        if (field === "frame.time_epoch" && expected[index][field] === "") {
          assert.equal(header.seconds + header.fraction, 0, `${name} frame ${index + 1} time`);
          continue;
        }
        let want = tsharkValue(field, expected[index][field] ?? "");
        let got = extract(packet, header);
        const transport = field.startsWith("tcp.")
          ? packet.tcp
          : field.startsWith("udp.")
          ? packet.udp
          : undefined;
        if (field.endsWith(".checksum.status") && transport?.offloaded) {
          // Captured on the sending host before the card filled the checksum in: tshark calls
          // it bad, netpeek unverified (the field holds exactly the pseudo-header's sum).
          assert.deepEqual([want, got], [0, 2], `${name} frame ${index + 1} offloaded ${field}`);
          continue;
        }
        const quoted = packet.icmp?.isError ? packet.icmp.quoted : null;
        if (packet.icmp?.isError && /^(tcp|udp|dns)\./.test(field)) {
          // An ICMP error quotes a header: netpeek reads its ports, tshark the whole quote.
          if (!/\.(srcport|dstport)$/.test(field)) continue;
          const protocol = field.startsWith("tcp.") ? 6 : 17;
          got = quoted?.protocol !== protocol
            ? undefined
            : field.endsWith("srcport")
            ? quoted.srcPort
            : quoted.dstPort;
        }
        if (
          quoted && field.startsWith(quoted.version === 4 ? "ip." : "ipv6.") &&
          /\.(src|dst)$/.test(field)
        ) {
          const second = (expected[index][field] ?? "").split(",")[1];
          assert.equal(
            field.endsWith("src") ? quoted.src : quoted.dst,
            second,
            `${name} frame ${index + 1} quoted ${field}`,
          );
          want = tsharkValue(field, expected[index][field] ?? "");
          got = extract(packet, header);
        }
        const where = `${name} frame ${index + 1} ${field}`;
        if (want !== undefined && got === undefined) {
          // Only acceptable where netpeek says the header was cut short or is malformed.
          assert.ok(
            packet.error?.startsWith(layerOf(field)),
            `${where}: tshark has ${
              JSON.stringify(want)
            }, netpeek nothing (error: ${packet.error})`,
          );
          continue;
        }
        if (want === undefined && got !== undefined) {
          // netpeek shows the fields it did capture of a header it marks as cut short.
          assert.ok(
            packet.error?.startsWith(layerOf(field)),
            `${where}: netpeek has ${JSON.stringify(got)}, tshark nothing`,
          );
          continue;
        }
        assert.deepEqual(got, want, where);
        if (want !== undefined) compared++;
      }
    });
    assert.ok(compared > expected.length * 5, `only ${compared} values compared`);
  });
}

Deno.test("DF and MF are bits 0x4000 and 0x2000 of the flags word, not bit 0", async () => {
  const { records, linkType } = await readPcap(new URL("ipv4-cases.pcap", FIXTURES));
  const flags = records.slice(0, 6).map(({ frame }) => {
    const ip = decode(frame, linkType).ipv4!;
    return [ip.df, ip.mf, ip.reservedFlag, ip.fragOffset];
  });
  assert.deepEqual(flags, [
    [true, false, false, 0], // DF only
    [false, true, false, 0], // MF, offset 0
    [false, true, false, 1480], // middle fragment
    [false, false, false, 2960], // last fragment
    [false, false, false, 0], // none
    [false, false, true, 0], // reserved bit only
  ]);
});

Deno.test("IPv4 payload ends at the total length, not at the Ethernet padding", async () => {
  const { records, linkType } = await readPcap(new URL("ipv4-cases.pcap", FIXTURES));
  const packet = decode(records[0].frame, linkType);
  assert.equal(records[0].frame.length, 60); // padded to Ethernet's minimum
  assert.equal(packet.ipv4!.length, 33);
  assert.equal(packet.ipv4!.capturedLength, 33);
  assert.equal(packet.udp!.payloadLength, 5);
  assert.equal(packet.udp!.capturedLength, 13);
});

Deno.test("the bad-checksum fixture is found bad and the right value computed", async () => {
  const { records, linkType } = await readPcap(new URL("ipv4-cases.pcap", FIXTURES));
  const good = decode(records[0].frame, linkType).ipv4!;
  const bad = decode(records[8].frame, linkType).ipv4!;
  assert.equal(good.checksumOk, true);
  assert.equal(good.expectedChecksum, good.checksum);
  assert.equal(bad.checksum, 0xbeef);
  assert.equal(bad.checksumOk, false);
  // Same header as the first frame, so the right checksum is the first frame's.
  assert.equal(bad.expectedChecksum, good.checksum);
});

Deno.test("a frame cut at every length decodes as far as it goes and never throws", async () => {
  const decoder = new Decoder();
  for (const name of fixtureNames.filter((name) => name.endsWith(".pcap"))) {
    const { records, linkType } = await readPcap(new URL(name, FIXTURES));
    for (const { frame } of records) {
      for (let cut = 0; cut <= frame.length; cut++) {
        const packet = decoder.decode(frame.subarray(0, cut), linkType);
        const layers = [packet.eth, packet.sll, packet.ipv4, packet.ipv6, packet.tcp, packet.udp];
        for (const layer of layers) {
          if (layer) assert.ok(layer.end - packet.frame.byteOffset <= cut, `${name}: past the cut`);
        }
        JSON.stringify([packet.ipv4, packet.ipv6, packet.tcp, packet.udp, packet.icmp, packet.arp]);
      }
    }
  }
});

Deno.test("truncation notes say which layer, how much was there and where", () => {
  const frame = new Uint8Array(14 + 12);
  frame.set([0x08, 0x00], 12);
  frame[14] = 0x45;
  const packet = decode(frame, LINKTYPE_ETHERNET);
  assert.ok(packet.eth);
  assert.equal(packet.ipv4, undefined);
  assert.equal(packet.error, "ipv4: truncated: 12 of 20 header bytes captured at offset 14");
});

Deno.test("malformed IPv4 headers are reported, not decoded past", () => {
  const header = [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  const shortIhl = decode(new Uint8Array([0x43, ...header.slice(1)]), LINKTYPE_RAW);
  assert.match(shortIhl.error!, /header length 12 is below 20/);
  assert.equal(shortIhl.tcp, undefined);
  const bogusLength = new Uint8Array(header);
  bogusLength[3] = 200;
  assert.match(decode(bogusLength, LINKTYPE_RAW).error!, /total length 200 exceeds the 20 bytes/);
  const wrongVersion = new Uint8Array(header);
  wrongVersion[0] = 0x55;
  assert.match(decode(wrongVersion, LINKTYPE_IPV4).error!, /ipv4: version field is 5, not 4/);
  // A frame of LINKTYPE_IPV4 that holds IPv6 is read as IPv6, as tcpdump and tshark read it.
  const ipv6 = new Uint8Array([0x60, 0, 0, 0, 0, 0, 59, 64, ...new Array(32).fill(0)]);
  const six = decode(ipv6, LINKTYPE_IPV4);
  assert.deepEqual([six.ipv4, six.ipv6?.hopLimit, six.error], [undefined, 64, undefined]);
});

Deno.test("RFC 5952 text for IPv6 addresses (section 4 examples)", () => {
  const cases: [string, string][] = [
    ["20010db8000000000000000000000001", "2001:db8::1"],
    ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"], // longest run, first when tied
    ["20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1"], // one zero group stays
    ["20010db8000000000001000000000000", "2001:db8:0:0:1::"],
    ["00000000000000000000000000000000", "::"],
    ["00000000000000000000ffffc0000201", "::ffff:192.0.2.1"],
    ["fe800000000000000202b3fffe1e8329", "fe80::202:b3ff:fe1e:8329"],
  ];
  for (const [hex, text] of cases) {
    const bytes = new Uint8Array(hex.match(/../g)!.map((pair) => parseInt(pair, 16)));
    assert.equal(formatIpv6(new DataView(bytes.buffer), 0), text);
  }
});

Deno.test("the Internet checksum of RFC 1071's example", () => {
  const bytes = new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
  assert.equal(onesComplementSum(new DataView(bytes.buffer), 0, 8), 0xddf2);
});

Deno.test("a reused decoder leaves nothing of the previous packet behind", async () => {
  const { records, linkType } = await readPcap(new URL("other-protocols.pcap", FIXTURES));
  const decoder = new Decoder();
  decoder.decode(records[0].frame, linkType); // IPv6 UDP
  const arp = decoder.decode(records[2].frame, linkType);
  assert.equal(arp.ipv6, undefined);
  assert.equal(arp.udp, undefined);
  assert.equal(arp.arp?.operation, 1);
});

const hasTshark = await hasCommand("tshark");

Deno.test("every declared field is compared with tshark, and tshark knows its name", async () => {
  const declared = Object.keys(PACKET_FIELDS);
  assert.ok(declared.length > 90, `only ${declared.length} fields declared`);
  // The fixtures' references hold a column for each field the layers declare (IGMP's and
  // DNS's have tests of their own), so none of them goes unchecked.
  const columns = new Set(TSHARK_FIELDS);
  assert.deepEqual(declared.filter((name) => !columns.has(name) && !OWN_TEST.test(name)), []);
  if (!hasTshark) return;
  const known = new Set(
    (await new Deno.Command("tshark", { args: ["-G", "fields"], stdout: "piped", stderr: "null" })
      .output().then((output) => new TextDecoder().decode(output.stdout)))
      .split("\n").map((line) => line.split("\t")[2]),
  );
  assert.deepEqual(declared.filter((name) => !known.has(name)), []);
});

Deno.test({
  name: "the committed tshark references are what tshark reads from the fixtures today",
  ignore: !hasTshark,
  fn: async () => {
    for (const name of fixtureNames) {
      const committed = await Deno.readTextFile(
        new URL(name.replace(/\.pcap(ng)?$/, ".tshark.tsv"), FIXTURES),
      );
      assert.equal(await tsharkFields(new URL(name, FIXTURES).pathname), committed, name);
    }
  },
});

Deno.test("onesComplementSum equals a plain 16-bit RFC 1071 sum for every length and offset", () => {
  const bytes = new Uint8Array(300);
  let state = 12345;
  for (let i = 0; i < bytes.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  bytes.fill(0xff, 200, 300); // long runs of carries
  const view = new DataView(bytes.buffer);
  const reference = (offset: number, length: number, initial: number) => {
    let sum = initial;
    for (let i = 0; i < length; i += 2) {
      sum += (bytes[offset + i] << 8) | (i + 1 < length ? bytes[offset + i + 1] : 0);
    }
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    return sum;
  };
  for (const offset of [0, 1, 2, 3, 150, 199]) {
    for (let length = 0; length <= 100; length++) {
      for (const initial of [0, 0x1234, 0x2fffe]) {
        const expected = reference(offset, length, initial);
        assert.equal(
          onesComplementSum(view, offset, length, initial),
          expected,
          `${offset}+${length}`,
        );
      }
    }
  }
  // Longer than one summing block (64 KiB): random bytes with long runs of 0xffff words,
  // whose sums carry.
  const long = new Uint8Array(200_003);
  for (let i = 0; i < long.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    long[i] = i % 50_000 < 20_000 ? 0xff : state >>> 24;
  }
  const longView = new DataView(long.buffer);
  let longSum = 0x1234;
  for (let i = 1; i < long.length; i += 2) {
    longSum += (long[i] << 8) | (i + 1 < long.length ? long[i + 1] : 0);
  }
  while (longSum > 0xffff) longSum = (longSum % 65536) + Math.floor(longSum / 65536);
  assert.equal(onesComplementSum(longView, 1, long.length - 1, 0x1234), longSum);
});

Deno.test("decodeAt decodes a frame where it lies as decode does its view, frame included", async () => {
  const { records, linkType } = await readPcap(new URL("./fixtures/stack.pcap", import.meta.url));
  // All frames in one buffer, at odd offsets, as a file reader's buffer holds them.
  const total = records.reduce((sum, { frame }) => sum + frame.length + 3, 0);
  const buffer = new Uint8Array(total);
  const offsets: number[] = [];
  let at = 3;
  for (const { frame } of records) {
    buffer.set(frame, at);
    offsets.push(at);
    at += frame.length + 3;
  }
  const viaView = new Decoder();
  const inPlace = new Decoder();
  records.forEach(({ frame, header }, i) => {
    const expected = formatJsonLine(viaView.decode(frame, linkType, header.len), header);
    const packet = inPlace.decodeAt(buffer, offsets[i], frame.length, linkType, header.len);
    assert.equal(formatJsonLine(packet, header), expected, `frame ${i}`);
    assert.deepEqual(packet.frame, frame, `frame ${i}: bytes`);
    assert.equal(packet.frame.byteOffset, offsets[i], `frame ${i}: a view, not a copy`);
  });
});
