/**
 * Large files are printed on two threads (src/cli/print_pipeline.ts): what comes out must be
 * byte for byte what one thread prints, in every printing mode, whichever thread formatted a
 * batch, and a closed pipe must still end the run cleanly.
 */

import assert from "node:assert/strict";
import { FlowTracker } from "../src/analysis/flows.ts";
import type { TcpAnalysis } from "../src/analysis/tcp_analysis.ts";
import { packAnalysis, PrintBatches, unpackAnalysis } from "../src/cli/print_batch.ts";
import { PrintPipeline } from "../src/cli/print_pipeline.ts";
import {
  JSON_WORKER_MIN_BYTES,
  loadPacketFormatter,
  printFormat,
  printOnWorker,
} from "../src/cli/print_format.ts";
import { parseCommandLine } from "../src/cli/args.ts";
import { Decoder, LINKTYPE_RAW } from "../src/decode/mod.ts";
import { CaptureFileReader } from "../src/file/reader.ts";
import { ByteWriter } from "../src/output/bytes.ts";
import { makeCapture } from "../scripts/bench.ts";
import { netpeekCommand, runNetpeek } from "./netpeek_process.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

/** A mixed capture of `packets` (TCP, UDP, DNS, ICMP, IPv6, VLAN, ARP, fragments). */
function mixedCapture(packets: number): string {
  const path = Deno.makeTempFileSync({ suffix: ".pcap" });
  makeCapture(path, packets, 7);
  return path;
}

const CAPTURE = mixedCapture(30_000);
globalThis.addEventListener("unload", () => Deno.removeSync(CAPTURE));

Deno.test("an analysis crosses to the worker with its values and its keys' order", async () => {
  // Every TCP analysis FlowTracker makes on the fixtures (retransmissions, duplicate ACKs,
  // zero windows, resets...) and on the mixed capture.
  const batches = PrintBatches.allocate();
  const seen = new Set<string>();
  const paths = [
    CAPTURE,
    ...[...Deno.readDirSync(FIXTURES)].filter((entry) => /\.pcap(ng)?$/.test(entry.name))
      .map((entry) => FIXTURES + entry.name),
  ];
  let analyses = 0;
  for (const path of paths) {
    using file = await Deno.open(path);
    let reader: CaptureFileReader;
    try {
      reader = await CaptureFileReader.open(file, path);
    } catch {
      continue; // the damaged-file fixtures
    }
    const decoder = new Decoder();
    const flows = new FlowTracker();
    await reader.run((frame, header) => {
      const packet = decoder.decode(frame, header.linkType, header.len);
      const analysis = flows.observe(packet, header);
      packAnalysis(batches.meta, 0, analysis);
      const back = unpackAnalysis(batches.meta, 0);
      assert.equal(JSON.stringify(back), JSON.stringify(analysis));
      if (analysis !== undefined) {
        analyses++;
        seen.add(Object.keys(analysis).slice(4).join(","));
      }
    }).catch(() => {}); // the damaged-file fixtures end early
  }
  assert.ok(analyses > 10_000, `only ${analyses} analyses`);
  // The flags themselves were exercised, not only the plain case.
  assert.ok(seen.size >= 5, `flag combinations seen: ${[...seen].join(" | ")}`);
  const flagged: TcpAnalysis = {
    relativeSeq: 4294967295,
    relativeAck: 0,
    isnSeen: false,
    peerBase: 0,
    tcpdumpSeqBase: 4294967295,
    tcpdumpAckBase: 12345,
    tcpdumpSackBase: 777,
    reset: true,
    zeroWindow: true,
    keepAlive: true,
    windowFull: true,
    lostSegment: true,
    retransmission: true,
    fastRetransmission: true,
    outOfOrder: true,
    spuriousRetransmission: true,
    duplicateAck: 70000,
  };
  packAnalysis(batches.meta, 11, flagged);
  assert.equal(JSON.stringify(unpackAnalysis(batches.meta, 11)), JSON.stringify(flagged));
});

/**
 * Reads `path` through the pipeline (or, without one, on this thread); returns the output.
 * `waitForWorker`: the reading starts once the worker runs, so that it takes part.
 */
