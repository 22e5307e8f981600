/**
 * Spanning tree BPDUs (IEEE 802.1D-2004 section 9, 802.1Q-2014 section 14 for MSTP, 802.1aq
 * for SPB): protocol ID 0, a version (0 STP, 2 RSTP, 3 MSTP, 4 SPB), a type (0 Config, 2 RST,
 * 0x80 Topology Change), flags, root and bridge identifiers (priority and MAC), the root path
 * cost, the port, four timers in 1/256 s, then MSTP's configuration and MSTIs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StpBpdu } from "./mod.ts";
 * // An RST BPDU: Proposal, Designated, root and bridge 8001.00:19:06:ea:b8:80, port 0x800c.
 * const bytes = new Uint8Array([0, 0, 2, 2, 0x0e, 0x80, 1, 0, 0x19, 6, 0xea, 0xb8, 0x80, 0, 0, 0, 0,
 *   0x80, 1, 0, 0x19, 6, 0xea, 0xb8, 0x80, 0x80, 0x0c, 0, 0, 20, 0, 2, 0, 15, 0, 0]);
 * const stp = new StpBpdu().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.deepEqual(
 *   [stp.version, stp.bpduType, stp.bridgeId, stp.portId, stp.maxAge, stp.problem(36)],
 *   [2, 2, "8001.00:19:06:ea:b8:80", 0x800c, 20, undefined],
 * );
 * ```
 * @module
 */

import { formatMac } from "./address.ts";
import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** Protocol ID, version, type: enough to know what follows. */
export const STP_MIN_LENGTH = 4;
/** Versions. */
export const STP_VERSION_RSTP = 2;
/** MSTP (802.1s, now 802.1Q). */
export const STP_VERSION_MSTP = 3;
/** SPB (802.1aq). */
export const STP_VERSION_SPB = 4;
/** BPDU types. */
export const STP_TYPE_CONFIG = 0x00;
/** A rapid (RST, MST, SPT) BPDU. */
export const STP_TYPE_RST = 0x02;
/** A topology change notification. */
export const STP_TYPE_TOPOLOGY_CHANGE = 0x80;

// 802.1D-2004 section 9.3, in bytes from the BPDU's start.
const FIELD_PROTOCOL = 0;
const FIELD_VERSION = 2;
const FIELD_TYPE = 3;
const FIELD_FLAGS = 4;
const FIELD_ROOT = 5;
const FIELD_ROOT_COST = 13;
const FIELD_BRIDGE = 17;
const FIELD_PORT = 25;
const FIELD_MESSAGE_AGE = 27;
const FIELD_MAX_AGE = 29;
const FIELD_HELLO = 31;
const FIELD_FORWARD_DELAY = 33;
const FIELD_V1_LENGTH = 35;
/** A configuration BPDU, and an RST BPDU with its version 1 length. */
const CONFIG_LENGTH = 35;
const RST_LENGTH = 36;
// 802.1Q-2014 section 14.
const FIELD_V3_LENGTH = 36;
const FIELD_MCID_NAME = 39;
const MCID_NAME_LENGTH = 32;
const FIELD_MCID_REVISION = 71;
const FIELD_MCID_DIGEST = 73;
const FIELD_CIST_INTERNAL_COST = 89;
const FIELD_CIST_BRIDGE = 93;
const FIELD_CIST_HOPS = 101;
/** The least an MST BPDU holds: up to the CIST's remaining hops. */
export const MSTP_MIN_LENGTH = 102;
/** MSTI configuration messages start here. */
export const MSTP_MSTI_OFFSET = 102;
/** An MSTI configuration message's length. */
export const MSTI_LENGTH = 16;
/** The part of the version 3 length before the MSTIs. */
const MSTP_CONFIG_INFO_LENGTH = 64;
/** SPB's version 4 data, at least (802.1aq section 14.4). */
export const SPB_MIN_LENGTH = 87;
/** The auxiliary configuration name, in SPB's version 4 data. */
const SPB_AUX_NAME = 3;
/** The regional root identifier, in an MSTI message. */
const MSTI_REGIONAL_ROOT = 1;
/** Timers count 1/256 s. */
const TIME_UNIT = 256;
/** At most this many MSTIs are read (802.1Q allows 64). */
export const MAX_MSTIS = 64;

