/**
 * NTP and syslog against tcpdump and tshark: chronyd as a server and as a client asking it the
 * time, and logger sending RFC 5424 and RFC 3164 messages (all started here, in a namespace of
 * their own); then tcpdump's own captures of NTP time, control and private messages and of
 * syslog. Each message's text must begin with tcpdump's line, at the default level and at
 * `-v`, `-vv` and `-vvv`; each declared field (NTP_FIELDS, SYSLOG_FIELDS) must equal tshark's;
 * JSON's two writers must agree.
 *
 * tests/fixtures/protocols/ntp-syslog.pcap was made by the live test's procedure (netpeek
 * writing).
 */

import assert from "node:assert/strict";
import {
  NTP_FIELDS,
  type NtpMessage,
  SYSLOG_FIELDS,
  type SyslogMessage,
} from "../src/decode/mod.ts";
import {
  assertShows,
  compareFields,
  compareText,
  type FieldCheck,
  keepCapture,
  withBuiltCapture,
  withRecords,
} from "./protocol_check.ts";
import type { BuiltRecord } from "./protocol_check.ts";
import {
  A,
  B,
  concat,
  ethernet,
  ip4,
  ipv4,
  udp,
  udpOverEthernet,
} from "../scripts/packet_builder.ts";
import { hasCommand, NetpeekProcess, runNetpeek, sh } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const FIXTURE = new URL("./fixtures/protocols/ntp-syslog.pcap", import.meta.url).pathname;
const CORPUS_FILES = [
  "ntp.pcap",
  "ntp-time.pcap",
  "ntp-time-ef.pcap",
  "ntp-control.pcap",
  "ntp-mode7.pcap",
  "syslog_udp.pcap",
];

const NTP_CHECK: FieldCheck<NtpMessage> = {
  fields: NTP_FIELDS,
  layer: (packet) => packet.ntp,
  // tshark reads private messages (mode 7) with fields of their own (ntp.priv.*).
  skip: (packet) => packet.ntp?.mode === 7,
};
const SYSLOG_CHECK: FieldCheck<SyslogMessage> = {
  fields: SYSLOG_FIELDS,
  layer: (packet) => packet.syslog,
};

interface Checked {
  lines: number;
  ntp: number;
  syslog: number;
}

/** A packet tcpdump shows as NTP or syslog. */
const isNtpOrSyslog = (packet: string) => / NTPv\d|SYSLOG/.test(packet);

async function checkFile(path: string, checked: Checked): Promise<void> {
  for (const flags of [[], ["-v"], ["-vv"], ["-vvv"]]) {
    checked.lines += await compareText(path, isNtpOrSyslog, flags);
  }
  checked.ntp += await compareFields(path, NTP_CHECK);
  checked.syslog += await compareFields(path, SYSLOG_CHECK);
}

Deno.test("NTP and syslog in tcpdump's captures: text as tcpdump's (to -vvv), fields as tshark's", async () => {
  const checked: Checked = { lines: 0, ntp: 0, syslog: 0 };
  for (const name of CORPUS_FILES) await checkFile(new URL(name, CORPUS).pathname, checked);
  assert.ok(checked.lines >= 300, `only ${checked.lines} lines compared`);
  assert.ok(checked.ntp >= 30, `only ${checked.ntp} NTP packets' fields compared`);
  assert.ok(checked.syslog >= 4, `only ${checked.syslog} syslog packets' fields compared`);
});

