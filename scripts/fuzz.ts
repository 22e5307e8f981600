/**
 * Property-based and mutation fuzzing of every decoder, the analysis layers, the text and
 * JSON output and the pcap/pcapng reader (with fast-check), seeded from the fixture captures.
 *
 * For every input: no exception escapes (the reader may only raise `CaptureFileError`),
 * nothing is read outside the frame, every layer lies within the frame, text and JSON can be
 * produced, and the text carries no control character from the packet; every display-filter
 * field reads, a fixed set of display filters evaluates and `-T fields` prints, all without
 * throwing; and a random display-filter expression either compiles or throws
 * `DisplayFilterError`, nothing else.
 *
 * `deno task fuzz` runs for five minutes (`--minutes N` for longer, `--seed N` to
 * replay); a failure prints the seed and the input as hex, and is saved in
 * tests/fixtures/fuzz/ as a regression case that `deno task test` replays.
 *
 * @module
 */

import fc from "fast-check";
import { parseArgs } from "node:util";
import { taskArgs } from "./task_args.ts";
import { FlowTracker } from "../src/analysis/flows.ts";
import { Reassembler } from "../src/analysis/reassembly.ts";
import { Decoder, type HeaderView, type Packet } from "../src/decode/mod.ts";
import { CaptureFileError, CaptureFileReader } from "../src/file/reader.ts";
import { formatJsonLine } from "../src/output/json.ts";
import { writeJsonLine } from "../src/output/json_writer.ts";
import { formatStatsJson, formatStatsText } from "../src/output/stats.ts";
import { TextFormatter } from "../src/output/text.ts";
import { PACKET_FIELDS } from "../src/decode/packet_fields.ts";
import type { FrameHeader } from "../src/frame.ts";
import { type CompiledFilter, compileFilter } from "../src/filter/compile.ts";
import { DisplayFilterError } from "../src/filter/error.ts";
import { FILTER_FIELDS } from "../src/filter/fields.ts";
import { FilterFrame } from "../src/filter/frame.ts";
import { FieldsWriter } from "../src/output/fields_text.ts";
import { ByteWriter } from "../src/output/bytes.ts";
import { parsePcap } from "../tests/pcap_file.ts";

const FIXTURES = new URL("../tests/fixtures/", import.meta.url);
/** Link types the decoder knows, and one it does not. */
export const LINK_TYPES = [0, 1, 12, 101, 108, 113, 228, 229, 276, 147];

/** A frame and the link type to decode it as. */
export interface FuzzFrame {
  linkType: number;
  bytes: Uint8Array;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Captures of one protocol each (tests/fixtures/protocols), seeds as the others are. */
const PROTOCOL_FIXTURES = new URL("protocols/", FIXTURES);

/** The frames of every classic-pcap fixture, as seeds for mutation. */
export function seedFrames(): FuzzFrame[] {
  const frames: FuzzFrame[] = [];
  for (const directory of [FIXTURES, PROTOCOL_FIXTURES]) {
    for (const entry of Deno.readDirSync(directory)) {
      if (!entry.name.endsWith(".pcap")) continue;
      const file = parsePcap(Deno.readFileSync(new URL(entry.name, directory)));
      for (const record of file.records.slice(0, 200)) {
        frames.push({ linkType: file.linkType, bytes: record.frame.slice() });
      }
    }
  }
  return frames;
}

/** The bytes of every fixture capture file, as seeds for reader mutation. */
export function seedFiles(): Uint8Array[] {
  return [...Deno.readDirSync(FIXTURES)]
    .filter((entry) => /\.pcap(ng)?$/.test(entry.name) && !entry.name.startsWith("tcp-real"))
    .map((entry) => Deno.readFileSync(new URL(entry.name, FIXTURES)));
}

/** Mutations of a byte string: flips, length-like fields set to edge values, cuts, splices. */
function mutated(seeds: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const edits = fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7) }),
      fc.record({
        kind: fc.constant("set" as const),
        at: fc.nat(),
        width: fc.constantFrom(1, 2, 4),
        value: fc.constantFrom(0, 1, 2, 0xff, 0xffff, 0xffffffff, 0x7fffffff),
      }),
      fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant("insert" as const),
        at: fc.nat(),
        bytes: fc.uint8Array({ maxLength: 16 }),
      }),
    ),
    { minLength: 1, maxLength: 6 },
  );
  return fc.tuple(fc.constantFrom(...seeds), edits).map(([seed, list]) => {
    let bytes = seed.slice();
    for (const edit of list) {
      if (bytes.length === 0) break;
      const at = edit.at % bytes.length;
      if (edit.kind === "flip") bytes[at] ^= 1 << edit.bit;
      else if (edit.kind === "set") {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        if (at + edit.width <= bytes.length) {
          if (edit.width === 1) view.setUint8(at, edit.value & 0xff);
          else if (edit.width === 2) view.setUint16(at, edit.value & 0xffff, at % 2 === 0);
          else view.setUint32(at, edit.value >>> 0, at % 3 === 0);
        }
      } else if (edit.kind === "cut") bytes = bytes.slice(0, at);
      else {
        const spliced = new Uint8Array(bytes.length + edit.bytes.length);
        spliced.set(bytes.subarray(0, at));
        spliced.set(edit.bytes, at);
        spliced.set(bytes.subarray(at), at + edit.bytes.length);
        bytes = spliced;
      }
    }
    return bytes;
  });
}

