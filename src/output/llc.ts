/**
 * LLC, SNAP and spanning tree BPDUs as tcpdump 4.99 prints them (print-llc.c, print-stp.c):
 * `-e`'s `LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: ` and SNAP's
 * `oui Ethernet (0x000000), ethertype IPv4 (0x0800), length 84: `; a BPDU as
 * `STP 802.1w, Rapid STP, Flags [Proposal], bridge-id 8001.00:19:06:ea:b8:80.800c, length 36`
 * (`-v` adds its timers, root and port role, MSTP's CIST and MSTIs); another LLC frame as
 * `Unnumbered, xid, Flags [Poll], length 262`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LlcHeader } from "../decode/mod.ts";
 * import { llcLinkText } from "./llc.ts";
 * const bytes = new Uint8Array([0x42, 0x42, 0x03]);
 * const llc = new LlcHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.equal(
 *   llcLinkText(llc, 39),
 *   "LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: ",
 * );
 * ```
 * @module
 */

import {
  etherTypeName,
  type LlcHeader,
  SNAP_OUI_CISCO,
  SNAP_OUI_ETHERNET,
  SPB_MIN_LENGTH,
  type StpBpdu,
} from "../decode/mod.ts";
import { hexDigits as hex } from "./hexdump.ts";
import { printableBytes } from "./printable.ts";

/** SAP names (tcpdump's llc_values), by the SAP without its low bit. */
const SAP_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, "Null"],
  [0x02, "802.1B I"],
  [0x04, "SNA"],
  [0x06, "IP"],
  [0x0e, "ProWay NM"],
  [0x42, "STP"],
  [0x4e, "RS511"],
  [0x7e, "ISO8208"],
  [0x8e, "ProWay"],
  [0xaa, "SNAP"],
  [0xbc, "Banyan"],
  [0xe0, "IPX"],
  [0xf0, "NetBeui"],
  [0xfe, "OSI"],
]);
/** OUI names (tcpdump's oui_values) for SNAP. */
const OUI_NAMES: ReadonlyMap<number, string> = new Map([
  [SNAP_OUI_ETHERNET, "Ethernet"],
  [SNAP_OUI_CISCO, "Cisco"],
  [0x0000f8, "Cisco bridged"],
  [0x0080c2, "IEEE bridged"],
]);
/** Cisco's SNAP protocol IDs. */
const CISCO_PIDS: ReadonlyMap<number, string> = new Map([
  [0x2000, "CDP"],
  [0x2001, "CGMP"],
  [0x2003, "VTP"],
  [0x2004, "DTP"],
  [0x010b, "PVST"],
  [0x0111, "UDLD"],
]);
/** U frames' commands, the poll bit masked (tcpdump's llc_cmd_values). */
const U_COMMANDS: ReadonlyMap<number, string> = new Map([
  [0x03, "ui"],
  [0x63, "ua"],
  [0x43, "disc"],
  [0x0f, "dm"],
  [0x6f, "sabme"],
  [0xe3, "test"],
  [0xaf, "xid"],
  [0x87, "frmr"],
]);
const SUPERVISORY = ["Receiver Ready", "Receiver not Ready", "Reject"];
const U_POLL = 0x10;
const IS_POLL = 0x0100;
const XID = 0xaf;
const XID_FORMAT = 0x81;

/** `-e`'s LLC words, and SNAP's after them; `length` is the 802.3 length field's. */
export function llcLinkText(llc: LlcHeader, length: number): string {
  const dsap = llc.dsap;
  const ssap = llc.ssap;
  let text = `LLC, dsap ${SAP_NAMES.get(dsap) ?? "Unknown"} (0x${hex(dsap, 2)}) ${
    (llc.dsapField & 1) !== 0 ? "Group" : "Individual"
  }, ssap ${SAP_NAMES.get(ssap) ?? "Unknown"} (0x${hex(ssap, 2)}) ${
    (llc.ssapField & 1) !== 0 ? "Response" : "Command"
  }, ctrl 0x${hex(llc.control, llc.isUnnumbered ? 2 : 4)}: `;
  if (llc.isSnap && llc.offset + llc.headerLength <= llc.end) {
    text += snapText(llc, length - llc.llcLength) + ": ";
  }
  return text;
}

