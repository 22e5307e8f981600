/**
 * A TCP connection that goes quiet for longer than the flow table's idle timeout (300 s) and
 * then goes on: tcpdump and tshark keep every connection's state for the whole capture, so
 * tcpdump's relative sequence numbers and tshark's `tcp.stream`, `tcp.seq` and `tcp.ack` go on
 * as before the pause. netpeek retires the idle flow (memory stays flat) but keeps the
 * connection's numbers, and takes them up again when it resumes, whichever side speaks first.
 * A connection that closed, and a new one on its ports opened by a SYN, start afresh in all
 * three. Built frames (a pause of minutes is not something a test waits for), held to tcpdump's
 * text and tshark's fields.
 * @module
 */

import assert from "node:assert/strict";
import { pcapRecords } from "../scripts/make_fixtures.ts";
import { ethernet, ip4, ipv4, tcp } from "../scripts/packet_builder.ts";
import { hasCommand, runNetpeek } from "./netpeek_process.ts";
import { bothFields, output } from "./protocol_check.ts";
import { FlowTracker } from "../src/analysis/flows.ts";
import { Decoder, LINKTYPE_ETHERNET } from "../src/decode/mod.ts";

const hasTools = await hasCommand("tcpdump") && await hasCommand("tshark", ["-v"]);

const CLIENT = "192.0.2.10";
const SERVER = "198.51.100.20";
const [SYN, ACK, PUSH_ACK, FIN_ACK, SYN_ACK] = [0x02, 0x10, 0x18, 0x11, 0x12];
/** Longer than the flow table's idle timeout (300 s). */
const PAUSE = 400;

/** One segment of a connection between CLIENT:port and SERVER:22. */
function segment(
  fromClient: boolean,
  port: number,
  seq: number,
  ack: number,
  flags: number,
  data = 0,
): Uint8Array {
  const [src, dst] = fromClient ? [CLIENT, SERVER] : [SERVER, CLIENT];
  const [sport, dport] = fromClient ? [port, 22] : [22, port];
  const payload = tcp(
    ip4(src),
    ip4(dst),
    { sport, dport, seq, ack, flags, window: 500 },
    new Uint8Array(data).fill(0x61),
  );
  return ethernet(
    fromClient ? "02:00:00:00:00:02" : "02:00:00:00:00:01",
    fromClient ? "02:00:00:00:00:01" : "02:00:00:00:00:02",
    0x0800,
    ipv4({ src, dst, protocol: 6, payload }),
  );
}

/** Frames and their times: quiet connections resumed, and a closed one reopened. */
function conversation(): { seconds: number; fraction: number; frame: Uint8Array }[] {
  const [c, s] = [1_000_000, 7_000_000];
  const frames: [number, Uint8Array][] = [
    // A connection that goes quiet and resumes with the server speaking first.
    [0, segment(true, 40001, c, 0, SYN)],
    [0, segment(false, 40001, s, c + 1, SYN_ACK)],
    [0, segment(true, 40001, c + 1, s + 1, ACK)],
    [1, segment(true, 40001, c + 1, s + 1, PUSH_ACK, 100)],
    [1, segment(false, 40001, s + 1, c + 101, PUSH_ACK, 50)],
    [1 + PAUSE, segment(false, 40001, s + 51, c + 101, PUSH_ACK, 20)],
    [1 + PAUSE, segment(true, 40001, c + 101, s + 71, PUSH_ACK, 30)],
    [1 + PAUSE, segment(false, 40001, s + 71, c + 131, ACK)],
    // One seen only in the middle (no handshake): it too resumes, client first.
    [2, segment(true, 40002, 555_000, 888_000, PUSH_ACK, 10)],
    [2, segment(false, 40002, 888_000, 555_010, ACK)],
    [2 + PAUSE, segment(true, 40002, 555_010, 888_000, PUSH_ACK, 10)],
    [2 + PAUSE, segment(false, 40002, 888_000, 555_020, ACK)],
    // A connection that closes; after the pause a SYN opens a new one on the same ports.
    [3, segment(true, 40003, 3000, 0, SYN)],
    [3, segment(false, 40003, 9000, 3001, SYN_ACK)],
    [3, segment(true, 40003, 3001, 9001, FIN_ACK)],
    [3, segment(false, 40003, 9001, 3002, FIN_ACK)],
    [3, segment(true, 40003, 3002, 9002, ACK)],
    [3 + PAUSE, segment(true, 40003, 123_456, 0, SYN)],
    [3 + PAUSE, segment(false, 40003, 654_321, 123_457, SYN_ACK)],
    [3 + PAUSE, segment(true, 40003, 123_457, 654_322, PUSH_ACK, 5)],
  ];
  return frames
    .map(([seconds, frame], order) => ({ seconds: 1_767_225_600 + seconds, order, frame }))
    .sort((a, b) => a.seconds - b.seconds || a.order - b.order)
    .map(({ seconds, frame }) => ({ seconds, fraction: 0, frame }));
}

