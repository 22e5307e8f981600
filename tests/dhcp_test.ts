/**
 * BOOTP/DHCP against tcpdump and tshark: busybox's udhcpc asking dnsmasq for an address
 * across a veth pair between two namespaces made here (discover, offer, request, ACK, and the
 * release when udhcpc quits), then tcpdump's own DHCP captures (relay agents, classless
 * routes, user classes, client FQDNs, options cut short). Each message's text must begin with
 * tcpdump's line, at the default level and at `-v`, `-vv` and `-vvv`; each declared field
 * (DHCP_FIELDS) must equal tshark's; JSON's two writers must agree.
 *
 * tests/fixtures/protocols/dhcp.pcap was made by the live test's procedure (netpeek writing).
 */

import assert from "node:assert/strict";
import { DHCP_FIELDS, type DhcpMessage } from "../src/decode/mod.ts";
import {
  assertShows,
  compareFields,
  compareText,
  type FieldCheck,
  keepCapture,
  withBuiltCapture,
} from "./protocol_check.ts";
import { A, B, concat, udpOverEthernet } from "../scripts/packet_builder.ts";
import { hasCommand, NetpeekProcess, runNetpeek, sh } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const FIXTURE = new URL("./fixtures/protocols/dhcp.pcap", import.meta.url).pathname;
/**
 * tcpdump's DHCP captures. bootp_asan.pcap is left out: a fuzzed fragment of which tcpdump
 * reads ten bytes of the message where 48 were captured, so its -v lines stop earlier.
 */
const CORPUS_FILES = [
  "bootp_asan-2.pcap",
  "dhcp-mud.pcap",
  "dhcp-option-108.pcapng",
  "dhcp-option-33.pcap",
  "dhcp-rfc3004.pcap",
  "dhcp-rfc4388.pcap",
  "dhcp-rfc5859.pcap",
  // DHCPv4 and DHCPv6 with RFC 8572's SZTP redirect, which tcpdump 4.99 does not know.
  "dhcpv4v6-rfc5970-rfc8572.pcap",
];

const DHCP_CHECK: FieldCheck<DhcpMessage> = {
  fields: DHCP_FIELDS,
  layer: (packet) => packet.dhcp,
  // A message cut short: tcpdump's words only (tshark reads it as malformed).
  skip: (packet) => packet.dhcp?.truncated === true,
  // The client ID option's MAC is a second dhcp.hw.mac_addr, after the header's, as tshark's.
};

interface Checked {
  lines: number;
  fields: number;
}

/** A packet tcpdump shows as BOOTP/DHCP. */
const isDhcp = (packet: string) => packet.includes("BOOTP/DHCP");

async function checkFile(path: string, checked: Checked): Promise<void> {
  for (const flags of [[], ["-v"], ["-vv"], ["-vvv"]]) {
    checked.lines += await compareText(path, isDhcp, flags);
  }
  checked.fields += await compareFields(path, DHCP_CHECK);
}

Deno.test("DHCP in tcpdump's captures: text as tcpdump's (to -vvv), fields as tshark's", async () => {
  const checked: Checked = { lines: 0, fields: 0 };
  for (const name of CORPUS_FILES) await checkFile(new URL(name, CORPUS).pathname, checked);
  assert.ok(checked.lines >= 400, `only ${checked.lines} lines compared`);
  assert.ok(checked.fields >= 50, `only ${checked.fields} packets' fields compared`);
});

