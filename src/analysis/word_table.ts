/**
 * A hash table keyed by fixed-width tuples of 32-bit words: flows by protocol and endpoints,
 * hosts by address. Keys live in one `Uint32Array` (open addressing, linear probing,
 * backward-shift deletion), so a lookup with a reused key array hashes and allocates nothing:
 * no string is built per packet, for IPv4 or IPv6.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WordTable } from "./word_table.ts";
 * const hosts = new WordTable<{ key: Uint32Array; frames: number }>(1);
 * const key = Uint32Array.of(0xc0000201);
 * hosts.set({ key: key.slice(), frames: 1 });
 * assert.deepEqual(hosts.get(key)?.frames, 1);
 * ```
 * @module
 */

/**
 * A 32-bit hash of `count` words at `at` in `words`: murmur3's mixing over the words, then its
 * finaliser, so that keys differing in one bit of one word land far apart.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashWords } from "./word_table.ts";
 * assert.deepEqual(hashWords(Uint32Array.of(1, 2), 0, 2) === hashWords(Uint32Array.of(9, 1, 2), 1, 2), true);
 * ```
 */
export function hashWords(words: Uint32Array, at: number, count: number): number {
  let hash = count;
  for (let i = 0; i < count; i++) {
    let word = Math.imul(words[at + i], 0xcc9e2d51);
    word = Math.imul((word << 15) | (word >>> 17), 0x1b873593);
    hash ^= word;
    hash = (Math.imul((hash << 13) | (hash >>> 19), 5) + 0xe6546b64) | 0;
  }
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}

/** The table; each entry carries its own key (`width` words), filed by it. */
export class WordTable<T extends { readonly key: Uint32Array }> {
  /** Words per key. */
  readonly width: number;
  #keys: Uint32Array;
  #entries: (T | undefined)[];
  #mask: number;
  /** How many entries are filed. */
  size = 0;

  /** An empty table for keys of `width` words, with `capacity` slots (a power of two). */
  constructor(width: number, capacity = 1024) {
    this.width = width;
    this.#keys = new Uint32Array(capacity * width);
    this.#entries = new Array(capacity);
    this.#mask = capacity - 1;
  }

  /** The slot a key starts probing at. */
  #home(key: Uint32Array, at: number): number {
    return hashWords(key, at, this.width) & this.#mask;
  }

  /** Whether slot `slot` holds the key of `width` words at `at` in `key`. */
  #holds(slot: number, key: Uint32Array, at: number): boolean {
    const keys = this.#keys;
    const width = this.width;
    const start = slot * width;
    for (let i = 0; i < width; i++) if (keys[start + i] !== key[at + i]) return false;
    return true;
  }

  /**
   * The entry filed under the key of `width` words at `at` in `key` (so one array can hold
   * several keys), if any.
   */
  get(key: Uint32Array, at = 0): T | undefined {
    const entries = this.#entries;
    const mask = this.#mask;
    for (let slot = this.#home(key, at);; slot = (slot + 1) & mask) {
      const entry = entries[slot];
      if (entry === undefined || this.#holds(slot, key, at)) return entry;
    }
  }

  /** Files an entry under its own key, which must not be filed already. */
  set(entry: T): void {
    if ((this.size + 1) * 2 > this.#entries.length) this.#grow();
    this.#insert(entry);
    this.size++;
  }

  #insert(entry: T): void {
    const mask = this.#mask;
    let slot = this.#home(entry.key, 0);
    while (this.#entries[slot] !== undefined) slot = (slot + 1) & mask;
    this.#keys.set(entry.key.subarray(0, this.width), slot * this.width);
    this.#entries[slot] = entry;
  }

  #grow(): void {
    const entries = this.#entries;
    const capacity = entries.length * 2;
    this.#keys = new Uint32Array(capacity * this.width);
    this.#entries = new Array(capacity);
    this.#mask = capacity - 1;
    for (const entry of entries) if (entry !== undefined) this.#insert(entry);
  }

  /** Removes the entry filed under `key`, if any. */
  delete(key: Uint32Array): void {
    const entries = this.#entries;
    const mask = this.#mask;
    const width = this.width;
    const keys = this.#keys;
    let slot = this.#home(key, 0);
    for (;; slot = (slot + 1) & mask) {
      if (entries[slot] === undefined) return;
      if (this.#holds(slot, key, 0)) break;
    }
    this.size--;
    // Backward shift: later entries of the probe run move into the hole; no tombstones.
    for (let hole = slot, next = (slot + 1) & mask;; next = (next + 1) & mask) {
      const entry = entries[next];
      if (entry === undefined) {
        entries[hole] = undefined;
        return;
      }
      const home = this.#home(keys, next * width);
      // Move `next` into the hole unless its home lies cyclically in (hole, next].
      const between = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (between) continue;
      keys.copyWithin(hole * width, next * width, next * width + width);
      entries[hole] = entry;
      hole = next;
    }
  }

  /** Every entry filed, in no particular order. */
  *values(): Generator<T> {
    for (const entry of this.#entries) if (entry !== undefined) yield entry;
  }
}