Deno.test({
  name: "a TCP connection quiet past the idle timeout resumes with tcpdump's and tshark's numbers",
  ignore: !hasTools,
  fn: async () => {
    const path = await Deno.makeTempFile({ suffix: ".pcap" });
    try {
      const records = conversation();
      await Deno.writeFile(path, pcapRecords(1, records));
      const theirs = await output("tcpdump", ["-n", "-r", path]);
      const ours = await runNetpeek(["-r", path], { env: { TZ: "UTC" } });
      const tcpdumpLines = theirs.trimEnd().split("\n");
      const lines = ours.stdout.trimEnd().split("\n");
      assert.equal(lines.length, records.length);
      // Guard: tcpdump's numbers after the pause are relative (the connection's state kept).
      assert.ok(tcpdumpLines.some((line) => /\.22 > .*seq 51:71, ack 101/.test(line)), theirs);
      lines.forEach((line, i) =>
        assert.ok(line.startsWith(tcpdumpLines[i]), `${line}\n${tcpdumpLines[i]}`)
      );
      const fields = ["tcp.stream", "tcp.seq", "tcp.ack", "tcp.len"];
      const { theirs: tshark, ours: netpeek } = await bothFields(path, fields);
      assert.equal(netpeek, tshark);
      // Guard: tshark's streams: three connections, then the reopened one.
      const streams = await output("tshark", [
        "-n",
        "-r",
        path,
        "-T",
        "fields",
        "-e",
        "tcp.stream",
      ]);
      assert.equal(new Set(streams.trim().split("\n")).size, 4);
    } finally {
      await Deno.remove(path);
    }
  },
});

Deno.test("a SYN on a quiet connection's ports opens a new one, and the quiet one never comes back", () => {
  const flows = new FlowTracker({ streams: true });
  const decoder = new Decoder();
  const streamOf = (seconds: number, frame: Uint8Array) => {
    const header = {
      seconds,
      fraction: 0,
      nanosecond: false,
      caplen: frame.length,
      len: frame.length,
    };
    flows.observe(decoder.decode(frame, LINKTYPE_ETHERNET), header);
    return flows.tcpStream;
  };
  const [c, s] = [1_000, 9_000];
  const quiet = streamOf(0, segment(true, 40005, c, 0, SYN));
  streamOf(0, segment(false, 40005, s, c + 1, SYN_ACK));
  streamOf(0, segment(true, 40005, c + 1, s + 1, PUSH_ACK, 10));
  // Past the idle timeout, a SYN on the same ports: a new connection, which then closes.
  const reopened = streamOf(PAUSE, segment(true, 40005, 77_000, 0, SYN));
  assert.notEqual(reopened, quiet);
  streamOf(PAUSE, segment(false, 40005, 88_000, 77_001, SYN_ACK));
  streamOf(PAUSE, segment(true, 40005, 77_001, 88_001, FIN_ACK));
  streamOf(PAUSE, segment(false, 40005, 88_001, 77_002, FIN_ACK));
  // Long after, a stray segment on those ports: the first connection's state is long gone.
  const stray = streamOf(3 * PAUSE, segment(true, 40005, 77_002, 88_002, ACK));
  assert.notEqual(stray, quiet);
  assert.notEqual(stray, -1);
});
