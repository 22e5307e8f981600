/**
 * SOME/IP against tcpdump and tshark. tcpdump reads it on UDP port 30490; tshark 4.0 does when
 * told (`-d udp.port==30490,someip`), and that reading is the fields' reference. No SOME/IP
 * implementation is among the packages, so besides tcpdump's two captures the messages are
 * built here, laid out as AUTOSAR's SOME/IP specification gives the header (section 4.1.2):
 * each message type, an event, a return code and a type past tcpdump's lists, service
 * discovery, a message shorter than the header, and one cut short by the snapshot length.
 *
 * tests/fixtures/protocols/someip.pcap is the built capture, for the tests that read every
 * fixture (and the fuzzer's seeds).
 */

import assert from "node:assert/strict";
import { SOMEIP_FIELDS, type SomeIpMessage } from "../src/decode/mod.ts";
import { concat, u16, u32, udpOverEthernet } from "../scripts/packet_builder.ts";
import {
  compareFields,
  compareText,
  type FieldCheck,
  output,
  withBuiltCapture,
  withRecords,
} from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url).pathname;
const TSHARK_SOMEIP = ["-d", "udp.port==30490,someip"];
const SOMEIP_CHECK: FieldCheck<SomeIpMessage> = {
  fields: SOMEIP_FIELDS,
  layer: (packet) => packet.someip,
  // QUIC's datagram from port 30490: the fields are QUIC's (tshark, told the port, would force
  // SOME/IP on it); its line is tcpdump's SOME/IP, compared as text.
  skip: (packet) => packet.quic !== undefined,
  tsharkArgs: TSHARK_SOMEIP,
};

const PORT = 30490;
const CLIENT = "192.0.2.30";
const SERVER = "192.0.2.31";

/**
 * A SOME/IP message: message ID (service, method), length (of what follows it: eight header
 * bytes and the payload), request ID (client, session), protocol and interface versions,
 * message type, return code, payload.
 */
function someip(
  service: number,
  method: number,
  client: number,
  session: number,
  type: number,
  returnCode: number,
  payload: number[] = [],
  interfaceVersion = 1,
): Uint8Array {
  return concat(
    u16(service),
    u16(method),
    u32(8 + payload.length),
    u16(client),
    u16(session),
    [1, interfaceVersion, type, returnCode],
    payload,
  );
}

function frames(): Uint8Array[] {
  const request = (message: Uint8Array) => udpOverEthernet(CLIENT, SERVER, 40000, PORT, message);
  const answer = (message: Uint8Array) => udpOverEthernet(SERVER, CLIENT, PORT, 40000, message);
  // Service discovery: flags, reserved, an empty entries array and an empty options array.
  const discovery = [0xc0, 0, 0, 0, ...u32(0), ...u32(0)];
  return [
    request(someip(0x1234, 0x0421, 0x10, 1, 0x00, 0, [1, 2, 3, 4], 2)),
    answer(someip(0x1234, 0x0421, 0x10, 1, 0x80, 0, [5, 6])),
    request(someip(0x1234, 0x0422, 0x10, 2, 0x01, 0)),
    answer(someip(0x1234, 0x0423, 0x10, 3, 0x81, 0x03)),
    answer(someip(0x1234, 0x8001, 0, 0, 0x02, 0, [9])),
    // A type with the acknowledgement bit, and a return code, tcpdump does not name.
    answer(someip(0x1234, 0x0424, 0x10, 4, 0x42, 0x5e)),
    udpOverEthernet(
      CLIENT,
      "192.0.2.255",
      PORT,
      PORT,
      someip(0xffff, 0x8100, 0, 1, 0x02, 0, discovery),
    ),
    // Eight bytes: half a header.
    request(someip(0x1234, 0x0425, 0x10, 5, 0x00, 0).subarray(0, 8)),
    // From port 30490 to QUIC's: SOME/IP to tcpdump, whose order of ports the decoder keeps
    // (and to tshark, told that port 30490 is SOME/IP's).
    udpOverEthernet(CLIENT, SERVER, PORT, 443, concat([0x41], new Uint8Array(24).fill(0x5a))),
  ];
}

