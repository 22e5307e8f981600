/**
 * Reading capture files through the command line: standard input, and damaged files of every
 * kind, where the good packets come first, then one line that says what is wrong and where,
 * with the documented exit status and no hang. And memory that stays flat on a big file.
 */

import assert from "node:assert/strict";
import { parsePcap } from "./pcap_file.ts";
import { type ByteSource, CaptureFileReader } from "../src/file/reader.ts";
import { decompressedSource } from "../src/file/compressed.ts";
import { random } from "../scripts/packet_builder.ts";
import { pcapRecords } from "../scripts/make_fixtures.ts";
import { LINKTYPE_ETHERNET } from "../src/decode/linktype.ts";
import { MAIN, PERMISSIONS, runNetpeek } from "./netpeek_process.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);
const read = (name: string) => Deno.readFile(new URL(name, FIXTURES));

async function withFile<T>(bytes: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(path, bytes);
    return await use(path);
  } finally {
    await Deno.remove(path);
  }
}

/** The lines netpeek prints for a file, and its stderr lines after "reading from file". */
async function readWithNetpeek(bytes: Uint8Array, args: string[] = []) {
  return await withFile(bytes, async (path) => {
    const result = await runNetpeek(["-r", path, ...args]);
    const stderr = result.stderr.trimEnd().split("\n").filter((line) =>
      !line.startsWith("reading from file ")
    );
    return { ...result, path, lines: result.stdout.split("\n").filter(Boolean), errors: stderr };
  });
}

/** Byte offsets of each record of a classic pcap file. */
function recordOffsets(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let at = 24; at + 16 <= bytes.length; at += 16 + view.getUint32(at + 8, true)) {
    offsets.push(at);
  }
  return offsets;
}

Deno.test("reads standard input with -r -", async () => {
  const bytes = await read("ipv4-cases.pcap");
  const result = await runNetpeek(["-r", "-", "--json"], { stdin: bytes });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^reading from file -, link-type EN10MB \(Ethernet\)/);
  assert.equal(result.stdout.trimEnd().split("\n").length, parsePcap(bytes).records.length);
});

Deno.test("a file cut mid-record: every whole packet, then where it was cut, exit 1", async () => {
  const bytes = await read("ipv4-cases.pcap");
  const offsets = recordOffsets(bytes);
  const result = await readWithNetpeek(bytes.subarray(0, bytes.length - 10));
  assert.equal(result.code, 1);
  assert.equal(result.lines.length, offsets.length - 1);
  assert.deepEqual(result.errors, [
    `netpeek: ${result.path}: file ends in the middle of a record at byte ` +
    `${offsets.at(-1)} (${bytes.length - 10 - offsets.at(-1)!} of ${
      bytes.length - offsets.at(-1)!
    } bytes there): the file was cut short`,
  ]);
});

Deno.test("a record claiming 4 GB is reported, not allocated", async () => {
  const bytes = (await read("ipv4-cases.pcap")).slice();
  const third = recordOffsets(bytes)[2];
  new DataView(bytes.buffer).setUint32(third + 8, 0xffffffff, true);
  const result = await readWithNetpeek(bytes);
  assert.equal(result.code, 1);
  assert.equal(result.lines.length, 2);
  assert.deepEqual(result.errors, [
    `netpeek: ${result.path}: record at byte ${third} claims 4294967295 captured bytes, more ` +
    "than 262144 (libpcap's maximum): the file is damaged",
  ]);
});

