/**
 * The live view's packet store against a plain list: whatever the frame sizes, the packets it
 * still has are the newest ones, numbered in order, each with the bytes and header it was
 * given, and those it let go are counted; the filter shows what `-Y` would.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { NumberList, PacketStore } from "../src/tui/packet_store.ts";
import { addFrame } from "./tui_frames.ts";

Deno.test("packet store: the newest packets, intact and in order, the rest counted", () => {
  let wrapped = 0;
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 20, max: 70_000 }), { minLength: 40, maxLength: 120 }),
      (lengths) => {
        const store = new PacketStore(1 << 20); // the smallest ring: 1 MiB
        const given: Uint8Array[] = [];
        for (const [i, length] of lengths.entries()) {
          given.push(addFrame(store, i, length));
        }
        assert.equal(store.count, lengths.length);
        const kept = given.map((_, i) => store.packet(i + 1)).filter((p) => p !== undefined);
        assert.equal(kept.length + store.evicted, lengths.length);
        if (store.evicted > 0) wrapped++;
        // The newest, contiguous, up to the last.
        kept.forEach((packet, i) => {
          const number = store.evicted + i + 1;
          assert.equal(packet.number, number);
          assert.deepEqual(packet.bytes, given[number - 1]);
          assert.equal(packet.header.seconds, number - 1);
        });
        assert.deepEqual(store.shown.toArray(), kept.map((packet) => packet.number));
        store.setFilter("ip.ttl == 64");
        assert.deepEqual(
          store.shown.toArray(),
          kept.map((p) => p.number).filter((n) => n % 2 === 1),
        );
      },
    ),
    { numRuns: 200 },
  );
  assert.ok(wrapped > 20, `the ring filled in only ${wrapped} runs`);
});

Deno.test("NumberList: removeRange lets go of the numbers in the range, wherever they are", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 1, max: 5000 }), { maxLength: 3000, size: "medium" }),
      fc.integer({ min: 0, max: 200 }),
      fc.integer({ min: 0, max: 5001 }),
      fc.integer({ min: 0, max: 800 }),
      (values, shifts, from, width) => {
        const numbers = [...values].sort((a, b) => a - b);
        const list = new NumberList();
        for (const number of numbers) list.push(number);
        for (let i = 0; i < shifts; i++) list.shift();
        list.removeRange(from, from + width);
        const expected = numbers.slice(shifts).filter((n) => n < from || n >= from + width);
        assert.deepEqual(list.toArray(), expected);
        list.push(6000);
        assert.equal(list.at(list.length - 1), 6000);
      },
    ),
  );
});