/** SNAP's words: `oui Cisco (0x00000c), pid DTP (0x2004), length 31`. */
export function snapText(llc: LlcHeader, length: number): string {
  const oui = llc.snapOui;
  const pid = llc.snapPid;
  const pidName = oui === SNAP_OUI_ETHERNET
    ? etherTypeName(pid)
    : oui === SNAP_OUI_CISCO
    ? CISCO_PIDS.get(pid) ?? "Unknown"
    : "Unknown";
  return `oui ${OUI_NAMES.get(oui) ?? "Unknown"} (0x${hex(oui, 6)}), ${
    oui === SNAP_OUI_ETHERNET ? "ethertype" : "pid"
  } ${pidName} (0x${hex(pid, 4)}), length ${length - 5}`;
}

/**
 * An LLC frame netpeek does not decode further, as print-llc.c describes it: without `-e` the
 * addresses and SAPs first (`src > dst NAME `), then the frame's kind, flags and length.
 */
export function llcFrameText(
  llc: LlcHeader,
  length: number,
  addresses: { src: string; dst: string } | undefined,
): string {
  const dsap = llc.dsap;
  const ssap = llc.ssap;
  let text = "";
  if (addresses !== undefined) {
    const dsapName = SAP_NAMES.get(dsap) ?? `Unknown DSAP 0x${hex(dsap, 2)}`;
    text = ssap === dsap
      ? `${addresses.src} > ${addresses.dst} ${dsapName} `
      : `${addresses.src} ${
        SAP_NAMES.get(ssap) ?? `Unknown SSAP 0x${hex(ssap, 2)}`
      } > ${addresses.dst} ${dsapName} `;
  }
  const control = llc.control;
  const response = llc.ssapField & 1;
  if (llc.isUnnumbered) {
    const flags = FLAG_NAMES.get(response | (control & U_POLL)) ?? "?";
    const command = control & ~U_POLL;
    text += `Unnumbered, ${
      U_COMMANDS.get(command) ?? hex(command, 2)
    }, Flags [${flags}], length ${length}`;
    if (command === XID && length > llc.llcLength) {
      const at = llc.offset + llc.llcLength;
      if (at + 3 <= llc.end && llc.dataView.getUint8(at) === XID_FORMAT) {
        text += `: ${hex(llc.dataView.getUint8(at + 1), 2)} ${
          hex(llc.dataView.getUint8(at + 2), 2)
        }`;
      }
    }
    return text;
  }
  const flags = FLAG_NAMES.get(response | (control & IS_POLL)) ?? "?";
  const received = (control >>> 9) & 0x7f;
  if ((control & 0x01) === 0x01) {
    return `${text}Supervisory, ${
      SUPERVISORY[(control & 0x0c) >>> 2] ?? "?"
    }, rcv seq ${received}, Flags [${flags}], length ${length}`;
  }
  return `${text}Information, send seq ${
    (control >>> 1) & 0x7f
  }, rcv seq ${received}, Flags [${flags}], length ${length}`;
}

/** tcpdump's llc_flag_values: the SSAP's response bit with the poll/final bit. */
const FLAG_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "Command"],
  [1, "Response"],
  [U_POLL, "Poll"],
  [U_POLL | 1, "Final"],
  [IS_POLL, "Poll"],
  [IS_POLL | 1, "Final"],
]);

const STP_VERSIONS: ReadonlyMap<number, string> = new Map([
  [0, "802.1d"],
  [2, "802.1w"],
  [3, "802.1s"],
  [4, "802.1aq"],
]);
const STP_TYPES: ReadonlyMap<number, string> = new Map([
  [0x00, "Config"],
  [0x02, "Rapid STP"],
  [0x80, "Topology Change"],
]);
const STP_FLAGS: readonly (readonly [number, string])[] = [
  [0x01, "Topology change"],
  [0x02, "Proposal"],
  [0x10, "Learn"],
  [0x20, "Forward"],
  [0x40, "Agreement"],
  [0x80, "Topology change ACK"],
];
const PORT_ROLES = ["Unknown", "Alternate", "Root", "Designated"];

function flagsText(flags: number): string {
  const names = STP_FLAGS.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
  return names.length === 0 ? "none" : names.join(", ");
}

const seconds = (value: number) => value.toFixed(2);

/**
 * A BPDU's words; `length` is what LLC (or SNAP) left of the 802.3 payload, `invalid` whether
 * the decoder found it impossible (tcpdump then stops with ` (invalid)`).
 */
