/**
 * `-A` and `--json --payload` against tcpdump and tshark: on the HTTP and DNS fixtures
 * (real traffic), netpeek's `-A` text is tcpdump's (lines may go on after tcpdump's, as the
 * README lists), and each packet's `payload` is the bytes tshark shows as `tcp.payload` or
 * `udp.payload`; without `--payload` JSON has none.
 */

import assert from "node:assert/strict";
import { output } from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const PROTOCOLS = new URL("./fixtures/protocols/", import.meta.url).pathname;

Deno.test("-A prints each packet's bytes as tcpdump -A does", async () => {
  let compared = 0;
  for (const name of ["http.pcap", "dns.pcap"]) {
    const path = PROTOCOLS + name;
    const theirs = (await output("tcpdump", ["-n", "-A", "-r", path])).split("\n");
    const ours = (await runNetpeek(["-A", "-r", path], { env: { TZ: "UTC" } })).stdout.split(
      "\n",
    );
    assert.equal(ours.length, theirs.length, `${name}: lines`);
    theirs.forEach((line, index) => {
      assert.ok(
        ours[index].startsWith(line),
        `${name} line ${index + 1}:\n${ours[index]}\n${line}`,
      );
      // The dump's lines (after a packet's line) are tcpdump's exactly.
      if (!/^\d\d:\d\d:\d\d\.\d{6} /.test(line)) assert.equal(ours[index], line);
      compared++;
    });
  }
  assert.ok(compared > 300, `only ${compared} lines`);
});

Deno.test("--json --payload gives the bytes tshark shows as the TCP or UDP payload", async () => {
  let compared = 0;
  for (const name of ["http.pcap", "dns.pcap", "ntp-syslog.pcap"]) {
    const path = PROTOCOLS + name;
    const rows = (await output("tshark", [
      "-r",
      path,
      "-T",
      "fields",
      "-e",
      "tcp.payload",
      "-e",
      "udp.payload",
    ])).replace(/\n$/, "").split("\n").map((row) => row.replace("\t", ""));
    const lines = (await runNetpeek(["--json", "--payload", "-r", path])).stdout.trimEnd().split(
      "\n",
    );
    assert.equal(lines.length, rows.length);
    lines.forEach((line, index) => {
      const json = JSON.parse(line);
      assert.equal(json.payload, rows[index], `${name} frame ${index + 1}`);
      compared++;
    });
    const plain = (await runNetpeek(["--json", "-r", path])).stdout;
    assert.ok(!plain.includes('"payload"'));
  }
  assert.ok(compared > 50, `only ${compared} payloads compared`);
});
