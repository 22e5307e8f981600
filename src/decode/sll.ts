/**
 * Linux cooked capture headers, v1 (`LINKTYPE_LINUX_SLL`, 16 bytes) and v2
 * (`LINKTYPE_LINUX_SLL2`, 20 bytes), as libpcap writes them for `-i any`
 * (tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and LINKTYPE_LINUX_SLL2.html).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SllHeader, SLL_HEADER_LENGTH } from "./mod.ts";
 * const bytes = new Uint8Array(SLL_HEADER_LENGTH);
 * bytes.set([0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00]);
 * const sll = new SllHeader().bindVersion(new DataView(bytes.buffer), 0, 16, 1);
 * assert.deepEqual([sll.direction, sll.address, sll.protocol], ["Out", "02:00:00:00:00:01", 2048]);
 * ```
 * @module
 */

import { formatMac } from "./address.ts";
import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** Length of a v1 header. */
export const SLL_HEADER_LENGTH = 16;
/** Length of a v2 header. */
export const SLL2_HEADER_LENGTH = 20;

// Where each field of a v1 header lies (libpcap's LINKTYPE_LINUX_SLL), from its start.
const SLL1_PACKET_TYPE = 0;
const SLL1_HARDWARE_TYPE = 2;
const SLL1_ADDRESS_LENGTH = 4;
const SLL1_ADDRESS = 6;
const SLL1_PROTOCOL = 14;

// Where each field of a v2 header lies (LINKTYPE_LINUX_SLL2): the protocol comes first.
const SLL2_PROTOCOL = 0;
const SLL2_INTERFACE_INDEX = 4;
const SLL2_HARDWARE_TYPE = 8;
const SLL2_PACKET_TYPE = 10;
const SLL2_ADDRESS_LENGTH = 11;
const SLL2_ADDRESS = 12;

/** ARPHRD_NETLINK: cooked frames whose protocol field is a netlink family, not an EtherType. */
const ARPHRD_NETLINK = 824;
/** ARPHRD_IPGRE: the protocol field is GRE's protocol type, `sll.gretype` to tshark. */
const ARPHRD_IPGRE = 778;
/**
 * The largest protocol field Linux reads as one of its own protocol numbers (ETH_P_802_2 and
 * the like, `sll.ltype`) rather than an EtherType: 1536, as Linux and tshark have it.
 */
const LINUX_PROTOCOL_MAX = 1536;

/** A 6-byte link-layer address: Ethernet's. */
const ETHERNET_ADDRESS_LENGTH = 6;

/** Both versions store at most 8 bytes of the link-layer address. */
const ADDRESS_BYTES = 8;

/** `sll_pkttype` values and the words tcpdump prints for them. */
const PACKET_TYPES = ["In", "B", "M", "P", "Out"] as const;

/** A view of a Linux cooked header of either version. */
export class SllHeader extends HeaderView {
  /** 1 or 2. */
  version: 1 | 2 = 1;

  /** Binds a header of the given version. */
  bindVersion(view: DataView, offset: number, end: number, version: 1 | 2): this {
    this.version = version;
    return this.bind(view, offset, end);
  }

  /** The packet type: 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us. */
  get packetType(): number {
    return this.version === 1
      ? this.view.getUint16(this.offset + SLL1_PACKET_TYPE)
      : this.view.getUint8(this.offset + SLL2_PACKET_TYPE);
  }

  /** tcpdump's word for the packet type: `In`, `B`, `M`, `P` or `Out` (`type-N` beyond). */
  get direction(): string {
    return PACKET_TYPES[this.packetType] ?? `type-${this.packetType}`;
  }

  /** The word tcpdump prints for the packet type: `direction`, or `?` for one it has none for. */
  get directionWord(): string {
    return PACKET_TYPES[this.packetType] ?? "?";
  }

  /** The length of an Ethernet address, the only kind tcpdump prints in `-e`'s cooked header. */
  get hasEthernetAddress(): boolean {
    return this.addressLength === ETHERNET_ADDRESS_LENGTH;
  }

