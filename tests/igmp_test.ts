/**
 * IGMP against tcpdump and tshark: the Linux kernel's own reports and leaves of every version,
 * captured live between two namespaces, and tcpdump's test captures of queries (versions 1 to
 * 3, with response times), reports and multicast traceroute. Each IGMP packet's text must
 * begin with `tcpdump -n`'s line, each declared field (IGMP_FIELDS) must equal tshark's, and
 * the fast JSON writer must equal the reference.
 *
 * tests/fixtures/protocols/igmp.pcap was made by the live test's procedure (tcpdump writing).
 */

import assert from "node:assert/strict";
import {
  Decoder,
  type FieldValue,
  IGMP_DVMRP,
  IGMP_FIELDS,
  IGMP_PIMV1,
} from "../src/decode/mod.ts";
import { CaptureFileReader } from "../src/file/reader.ts";
import { formatJsonLine } from "../src/output/json.ts";
import { writeJsonLine } from "../src/output/json_writer.ts";
import { NetpeekProcess, runNetpeek, sh } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const FIXTURE = new URL("./fixtures/protocols/igmp.pcap", import.meta.url).pathname;
/** tcpdump's captures with IGMP in them (DVMRP and PIMv1, which IGMP carries, are not decoded). */
const CORPUS_FILES = [
  "IGMP_V1.pcap",
  "IGMP_V2.pcap",
  "igmpv3-queries.pcap",
  "mtrace.pcap",
  "eapon1.pcap",
  "mrinfo_query.pcap",
];

