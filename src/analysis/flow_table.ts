/**
 * The table flows are filed in: each flow one row of a typed array (its key words, one word
 * with its id and state bits, then its counters as float64s), found through a hash index of
 * row numbers (open addressing, linear probing, backward-shift deletion, as in `WordTable`).
 * A packet then finds and updates its flow in one row (64 bytes for an IPv4 flow), where an
 * object per flow cost two or three cache misses a packet (the entry, the object, and the
 * boxed number of every floating-point field written). The rows are dense, the index small
 * (4 bytes a slot, half empty), so that both stay in the cache as well as they can.
 *
 * A row keeps its offset until its flow is removed; `words` and `numbers` are replaced when
 * more rows are needed, so read them again after an `insert`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FLOW_BYTES_A_TO_B, FlowTable } from "./flow_table.ts";
 * const flows = new FlowTable(5);
 * const key = Uint32Array.of(6, 0x0a000001, 40000, 0x0a000002, 443);
 * const row = flows.insert(key, 7);
 * flows.numbers[flows.numberIndex(row) + FLOW_BYTES_A_TO_B] += 60;
 * const found = flows.find(key);
 * assert.deepEqual([flows.idAt(found), flows.numbers[flows.numberIndex(found) + FLOW_BYTES_A_TO_B]], [7, 60]);
 * ```
 * @module
 */

import { grown } from "./grown.ts";
import { hashWords } from "./word_table.ts";

/** The counters of a row, as indexes from its `numberIndex`. */
export const FLOW_FRAMES_A_TO_B = 0;
export const FLOW_BYTES_A_TO_B = 1;
export const FLOW_FRAMES_B_TO_A = 2;
export const FLOW_BYTES_B_TO_A = 3;
/** Capture time of the flow's last packet, seconds. */
export const FLOW_END = 4;
const NUMBER_FIELDS = 5;

/** The id-and-state word: the id in the low bits. */
const ID_BITS = 24;
const ID_MASK = (1 << ID_BITS) - 1;
/** The highest id a row can hold. */
export const MAX_FLOW_ID = ID_MASK;
/** State bits the owner may keep in the id-and-state word, above the id (eight of them). */
export const FLOW_STATE_MASK = ~ID_MASK >>> 0;
/** The lowest of those bits. */
export const FLOW_STATE_SHIFT = ID_BITS;

/** Flows filed by keys of a fixed number of 32-bit words. */
export class FlowTable {
  /** Words per key. */
  readonly keyWords: number;
  /** Where in a row (in words) the id-and-state word lies: just after the key. */
  readonly stateWord: number;
  /** Words per row. */
  readonly #rowWords: number;
  /** Where in a row (in words) the counters start: an even word, for float64 alignment. */
  readonly #numberStart: number;
  /** The rows as words (key, id and state). Replaced when more rows are needed. */
  words: Uint32Array;
  /** The same rows as float64s (the counters). Replaced when more rows are needed. */
  numbers: Float64Array;
  /** The hash index: each slot holds a row number plus one, or 0 when empty. */
  #slots: Int32Array;
  #mask: number;
  /** Rows given back by removed flows, and how many rows were ever used. */
  readonly #freeRows: number[] = [];
  #rowsUsed = 0;
  /** Row offset of each id's flow. */
  #rowOf = new Int32Array(1024);
  /** How many flows are filed. */
  size = 0;

