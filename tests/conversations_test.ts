/**
 * Conversations as columns: what goes in comes out in the documented shape (addresses as
 * `formatIpv4`/`formatIpv6` write them, no port as null, TCP state only for TCP), and sorting
 * by start keeps conversations that start together in their order, as a stable sort does.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CONVERSATION_FIN_SEEN,
  CONVERSATION_HANDSHAKE_SEEN,
  CONVERSATION_NUMBERS,
  ConversationList,
  END,
  ENDPOINT_B,
  ENDPOINT_WORDS,
  FRAMES_A_TO_B,
  NO_PORT,
  START,
} from "../src/analysis/conversations.ts";

Deno.test("a conversation comes back in its documented shape", () => {
  const list = new ConversationList(1); // grows as conversations are added
  const tcp = list.add(6, 4);
  list.endpoints.set([0xc0000201, 0, 0, 0, 40000, 0xc0000202, 0, 0, 0, 443], tcp * ENDPOINT_WORDS);
  list.states[tcp] = CONVERSATION_HANDSHAKE_SEEN | CONVERSATION_FIN_SEEN;
  list.numbers.set([3, 180, 2, 120, 10.5, 12.25], tcp * CONVERSATION_NUMBERS);
  const fragment = list.add(17, 6);
  list.endpoints.set(
    [0x20010db8, 0, 0, 1, NO_PORT, 0, 0, 0xffff, 0xc0000201, NO_PORT],
    fragment * ENDPOINT_WORDS,
  );
  assert.deepEqual(list.conversation(tcp), {
    protocol: "tcp",
    a: { address: "192.0.2.1", port: 40000 },
    b: { address: "192.0.2.2", port: 443 },
    framesAtoB: 3,
    bytesAtoB: 180,
    framesBtoA: 2,
    bytesBtoA: 120,
    start: 10.5,
    end: 12.25,
    tcp: { handshake: true, fin: true, rst: false },
  });
  const other = list.conversation(fragment);
  assert.deepEqual([other.protocol, other.a, other.b, other.tcp], [
    "udp",
    { address: "2001:db8::1", port: null },
    { address: "::ffff:192.0.2.1", port: null },
    undefined,
  ]);
  assert.equal(list.port(tcp, ENDPOINT_B), 443);
});

Deno.test("sorted by start, conversations that start together keep their order", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 300 }), (starts) => {
      const list = new ConversationList(2);
      starts.forEach((start, index) => {
        const at = list.add(17, 4);
        list.numbers[at * CONVERSATION_NUMBERS + START] = start;
        list.numbers[at * CONVERSATION_NUMBERS + END] = start + 1;
        list.numbers[at * CONVERSATION_NUMBERS + FRAMES_A_TO_B] = index; // its place
      });
      const both = new ConversationList(1);
      both.append(list);
      const sorted = both.sortedByStart().toArray();
      const expected = starts.map((start, index) => ({ start, index }))
        .sort((x, y) => x.start - y.start); // Array.prototype.sort is stable
      return sorted.length === starts.length &&
        sorted.every((c, i) => c.start === expected[i].start && c.framesAtoB === expected[i].index);
    }),
    { numRuns: 200, seed: 5 },
  );
});
