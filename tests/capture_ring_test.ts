/**
 * The capture ring (src/ffi/capture_ring.ts) against a plain queue: whatever the frame sizes
 * and however puts and takes interleave, the consumer gets every frame put, in order, with
 * its bytes and header intact; a put is refused only when the frames waiting leave no room
 * for it; and once the consumer has taken everything, any frame that fits the ring goes in.
 * Then the two ends on two threads at once.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { CaptureRing } from "../src/ffi/capture_ring.ts";

/** A frame whose bytes say which frame it is and where in it each byte lies. */
function frameBytes(index: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length + 8);
  for (let i = 0; i < length; i++) bytes[8 + i] = (index * 31 + i) & 0xff;
  return bytes;
}

Deno.test("capture ring: frames come out as they went in, in order, under any interleaving", () => {
  // Guards against a vacuous pass: the runs must fill the ring and wrap around it.
  let refused = 0;
  let wrapped = 0;
  fc.assert(
    fc.property(
      // Sizes and lengths that often fit exactly (records of 32, 64, 128 and 256 bytes).
      fc.oneof(fc.constantFrom(256, 512, 1024), fc.integer({ min: 256, max: 4096 })),
      fc.array(
        fc.tuple(
          fc.constantFrom("put", "put", "take", "take", "touch"),
          fc.oneof(fc.constantFrom(8, 40, 104, 232), fc.integer({ min: 0, max: 2000 })),
        ),
        { minLength: 50, maxLength: 400 },
      ),
      (size, steps) => {
        const ring = CaptureRing.allocate(size);
        const producer = ring.producer();
        const consumer = ring.consumer();
        const queue: { index: number; caplen: number }[] = [];
        let index = 0;
        const take = () => {
          const at = consumer.next();
          const expected = queue.shift();
          if (expected === undefined) {
            assert.equal(at, -1);
            return;
          }
          const header = consumer.header;
          assert.equal(header.caplen, expected.caplen);
          assert.equal(header.len, expected.caplen + 4);
          assert.equal(header.seconds, 0x1_0000_0000 + expected.index);
          assert.equal(header.fraction, expected.index * 7);
          const want = frameBytes(expected.index, expected.caplen).subarray(8);
          assert.deepEqual(consumer.bytes.subarray(at, at + header.caplen), want);
          consumer.release();
        };
        for (const [step, length] of steps) {
          if (step === "take") {
            take();
            continue;
          }
          if (step === "touch") {
            // Touching pages ahead never disturbs a frame waiting (checked as they are taken).
            producer.touchAhead(length, 64);
            continue;
          }
          const caplen = Math.min(length, ring.largestFrame);
          const header = {
            seconds: 0x1_0000_0000 + index,
            fraction: index * 7,
            nanosecond: false,
            caplen,
            len: caplen + 4,
          };
          const waitingBefore = ring.waiting;
          const writeBefore = producer.position;
          if (producer.put(frameBytes(index, caplen), 8, header)) {
            if (producer.position < writeBefore) wrapped++;
            queue.push({ index, caplen });
            index++;
          } else {
            refused++;
            // Refused only with frames waiting: an empty ring takes any frame that fits.
            assert.ok(waitingBefore > 0, "an empty ring refused a frame");
            // (The most a refusal leaves free: the space before the wrap mark, once the
            // producer starts again at 0, and it does so only `restartAfter` in.)
            assert.ok(
              ring.waitingBytes + ((24 + caplen + 7) & ~7) >= ring.restartAfter,
              "refused with room to spare",
            );
          }
          assert.equal(ring.waiting, queue.length);
          assert.equal(
            ring.waitingBytes,
            queue.reduce((sum, frame) => sum + ((24 + frame.caplen + 7) & ~7), 0),
          );
        }
        while (queue.length > 0) take();
        take();
      },
    ),
    { numRuns: 1000 },
  );
  assert.ok(refused > 100 && wrapped > 100, `refused ${refused}, wrapped ${wrapped}`);
});

Deno.test("capture ring: a producer on another thread and this one consuming agree", async () => {
  const ring = CaptureRing.allocate(64 * 1024);
  const frames = 20_000;
  const worker = new Worker(
    new URL("./fixtures/ring_producer.ts", import.meta.url),
    { type: "module" },
  );
  const done = new Promise<void>((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(event.message));
    };
  });
  worker.postMessage({ buffers: ring.buffers, frames });
  const consumer = ring.consumer();
  let taken = 0;
  let bytesSeen = 0;
  const deadline = Date.now() + 30_000;
  while (taken < frames && Date.now() < deadline) {
    const at = consumer.next();
    if (at < 0) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      continue;
    }
    const header = consumer.header;
    assert.equal(header.seconds, taken);
    assert.equal(header.caplen, taken % 1500);
    // Every byte of frame N is N's low byte: a frame overwritten before it was taken shows.
    const bytes = consumer.bytes.subarray(at, at + header.caplen);
    assert.ok(bytes.every((byte) => byte === (taken & 0xff)), `frame ${taken} corrupted`);
    bytesSeen += header.caplen;
    consumer.release();
    taken++;
  }
  await done;
  worker.terminate();
  assert.equal(taken, frames);
  assert.ok(bytesSeen > 64 * 1024 * 10, "the ring wrapped many times");
});
