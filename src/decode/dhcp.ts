/**
 * A BOOTP or DHCPv4 message (RFC 951, RFC 2131): operation, transaction ID, addresses, the
 * client's hardware address, and the options after the magic cookie (RFC 2132): message type,
 * requested address, host name, server ID, lease time, parameter request list. UDP ports 67
 * and 68. The option walk stops at the end option, at the end of the captured bytes, or at an
 * option that runs past them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DhcpMessage } from "./mod.ts";
 * const bytes = new Uint8Array(244);
 * bytes.set([1, 1, 6, 0, 0x12, 0x34, 0x56, 0x78]); // request, Ethernet, xid 0x12345678
 * bytes.set([2, 0, 0, 0, 0, 1], 28); // client MAC 02:00:00:00:00:01
 * bytes.set([99, 130, 83, 99, 53, 1, 1, 255], 236); // cookie, message type Discover, end
 * const dhcp = new DhcpMessage().bind(new DataView(bytes.buffer), 0, 244);
 * assert.deepEqual([dhcp.transactionId, dhcp.clientMac, dhcp.messageTypeName], [0x12345678, "02:00:00:00:00:01", "Discover"]);
 * ```
 * @module
 */

import { formatIpv4, formatMac } from "./address.ts";
import { HeaderView } from "./header.ts";
import type { FieldTable } from "./field.ts";

/** The server's port. */
export const BOOTP_SERVER_PORT = 67;
/** The client's port. */
export const BOOTP_CLIENT_PORT = 68;

// Where each field lies (RFC 2131 figure 1), in bytes from the message's start.
const FIELD_OP = 0;
const FIELD_HTYPE = 1;
const FIELD_HLEN = 2;
const FIELD_HOPS = 3;
const FIELD_XID = 4;
const FIELD_SECS = 8;
const FIELD_FLAGS = 10;
const FIELD_CIADDR = 12;
const FIELD_YIADDR = 16;
const FIELD_SIADDR = 20;
const FIELD_GIADDR = 24;
const FIELD_CHADDR = 28;
const FIELD_SNAME = 44;
const FIELD_FILE = 108;
/** The vendor area: the magic cookie, then the options (RFC 2132 section 2). */
const FIELD_VENDOR = 236;
const FIELD_OPTIONS = 240;
/** The fixed part before the vendor area. */
export const BOOTP_FIXED_LENGTH: number = FIELD_VENDOR;
const SNAME_LENGTH = 64;
const FILE_LENGTH = 128;

/** The magic cookie that says RFC 1048 options follow. */
export const DHCP_MAGIC_COOKIE = 0x63825363;
/** BOOTREQUEST and BOOTREPLY. */
export const BOOTP_REQUEST = 1;
/** A reply. */
export const BOOTP_REPLY = 2;
const HTYPE_ETHERNET = 1;
const ETHERNET_LENGTH = 6;
/** ARPHRD_IEEE802 (RFC 1700): a client identifier's other hardware type with a MAC. */
const HTYPE_IEEE802 = 6;

// Option codes (RFC 2132).
/** Padding: one byte, no length. */
export const DHCP_OPTION_PAD = 0;
/** The end of the options: one byte, no length. */
export const DHCP_OPTION_END = 255;
const OPTION_HOSTNAME = 12;
const OPTION_REQUESTED_IP = 50;
const OPTION_LEASE_TIME = 51;
const OPTION_MESSAGE_TYPE = 53;
const OPTION_SERVER_ID = 54;
const OPTION_PARAMETER_REQUEST = 55;
const OPTION_CLIENT_IDENTIFIER = 61;
/** At most this many options are walked. */
const MAX_OPTIONS = 255;

/** DHCP message types (RFC 2132 section 9.6, RFC 4388) as tcpdump names them. */
const MESSAGE_TYPE_NAMES: readonly string[] = [
  "",
  "Discover",
  "Offer",
  "Request",
  "Decline",
  "ACK",
  "NACK",
  "Release",
  "Inform",
  "",
  "LeaseQuery",
  "LeaseUnassigned",
  "LeaseUnknown",
  "LeaseActive",
];