  /** An empty table for keys of `keyWords` words, with `capacity` slots (a power of two). */
  constructor(keyWords: number, capacity = 1024) {
    this.keyWords = keyWords;
    this.stateWord = keyWords;
    this.#numberStart = (keyWords + 2) & ~1;
    this.#rowWords = this.#numberStart + 2 * NUMBER_FIELDS;
    this.#mask = capacity - 1;
    this.#slots = new Int32Array(capacity);
    const buffer = new ArrayBuffer((capacity / 2) * this.#rowWords * 4);
    this.words = new Uint32Array(buffer);
    this.numbers = new Float64Array(buffer);
  }

  /** Where the counters of the row at `row` start in `numbers`. */
  numberIndex(row: number): number {
    return (row + this.#numberStart) >>> 1;
  }

  /** The id of the flow in the row at `row`. */
  idAt(row: number): number {
    return this.words[row + this.stateWord] & ID_MASK;
  }

  /**
   * The row offset (in `words`) of the flow filed under the key of `keyWords` words at `at`
   * in `key`, or -1.
   */
  find(key: Uint32Array, at = 0): number {
    const words = this.words;
    const slots = this.#slots;
    const width = this.keyWords;
    const rowWords = this.#rowWords;
    const mask = this.#mask;
    for (let slot = hashWords(key, at, width) & mask;; slot = (slot + 1) & mask) {
      const entry = slots[slot];
      if (entry === 0) return -1;
      const row = (entry - 1) * rowWords;
      let same = true;
      for (let i = 0; i < width; i++) {
        if (words[row + i] !== key[at + i]) {
          same = false;
          break;
        }
      }
      if (same) return row;
    }
  }

  /**
   * Files a new flow with `id` (at most `MAX_FLOW_ID`) under `key`, which must not be filed
   * already; its counters and state start at zero. Returns its row offset.
   */
  insert(key: Uint32Array, id: number): number {
    if ((this.size + 1) * 2 > this.#slots.length) this.#growSlots();
    if (id >= this.#rowOf.length) {
      this.#rowOf = grown(this.#rowOf, Math.max(id + 1, this.#rowOf.length * 2));
    }
    const number = this.#freeRows.pop() ?? this.#newRow();
    const row = number * this.#rowWords;
    const words = this.words;
    for (let i = 0; i < this.keyWords; i++) words[row + i] = key[i];
    words[row + this.stateWord] = id;
    this.#slots[this.#freeSlot(words, row)] = number + 1;
    this.#rowOf[id] = row;
    this.size++;
    return row;
  }

  /** A row never used before, the rows grown to hold it. */
  #newRow(): number {
    const number = this.#rowsUsed++;
    if ((number + 1) * this.#rowWords > this.words.length) {
      this.words = grown(this.words, this.words.length * 2);
      this.numbers = new Float64Array(this.words.buffer);
    }
    return number;
  }

  /** The empty slot the probe run of the key at `at` in `key` ends at. */
  #freeSlot(key: Uint32Array, at: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    let slot = hashWords(key, at, this.keyWords) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    return slot;
  }

  #growSlots(): void {
    const old = this.#slots;
    this.#slots = new Int32Array(old.length * 2);
    this.#mask = old.length * 2 - 1;
    for (const entry of old) {
      if (entry !== 0) {
        this.#slots[this.#freeSlot(this.words, (entry - 1) * this.#rowWords)] = entry;
      }
    }
  }

  /** The row offset of the flow with `id`. */
  rowOf(id: number): number {
    return this.#rowOf[id];
  }

  /** Removes the flow with `id`. */
  remove(id: number): void {
    const words = this.words;
    const slots = this.#slots;
    const mask = this.#mask;
    const rowWords = this.#rowWords;
    const width = this.keyWords;
    const row = this.#rowOf[id];
    const number = row / rowWords;
    let hole = hashWords(words, row, width) & mask;
    while (slots[hole] !== number + 1) hole = (hole + 1) & mask;
    this.size--;
    // Backward shift: later slots of the probe run move into the hole; no tombstones.
    for (let next = (hole + 1) & mask;; next = (next + 1) & mask) {
      const entry = slots[next];
      if (entry === 0) break;
      const home = hashWords(words, (entry - 1) * rowWords, width) & mask;
      // Move `next` into the hole unless its home lies cyclically in (hole, next].
      const between = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (between) continue;
      slots[hole] = entry;
      hole = next;
    }
    slots[hole] = 0;
    words.fill(0, row, row + rowWords);
    this.#freeRows.push(number);
  }
}
