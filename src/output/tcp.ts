/**
 * TCP's text, as `tcpdump -n` prints a segment after `src.port > dst.port: `: flags, sequence
 * and acknowledgment numbers (relative to each side's first, as tcpdump counts them), window,
 * options (SACK edges relative too), length; with `-v` the checksum and the analysis.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeTcp } from "./tcp.ts";
 * const packet = decode(new Uint8Array([0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2,
 *   0xc8, 0x22, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xfa, 0xf0, 0, 0, 0, 0]), LINKTYPE_RAW);
 * const out = new ByteWriter();
 * writeTcp(out, packet.tcp!, undefined, false, false, null);
 * assert.equal(out.toString(), "Flags [S], seq 1, win 64240, length 0");
 * ```
 * @module
 */

import type { TcpAnalysis } from "../analysis/tcp_analysis.ts";
import {
  TCP_ACK,
  TCP_FIN,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  tcpFlagText,
  type TcpHeader,
  TCPOPT_EOL,
  TCPOPT_MSS,
  TCPOPT_NOP,
  TCPOPT_SACK,
  TCPOPT_SACK_PERMITTED,
  TCPOPT_TIMESTAMP,
  TCPOPT_WSCALE,
  tcpOptionName,
  TcpOptionWalk,
} from "../decode/mod.ts";
import { type ByteWriter, encodePieces, PieceTable } from "./bytes.ts";
import { writeChecksum } from "./checksum_text.ts";
import type { Style } from "./text.ts";

/** The fixed pieces of the text, encoded once. */
const TEXT = encodePieces({
  flags: "Flags [",
  commaSpace: ", ",
  seq: ", seq ",
  ack: ", ack ",
  win: ", win ",
  urg: ", urg ",
  options: ", options [",
  length: ", length ",
  nop: "nop",
  eol: "eol",
  mss: "mss ",
  wscale: "wscale ",
  sackOK: "sackOK",
  timestampValue: "TS val ",
  ecr: " ecr ",
  sack: "sack ",
});

/** The text of `TcpHeader.flagText` for each combination of the flag bits. */
const FLAG_TEXT_PIECES = new PieceTable(512, tcpFlagText);

/** Wireshark's words for the analysis flags, in brackets: ` [retransmission] [dup ack #2]`. */
function analysisText(analysis: TcpAnalysis): string {
  let text = "";
  if (analysis.fastRetransmission) text += " [fast retransmission]";
  else if (analysis.retransmission) text += " [retransmission]";
  if (analysis.spuriousRetransmission) text += " [spurious retransmission]";
  if (analysis.outOfOrder) text += " [out-of-order]";
  if (analysis.lostSegment) text += " [previous segment not captured]";
  if (analysis.duplicateAck) text += ` [dup ack #${analysis.duplicateAck}]`;
  if (analysis.zeroWindow) text += " [zero window]";
  if (analysis.windowFull) text += " [window full]";
  if (analysis.keepAlive) text += " [keep-alive]";
  if (analysis.reset) text += " [reset]";
  return text;
}

/**
 * tcpdump's words for a segment after `src.port > dst.port: `: flags, numbers (relative to each
 * side's first once `analysis` has them, unless `absoluteSequence`), window, options, length;
 * with `verbose` the checksum and the analysis' findings.
 */