async function printThrough(path: string, json: boolean, pipelined: boolean, waitForWorker = true) {
  const output = Deno.makeTempFileSync();
  const format = await loadPacketFormatter({ json, text: { verbose: true } });
  using file = await Deno.open(path);
  const reader = await CaptureFileReader.open(file, path);
  const pipeline = pipelined
    ? PrintPipeline.start(
      { json, text: { verbose: true }, nanosecond: reader.nanosecond, outputPath: output },
      format,
    )
    : undefined;
  if (pipelined) assert.ok(pipeline, "the worker could not be made");
  if (pipeline && waitForWorker) {
    assert.equal(await pipeline.running, true, "the worker did not start");
  }
  const decoder = new Decoder();
  const flows = new FlowTracker({ summary: false });
  const alone = new ByteWriter();
  await reader.runRanges((bytes, offset, header) => {
    const packet = decoder.decodeAt(bytes, offset, header.caplen, header.linkType, header.len);
    const analysis = flows.observe(packet, header);
    if (pipeline) {
      pipeline.add(bytes, offset, header.caplen, header, header.linkType, packet, analysis);
    } else format(alone, packet, header, { analysis });
  }, () => pipeline?.chunkEnd());
  pipeline?.finish();
  if (!pipeline) Deno.writeFileSync(output, alone.written());
  const printed = Deno.readFileSync(output);
  Deno.removeSync(output);
  return { printed, pipeline };
}

for (const json of [true, false]) {
  Deno.test(`the pipeline prints ${json ? "JSON" : "-v text"} as one thread does`, async () => {
    const { printed: expected } = await printThrough(CAPTURE, json, false);
    const { printed, pipeline } = await printThrough(CAPTURE, json, true);
    assert.ok(expected.length > 1_000_000);
    assert.deepEqual(printed, expected);
    // Both threads formatted batches: fed faster than the worker prints, the reader's thread
    // takes batches itself.
    assert.ok(pipeline!.batches > 5, `${pipeline!.batches} batches`);
    if (json) {
      assert.ok(
        pipeline!.formattedHere > 0 && pipeline!.formattedHere < pipeline!.batches,
        `${pipeline!.formattedHere} of ${pipeline!.batches} batches formatted here`,
      );
    }
  });
}

Deno.test("the reader does not wait for the worker: lines are the same, whoever prints them", async () => {
  const { printed: expected } = await printThrough(CAPTURE, true, false);
  // Reading at once, this thread prints the first batches (all of them, if the worker is
  // slower to start than the file is to read); the worker takes over once it runs.
  const { printed, pipeline } = await printThrough(CAPTURE, true, true, false);
  assert.ok(expected.length > 1_000_000);
  assert.deepEqual(printed, expected);
  assert.ok(pipeline!.formattedHere > 0, "this thread printed nothing before the worker ran");
});

/** A 20-byte IPv4 header (link type RAW) whose identification field is `id`. */
function numberedFrame(id: number): Uint8Array {
  const frame = new Uint8Array(20);
  // Version 4, 20 bytes, total length 20, the id, DF, TTL 64, protocol 253 (for testing).
  frame.set([0x45, 0, 0, 20, id >> 8, id & 0xff, 0x40, 0, 64, 253]);
  frame.set([192, 0, 2, 1, 192, 0, 2, 2], 12); // 192.0.2.1 to 192.0.2.2
  return frame;
}

/** Adds frames `from` to `to` - 1 (numbered) to the pipeline. */
function addNumbered(pipeline: PrintPipeline, from: number, to: number): void {
  const decoder = new Decoder();
  for (let id = from; id < to; id++) {
    const frame = numberedFrame(id);
    const header = { seconds: 0, fraction: id, nanosecond: false, caplen: 20, len: 20 };
    const packet = decoder.decodeAt(frame, 0, frame.length, LINKTYPE_RAW, frame.length);
    assert.ok(pipeline.add(frame, 0, frame.length, header, LINKTYPE_RAW, packet, undefined));
  }
}

Deno.test("the worker gets frames as soon as it runs, not a whole batch later", async () => {
  const format = { json: true, text: {} };
  const outputPath = Deno.makeTempFileSync();
  const pipeline = PrintPipeline.start(
    { ...format, nanosecond: false, outputPath },
    await loadPacketFormatter(format),
  )!;
  try {
    // Loading its modules takes the worker tens of milliseconds: until it runs, this thread
    // formats the frames itself.
    addNumbered(pipeline, 0, 100);
    assert.equal(pipeline.formattedHere, 1, "the worker ran before the first frames came");
    assert.equal(await pipeline.running, true);
    // That batch ends at the next look (256 frames); the next batch goes to the worker, after
    // 256 frames too. Full batches hold 4,096.
    addNumbered(pipeline, 100, 256 + 256 + 1);
    assert.equal(pipeline.formattedHere, 1);
    assert.equal(pipeline.batches, 2, "the worker was handed no batch");
    addNumbered(pipeline, 513, 1000);
  } finally {
    pipeline.finish();
  }
  const ids = Deno.readTextFileSync(outputPath).trimEnd().split("\n")
    .map((line) => JSON.parse(line).ipv4.id);
  Deno.removeSync(outputPath);
  assert.deepEqual(ids, Array.from({ length: 1000 }, (_, id) => id));
});

