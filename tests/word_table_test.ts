/**
 * The table flows and hosts are filed in, against a plain `Map` as the model: any mix of
 * inserts and deletes on a key space small enough that probe runs collide, wrap around the
 * end of the table and shift back on delete.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { WordTable } from "../src/analysis/word_table.ts";

type Entry = { key: Uint32Array; id: number };

for (const width of [1, 5, 11]) {
  Deno.test(`the ${width}-word table behaves as a map under any mix of inserts and deletes`, () => {
    const op = fc.record({
      insert: fc.boolean(),
      // Keys differ in their first and last word only, from a small range.
      first: fc.integer({ min: 0, max: 40 }),
      last: fc.constantFrom(0, 443, 0xffffffff),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const table = new WordTable<Entry>(width, 4); // tiny: collisions and growth
        const model = new Map<string, Entry>();
        let id = 0;
        for (const { insert, first, last } of ops) {
          const key = new Uint32Array(width);
          key[0] = first;
          key[width - 1] = width === 1 ? first : last;
          const name = key.join(",");
          if (insert && !model.has(name)) {
            const entry = { key, id: id++ };
            table.set(entry);
            model.set(name, entry);
          } else if (!insert) {
            table.delete(key);
            model.delete(name);
          }
          if (table.size !== model.size) return false;
        }
        for (const entry of model.values()) {
          if (table.get(entry.key.slice()) !== entry) return false;
        }
        return [...table.values()].length === model.size;
      }),
      { numRuns: 200, seed: 11 },
    );
  });
}

Deno.test("a lookup reads only the key's width from where it starts, so one array can hold several keys", () => {
  const table = new WordTable<Entry>(2);
  table.set({ key: Uint32Array.of(1, 2), id: 7 });
  assert.equal(table.get(Uint32Array.of(1, 2, 99))?.id, 7);
  assert.equal(table.get(Uint32Array.of(2, 1)), undefined);
  assert.equal(table.get(Uint32Array.of(9, 1, 2), 1)?.id, 7, "a key further into the array");
  assert.equal(table.get(Uint32Array.of(1, 2, 9), 1), undefined);
});
