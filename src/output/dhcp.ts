/**
 * BOOTP/DHCP's output as tcpdump prints it (`bootp_print`): `BOOTP/DHCP, Request from
 * 02:00:00:00:00:01, length 300`, and with `-v` the header's interesting fields and every
 * option after the magic cookie, each in the format tcpdump's table gives it (addresses,
 * numbers, text, booleans, bytes) and the special ones (client ID, client FQDN, classless
 * routes, agent information, user class) in their own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DhcpMessage } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeDhcp } from "./dhcp.ts";
 * const bytes = new Uint8Array(240);
 * bytes.set([2, 1, 6, 0]); // a reply
 * const out = new ByteWriter();
 * writeDhcp(out, new DhcpMessage().bind(new DataView(bytes.buffer), 0, 240), 240, 0);
 * assert.equal(out.toString(), "BOOTP/DHCP, Reply, length 240");
 * ```
 * @module
 */

import {
  BOOTP_REQUEST,
  DHCP_MAGIC_COOKIE,
  DHCP_OPTION_END,
  DHCP_OPTION_PAD,
  type DhcpMessage,
  dhcpMessageTypeName,
} from "../decode/mod.ts";
import type { ByteWriter } from "./bytes.ts";
import { writePrintableByte } from "./printable.ts";

/**
 * tcpdump's option table (`tag2str`): the first character is the format (`i` addresses,
 * `l` 32-bit numbers, `L` signed ones, `s` 16-bit, `b` dotted bytes, `x` hex bytes, `a` text,
 * `B` booleans, `p` address pairs, `$` special, ` ` none), the rest the name.
 */
const OPTIONS: Readonly<Record<number, string>> = {
  0: " PAD",
  1: "iSubnet-Mask",
  2: "LTime-Zone",
  3: "iDefault-Gateway",
  4: "iTime-Server",
  5: "iIEN-Name-Server",
  6: "iDomain-Name-Server",
  7: "iLOG",
  8: "iCS",
  9: "iLPR-Server",
  10: "iIM",
  11: "iRL",
  12: "aHostname",
  13: "sBS",
  255: " END",
  14: "aDP",
  15: "aDomain-Name",
  16: "iSS",
  17: "aRP",
  18: "aEP",
  19: "BIPF",
  20: "BSRT",
  21: "pPF",
  22: "sRSZ",
  23: "bTTL",
  24: "lMTU-Timeout",
  25: "sMTU-Table",
  26: "sMTU",
  27: "BLSN",
  28: "iBR",
  29: "BMD",
  30: "BMS",
  31: "BRouter-Discovery",
  32: "iRSA",
  33: "pStatic-Route",
  34: "BUT",
  35: "lAT",
  36: "BIE",
  37: "bTT",
  38: "lKI",
  39: "BKG",
  40: "aYD",
  41: "iYS",
  42: "iNTP",
  43: "bVendor-Option",
  44: "iNetbios-Name-Server",
  45: "iWDD",
  46: "$Netbios-Node",
  47: "aNetbios-Scope",
  48: "iXFS",
  49: "iXDM",
  64: "sN+D",
  65: "iN+S",
  68: "iMH",
  69: "iSMTP",
  70: "iPOP3",
  71: "iNNTP",
  72: "iWWW",
  73: "iFG",
  74: "iIRC",
  75: "iSTS",
  76: "iSTDA",
  50: "iRequested-IP",
  51: "lLease-Time",
  52: "$OO",
  66: "aTFTP",
  67: "aBF",
  53: " DHCP-Message",
  54: "iServer-ID",
  55: "bParameter-Request",
  56: "aMSG",
  57: "sMSZ",
  58: "lRN",
  59: "lRB",
  60: "aVendor-Class",
  61: "$Client-ID",
  98: "aUAP",
  116: "BNOAUTO",
  78: "bSLP-DA",
  79: "bSLP-SCOPE",
  117: "sNSSEARCH",
  77: "$User-Class",
  118: "iSUBNET",
  121: "$Classless-Static-Route",
  249: "$Classless-Static-Route-Microsoft",
  150: "iTFTP-Server-Address",
  80: "aSLP-NA",
  81: "$FQDN",
  82: "$Agent-Information",
  83: "bARMT",
  88: "aTZSTR",
  89: "bFQDNS",
  90: "bAUTH",
  91: "LLast-Transaction-Time",
  92: "iAssociated-IP",
  93: "sARCH",
  94: "bNDI",
  97: "bGUID",
  95: "aLDAP",
  100: "aPOSIX-TZ",
  101: "aTZ-Name",
  112: "iNI",
  113: "aNITAG",
  114: "aURL",
  161: "aMUD-URL",
};

