/**
 * QUIC's output. tcpdump 4.99 prints a QUIC datagram as `UDP, length 1200`; netpeek adds a
 * hint after it: each packet's type, version and connection IDs, and what a decrypted client
 * Initial's ClientHello asks for: `: QUIC Initial v1 dcid 8394c8f03e515708 scid … sni
 * www.example.test alpn h3`. A short header is `1-RTT`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { QuicDatagram } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeQuicHint } from "./quic.ts";
 * const bytes = new Uint8Array([0x40, 1, 2, 3, 4, 5]); // a short header
 * const out = new ByteWriter();
 * writeQuicHint(out, new QuicDatagram().bind(new DataView(bytes.buffer), 0, bytes.length));
 * assert.equal(out.toString(), ": QUIC 1-RTT");
 * ```
 * @module
 */

import { QUIC_V1, QUIC_V2, type QuicDatagram, type QuicPacketJson } from "../decode/mod.ts";
import { type ByteWriter, Piece } from "./bytes.ts";

const SHORT_ONLY = new Piece(": QUIC 1-RTT");

function versionText(version: number | undefined): string {
  if (version === QUIC_V1) return "v1";
  if (version === QUIC_V2) return "v2";
  return `0x${(version ?? 0).toString(16).padStart(8, "0")}`;
}

function packetText(packet: QuicPacketJson): string {
  if (packet.header === "short") return "1-RTT";
  if (packet.type === "VersionNegotiation") {
    return `VersionNegotiation dcid ${packet.dcid} scid ${packet.scid} versions ${
      (packet.versions ?? []).join(",")
    }`;
  }
  let text = `${packet.type} ${versionText(packet.version)} dcid ${packet.dcid}`;
  if (packet.scid !== "") text += ` scid ${packet.scid}`;
  const hello = packet.clientHello;
  if (hello !== undefined) {
    text += " ClientHello";
    if (hello.sni !== null) text += ` sni ${hello.sni}`;
    if (hello.alpn.length > 0) text += ` alpn ${hello.alpn.join(",")}`;
    if (hello.cut) text += " [cut]";
  }
  return text;
}

/** Writes `: QUIC …` for the datagram's packets. */
export function writeQuicHint(out: ByteWriter, quic: QuicDatagram): void {
  if (quic.isShortHeaderOnly) {
    // Most of a connection's datagrams: one 1-RTT packet, named without reading further.
    out.piece(SHORT_ONLY);
    return;
  }
  const packets = quic.packets;
  if (packets.length === 0) return;
  out.text(": QUIC ");
  out.text(packets.map(packetText).join(", "));
}
