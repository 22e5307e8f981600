/**
 * The interfaces libpcap can capture on (`pcap_findalldevs`), with their addresses and flags.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadLibpcap } from "./library.ts";
 * import { listInterfaces } from "./interfaces.ts";
 * const lo = listInterfaces(loadLibpcap()).find((device) => device.name === "lo");
 * assert.ok(lo?.loopback && lo.addresses.some((address) => address.address === "127.0.0.1"));
 * ```
 * @module
 */

import { formatIpv4, formatIpv6, formatMac } from "../decode/address.ts";
import { cString, errbufText, type Libpcap, PCAP_ERRBUF_SIZE, PCAP_ERROR } from "./library.ts";
import { CaptureError } from "./capture_error.ts";

/** `PCAP_IF_LOOPBACK`. */
export const PCAP_IF_LOOPBACK = 0x1;
/** `PCAP_IF_UP`. */
export const PCAP_IF_UP = 0x2;
/** `PCAP_IF_RUNNING`. */
export const PCAP_IF_RUNNING = 0x4;
/** `PCAP_IF_WIRELESS`. */
export const PCAP_IF_WIRELESS = 0x8;
/** `PCAP_IF_CONNECTION_STATUS` mask and its values. */
export const PCAP_IF_CONNECTION_STATUS = 0x30;
const CONNECTION_STATUS = ["unknown", "connected", "disconnected", "not applicable"];

/** One address of an interface. */
export interface InterfaceAddress {
  /** `ipv4`, `ipv6` or `link`. */
  family: "ipv4" | "ipv6" | "link";
  /** The address as text. */
  address: string;
  /** The netmask as text, where there is one. */
  netmask?: string;
}

/** An interface as `pcap_findalldevs` describes it. */
export interface NetworkInterface {
  /** The name to capture on (`eth0`, `\Device\NPF_{…}`). */
  name: string;
  /** A description, where the system has one (Windows' friendly name, …). */
  description: string;
  /** IPv4, IPv6 and link-layer addresses. */
  addresses: InterfaceAddress[];
  /** Loopback interface. */
  loopback: boolean;
  /** Administratively up. */
  up: boolean;
  /** Operationally running. */
  running: boolean;
  /** Wireless interface. */
  wireless: boolean;
  /** `connected`, `disconnected`, `unknown` or `not applicable`. */
  connection: string;
}

const OS = Deno.build.os;
/** Address families by platform: Linux, the BSDs/macOS (with `sa_len`), and Windows. */
const AF_INET = 2;
const AF_INET6 = OS === "linux" ? 10 : OS === "windows" ? 23 : OS === "darwin" ? 30 : 28;
const AF_LINK = OS === "linux" ? 17 : 18; // AF_PACKET on Linux, AF_LINK on the BSDs
const HAS_SA_LEN = OS !== "linux" && OS !== "windows";

function readSockaddr(pointer: Deno.PointerValue): InterfaceAddress | undefined {
  if (pointer === null) return undefined;
  const view = new Deno.UnsafePointerView(pointer);
  const family = HAS_SA_LEN ? view.getUint8(1) : view.getUint16(0);
  const read = (offset: number, length: number) =>
    new DataView(view.getArrayBuffer(length, offset));
  if (family === AF_INET) return { family: "ipv4", address: formatIpv4(read(4, 4), 0) };
  if (family === AF_INET6) return { family: "ipv6", address: formatIpv6(read(8, 16), 0) };
  if (family === AF_LINK) {
    if (OS === "linux") {
      const length = view.getUint8(11); // sockaddr_ll.sll_halen
      if (length === 0) return undefined;
      return { family: "link", address: formatMac(read(12, length), 0, length) };
    }
    // sockaddr_dl: name length at 5, address length at 6, data (name then address) at 8.
    const nameLength = view.getUint8(5);
    const length = view.getUint8(6);
    if (length === 0) return undefined;
    return { family: "link", address: formatMac(read(8 + nameLength, length), 0, length) };
  }
  return undefined;
}

