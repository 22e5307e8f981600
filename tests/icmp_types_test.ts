/**
 * ICMP types tcpdump 4.99 does not name (here RFC 8335's extended echo, 42 and 43 in ICMP,
 * 160 and 161 in ICMPv6), on tcpdump's captures of them: its words (`ICMP type-#42`,
 * `ICMP6, unknown icmp6 type (160)` with the message in hex but under -vv) at default, -v and
 * -vv. JSON keeps its own `typeName` (`type 42`), as docs/json.md has it.
 */

import assert from "node:assert/strict";
import { compareText, output } from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);

Deno.test("ICMP types tcpdump does not name: its words, and with ICMPv6 the message in hex", async () => {
  let lines = 0;
  for (
    const name of [
      "icmp-rfc8335.pcap",
      "icmp-rfc8335-missing-bytes.pcap",
      "icmp_ext_oob_poc.pcap",
      "icmp6-rfc8335.pcap",
    ]
  ) {
    const path = new URL(name, CORPUS).pathname;
    for (const flags of [[], ["-v"], ["-vv"]]) lines += await compareText(path, () => true, flags);
  }
  // Guards: the cases at hand, the dump lines among those compared.
  const v6 = new URL("icmp6-rfc8335.pcap", CORPUS).pathname;
  assert.match(
    await output("tcpdump", ["-n", "-r", v6]),
    /unknown icmp6 type \(160\), length 28\n\t0x0000: /,
  );
  assert.ok(lines >= 100, `${lines} lines`);
  const v4 = new URL("icmp-rfc8335.pcap", CORPUS).pathname;
  const json = JSON.parse((await runNetpeek(["--json", "-c", "1", "-r", v4])).stdout);
  assert.deepEqual([json.icmp.type, json.icmp.typeName], [42, "type 42"]);
});
