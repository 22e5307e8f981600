/**
 * UDP's JSON object, written field by field: the same bytes as `JSON.stringify` of its
 * `toJSON`, which tests/json_writer_test.ts holds it to. (Its text is the few words
 * `TextFormatter` writes after the ports: `UDP, length 5`.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeUdpJson } from "./udp.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 17, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2, 0x13, 0x88, 0x13, 0x89, 0, 8, 0, 0]), LINKTYPE_RAW);
 * const out = new ByteWriter();
 * writeUdpJson(out, packet.udp!);
 * assert.equal(out.toString(), `,"udp":${JSON.stringify(packet.udp)}`);
 * ```
 * @module
 */

import type { UdpHeader } from "../decode/mod.ts";
import { type ByteWriter, encodePieces } from "./bytes.ts";
import { keyed, keyedBool, writePorts } from "./json_pieces.ts";

/** The fixed pieces of the JSON object, encoded once. */
const JSON_PIECE = encodePieces({
  checksum: ',"checksum":',
  length: ',"length":',
  truncatedTrue: ',"truncated":true}',
  udpSrcPort: ',"udp":{"srcPort":',
});

const UDP_CHECKSUM_OK = keyedBool("checksumOk", "}");

/** The datagram's JSON as `JSON.stringify` writes its `toJSON`, preceded by its key. */
export function writeUdpJson(out: ByteWriter, udp: UdpHeader): void {
  writePorts(out, JSON_PIECE.udpSrcPort, udp.srcPort, udp.dstPort);
  if (udp.truncated) {
    out.piece(JSON_PIECE.truncatedTrue);
    return;
  }
  out.field(JSON_PIECE.length, udp.length);
  out.field(JSON_PIECE.checksum, udp.checksum);
  keyed(out, UDP_CHECKSUM_OK, udp.checksumOk);
}