Deno.test("SOME/IP in tcpdump's captures: lines as tcpdump's, fields as tshark's", async (t) => {
  for (const name of ["someip1.pcap", "someip2.pcap"]) {
    const path = `${CORPUS}${name}`;
    try {
      Deno.statSync(path);
    } catch {
      t.step({ name: `${name}: the corpus is beside the checkout in CI`, ignore: true, fn() {} });
      continue;
    }
    const lines = await compareText(path, () => true);
    assert.ok(lines >= 1, `${name}: ${lines} lines`);
    assert.ok(await compareText(path, () => true, ["-vv"]) > lines);
    assert.ok(await compareFields(path, SOMEIP_CHECK) >= 1);
  }
});

Deno.test("SOME/IP, built: each message type, an event, names tcpdump lacks, service discovery, (invalid)", async () => {
  await withBuiltCapture(frames(), "someip.pcap", async (path) => {
    // Nine packets: each line, and the empty line tcpdump's printer ends a header with (not
    // after "(invalid)", nor at the file's end).
    assert.equal(await compareText(path, () => true), 9 + 7);
    for (const flags of [["-v"], ["-vv"]]) assert.ok(await compareText(path, () => true, flags));
    assert.equal(await compareFields(path, SOMEIP_CHECK), 9);
    const text = (await runNetpeek(["-r", path])).stdout;
    for (
      const shown of [
        "SOMEIP, service 4660, method 1057, len 12, client 16, session 1, pver 1, iver 2, msgtype REQUEST, retcode E_OK",
        "msgtype ERROR, retcode E_UNKNOWN_METHOD",
        "SOMEIP, service 4660, event 1, len 9",
        "msgtype Unknown, retcode Unknown",
        "SOMEIP, service 65535, event 256",
        "40000 > 192.0.2.31.30490: SOMEIP (invalid)",
        "30490 > 192.0.2.31.443: SOMEIP, service 16730, method 23130",
      ]
    ) assert.ok(text.includes(shown), `no ${shown} in:\n${text}`);
    // JSON: the method ID whole (as tshark's), the event bit beside it, the names.
    const json = (await runNetpeek(["--json", "-r", path])).stdout.trimEnd().split("\n")
      .map((line) => JSON.parse(line).someip);
    assert.deepEqual(json[4], {
      serviceId: 0x1234,
      methodId: 0x8001,
      event: true,
      length: 9,
      clientId: 0,
      sessionId: 0,
      protocolVersion: 1,
      interfaceVersion: 1,
      messageType: 2,
      messageTypeName: "NOTIFICATION",
      returnCode: 0,
      returnCodeName: "E_OK",
    });
    // Half a header: what it has, marked.
    assert.deepEqual(json[7], {
      serviceId: 0x1234,
      methodId: 0x0425,
      event: false,
      length: 8,
      truncated: true,
    });
    // The datagram to QUIC's port: SOME/IP, as tcpdump and tshark (told the port) read it.
    assert.deepEqual([json[8].serviceId, json[8].methodId], [0x415a, 0x5a5a]);
    // The display filter picks what tshark's does (told the port).
    for (
      const filter of [
        "someip.serviceid == 0x1234",
        "someip.messagetype.ack == 1",
        "someip && udp.port == 443",
        "someip",
      ]
    ) {
      const picked = ["-r", path, "-Y", filter, "-T", "fields", "-e", "frame.number"];
      const ours = await runNetpeek(picked);
      const theirs = await output("tshark", ["-n", ...TSHARK_SOMEIP, ...picked]);
      assert.ok(theirs.trim() !== "", `${filter}: tshark picked nothing`);
      assert.equal(ours.stdout, theirs, filter);
    }
  });
});

Deno.test("SOME/IP cut short by the snapshot length: tcpdump's fields up to the cut, then its mark", async () => {
  const whole = udpOverEthernet(CLIENT, SERVER, 40000, PORT, someip(0x1234, 0x0421, 0x10, 1, 0, 0));
  // Ethernet, IPv4 and UDP (42 bytes), then 4, 10 and 13 of the header's 16.
  const records = [46, 52, 55].map((caplen) => ({
    frame: whole.subarray(0, caplen),
    wireLength: whole.length,
  }));
  await withRecords(1, records, async (path) => {
    assert.equal(await compareText(path, () => true), 3);
    assert.equal(await compareFields(path, SOMEIP_CHECK), 3);
    const lines = (await runNetpeek(["-r", path])).stdout.trimEnd().split("\n");
    assert.match(lines[0], /: SOMEIP, service 4660, method 1057 \[\|someip\]$/);
    assert.match(lines[1], /, len 8 \[\|someip\]$/);
    assert.match(lines[2], /, pver 1 \[\|someip\]$/);
  });
});