/** The JSON form of a BOOTP/DHCP message (docs/json.md). */
export interface DhcpJson {
  /** 1 request, 2 reply. */
  op: number;
  /** Transaction ID. */
  xid: number;
  /** Seconds since the client began. */
  secs: number;
  /** The broadcast flag. */
  broadcast: boolean;
  /** The client's hardware address (Ethernet), or null for other hardware. */
  clientMac: string | null;
  /** ciaddr: the client's address when it has one. */
  clientIp: string;
  /** yiaddr: the address offered or assigned. */
  yourIp: string;
  /** siaddr: the next server. */
  serverIp: string;
  /** giaddr: the relay agent. */
  gatewayIp: string;
  /** DHCP message type (option 53), when present. */
  messageType?: number;
  /** Its name: `Discover`, `Offer`, `Request`, `ACK`, … */
  messageTypeName?: string;
  /** Option 50. */
  requestedIp?: string;
  /** Option 12. */
  hostname?: string;
  /** Option 54. */
  serverId?: string;
  /** Option 51, seconds. */
  leaseTime?: number;
  /** Option 55: the option codes asked for. */
  parameterRequestList?: number[];
  /** Every option's code, in order (pad and end left out). */
  options?: number[];
  /** The options stop short: an option runs past the message, or the capture ended. */
  optionsCut?: boolean;
  /** The fixed 236 bytes were not all captured: only `op` is given. */
  truncated?: boolean;
}

/** One option as `DhcpMessage.nextOption` found it. */
export interface DhcpOption {
  /** Option code. */
  code: number;
  /** Where its data begins (absolute). */
  dataAt: number;
  /** Its length. */
  length: number;
}

/** A view of a BOOTP/DHCP message. */
export class DhcpMessage extends HeaderView {
  /** Operation: 1 request, 2 reply. */
  get op(): number {
    return this.u8(FIELD_OP);
  }

  /** Hardware type (1 Ethernet). */
  get hardwareType(): number {
    return this.u8(FIELD_HTYPE);
  }

  /** Hardware address length. */
  get hardwareLength(): number {
    return this.u8(FIELD_HLEN);
  }

  /** Relay hops. */
  get hops(): number {
    return this.u8(FIELD_HOPS);
  }

  /** Transaction ID. */
  get transactionId(): number {
    return this.u32(FIELD_XID);
  }

  /** Seconds elapsed. */
  get secs(): number {
    return this.u16(FIELD_SECS);
  }

  /** The flags word (0x8000 broadcast). */
  get flags(): number {
    return this.u16(FIELD_FLAGS);
  }

  /** An address field: 0 ciaddr, 1 yiaddr, 2 siaddr, 3 giaddr. */
  address(which: number): number {
    return this.u32(FIELD_CIADDR + 4 * which);
  }

  /** Whether the client's hardware address is an Ethernet MAC. */
  get hasEthernetAddress(): boolean {
    return this.hardwareType === HTYPE_ETHERNET && this.hardwareLength === ETHERNET_LENGTH;
  }

  /** Where the client's hardware address lies (absolute). */
  get clientMacAt(): number {
    return this.offset + FIELD_CHADDR;
  }

  /** The client's MAC, or null when the hardware is not Ethernet. */
  get clientMac(): string | null {
    return this.hasEthernetAddress ? formatMac(this.view, this.clientMacAt) : null;
  }

  /** Where the server name and the boot file name lie (absolute), and their lengths. */
  get nameFields(): [number, number, number, number] {
    return [this.offset + FIELD_SNAME, SNAME_LENGTH, this.offset + FIELD_FILE, FILE_LENGTH];
  }

  /** The first four bytes of the vendor area (the magic cookie for DHCP). */
  get vendorWord(): number {
    return this.u32(FIELD_VENDOR);
  }

  /** Whether RFC 1048 options follow (the magic cookie is there). */
  get hasOptions(): boolean {
    return this.end - this.offset >= FIELD_OPTIONS && this.vendorWord === DHCP_MAGIC_COOKIE;
  }

