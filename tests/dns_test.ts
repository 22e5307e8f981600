/**
 * DNS against tcpdump and tshark: `dig` asking `dnsmasq` (both started here, in a namespace of
 * their own) for A, AAAA, CNAME, MX, TXT, SRV, PTR, SOA, NS, CAA, HTTPS and SSHFP records, over
 * UDP and TCP, with and without EDNS (cookies, client subnet, NSID, DO), and a name that does
 * not exist; then tcpdump's own DNS captures (DNSSEC, EDNS options, bad labels, compression
 * pointers, URI records). Each DNS packet's text must begin with tcpdump's line at the default
 * level, `-vv` and `-vvv`; each declared field (DNS_FIELDS) must equal tshark's; JSON's two
 * writers must agree.
 *
 * tests/fixtures/protocols/dns.pcap was made by the live test's procedure (netpeek writing).
 */

import assert from "node:assert/strict";
import { DNS_FIELDS, type DnsMessage } from "../src/decode/mod.ts";
import {
  assertShows,
  compareFields,
  compareText,
  type FieldCheck,
  keepCapture,
} from "./protocol_check.ts";
import { hasCommand, NetpeekProcess, runNetpeek, sh } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const FIXTURE = new URL("./fixtures/protocols/dns.pcap", import.meta.url).pathname;
/** tcpdump's captures of DNS. */
const CORPUS_FILES = [
  "dns-badcookie.pcap",
  "dns-badlabel.pcap",
  "dns-badvers.pcap",
  "dns-uri.pcap",
  "dns-zlip-1.pcap",
  "dns-zlip-2.pcap",
  "dns-zlip-3.pcap",
  "dns_fwdptr.pcap",
  "dns_tcp.pcap",
  "dns_udp.pcap",
  "dns_udp_2.pcap",
  "dnssec.pcap",
  "edns-opts.pcap",
];

/** Captures whose names a loop or bad label makes unreadable. */
const HOSTILE_NAMES = ["dns-badlabel.pcap", "dns_fwdptr.pcap"];

/** A packet tcpdump shows as DNS: to or from port 53, not a bare TCP segment. */
const isDnsLine = (packet: string) => {
  const line = packet.split("\n").find((line) => /\.53(: | > )/.test(line));
  return line !== undefined && !line.endsWith(", length 0");
};

const DNS_CHECK: FieldCheck<DnsMessage> = {
  fields: DNS_FIELDS,
  layer: (packet) => packet.dns,
};

/** What a file's DNS packets showed: the counts guard against a vacuous pass. */
interface Checked {
  lines: number;
  fields: number;
}

async function checkFile(path: string, checked: Checked): Promise<void> {
  for (const flags of [[], ["-vv"], ["-vvv"]]) {
    checked.lines += await compareText(path, isDnsLine, flags);
  }
  // tshark writes a placeholder for a name it cannot read ("<Name too long>") and reads a type
  // after it; netpeek neither.
  const hostile = HOSTILE_NAMES.some((name) => path.endsWith(name));
  const leaveOut = hostile ? ["dns.qry.name", "dns.qry.type"] : [];
  checked.fields += await compareFields(path, { ...DNS_CHECK, leaveOut });
}

Deno.test("DNS in tcpdump's captures: text as tcpdump's (default, -vv, -vvv), fields as tshark's", async () => {
  const checked: Checked = { lines: 0, fields: 0 };
  for (const name of CORPUS_FILES) await checkFile(new URL(name, CORPUS).pathname, checked);
  assert.ok(checked.lines >= 3 * 70, `only ${checked.lines} lines compared`);
  assert.ok(checked.fields >= 65, `only ${checked.fields} packets' fields compared`);
});

/** dnsmasq's records: every type the issue names that dnsmasq can serve. */
function dnsmasqConfig(pidFile: string): string {
  const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
  const text = (value: string) => [...new TextEncoder().encode(value)];
  const caa = [0, 5, ...text("issue"), ...text("letsencrypt.org")];
  const alpn = [2, ...text("h2"), 2, ...text("h3")];
  const https = [
    0,
    1,
    0,
    0,
    1,
    0,
    alpn.length,
    ...alpn,
    0,
    3,
    0,
    2,
    1,
    0xbb,
    0,
    4,
    0,
    4,
    192,
    0,
    2,
    80,
  ];
  const sshfp = [4, 2, ...Array.from({ length: 32 }, (_, i) => i)];
  return [
    "no-resolv",
    "no-hosts",
    "listen-address=192.0.2.53",
    "bind-interfaces",
    `pid-file=${pidFile}`,
    "local=/example.test/",
    "address=/a.example.test/192.0.2.7",
    "host-record=www.example.test,192.0.2.80,2001:db8::80",
    "host-record=mail.example.test,192.0.2.25",
    "cname=alias.example.test,www.example.test",
    "mx-host=example.test,mail.example.test,10",
    'txt-record=example.test,"v=spf1 -all","second string"',
    "srv-host=_sip._udp.example.test,sip.example.test,5060,10,20",
    "ptr-record=80.2.0.192.in-addr.arpa,www.example.test",
    `dns-rr=example.test,257,${hex(caa)}`,
    `dns-rr=www.example.test,65,${hex(https)}`,
    `dns-rr=www.example.test,44,${hex(sshfp)}`,
    "",
  ].join("\n");
}

