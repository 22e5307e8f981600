/**
 * A classic pcap record longer than the file's snapshot length (a damaged or crafted file, as
 * some of tcpdump's own test captures are): libpcap cuts it to the snapshot length before
 * tcpdump sees it, tshark keeps the whole record. netpeek's lines are tcpdump's, so they are
 * made from the cut record; its JSON is tshark's, from the whole one. Both compared with the
 * tools themselves.
 */

import assert from "node:assert/strict";
import { CaptureFileReader } from "../src/file/reader.ts";
import { hasCommand, runNetpeek } from "./netpeek_process.ts";
import { output } from "./protocol_check.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url).pathname;
const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
const hasTcpdump = await hasCommand("tcpdump");
const hasTshark = await hasCommand("tshark", ["-v"]);

/**
 * tcpdump's captures with such a record, where netpeek decodes what lies past the cut: a
 * BOOTP message (53 of 90 bytes kept, so tcpdump stops at its flags with `[|bootp]`) and a
 * TCP SYN whose MPTCP option runs past the cut (`dss[bad opt]`, no checksum verdict).
 */
const FILES = ["bootp_asan.pcap", "mptcp-dss-oobr.pcap"];
const FLAG_SETS = [[], ["-v"], ["-vv"], ["-x"]];

const corpusPresent = (() => {
  try {
    return Deno.statSync(`${CORPUS}${FILES[0]}`).isFile;
  } catch {
    return false; // the corpus is beside the checkout in CI
  }
})();

/** The records' captured lengths and the file's snapshot length, read from the file. */
function recordLengths(path: string): { snaplen: number; caplens: number[] } {
  const bytes = Deno.readFileSync(path);
  const view = new DataView(bytes.buffer);
  const little = view.getUint32(0, true) === 0xa1b2c3d4;
  const caplens: number[] = [];
  for (let at = 24; at + 16 <= bytes.length; at += 16 + caplens.at(-1)!) {
    caplens.push(view.getUint32(at + 8, little));
  }
  return { snaplen: view.getUint32(16, little), caplens };
}

Deno.test("libpcap's record limit: a classic file's snapshot length, none for pcapng", async () => {
  const cases: [string, number][] = [
    [`${FIXTURES}vlan.pcap`, recordLengths(`${FIXTURES}vlan.pcap`).snaplen],
    [`${FIXTURES}multi.pcapng`, Infinity],
  ];
  for (const [path, limit] of cases) {
    const file = await Deno.open(path);
    try {
      const reader = await CaptureFileReader.open(file, path);
      assert.equal(reader.libpcapRecordLimit, limit, path);
    } finally {
      file.close();
    }
  }
});

Deno.test({
  name: "a record past the snapshot length: the text is tcpdump's, cut as libpcap cuts it",
  ignore: !hasTcpdump || !corpusPresent,
  fn: async () => {
    for (const name of FILES) {
      const path = `${CORPUS}${name}`;
      // Not vacuous: the file does hold a record longer than its snapshot length.
      const { snaplen, caplens } = recordLengths(path);
      assert.ok(caplens.some((caplen) => caplen > snaplen), `${name}: no record past ${snaplen}`);
      for (const flags of FLAG_SETS) {
        const [tcpdump, ours] = await Promise.all([
          output("tcpdump", ["-n", ...flags, "-r", path]),
          runNetpeek([...flags, "-r", path], { env: { TZ: "UTC" } }),
        ]);
        const theirs = tcpdump.trimEnd().split("\n");
        const mine = ours.stdout.trimEnd().split("\n");
        assert.ok(theirs.length > 0 && theirs[0] !== "", `${name}: tcpdump printed nothing`);
        assert.equal(mine.length, theirs.length, `${flags.join(" ")} ${name}\n${ours.stdout}`);
        theirs.forEach((line, index) =>
          assert.ok(
            mine[index].startsWith(line),
            `${flags.join(" ")} ${name} line ${index + 1}\n  netpeek: ${
              mine[index]
            }\n  tcpdump: ${line}`,
          )
        );
      }
    }
  },
});

Deno.test({
  name: "a record past the snapshot length: -w writes it cut, as tcpdump -r -w does",
  ignore: !hasTcpdump || !corpusPresent,
  fn: async () => {
    const folder = await Deno.makeTempDir();
    try {
      for (const name of FILES) {
        const path = `${CORPUS}${name}`;
        const [theirs, ours] = [`${folder}/tcpdump-${name}`, `${folder}/netpeek-${name}`];
        await output("tcpdump", ["-r", path, "-w", theirs]); // fails the test if tcpdump does
        assert.equal((await runNetpeek(["-r", path, "-w", ours])).code, 0, name);
        // The records (after the file header, whose link type tcpdump keeps the FCS bits of).
        const records = (file: string) => Deno.readFileSync(file).subarray(24);
        assert.deepEqual(records(ours), records(theirs), name);
        const { snaplen, caplens } = recordLengths(ours);
        assert.ok(caplens.every((caplen) => caplen <= snaplen), name);
      }
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  },
});

Deno.test({
  name: "a record past the snapshot length: JSON keeps the whole record, as tshark does",
  ignore: !hasTshark || !corpusPresent,
  fn: async () => {
    for (const name of FILES) {
      const path = `${CORPUS}${name}`;
      const tshark = await output("tshark", [
        "-n",
        "-r",
        path,
        "-T",
        "fields",
        "-e",
        "frame.cap_len",
      ]);
      const expected = tshark.trim().split("\n").map(Number);
      const ours = await runNetpeek(["--json", "-r", path]);
      const caplens = ours.stdout.trim().split("\n").map((line) => JSON.parse(line).caplen);
      assert.deepEqual(caplens, expected, name);
      // The whole record is longer than what the text is made from.
      assert.ok(expected.some((caplen) => caplen > recordLengths(path).snaplen), name);
    }
  },
});
