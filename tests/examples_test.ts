/** The example scripts run against fixture captures and print what they should. */

import assert from "node:assert/strict";

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

Deno.test("examples/top_talkers.ts", async () => {
  const lines = (await example("top_talkers.ts", fixture("stack.pcap"), "2")).trimEnd().split("\n");
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^192\.0\.2\.1 +\d+ packets +\d+ bytes$/);
  assert.match(lines[1], /^198\.51\.100\.2 +\d+ packets +\d+ bytes$/);
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