Deno.test("netpeek -r prints the same on two threads as on one, in every printing mode", async () => {
  const modes = [
    [],
    ["-v", "-e", "-X"],
    ["-S"],
    ["--json"],
    ["--stats", "--print"],
    ["-c", "7777", "--json"],
    ["tcp", "or", "icmp"],
    // tcpdump's habits: the tree, quiet lines, and the formats that count from packets before
    // (which keep to one thread).
    ["-V"],
    ["-q", "-tt"],
    ["-#", "-ttt"],
  ];
  for (const mode of modes) {
    const args = ["-r", CAPTURE, ...mode];
    const one = await runNetpeek(args, { env: { TZ: "UTC", NETPEEK_PRINT_WORKER: "0" } });
    const two = await runNetpeek(args, { env: { TZ: "UTC", NETPEEK_PRINT_WORKER: "1" } });
    assert.equal(one.code, 0, one.stderr);
    assert.ok(one.stdout.length > 100_000, `${mode.join(" ")}: ${one.stdout.length} bytes`);
    assert.equal(two.code, 0, two.stderr);
    assert.equal(two.stderr, one.stderr);
    assert.ok(two.stdout === one.stdout, `${mode.join(" ") || "text"}: the outputs differ`);
  }
});

/** `netpeek -r path --json` with the printing worker, its output piped, killed after `timeoutMs`. */
function twoThreadJson(path: string, timeoutMs: number): Deno.ChildProcess {
  const [command, args] = netpeekCommand(["-r", path, "--json"]);
  return new Deno.Command(command, {
    args,
    env: { NETPEEK_PRINT_WORKER: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).spawn();
}

Deno.test("a closed pipe ends a two-thread read at once, with exit status 0", async () => {
  const big = mixedCapture(200_000);
  try {
    const child = twoThreadJson(big, 30_000);
    const reader = child.stdout.getReader();
    const first = await reader.read();
    assert.ok(first.value !== undefined && first.value[0] === 0x7b); // a JSON line
    await reader.cancel();
    const status = await child.status;
    const stderr = await new Response(child.stderr).text();
    assert.equal(status.code, 0, stderr);
    assert.doesNotMatch(stderr, /error/);
  } finally {
    Deno.removeSync(big);
  }
});

Deno.test("a slow reader: the two-thread read waits for it, holding little, for as long as it takes", async () => {
  // 200,000 packets make some 140 MB of JSON: held in memory, they would show.
  const big = mixedCapture(200_000);
  try {
    const child = twoThreadJson(big, 120_000);
    // Nothing is read for longer than the worker may go without progress (30 s) before it
    // counts as stuck: blocked in a write is not stuck.
    let peak = 0;
    for (let second = 0; second < 34; second++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      let status: string;
      try {
        status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
      } catch {
        break; // it ended (the status below says how)
      }
      peak = Math.max(peak, Number(status.match(/^VmRSS:\s+(\d+)/m)![1]) * 1024);
    }
    let lines = 0;
    for await (const chunk of child.stdout) {
      for (const byte of chunk) if (byte === 0x0a) lines++;
    }
    const status = await child.status;
    const stderr = await new Response(child.stderr).text();
    assert.equal(status.code, 0, stderr);
    assert.equal(lines, 200_000);
    assert.ok(
      peak < 170 * 2 ** 20,
      `peak resident ${Math.round(peak / 2 ** 20)} MiB while blocked`,
    );
  } finally {
    Deno.removeSync(big);
  }
});

Deno.test("a large file's output goes to the worker only where it costs: JSON, -x/-X, -V", () => {
  const large = 64 << 20;
  const onWorker = (...args: string[]) => {
    const options = parseCommandLine(["-r", "capture.pcap", ...args]);
    return printOnWorker(options, printFormat(options, false), large);
  };
  const json = parseCommandLine(["-r", "capture.pcap", "--json"]);
  // JSON pays for the worker's start only on larger files than hex dumps and trees do.
  assert.deepEqual(
    [large, JSON_WORKER_MIN_BYTES].map((size) =>
      printOnWorker(json, printFormat(json, false), size)
    ),
    [false, true],
  );
  // Measured on the bench capture: the line and -v are faster on one thread; the rest on two.
  assert.deepEqual(
    [onWorker(), onWorker("-v"), onWorker("-e", "-q")],
    [false, false, false],
  );
  assert.deepEqual(
    [onWorker("-X"), onWorker("-x"), onWorker("-V")],
    [true, true, true],
  );
  // A small file starts no worker; a file written or colour keeps the lines on this thread.
  assert.equal(printOnWorker(json, printFormat(json, false), 1 << 20), false);
  assert.equal(printOnWorker(json, printFormat(json, true), JSON_WORKER_MIN_BYTES), false);
});