/** Lists every interface libpcap can open, in libpcap's order (up and running ones first). */
export function listInterfaces(lib: Libpcap): NetworkInterface[] {
  const pcap = lib.pcap;
  const first = new BigUint64Array(1);
  const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
  if (pcap.pcap_findalldevs(new Uint8Array(first.buffer), errbuf) !== 0) {
    throw new CaptureError(`cannot list interfaces: ${errbufText(errbuf)}`, PCAP_ERROR);
  }
  const head = Deno.UnsafePointer.create(first[0]);
  const devices: NetworkInterface[] = [];
  try {
    // struct pcap_if { next, name, description, addresses, flags }
    for (let node = head; node !== null;) {
      const view = new Deno.UnsafePointerView(node);
      const flags = view.getUint32(32);
      const addresses: InterfaceAddress[] = [];
      // struct pcap_addr { next, addr, netmask, broadaddr, dstaddr }
      for (let entry = view.getPointer(24); entry !== null;) {
        const entryView = new Deno.UnsafePointerView(entry);
        const address = readSockaddr(entryView.getPointer(8));
        if (address) {
          const netmask = readSockaddr(entryView.getPointer(16));
          if (netmask && netmask.family === address.family) address.netmask = netmask.address;
          addresses.push(address);
        }
        entry = entryView.getPointer(0);
      }
      devices.push({
        name: cString(view.getPointer(8)),
        description: cString(view.getPointer(16)),
        addresses,
        loopback: (flags & PCAP_IF_LOOPBACK) !== 0,
        up: (flags & PCAP_IF_UP) !== 0,
        running: (flags & PCAP_IF_RUNNING) !== 0,
        wireless: (flags & PCAP_IF_WIRELESS) !== 0,
        connection: CONNECTION_STATUS[(flags & PCAP_IF_CONNECTION_STATUS) >> 4],
      });
      node = view.getPointer(0);
    }
  } finally {
    if (head !== null) pcap.pcap_freealldevs(head);
  }
  return devices;
}

/**
 * The interface tcpdump would pick when none is named: the first that is up and not a
 * loopback, preferring running ones; `undefined` when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultInterface } from "./interfaces.ts";
 * const lo = { name: "lo", description: "", addresses: [], loopback: true, up: true,
 *   running: true, wireless: false, connection: "not applicable" };
 * const eth0 = { ...lo, name: "eth0", loopback: false };
 * assert.deepEqual(defaultInterface([lo, eth0])?.name, "eth0");
 * ```
 */
export function defaultInterface(devices: NetworkInterface[]): NetworkInterface | undefined {
  const candidates = devices.filter((device) =>
    device.up && !device.loopback && device.name !== "any" &&
    !device.name.startsWith("bluetooth") && !device.name.startsWith("dbus") &&
    !device.name.startsWith("nflog") && !device.name.startsWith("nfqueue")
  );
  return candidates.find((device) => device.running) ?? candidates[0];
}

/** `IF_NAMESIZE` on Linux and the BSDs: the longest name and its NUL. */
const IF_NAMESIZE = 16;
/** How long an index with no name stays unknown before it is asked again (a new veth). */
const UNKNOWN_INDEX_RETRY_MS = 1000;

/**
 * The kernel's index of an interface (`if_nametoindex`), or 0 when there is none (`any`) or
 * libc does not say.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadLibpcap } from "./library.ts";
 * import { interfaceIndex, interfaceNamer } from "./interfaces.ts";
 * const lib = loadLibpcap();
 * assert.equal(interfaceNamer(lib)(interfaceIndex(lib, "lo")), "lo");
 * assert.equal(interfaceIndex(lib, "no-such-interface"), 0);
 * ```
 */
export function interfaceIndex(lib: Libpcap, name: string): number {
  const lookup = lib.libc.if_nametoindex;
  return lookup ? lookup(new TextEncoder().encode(`${name}\0`)) : 0;
}

/**
 * `-i any`'s interface names: a function from an interface index to its name, as
 * `if_indextoname` gives it on this machine, or `?` as tcpdump prints an index it cannot name
 * (a file from elsewhere, an interface gone). Names are remembered; an unknown index is asked
 * again at most once a second, so an interface made during a capture gets its name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadLibpcap } from "./library.ts";
 * import { interfaceNamer } from "./interfaces.ts";
 * const nameOf = interfaceNamer(loadLibpcap());
 * const loIndex = Number(Deno.readTextFileSync("/sys/class/net/lo/ifindex"));
 * assert.equal(nameOf(loIndex), "lo");
 * assert.equal(nameOf(0), "?");
 * ```
 */
export function interfaceNamer(lib: Libpcap): (index: number) => string {
  const lookup = lib.libc.if_indextoname;
  const names = new Map<number, string>();
  const unknownSince = new Map<number, number>();
  const buffer = new Uint8Array(IF_NAMESIZE);
  return (index: number): string => {
    const known = names.get(index);
    if (known !== undefined) return known;
    const asked = unknownSince.get(index);
    const now = Date.now();
    if (!lookup || (asked !== undefined && now - asked < UNKNOWN_INDEX_RETRY_MS)) {
      return "?";
    }
    if (index > 0 && lookup(index, buffer) !== null) {
      const name = errbufText(buffer);
      names.set(index, name);
      unknownSince.delete(index);
      return name;
    }
    unknownSince.set(index, now);
    return "?";
  };
}