const TAG_MESSAGE_TYPE = 53;
const TAG_PARAMETER_REQUEST = 55;
const TAG_NETBIOS_NODE = 46;
const TAG_OVERLOAD = 52;
const TAG_CLIENT_FQDN = 81;
const TAG_CLIENT_ID = 61;
const TAG_AGENT = 82;
const TAG_CLASSLESS_ROUTE = 121;
const TAG_CLASSLESS_ROUTE_MS = 249;
const TAG_USER_CLASS = 77;

const OVERLOAD_NAMES: Readonly<Record<number, string>> = { 1: "file", 2: "sname", 3: "file+sname" };
const NETBIOS_NODE_NAMES: Readonly<Record<number, string>> = {
  1: "b-node",
  2: "p-node",
  4: "m-node",
  8: "h-node",
};
const HARDWARE_NAMES: Readonly<Record<number, string>> = {
  1: "ether",
  6: "ieee802",
  7: "arcnet",
  15: "frelay",
  23: "strip",
  24: "ieee1394",
};
const AGENT_SUBOPTIONS: Readonly<Record<number, string>> = {
  1: "Circuit-ID",
  2: "Remote-ID",
  6: "Subscriber-ID",
};

/** Text of `length` bytes at `at` as tcpdump's `fn_printn`; false when the capture ends first. */
function printable(out: ByteWriter, dhcp: DhcpMessage, at: number, length: number): boolean {
  const view = dhcp.dataView;
  const stop = Math.min(at + length, dhcp.end);
  for (let i = at; i < stop; i++) writePrintableByte(out, view.getUint8(i));
  return at + length <= dhcp.end;
}

/**
 * tcpdump's `nd_printztn`: text up to a NUL or `length` bytes; false when the bytes end first,
 * or when the field is full with no NUL (tcpdump then marks the message cut, and stops).
 */
function printableZ(out: ByteWriter, dhcp: DhcpMessage, at: number, length: number): boolean {
  const view = dhcp.dataView;
  for (let i = at; i < at + length; i++) {
    if (i >= dhcp.end) return false;
    const byte = view.getUint8(i);
    if (byte === 0) return true;
    writePrintableByte(out, byte);
  }
  return false;
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, "0");
}

function writeMac(out: ByteWriter, dhcp: DhcpMessage): void {
  out.mac(dhcp.dataView, dhcp.clientMacAt);
}

