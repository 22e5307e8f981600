/**
 * The table flows are kept in, against a plain `Map` as the model: any mix of inserts and
 * removals on a key space small enough that probe runs collide, wrap around the end of the
 * index, grow it and shift back on removal, while rows are reused and grown; every flow's
 * counters and state must stay in its row, and `rowOf` must find it.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  FLOW_BYTES_B_TO_A,
  FLOW_END,
  FLOW_STATE_MASK,
  FlowTable,
  MAX_FLOW_ID,
} from "../src/analysis/flow_table.ts";

interface Model {
  key: Uint32Array;
  bytes: number;
  end: number;
  state: number;
}

for (const width of [5, 11]) {
  Deno.test(`the ${width}-word flow table behaves as a map under any mix of inserts and removals`, () => {
    const op = fc.record({
      insert: fc.boolean(),
      // Keys differ in their first and last word only, from a small range.
      first: fc.integer({ min: 0, max: 40 }),
      last: fc.constantFrom(0, 443, 0xffffffff),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const table = new FlowTable(width, 4); // tiny: collisions and growth
        const model = new Map<number, Model>(); // by id
        const idOf = new Map<string, number>();
        const freeIds: number[] = [];
        let nextId = 0;
        let step = 0;
        for (const { insert, first, last } of ops) {
          step++;
          const key = new Uint32Array(width);
          key[0] = first;
          key[width - 1] = last;
          const name = key.join(",");
          const known = idOf.get(name);
          if (insert && known === undefined) {
            const id = freeIds.pop() ?? nextId++;
            const row = table.insert(key, id);
            const numbers = table.numberIndex(row);
            table.numbers[numbers + FLOW_BYTES_B_TO_A] = step * 100;
            table.numbers[numbers + FLOW_END] = step + 0.5;
            const state = (step % 4) << 28;
            table.words[row + table.stateWord] |= state;
            model.set(id, { key, bytes: step * 100, end: step + 0.5, state });
            idOf.set(name, id);
          } else if (!insert && known !== undefined) {
            table.remove(known);
            model.delete(known);
            idOf.delete(name);
            freeIds.push(known);
          }
          if (table.size !== model.size) return false;
        }
        for (const [id, flow] of model) {
          const row = table.find(flow.key.slice());
          if (row < 0 || row !== table.rowOf(id) || table.idAt(row) !== id) return false;
          const numbers = table.numberIndex(row);
          if (table.numbers[numbers + FLOW_BYTES_B_TO_A] !== flow.bytes) return false;
          if (table.numbers[numbers + FLOW_END] !== flow.end) return false;
          if ((table.words[row + table.stateWord] & FLOW_STATE_MASK) >>> 0 !== flow.state) {
            return false;
          }
        }
        for (const name of ["41,0", "41,443"]) {
          const key = new Uint32Array(width);
          [key[0], key[width - 1]] = name.split(",").map(Number);
          if (table.find(key) !== -1) return false;
        }
        return true;
      }),
      { numRuns: 200, seed: 12 },
    );
  });
}

Deno.test("a lookup reads only the key's width from where it starts", () => {
  const table = new FlowTable(5);
  table.insert(Uint32Array.of(6, 1, 2, 3, 4), 9);
  assert.equal(table.idAt(table.find(Uint32Array.of(6, 1, 2, 3, 4, 99))), 9);
  assert.equal(table.idAt(table.find(Uint32Array.of(0, 6, 1, 2, 3, 4), 1)), 9);
  assert.equal(table.find(Uint32Array.of(6, 1, 2, 3, 5)), -1);
});

Deno.test("the highest id fits beside the state bits", () => {
  const table = new FlowTable(5);
  const row = table.insert(Uint32Array.of(17, 1, 2, 3, 4), MAX_FLOW_ID);
  table.words[row + table.stateWord] |= FLOW_STATE_MASK & (1 << 29);
  assert.equal(table.idAt(table.find(Uint32Array.of(17, 1, 2, 3, 4))), MAX_FLOW_ID);
});