/** Frames to decode: random bytes of any link type, and mutated fixture frames. */
export function frameArbitrary(seeds: FuzzFrame[]): fc.Arbitrary<FuzzFrame> {
  const random = fc.record({
    linkType: fc.constantFrom(...LINK_TYPES),
    bytes: fc.uint8Array({ maxLength: 1600 }),
  });
  const byLink = new Map<number, Uint8Array[]>();
  for (const seed of seeds) {
    byLink.set(seed.linkType, [...(byLink.get(seed.linkType) ?? []), seed.bytes]);
  }
  const mutations = [...byLink].map(([linkType, frames]) =>
    mutated(frames).map((bytes) => ({ linkType, bytes }))
  );
  return fc.oneof(
    { arbitrary: random, weight: 1 },
    ...mutations.map((arbitrary) => ({ arbitrary, weight: 3 })),
  );
}

// deno-lint-ignore no-control-regex -- control characters are what is looked for
const TEXT_CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

function checkLayer(name: string, layer: HeaderView | undefined, start: number, end: number) {
  if (layer === undefined) return;
  if (layer.offset < start || layer.end > end || layer.offset > layer.end) {
    throw new Error(
      `${name} lies outside the frame: ${layer.offset}..${layer.end} not in ${start}..${end}`,
    );
  }
}

/**
 * Decodes, analyses and prints one frame, checking every property; throws with the input
 * as hex when one fails. The trackers carry state across frames, as in a real capture.
 */
export function checkFrame(
  frame: FuzzFrame,
  state: {
    flows: FlowTracker;
    reassembler: Reassembler;
    decoder: Decoder;
    text: TextFormatter;
    frames: number;
    filterFrame: FilterFrame;
    fieldsOut: ByteWriter;
  },
): void {
  // Copy into a larger buffer: a read past the frame would find 0xEE bytes, not a RangeError.
  const backing = new Uint8Array(frame.bytes.length + 64).fill(0xee);
  backing.set(frame.bytes, 32);
  const bytes = backing.subarray(32, 32 + frame.bytes.length);
  const header: FrameHeader = {
    seconds: 1767225600,
    fraction: 0,
    nanosecond: false,
    caplen: bytes.length,
    len: bytes.length + (frame.bytes.length % 3),
  };
  try {
    const packet: Packet = state.decoder.decode(bytes, frame.linkType, header.len);
    checkPacket(packet, bytes.byteOffset, bytes.length);
    const reassembled = state.reassembler.offer(packet, header);
    const inner = reassembled?.packet.tcp ?? reassembled?.packet.udp;
    const analysis = state.flows.observe(packet, header, inner);
    if (++state.frames % STATS_EVERY === 0) checkStats(state.flows);
    const extras = { analysis, reassembled };
    const text = state.text.format(packet, header, extras);
    if (TEXT_CONTROLS.test(text)) {
      throw new Error(`control character in the text: ${JSON.stringify(text)}`);
    }
    // Every display-filter field reads what the layers give, without throwing.
    for (const read of Object.values(PACKET_FIELDS)) read(packet);
    const filterFrame = state.filterFrame;
    filterFrame.next(packet, header);
    filterFrame.followed(analysis, state.flows);
    for (const field of FILTER_FIELDS.values()) {
      field.read(filterFrame);
      field.bytes?.(filterFrame);
    }
    for (const filter of FUZZ_FILTERS) filter.matches(filterFrame);
    state.fieldsOut.length = 0;
    EVERY_FIELD_WRITER.write(state.fieldsOut, filterFrame);
    const json = formatJsonLine(packet, header, extras);
    JSON.parse(json);
    if (writeJsonLine(packet, header, extras) !== json) {
      throw new Error("the fast JSON writer differs from JSON.stringify");
    }
  } catch (error) {
    const message = error instanceof Error ? error.stack ?? error.message : String(error);
    throw new Error(`link type ${frame.linkType}, frame ${hex(frame.bytes)}: ${message}`);
  }
}