Deno.test("an empty file, random bytes and a text file: not a capture, exit 1", async () => {
  const empty = await readWithNetpeek(new Uint8Array(0));
  assert.equal(empty.code, 1);
  assert.deepEqual(empty.errors, [`netpeek: ${empty.path}: the file is empty: not a capture`]);
  let seed = 42;
  const random = Uint8Array.from(
    { length: 4096 },
    () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24,
  );
  const noise = await readWithNetpeek(random);
  assert.equal(noise.code, 1);
  assert.match(noise.errors[0], /: not a pcap or pcapng file \(it starts with [0-9a-f ]{11}\)$/);
  assert.equal(noise.errors.length, 1);
  const text = await readWithNetpeek(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  assert.equal(text.code, 1);
  assert.deepEqual(text.errors, [
    `netpeek: ${text.path}: not a pcap or pcapng file (it starts with 47 45 54 20)`,
  ]);
  assert.equal(text.stdout, "");
});

Deno.test("only a global header: a valid capture with no packets, exit 0", async () => {
  const bytes = await read("ipv4-cases.pcap");
  const result = await readWithNetpeek(bytes.subarray(0, 24));
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual([result.lines, result.errors], [[], []]);
});

Deno.test("damaged pcapng: zero-length block, cut block, huge block, unknown interface", async () => {
  const bytes = await read("comments.pcapng");
  const view = new DataView(bytes.buffer);
  // Walk the blocks to find the two packet blocks.
  const blocks: number[] = [];
  for (let at = 0; at < bytes.length; at += view.getUint32(at + 4, true)) blocks.push(at);
  const packets = blocks.filter((at) => view.getUint32(at, true) === 6);
  assert.equal(packets.length, 2);

  const zero = new Uint8Array([...bytes, 0xad, 0xde, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const zeroResult = await readWithNetpeek(zero);
  assert.equal(zeroResult.code, 1);
  assert.equal(zeroResult.lines.length, 2);
  assert.match(
    zeroResult.errors[0],
    new RegExp(`block at byte ${bytes.length} has an impossible length \\(0\\)`),
  );

  const cut = await readWithNetpeek(bytes.subarray(0, packets[1] + 20));
  assert.equal(cut.code, 1);
  assert.equal(cut.lines.length, 1);
  assert.match(
    cut.errors[0],
    new RegExp(`file ends in the middle of a block at byte ${packets[1]} `),
  );

  const huge = bytes.slice();
  new DataView(huge.buffer).setUint32(packets[1] + 4, 1 << 30, true);
  const hugeResult = await readWithNetpeek(huge);
  assert.equal(hugeResult.code, 1);
  assert.equal(hugeResult.lines.length, 1);
  assert.match(
    hugeResult.errors[0],
    new RegExp(`block at byte ${packets[1]} claims 1073741824 bytes`),
  );

  const orphan = bytes.slice();
  new DataView(orphan.buffer).setUint32(packets[0] + 8, 5, true);
  const orphanResult = await readWithNetpeek(orphan);
  assert.equal(orphanResult.code, 1);
  assert.equal(orphanResult.lines.length, 0);
  assert.match(
    orphanResult.errors[0],
    /refers to interface 5, which its section does not describe/,
  );
});

Deno.test("a missing file: one line, exit 1", async () => {
  const result = await runNetpeek(["-r", "/nonexistent/capture.pcap"]);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, "netpeek: /nonexistent/capture.pcap: no such file\n");
});

Deno.test("memory stays flat: a 256 MB file is read with a small resident set", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    // 1400-byte UDP frames, written in 4 MiB pieces.
    const frame = (await read("ipv4-cases.pcap")).subarray(24 + 16, 24 + 16 + 60);
    const record = new Uint8Array(16 + 1400);
    const view = new DataView(record.buffer);
    view.setUint32(8, 1400, true);
    view.setUint32(12, 1400, true);
    record.set(frame, 16);
    const header = (await read("ipv4-cases.pcap")).subarray(0, 24);
    using file = await Deno.open(path, { write: true, truncate: true });
    await file.write(header);
    const piece = new Uint8Array(record.length * 2900);
    for (let i = 0; i < 2900; i++) piece.set(record, i * record.length);
    let size = header.length;
    while (size < 256 * 1024 * 1024) {
      await file.write(piece);
      size += piece.length;
    }
    const records = (size - 24) / record.length;

    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...PERMISSIONS, MAIN, "-r", path, "--json"],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let peak = 0;
    const sampler = setInterval(() => {
      try {
        const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
        peak = Math.max(peak, Number(status.match(/^VmRSS:\s+(\d+) kB$/m)?.[1] ?? 0) * 1024);
      } catch {
        // the process has just ended
      }
    }, 20);
    let lines = 0;
    for await (const chunk of child.stdout) for (const byte of chunk) if (byte === 10) lines++;
    const status = await child.status;
    clearInterval(sampler);
    assert.equal(status.code, 0);
    assert.equal(lines, records);
    assert.ok(peak > 0, "no memory sample taken");
    assert.ok(peak < 150 * 1024 * 1024, `peak resident memory ${(peak / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    await Deno.remove(path);
  }
});

/** Frames of `sizes` bytes, each filled with a pattern of its own. */
function patternFrames(sizes: number[]): Uint8Array[] {
  return sizes.map((size, index) => {
    const frame = new Uint8Array(size);
    for (let i = 0; i < size; i++) frame[i] = (index * 31 + i * 7) & 0xff;
    return frame;
  });
}

/** A pcapng file: a section, one Ethernet interface, then each frame after a filler block. */
function pcapngWithFillers(frames: Uint8Array[], fillers: number[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const block = (type: number, body: Uint8Array) => {
    const length = 12 + body.length;
    const bytes = new Uint8Array(length);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, type, true);
    view.setUint32(4, length, true);
    bytes.set(body, 8);
    view.setUint32(length - 4, length, true);
    blocks.push(bytes);
  };
  const section = new DataView(new ArrayBuffer(16));
  section.setUint32(0, 0x1a2b3c4d, true);
  section.setUint16(4, 1, true);
  section.setBigInt64(8, -1n, true);
  block(0x0a0d0d0a, new Uint8Array(section.buffer));
  block(1, Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0)); // Ethernet, no snapshot length
  frames.forEach((frame, index) => {
    // An unknown block (a custom one, which readers skip) before each packet.
    block(0x00000bad, new Uint8Array(fillers[index % fillers.length]));
    const body = new Uint8Array(20 + Math.ceil(frame.length / 4) * 4);
    const view = new DataView(body.buffer);
    view.setUint32(8, index, true); // microseconds
    view.setUint32(12, frame.length, true);
    view.setUint32(16, frame.length, true);
    body.set(frame, 20);
    block(6, body);
  });
  const bytes = new Uint8Array(blocks.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of blocks) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

/** A source that hands out `bytes` in reads of the sizes `size()` picks. */
function shortReads(bytes: Uint8Array, size: () => number): ByteSource {
  let position = 0;
  return {
    read(buffer: Uint8Array): Promise<number | null> {
      if (position === bytes.length) return Promise.resolve(null);
      const count = Math.min(buffer.length, size(), bytes.length - position);
      buffer.set(bytes.subarray(position, position + count));
      position += count;
      return Promise.resolve(count);
    },
  };
}

async function framesRead(source: ByteSource): Promise<Uint8Array[]> {
  const reader = await CaptureFileReader.open(source, "test");
  const frames: Uint8Array[] = [];
  await reader.run((frame) => {
    frames.push(frame.slice());
  });
  return frames;
}

Deno.test("records cut by chunk boundaries, skipped blocks and short reads are read whole", async () => {
  const next = random(5);
  // Mostly large records (up to libpcap's 256 KiB), so that several straddle each 4 MiB
  // chunk boundary, and small ones between.
  const sizes = Array.from(
    { length: 90 },
    (_, i) => i % 3 === 2 ? 60 + Math.floor(next() * 200) : 100_000 + Math.floor(next() * 162_144),
  );
  sizes[20] = 262_144;
  const frames = patternFrames(sizes);
  const pcap = pcapRecords(
    LINKTYPE_ETHERNET,
    frames.map((frame, seconds) => ({ seconds, fraction: 0, frame })),
  );
  const offsets = recordOffsets(pcap);
  const chunk = 4 * 1024 * 1024;
  for (const boundary of [chunk, 2 * chunk]) {
    assert.ok(
      offsets.some((at, i) => at < boundary && at + 16 + sizes[i] > boundary),
      `a record straddles byte ${boundary}`,
    );
  }
  // Fillers up to 3 MiB: longer than any block is parsed, skipped across chunk boundaries.
  const pcapng = pcapngWithFillers(frames, [0, 4, 3 * 1024 * 1024 + 8, 1_000_000, 124]);
  const sources: [string, (bytes: Uint8Array) => Promise<ByteSource>][] = [
    ["a file", async (bytes) => {
      const path = await Deno.makeTempFile();
      await Deno.writeFile(path, bytes);
      const file = await Deno.open(path);
      await Deno.remove(path); // still readable while open
      return file;
    }],
    ["reads of up to 64 KiB", (bytes) => {
      const pick = random(9);
      return Promise.resolve(shortReads(bytes, () => 1 + Math.floor(pick() * 65536)));
    }],
    ["reads of up to 4 KiB", (bytes) => {
      const pick = random(10);
      return Promise.resolve(shortReads(bytes, () => 1 + Math.floor(pick() * 4096)));
    }],
  ];
  for (const [format, bytes] of [["pcap", pcap], ["pcapng", pcapng]] as const) {
    for (const [how, open] of sources) {
      const source = await open(bytes);
      try {
        const read = await framesRead(source);
        assert.equal(read.length, frames.length, `${format}, ${how}`);
        read.forEach((frame, i) => assert.deepEqual(frame, frames[i], `${format}, ${how}: ${i}`));
      } finally {
        if (source instanceof Deno.FsFile) source.close();
      }
    }
  }
});

Deno.test("a regular file is read from its start in page-aligned reads, its magic looked at first", async () => {
  // decompressedSource looks at the first bytes for a compressor's magic. Reading on from
  // there put every later read 6 bytes past a page boundary, which made the kernel's copies
  // three times as costly (see decompressedSource): a file is put back at its start instead.
  const sizes = Array.from({ length: 60 }, (_, i) => 150_000 + i * 1_000);
  const frames = patternFrames(sizes);
  const pcap = pcapRecords(
    LINKTYPE_ETHERNET,
    frames.map((frame, seconds) => ({ seconds, fraction: 0, frame })),
  );
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(path, pcap);
    for (const rewinds of [true, false]) {
      const file = await Deno.open(path);
      try {
        const positions: number[] = [];
        const watched: ByteSource = {
          read: async (buffer) => {
            const at = await file.seek(0, Deno.SeekMode.Current);
            const count = await file.read(buffer);
            if (count !== null) positions.push(at); // the read at the end returns nothing
            return count;
          },
        };
        const source = await decompressedSource(
          watched,
          rewinds ? () => file.seek(0, Deno.SeekMode.Start) : undefined,
        );
        const read = await framesRead(source);
        assert.equal(read.length, frames.length);
        read.forEach((frame, i) => assert.deepEqual(frame, frames[i], `frame ${i}`));
        // The peek, then at least three reads of the 10 MiB file.
        assert.ok(positions.length >= 4, `${positions.length} reads`);
        const offPage = positions.slice(1).filter((at) => at % 4096 !== 0);
        // Without the rewind, the same reads start 6 bytes past a page: the check can fail.
        if (rewinds) assert.deepEqual(offPage, [], `reads at ${positions}`);
        else assert.equal(offPage[0], 6);
      } finally {
        file.close();
      }
    }
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("runRanges: records stay where they are until onChunkEnd", async () => {
  // A source that fills the buffer the moment it is asked to: were a buffer read into again
  // before onChunkEnd, the records held from it would be overwritten at once.
  const sizes = Array.from({ length: 40_000 }, (_, i) => 60 + (i * 37) % 1400);
  const pcap = pcapRecords(
    LINKTYPE_ETHERNET,
    patternFrames(sizes).map((frame, seconds) => ({ seconds, fraction: 0, frame })),
  );
  let position = 0;
  const source: ByteSource = {
    read(buffer) {
      const count = Math.min(buffer.length, pcap.length - position);
      buffer.set(pcap.subarray(position, position + count));
      position += count;
      return Promise.resolve(count === 0 ? null : count);
    },
  };
  const reader = await CaptureFileReader.open(source, "memory");
  let held: [Uint8Array, number, Uint8Array][] = [];
  let chunkEnds = 0;
  let records = 0;
  await reader.runRanges((bytes, offset, header) => {
    held.push([bytes, offset, bytes.slice(offset, offset + header.caplen)]);
    records++;
  }, () => {
    for (const [bytes, offset, copy] of held) {
      assert.deepEqual(bytes.subarray(offset, offset + copy.length), copy);
    }
    held = [];
    chunkEnds++;
  });
  assert.equal(records, sizes.length);
  assert.ok(chunkEnds >= pcap.length / (4 << 20), `${chunkEnds} chunk ends`);
});