/** The JSON form (docs/json.md). */
export interface StpJson {
  /** 0 STP, 2 RSTP, 3 MSTP, 4 SPB. */
  version: number;
  /** 0 Config, 2 RST/MST, 0x80 Topology Change. */
  type: number;
  /** The flags byte (0x01 topology change, 0x02 proposal, 0x0c port role, 0x10 learning, …). */
  flags?: number;
  /** Root identifier: priority (4 hex digits) and MAC. */
  rootId?: string;
  /** Root path cost. */
  rootPathCost?: number;
  /** Bridge identifier (MSTP's CIST regional root). */
  bridgeId?: string;
  /** Port identifier. */
  portId?: number;
  /** Message age, in seconds. */
  messageAge?: number;
  /** Maximum age, in seconds. */
  maxAge?: number;
  /** Hello time, in seconds. */
  helloTime?: number;
  /** Forward delay, in seconds. */
  forwardDelay?: number;
}

const bridgeIdText = (view: DataView, at: number) =>
  view.getUint16(at).toString(16).padStart(4, "0") + "." + formatMac(view, at + 2, 6);

/** A view of a spanning tree BPDU (after the LLC header). */
export class StpBpdu extends HeaderView {
  /** The protocol identifier (0). */
  get protocolId(): number {
    return this.u16(FIELD_PROTOCOL);
  }

  /** 0 STP, 2 RSTP, 3 MSTP, 4 SPB. */
  get version(): number {
    return this.u8(FIELD_VERSION);
  }

  /** 0 Config, 2 RST/MST, 0x80 Topology Change. */
  get bpduType(): number {
    return this.u8(FIELD_TYPE);
  }

  /** Whether the BPDU carries the fields of a configuration (Config or RST). */
  get hasConfiguration(): boolean {
    const type = this.bpduType;
    return (type === STP_TYPE_CONFIG || type === STP_TYPE_RST) &&
      this.offset + CONFIG_LENGTH <= this.end;
  }

  /** The flags. */
  get flags(): number {
    return this.u8(FIELD_FLAGS);
  }

  /** The port role bits (RSTP): 1 Alternate/Backup, 2 Root, 3 Designated. */
  get portRole(): number {
    return (this.flags >>> 2) & 0x3;
  }

  /** The root identifier as tcpdump prints it: `8001.00:19:06:ea:b8:80`. */
  get rootId(): string {
    return bridgeIdText(this.view, this.offset + FIELD_ROOT);
  }

  /** The root's priority (its identifier's first 16 bits). */
  get rootPriorityWord(): number {
    return this.u16(FIELD_ROOT);
  }

  /** The root's MAC address. */
  get rootMac(): string {
    return formatMac(this.view, this.offset + FIELD_ROOT + 2, 6);
  }

  /** The root path cost (MSTP: the CIST external path cost). */
  get rootPathCost(): number {
    return this.u32(FIELD_ROOT_COST);
  }

  /** The bridge identifier (MSTP: the CIST regional root). */
  get bridgeId(): string {
    return bridgeIdText(this.view, this.offset + FIELD_BRIDGE);
  }

  /** The bridge's priority word. */
  get bridgePriorityWord(): number {
    return this.u16(FIELD_BRIDGE);
  }

  /** The bridge's MAC address. */
  get bridgeMac(): string {
    return formatMac(this.view, this.offset + FIELD_BRIDGE + 2, 6);
  }

  /** The port identifier. */
  get portId(): number {
    return this.u16(FIELD_PORT);
  }

  /** The message age, in seconds. */
  get messageAge(): number {
    return this.u16(FIELD_MESSAGE_AGE) / TIME_UNIT;
  }

  /** The maximum age, in seconds. */
  get maxAge(): number {
    return this.u16(FIELD_MAX_AGE) / TIME_UNIT;
  }

  /** The hello time, in seconds. */
  get helloTime(): number {
    return this.u16(FIELD_HELLO) / TIME_UNIT;
  }

  /** The forward delay, in seconds. */
  get forwardDelay(): number {
    return this.u16(FIELD_FORWARD_DELAY) / TIME_UNIT;
  }

  /** The version 1 length (0). */
  get v1Length(): number {
    return this.u8(FIELD_V1_LENGTH);
  }

  /** MSTP's version 3 length. */
  get v3Length(): number {
    return this.u16(FIELD_V3_LENGTH);
  }

  /** Whether this is an MST (or SPT) BPDU. */
  get isMstp(): boolean {
    const version = this.version;
    return this.bpduType === STP_TYPE_RST &&
      (version === STP_VERSION_MSTP || version === STP_VERSION_SPB);
  }