/**
 * Every layer of `packet` (a frame of `length` bytes at `start` in its buffer) lies inside it,
 * its stop agrees with its error, and so on for the packet a tunnel carries, down to the last.
 */
function checkPacket(packet: Packet, start: number, length: number): void {
  const end = start + length;
  for (
    const [name, layer] of Object.entries({
      eth: packet.eth,
      sll: packet.sll,
      loopback: packet.loopback,
      ipv4: packet.ipv4,
      ipv6: packet.ipv6,
      arp: packet.arp,
      tcp: packet.tcp,
      udp: packet.udp,
      icmp: packet.icmp,
      igmp: packet.igmp,
      dns: packet.dns,
      http: packet.http,
      ntp: packet.ntp,
      syslog: packet.syslog,
      dhcp: packet.dhcp,
      tls: packet.tls,
      quic: packet.quic,
      esp: packet.esp,
      ah: packet.ah,
      vxlan: packet.vxlan,
      gre: packet.gre,
      geneve: packet.geneve,
      mpls: packet.mpls,
      macsec: packet.macsec,
      arista: packet.arista,
      nsh: packet.nsh,
      erspan: packet.erspan,
      pppoe: packet.pppoe,
      llc: packet.llc,
      stp: packet.stp,
      ppp: packet.ppp,
      wireguard: packet.wireguard,
      dhcpv6: packet.dhcpv6,
      isakmp: packet.isakmp,
      someip: packet.someip,
    })
  ) checkLayer(name, layer, start, end);
  for (let i = 0; i < packet.vlanCount; i++) checkLayer("vlan", packet.vlanTags[i], start, end);
  const stop = packet.stop;
  if ((packet.error === undefined) !== (stop === undefined)) {
    throw new Error(`error ${packet.error} without its stop, or the other way round`);
  }
  if (
    stop !== undefined &&
    (!packet.error!.startsWith(`${stop.layer}: `) || stop.offset < 0 ||
      stop.offset > length ||
      (stop.kind === "truncated") !== packet.error!.startsWith(`${stop.layer}: truncated:`))
  ) {
    throw new Error(`stop ${JSON.stringify(stop)} does not match the error ${packet.error}`);
  }
  if (packet.payloadOffset < 0 || packet.payloadOffset > length) {
    throw new Error(`payload offset ${packet.payloadOffset} outside the frame`);
  }
  const inner = packet.inner;
  if (inner !== undefined) {
    const frame = inner.frame;
    if (frame.byteOffset < start || frame.byteOffset + frame.length > end) {
      throw new Error("a tunnel's packet outside its frame");
    }
    checkPacket(inner, frame.byteOffset, frame.length);
  }
}

/** How often (in frames) the statistics are made and checked. */
const STATS_EVERY = 97;

/**
 * The statistics written from the conversation columns and from the objects are the same
 * text, and their JSON parses.
 */
function checkStats(flows: FlowTracker): void {
  const objects = flows.summary();
  if (formatStatsText(flows.summaryColumns()) !== formatStatsText(objects)) {
    throw new Error("the --stats text from the columns differs from the text from the objects");
  }
  JSON.parse(formatStatsJson(objects));
}

