/**
 * The table flows are filed in. Like `WordTable` (open addressing, linear probing,
 * backward-shift deletion), but each slot holds the flow's row itself: its key words, one word
 * with the flow's id and state bits, then its counters as float64s, all in one `ArrayBuffer`.
 * A packet then finds and updates its flow in one place (64 bytes for an IPv4 flow: one cache
 * line, mostly), where an object per flow cost two or three cache misses a packet (the entry,
 * the object, and the boxed number of every floating-point field written).
 *
 * Rows move when the table grows and when a deletion shifts a probe run back, so a row offset
 * is valid only until the next `insert` or `remove`; `rowOf(id)` follows a flow across moves.
 *
 * @example
 * ```ts
 * import { FLOW_BYTES_A_TO_B, FlowTable } from "./flow_table.ts";
 * const flows = new FlowTable(5);
 * const key = Uint32Array.of(6, 0x0a000001, 40000, 0x0a000002, 443);
 * const row = flows.insert(key, 7);
 * flows.numbers[flows.numberIndex(row) + FLOW_BYTES_A_TO_B] += 60;
 * const found = flows.find(key);
 * console.log(flows.idAt(found), flows.numbers[flows.numberIndex(found) + FLOW_BYTES_A_TO_B]); // 7 60
 * ```
 * @module
 */

import { hashWords } from "./word_table.ts";

/** The counters of a row, as indexes from its `numberIndex`. */
export const FLOW_FRAMES_A_TO_B = 0;
export const FLOW_BYTES_A_TO_B = 1;
export const FLOW_FRAMES_B_TO_A = 2;
export const FLOW_BYTES_B_TO_A = 3;
/** Capture time of the flow's last packet, seconds. */
export const FLOW_END = 4;
const NUMBER_FIELDS = 5;

/** The id-and-state word: the id (plus one, so that 0 marks an empty slot) in the low bits. */
const ID_BITS = 24;
const ID_MASK = (1 << ID_BITS) - 1;
/** The highest id a row can hold. */
export const MAX_FLOW_ID = ID_MASK - 1;
/** State bits the owner may keep in the id-and-state word, above the id. */
export const FLOW_STATE_MASK = ~ID_MASK >>> 0;

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
  /** The rows as words (key, id and state). Replaced when the table grows. */
  words: Uint32Array;
  /** The same rows as float64s (the counters). Replaced when the table grows. */
  numbers: Float64Array;
  #mask: number;
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
    const buffer = new ArrayBuffer(capacity * this.#rowWords * 4);
    this.words = new Uint32Array(buffer);
    this.numbers = new Float64Array(buffer);
  }

  /** Where the counters of the row at `row` start in `numbers`. */
  numberIndex(row: number): number {
    return (row + this.#numberStart) >>> 1;
  }

  /** The id of the flow in the row at `row`. */
  idAt(row: number): number {
    return (this.words[row + this.stateWord] & ID_MASK) - 1;
  }

  /**
   * The row offset (in `words`) of the flow filed under the key of `keyWords` words at `at`
   * in `key`, or -1.
   */
  find(key: Uint32Array, at = 0): number {
    const words = this.words;
    const width = this.keyWords;
    const rowWords = this.#rowWords;
    const mask = this.#mask;
    for (let slot = hashWords(key, at, width) & mask;; slot = (slot + 1) & mask) {
      const row = slot * rowWords;
      if (words[row + width] === 0) return -1;
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
    if ((this.size + 1) * 2 > this.#mask + 1) this.#grow();
    if (id >= this.#rowOf.length) {
      const rowOf = new Int32Array(Math.max(id + 1, this.#rowOf.length * 2));
      rowOf.set(this.#rowOf);
      this.#rowOf = rowOf;
    }
    const row = this.#freeRow(key, 0);
    const words = this.words;
    for (let i = 0; i < this.keyWords; i++) words[row + i] = key[i];
    words[row + this.stateWord] = id + 1;
    this.#rowOf[id] = row;
    this.size++;
    return row;
  }

  /** The empty row a key's probe run ends at. */
  #freeRow(key: Uint32Array, at: number): number {
    const words = this.words;
    const mask = this.#mask;
    let slot = hashWords(key, at, this.keyWords) & mask;
    while (words[slot * this.#rowWords + this.stateWord] !== 0) slot = (slot + 1) & mask;
    return slot * this.#rowWords;
  }

  #grow(): void {
    const old = this.words;
    const rowWords = this.#rowWords;
    const capacity = (this.#mask + 1) * 2;
    const buffer = new ArrayBuffer(capacity * rowWords * 4);
    this.words = new Uint32Array(buffer);
    this.numbers = new Float64Array(buffer);
    this.#mask = capacity - 1;
    const words = this.words;
    for (let from = 0; from < old.length; from += rowWords) {
      const state = old[from + this.stateWord];
      if (state === 0) continue;
      const row = this.#freeRow(old, from);
      for (let i = 0; i < rowWords; i++) words[row + i] = old[from + i]; // no view per row
      this.#rowOf[(state & ID_MASK) - 1] = row;
    }
  }

  /** The row offset of the flow with `id` (valid until the next insert or removal). */
  rowOf(id: number): number {
    return this.#rowOf[id];
  }

  /** Removes the flow with `id`. */
  remove(id: number): void {
    const words = this.words;
    const mask = this.#mask;
    const rowWords = this.#rowWords;
    const width = this.keyWords;
    let hole = this.#rowOf[id] / rowWords;
    this.size--;
    // Backward shift: later rows of the probe run move into the hole; no tombstones.
    for (let next = (hole + 1) & mask;; next = (next + 1) & mask) {
      const state = words[next * rowWords + width];
      if (state === 0) break;
      const home = hashWords(words, next * rowWords, width) & mask;
      // Move `next` into the hole unless its home lies cyclically in (hole, next].
      const between = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (between) continue;
      words.copyWithin(hole * rowWords, next * rowWords, next * rowWords + rowWords);
      this.#rowOf[(state & ID_MASK) - 1] = hole * rowWords;
      hole = next;
    }
    words.fill(0, hole * rowWords, hole * rowWords + rowWords);
  }
}