  /** MSTP's configuration name: up to 32 bytes, to the first NUL. */
  get mcidName(): string {
    return this.#name(FIELD_MCID_NAME);
  }

  /** A configuration name at `at` (from the BPDU's start): up to 32 bytes, to the first NUL. */
  #name(at: number): string {
    let text = "";
    for (let i = 0; i < MCID_NAME_LENGTH; i++) {
      const byte = this.u8(at + i);
      if (byte === 0) break;
      text += String.fromCharCode(byte);
    }
    return text;
  }

  /** Where SPB's version 4 data starts (its length), from the BPDU's start. */
  get spbOffset(): number {
    return RST_LENGTH + this.v3Length + 2;
  }

  /** SPB's auxiliary configuration name (read only when the version 4 data was captured). */
  get auxMcidName(): string {
    return this.#name(this.spbOffset + SPB_AUX_NAME);
  }

  /** MSTP's configuration revision. */
  get mcidRevision(): number {
    return this.u16(FIELD_MCID_REVISION);
  }

  /** MSTP's configuration digest, as 32 hex digits. */
  get mcidDigest(): string {
    let text = "";
    for (let i = 0; i < 16; i++) {
      text += this.u8(FIELD_MCID_DIGEST + i).toString(16).padStart(2, "0");
    }
    return text;
  }

  /** The CIST internal root path cost. */
  get cistInternalCost(): number {
    return this.u32(FIELD_CIST_INTERNAL_COST);
  }

  /** The CIST bridge identifier. */
  get cistBridgeId(): string {
    return bridgeIdText(this.view, this.offset + FIELD_CIST_BRIDGE);
  }

  /** The CIST bridge's MAC address. */
  get cistBridgeMac(): string {
    return formatMac(this.view, this.offset + FIELD_CIST_BRIDGE + 2, 6);
  }

  /** The CIST bridge's priority word. */
  get cistBridgePriorityWord(): number {
    return this.u16(FIELD_CIST_BRIDGE);
  }

  /** The CIST remaining hops. */
  get cistHops(): number {
    return this.u8(FIELD_CIST_HOPS);
  }

  /** How many MSTI messages the version 3 length announces (at most `MAX_MSTIS`). */
  get mstiCount(): number {
    const v3 = this.v3Length;
    if (v3 <= MSTP_CONFIG_INFO_LENGTH) return 0;
    return Math.min(Math.floor((v3 - MSTP_CONFIG_INFO_LENGTH) / MSTI_LENGTH), MAX_MSTIS);
  }

  /** Where MSTI `index`'s message starts, in the view's buffer. */
  mstiAt(index: number): number {
    return this.offset + MSTP_MSTI_OFFSET + index * MSTI_LENGTH;
  }

  /** MSTI `index`'s regional root identifier, as `rootId` is written. */
  mstiRegionalRoot(index: number): string {
    return bridgeIdText(this.view, this.mstiAt(index) + MSTI_REGIONAL_ROOT);
  }

  /**
   * Why tcpdump calls the BPDU invalid for its `length` (the 802.3 payload after LLC), or
   * undefined: too short for its type, a version 1 length that is not 0, a version 3 or 4
   * length beyond it. (print-stp.c's checks.)
   */
  problem(length: number): string | undefined {
    if (length < STP_MIN_LENGTH) return `length ${length} is under ${STP_MIN_LENGTH}`;
    if (this.protocolId !== 0) return undefined;
    const version = this.version;
    if (version !== 0 && version !== 2 && version !== 3 && version !== 4) return undefined;
    const type = this.bpduType;
    if (type === STP_TYPE_CONFIG && length < CONFIG_LENGTH) {
      return `length ${length} is under a configuration BPDU's ${CONFIG_LENGTH}`;
    }
    if (type !== STP_TYPE_RST) return undefined;
    if (version === STP_VERSION_RSTP && length < RST_LENGTH) {
      return `length ${length} is under an RST BPDU's ${RST_LENGTH}`;
    }
    if (version !== STP_VERSION_MSTP && version !== STP_VERSION_SPB) return undefined;
    if (length < MSTP_MIN_LENGTH) {
      return `length ${length} is under an MST BPDU's ${MSTP_MIN_LENGTH}`;
    }
    if (this.v1Length !== 0) return `version 1 length ${this.v1Length} is not 0`;
    const v3 = this.v3Length + 2;
    if (length < RST_LENGTH + v3) return `version 3 length ${v3 - 2} is beyond the BPDU`;
    if (version === STP_VERSION_SPB) {
      const at = FIELD_V3_LENGTH + v3;
      if (this.offset + at + 2 > this.end) return `version 4 length is beyond the BPDU`;
      const v4 = this.u16(at) + 2;
      if (length < RST_LENGTH + v3 + v4 || v4 < SPB_MIN_LENGTH) {
        return `version 4 length ${v4 - 2} does not fit the BPDU`;
      }
    }
    return undefined;
  }

  /** The bytes a BPDU of its version and type holds, which must all be captured. */
  get wholeLength(): number {
    const type = this.bpduType;
    if (type === STP_TYPE_CONFIG) return CONFIG_LENGTH;
    if (type !== STP_TYPE_RST) return STP_MIN_LENGTH;
    if (this.isMstp) return RST_LENGTH + this.v3Length + 2;
    return this.version === STP_VERSION_RSTP ? RST_LENGTH : STP_MIN_LENGTH;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): StpJson {
    const json: StpJson = { version: this.version, type: this.bpduType };
    if (!this.hasConfiguration) return json;
    return {
      ...json,
      flags: this.flags,
      rootId: this.rootId,
      rootPathCost: this.rootPathCost,
      bridgeId: this.bridgeId,
      portId: this.portId,
      messageAge: this.messageAge,
      maxAge: this.maxAge,
      helloTime: this.helloTime,
      forwardDelay: this.forwardDelay,
    };
  }
}