/** Fresh analysis state for a fuzz run. */
export function freshState() {
  return {
    flows: new FlowTracker({ maxFlows: 64, maxRetired: 64, maxHosts: 64, streams: true }),
    reassembler: new Reassembler({ maxDatagrams: 16, maxBytes: 1 << 20 }),
    decoder: new Decoder(),
    // -vvv: every record of every DNS section, with its TTL.
    text: new TextFormatter({
      verbose: true,
      verbosity: 3,
      link: true,
      hex: "ascii",
      tree: true,
      timeFormat: 3,
      numbered: true,
    }),
    frames: 0,
    filterFrame: new FilterFrame(),
    fieldsOut: new ByteWriter(),
  };
}

/**
 * Display filters every fuzzed frame goes through: every kind of value and operator, slices
 * past any end, regular expressions, tunnels' repeated fields, the stream's fields.
 */
const FUZZ_FILTERS: readonly CompiledFilter[] = [
  "ip.addr == 10.0.0.0/8 || ipv6.addr == 2001:db8::/32",
  "eth.src[0:3] == 00:00:5e && eth.dst[-2:] == 01:02 && frame[100:20] contains 00",
  'dns.qry.name matches "(?i)^www" || http.request.uri contains "/" || tls',
  "tcp.flags & 0x12 && tcp.analysis.retransmission || tcp.stream in {0..3, 7}",
  "udp.stream > 2 && !(udp.port in {53, 123, 443}) && frame.time_delta >= 0",
  "ip.src == ip.dst || tcp.srcport > tcp.dstport || ip.ttl != 64",
  "vxlan.vni == 42 || gre || geneve || mpls.label < 16 || quic.version == 1",
  'dhcp.option.hostname contains "a" || frame.comment || icmp[0:1] == 08 || arp',
  "ip[2:2] == 00:14 or tcp[13] == 0x02 or udp[0:2] == 00:35",
].map(compileFilter);

/** `-T fields` with every field that is not a protocol, each occurrence, quoted. */
const EVERY_FIELD_WRITER = new FieldsWriter(
  [...FILTER_FIELDS.values()].filter((field) => field.type !== "FT_PROTOCOL").map((field) =>
    field.name
  ),
  { separator: "\t", aggregator: ",", header: false, quote: "d", occurrence: "a" },
);

/** The words and characters random expressions are made of. */
const EXPRESSION_PIECES = [
  ...[...FILTER_FIELDS.keys()].filter((_, at) => at % 7 === 0),
  "==",
  "!=",
  "===",
  "!==",
  "~=",
  "<",
  "<=",
  ">",
  ">=",
  "&",
  "&&",
  "||",
  "^^",
  "!",
  "and",
  "or",
  "xor",
  "not",
  "in",
  "contains",
  "matches",
  "~",
  "eq",
  "bitand",
  "(",
  ")",
  "{",
  "}",
  "[",
  "]",
  ",",
  "..",
  ":",
  "-",
  "=",
  "|",
  "0",
  "1",
  "0x1f",
  "017",
  "0b101",
  "-3",
  "1.5",
  "192.0.2.1",
  "10.0.0.0/8",
  "/33",
  "2001:db8::1",
  "::/0",
  "00:00:5e",
  "00:00:5e:00:53:01",
  '"a"',
  '"\\x4"',
  'r"\\d+"',
  "'G'",
  "''",
  '"(?i)[a-"',
  "True",
  "False",
  "$",
  "#",
  "\\",
  '"',
];

/** A random expression: pieces of the language, with or without spaces, and stray text. */
function expressionArbitrary(): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...EXPRESSION_PIECES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  );
  return fc.tuple(fc.array(piece, { maxLength: 14 }), fc.boolean()).map(([pieces, tight]) =>
    pieces.join(tight ? "" : " ")
  );
}