Deno.test({
  name: "NTP from chronyd and syslog from logger, live",
  ignore: !(await hasCommand("chronyd", ["-v"])) || !(await hasCommand("logger", ["-V"])),
  fn: async () => {
    const ns = `netpeek-n-${Deno.pid % 100000}${Math.floor(Math.random() * 100)}`;
    const dir = await Deno.makeTempDir();
    const inNamespace = ["ip", "netns", "exec", ns];
    const run = (command: string, ...args: string[]) =>
      sh("ip", ["netns", "exec", ns, command, ...args]);
    await sh("ip", ["netns", "add", ns]);
    try {
      await sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
      await sh("ip", ["-n", ns, "addr", "add", "192.0.2.123/32", "dev", "lo"]);
      await Deno.writeTextFile(
        `${dir}/server.conf`,
        [
          "local stratum 3",
          "allow 192.0.2.0/24",
          "bindaddress 192.0.2.123",
          `pidfile ${dir}/server.pid`,
          `driftfile ${dir}/drift`,
          "cmdport 0",
          "",
        ].join("\n"),
      );
      await Deno.writeTextFile(
        `${dir}/client.conf`,
        [
          "server 192.0.2.123 iburst minpoll -2 maxpoll -2",
          `pidfile ${dir}/client.pid`,
          "cmdport 0",
          "",
        ]
          .join("\n"),
      );
      const path = `${dir}/capture.pcap`;
      const capture = new NetpeekProcess(
        ["-i", "lo", "-w", path, "--duration", "60", "udp"],
        inNamespace,
      );
      await capture.listening();
      // -x: serve time without touching the clock.
      await run("chronyd", "-f", `${dir}/server.conf`, "-x");
      // -Q: ask for the time, print the offset and exit, without setting the clock.
      await run("timeout", "20", "chronyd", "-f", `${dir}/client.conf`, "-Q", "-t", "10");
      for (
        const args of [
          ["-p", "local3.warning", "netpeek syslog test"],
          ["-p", "daemon.debug", "a debug line"],
          ["--rfc3164", "-p", "auth.crit", "old format"],
        ]
      ) await run("logger", "--udp", "--server", "192.0.2.123", "--port", "514", ...args);
      capture.child.kill("SIGINT");
      const result = await capture.finished();
      assert.equal(result.code, 0, result.stderr);
      await keepCapture(path, "ntp-syslog.pcap");
      const checked: Checked = { lines: 0, ntp: 0, syslog: 0 };
      await checkFile(path, checked);
      assert.ok(checked.ntp >= 2, `only ${checked.ntp} NTP packets`);
      assert.equal(checked.syslog, 3);
      const text = (await runNetpeek(["-r", path])).stdout;
      assertShows(text, [
        "NTPv4, Client, length 48",
        "NTPv4, Server, length 48",
        "SYSLOG local3.warning, length: ",
        "SYSLOG daemon.debug, length: ",
        "SYSLOG auth.critical, length: ",
      ]);
      const json = (await runNetpeek(["-r", path, "--json"])).stdout;
      assertShows(json, [
        '"ntp":{"leap":0,"version":4,"mode":4,"modeName":"Server","stratum":3,',
        '"syslog":{"facility":19,"facilityName":"local3","severity":4,"severityName":"warning","message":"1 ',
      ]);
    } finally {
      const pid = await Deno.readTextFile(`${dir}/server.pid`).catch(() => "");
      if (pid.trim() !== "") Deno.kill(Number(pid.trim()), "SIGTERM");
      await sh("ip", ["netns", "del", ns]).catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("NTP and syslog fixture: chronyd's and logger's messages as tcpdump and tshark read them", async () => {
  const checked: Checked = { lines: 0, ntp: 0, syslog: 0 };
  await checkFile(FIXTURE, checked);
  assert.ok(checked.ntp >= 2 && checked.syslog === 3, JSON.stringify(checked));
});

/**
 * Datagrams on the syslog port without a priority, built here (the corpus has two, from
 * fuzzing): each byte string after the UDP header, and what follows the datagram inside its IP
 * packet, which tcpdump reads the priority from when the datagram is empty.
 */
const UNREAD_SYSLOG: { payload: string; after?: string }[] = [
  { payload: "hello" },
  { payload: "<13" },
  { payload: "<" },
  { payload: "<1234>x" },
  { payload: "<1x" },
  { payload: "", after: "Z" },
  { payload: "", after: "<13>x" },
  { payload: "<13>" },
  // No digits at all: tcpdump reads priority 0 (kernel.emergency).
  { payload: "<>x" },
];

function syslogFrame({ payload, after = "" }: { payload: string; after?: string }): Uint8Array {
  const text = new TextEncoder();
  const datagram = udp(ip4("192.0.2.1"), ip4("198.51.100.2"), 40000, 514, text.encode(payload));
  const body = concat(datagram, text.encode(after));
  const packet = ipv4({ src: "192.0.2.1", dst: "198.51.100.2", protocol: 17, payload: body });
  return ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, packet);
}

Deno.test("syslog without a priority: tcpdump's (invalid) and [|syslog], JSON of the datagram alone", async () => {
  await withBuiltCapture(UNREAD_SYSLOG.map(syslogFrame), "syslog-unread.pcap", async (path) => {
    let lines = 0;
    for (const flags of [[], ["-v"], ["-vv"]]) lines += await compareText(path, () => true, flags);
    assert.ok(lines >= 3 * UNREAD_SYSLOG.length, `only ${lines} lines compared`);
    const run = await runNetpeek(["--json", "-r", path]);
    const objects = run.stdout.trim().split("\n").map((line) => JSON.parse(line).syslog);
    // The message is the datagram's own text: never bytes past it (nor the file's). An empty
    // datagram is no syslog message, as tshark has it, whatever tcpdump reads after it.
    assert.deepEqual(objects.map((syslog) => syslog?.message), [
      "hello",
      "<13",
      "<",
      "<1234>x",
      "<1x",
      undefined,
      undefined,
      "",
      "x",
    ]);
    assert.deepEqual(objects.map((syslog) => syslog?.invalid ?? syslog?.truncated ?? false), [
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
    assert.deepEqual([objects[1].truncated, objects[0].invalid], [true, true]);
  });
});

Deno.test("NTP shorter than its header: tcpdump's (invalid); cut by the capture: the fields captured, then [|ntp]", async () => {
  const body = (first: number) =>
    concat([first], Uint8Array.from({ length: 55 }, (_, i) => (i * 37 + 11) & 0xff));
  const records: BuiltRecord[] = [];
  // Ethernet, IPv4 and UDP headers before the message.
  const UDP_PAYLOAD_AT = 42;
  // A client's time message (48 bytes) and a control message (12) cut after each byte, and
  // both short on the wire; then a control message whose count runs past it, and one whose
  // data is there.
  for (const [first, header] of [[0x23, 48], [0x26, 12]]) {
    const whole = udpOverEthernet(A, B, 40000, 123, body(first).subarray(0, header));
    for (let captured = 1; captured < header; captured++) {
      records.push({
        frame: whole.subarray(0, UDP_PAYLOAD_AT + captured),
        wireLength: whole.length,
      });
    }
    for (const wire of [5, header - 1]) {
      records.push({ frame: udpOverEthernet(A, B, 40000, 123, body(first).subarray(0, wire)) });
    }
  }
  const control = (count: number, data: number) =>
    concat([0x26, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0, count], new Uint8Array(data).fill(7));
  for (const [count, data] of [[4, 2], [4, 4]]) {
    records.push({ frame: udpOverEthernet(A, B, 40000, 123, control(count, data)) });
  }
  await withRecords(1, records, async (path) => {
    for (const flags of [[], ["-v"], ["-vv"]]) {
      assert.ok(await compareText(path, () => true, flags) >= records.length);
    }
    const text = (await runNetpeek(["-v", "-r", path])).stdout;
    assertShows(text, [
      "Receive Timestamp:    ",
      "(invalid)",
      " [|ntp]",
      "Count=4 (invalid)",
      "TO-BE-DONE: data not interpreted",
    ]);
  });
});
