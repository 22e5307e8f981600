/**
 * What every protocol's test checks on a capture, against the two outside references: each
 * packet's text begins with `tcpdump -n`'s line (at the same `-v` level), each declared field
 * equals tshark's `-T fields`, and the fast JSON writer writes what `JSON.stringify` does.
 */

import assert from "node:assert/strict";
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
 * With `-v`, tcpdump's second line of a packet begins with the ports and its checksum words,
 * netpeek's with the ports and its own (`UDP, cksum 0x… (correct)`, README: differences):
 * what follows them is compared.
 */
function afterChecksum(line: string): string {
  return line.replace(/^\s+\S+ > \S+: /, "")
    .replace(/^(\[udp sum ok\]|\[bad udp cksum [^\]]*\]) /, "")
    .replace(/^UDP, cksum 0x[0-9a-f]+ \([^)]*\) /, "")
    .replace(/cksum 0x[0-9a-f]+ \([^)]*\)/, "cksum");
}

/**
 * Compares the lines tcpdump prints for `path` with netpeek's: for every tcpdump line `pick`
 * accepts, netpeek's must begin with it. Returns how many lines were compared. With `-v`
 * flags, only the indented second lines are compared, after the ports and checksums.
 */
export async function compareText(
  path: string,
  pick: (line: string) => boolean,
  flags: string[] = [],
): Promise<number> {
  const verbose = flags.some((flag) => flag.startsWith("-v"));
  const lines = (text: string) =>
    text.trimEnd().split("\n").filter((line) => !verbose || /^\s/.test(line));
  // With -v tcpdump writes an IPv6 header and the ports on one line, netpeek on two.
  const tcpdumpText = (await output("tcpdump", ["-n", ...flags, "-r", path]))
    .replace(/^(\S+ IP6 \(.*?payload length: \d+\)) /gm, "$1\n    ");
  const theirs = lines(tcpdumpText);
  const run = await runNetpeek([...flags, "-r", path], { env: { TZ: "UTC" } });
  const ours = lines(run.stdout);
  assert.equal(ours.length, theirs.length, `${path} ${flags.join(" ")}: packet count`);
  let compared = 0;
  theirs.forEach((line, index) => {
    if (!pick(line)) return;
    const [want, got] = verbose
      ? [afterChecksum(line), afterChecksum(ours[index])]
      : [line, ours[index]];
    assert.ok(
      got.startsWith(want),
      `${path} ${flags.join(" ")} packet ${index + 1}:\nnetpeek: ${got}\ntcpdump: ${want}`,
    );
    compared++;
  });
  return compared;
}

/** tshark's text of a field as netpeek's field value: numbers as numbers, lists as arrays. */
function tsharkValue(text: string, list: boolean): FieldValue {
  if (text === "") return undefined;
  const values = text.split(",").map((value) =>
    /^(0x[0-9a-f]+|\d+)$/.test(value) ? Number(value) : value
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
      assert.deepEqual(
        value,
        tsharkValue(row[i + 1], list),
        `${path} frame ${frame} ${name}`,
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