/** Compiles one expression: it compiles and evaluates, or throws `DisplayFilterError` only. */
export function checkExpression(expression: string, frame: FilterFrame): void {
  let filter: CompiledFilter;
  try {
    filter = compileFilter(expression);
  } catch (error) {
    if (error instanceof DisplayFilterError) return;
    const message = error instanceof Error ? error.stack ?? error.message : String(error);
    throw new Error(`display filter ${JSON.stringify(expression)}: ${message}`);
  }
  try {
    filter.matches(frame);
  } catch (error) {
    const message = error instanceof Error ? error.stack ?? error.message : String(error);
    throw new Error(`display filter ${JSON.stringify(expression)} evaluating: ${message}`);
  }
}

/** Reads a (damaged) capture file from memory; only `CaptureFileError` may come out. */
export async function checkFile(bytes: Uint8Array): Promise<void> {
  let position = 0;
  const source = {
    read(buffer: Uint8Array): Promise<number | null> {
      if (position >= bytes.length) return Promise.resolve(null);
      // Short reads on purpose: records straddle every read boundary.
      const count = Math.min(buffer.length, bytes.length - position, 1 + (position % 977));
      buffer.set(bytes.subarray(position, position + count));
      position += count;
      return Promise.resolve(count);
    },
  };
  const decoder = new Decoder();
  try {
    const reader = await CaptureFileReader.open(source, "fuzz");
    let total = 0;
    await reader.run((frame, header) => {
      if (frame.length !== header.caplen) throw new Error("frame length differs from caplen");
      total += frame.length;
      if (total > bytes.length) throw new Error("more frame bytes than the file holds");
      decoder.decode(frame, header.linkType, header.len);
    });
  } catch (error) {
    if (error instanceof CaptureFileError) return;
    const message = error instanceof Error ? error.stack ?? error.message : String(error);
    throw new Error(`file ${hex(bytes)}: ${message}`);
  }
}

/**
 * Runs the three properties: `numRuns` frames, a tenth as many files, `numRuns` display-filter
 * expressions. On failure throws an error naming the seed and the failing input (`link type N,
 * frame …` or `file …` as hex, `display filter "…"`).
 */
export async function fuzz(numRuns: number, seed?: number): Promise<void> {
  const state = freshState();
  let failure = "";
  try {
    fc.assert(
      fc.property(frameArbitrary(seedFrames()), (frame) => {
        try {
          checkFrame(frame, state);
        } catch (error) {
          failure ||= (error as Error).message;
          throw error;
        }
      }),
      { numRuns, seed, endOnFailure: true },
    );
    await fc.assert(
      fc.asyncProperty(mutated(seedFiles()), async (bytes) => {
        try {
          await checkFile(bytes);
        } catch (error) {
          failure ||= (error as Error).message;
          throw error;
        }
      }),
      { numRuns: Math.max(1, Math.floor(numRuns / 10)), seed, endOnFailure: true },
    );
    // Random expressions, evaluated on the last fuzzed frame.
    fc.assert(
      fc.property(expressionArbitrary(), (expression) => {
        try {
          checkExpression(expression, state.filterFrame);
        } catch (error) {
          failure ||= (error as Error).message;
          throw error;
        }
      }),
      { numRuns, seed, endOnFailure: true },
    );
  } catch (error) {
    throw new Error(`seed ${seed}: ${failure || (error as Error).message}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: taskArgs(),
    options: { minutes: { type: "string", default: "5" }, seed: { type: "string" } },
  });
  const deadline = Date.now() + Number(values.minutes) * 60_000;
  let rounds = 0;
  while (Date.now() < deadline) {
    const seed = values.seed !== undefined ? Number(values.seed) : Date.now() ^ (rounds * 7919);
    try {
      await fuzz(20_000, seed);
    } catch (error) {
      const report = error instanceof Error ? error.message : String(error);
      const input = report.match(/link type (\d+), frame ([0-9a-f]*)/);
      if (input) {
        const path = new URL(`fuzz/frame-${seed}.hex`, FIXTURES);
        await Deno.writeTextFile(path, `${input[1]} ${input[2]}\n`);
        console.error(`saved ${path.pathname}`);
      }
      console.error(`fuzz failure with seed ${seed}:\n${report}`);
      Deno.exit(1);
    }
    rounds++;
    console.log(
      `round ${rounds} (seed ${seed}): 20000 frames, 2000 files and 20000 display filters fine`,
    );
    if (values.seed !== undefined) break;
  }
}

if (import.meta.main) await main();