  /** The ARPHRD_ type of the interface (1 Ethernet, 772 loopback, …). */
  get hardwareType(): number {
    return this.view.getUint16(
      this.offset + (this.version === 1 ? SLL1_HARDWARE_TYPE : SLL2_HARDWARE_TYPE),
    );
  }

  /** Whether the frame came from a netlink socket: its protocol is a netlink family. */
  get isNetlink(): boolean {
    return this.hardwareType === ARPHRD_NETLINK;
  }

  /** Link-layer address length, as the header gives it. */
  get addressLength(): number {
    return this.version === 1
      ? this.view.getUint16(this.offset + SLL1_ADDRESS_LENGTH)
      : this.view.getUint8(this.offset + SLL2_ADDRESS_LENGTH);
  }

  /** The link-layer source address (at most 8 bytes are stored). */
  get address(): string {
    const length = Math.min(this.addressLength, ADDRESS_BYTES);
    const at = this.offset + (this.version === 1 ? SLL1_ADDRESS : SLL2_ADDRESS);
    return length === 0 ? "" : formatMac(this.view, at, length);
  }

  /** Interface index (v2 only; 0 for v1). */
  get interfaceIndex(): number {
    return this.version === 2 ? this.view.getUint32(this.offset + SLL2_INTERFACE_INDEX) : 0;
  }

  /** The protocol of the payload: an EtherType, or a small Linux `ETH_P_*` value. */
  get protocol(): number {
    return this.view.getUint16(
      this.offset + (this.version === 1 ? SLL1_PROTOCOL : SLL2_PROTOCOL),
    );
  }

  /** The documented JSON form. */
  toJSON(): {
    version: number;
    packetType: number;
    direction: string;
    hardwareType: number;
    address: string;
    interfaceIndex?: number;
    protocol: number;
  } {
    return {
      version: this.version,
      packetType: this.packetType,
      direction: this.direction,
      hardwareType: this.hardwareType,
      address: this.address,
      ...(this.version === 2 ? { interfaceIndex: this.interfaceIndex } : {}),
      protocol: this.protocol,
    };
  }
}

/** What the protocol field is, by the interface's type, as tshark names it (netlink: none). */
function sllKind(sll: SllHeader): "etype" | "ltype" | "gretype" | undefined {
  const hardwareType = sll.hardwareType;
  if (hardwareType === ARPHRD_NETLINK) return undefined;
  if (hardwareType === ARPHRD_IPGRE) return "gretype";
  return sll.protocol <= LINUX_PROTOCOL_MAX ? "ltype" : "etype";
}

/** The cooked header's fields under tshark's names (`sll.ifindex`: version 2 only). */
export const SLL_FIELDS: FieldTable<SllHeader> = {
  "sll.pkttype": (sll) => sll.packetType,
  "sll.hatype": (sll) => sll.hardwareType,
  "sll.src.eth": (sll) => sll.address,
  "sll.etype": (sll) => sllKind(sll) === "etype" ? sll.protocol : undefined,
  "sll.ltype": (sll) => sllKind(sll) === "ltype" ? sll.protocol : undefined,
  "sll.gretype": (sll) => sllKind(sll) === "gretype" ? sll.protocol : undefined,
  "sll.ifindex": (sll) => sll.version === 2 ? sll.interfaceIndex : undefined,
};

/**
 * The JSON object's keys in their order: `toJSON`, the fast JSON writer and docs/json.md follow
 * this one declaration (tests/json_keys_test.ts holds all three to it). A key may be absent
 * from an object, never out of order.
 */
export const SLL_JSON_KEYS: readonly string[] = [
  "version",
  "packetType",
  "direction",
  "hardwareType",
  "address",
  "interfaceIndex",
  "protocol",
  // Not the header's: the output adds the name this machine gives `interfaceIndex`.
  "interfaceName",
] as const;
