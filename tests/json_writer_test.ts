/**
 * The fast JSON writer makes exactly the bytes `JSON.stringify(packetToJson(…))` makes: on
 * every packet of every fixture capture (with TCP analysis as the command line adds it), and
 * on fuzzed frames.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { FlowTracker } from "../src/analysis/flows.ts";
import { TCP_ANALYSIS_FLAGS, type TcpAnalysis } from "../src/analysis/tcp_analysis.ts";
import { Decoder, HttpMessage, LINKTYPE_RAW } from "../src/decode/mod.ts";
import { ip4, ipv4, tcp } from "../scripts/packet_builder.ts";
import { CaptureFileReader } from "../src/file/reader.ts";
import { formatJsonLine } from "../src/output/json.ts";
import { writeJsonLine } from "../src/output/json_writer.ts";
import { frameArbitrary, seedFrames } from "../scripts/fuzz.ts";

/**
 * Holds the fast writer to the reference on every packet of one capture (with TCP analysis as
 * the command line adds it); returns how many packets it compared. With `damaged`, a file
 * netpeek does not read is skipped and a record cut short ends the file, as it ends a reading.
 */
async function compareCapture(url: URL, name: string, damaged = false): Promise<number> {
  using file = await Deno.open(url);
  let reader: CaptureFileReader;
  try {
    reader = await CaptureFileReader.open(file, name);
  } catch (error) {
    if (damaged) return 0; // not a capture file netpeek reads (tests/corpus_check covers those)
    throw error;
  }
  const decoder = new Decoder();
  const flows = new FlowTracker();
  let compared = 0;
  try {
    await reader.run((frame, header) => {
      const packet = decoder.decode(frame, header.linkType, header.len);
      const extras = { analysis: flows.observe(packet, header) };
      assert.equal(
        writeJsonLine(packet, header, extras),
        formatJsonLine(packet, header, extras),
        name,
      );
      compared++;
    });
  } catch (error) {
    if (!damaged || error instanceof assert.AssertionError) throw error;
  }
  return compared;
}

Deno.test("fast JSON equals JSON.stringify of the documented object on every fixture packet", async () => {
  let compared = 0;
  // The general fixtures, and the application protocols' (real clients and servers).
  for (const directory of ["./fixtures/", "./fixtures/protocols/"]) {
    const fixtures = new URL(directory, import.meta.url);
    for (const entry of Deno.readDirSync(fixtures)) {
      if (!/\.pcap(ng)?$/.test(entry.name)) continue;
      compared += await compareCapture(new URL(entry.name, fixtures), entry.name);
    }
  }
  assert.ok(compared > 2000, `only ${compared} packets`);
});

Deno.test("fast JSON equals JSON.stringify on every packet of tcpdump's test captures", async () => {
  // 830 files, many malformed: every protocol's odd cases, as tcpdump's own tests hold them.
  const corpus = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
  let compared = 0;
  for (const entry of Deno.readDirSync(corpus)) {
    compared += await compareCapture(new URL(entry.name, corpus), entry.name, true);
  }
  assert.ok(compared > 10_000, `only ${compared} packets`);
});

Deno.test("fast JSON equals JSON.stringify on fuzzed frames", () => {
  const decoder = new Decoder();
  const header = { seconds: 1767225600, fraction: 123, nanosecond: false, caplen: 0, len: 0 };
  fc.assert(
    fc.property(frameArbitrary(seedFrames()), ({ linkType, bytes }) => {
      const packet = decoder.decode(bytes, linkType, bytes.length);
      const frameHeader = { ...header, caplen: bytes.length, len: bytes.length };
      assert.equal(writeJsonLine(packet, frameHeader), formatJsonLine(packet, frameHeader));
    }),
    { numRuns: 3000, seed: 7 },
  );
});