export function writeTcp(
  out: ByteWriter,
  tcp: TcpHeader,
  analysis: TcpAnalysis | undefined,
  absoluteSequence: boolean,
  verbose: boolean,
  flagStyle: Style | null,
): void {
  const bits = tcp.flagBits;
  const length = tcp.payloadLength;
  const shown = absoluteSequence ? undefined : analysis;
  // As tcpdump: numbers relative to the connection's first are shown on segments with ACK
  // set and no SYN (so SYNs and a bare RST show absolute ones), except the first of a
  // stream joined midway.
  const relative = shown !== undefined && (bits & (TCP_ACK | TCP_SYN)) === TCP_ACK &&
    (shown.isnSeen || shown.relativeSeq !== 0);
  out.piece(TEXT.flags);
  if (flagStyle === null) out.piece(FLAG_TEXT_PIECES.get(bits));
  else {
    out.text(flagStyle.open);
    out.text(tcp.flagText);
    out.text(flagStyle.close);
  }
  out.byte(0x5d);
  if (verbose) {
    out.piece(TEXT.commaSpace);
    writeChecksum(out, tcp.checksum, tcp.checksumOk, tcp.expectedChecksum, tcp.offloaded);
  }
  if (length > 0 || (bits & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0) {
    const seq = relative ? shown.relativeSeq : tcp.seq;
    out.piece(TEXT.seq);
    out.uint(seq);
    if (length > 0) {
      out.byte(0x3a);
      out.uint((seq + length) >>> 0);
    }
  }
  if (bits & TCP_ACK) {
    const ack = relative && shown.relativeAck !== null ? shown.relativeAck : tcp.ack;
    out.piece(TEXT.ack);
    out.uint(ack);
  }
  out.piece(TEXT.win);
  out.uint(tcp.window);
  if (bits & TCP_URG) {
    out.piece(TEXT.urg);
    out.uint(tcp.urgent);
  }
  const sackBase = relative && shown.peerBase !== null ? shown.peerBase : 0;
  if (tcp.dataOffset > 20) {
    out.piece(TEXT.options);
    writeTcpOptions(out, tcp, sackBase);
    out.byte(0x5d);
  }
  out.piece(TEXT.length);
  out.uint(length);
  if (verbose && analysis !== undefined) out.text(analysisText(analysis));
}
/**
 * tcpdump's option list, `mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7`, read from the
 * header's bytes: SACK edges relative to `sackBase`, an option whose length its kind forbids
 * as `mss [bad length 5]`, one netpeek does not know as `unknown-99 0x0102`.
 */
function writeTcpOptions(out: ByteWriter, tcp: TcpHeader, sackBase: number): void {
  const walk = OPTION_WALK.start(tcp);
  let first = true;
  while (walk.next()) {
    if (!first) out.byte(0x2c);
    first = false;
    const kind = walk.kind;
    if (kind === TCPOPT_NOP) out.piece(TEXT.nop);
    else if (kind === TCPOPT_EOL) out.piece(TEXT.eol);
    else if (!walk.hasExpectedLength && kind !== TCPOPT_SACK) {
      writeBadLength(out, kind, walk.length);
    } else if (kind === TCPOPT_MSS) {
      out.piece(TEXT.mss);
      out.uint(walk.value);
    } else if (kind === TCPOPT_WSCALE) {
      out.piece(TEXT.wscale);
      out.uint(walk.value);
    } else if (kind === TCPOPT_SACK_PERMITTED) {
      out.piece(TEXT.sackOK);
    } else if (kind === TCPOPT_TIMESTAMP) {
      out.piece(TEXT.timestampValue);
      out.uint(walk.tsval);
      out.piece(TEXT.ecr);
      out.uint(walk.tsecr);
    } else if (kind === TCPOPT_SACK) {
      // A SACK option of a length that holds no whole blocks shows as none, as tcpdump does.
      const blocks = walk.hasExpectedLength ? walk.sackBlocks : 0;
      out.piece(TEXT.sack);
      out.uint(blocks);
      out.byte(0x20);
      for (let block = 0; block < blocks; block++) {
        out.byte(0x7b);
        out.uint((walk.sackLeft(block) - sackBase) >>> 0);
        out.byte(0x3a);
        out.uint((walk.sackRight(block) - sackBase) >>> 0);
        out.byte(0x7d);
      }
    } else {
      const name = tcpOptionName(kind);
      if (name !== "unknown") out.text(name);
      else {
        out.text(`unknown-${kind}`);
        if (walk.length > 2) out.text(` 0x${walk.dataHex}`);
      }
    }
  }
  if (walk.malformed) {
    if (!first) out.byte(0x2c);
    writeBadLength(out, walk.kind, walk.length);
  }
}

/** `mss [bad length 5]`, or `opt-99 [bad length 1]` for a kind netpeek does not know. */
function writeBadLength(out: ByteWriter, kind: number, length: number): void {
  const name = tcpOptionName(kind);
  out.text(`${name === "unknown" ? `opt-${kind}` : name} [bad length ${length}]`);
}

/** The walk `writeTcpOptions` reuses. */
const OPTION_WALK = new TcpOptionWalk();