/** `BOOTP/DHCP, Request from 02:…, length 300`; with `verbosity` the fields and options. */
export function writeDhcp(
  out: ByteWriter,
  dhcp: DhcpMessage,
  length: number,
  verbosity: number,
): void {
  // tcpdump checks each field before it prints it, and stops with [|bootp] at the first cut.
  const captured = dhcp.capturedLength;
  const cut = (need: number) => {
    if (captured >= need) return false;
    out.text(CUT);
    return true;
  };
  const op = dhcp.op;
  out.text(`BOOTP/DHCP, ${op === 1 ? "Request" : op === 2 ? "Reply" : `unknown (0x${hex2(op)})`}`);
  if (cut(FIELD_HLEN_END)) return;
  const ethernet = dhcp.hasEthernetAddress;
  if (ethernet && op === BOOTP_REQUEST) {
    if (cut(FIELD_CHADDR_END)) return;
    out.text(" from ");
    writeMac(out, dhcp);
  }
  out.text(`, length ${length}`);
  if (verbosity === 0) return;
  if (cut(FIELD_SECS_END)) return;
  const type = dhcp.hardwareType;
  if (type !== 1) out.text(`, htype ${type}`);
  if (type !== 1 || dhcp.hardwareLength !== 6) out.text(`, hlen ${dhcp.hardwareLength}`);
  if (dhcp.hops) out.text(`, hops ${dhcp.hops}`);
  if (dhcp.transactionId) out.text(`, xid 0x${dhcp.transactionId.toString(16)}`);
  if (dhcp.secs) out.text(`, secs ${dhcp.secs}`);
  if (cut(FIELD_FLAGS_END)) return;
  const flags = dhcp.flags;
  out.text(`, Flags [${flags & 0x8000 ? "Broadcast" : "none"}]`);
  if (verbosity > 1) out.text(` (0x${flags.toString(16).padStart(4, "0")})`);
  const labels = ["Client-IP", "Your-IP", "Server-IP", "Gateway-IP"];
  for (let which = 0; which < labels.length; which++) {
    if (cut(FIELD_ADDRESSES + 4 * (which + 1))) return;
    const address = dhcp.address(which);
    if (address !== 0) {
      out.text(`\n\t  ${labels[which]} `);
      out.ipv4(address);
    }
  }
  if (ethernet) {
    if (cut(FIELD_CHADDR_END)) return;
    out.text("\n\t  Client-Ethernet-Address ");
    writeMac(out, dhcp);
  }
  const [snameAt, snameLength, fileAt, fileLength] = dhcp.nameFields;
  for (
    const [label, at, size] of [["sname", snameAt, snameLength], [
      "file",
      fileAt,
      fileLength,
    ]] as const
  ) {
    if (cut(at - dhcp.offset + 1)) return;
    if (dhcp.dataView.getUint8(at) === 0) continue;
    out.text(`\n\t  ${label} "`);
    if (!printableZ(out, dhcp, at, size)) {
      out.text(`"${CUT}`);
      return;
    }
    out.byte(0x22);
  }
  if (cut(FIELD_VENDOR_END)) return;
  const vendor = dhcp.vendorWord;
  if (vendor === DHCP_MAGIC_COOKIE) writeOptions(out, dhcp, verbosity);
  else if ((vendor >>> 8) === VENDOR_CMU) {
    // CMU's vendor area: named, not decoded (README: differences).
    out.text(" vend-cmu");
  } else if (vendor !== 0) out.text(`\n\t  Vendor-#0x${vendor.toString(16)}`);
}

/** tcpdump's mark for a message cut short. */
const CUT = " [|bootp]";

// Where tcpdump's checks fall (RFC 2131 figure 1): the end of each field it reads.
const FIELD_HLEN_END = 3;
const FIELD_SECS_END = 10;
const FIELD_FLAGS_END = 12;
const FIELD_ADDRESSES = 12;
const FIELD_CHADDR_END = 34;
const FIELD_VENDOR_END = 240;
/** "CMU" in the vendor area's first three bytes. */
const VENDOR_CMU = 0x434d55;