Deno.test({
  name: "DHCP from udhcpc and dnsmasq across a veth pair, live",
  ignore: !(await hasCommand("dnsmasq")) || !(await hasCommand("busybox", ["true"])),
  fn: async () => {
    const tag = `${Deno.pid % 100000}${Math.floor(Math.random() * 100)}`;
    const [server, client] = [`netpeek-ds-${tag}`, `netpeek-dc-${tag}`];
    const [serverLink, clientLink] = [`nds${tag}`.slice(0, 15), `ndc${tag}`.slice(0, 15)];
    const dir = await Deno.makeTempDir();
    await sh("ip", ["netns", "add", server]);
    await sh("ip", ["netns", "add", client]);
    try {
      await sh("ip", [
        "link",
        "add",
        serverLink,
        "netns",
        server,
        "type",
        "veth",
        "peer",
        "name",
        clientLink,
        "netns",
        client,
      ]);
      await sh("ip", ["-n", server, "addr", "add", "192.0.2.1/24", "dev", serverLink]);
      await sh("ip", ["-n", server, "link", "set", serverLink, "up"]);
      await sh("ip", ["-n", client, "link", "set", clientLink, "address", "02:00:00:00:00:42"]);
      await sh("ip", ["-n", client, "link", "set", clientLink, "up"]);
      await Deno.writeTextFile(
        `${dir}/dnsmasq.conf`,
        [
          "port=0",
          `interface=${serverLink}`,
          "bind-interfaces",
          "dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,1h",
          "dhcp-option=option:router,192.0.2.1",
          "dhcp-option=option:dns-server,192.0.2.53",
          "dhcp-option=option:domain-name,example.test",
          `dhcp-leasefile=${dir}/leases`,
          `pid-file=${dir}/dnsmasq.pid`,
          "",
        ].join("\n"),
      );
      await sh("ip", ["netns", "exec", server, "dnsmasq", "-C", `${dir}/dnsmasq.conf`]);
      const path = `${dir}/dhcp.pcap`;
      const capture = new NetpeekProcess(
        [
          "-i",
          serverLink,
          "-w",
          path,
          "--duration",
          "60",
          "udp",
          "port",
          "67",
          "or",
          "udp",
          "port",
          "68",
        ],
        ["ip", "netns", "exec", server],
      );
      await capture.listening();
      // -q: quit once leased; -R: release the lease on quitting; the script does nothing.
      await sh("ip", [
        "netns",
        "exec",
        client,
        "timeout",
        "30",
        "busybox",
        "udhcpc",
        "-i",
        clientLink,
        "-q",
        "-R",
        "-n",
        "-t",
        "5",
        "-T",
        "1",
        "-x",
        "hostname:netpeek-client",
        "-s",
        "/bin/true",
      ]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      capture.child.kill("SIGINT");
      const result = await capture.finished();
      assert.equal(result.code, 0, result.stderr);
      await keepCapture(path, "dhcp.pcap");
      const checked: Checked = { lines: 0, fields: 0 };
      await checkFile(path, checked);
      assert.ok(checked.fields >= 4, `only ${checked.fields} DHCP packets`);
      const text = (await runNetpeek(["-r", path, "-v"])).stdout;
      assertShows(text, [
        "BOOTP/DHCP, Request from 02:00:00:00:00:42",
        "BOOTP/DHCP, Reply",
        "DHCP-Message (53), length 1: Discover",
        "DHCP-Message (53), length 1: Offer",
        "DHCP-Message (53), length 1: ACK",
        'Hostname (12), length 14: "netpeek-client"',
        "Default-Gateway (3), length 4: 192.0.2.1",
      ]);
      const json = (await runNetpeek(["-r", path, "--json"])).stdout;
      assertShows(json, [
        '"messageType":1,"messageTypeName":"Discover"',
        '"clientMac":"02:00:00:00:00:42"',
        '"serverId":"192.0.2.1","leaseTime":3600',
        '"hostname":"netpeek-client"',
      ]);
    } finally {
      const pid = await Deno.readTextFile(`${dir}/dnsmasq.pid`).catch(() => "");
      if (pid.trim() !== "") Deno.kill(Number(pid.trim()), "SIGTERM");
      await sh("ip", ["netns", "del", server]).catch(() => {});
      await sh("ip", ["netns", "del", client]).catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("DHCP fixture: udhcpc and dnsmasq's exchange as tcpdump and tshark read it", async () => {
  const checked: Checked = { lines: 0, fields: 0 };
  await checkFile(FIXTURE, checked);
  assert.ok(checked.fields >= 4, `only ${checked.fields} DHCP packets`);
});

Deno.test("BOOTP's server and file names: one that fills its field without a NUL ends the line as tcpdump ends it", async () => {
  const head = concat(
    [1, 1, 6, 0, 1, 2, 3, 4, 0, 0, 0, 0],
    new Uint8Array(16),
    [2, 0, 0, 0, 0, 1],
    new Uint8Array(10),
  );
  const letters = (count: number) => new Uint8Array(count).fill(0x41);
  const messages = [
    concat(head, letters(30)), // the name cut by the datagram's end
    concat(head, [0], letters(29)), // no name, then the end
    concat(head, letters(10), new Uint8Array(54), letters(40)), // the file cut
    concat(head, letters(10), new Uint8Array(54), letters(5), new Uint8Array(5)),
    concat(head, letters(64), letters(128)), // both names fill their fields
    concat(head, letters(10), new Uint8Array(54), letters(128)),
  ];
  const frames = messages.map((message) => udpOverEthernet(A, B, 68, 67, message));
  await withBuiltCapture(frames, "bootp-names.pcap", async (path) => {
    for (const flags of [["-v"], ["-vv"]]) {
      assert.ok(await compareText(path, () => true, flags) > frames.length);
    }
  });
});