  /** Where the options begin (absolute). */
  get optionsAt(): number {
    return this.offset + FIELD_OPTIONS;
  }

  /**
   * Reads the option at `at` into `option`; returns where the next begins, or -1 at the end
   * option, at the end of the bytes, or when the option's length runs past them
   * (`optionCut` is then set). Pad is an option of its own with no length.
   */
  nextOption(at: number, option: DhcpOption): number {
    this.optionCut = false;
    if (at >= this.end) {
      option.code = DHCP_OPTION_END;
      return -1;
    }
    const code = this.view.getUint8(at);
    option.code = code;
    if (code === DHCP_OPTION_PAD || code === DHCP_OPTION_END) {
      option.dataAt = at + 1;
      option.length = 0;
      return code === DHCP_OPTION_END ? -1 : at + 1;
    }
    if (at + 2 > this.end) {
      this.optionCut = true;
      return -1;
    }
    option.length = this.view.getUint8(at + 1);
    option.dataAt = at + 2;
    if (option.dataAt + option.length > this.end) {
      this.optionCut = true;
      return -1;
    }
    return option.dataAt + option.length;
  }

  /** Whether the last `nextOption` stopped at an option cut short. */
  optionCut = false;

  /** Calls `each` for every option but pad, in order, with one reused object (bounded). */
  forEachOption(each: (option: DhcpOption) => void): boolean {
    if (!this.hasOptions) return false;
    const option = this.#option;
    let at = this.optionsAt;
    for (let count = 0; count < MAX_OPTIONS && at >= 0; count++) {
      at = this.nextOption(at, option);
      if (this.optionCut) return true;
      if (option.code !== DHCP_OPTION_PAD && option.code !== DHCP_OPTION_END) each(option);
    }
    return false;
  }

  readonly #option: DhcpOption = { code: 0, dataAt: 0, length: 0 };

  /** The data of the first option `code`, as its position and length, or null. */
  findOption(code: number): DhcpOption | null {
    let found: DhcpOption | null = null;
    this.forEachOption((option) => {
      if (found === null && option.code === code) found = { ...option };
    });
    return found;
  }

  /** The DHCP message type (option 53), or undefined for plain BOOTP. */
  get messageType(): number | undefined {
    const option = this.findOption(OPTION_MESSAGE_TYPE);
    return option !== null && option.length === 1 ? this.view.getUint8(option.dataAt) : undefined;
  }

  /** Its name as tcpdump writes it: `Discover`, `Offer`, `Request`, `ACK`, … */
  get messageTypeName(): string | undefined {
    const type = this.messageType;
    return type === undefined ? undefined : dhcpMessageTypeName(type);
  }

  /**
   * The MACs tshark shows as `dhcp.hw.mac_addr`: the client's, and one a client identifier
   * (option 61) holds as a hardware type of Ethernet or IEEE 802 and six bytes.
   */
  get hardwareMacs(): string[] {
    const macs: string[] = [];
    const client = this.clientMac;
    if (client !== null) macs.push(client);
    const identifier = this.findOption(OPTION_CLIENT_IDENTIFIER);
    if (identifier !== null && identifier.length === 1 + ETHERNET_LENGTH) {
      const type = this.view.getUint8(identifier.dataAt);
      if (type === HTYPE_ETHERNET || type === HTYPE_IEEE802) {
        macs.push(formatMac(this.view, identifier.dataAt + 1));
      }
    }
    return macs;
  }

