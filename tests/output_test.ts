/**
 * Text and JSON output. Text is compared with tcpdump's own lines for the same fixture frames
 * (where netpeek means to print exactly what tcpdump prints), JSON with tshark's fields.
 */

import assert from "node:assert/strict";
import { pcapRecords } from "../scripts/make_fixtures.ts";
import { Decoder, LINKTYPE_RAW } from "../src/decode/mod.ts";
import { formatJsonLine, packetToJson } from "../src/output/json.ts";
import { TextFormatter, type TextOptions } from "../src/output/text.ts";
import { OutputBuffer } from "../src/output/writer.ts";
import { ByteWriter } from "../src/output/bytes.ts";
import { isoTimestamp, writeIsoTimestamp } from "../src/output/timestamp.ts";
import { hasCommand, runNetpeek } from "./netpeek_process.ts";
import { parseTsv, readPcap } from "./pcap_file.ts";
import { interfaceNamer } from "../src/ffi/interfaces.ts";
import { loadLibpcap } from "../src/ffi/library.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);
const hasTcpdump = await hasCommand("tcpdump");

const nameInterface = interfaceNamer(loadLibpcap());

async function netpeekLines(name: string, options: TextOptions = {}): Promise<string[]> {
  const { records, linkType } = await readPcap(new URL(name, FIXTURES));
  const decoder = new Decoder();
  const text = new TextFormatter(options);
  return records.map(({ frame, header }) => {
    const packet = decoder.decode(frame, linkType, header.len);
    const sll = packet.sll;
    // As the command line does: this machine's name for a cooked v2 header's interface.
    const interfaceName = sll?.version === 2 ? nameInterface(sll.interfaceIndex) : undefined;
    return text.format(packet, header, { interfaceName });
  });
}