async function output(command: string, args: string[]): Promise<string> {
  const result = await new Deno.Command(command, {
    args,
    env: { TZ: "UTC" },
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.ok(result.success, `${command} ${args.join(" ")} failed`);
  return new TextDecoder().decode(result.stdout);
}

/** What one file's IGMP packets showed; the counts guard against a vacuous pass. */
interface Checked {
  lines: number;
  fields: number;
  types: Set<string>;
}

/** The text of every IGMP packet begins with tcpdump's line for it. */
async function checkText(path: string, checked: Checked): Promise<void> {
  const theirs = (await output("tcpdump", ["-n", "-r", path])).trimEnd().split("\n");
  const ours = (await runNetpeek(["-r", path], { env: { TZ: "UTC" } })).stdout.trimEnd().split(
    "\n",
  );
  assert.equal(ours.length, theirs.length, `${path}: packet count`);
  theirs.forEach((line, index) => {
    const igmp = line.match(/: (igmp \S+(?: \S+)?|mtrace|mresp)/);
    if (igmp === null) return;
    checked.types.add(igmp[1]);
    if (/igmp (dvmrp|pimv1)/.test(line)) {
      // Carried protocols netpeek names without decoding (README: differences).
      assert.ok(line.startsWith(ours[index]), `${path} packet ${index + 1}:\n${ours[index]}`);
      return;
    }
    assert.ok(
      ours[index].startsWith(line),
      `${path} packet ${index + 1}:\nnetpeek: ${ours[index]}\ntcpdump: ${line}`,
    );
    checked.lines++;
  });
}

/** tshark's value of a field as netpeek's reader returns it. */
function tsharkValue(field: string, text: string): FieldValue {
  if (text === "") return undefined;
  const values = text.split(",").map((value) =>
    /^(0x[0-9a-f]+|\d+)$/.test(value) ? Number(value) : value
  );
  const list = field === "igmp.maddr" || field === "igmp.num_src" ||
    field === "igmp.saddr" || field === "igmp.record_type";
  return list && values.length > 1 ? values : values[0];
}

/** Every declared field equals tshark's, for every IGMP packet; JSON's two writers agree. */
async function checkFields(path: string, checked: Checked): Promise<void> {
  const names = Object.keys(IGMP_FIELDS);
  const args = ["-n", "-r", path, "-T", "fields", "-E", "occurrence=a", "-e", "frame.number"];
  for (const name of names) args.push("-e", name);
  // Split before trimming: the last row's empty fields are tabs at its end.
  const rows = (await output("tshark", args)).replace(/\n$/, "").split("\n").map((line) =>
    line.split("\t")
  );
  using file = await Deno.open(path);
  const reader = await CaptureFileReader.open(file, path);
  const decoder = new Decoder();
  let frame = 0;
  await reader.run((bytes, header) => {
    const row = rows[frame++];
    const packet = decoder.decode(bytes, header.linkType, header.len);
    const igmp = packet.igmp;
    // tshark hands DVMRP and PIMv1 to their own dissectors, without igmp.* fields.
    if (igmp?.type === IGMP_DVMRP || igmp?.type === IGMP_PIMV1) return;
    const hasIgmp = row.slice(1).some((value) => value !== "");
    assert.equal(igmp !== undefined, hasIgmp, `${path} frame ${frame}: IGMP decoded`);
    if (igmp === undefined) return;
    names.forEach((name, i) => {
      const ours = IGMP_FIELDS[name](igmp);
      const list = Array.isArray(ours) && ours.length === 1 ? ours[0] : ours;
      assert.deepEqual(list, tsharkValue(name, row[i + 1]), `${path} frame ${frame} ${name}`);
    });
    checked.fields++;
    assert.equal(writeJsonLine(packet, header), formatJsonLine(packet, header));
  });
  assert.equal(frame, rows.length, `${path}: frame count`);
}

Deno.test("IGMP in tcpdump's captures: text as tcpdump's, fields as tshark's", async () => {
  const checked: Checked = { lines: 0, fields: 0, types: new Set() };
  for (const name of CORPUS_FILES) {
    const path = new URL(name, CORPUS).pathname;
    await checkText(path, checked);
    await checkFields(path, checked);
  }
  assert.ok(checked.lines >= 50, `only ${checked.lines} lines compared`);
  assert.ok(checked.fields >= 55, `only ${checked.fields} packets' fields compared`);
  for (const type of ["igmp query", "igmp v1", "igmp v2", "igmp v3", "igmp leave", "mtrace"]) {
    assert.ok([...checked.types].some((seen) => seen.startsWith(type)), `no ${type} seen`);
  }
});

Deno.test("IGMP from the kernel: v3, v2 and v1 reports and a leave, live", async () => {
  const tag = `${Deno.pid % 100000}${Math.floor(Math.random() * 100)}`;
  const ns = `netpeek-g-${tag}`;
  const [outside, inside] = [`nga${tag}`.slice(0, 15), `ngb${tag}`.slice(0, 15)];
  const dir = await Deno.makeTempDir();
  const join = `${dir}/join.ts`;
  // Joins a group for a moment and leaves it: the kernel sends the reports and the leave.
  await Deno.writeTextFile(
    join,
    `const [group, address] = Deno.args;
const socket = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 5000 });
const membership = await socket.joinMulticastV4(group, address);
await new Promise((resolve) => setTimeout(resolve, 400));
await membership.leave();
await new Promise((resolve) => setTimeout(resolve, 200));
socket.close();`,
  );
  const inNamespace = (command: string, ...args: string[]) =>
    sh("ip", ["netns", "exec", ns, command, ...args]);
  await sh("ip", ["netns", "add", ns]);
  try {
    await sh("ip", ["link", "add", outside, "type", "veth", "peer", "name", inside, "netns", ns]);
    await sh("ip", ["addr", "add", "192.0.2.1/24", "dev", outside]);
    await sh("ip", ["link", "set", outside, "up"]);
    await sh("ip", ["-n", ns, "addr", "add", "192.0.2.2/24", "dev", inside]);
    await sh("ip", ["-n", ns, "link", "set", inside, "up"]);
    await sh("ip", ["-n", ns, "route", "add", "224.0.0.0/4", "dev", inside]);
    const path = `${dir}/igmp.pcap`;
    const capture = new NetpeekProcess(["-i", outside, "-w", path, "--duration", "30", "igmp"]);
    await capture.listening();
    for (const [version, group] of [["3", "239.1.2.3"], ["2", "239.4.5.6"], ["1", "239.7.8.9"]]) {
      await inNamespace("sysctl", "-qw", `net.ipv4.conf.${inside}.force_igmp_version=${version}`);
      await inNamespace(
        Deno.execPath(),
        "run",
        "--allow-net",
        "--unstable-net",
        join,
        group,
        "192.0.2.2",
      );
    }
    capture.child.kill("SIGINT");
    const result = await capture.finished();
    assert.equal(result.code, 0, result.stderr);
    const checked: Checked = { lines: 0, fields: 0, types: new Set() };
    await checkText(path, checked);
    await checkFields(path, checked);
    for (const type of ["igmp v3", "igmp v2", "igmp v1", "igmp leave"]) {
      assert.ok([...checked.types].some((seen) => seen.startsWith(type)), `no ${type} seen`);
    }
    assert.equal(checked.lines, checked.fields);
  } finally {
    await sh("ip", ["netns", "del", ns]).catch(() => {});
    await sh("ip", ["link", "del", outside]).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("IGMP fixture: the captured kernel traffic decodes as tcpdump and tshark read it", async () => {
  const checked: Checked = { lines: 0, fields: 0, types: new Set() };
  await checkText(FIXTURE, checked);
  await checkFields(FIXTURE, checked);
  assert.equal(checked.lines, 6);
  assert.equal(checked.fields, 6);
});