  #addressOption(code: number): string | undefined {
    const option = this.findOption(code);
    return option !== null && option.length === 4
      ? formatIpv4(this.view, option.dataAt)
      : undefined;
  }

  /** The documented JSON form (see docs/json.md). */
  toJSON(): DhcpJson {
    if (this.truncated) return { op: this.op, truncated: true } as DhcpJson;
    const json: DhcpJson = {
      op: this.op,
      xid: this.transactionId,
      secs: this.secs,
      broadcast: (this.flags & 0x8000) !== 0,
      clientMac: this.clientMac,
      clientIp: formatIpv4(this.view, this.offset + FIELD_CIADDR),
      yourIp: formatIpv4(this.view, this.offset + FIELD_YIADDR),
      serverIp: formatIpv4(this.view, this.offset + FIELD_SIADDR),
      gatewayIp: formatIpv4(this.view, this.offset + FIELD_GIADDR),
    };
    if (!this.hasOptions) return json;
    const type = this.messageType;
    if (type !== undefined) {
      json.messageType = type;
      json.messageTypeName = dhcpMessageTypeName(type);
    }
    const requested = this.#addressOption(OPTION_REQUESTED_IP);
    if (requested !== undefined) json.requestedIp = requested;
    const hostname = this.findOption(OPTION_HOSTNAME);
    if (hostname !== null) {
      let text = "";
      for (let i = 0; i < hostname.length; i++) {
        const byte = this.view.getUint8(hostname.dataAt + i);
        text += byte >= 0x20 && byte < 0x7f
          ? String.fromCharCode(byte)
          : `\\x${byte.toString(16).padStart(2, "0")}`;
      }
      json.hostname = text;
    }
    const server = this.#addressOption(OPTION_SERVER_ID);
    if (server !== undefined) json.serverId = server;
    const lease = this.findOption(OPTION_LEASE_TIME);
    if (lease !== null && lease.length === 4) json.leaseTime = this.view.getUint32(lease.dataAt);
    const request = this.findOption(OPTION_PARAMETER_REQUEST);
    if (request !== null) {
      json.parameterRequestList = Array.from(
        { length: request.length },
        (_, i) => this.view.getUint8(request.dataAt + i),
      );
    }
    const codes: number[] = [];
    if (this.forEachOption((option) => codes.push(option.code))) json.optionsCut = true;
    json.options = codes;
    return json;
  }
}

/** A DHCP message type's name as tcpdump writes it; `Unknown (N)` past the table. */
export function dhcpMessageTypeName(type: number): string {
  return MESSAGE_TYPE_NAMES[type] || `Unknown (${type})`;
}

/** DHCP's fields under tshark's names. */
export const DHCP_FIELDS: FieldTable<DhcpMessage> = {
  // A message cut short gives only what tcpdump shows of it; tshark's fields are left out.
  "dhcp.type": (dhcp) => dhcp.op,
  "dhcp.id": (dhcp) => dhcp.transactionId,
  "dhcp.secs": (dhcp) => dhcp.secs,
  "dhcp.ip.client": (dhcp) => formatIpv4(dhcp.dataView, dhcp.offset + FIELD_CIADDR),
  "dhcp.ip.your": (dhcp) => formatIpv4(dhcp.dataView, dhcp.offset + FIELD_YIADDR),
  "dhcp.hw.mac_addr": (dhcp) => {
    const macs = dhcp.hardwareMacs;
    return macs.length === 0 ? undefined : macs.length === 1 ? macs[0] : macs;
  },
  "dhcp.option.dhcp": (dhcp) => dhcp.messageType,
  "dhcp.option.requested_ip_address": (dhcp) => dhcp.toJSON().requestedIp,
  "dhcp.option.hostname": (dhcp) => dhcp.toJSON().hostname,
  "dhcp.option.dhcp_server_id": (dhcp) => dhcp.toJSON().serverId,
  "dhcp.option.ip_address_lease_time": (dhcp) => dhcp.toJSON().leaseTime,
  "dhcp.option.request_list_item": (dhcp) => dhcp.toJSON().parameterRequestList,
};

/** The JSON object's keys in their order. */
export const DHCP_JSON_KEYS: readonly string[] = [
  "op",
  "xid",
  "secs",
  "broadcast",
  "clientMac",
  "clientIp",
  "yourIp",
  "serverIp",
  "gatewayIp",
  "messageType",
  "messageTypeName",
  "requestedIp",
  "hostname",
  "serverId",
  "leaseTime",
  "parameterRequestList",
  "options",
  "optionsCut",
  "truncated",
] as const satisfies readonly (keyof DhcpJson)[];