/** tcpdump's lines for a fixture, without their time stamps (`-S`: absolute sequence numbers). */
async function tcpdumpLines(name: string, flags: string[]): Promise<string[]> {
  const output = await new Deno.Command("tcpdump", {
    args: ["-n", "-S", ...flags, "-r", new URL(name, FIXTURES).pathname],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.ok(output.success, `tcpdump -r ${name} failed`);
  // Each packet starts with a time stamp at the start of a line; continuation lines do not.
  const text = new TextDecoder().decode(output.stdout);
  return text.split(/\n(?=\d\d:\d\d:\d\d\.)/).map((packet) => packet.trimEnd() + "\n");
}

const withoutTime = (line: string) => line.replace(/^\d\d:\d\d:\d\d\.\d{6} /, "");

/** Frames (1-based) whose line is meant to begin with tcpdump's (netpeek may add after it, as
 * an HTTP line on port 443), the hex lines after it equal. Others differ on purpose: fragments
 * get a `(frag id:len@off+)` note; truncation notes say more than `[|udp]`; the NS flag is
 * shown (`N`). */
const SAME_AS_TCPDUMP: [string, string[], number[] | "all"][] = [
  ["ipv4-cases.pcap", [], [1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17]],
  ["other-protocols.pcap", [], [2, 3, 4]],
  ["vlan.pcap", [], "all"],
  ["raw.pcap", [], "all"],
  ["raw.pcap", ["-e"], "all"],
  ["null.pcap", [], "all"],
  ["vlan.pcap", ["-e"], "all"],
  ["other-protocols.pcap", ["-e"], [2, 3, 4]],
  ["lo-tcpdump.pcap", ["-x"], [1, 2, 3, 4]],
  ["lo-tcpdump.pcap", ["-X"], [1, 2, 3, 4]],
  ["ipv4-cases.pcap", ["-X"], [1, 14, 16]],
  // -i any's cooked headers: tcpdump names the interface by this machine's index, as netpeek.
  ["sll.pcap", [], "all"],
  ["sll.pcap", ["-e"], "all"],
  ["sll2.pcap", [], "all"],
  ["sll2.pcap", ["-e"], "all"],
  ["any-sll-tcpdump.pcap", ["-e"], "all"],
  ["any-sll2-tcpdump.pcap", [], "all"],
  ["any-sll2-tcpdump.pcap", ["-e"], "all"],
];

for (const [name, flags, frames] of SAME_AS_TCPDUMP) {
  Deno.test({
    name: `text output matches tcpdump ${flags.join(" ")} on ${name}`.replace("  ", " "),
    ignore: !hasTcpdump,
    fn: async () => {
      const options: TextOptions = {
        link: flags.includes("-e"),
        hex: flags.includes("-X") ? "ascii" : flags.includes("-x") ? "hex" : "none",
      };
      const ours = (await netpeekLines(name, options)).map(withoutTime);
      const theirs = (await tcpdumpLines(name, flags)).map(withoutTime);
      assert.equal(ours.length, theirs.length);
      const indexes = frames === "all" ? ours.map((_, i) => i + 1) : frames;
      for (const frame of indexes) {
        const [ourLine, ...ourHex] = ours[frame - 1].split("\n");
        const [theirLine, ...theirHex] = theirs[frame - 1].split("\n");
        assert.ok(
          ourLine.startsWith(theirLine),
          `${name} frame ${frame}:\nnetpeek: ${ourLine}\ntcpdump: ${theirLine}`,
        );
        assert.deepEqual(ourHex, theirHex, `${name} frame ${frame}`);
      }
    },
  });
}

Deno.test("text: fragments, truncation and Linux cooked lines", async () => {
  const fragments = (await netpeekLines("ipv4-cases.pcap")).map(withoutTime);
  assert.equal(
    fragments[1],
    "IP 192.0.2.1.40000 > 198.51.100.2.5001: UDP, length 5 (frag 257:13@0+)\n",
  );
  assert.equal(fragments[2], "IP 192.0.2.1 > 198.51.100.2: ip-proto-17 (frag 257:24@1480+)\n");
  assert.equal(fragments[3], "IP 192.0.2.1 > 198.51.100.2: ip-proto-17 (frag 257:24@2960)\n");
  const cut = (await netpeekLines("truncated-40.pcap")).map(withoutTime);
  assert.equal(
    cut[0],
    "IP 192.0.2.1.40000 > 198.51.100.2.5001: " +
      "[|udp: truncated: 6 of 8 header bytes captured at offset 34]\n",
  );
  // An IPv4 header cut inside its options: tcpdump's words, then netpeek's note.
  assert.equal(
    cut[6],
    "IP  [remaining caplen(26) < header length(32)] [|ip] " +
      "[|ipv4: truncated: 26 of 32 header bytes captured at offset 14]\n",
  );
  const cooked = (await netpeekLines("sll2.pcap", { link: true })).map(withoutTime);
  assert.match(
    cooked[1],
    // tcpdump 4.99's order: the interface's name (none here has index 4242), the direction,
    // then -e's header.
    /^\? {5}Out ifindex 4242 02:00:5e:00:53:01 ethertype IPv4 \(0x0800\), length 54: /,
  );
});

Deno.test({
  name: "text -v: tcpdump -v's IP headers, options, flags, ECN and checksum verdicts",
  ignore: !hasTcpdump,
  fn: async () => {
    for (const name of ["ipv4-cases.pcap", "other-protocols.pcap", "stack.pcap"]) {
      const ours = (await netpeekLines(name, { verbose: true, absoluteSequence: true }))
        .map(withoutTime);
      const theirs = (await tcpdumpLines(name, ["-v"])).map(withoutTime);
      assert.equal(ours.length, theirs.length, name);
      let same = 0;
      ours.forEach((line, index) => {
        // Netpeek's truncation notes say more than tcpdump's `[|udp]`; IPv6 routing headers
        // are named only (README: differences).
        if (line.startsWith(theirs[index].trimEnd())) same++;
      });
      assert.ok(same >= ours.length * 0.85, `${name}: ${same} of ${ours.length} as tcpdump -v`);
    }
    const lines = (await netpeekLines("ipv4-cases.pcap", { verbose: true })).map(withoutTime);
    // The shapes tcpdump -v has, each held to tcpdump's own line above.
    assert.match(lines[2], /offset 1480, flags \[\+\]/);
    assert.match(lines[5], /flags \[rsvd\]/);
    assert.match(lines[8], /, bad cksum beef \(->324f\)!\)/);
    assert.match(lines[9], /\(tos 0xbb,CE, /);
  },
});

Deno.test("text -V: every field of every layer as a tree, with names and meanings", async () => {
  const lines = (await netpeekLines("ipv4-cases.pcap", { tree: true })).map(withoutTime);
  const first = lines[0].split("\n");
  // The line first, as without -V; then the layers.
  assert.equal(first[0], withoutTime((await netpeekLines("ipv4-cases.pcap"))[0]).trimEnd());
  for (
    const field of [
      "    Internet Protocol Version 4, Src: 192.0.2.1, Dst: 198.51.100.2",
      "        Version: 4",
      "        Header length: 20 bytes",
      "        Total length: 33 bytes",
      "        Don't fragment: yes",
      "        More fragments: no",
      "        Fragment offset: 0",
      "        Protocol: UDP (17)",
      "        Checksum: 0x324f [correct]",
      "        Source address: 192.0.2.1",
      "        Destination address: 198.51.100.2",
    ]
  ) assert.ok(first.includes(field), `${field} in\n${lines[0]}`);
  assert.match(lines[8], /Checksum: 0xbeef \[incorrect\]/);
  assert.match(lines[9], /Differentiated services codepoint: EF \(46\)/);
  assert.match(lines[9], /Explicit congestion notification: CE \(3\)/);
  assert.match(lines[6], /Options\n +#1: RA/);
});

Deno.test("text: colour only when asked, and never inside the bytes of a hex dump", async () => {
  const plain = await netpeekLines("raw.pcap");
  const colour = await netpeekLines("raw.pcap", { color: true, hex: "ascii" });
  assert.ok(!plain[0].includes("\x1b["));
  assert.ok(colour[0].includes("\x1b[2m"));
  assert.equal(colour[0].split("\n").slice(1).join("\n").includes("\x1b"), false);
});

Deno.test("JSON: documented names, and values equal to tshark's", async () => {
  const name = "ipv4-cases.pcap";
  const { records, linkType } = await readPcap(new URL(name, FIXTURES));
  const tshark = parseTsv(
    await Deno.readTextFile(new URL("ipv4-cases.tshark.tsv", FIXTURES)),
  );
  const decoder = new Decoder();
  records.forEach(({ frame, header }, index) => {
    const line = formatJsonLine(decoder.decode(frame, linkType, header.len), header);
    assert.ok(line.endsWith("}\n") && !line.slice(0, -1).includes("\n"), "one line each");
    const json = JSON.parse(line);
    const expected = tshark[index];
    assert.deepEqual(Object.keys(json).slice(0, 5), ["ts", "caplen", "len", "link", "eth"]);
    assert.equal(
      json.ts,
      `2026-01-01T00:00:${String(index).padStart(2, "0")}.${
        String(index * 1000).padStart(6, "0")
      }Z`,
    );
    assert.equal(json.link, "ethernet");
    assert.deepEqual(Object.keys(json.ipv4), [
      "version",
      "ihl",
      "dscp",
      "ecn",
      "length",
      "id",
      "df",
      "mf",
      "fragOffset",
      "ttl",
      "protocol",
      "checksum",
      "checksumOk",
      "src",
      "dst",
      "options",
    ]);
    assert.equal(json.ipv4.df, expected["ip.flags.df"] === "1");
    assert.equal(json.ipv4.mf, expected["ip.flags.mf"] === "1");
    assert.equal(json.ipv4.fragOffset, Number(expected["ip.frag_offset"]) * 8);
    assert.equal(json.ipv4.id, Number(expected["ip.id"]));
    assert.equal(json.ipv4.dscp, Number(expected["ip.dsfield.dscp"]));
    assert.equal(json.ipv4.ecn, Number(expected["ip.dsfield.ecn"]));
    assert.equal(json.ipv4.checksumOk, expected["ip.checksum.status"] === "1");
    assert.equal(json.eth.src, expected["eth.src"]);
    if (expected["tcp.srcport"]) {
      assert.equal(json.tcp.seq, Number(expected["tcp.seq_raw"]));
      assert.equal(json.tcp.flags.syn, (Number(expected["tcp.flags"]) & 2) !== 0);
    }
    if (expected["udp.srcport"]) assert.equal(json.udp.length, Number(expected["udp.length"]));
  });
});

Deno.test("JSON: VLAN tags, cooked headers, truncated ports and error notes", async () => {
  const vlan = await readPcap(new URL("vlan.pcap", FIXTURES));
  const qinq = packetToJson(
    new Decoder().decode(vlan.records[1].frame, vlan.linkType),
    vlan.records[1].header,
  );
  assert.deepEqual(qinq.vlan, [
    { tpid: 0x88a8, pcp: 3, dei: true, id: 200, type: 0x8100 },
    { tpid: 0x8100, pcp: 0, dei: false, id: 300, type: 0x0800 },
  ]);
  const cut = await readPcap(new URL("truncated-40.pcap", FIXTURES));
  const json = packetToJson(
    new Decoder().decode(cut.records[0].frame, cut.linkType, cut.records[0].header.len),
    cut.records[0].header,
  );
  assert.deepEqual(json.udp, { srcPort: 40000, dstPort: 5001, truncated: true });
  assert.equal(json.error, "udp: truncated: 6 of 8 header bytes captured at offset 34");
  assert.equal(json.caplen, 40);
  assert.equal(json.len, 60);
});

Deno.test("output buffer: chunked writes, oversized text, and a closed reader", () => {
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  const out = new OutputBuffer({
    writeSync: (bytes) => (chunks.push(decoder.decode(bytes)), bytes.length),
  }, 1 << 16);
  out.write("a".repeat(20));
  out.write("b".repeat(20));
  assert.equal(chunks.length, 0, "lines wait to be written in one chunk");
  out.flush();
  assert.deepEqual(chunks, ["a".repeat(20) + "b".repeat(20)]);
  // Far more than the buffer holds: written out along the way, nothing lost, order kept.
  const long = Array.from({ length: 5000 }, (_, i) => `line ${i} ünïcode\n`).join("");
  for (const line of long.split(/(?<=\n)/)) out.write(line);
  out.flush();
  assert.equal(chunks.slice(1).join(""), long);
  assert.ok(chunks.length > 2, "big output goes out in several chunks");
  // The chunk size given is where output is written out.
  const small: string[] = [];
  const smallOut = new OutputBuffer({
    writeSync: (bytes) => (small.push(decoder.decode(bytes)), bytes.length),
  }, 64);
  smallOut.write("x".repeat(40));
  assert.equal(small.length, 0);
  smallOut.write("y".repeat(40));
  assert.deepEqual(small, ["x".repeat(40) + "y".repeat(40)]);

  let calls = 0;
  const closed = new OutputBuffer({
    writeSync: () => {
      calls++;
      throw new Deno.errors.BrokenPipe("closed");
    },
  });
  closed.write("x\n");
  closed.flush();
  assert.equal(closed.closed, true);
  closed.write("y\n");
  closed.flush();
  assert.equal(calls, 1);
});

Deno.test({
  name: "default text (relative TCP numbers, options, SACK) equals tcpdump's on real traffic",
  ignore: !hasTcpdump,
  fn: async () => {
    for (const name of ["tcp-real.pcap", "tcp-analysis.pcap", "lo-tcpdump.pcap"]) {
      const path = new URL(name, FIXTURES).pathname;
      const ours = await runNetpeek(["-r", path], { env: { TZ: "UTC" } });
      assert.equal(ours.code, 0, ours.stderr);
      const theirs = await new Deno.Command("tcpdump", {
        args: ["-n", "-r", path],
        env: { TZ: "UTC" },
        stdout: "piped",
        stderr: "null",
      }).output();
      const expected = new TextDecoder().decode(theirs.stdout);
      const lines = ours.stdout.split("\n");
      assert.ok(lines.length > 10);
      assert.equal(ours.stdout, expected, name);
    }
  },
});

Deno.test("-v: an offloaded checksum is incorrect on the wire, as tcpdump says", async () => {
  const lo = (await netpeekLines("lo-tcpdump.pcap", { verbose: true })).join("");
  assert.match(lo, /Flags \[S\], cksum 0xfe30 \(incorrect -> 0x[0-9a-f]{4}\)/);
  const stack = (await netpeekLines("stack.pcap", { verbose: true })).join("");
  assert.match(
    stack,
    /40011 > 198\.51\.100\.2\.80: Flags \[\.\], cksum 0x[0-9a-f]{4} \(incorrect -> 0x[0-9a-f]{4}\)/,
  );
});

Deno.test({
  name:
    "DNS summaries as tcpdump's: root, dots and backslashes in labels, replies, unnamed types, cut",
  ignore: !hasTcpdump,
  fn: async () => {
    const ipUdp = (dns: number[]): Uint8Array => {
      const udp = [0x9c, 0x40, 0, 53, (8 + dns.length) >> 8, (8 + dns.length) & 0xff, 0, 0, ...dns];
      const total = 20 + udp.length;
      return new Uint8Array([
        0x45,
        0,
        total >> 8,
        total & 0xff,
        0,
        1,
        0,
        0,
        64,
        17,
        0,
        0,
        10,
        0,
        0,
        1,
        10,
        0,
        0,
        2,
        ...udp,
      ]);
    };
    const header = (id: number, flags: number, an = 0, ns = 0) => [
      0,
      id,
      flags >> 8,
      flags & 0xff,
      0,
      1,
      0,
      an,
      0,
      ns,
      0,
      0,
    ];
    const name = (text: string) => [...new TextEncoder().encode(text)];
    const example = [7, ...name("example"), 3, ...name("com"), 0];
    const cases: [number[], string][] = [
      [[...header(1, 0x0100), 0, 0, 2, 0, 1], "1+ NS? . (17)"],
      [
        [
          ...header(2, 0x0100),
          3,
          ...name("a.b"),
          4,
          ...name("c\\de"),
          3,
          ...name("com"),
          0,
          0,
          1,
          0,
          1,
        ],
        "2+ A? a.b.c\\de.com. (30)",
      ],
      [
        [
          ...header(3, 0x8180, 1),
          ...example,
          0,
          28,
          0,
          1,
          0xc0,
          12,
          0,
          28,
          0,
          1,
          0,
          0,
          0,
          60,
          0,
          16,
          ...new Array(16).fill(0),
        ],
        "3 1/0/0 AAAA :: (57)",
      ],
      [
        [...header(4, 0x8583, 0, 1), 4, ...name("mail"), 0xc0, 12, 0, 15, 0, 1],
        "4 NXDomain* 0/1/0 (23)",
      ],
      [[...header(6, 0x0100), ...example, 0xff, 0xfe, 0, 1], "6+ Type65534? example.com. (29)"],
      // Hostile names: a pointer to itself, a pointer forward, and 320 bytes of labels.
      [[...header(7, 0x0100), 0xc0, 12, 0, 1, 0, 1], "7+ A? <BAD PTR> [|domain]"],
      [
        [...header(8, 0x0100), 0xc0, 14, 0, 0, 1, 0, 1],
        "8+ Type0 (Class 256)? <BAD PTR> [|domain]",
      ],
      [
        [
          ...header(9, 0x0100),
          ...Array(5).fill([63, ...Array(63).fill(0x61)]).flat(),
          0,
          0,
          1,
          0,
          1,
        ],
        `9+ A? ${("a".repeat(63) + ".").repeat(4)}<DOMAIN NAME TOO LONG> (337)`,
      ],
      // Cut off between the type and the class: tcpdump prints just this, and so does netpeek.
      [[...header(5, 0x0100), ...example, 0, 1], "5+ [|domain]"],
    ];
    const decoder = new Decoder();
    const text = new TextFormatter();
    const frames = cases.map(([dns]) => ipUdp(dns));
    // tcpdump reads the same messages: the expected lines above are its own.
    const path = await Deno.makeTempFile({ suffix: ".pcap" });
    await Deno.writeFile(
      path,
      pcapRecords(LINKTYPE_RAW, frames.map((frame) => ({ seconds: 0, fraction: 0, frame }))),
    );
    const tcpdump = await new Deno.Command("tcpdump", {
      args: ["-n", "-r", path],
      env: { TZ: "UTC" },
      stdout: "piped",
      stderr: "null",
    }).output();
    await Deno.remove(path);
    const theirs = new TextDecoder().decode(tcpdump.stdout).trimEnd().split("\n");
    assert.equal(theirs.length, cases.length);
    cases.forEach(([, expected], index) => {
      const frame = frames[index];
      const packet = decoder.decode(frame, LINKTYPE_RAW);
      const line = text.format(packet, {
        seconds: 0,
        fraction: 0,
        nanosecond: false,
        caplen: frame.length,
        len: frame.length,
      });
      assert.equal(line.slice(line.indexOf(": ") + 2, -1), expected);
      assert.equal(theirs[index].slice(theirs[index].indexOf(": ") + 2), expected);
    });
  },
});

Deno.test("ISO time stamps, as text and as bytes, match Date's however the calls interleave", () => {
  const out = new ByteWriter();
  const seconds = [0, 0, 1, 1, 1_700_000_000, 1, 1_700_000_000, 4_000_000_000, 4_000_000_000];
  seconds.forEach((second, i) => {
    const header = { seconds: second, fraction: 123 * i, nanosecond: false, caplen: 0, len: 0 };
    const expected = new Date(second * 1000).toISOString().slice(0, 19) +
      `.${String(123 * i).padStart(6, "0")}Z`;
    // Each second is met first by one form, then by the other.
    const asText = () => assert.equal(isoTimestamp(header), expected);
    const asBytes = () => {
      out.clear();
      writeIsoTimestamp(out, header, i % 3 === 0 ? "" : "<");
      assert.equal(out.toString(), (i % 3 === 0 ? "" : "<") + expected);
    };
    if (i % 2 === 0) {
      asText();
      asBytes();
    } else {
      asBytes();
      asText();
    }
  });
});