/** The questions dig asks, each a list of its arguments after the server. */
const QUERIES = [
  ["www.example.test", "A"],
  ["www.example.test", "AAAA"],
  ["alias.example.test", "A"],
  ["example.test", "MX"],
  ["example.test", "TXT"],
  ["_sip._udp.example.test", "SRV"],
  ["-x", "192.0.2.80"],
  ["nope.example.test", "A"],
  ["example.test", "CAA"],
  ["www.example.test", "HTTPS"],
  ["www.example.test", "SSHFP"],
  ["example.test", "SOA"],
  ["example.test", "NS"],
  ["+tcp", "www.example.test", "A"],
  ["+noedns", "alias.example.test"],
  ["+dnssec", "+nsid", "www.example.test"],
  ["+subnet=198.51.100.0/24", "www.example.test"],
  ["+norecurse", "+adflag", "+cdflag", "mail.example.test"],
];

Deno.test({
  name: "DNS from dig and dnsmasq, live: every record type, UDP and TCP, EDNS, NXDOMAIN",
  ignore: !(await hasCommand("dnsmasq")) || !(await hasCommand("dig", ["-v"])),
  fn: async () => {
    const ns = `netpeek-d-${Deno.pid % 100000}${Math.floor(Math.random() * 100)}`;
    const dir = await Deno.makeTempDir();
    const inNamespace = ["ip", "netns", "exec", ns];
    await sh("ip", ["netns", "add", ns]);
    try {
      await sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
      await sh("ip", ["-n", ns, "addr", "add", "192.0.2.53/32", "dev", "lo"]);
      await Deno.writeTextFile(`${dir}/dnsmasq.conf`, dnsmasqConfig(`${dir}/dnsmasq.pid`));
      await sh("ip", ["netns", "exec", ns, "dnsmasq", "-C", `${dir}/dnsmasq.conf`]);
      const path = `${dir}/dns.pcap`;
      const capture = new NetpeekProcess(
        ["-i", "lo", "-w", path, "--duration", "60", "port", "53"],
        inNamespace,
      );
      await capture.listening();
      for (const query of QUERIES) {
        await sh("ip", [
          "netns",
          "exec",
          ns,
          "dig",
          "+tries=1",
          "+time=2",
          "@192.0.2.53",
          ...query,
        ]);
      }
      capture.child.kill("SIGINT");
      const result = await capture.finished();
      assert.equal(result.code, 0, result.stderr);
      await keepCapture(path, "dns.pcap");
      const checked: Checked = { lines: 0, fields: 0 };
      await checkFile(path, checked);
      // A question and an answer for each query (the TCP one in a segment each way).
      assert.ok(checked.fields >= 2 * QUERIES.length, `only ${checked.fields} DNS packets`);
      const text = (await runNetpeek(["-r", path])).stdout;
      assertShows(text, [
        "CNAME www.example.test., A 192.0.2.80",
        "MX mail.example.test. 10",
        'TXT "v=spf1 -all" "second string"',
        "SRV sip.example.test.:5060 10 20",
        "PTR www.example.test.",
        "NXDomain",
        "AAAA 2001:db8::80",
      ]);
      const json = (await runNetpeek(["-r", path, "--json"])).stdout;
      assertShows(json, [
        '"typeName":"HTTPS","class":1,"ttl":0,"data":"1 . alpn=h2,h3 port=443 ipv4hint=192.0.2.80"',
        '"data":"0 issue \\"letsencrypt.org\\""',
        '"typeName":"SSHFP"',
        '"edns":{"udpSize":1232',
        '"do":true',
      ]);
    } finally {
      const pid = await Deno.readTextFile(`${dir}/dnsmasq.pid`).catch(() => "");
      if (pid.trim() !== "") Deno.kill(Number(pid.trim()), "SIGTERM");
      await sh("ip", ["netns", "del", ns]).catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("DNS fixture: dig and dnsmasq's traffic decodes as tcpdump and tshark read it", async () => {
  const checked: Checked = { lines: 0, fields: 0 };
  await checkFile(FIXTURE, checked);
  assert.ok(checked.fields >= 36, `only ${checked.fields} DNS packets`);
});