export function stpText(stp: StpBpdu, length: number, verbose: boolean, invalid: boolean): string {
  if (stp.protocolId !== 0) return `unknown STP version, length ${length}`;
  const version = stp.version;
  const versionName = STP_VERSIONS.get(version);
  let text = `STP ${versionName ?? `Unknown STP protocol (0x${hex(version, 2)})`}`;
  if (versionName === undefined) return text;
  const type = stp.bpduType;
  text += `, ${STP_TYPES.get(type) ?? `Unknown BPDU Type (0x${hex(type, 2)})`}`;
  if (invalid) return `${text} (invalid)`;
  const view = stp.dataView;
  if (type === 0x00 || (type === 0x02 && version === 2)) {
    if (stp.offset + 35 > stp.end) return text;
    text += `, Flags [${flagsText(stp.flags)}], bridge-id ${stp.bridgeId}.${
      hex(stp.portId, 4)
    }, length ${length}`;
    if (!verbose) return text;
    text += `\n\tmessage-age ${seconds(stp.messageAge)}s, max-age ${seconds(stp.maxAge)}s, ` +
      `hello-time ${seconds(stp.helloTime)}s, forwarding-delay ${seconds(stp.forwardDelay)}s` +
      `\n\troot-id ${stp.rootId}, root-pathcost ${stp.rootPathCost}`;
    if (version === 2) text += `, port-role ${PORT_ROLES[stp.portRole]}`;
    return text;
  }
  if (!stp.isMstp || stp.offset + stp.wholeLength > stp.end) return text;
  text += `, CIST Flags [${flagsText(stp.flags)}], length ${length}`;
  if (!verbose) return text;
  text += `\n\tport-role ${PORT_ROLES[stp.portRole]}, CIST root-id ${stp.rootId}, ` +
    `CIST ext-pathcost ${stp.rootPathCost}` +
    `\n\tCIST regional-root-id ${stp.bridgeId}, CIST port-id ${hex(stp.portId, 4)},` +
    `\n\tmessage-age ${seconds(stp.messageAge)}s, max-age ${seconds(stp.maxAge)}s, ` +
    `hello-time ${seconds(stp.helloTime)}s, forwarding-delay ${seconds(stp.forwardDelay)}s` +
    `\n\tv3len ${stp.v3Length}, MCID Name ${
      printableBytes(stp.mcidName)
    }, rev ${stp.mcidRevision},` +
    `\n\t\tdigest ${stp.mcidDigest}, CIST int-root-pathcost ${stp.cistInternalCost},` +
    `\n\tCIST bridge-id ${stp.cistBridgeId}, CIST remaining-hops ${stp.cistHops}`;
  for (let i = 0; i < stp.mstiCount; i++) {
    const at = stp.mstiAt(i);
    if (at + 16 > stp.end) break;
    const flags = view.getUint8(at);
    text +=
      `\n\tMSTI ${view.getUint16(at + 1) & 0x0fff}, Flags [${flagsText(flags)}], port-role ${
        PORT_ROLES[(flags >>> 2) & 3]
      }\n\t\tMSTI regional-root-id ${stp.mstiRegionalRoot(i)}, pathcost ${view.getUint32(at + 9)}` +
      `\n\t\tMSTI bridge-prio ${view.getUint8(at + 13) >>> 4}, port-prio ${
        view.getUint8(at + 14) >>> 4
      }, hops ${view.getUint8(at + 15)}`;
  }
  if (version === 4) text += spbText(stp);
  return text;
}

/** SPB's version 4 data with -v (print-stp.c's stp_print_spb_bpdu, its `cap` as it prints it). */
function spbText(stp: StpBpdu): string {
  const view = stp.dataView;
  const at = stp.offset + stp.spbOffset;
  if (at + SPB_MIN_LENGTH > stp.end) return "";
  const byte = (offset: number) => view.getUint8(at + offset);
  const words = (offset: number, count: number) => {
    let text = "";
    for (let i = 0; i < count; i++) text += hex(view.getUint32(at + offset + 4 * i), 8);
    return text;
  };
  const agreement = byte(53);
  const format = byte(55);
  const convention = byte(56);
  return `\n\tv4len ${view.getUint16(at)}, AUXMCID Name ${printableBytes(stp.auxMcidName)}, Rev ${
    view.getUint16(at + 35)
  },\n\t\tdigest ${words(37, 4)}` +
    `\n\tAgreement num ${agreement >>> 6}, Discarded Agreement num ${
      (agreement >>> 4) & 3
    }, Agreement valid-flag ${(agreement >>> 3) & 1},\n\tRestricted role-flag: ${
      (agreement >>> 2) & 1
    }, Format id ${format >>> 4} cap ${format}, Convention id ${
      convention >>> 4
    } cap ${convention},` +
    `\n\tEdge count ${view.getUint16(at + 57)}, Agreement digest ${words(67, 5)}`;
}
