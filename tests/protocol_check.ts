/**
 * What every protocol's test checks on a capture, against the two outside references: each
 * packet's text begins with `tcpdump -n`'s line (at the same `-v` level), each declared field
 * equals tshark's `-T fields`, and the fast JSON writer writes what `JSON.stringify` does.
 */

import assert from "node:assert/strict";
import { pcapRecords } from "../scripts/make_fixtures.ts";
import { Decoder, type FieldTable, type FieldValue, type Packet } from "../src/decode/mod.ts";
import { CaptureFileReader } from "../src/file/reader.ts";
import { formatJsonLine } from "../src/output/json.ts";
import { writeJsonLine } from "../src/output/json_writer.ts";
import { runNetpeek } from "./netpeek_process.ts";

/** A command's standard output (TZ=UTC); fails the test when the command fails. */
export async function output(command: string, args: string[]): Promise<string> {
  const result = await new Deno.Command(command, {
    args,
    env: { TZ: "UTC" },
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.ok(result.success, `${command} ${args.join(" ")} failed`);
  return new TextDecoder().decode(result.stdout);
}

/**
 * tshark's `-T fields` output and netpeek's for `path`, the same fields and `-E` options
 * (`occurrence=a`, `header=y`); fails the test when netpeek fails.
 */
export async function bothFields(
  path: string,
  fields: readonly string[],
  options: readonly string[] = [],
): Promise<{ theirs: string; ours: string }> {
  const args = [
    ...fields.flatMap((field) => ["-e", field]),
    ...options.flatMap((option) => ["-E", option]),
  ];
  const theirs = await output("tshark", ["-n", "-r", path, "-T", "fields", ...args]);
  const ours = await runNetpeek(["-r", path, "-T", "fields", ...args]);
  assert.equal(ours.code, 0, ours.stderr);
  return { theirs, ours: ours.stdout };
}

/** A capture's text as packets: a line that begins at the margin and the lines after it. */
function packets(text: string): string[][] {
  const result: string[][] = [];
  for (const line of text.trimEnd().split("\n")) {
    if (/^\S/.test(line) || result.length === 0) result.push([line]);
    else result[result.length - 1].push(line);
  }
  return result;
}

/**
 * Compares tcpdump's text for `path` with netpeek's, packet by packet: for every packet whose
 * tcpdump text `pick` accepts, each of tcpdump's lines (one, or with `-v` flags the header's
 * and those after it) must begin netpeek's line there. Returns how many lines were compared.
 */
export async function compareText(
  path: string,
  pick: (packet: string) => boolean,
  flags: string[] = [],
): Promise<number> {
  const theirs = packets(await output("tcpdump", ["-n", ...flags, "-r", path]));
  const run = await runNetpeek([...flags, "-r", path], { env: { TZ: "UTC" } });
  const ours = packets(run.stdout);
  assert.equal(ours.length, theirs.length, `${path} ${flags.join(" ")}: packet count`);
  let compared = 0;
  theirs.forEach((want, index) => {
    if (!pick(want.join("\n"))) return;
    const where = `${path} ${flags.join(" ")} packet ${index + 1}`;
    const got = ours[index];
    assert.ok(got.length >= want.length, `${where}: lines\n${got.join("\n")}\n${want.join("\n")}`);
    want.forEach((line, i) => {
      assert.ok(
        got[i].startsWith(line),
        `${where} line ${i + 1}:\nnetpeek: ${got[i]}\ntcpdump: ${line}`,
      );
      compared++;
    });
  });
  return compared;
}

/**
 * Compares tcpdump's lines for `path` with netpeek's, one packet a line, where some end in
 * tcpdump's truncation mark (` [|udp]`): there netpeek's line must begin with tcpdump's words
 * before the mark and go on with its own note, which says which header was cut and how much
 * of it was captured (`[|udp: truncated: 6 of 8 …]`), unless it prints tcpdump's mark itself.
 * Returns the marks met, by protocol.
 */
export async function compareTextWithNotes(
  path: string,
  flags: string[] = [],
): Promise<Map<string, number>> {
  const theirs = (await output("tcpdump", ["-n", ...flags, "-r", path])).trimEnd().split("\n");
  const ours = (await runNetpeek([...flags, "-r", path], { env: { TZ: "UTC" } })).stdout
    .trimEnd().split("\n");
  assert.equal(ours.length, theirs.length, `${path} ${flags.join(" ")}: lines`);
  const marks = new Map<string, number>();
  theirs.forEach((line, i) => {
    const where = `${path} ${flags.join(" ")} line ${i + 1}\nnetpeek: ${ours[i]}\ntcpdump: ${line}`;
    const mark = / \[\|([a-z0-9]+)\]$/.exec(line);
    if (mark === null) {
      assert.ok(ours[i].startsWith(line), where);
      return;
    }
    marks.set(mark[1], (marks.get(mark[1]) ?? 0) + 1);
    if (ours[i].startsWith(line)) return; // tcpdump's mark itself (`HBH  [|hbhopt]`)
    const words = line.slice(0, mark.index).trimEnd();
    assert.ok(ours[i].startsWith(words), where);
    assert.match(ours[i].slice(words.length), /^ *\[\|[a-z0-9]+: truncated: /, where);
  });
  return marks;
}

/** tshark's text of a field as netpeek's field value: numbers as numbers, lists as arrays. */
function tsharkValue(text: string, list: boolean): FieldValue {
  if (text === "") return undefined;
  const values = text.split(",").map((value) =>
    /^(0x[0-9a-f]+|\d+(\.\d+)?)$/.test(value) ? Number(value) : value
  );
  return list || values.length > 1 ? values : values[0];
}

/** What `compareFields` needs to know of a protocol. */
export interface FieldCheck<Layer> {
  /** The protocol's declared fields. */
  fields: FieldTable<Layer>;
  /** The decoded layer of a packet, if it has one. */
  layer: (packet: Packet) => Layer | undefined;
  /** Packets tshark gives to another dissector (so without these fields): passed over. */
  skip?: (packet: Packet) => boolean;
  /** Fields whose values are lists even when one long (tshark prints no brackets). */
  lists?: readonly string[];
  /** Fields to leave out on this capture, with the reason in the caller's comment. */
  leaveOut?: readonly string[];
  /** Fields tshark repeats for a value inside an option (the client ID's MAC): the first. */
  firstOccurrence?: readonly string[];
  /** tshark options (`-o name:value`) the comparison needs. */
  tsharkArgs?: readonly string[];
}

/**
 * Every declared field of every packet with the layer equals tshark's reading (frames tshark
 * sees the protocol in and netpeek does not fail too); JSON's two writers agree. Returns how
 * many packets were compared.
 */
export async function compareFields<Layer>(
  path: string,
  check: FieldCheck<Layer>,
): Promise<number> {
  const names = Object.keys(check.fields).filter((name) => !check.leaveOut?.includes(name));
  const args = [
    "-n",
    ...check.tsharkArgs ?? [],
    "-r",
    path,
    "-T",
    "fields",
    "-E",
    "occurrence=a",
    "-e",
    "frame.number",
  ];
  for (const name of names) args.push("-e", name);
  // Split before trimming: the last row's empty fields are tabs at its end.
  const rows = (await output("tshark", args)).replace(/\n$/, "").split("\n").map((line) =>
    line.split("\t")
  );
  using file = await Deno.open(path);
  const reader = await CaptureFileReader.open(file, path);
  const decoder = new Decoder();
  let frame = 0;
  let compared = 0;
  await reader.run((bytes, header) => {
    const row = rows[frame++];
    const packet = decoder.decode(bytes, header.linkType, header.len);
    assert.equal(writeJsonLine(packet, header), formatJsonLine(packet, header));
    if (check.skip?.(packet)) return;
    const layer = check.layer(packet);
    const theirs = row.slice(1).some((value) => value !== "");
    if (layer === undefined) {
      assert.ok(!theirs, `${path} frame ${frame}: tshark decodes it, netpeek does not`);
      return;
    }
    names.forEach((name, i) => {
      const ours = check.fields[name](layer);
      const list = check.lists?.includes(name) ?? false;
      const value = !list && Array.isArray(ours) && ours.length === 1 ? ours[0] : ours;
      let theirs = tsharkValue(row[i + 1], list);
      if (check.firstOccurrence?.includes(name) && Array.isArray(theirs)) theirs = theirs[0];
      assert.deepEqual(
        value,
        theirs,
        `${path} frame ${frame} ${name}: netpeek ${JSON.stringify(value)}, tshark ${
          JSON.stringify(theirs)
        }`,
      );
    });
    compared++;
  });
  assert.equal(frame, rows.length, `${path}: frame count`);
  return compared;
}

/**
 * Copies a live test's capture to `$NETPEEK_KEEP_CAPTURES/<name>` when that is set: how the
 * protocol fixtures in tests/fixtures/protocols are made (README there).
 */
export async function keepCapture(path: string, name: string): Promise<void> {
  const folder = Deno.env.get("NETPEEK_KEEP_CAPTURES");
  if (folder !== undefined) await Deno.copyFile(path, `${folder}/${name}`);
}

/** Where built captures start: 2026-01-01, one frame a second from it. */
const BUILT_EPOCH = 1767225600;

/**
 * Writes built Ethernet frames to a temporary pcap, keeps it as `name` (see `keepCapture`), runs
 * `check` on its path, and removes it.
 */
export async function withBuiltCapture(
  frames: Uint8Array[],
  name: string,
  check: (path: string) => Promise<void>,
): Promise<void> {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    const records = frames.map((frame, i) => ({ seconds: BUILT_EPOCH + i, fraction: 0, frame }));
    await Deno.writeFile(path, pcapRecords(1, records));
    await keepCapture(path, name);
    await check(path);
  } finally {
    await Deno.remove(path);
  }
}

/** A built frame, and its length on the wire when the capture cut it short. */
export interface BuiltRecord {
  frame: Uint8Array;
  wireLength?: number;
}

/**
 * Writes built frames of `linkType` (some cut short: `wireLength`) to a temporary pcap, runs
 * `check` on its path, and removes it.
 */
export async function withRecords(
  linkType: number,
  records: BuiltRecord[],
  check: (path: string) => Promise<void>,
): Promise<void> {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    const timed = records.map((record, i) => ({
      seconds: BUILT_EPOCH + i,
      fraction: 0,
      ...record,
    }));
    await Deno.writeFile(path, pcapRecords(linkType, timed));
    await check(path);
  } finally {
    await Deno.remove(path);
  }
}

/** Fails unless `text` holds every one of `shown` (what a capture's text or JSON must say). */
export function assertShows(text: string, shown: readonly string[]): void {
  for (const words of shown) assert.ok(text.includes(words), `no ${words} in:\n${text}`);
}

/** Stops the servers a live test started, and waits for them to go. */
export async function stopServers(servers: (Deno.ChildProcess | undefined)[]): Promise<void> {
  for (const server of servers) {
    if (server === undefined) continue;
    server.kill("SIGTERM");
    await server.status;
  }
}

/** A self-signed certificate for www.example.test (P-256): `dir`/cert.pem and `dir`/key.pem. */
export async function selfSignedCertificate(dir: string): Promise<void> {
  const made = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-subj",
      "/CN=www.example.test",
      "-days",
      "1",
      "-keyout",
      `${dir}/key.pem`,
      "-out",
      `${dir}/cert.pem`,
    ],
    stdout: "null",
    stderr: "null",
  }).output();
  assert.ok(made.success, "openssl could not make a certificate");
}

