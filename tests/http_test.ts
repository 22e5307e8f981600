/**
 * HTTP/1.x against tcpdump and tshark: curl asking a Deno HTTP server (both started here, in a
 * namespace of their own) for a page, a missing page (404), a form (POST), headers alone
 * (HEAD) and two pages on one kept-alive connection, on port 80 (where tcpdump prints HTTP)
 * and on port 8000 (where only netpeek does). Each HTTP packet's text must begin with
 * tcpdump's line, with and without `-v`; each declared field (HTTP_FIELDS) must equal tshark's;
 * JSON's two writers must agree.
 *
 * tests/fixtures/protocols/http.pcap was made by the live test's procedure (netpeek writing).
 */

import assert from "node:assert/strict";
import { HTTP_FIELDS, type HttpMessage } from "../src/decode/mod.ts";
import {
  assertShows,
  compareFields,
  compareText,
  type FieldCheck,
  keepCapture,
  stopServers,
} from "./protocol_check.ts";
import { curlWhenUp, hasCommand, NetpeekProcess, runNetpeek, sh } from "./netpeek_process.ts";

const FIXTURE = new URL("./fixtures/protocols/http.pcap", import.meta.url).pathname;
const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);

const HTTP_CHECK: FieldCheck<HttpMessage> = {
  fields: HTTP_FIELDS,
  layer: (packet) => packet.http,
  // tshark would gather a body's segments and show the fields on the last; netpeek shows a
  // segment's own. Port 8000 is HTTP to tshark too (its "alternate" port).
  tsharkArgs: ["-o", "tcp.desegment_tcp_streams:FALSE"],
};

/** The pages the server answers with. */
const SERVER = `
Deno.serve({ hostname: "192.0.2.80", port: Number(Deno.args[0]), onListen() {} }, async (request) => {
  const url = new URL(request.url);
  if (request.method === "POST") {
    return new Response("got " + (await request.text()) + "\\n", { status: 201 });
  }
  if (url.pathname === "/missing") return new Response("no such page\\n", { status: 404 });
  return new Response("<html><body>netpeek test page " + url.pathname + "</body></html>\\n", {
    headers: { "content-type": "text/html; charset=utf-8" },
  });
});
`;

/** What curl asks, each a list of its arguments. */
const REQUESTS = [
  ["http://192.0.2.80/"],
  ["http://192.0.2.80/missing"],
  ["-d", "name=value", "http://192.0.2.80/submit"],
  ["-I", "http://192.0.2.80/"],
  ["http://192.0.2.80/first", "http://192.0.2.80/second"],
  ["-A", "netpeek-test/1.0", "http://192.0.2.80:8000/other-port"],
];

interface Checked {
  lines: number;
  fields: number;
}

async function checkFile(path: string, checked: Checked): Promise<void> {
  for (const flags of [[], ["-v"]]) {
    // With -v, the message's lines follow, each after a tab.
    checked.lines += await compareText(
      path,
      (line) => line.includes(": HTTP") || line.startsWith("\t"),
      flags,
    );
  }
  checked.fields += await compareFields(path, HTTP_CHECK);
}

Deno.test("HTTP in tcpdump's captures: text as tcpdump's, fields as tshark's", async () => {
  const checked: Checked = { lines: 0, fields: 0 };
  await checkFile(new URL("ipv4_tcp_http_xml.pcap", CORPUS).pathname, checked);
  assert.ok(checked.lines >= 2, `only ${checked.lines} lines compared`);
});

Deno.test({
  name: "HTTP from curl and a server, live: GET, 404, POST, HEAD, keep-alive, another port",
  ignore: !(await hasCommand("curl")),
  fn: async () => {
    const ns = `netpeek-h-${Deno.pid % 100000}${Math.floor(Math.random() * 100)}`;
    const dir = await Deno.makeTempDir();
    const inNamespace = ["ip", "netns", "exec", ns];
    await sh("ip", ["netns", "add", ns]);
    const servers: Deno.ChildProcess[] = [];
    try {
      await sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
      await sh("ip", ["-n", ns, "addr", "add", "192.0.2.80/32", "dev", "lo"]);
      await Deno.writeTextFile(`${dir}/server.ts`, SERVER);
      for (const port of ["80", "8000"]) {
        servers.push(
          new Deno.Command("ip", {
            args: [
              ...inNamespace.slice(1),
              Deno.execPath(),
              "run",
              "--allow-net",
              `${dir}/server.ts`,
              port,
            ],
            stdout: "null",
            stderr: "null",
          }).spawn(),
        );
      }
      const path = `${dir}/http.pcap`;
      const capture = new NetpeekProcess(
        ["-i", "lo", "-w", path, "--duration", "60", "tcp"],
        inNamespace,
      );
      await capture.listening();
      // The servers are up once curl gets an answer (at most five seconds).
      await curlWhenUp(ns, "http://192.0.2.80:8000/ready", ["-o", "/dev/null"]);
      await curlWhenUp(ns, "http://192.0.2.80/ready", ["-o", "/dev/null"]);
      for (const request of REQUESTS) {
        await sh("ip", [
          ...inNamespace.slice(1),
          "curl",
          "-s",
          "-o",
          "/dev/null",
          "--max-time",
          "5",
          ...request,
        ]);
      }
      capture.child.kill("SIGINT");
      const result = await capture.finished();
      assert.equal(result.code, 0, result.stderr);
      await keepCapture(path, "http.pcap");
      const checked: Checked = { lines: 0, fields: 0 };
      await checkFile(path, checked);
      // A request and a response for each of seven requests on port 80, two readiness checks.
      assert.ok(checked.fields >= 2 * 8, `only ${checked.fields} HTTP packets`);
      const text = (await runNetpeek(["-r", path])).stdout;
      assertShows(text, [
        ": HTTP: GET / HTTP/1.1",
        ": HTTP: HTTP/1.1 404 Not Found",
        ": HTTP: POST /submit HTTP/1.1",
        ": HTTP: HEAD / HTTP/1.1",
        ": HTTP: GET /second HTTP/1.1",
        // Port 8000: tcpdump's line, and netpeek's hint after it.
        ": HTTP: GET /other-port HTTP/1.1",
      ]);
      const json = (await runNetpeek(["-r", path, "--json"])).stdout;
      assertShows(json, [
        '"http":{"method":"GET","uri":"/other-port","version":"HTTP/1.1","host":"192.0.2.80:8000","userAgent":"netpeek-test/1.0"}',
        '"http":{"version":"HTTP/1.1","status":404,"reason":"Not Found"',
        '"contentType":"text/html; charset=utf-8"',
      ]);
    } finally {
      await stopServers(servers);
      await sh("ip", ["netns", "del", ns]).catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("HTTP fixture: curl and the server's traffic decodes as tcpdump and tshark read it", async () => {
  const checked: Checked = { lines: 0, fields: 0 };
  await checkFile(FIXTURE, checked);
  assert.ok(checked.fields >= 16, `only ${checked.fields} HTTP packets`);
});