/** MSTP's part, read only when the version 1 length is 0 as it must be (tshark stops else). */
const mstp = (stp: StpBpdu, read: (stp: StpBpdu) => number | string) =>
  stp.isMstp && stp.v1Length === 0 && stp.offset + MSTP_MIN_LENGTH <= stp.end
    ? read(stp)
    : undefined;

const configured = (stp: StpBpdu, read: (stp: StpBpdu) => number | string) =>
  stp.hasConfiguration ? read(stp) : undefined;

/** The BPDU's fields under tshark's names (priorities split from the extended system ID). */
export const STP_FIELDS: FieldTable<StpBpdu> = {
  "stp.protocol": (stp) => stp.protocolId,
  "stp.version": (stp) => stp.version,
  "stp.type": (stp) => stp.bpduType,
  "stp.flags": (stp) => configured(stp, (s) => s.flags),
  "stp.root.prio": (stp) => configured(stp, (s) => s.rootPriorityWord & 0xf000),
  "stp.root.ext": (stp) => configured(stp, (s) => s.rootPriorityWord & 0x0fff),
  "stp.root.hw": (stp) => configured(stp, (s) => s.rootMac),
  "stp.root.cost": (stp) => configured(stp, (s) => s.rootPathCost),
  "stp.bridge.prio": (stp) => configured(stp, (s) => s.bridgePriorityWord & 0xf000),
  "stp.bridge.ext": (stp) => configured(stp, (s) => s.bridgePriorityWord & 0x0fff),
  "stp.bridge.hw": (stp) => configured(stp, (s) => s.bridgeMac),
  "stp.port": (stp) => configured(stp, (s) => s.portId),
  "stp.msg_age": (stp) => configured(stp, (s) => s.messageAge),
  "stp.max_age": (stp) => configured(stp, (s) => s.maxAge),
  "stp.hello": (stp) => configured(stp, (s) => s.helloTime),
  "stp.forward": (stp) => configured(stp, (s) => s.forwardDelay),
  "mstp.version_3_length": (stp) => mstp(stp, (s) => s.v3Length),
  "mstp.config_name": (stp) => mstp(stp, (s) => s.mcidName),
  "mstp.cist_internal_root_path_cost": (stp) => mstp(stp, (s) => s.cistInternalCost),
  "mstp.cist_bridge.hw": (stp) => mstp(stp, (s) => s.cistBridgeMac),
  "mstp.cist_remaining_hops": (stp) => mstp(stp, (s) => s.cistHops),
};

/** The JSON object's keys in their order. */
export const STP_JSON_KEYS: readonly string[] = [
  "version",
  "type",
  "flags",
  "rootId",
  "rootPathCost",
  "bridgeId",
  "portId",
  "messageAge",
  "maxAge",
  "helloTime",
  "forwardDelay",
] as const satisfies readonly (keyof StpJson)[];