/**
 * The inner packet's addresses and ports against tshark's last occurrence of each field (the
 * innermost header's); returns how many packets had an inner IP header.
 */
export async function compareInner(path: string): Promise<number> {
  const fields = ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport"];
  const rows = (await output("tshark", [
    "-n",
    "-r",
    path,
    "-T",
    "fields",
    "-E",
    "occurrence=a",
    ...fields.flatMap((field) => ["-e", field]),
  ])).replace(/\n$/, "").split("\n").map((line) => line.split("\t"));
  using file = await Deno.open(path);
  const reader = await CaptureFileReader.open(file, path);
  const decoder = new Decoder();
  let frame = 0;
  let compared = 0;
  await reader.run((bytes, header) => {
    const row = rows[frame++];
    const inner = decoder.decode(bytes, header.linkType, header.len).inner;
    if (inner === undefined || (inner.ipv4 === undefined && inner.ipv6 === undefined)) return;
    const last = (cell: string) => cell.split(",").at(-1) ?? "";
    const ip = inner.ipv4 ?? inner.ipv6!;
    const [src, dst] = inner.ipv4 ? [row[0], row[1]] : [row[2], row[3]];
    assert.equal(ip.src, last(src), `${path} frame ${frame}: inner source`);
    assert.equal(ip.dst, last(dst), `${path} frame ${frame}: inner destination`);
    if (inner.tcp !== undefined) {
      assert.equal(String(inner.tcp.srcPort), last(row[4]), `${path} frame ${frame}: port`);
      assert.equal(String(inner.tcp.dstPort), last(row[5]), `${path} frame ${frame}: port`);
    }
    compared++;
  });
  return compared;
}

/** Runs tcpdump on `lo` into `path`, with `filter`, while `traffic` runs (and half a second after). */
export async function captureLo(path: string, filter: string, traffic: () => Promise<void>) {
  const tcpdump = new Deno.Command("tcpdump", {
    args: ["-i", "lo", "-U", "-w", path, filter],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    // tcpdump says "listening on" once its filter is in.
    const reader = tcpdump.stderr.pipeThrough(new TextDecoderStream()).getReader();
    for (let seen = ""; !seen.includes("listening on");) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    reader.releaseLock();
    // The capture starts a moment after tcpdump says so.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await traffic();
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    tcpdump.kill("SIGTERM");
    await tcpdump.status;
    await tcpdump.stderr.cancel().catch(() => {});
  }
}