/** tcpdump's `rfc1048_print`. */
function writeOptions(out: ByteWriter, dhcp: DhcpMessage, verbosity: number): void {
  const view = dhcp.dataView;
  const end = dhcp.end;
  out.text("\n\t  Vendor-rfc1048 Extensions\n\t    Magic Cookie 0x63825363");
  let at = dhcp.optionsAt;
  while (at < end) {
    const tag = view.getUint8(at++);
    if (tag === DHCP_OPTION_PAD && verbosity < 3) continue;
    if (tag === DHCP_OPTION_END && verbosity < 3) return;
    const entry = OPTIONS[tag] ?? "?Unknown";
    let format = entry[0];
    const name = entry.slice(1);
    let length = 0;
    if (tag !== DHCP_OPTION_PAD && tag !== DHCP_OPTION_END) {
      if (at >= end) {
        out.text(CUT);
        return;
      }
      length = view.getUint8(at++);
    }
    out.text(`\n\t    ${name} (${tag}), length ${length}${length > 0 ? ": " : ""}`);
    if (tag === DHCP_OPTION_PAD && verbosity > 2) {
      let count = 1;
      while (at < end && view.getUint8(at) === DHCP_OPTION_PAD) {
        at++;
        count++;
      }
      if (count > 1) out.text(`, occurs ${count}`);
    }
    if (at + length > end) {
      out.text(CUT);
      return;
    }
    if (tag === TAG_MESSAGE_TYPE && length === 1) {
      out.text(dhcpMessageTypeName(view.getUint8(at++)));
      continue;
    }
    if (tag === TAG_PARAMETER_REQUEST) {
      for (let i = 0; i < length; i++) {
        const code = view.getUint8(at++);
        out.text(i % 4 === 0 ? "\n\t      " : ", ");
        out.text(`${(OPTIONS[code] ?? "?Unknown").slice(1)} (${code})`);
      }
      continue;
    }
    if (format === "?") format = length & 1 ? "b" : length & 2 ? "s" : "l";
    let left = length;
    let first = true;
    const separator = () => {
      if (!first) out.byte(0x2c);
      first = false;
    };
    switch (format) {
      case "a":
        out.byte(0x22);
        printable(out, dhcp, at, left);
        out.byte(0x22);
        at += left;
        left = 0;
        break;
      case "i":
      case "l":
      case "L":
        while (left >= 4) {
          separator();
          const word = view.getUint32(at);
          if (format === "i") out.ipv4(word);
          else out.text(String(format === "L" ? word | 0 : word));
          at += 4;
          left -= 4;
        }
        break;
      case "p":
        while (left >= 8) {
          separator();
          out.byte(0x28);
          out.ipv4(view.getUint32(at));
          out.byte(0x3a);
          out.ipv4(view.getUint32(at + 4));
          out.byte(0x29);
          at += 8;
          left -= 8;
        }
        break;
      case "s":
        while (left >= 2) {
          separator();
          out.uint(view.getUint16(at));
          at += 2;
          left -= 2;
        }
        break;
      case "B":
        while (left > 0) {
          separator();
          const value = view.getUint8(at++);
          out.text(value === 0 ? "N" : value === 1 ? "Y" : `${value}?`);
          left--;
        }
        break;
      case "$":
        [at, left] = writeSpecial(out, dhcp, tag, at, left);
        if (left < 0) return;
        break;
      default:
        while (left > 0) {
          if (!first) out.byte(format === "x" ? 0x3a : 0x2e);
          first = false;
          const value = view.getUint8(at++);
          out.text(format === "x" ? hex2(value) : String(value));
          left--;
        }
    }
    if (left > 0) {
      out.text(`\n\t  trailing data length ${left}`);
      at += left;
    }
  }
}

