/**
 * IEEE 802.2 LLC after an 802.3 length field: DSAP, SSAP and a control field of one byte
 * (U frames) or two (I and S frames, little-endian), and SNAP (RFC 1042) when both SAPs are
 * 0xaa with a UI control: an OUI and a protocol ID, the EtherType itself under OUI 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LlcHeader } from "./mod.ts";
 * // RFC 1042: SNAP with OUI 0 carrying IPv4.
 * const bytes = new Uint8Array([0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
 * const llc = new LlcHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual(
 *   [llc.isSnap, llc.snapOui, llc.snapPid, llc.headerLength],
 *   [true, 0, 0x0800, 8],
 * );
 * ```
 * @module
 */

import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** DSAP, SSAP, a one-byte control field. */
export const LLC_MIN_LENGTH = 3;
/** SNAP's OUI and protocol ID after the LLC header. */
export const SNAP_LENGTH = 5;
/** The SAP of the spanning tree protocol. */
export const LLC_SAP_STP = 0x42;
/** The SAP announcing SNAP. */
export const LLC_SAP_SNAP = 0xaa;
/** The SAP of IPv4 (RFC 948). */
export const LLC_SAP_IP = 0x06;
/** An unnumbered information frame's control field. */
export const LLC_UI = 0x03;
/** U frames have both low bits of the control field set. */
const U_FORMAT = 0x03;
/** SNAP's OUI for an EtherType (RFC 1042). */
export const SNAP_OUI_ETHERNET = 0x000000;
/** Cisco's bridged form of it (802.1H). */
export const SNAP_OUI_CISCO_BRIDGED = 0x0000f8;
/** Cisco's OUI. */
export const SNAP_OUI_CISCO = 0x00000c;
/** Cisco's protocol ID for per-VLAN spanning tree BPDUs. */
export const SNAP_PID_PVST = 0x010b;

/** The JSON form (docs/json.md). */
export interface LlcJson {
  /** The DSAP byte (the low bit: a group address). */
  dsap: number;
  /** The SSAP byte (the low bit: a response). */
  ssap: number;
  /** The control field (two bytes for I and S frames). */
  control: number;
  /** SNAP's OUI. */
  oui?: number;
  /** SNAP's protocol ID (an EtherType under OUI 0). */
  pid?: number;
}

/** A view of an LLC header, with SNAP when it has one. */
export class LlcHeader extends HeaderView {
  /** The DSAP byte. */
  get dsapField(): number {
    return this.u8(0);
  }

  /** The SSAP byte. */
  get ssapField(): number {
    return this.u8(1);
  }

  /** The DSAP without its individual/group bit. */
  get dsap(): number {
    return this.dsapField & 0xfe;
  }

  /** The SSAP without its command/response bit. */
  get ssap(): number {
    return this.ssapField & 0xfe;
  }

  /** Whether the control field is one byte (a U frame). */
  get isUnnumbered(): boolean {
    return (this.u8(2) & U_FORMAT) === U_FORMAT;
  }

  /** The control field: one byte, or two little-endian bytes for I and S frames. */
  get control(): number {
    return this.isUnnumbered ? this.u8(2) : this.u8(2) | (this.u8(3) << 8);
  }

  /** Whether SNAP follows: both SAPs 0xaa and a UI frame. */
  get isSnap(): boolean {
    return this.dsap === LLC_SAP_SNAP && this.ssap === LLC_SAP_SNAP && this.control === LLC_UI;
  }

  /** The LLC header's length: 3 or 4 bytes. */
  get llcLength(): number {
    return this.isUnnumbered ? 3 : 4;
  }

  /** LLC and SNAP's length. */
  get headerLength(): number {
    return this.llcLength + (this.isSnap ? SNAP_LENGTH : 0);
  }

  /** SNAP's organisation code. */
  get snapOui(): number {
    return (this.u16(3) << 8) | this.u8(5);
  }

  /** SNAP's protocol ID. */
  get snapPid(): number {
    return this.u16(6);
  }

  /** Whether the SNAP protocol ID is an EtherType (OUI 0 or Cisco's bridged). */
  get snapIsEtherType(): boolean {
    const oui = this.snapOui;
    return this.isSnap && (oui === SNAP_OUI_ETHERNET || oui === SNAP_OUI_CISCO_BRIDGED);
  }

  /** Whether a spanning tree BPDU follows: STP's SAPs and UI, or Cisco's PVST over SNAP. */
  get carriesStp(): boolean {
    if (this.isSnap) return this.snapOui === SNAP_OUI_CISCO && this.snapPid === SNAP_PID_PVST;
    return this.dsap === LLC_SAP_STP && this.ssap === LLC_SAP_STP && this.control === LLC_UI;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): LlcJson {
    const json: LlcJson = { dsap: this.dsapField, ssap: this.ssapField, control: this.control };
    if (this.isSnap && this.offset + this.headerLength <= this.end) {
      json.oui = this.snapOui;
      json.pid = this.snapPid;
    }
    return json;
  }
}

/** LLC's fields under tshark's names. */
export const LLC_FIELDS: FieldTable<LlcHeader> = {
  "llc.dsap": (llc) => llc.dsapField,
  "llc.ssap": (llc) => llc.ssapField,
  "llc.control": (llc) => llc.control,
  "llc.oui": (llc) => llc.isSnap ? llc.snapOui : undefined,
  "llc.type": (llc) => llc.snapIsEtherType ? llc.snapPid : undefined,
  "llc.cisco_pid": (llc) => llc.isSnap && llc.snapOui === SNAP_OUI_CISCO ? llc.snapPid : undefined,
};

/** The JSON object's keys in their order. */
export const LLC_JSON_KEYS: readonly string[] = [
  "dsap",
  "ssap",
  "control",
  "oui",
  "pid",
] as const satisfies readonly (keyof LlcJson)[];