Deno.test("fast JSON writes every combination of TCP analysis flags as JSON.stringify does", async () => {
  using file = await Deno.open(new URL("./fixtures/tcp-analysis.pcap", import.meta.url));
  const reader = await CaptureFileReader.open(file, "tcp-analysis.pcap");
  const record = await reader.next();
  assert.ok(record !== null);
  const packet = new Decoder().decode(record.frame, record.header.linkType, record.header.len);
  assert.ok(packet.tcp !== undefined);
  // The flags in the order FlowTracker sets them (an object's keys keep insertion order).
  const flags = [...TCP_ANALYSIS_FLAGS, "duplicateAck"] as const;
  for (let subset = 0; subset < 1 << flags.length; subset++) {
    const analysis: TcpAnalysis = {
      relativeSeq: subset,
      relativeAck: subset % 3 === 0 ? null : 2 ** 32 - 1,
      isnSeen: subset % 2 === 0,
      peerBase: subset % 5 === 0 ? null : 12345,
      tcpdumpSeqBase: 0,
      tcpdumpAckBase: 0,
      tcpdumpSackBase: 0,
    };
    flags.forEach((flag, bit) => {
      if ((subset & (1 << bit)) === 0) return;
      if (flag === "duplicateAck") analysis.duplicateAck = subset;
      else analysis[flag] = true;
    });
    const extras = { analysis };
    assert.equal(
      writeJsonLine(packet, record.header, extras),
      formatJsonLine(packet, record.header, extras),
    );
  }
});

Deno.test("HTTP's JSON copied from the segment equals JSON.stringify, and is taken for plain messages", () => {
  // Messages built from the pieces that steer the writer: either start line, spaces where
  // `splitFirstLine` cuts, the fields JSON keeps (any case, white space), numbers and not,
  // and bytes that must be escaped (quote, backslash, tab, CR, control, non-ASCII).
  const word = fc.oneof(
    { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9\/.\-: ]{0,12}$/) },
    // A control byte (0x01) among them: escaped by JSON.stringify as \u0001.
    // deno-lint-ignore no-control-regex
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9\/.\-:"\\\t\r\x01\xe9 ]{0,12}$/) },
  );
  const startLine = fc.oneof(
    fc.tuple(fc.constantFrom("GET", "POST", "M-SEARCH", "NOTIFY"), word, word).map(
      ([method, target, rest]) => `${method} ${target}${rest}`,
    ),
    fc.tuple(fc.constantFrom("HTTP/1.1", "HTTP/1.0"), fc.integer({ min: 0, max: 999 }), word)
      .map(([version, status, reason]) =>
        `${version} ${String(status).padStart(3, "0")} ${reason}`
      ),
  );
  const fieldName = fc.constantFrom(
    "Host",
    "host",
    "HOST",
    "User-Agent",
    "Content-Type",
    "Content-Length",
    "content-length",
    "X-Other",
    "Ho\tst",
  );
  const fieldValue = fc.oneof(word, fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String));
  const field = fc.tuple(fieldName, fc.constantFrom(":", ": ", ":\t", " : "), fieldValue)
    .map(([name, colon, value]) => `${name}${colon}${value}`);
  const message = fc.tuple(
    startLine,
    fc.array(field, { maxLength: 6 }),
    fc.constantFrom("\r\n", "\n"),
    fc.boolean(),
  ).map(([line, fields, newline, ended]) =>
    [line, ...fields].join(newline) + newline + (ended ? newline : "")
  );
  const decoder = new Decoder();
  const header = { seconds: 1767225600, fraction: 0, nanosecond: false, caplen: 0, len: 0 };
  const reference = HttpMessage.prototype.toJSON;
  let throughReference = 0;
  let copied = 0;
  HttpMessage.prototype.toJSON = function (this: HttpMessage) {
    throughReference++;
    return reference.call(this);
  };
  try {
    fc.assert(
      fc.property(message, (text) => {
        const payload = Uint8Array.from(text, (character) => character.charCodeAt(0));
        const src = ip4("192.0.2.1");
        const dst = ip4("192.0.2.2");
        const spec = { sport: 40000, dport: 80, seq: 1, ack: 1, flags: 0x18, window: 512 };
        const frame = ipv4({
          src: "192.0.2.1",
          dst: "192.0.2.2",
          protocol: 6,
          payload: tcp(src, dst, spec, payload),
        });
        const packet = decoder.decode(frame, LINKTYPE_RAW, frame.length);
        assert.ok(packet.http, text);
        const frameHeader = { ...header, caplen: frame.length, len: frame.length };
        const before = throughReference;
        const fast = writeJsonLine(packet, frameHeader);
        if (throughReference === before) copied++;
        assert.equal(fast, formatJsonLine(packet, frameHeader), JSON.stringify(text));
      }),
      { numRuns: 3000, seed: 16 },
    );
  } finally {
    HttpMessage.prototype.toJSON = reference;
  }
  // Neither path may go untested: most messages are copied, the rest escaped by `toJSON`.
  assert.ok(copied > 300, `only ${copied} copied`);
  assert.ok(throughReference > 300, `only ${throughReference} through toJSON`);
});