/** The options tcpdump prints with code of their own; returns where it ended and what is left (-1: stop). */
function writeSpecial(
  out: ByteWriter,
  dhcp: DhcpMessage,
  tag: number,
  at: number,
  left: number,
): [number, number] {
  const view = dhcp.dataView;
  switch (tag) {
    case TAG_NETBIOS_NODE:
    case TAG_OVERLOAD: {
      if (left < 1) {
        out.text("[ERROR: length < 1 bytes]");
        return [at, left];
      }
      const value = view.getUint8(at);
      const names = tag === TAG_OVERLOAD ? OVERLOAD_NAMES : NETBIOS_NODE_NAMES;
      out.text(names[value] ?? "#" + value);
      return [at + 1, left - 1];
    }
    case TAG_CLIENT_FQDN: {
      if (left < 3) {
        out.text("[ERROR: length < 3 bytes]");
        return [at + left, 0];
      }
      const flags = view.getUint8(at);
      if (flags & 0xf0) out.text(`[ERROR: MBZ nibble 0x${(flags >> 4).toString(16)} != 0] `);
      if (flags & 0x0f) {
        const letters = (flags & 1 ? "S" : "") + (flags & 2 ? "O" : "") + (flags & 4 ? "E" : "") +
          (flags & 8 ? "N" : "");
        out.text(`[${letters}] `);
      }
      const rcode1 = view.getUint8(at + 1);
      const rcode2 = view.getUint8(at + 2);
      if (rcode1 || rcode2) out.text(`${rcode1}/${rcode2} `);
      out.byte(0x22);
      printable(out, dhcp, at + 3, left - 3);
      out.byte(0x22);
      return [at + left, 0];
    }
    case TAG_CLIENT_ID: {
      if (left < 1) {
        out.text("[ERROR: length < 1 bytes]");
        return [at, left];
      }
      const type = view.getUint8(at);
      at++;
      left--;
      if (type === 0) {
        out.byte(0x22);
        printable(out, dhcp, at, left);
        out.byte(0x22);
        return [at + left, 0];
      }
      out.text(`${HARDWARE_NAMES[type] ?? `hardware-type ${type},`} `);
      for (let i = 0; i < left; i++) {
        if (i > 0) out.byte(0x3a);
        out.text(hex2(view.getUint8(at + i)));
      }
      return [at + left, 0];
    }
    case TAG_AGENT:
      while (left >= 2) {
        const sub = view.getUint8(at);
        const size = view.getUint8(at + 1);
        at += 2;
        left -= 2;
        const name = AGENT_SUBOPTIONS[sub] ?? "Unknown";
        if (size > left) {
          out.text(
            `\n\t      ${name} SubOption ${sub}, length ${size}: length goes past end of option`,
          );
          return [at + left, 0];
        }
        out.text(`\n\t      ${name} SubOption ${sub}, length ${size}: `);
        if (AGENT_SUBOPTIONS[sub] !== undefined) printable(out, dhcp, at, size);
        else {
          for (let i = 0; i < size; i += 16) {
            out.text(`\n\t\t0x${i.toString(16).padStart(4, "0")}: `);
            for (let j = i; j < Math.min(i + 16, size); j += 2) {
              out.byte(0x20);
              out.text(hex2(view.getUint8(at + j)));
              if (j + 1 < size) out.text(hex2(view.getUint8(at + j + 1)));
            }
          }
        }
        at += size;
        left -= size;
      }
      return [at, left];
    case TAG_CLASSLESS_ROUTE:
    case TAG_CLASSLESS_ROUTE_MS: {
      if (left < 5) {
        out.text("[ERROR: length < 5 bytes]");
        return [at + left, 0];
      }
      let first = true;
      while (left > 0) {
        if (!first) out.byte(0x2c);
        first = false;
        const width = view.getUint8(at++);
        left--;
        if (width > 32) {
          out.text(`[ERROR: Mask width (${width}) > 32]`);
          return [at + left, 0];
        }
        const significant = Math.floor((width + 7) / 8);
        if (left < significant + 4) {
          out.text(`[ERROR: Remaining length (${left}) < ${significant + 4} bytes]`);
          return [at + left, 0];
        }
        out.byte(0x28);
        if (width === 0) out.text("default");
        else {
          const octets: number[] = [];
          for (let i = 0; i < significant; i++) octets.push(view.getUint8(at++));
          while (octets.length < 4) octets.push(0);
          out.text(`${octets.join(".")}/${width}`);
        }
        out.byte(0x3a);
        out.ipv4(view.getUint32(at));
        out.byte(0x29);
        at += 4;
        left -= significant + 4;
      }
      return [at, left];
    }
    case TAG_USER_CLASS: {
      if (left < 2) {
        out.text("[ERROR: length < 2 bytes]");
        return [at + left, 0];
      }
      let instance = 1;
      while (left > 0) {
        const size = view.getUint8(at++);
        left--;
        out.text(`\n\t      instance#${instance}: `);
        if (size === 0) {
          out.text("[ERROR: suboption length must be non-zero]");
          return [at + left, 0];
        }
        if (left < size) {
          out.text("[ERROR: invalid option]");
          return [at + left, 0];
        }
        out.byte(0x22);
        printable(out, dhcp, at, size);
        out.text(`", length ${size}`);
        instance++;
        left -= size;
        at += size;
      }
      return [at, left];
    }
    default:
      out.text(`[unknown special tag ${tag}, size ${left}]`);
      return [at + left, 0];
  }
}
