/** The example scripts run against fixture captures and print what they should. */

import assert from "node:assert/strict";
import { hasCommand } from "./netpeek_process.ts";

async function example(name: string, ...args: string[]): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      new URL(`../examples/${name}`, import.meta.url).pathname,
      ...args,
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout);
}

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

Deno.test({
  name: "examples/top_talkers.ts: each host's packets and bytes, sent and received, as tshark's",
  ignore: !(await hasCommand("tshark", ["-v"])),
  fn: async () => {
    // No capture with an IPv6 fragment past the first: tshark's endpoint table leaves those
    // out even with reassembly off, where every packet counts here.
    for (const name of ["lo-tcpdump.pcap", "tcp-real.pcap", "any-sll2-tcpdump.pcap"]) {
      const lines = (await example("top_talkers.ts", fixture(name), "100")).trimEnd().split("\n");
      // tshark's endpoint tables: address, packets, bytes, then sent and received of each.
      const tshark = new Map<string, number[]>();
      for (const table of ["ip", "ipv6"]) {
        const output = await new Deno.Command("tshark", {
          // Without reassembly, each fragment counts, as it does for netpeek's reader.
          args: [
            "-r",
            fixture(name),
            "-o",
            "ip.defragment:FALSE",
            "-o",
            "ipv6.defragment:FALSE",
            "-q",
            "-z",
            `endpoints,${table}`,
          ],
          stdout: "piped",
          stderr: "null",
        }).output();
        for (const line of new TextDecoder().decode(output.stdout).split("\n")) {
          const cells = line.trim().split(/\s+/);
          if (cells.length === 7 && /^\d+$/.test(cells[1])) {
            tshark.set(cells[0], cells.slice(1).map(Number));
          }
        }
      }
      assert.ok(tshark.size >= 1, `tshark listed no endpoint of ${name}`);
      assert.equal(lines.length, tshark.size, name);
      for (const line of lines) {
        const match =
          /^(\S+) +(\d+) packets +(\d+) bytes {2}sent (\d+)\/(\d+) {2}received (\d+)\/(\d+)$/
            .exec(line);
        assert.ok(match, line);
        assert.deepEqual(match.slice(2).map(Number), tshark.get(match[1]), `${name} ${match[1]}`);
      }
    }
  },
});

Deno.test("examples/dns_logger.ts", async () => {
  assert.equal(
    await example("dns_logger.ts", "-r", fixture("stack.pcap")),
    [
      "2026-01-01T00:00:26.026Z 192.0.2.1 asked 198.51.100.2 for A example.com",
      "2026-01-01T00:00:27.027Z 198.51.100.2 answered A example.com: NoError, 1 answers",
      "2026-01-01T00:00:28.028Z 198.51.100.2 answered AAAA nothing.example: NXDomain, 0 answers",
      "2026-01-01T00:00:29.029Z 192.0.2.1 asked 198.51.100.2 for MX example.net",
      "2026-01-01T00:00:30.030Z 192.0.2.1 asked 224.0.0.251 for PTR printer.local",
      "",
    ].join("\n"),
  );
});

Deno.test("examples/syn_scan.ts", async () => {
  assert.equal(
    await example("syn_scan.ts", "-r", fixture("scan.pcap")),
    "2026-01-01T00:00:00.190Z 192.0.2.1 scanned 20 ports on 198.51.100.2\n",
  );
  // A higher threshold than the scan reached: nothing flagged; the lone connection never is.
  assert.equal(await example("syn_scan.ts", "-r", fixture("scan.pcap"), "31"), "");
});
