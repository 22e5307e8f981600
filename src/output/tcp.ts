/**
 * TCP's output. Its text, as `tcpdump -n` prints a segment after `src.port > dst.port: `: flags, sequence
 * and acknowledgment numbers (relative to each side's first, as tcpdump counts them), window,
 * options (SACK edges relative too), length; with `-v` the checksum and the analysis. Its JSON
 * object field by field (the same bytes as `JSON.stringify` of its `toJSON` with the analysis,
 * which tests/json_writer_test.ts holds it to).
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
 * writeTcp(out, packet.tcp!, undefined, false, null);
 * assert.equal(out.toString(), "Flags [S], seq 1, win 64240, length 0");
 * ```
 * @module
 */

import type { TcpAnalysis } from "../analysis/tcp_analysis.ts";
import {
  TCP_ACK,
  TCP_CWR,
  TCP_ECE,
  TCP_FIELD_OFFSETS,
  TCP_FIN,
  TCP_NS,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  tcpDataOffset,
  tcpFlagText,
  tcpFlagWord,
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
import { type ByteWriter, encodePieces, type Piece, PieceTable } from "./bytes.ts";
import { writeChecksum } from "./checksum_text.ts";
import { writeMptcpOption } from "./mptcp.ts";
import { writePrintableByte } from "./printable.ts";
import { keyed, keyedBool, nullable, number, numberField, writePorts } from "./json_pieces.ts";
import type { Style } from "./text.ts";

/** The fixed pieces of the JSON object, encoded once. */
const JSON_PIECE = encodePieces({
  ack: ',"ack":',
  analysisRelativeSeq: ',"analysis":{"relativeSeq":',
  blocks: ',"blocks":[',
  checksum: ',"checksum":',
  closeSack: "]}",
  closeTimestampList: "}]",
  dataOffset: ',"dataOffset":',
  duplicateAck: ',"duplicateAck":',
  emptyList: "[]",
  eolOption: '{"kind":0,"name":"eol","length":1}',
  fastRetransmissionTrue: ',"fastRetransmission":true',
  keepAliveTrue: ',"keepAlive":true',
  lostSegmentTrue: ',"lostSegment":true',
  mssOption: '{"kind":2,"name":"mss","length":4,"value":',
  nopNopTimestamp:
    ',"options":[{"kind":1,"name":"nop","length":1},{"kind":1,"name":"nop","length":1},' +
    '{"kind":8,"name":"TS","length":10,"tsval":',
  nopOption: '{"kind":1,"name":"nop","length":1}',
  options: ',"options":',
  outOfOrderTrue: ',"outOfOrder":true',
  payloadLength: ',"payloadLength":',
  relativeAck: ',"relativeAck":',
  relativeAckNull: ',"relativeAck":null',
  resetTrue: ',"reset":true',
  retransmissionTrue: ',"retransmission":true',
  sackOkOption: '{"kind":4,"name":"sackOK","length":2',
  sackOption: '{"kind":5,"name":"sack","length":',
  seq: ',"seq":',
  spuriousRetransmissionTrue: ',"spuriousRetransmission":true',
  windowUpdateTrue: ',"windowUpdate":true',
  tcpSrcPort: ',"tcp":{"srcPort":',
  timestampOption: '{"kind":8,"name":"TS","length":10,"tsval":',
  truncatedTrue: ',"truncated":true}',
  tsecr: ',"tsecr":',
  windowFullTrue: ',"windowFull":true',
  wscaleOption: '{"kind":3,"name":"wscale","length":3,"value":',
  zeroWindowTrue: ',"zeroWindow":true',
});

/** The option list's opening, alone and in Linux's options after the handshake. */
const OPTIONS_OPEN = ", options [";

/** The fixed pieces of the text, encoded once. */
const TEXT = encodePieces({
  flags: "Flags [",
  seq: ", seq ",
  ack: ", ack ",
  win: ", win ",
  urg: ", urg ",
  options: OPTIONS_OPEN,
  length: ", length ",
  /** After the timestamp option's name. */
  timestampTail: " val ",
  /** Linux's options after the handshake, up to the timestamp's value. */
  nopNopTimestamp: `${OPTIONS_OPEN}nop,nop,TS val `,
  ecr: " ecr ",
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
  if (analysis.windowUpdate) text += " [window update]";
  if (analysis.duplicateAck) text += ` [dup ack #${analysis.duplicateAck}]`;
  if (analysis.zeroWindow) text += " [zero window]";
  if (analysis.windowFull) text += " [window full]";
  if (analysis.keepAlive) text += " [keep-alive]";
  if (analysis.reset) text += " [reset]";
  return text;
}

/**
 * tcpdump's words for a segment after `src.port > dst.port: `: flags, numbers (less tcpdump's
 * bases for the conversation, as `analysis` found them; absolute without), window, options,
 * length; with `checkChecksum` (`-v` without `-K`) the checksum, as tcpdump's `-v` (the
 * findings are `writeTcpAnalysis`'s); with `alwaysSeq` (`-vv`) the sequence number of a
 * segment that takes none.
 */
export function writeTcp(
  out: ByteWriter,
  tcp: TcpHeader,
  analysis: TcpAnalysis | undefined,
  checkChecksum: boolean,
  flagStyle: Style | null,
  alwaysSeq = false,
): void {
  const bits = tcp.flagBits;
  const length = tcp.payloadLength;
  const seqBase = analysis === undefined ? 0 : analysis.tcpdumpSeqBase;
  const ackBase = analysis === undefined ? 0 : analysis.tcpdumpAckBase;
  const sackBase = analysis === undefined ? 0 : analysis.tcpdumpSackBase;
  out.piece(TEXT.flags);
  if (flagStyle === null) out.piece(FLAG_TEXT_PIECES.get(bits));
  else {
    out.text(flagStyle.open);
    out.text(tcp.flagText);
    out.text(flagStyle.close);
  }
  out.byte(0x5d);
  if (checkChecksum) writeChecksum(out, tcp);
  // tcpdump names the sequence number of a segment that takes some, and with -vv of every one.
  if (alwaysSeq || length > 0 || (bits & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0) {
    const seq = (tcp.seq - seqBase) >>> 0;
    out.field(TEXT.seq, seq);
    if (length > 0) {
      out.byte(0x3a);
      out.uint((seq + length) >>> 0);
    }
  }
  if (bits & TCP_ACK) {
    out.field(TEXT.ack, (tcp.ack - ackBase) >>> 0);
  }
  out.field(TEXT.win, tcp.window);
  if (bits & TCP_URG) {
    out.field(TEXT.urg, tcp.urgent);
  }
  if (tcp.dataOffset > 20) {
    if (tcp.optionsAreNopNopTimestamp) {
      // Linux's options on every segment after the handshake: read without the walk.
      writeOnlyTimestamp(out, tcp, TEXT.nopNopTimestamp, TEXT.ecr);
    } else {
      out.piece(TEXT.options);
      // SACK edges count in the other side's numbers.
      writeTcpOptions(out, tcp, sackBase);
    }
    out.byte(0x5d);
  }
  out.field(TEXT.length, length);
}

/**
 * Linux's NOP, NOP, timestamp options (`TcpHeader.optionsAreNopNopTimestamp`), from the
 * header's fixed places: `before`, the value, `between`, the echo reply.
 */
function writeOnlyTimestamp(out: ByteWriter, tcp: TcpHeader, before: Piece, between: Piece): void {
  out.field(before, tcp.onlyTsval);
  out.field(between, tcp.onlyTsecr);
}

/** The most of a RST's data tcpdump shows (print-tcp.c's MAX_RST_DATA_LEN). */
const RST_DATA_SHOWN = 30;

/**
 * With `-v`, a RST's data in place of its application's words, as tcpdump shows it (RFC 9293
 * section 3.5.3 lets a RST carry a diagnostic text): ` [RST BIG-IP: …]`, `+` when cut to 30
 * bytes, `[!RST` when the segment was not captured whole; bytes that are not printable as
 * tcpdump writes them (`^@`, `M-*`).
 */
export function writeRstData(out: ByteWriter, tcp: TcpHeader): void {
  const start = tcp.offset + tcp.dataOffset;
  const length = tcp.payloadLength;
  out.text(start + length <= tcp.end ? " [RST" : " [!RST");
  if (length > RST_DATA_SHOWN) out.byte(0x2b);
  out.byte(0x20);
  const view = tcp.dataView;
  const end = Math.min(start + Math.min(length, RST_DATA_SHOWN), tcp.end);
  for (let at = start; at < end; at++) writePrintableByte(out, view.getUint8(at));
  out.byte(0x5d);
}

/** With `-v`, the analysis' findings, written after the segment's line and its payload's. */
export function writeTcpAnalysis(out: ByteWriter, analysis: TcpAnalysis | undefined): void {
  if (analysis !== undefined) out.text(analysisText(analysis));
}
/**
 * The option kinds tcpdump prints in words of its own (print-tcp.c's `tcp_option_values`);
 * its names for them, and `unknown-N` for any other, are in `OPTION_NAMES`.
 */
const TCPOPT_ECHO = 6;
const TCPOPT_ECHO_REPLY = 7;
const TCPOPT_CC = 11;
const TCPOPT_CC_NEW = 12;
const TCPOPT_CC_ECHO = 13;
const TCPOPT_MD5 = 19;
const TCPOPT_SCPS = 20;
const TCPOPT_USER_TIMEOUT = 28;
const TCPOPT_AUTHENTICATION = 29;
const TCPOPT_MPTCP = 30;
const TCPOPT_FAST_OPEN = 34;
const TCPOPT_EXPERIMENT = 254;
/** RFC 6994's experiment id of TCP Fast Open before it had kind 34 (RFC 7413 section 4.1.1). */
const FAST_OPEN_EXPERIMENT_ID = 0xf989;
/** The size of an MD5 signature (RFC 2385). */
const MD5_SIGNATURE_LENGTH = 16;

/** tcpdump's names of the kinds netpeek's JSON leaves `unknown` (`tcpOptionName` has the rest). */
const TEXT_ONLY_OPTION_NAMES: Readonly<Record<number, string>> = {
  [TCPOPT_ECHO]: "echo",
  [TCPOPT_ECHO_REPLY]: "echoreply",
  [TCPOPT_CC]: "cc",
  [TCPOPT_CC_NEW]: "ccnew",
  [TCPOPT_CC_ECHO]: "",
  [TCPOPT_MD5]: "md5",
  [TCPOPT_SCPS]: "scps",
  [TCPOPT_USER_TIMEOUT]: "uto",
  [TCPOPT_AUTHENTICATION]: "tcp-ao",
  [TCPOPT_EXPERIMENT]: "exp",
};

/** tcpdump's name of an option kind. */
function tcpdumpOptionName(kind: number): string {
  const name = TEXT_ONLY_OPTION_NAMES[kind] ?? tcpOptionName(kind);
  return name === "unknown" ? `unknown-${kind}` : name;
}

/** Each kind's name as tcpdump prints it. */
const OPTION_NAMES = new PieceTable(256, tcpdumpOptionName);

/** How the option list ended: at its end, at an impossible length, or past the captured bytes. */
const OPTIONS_DONE = 0;
const OPTIONS_BAD = 1;
const OPTIONS_CUT = 2;

/**
 * tcpdump's option list, `mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7`, walked as tcpdump
 * walks it (print-tcp.c): each kind it knows takes the bytes that kind has, whatever its length
 * byte says, which is then shown (`wscale 7[len 4]`) and the walk goes on from there; a length
 * below 2 or past the header ends it as `[bad opt]`; bytes past the captured ones as `[|tcp]`.
 * SACK edges count from `sackBase`. The caller closes the list (after tcpdump's own `]` when it
 * ends at a bad option: netpeek's line may go on after tcpdump's).
 */
function writeTcpOptions(out: ByteWriter, tcp: TcpHeader, sackBase: number): void {
  const view = tcp.dataView;
  const captured = tcp.end;
  let at = tcp.optionsAt;
  let left = tcp.dataOffset - (at - tcp.offset);
  let first = true;
  while (left > 0) {
    if (!first) out.byte(0x2c);
    first = false;
    if (at >= captured) return writeOptionsEnd(out, OPTIONS_CUT);
    const kind = view.getUint8(at++);
    let length = 1;
    if (kind !== TCPOPT_EOL && kind !== TCPOPT_NOP) {
      if (at >= captured) return writeOptionsEnd(out, OPTIONS_CUT);
      length = view.getUint8(at++);
      if (length < 2 || length > left) return writeOptionsEnd(out, OPTIONS_BAD);
      left--;
    }
    left--;
    out.piece(OPTION_NAMES.get(kind));
    // The bytes of data tcpdump takes for this kind, and whether they are there.
    let data = 0;
    let end = OPTIONS_DONE;
    switch (kind) {
      case TCPOPT_EOL:
      case TCPOPT_NOP:
      case TCPOPT_SACK_PERMITTED:
        break;
      case TCPOPT_MSS:
      case TCPOPT_WSCALE: {
        data = kind === TCPOPT_MSS ? 2 : 1;
        end = dataEnd(data, left, at, captured);
        if (end !== OPTIONS_DONE) break;
        out.byte(0x20);
        out.uint(kind === TCPOPT_MSS ? view.getUint16(at) : view.getUint8(at));
        break;
      }
      case TCPOPT_SACK: {
        data = length - 2;
        if (data % 8 !== 0) {
          out.text(" invalid sack");
          break;
        }
        out.byte(0x20);
        out.uint(data / 8);
        out.byte(0x20);
        for (let block = 0; block < data && end === OPTIONS_DONE; block += 8) {
          end = dataEnd(block + 8, left, at, captured);
          if (end !== OPTIONS_DONE) break;
          out.byte(0x7b);
          out.uint((view.getUint32(at + block) - sackBase) >>> 0);
          out.byte(0x3a);
          out.uint((view.getUint32(at + block + 4) - sackBase) >>> 0);
          out.byte(0x7d);
        }
        break;
      }
      case TCPOPT_CC:
      case TCPOPT_CC_NEW:
      case TCPOPT_CC_ECHO:
      case TCPOPT_ECHO:
      case TCPOPT_ECHO_REPLY:
        data = 4;
        end = dataEnd(data, left, at, captured);
        if (end !== OPTIONS_DONE) break;
        out.byte(0x20);
        out.uint(view.getUint32(at));
        break;
      case TCPOPT_TIMESTAMP:
        data = 8;
        end = dataEnd(data, left, at, captured);
        if (end !== OPTIONS_DONE) break;
        out.field(TEXT.timestampTail, view.getUint32(at));
        out.field(TEXT.ecr, view.getUint32(at + 4));
        break;
      case TCPOPT_MD5: {
        data = MD5_SIGNATURE_LENGTH;
        end = dataEnd(data, left, at, captured);
        if (end !== OPTIONS_DONE) break;
        // tcpdump (built with libcrypto, as Debian's is) checks the signature only against a
        // secret given with -M, which netpeek does not take.
        const payload = tcp.offset + tcp.dataOffset;
        out.text(
          payload + tcp.payloadLength > captured
            ? " snaplen too short, can't check - "
            : " shared secret not supplied with -M, can't check - ",
        );
        out.hexBytes(view, at, data);
        break;
      }
      case TCPOPT_SCPS:
        data = 2;
        end = dataEnd(data, left, at, captured);
        if (end !== OPTIONS_DONE) break;
        out.text(" cap ");
        out.hex(view.getUint8(at), 2);
        out.text(" id ");
        out.uint(view.getUint8(at + 1));
        break;
      case TCPOPT_USER_TIMEOUT: {
        data = 2;
        end = dataEnd(data, left, at, captured);
        if (end !== OPTIONS_DONE) break;
        // RFC 5482 section 2: the low bit says minutes (else seconds), which tcpdump shows in
        // seconds after the raw field.
        const field = view.getUint16(at);
        out.text(" 0x");
        out.hex(field);
        out.byte(0x20);
        out.uint(field & 1 ? (field >> 1) * 60 : field >> 1);
        break;
      }
      case TCPOPT_AUTHENTICATION:
        data = length - 2;
        if (data < 2) {
          out.text(" (invalid)");
          break;
        }
        end = dataEnd(2, left, at, captured);
        if (end !== OPTIONS_DONE) break;
        out.text(" keyid ");
        out.uint(view.getUint8(at));
        out.text(" rnextkeyid ");
        out.uint(view.getUint8(at + 1));
        if (data > 2) {
          end = dataEnd(data, left, at, captured);
          if (end !== OPTIONS_DONE) break;
          out.text(" mac 0x");
          out.hexBytes(view, at + 2, data - 2);
        }
        break;
      case TCPOPT_FAST_OPEN:
        data = length - 2;
        end = dataEnd(data, left, at, captured);
        if (end !== OPTIONS_DONE) break;
        out.byte(0x20);
        writeFastOpen(out, view, at, data);
        break;
      case TCPOPT_EXPERIMENT: {
        data = length - 2;
        end = dataEnd(data, left, at, captured);
        if (end !== OPTIONS_DONE) break;
        if (data < 2) {
          end = OPTIONS_BAD;
          break;
        }
        const id = view.getUint16(at);
        out.byte(0x2d);
        if (id === FAST_OPEN_EXPERIMENT_ID) {
          out.text("tfo");
          writeFastOpen(out, view, at + 2, data - 2);
        } else out.hex(id, 4);
        break;
      }
      case TCPOPT_MPTCP:
        data = length - 2;
        end = dataEnd(data, left, at, captured);
        if (end !== OPTIONS_DONE) break;
        // The option from its kind byte; the flags decide which lengths a subtype may have.
        if (!writeMptcpOption(out, view, at - 2, tcp.flagWord & 0xff)) end = OPTIONS_BAD;
        break;
      default:
        data = length - 2;
        if (data > 0) out.text(" 0x");
        end = dataEnd(data, left, at, captured);
        if (end === OPTIONS_DONE) out.hexBytes(view, at, data);
        else if (end === OPTIONS_CUT) {
          // tcpdump prints each byte that is there before it stops.
          out.hexBytes(view, at, Math.max(0, Math.min(data, captured - at)));
        }
    }
    if (end !== OPTIONS_DONE) return writeOptionsEnd(out, end);
    at += data;
    left -= data;
    const expected = data + (kind === TCPOPT_EOL || kind === TCPOPT_NOP ? 1 : 2);
    if (expected !== length) {
      out.text("[len ");
      out.uint(length);
      out.byte(0x5d);
    }
    if (kind === TCPOPT_EOL) break;
  }
}

/** Whether `count` bytes of option data at `at` are in the header (`left`) and were captured. */
function dataEnd(count: number, left: number, at: number, captured: number): number {
  return count > left ? OPTIONS_BAD : at + count > captured ? OPTIONS_CUT : OPTIONS_DONE;
}

/** The end of an option list that did not end normally: tcpdump's words for it. */
function writeOptionsEnd(out: ByteWriter, end: number): void {
  if (end === OPTIONS_BAD) out.text("[bad opt]");
  else if (end === OPTIONS_CUT) out.text(" [|tcp]");
}

/** tcpdump's words for a Fast Open option's data (RFC 7413 section 4.1.1): a request, or a cookie. */
function writeFastOpen(out: ByteWriter, view: DataView, at: number, length: number): void {
  if (length === 0) out.text(" cookiereq");
  else if (length % 2 !== 0 || length < 4 || length > 16) out.text(" (invalid)");
  else {
    out.text(" cookie ");
    out.hexBytes(view, at, length);
  }
}

const TCP_CHECKSUM_OK = keyedBool("checksumOk", ',"urgent":');

const TCP_CHECKSUM_OK_NOT_URGENT = keyedBool("checksumOk", ',"urgent":0,"payloadLength":');

const ISN_SEEN = keyedBool("isnSeen", ',"peerBase":');

/**
 * The TCP analysis as `JSON.stringify` writes it. Its optional flags are set in this order
 * (FlowTracker's order of tests), which is therefore their order in the object.
 */
function analysisJson(out: ByteWriter, analysis: TcpAnalysis): void {
  numberField(out, JSON_PIECE.analysisRelativeSeq, analysis.relativeSeq);
  const relativeAck = analysis.relativeAck;
  if (relativeAck === null) out.piece(JSON_PIECE.relativeAckNull);
  else numberField(out, JSON_PIECE.relativeAck, relativeAck);
  keyed(out, ISN_SEEN, analysis.isnSeen);
  nullable(out, analysis.peerBase);
  if (analysis.reset) out.piece(JSON_PIECE.resetTrue);
  if (analysis.zeroWindow) out.piece(JSON_PIECE.zeroWindowTrue);
  if (analysis.keepAlive) out.piece(JSON_PIECE.keepAliveTrue);
  if (analysis.windowFull) out.piece(JSON_PIECE.windowFullTrue);
  if (analysis.lostSegment) out.piece(JSON_PIECE.lostSegmentTrue);
  if (analysis.retransmission) out.piece(JSON_PIECE.retransmissionTrue);
  if (analysis.fastRetransmission) out.piece(JSON_PIECE.fastRetransmissionTrue);
  if (analysis.outOfOrder) out.piece(JSON_PIECE.outOfOrderTrue);
  if (analysis.spuriousRetransmission) out.piece(JSON_PIECE.spuriousRetransmissionTrue);
  if (analysis.windowUpdate) out.piece(JSON_PIECE.windowUpdateTrue);
  if (analysis.duplicateAck !== undefined) {
    out.piece(JSON_PIECE.duplicateAck);
    number(out, analysis.duplicateAck);
  }
  out.byte(0x7d);
}

const FLAG_KEYS: ReadonlyArray<readonly [number, string]> = [
  [TCP_NS, '{"ns":'],
  [TCP_CWR, ',"cwr":'],
  [TCP_ECE, ',"ece":'],
  [TCP_URG, ',"urg":'],
  [TCP_ACK, ',"ack":'],
  [TCP_PSH, ',"psh":'],
  [TCP_RST, ',"rst":'],
  [TCP_SYN, ',"syn":'],
  [TCP_FIN, ',"fin":'],
];

/** The nine flags and the three reserved bits above them: the twelve bits of `flagWord`. */
const FLAG_WORD_VALUES = 4096;
const RESERVED_SHIFT = 9;

/** `,"flags":{…},"reserved":N,"window":` for each value of the twelve bits. */
const FLAGS_JSON = new PieceTable(FLAG_WORD_VALUES, (bits) => {
  const flags = FLAG_KEYS.map(([bit, key]) => key + ((bits & bit) !== 0)).join("");
  return `,"flags":${flags}},"reserved":${bits >>> RESERVED_SHIFT},"window":`;
});

/**
 * The options as `JSON.stringify(tcp.options)` writes them, read from the header's bytes; an
 * option that is malformed or not one of the common ones sends it back to `JSON.stringify`.
 */
function tcpOptions(out: ByteWriter, tcp: TcpHeader): void {
  const start = out.length;
  const walk = JSON_OPTION_WALK.start(tcp);
  let common = true;
  let first = true;
  out.byte(0x5b);
  while (common && walk.next()) {
    if (!first) out.byte(0x2c);
    first = false;
    const kind = walk.kind;
    if (kind === TCPOPT_NOP) out.piece(JSON_PIECE.nopOption);
    else if (kind === TCPOPT_EOL) out.piece(JSON_PIECE.eolOption);
    else if (!walk.hasExpectedLength) common = false;
    else if (kind === TCPOPT_MSS) {
      out.field(JSON_PIECE.mssOption, walk.value);
      out.byte(0x7d);
    } else if (kind === TCPOPT_WSCALE) {
      out.field(JSON_PIECE.wscaleOption, walk.value);
      out.byte(0x7d);
    } else if (kind === TCPOPT_SACK_PERMITTED) {
      out.piece(JSON_PIECE.sackOkOption);
      out.byte(0x7d);
    } else if (kind === TCPOPT_TIMESTAMP) {
      out.field(JSON_PIECE.timestampOption, walk.tsval);
      out.field(JSON_PIECE.tsecr, walk.tsecr);
      out.byte(0x7d);
    } else if (kind === TCPOPT_SACK) {
      out.field(JSON_PIECE.sackOption, walk.length);
      out.piece(JSON_PIECE.blocks);
      for (let block = 0; block < walk.sackBlocks; block++) {
        if (block !== 0) out.byte(0x2c);
        out.byte(0x5b);
        out.uint(walk.sackLeft(block));
        out.byte(0x2c);
        out.uint(walk.sackRight(block));
        out.byte(0x5d);
      }
      out.piece(JSON_PIECE.closeSack);
    } else common = false;
  }
  if (!common || walk.malformed) {
    out.length = start;
    out.text(JSON.stringify(tcp.options));
    return;
  }
  out.byte(0x5d);
}

/** The walk `tcpOptions` reuses. */
const JSON_OPTION_WALK = new TcpOptionWalk();

/**
 * The segment's JSON as `JSON.stringify` writes its `toJSON` (with `analysis`), preceded by its
 * key: field by field, Linux's NOP-NOP-timestamp options in one piece, other options walked.
 */
export function writeTcpJson(
  out: ByteWriter,
  tcp: TcpHeader,
  analysis: TcpAnalysis | undefined,
): void {
  if (tcp.truncated) {
    writePorts(out, JSON_PIECE.tcpSrcPort, tcp.srcPort, tcp.dstPort);
    out.piece(JSON_PIECE.truncatedTrue);
    return;
  }
  // The whole fixed header was captured: its fields are read straight from the bytes.
  const view = tcp.dataView;
  const at = tcp.offset;
  writePorts(
    out,
    JSON_PIECE.tcpSrcPort,
    view.getUint16(at + TCP_FIELD_OFFSETS.sourcePort),
    view.getUint16(at + TCP_FIELD_OFFSETS.destinationPort),
  );
  out.field(JSON_PIECE.seq, view.getUint32(at + TCP_FIELD_OFFSETS.sequence));
  out.field(JSON_PIECE.ack, view.getUint32(at + TCP_FIELD_OFFSETS.acknowledgment));
  const offsetAndFlags = view.getUint16(at + TCP_FIELD_OFFSETS.offsetAndFlags);
  const dataOffset = tcpDataOffset(offsetAndFlags);
  out.field(JSON_PIECE.dataOffset, dataOffset);
  out.field(
    FLAGS_JSON.get(tcpFlagWord(offsetAndFlags)),
    view.getUint16(at + TCP_FIELD_OFFSETS.window),
  );
  out.field(JSON_PIECE.checksum, view.getUint16(at + TCP_FIELD_OFFSETS.checksum));
  const urgent = view.getUint16(at + TCP_FIELD_OFFSETS.urgent);
  if (urgent === 0) keyed(out, TCP_CHECKSUM_OK_NOT_URGENT, tcp.checksumOk);
  else {
    keyed(out, TCP_CHECKSUM_OK, tcp.checksumOk);
    out.uint(urgent);
    out.piece(JSON_PIECE.payloadLength);
  }
  number(out, tcp.payloadLength);
  if (tcp.optionsAreNopNopTimestamp) {
    writeOnlyTimestamp(out, tcp, JSON_PIECE.nopNopTimestamp, JSON_PIECE.tsecr);
    out.piece(JSON_PIECE.closeTimestampList);
  } else {
    out.piece(JSON_PIECE.options);
    if (dataOffset > 20) tcpOptions(out, tcp);
    else out.piece(JSON_PIECE.emptyList);
  }
  if (analysis !== undefined) analysisJson(out, analysis);
  out.byte(0x7d);
}
