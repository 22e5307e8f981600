/**
 * The live view's spill: the packets its ring lets go are written on to temporary pcap files
 * up to a budget on disk, and read back whole. Against a plain list, whatever the frame sizes:
 * every packet from the oldest kept on is there, intact, in order, numbered as it came; those
 * let go are the oldest, counted; the disk stays within the budget. On a real capture, a filter
 * over packets partly on disk shows what it shows over the same packets all in memory, and `w`
 * writes them all to a file tshark reads back.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { PacketStore } from "../src/tui/packet_store.ts";
import { addFrame } from "./tui_frames.ts";
import { SelectionWriter, writeSelection } from "../src/tui/write_selection.ts";
import { CaptureFileReader } from "../src/file/reader.ts";
import type { FrameHeader } from "../src/frame.ts";

const MIB = 1 << 20;

Deno.test("spill: every packet from the oldest kept on, intact; the oldest let go; disk bounded", () => {
  let spilledRuns = 0;
  let letGoRuns = 0;
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 20, max: 70_000 }), {
        minLength: 500,
        maxLength: 900,
        size: "max",
      }),
      fc.constantFrom(8 * MIB, 16 * MIB),
      (lengths, spillBudget) => {
        const store = new PacketStore(MIB, undefined, spillBudget); // the smallest ring
        const given: Uint8Array[] = [];
        let diskPeak = 0;
        for (const [i, length] of lengths.entries()) {
          given.push(addFrame(store, i, length));
          diskPeak = Math.max(diskPeak, store.spillBytes);
        }
        const first = store.firstKept;
        assert.equal(store.evicted, first - 1);
        assert.ok(diskPeak <= spillBudget, `${diskPeak} bytes on disk, budget ${spillBudget}`);
        for (let number = 1; number <= store.count; number++) {
          const stored = store.packet(number);
          if (number < first) {
            assert.equal(stored, undefined, `packet ${number} was let go`);
            continue;
          }
          assert.ok(stored !== undefined, `packet ${number} of ${store.count}, first ${first}`);
          assert.deepEqual(stored.bytes, given[number - 1], `packet ${number}'s bytes`);
          assert.deepEqual(
            [stored.header.seconds, stored.header.fraction, stored.header.len, stored.linkType],
            [number - 1, 7, lengths[number - 1], 101],
          );
        }
        assert.deepEqual(
          store.shown.toArray(),
          Array.from({ length: store.count - first + 1 }, (_, i) => first + i),
        );
        // The oldest go first: everything after the first kept is kept, so the spill held the
        // budget's worth (less a file's) before letting any go.
        if (store.evicted > 0) {
          letGoRuns++;
          const kept = given.slice(first - 1).reduce((sum, bytes) => sum + bytes.length, 0);
          assert.ok(kept > spillBudget / 2, `only ${kept} bytes kept`);
        }
        if (store.spilled > 0) spilledRuns++;
        store.close();
      },
    ),
    { numRuns: 40 },
  );
  assert.ok(spilledRuns > 10 && letGoRuns > 3, `${spilledRuns} spilled, ${letGoRuns} let go`);
});

Deno.test("spill: paused while the view is behind, packets go, and the rest stay exact", () => {
  let gapRuns = 0;
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 20, max: 70_000 }), fc.boolean()), {
        minLength: 300,
        maxLength: 700,
        size: "max",
      }),
      fc.integer({ min: 0, max: 3 }),
      (packets, pauseEvery) => {
        const store = new PacketStore(MIB, undefined, 16 * MIB);
        const given: Uint8Array[] = [];
        for (const [i, [length, pause]] of packets.entries()) {
          // Pauses come in runs (a view behind stays behind a while), of varying lengths.
          if (i % 25 === 0) store.spillPaused = pause && i % (pauseEvery + 2) === 0;
          given.push(addFrame(store, i, length));
        }
        const kept: number[] = [];
        for (let number = 1; number <= store.count; number++) {
          const stored = store.packet(number);
          if (stored === undefined) continue;
          assert.deepEqual(stored.bytes, given[number - 1], `packet ${number}'s bytes`);
          assert.equal(stored.header.seconds, number - 1);
          kept.push(number);
        }
        // What is listed is exactly what can be read back, and the rest is counted as let go.
        assert.deepEqual(store.shown.toArray(), kept);
        assert.equal(store.evicted, store.count - kept.length);
        assert.equal(kept.at(-1), store.count);
        // A filter reads the packets on disk back past the gaps (odd packets have TTL 64).
        store.setFilter("ip.ttl == 64");
        assert.deepEqual(store.shown.toArray(), kept.filter((number) => number % 2 === 1));
        if (kept.some((number, i) => i > 0 && number !== kept[i - 1] + 1)) gapRuns++;
        store.close();
      },
    ),
    { numRuns: 40 },
  );
  assert.ok(gapRuns > 5, `only ${gapRuns} runs let packets go between packets kept`);
});

Deno.test("spill: a filter and `w` over packets on disk, as over the same in memory", async () => {
  const path = new URL("./fixtures/tcp-real.pcap", import.meta.url).pathname;
  const frames: { bytes: Uint8Array; header: FrameHeader; linkType: number }[] = [];
  const reader = await CaptureFileReader.open(await Deno.open(path), path);
  await reader.runRanges((bytes, offset, header) => {
    const copy = bytes.slice(offset, offset + header.caplen);
    frames.push({ bytes: copy, header: { ...header }, linkType: header.linkType });
  });
  const spilling = new PacketStore(MIB, undefined, 64 * MIB);
  const inMemory = new PacketStore(64 * MIB);
  const rounds = Math.ceil((4 * MIB) / frames.reduce((sum, f) => sum + f.bytes.length, 0));
  for (let round = 0; round < rounds; round++) {
    for (const { bytes, header, linkType } of frames) {
      spilling.add(bytes, 0, header, linkType);
      inMemory.add(bytes, 0, header, linkType);
    }
  }
  assert.ok(spilling.spilled > spilling.count / 2, `${spilling.spilled} of ${spilling.count}`);
  assert.equal(spilling.evicted, 0);
  for (const filter of ["tcp.flags.syn == 1", "tcp.len > 1000", "ip.src == 10.254.9.1", ""]) {
    spilling.setFilter(filter);
    inMemory.setFilter(filter);
    assert.ok(inMemory.shown.length > 0, filter);
    assert.deepEqual(spilling.shown.toArray(), inMemory.shown.toArray(), filter);
  }
  // `w` with every packet shown: tshark reads back as many, and the last is the capture's last.
  const written = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    assert.match(writeSelection(spilling, written), new RegExp(`^${spilling.count} packets`));
    const count = new TextDecoder().decode(
      (await new Deno.Command("tshark", {
        args: ["-r", written, "-T", "fields", "-e", "frame.len"],
        stdout: "piped",
        stderr: "null",
      }).output()).stdout,
    ).trim().split("\n");
    assert.equal(count.length, spilling.count);
    assert.deepEqual(
      count.slice(0, frames.length).map(Number),
      frames.map((f) => f.header.len),
    );
  } finally {
    await Deno.remove(written);
    spilling.close();
  }
});

Deno.test("a new filter caught up a step at a time, packets coming meanwhile, shows what one run shows", () => {
  let steppedRuns = 0;
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 20, max: 4_000 }), {
        minLength: 800,
        maxLength: 1500,
        size: "max",
      }),
      fc.integer({ min: 300, max: 700 }),
      fc.boolean(),
      (lengths, filterAt, paused) => {
        const store = new PacketStore(MIB, undefined, 8 * MIB);
        let steps = 0;
        for (const [i, length] of lengths.entries()) {
          if (i === filterAt) store.startFilter("ip.ttl == 64");
          // The view's frames: a step of the filter now and then (0 ms: 64 packets a step).
          if (i > filterAt && i % 7 === 0 && store.refilter(0)) steps++;
          if (i % 50 === 0) store.spillPaused = paused && i % 100 === 0;
          addFrame(store, i, length);
        }
        while (store.refilter(0)) steps++;
        assert.equal(store.filterProgress, 1);
        const stepped = store.shown.toArray();
        store.setFilter("ip.ttl == 64"); // the reference: one run over the packets kept
        assert.deepEqual(stepped, store.shown.toArray());
        assert.ok(
          stepped.every((number) => number % 2 === 1 && store.packet(number) !== undefined),
        );
        if (steps > 1) steppedRuns++;
        store.close();
      },
    ),
    { numRuns: 30 },
  );
  assert.ok(steppedRuns > 10, `only ${steppedRuns} runs took more than one step`);
});

Deno.test("w a step at a time: packets let go meanwhile are passed over and counted", async () => {
  const store = new PacketStore(MIB); // no spill: what the ring lets go is gone
  for (let i = 0; i < 200; i++) addFrame(store, i, 2_000);
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    const writer = SelectionWriter.start(store, path);
    assert.ok(typeof writer !== "string", String(writer));
    let steps = 0;
    // 64 packets a step (0 ms), and after each 40 more 20 kB packets: the ring (1 MiB) lets
    // the oldest go before they are written.
    for (let i = 200; writer.step(0); steps++) {
      for (const end = i + 40; i < end; i++) addFrame(store, i, 20_000);
    }
    const written = Number(writer.message.match(/^(\d+) packets written/)?.[1]);
    assert.ok(steps >= 1 && written > 0 && written < 200, `${steps} steps: ${writer.message}`);
    assert.match(
      writer.message,
      new RegExp(`\\(${200 - written} let go before they were written\\)$`),
    );
    const lines = new TextDecoder().decode(
      (await new Deno.Command("tshark", {
        args: ["-r", path, "-T", "fields", "-e", "frame.len"],
        stdout: "piped",
        stderr: "null",
      }).output()).stdout,
    ).trim().split("\n");
    assert.equal(lines.length, written);
    assert.ok(lines.every((length) => length === "2000"));
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("spill: a view behind for long, every packet let go, holds no more entries than files would", () => {
  const budget = 8 * MIB;
  const store = new PacketStore(MIB, undefined, budget);
  store.spillPaused = true;
  // 60-byte frames, the smallest a file holds: two files of 4 MiB answer for 2 × 55,188 of them.
  const bound = 2 * Math.floor(budget / 2 / (16 + 60));
  let highest = 0;
  for (let i = 0; i < 3 * bound; i++) {
    addFrame(store, i, 60);
    highest = Math.max(highest, store.spillEntries);
  }
  assert.ok(highest > bound / 2 && highest <= bound, `${highest} entries, bound ${bound}`);
  assert.equal(store.spilled, 0);
  assert.equal(store.evicted + store.shown.length, store.count);
  store.close();
});
