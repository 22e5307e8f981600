/**
 * `-V`: a packet's fields as an indented tree under its line, the way tshark's `-V` prints
 * them: each layer a heading (`Internet Protocol Version 4, Src: 192.0.2.1, Dst: …`), each
 * field a line with a name a reader understands (`Time to live: 64`), numbers that are codes
 * with their meaning (`Protocol: UDP (17)`, `Checksum: 0x324f [correct]`). The tree is built
 * from the packet's JSON object, so it shows every field the JSON has (docs/json.md) and
 * cannot fall behind it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fieldTree } from "./tree.ts";
 * const tree = fieldTree({
 *   caplen: 34, len: 34, link: "raw",
 *   ipv4: { version: 4, ihl: 20, ttl: 64, protocol: 17, checksum: 0x324f, checksumOk: true,
 *     src: "192.0.2.1", dst: "198.51.100.2" },
 * });
 * // Text from the wire is made safe for a terminal.
 * assert.equal(fieldTree({ http: { uri: "/a\rb" } }).includes("Uri: /a\\x0db"), true);
 * assert.equal(tree, [
 *   "    Frame: 34 bytes on wire, 34 bytes captured, link raw",
 *   "    Internet Protocol Version 4, Src: 192.0.2.1, Dst: 198.51.100.2",
 *   "        Version: 4",
 *   "        Header length: 20 bytes",
 *   "        Time to live: 64",
 *   "        Protocol: UDP (17)",
 *   "        Checksum: 0x324f [correct]",
 *   "        Source address: 192.0.2.1",
 *   "        Destination address: 198.51.100.2",
 * ].join("\n") + "\n");
 * ```
 * @module
 */

import { ECN_NAMES, ipProtocolName } from "../decode/mod.ts";

/** A value of the packet's JSON object. */
type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** An object of the packet's JSON. */
type JsonObject = { [key: string]: JsonValue };

/** Each level of the tree is indented by this much more. */
const INDENT = "    ";
/** Nesting is bounded: a tunnel's packet inside a tunnel's packet, and so on. */
const MAX_DEPTH = 24;

/** tshark's names of the layers, by the JSON key. */
const LAYER_TITLES: Readonly<Record<string, string>> = {
  eth: "Ethernet II",
  vlan: "802.1Q Virtual LAN",
  sll: "Linux cooked capture",
  loopback: "Null/Loopback",
  arista: "Arista timestamp",
  llc: "Logical-Link Control",
  stp: "Spanning Tree Protocol",
  pppoe: "PPP-over-Ethernet",
  ppp: "Point-to-Point Protocol",
  macsec: "802.1AE Security tag",
  arp: "Address Resolution Protocol",
  ipv4: "Internet Protocol Version 4",
  ipv6: "Internet Protocol Version 6",
  tcp: "Transmission Control Protocol",
  udp: "User Datagram Protocol",
  icmp: "Internet Control Message Protocol",
  igmp: "Internet Group Management Protocol",
  dns: "Domain Name System",
  http: "Hypertext Transfer Protocol",
  ntp: "Network Time Protocol",
  syslog: "Syslog message",
  dhcp: "Dynamic Host Configuration Protocol",
  dhcpv6: "DHCPv6",
  tls: "Transport Layer Security",
  quic: "QUIC IETF",
  esp: "Encapsulating Security Payload",
  ah: "Authentication Header",
  vxlan: "Virtual eXtensible Local Area Network",
  gre: "Generic Routing Encapsulation",
  geneve: "Generic Network Virtualization Encapsulation",
  erspan: "Encapsulated Remote Switch Packet ANalysis",
  mpls: "MultiProtocol Label Switching Header",
  nsh: "Network Service Header",
  wireguard: "WireGuard Protocol",
  isakmp: "Internet Security Association and Key Management Protocol",
  someip: "SOME/IP Protocol",
  inner: "Encapsulated packet",
  reassembled: "Reassembled datagram",
};

/** Field names a reader understands, where the JSON's key is terse. */
const FIELD_NAMES: Readonly<Record<string, string>> = {
  src: "Source address",
  dst: "Destination address",
  ihl: "Header length",
  dscp: "Differentiated services codepoint",
  ecn: "Explicit congestion notification",
  id: "Identification",
  df: "Don't fragment",
  mf: "More fragments",
  fragOffset: "Fragment offset",
  ttl: "Time to live",
  checksumOk: "Checksum status",
  srcPort: "Source port",
  dstPort: "Destination port",
  seq: "Sequence number (raw)",
  ack: "Acknowledgment number (raw)",
  dataOffset: "Header length",
  hopLimit: "Hop limit",
  flowLabel: "Flow label",
  trafficClass: "Traffic class",
  nextHeader: "Next header",
  rcode: "Reply code",
  rcodeName: "Reply code name",
  qr: "Response",
  tsval: "Timestamp value",
  tsecr: "Timestamp echo reply",
  relativeSeq: "Sequence number (relative)",
  relativeAck: "Acknowledgment number (relative)",
  isnSeen: "Initial sequence number seen",
  peerBase: "Peer's initial sequence number",
  vni: "VXLAN network identifier",
  sni: "Server name",
  alpn: "Application protocols",
  dei: "Drop eligible",
  pcp: "Priority",
  tpid: "Tag protocol identifier",
  oui: "Organization code",
  pid: "Protocol ID",
  dsap: "DSAP",
  ssap: "SSAP",
  ns: "Nonce",
  cwr: "Congestion window reduced",
  ece: "ECN-Echo",
  urg: "Urgent",
  psh: "Push",
  rst: "Reset",
  syn: "Syn",
  fin: "Fin",
  aa: "Authoritative",
  tc: "Truncated",
  rd: "Recursion desired",
  ra: "Recursion available",
  ad: "Authenticated data",
  cd: "Checking disabled",
  urgent: "Urgent pointer",
};

/** Names that depend on the layer. */
const LAYER_FIELD_NAMES: Readonly<Record<string, string>> = {
  "ipv4.length": "Total length",
  "ipv4.protocol": "Protocol",
  "ipv6.protocol": "Upper-layer protocol",
  "eth.src": "Source",
  "eth.dst": "Destination",
  "icmp.id": "Identifier",
  "dns.id": "Transaction ID",
  "isakmp.initiatorSpi": "Initiator SPI (cookie)",
  "isakmp.responderSpi": "Responder SPI (cookie)",
  "isakmp.messageId": "Message ID",
  "isakmp.nonEspMarker": "After the non-ESP marker",
  "dhcpv6.duid": "DUID",
  "dhcpv6.iaid": "IAID",
  "dhcpv6.t1": "T1 (renew after)",
  "dhcpv6.t2": "T2 (rebind after)",
  "dhcpv6.elapsedTime": "Elapsed time (1/100 s)",
};

/** A field's name in the tree: the layer's own name for it, or one made from its key. */
function nameOf(layer: string, key: string): string {
  return LAYER_FIELD_NAMES[`${layer}.${key}`] ?? fieldName(key);
}

/** Fields counted in bytes. */
const BYTE_FIELDS = new Set([
  "ihl",
  "length",
  "payloadLength",
  "dataOffset",
  "caplen",
  "len",
  "headerLength",
  "messageLength",
]);

/** DiffServ's names (RFC 2474, 2597, 3246, 5865, 8622). */
const DSCP_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "CS0"],
  [1, "LE"],
  [8, "CS1"],
  [10, "AF11"],
  [12, "AF12"],
  [14, "AF13"],
  [16, "CS2"],
  [18, "AF21"],
  [20, "AF22"],
  [22, "AF23"],
  [24, "CS3"],
  [26, "AF31"],
  [28, "AF32"],
  [30, "AF33"],
  [32, "CS4"],
  [34, "AF41"],
  [36, "AF42"],
  [38, "AF43"],
  [40, "CS5"],
  [44, "VA"],
  [46, "EF"],
  [48, "CS6"],
  [56, "CS7"],
]);

/** Common EtherTypes' names. */
const ETHERTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0800, "IPv4"],
  [0x0806, "ARP"],
  [0x8035, "RARP"],
  [0x8100, "802.1Q"],
  [0x86dd, "IPv6"],
  [0x8847, "MPLS unicast"],
  [0x8848, "MPLS multicast"],
  [0x8863, "PPPoE discovery"],
  [0x8864, "PPPoE session"],
  [0x88a8, "802.1ad"],
  [0x88e5, "MACsec"],
  [0x894f, "NSH"],
]);

/**
 * `JSON.stringify`-ready packet object (what `--json` prints) as `-V`'s lines, each ending in
 * a newline, indented under the packet's line.
 */
export function fieldTree(packet: JsonObject): string {
  const lines: string[] = [];
  writePacket(lines, packet, 1, 0);
  return lines.map((line) => line + "\n").join("");
}

const TOP_LEVEL_SKIPPED = new Set(["ts", "caplen", "len", "link"]);

function writePacket(lines: string[], packet: JsonObject, level: number, depth: number): void {
  const pad = INDENT.repeat(level);
  if (typeof packet.caplen === "number" && typeof packet.len === "number") {
    lines.push(
      `${pad}Frame: ${packet.len} bytes on wire, ${packet.caplen} bytes captured` +
        (typeof packet.link === "string" ? `, link ${packet.link}` : ""),
    );
  }
  for (const [key, value] of Object.entries(packet)) {
    if (TOP_LEVEL_SKIPPED.has(key)) continue;
    if (key === "error" || key === "comment") {
      lines.push(`${pad}${key === "error" ? "Decoding stopped" : "Comment"}: ${value}`);
      continue;
    }
    const title = layerTitle(key, value, packet);
    if (key === "inner" && isObject(value) && depth < MAX_DEPTH) {
      lines.push(pad + title);
      writePacket(lines, value, level + 1, depth + 1);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        lines.push(`${pad}${title}${value.length > 1 ? ` #${index + 1}` : ""}`);
        writeValue(lines, item, level + 1, depth + 1, key);
      });
    } else if (isObject(value)) {
      lines.push(pad + title + layerSummary(key, value));
      writeFields(lines, value, level + 1, depth + 1, key);
    } else lines.push(`${pad}${fieldName(key)}: ${scalarText(key, value, key)}`);
  }
}

/** The layer's heading: tshark's name (ICMPv6's when over IPv6). */
function layerTitle(key: string, value: JsonValue, packet: JsonObject): string {
  if (key === "icmp" && packet.ipv6 !== undefined) return "Internet Control Message Protocol v6";
  if (key === "dns" && isObject(value) && value.response === true) {
    return "Domain Name System (response)";
  }
  return LAYER_TITLES[key] ?? fieldName(key);
}

/** What tshark puts after a layer's name: its addresses or ports. */
function layerSummary(key: string, layer: JsonObject): string {
  if ((key === "ipv4" || key === "ipv6" || key === "eth") && layer.src !== undefined) {
    return `, Src: ${layer.src}, Dst: ${layer.dst}`;
  }
  if ((key === "tcp" || key === "udp") && layer.srcPort !== undefined) {
    return `, Src Port: ${layer.srcPort}, Dst Port: ${layer.dstPort}`;
  }
  return "";
}

function writeFields(
  lines: string[],
  object: JsonObject,
  level: number,
  depth: number,
  layer: string,
): void {
  const pad = INDENT.repeat(level);
  for (const [key, value] of Object.entries(object)) {
    if (key === "checksumOk" && typeof object.checksum === "number") continue;
    if (Array.isArray(value) || isObject(value)) {
      if (Array.isArray(value) && value.length === 0) {
        lines.push(`${pad}${nameOf(layer, key)}: none`);
        continue;
      }
      if (depth >= MAX_DEPTH) {
        lines.push(`${pad}${nameOf(layer, key)}: …`);
        continue;
      }
      if (isObject(value) && isFlagSet(value)) {
        lines.push(`${pad}${nameOf(layer, key)}: ${flagsText(value)}`);
        continue;
      }
      if (Array.isArray(value) && value.every((item) => !isObject(item) && !Array.isArray(item))) {
        lines.push(`${pad}${nameOf(layer, key)}: ${value.map((item) => String(item)).join(", ")}`);
        continue;
      }
      lines.push(`${pad}${nameOf(layer, key)}`);
      writeValue(lines, value, level + 1, depth + 1, layer);
      continue;
    }
    let text = scalarText(key, value, layer);
    if (key === "checksum" && "checksumOk" in object) {
      text += ` [${checksumStatus(object.checksumOk)}]`;
    }
    lines.push(`${pad}${nameOf(layer, key)}: ${text}`);
  }
}

/** An array's items or an object's fields, one level in. */
function writeValue(
  lines: string[],
  value: JsonValue,
  level: number,
  depth: number,
  layer: string,
): void {
  const pad = INDENT.repeat(level);
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      if (isObject(item) || Array.isArray(item)) {
        const name = isObject(item) && typeof item.name === "string" ? `: ${item.name}` : "";
        lines.push(`${pad}#${index + 1}${name}`);
        if (depth < MAX_DEPTH) writeValue(lines, item, level + 1, depth + 1, layer);
      } else lines.push(`${pad}#${index + 1}: ${scalarText("", item, layer)}`);
    });
  } else if (isObject(value)) writeFields(lines, value, level, depth, layer);
  else lines.push(`${pad}${scalarText("", value, layer)}`);
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An object of booleans only: a set of flags, shown on one line. */
function isFlagSet(object: JsonObject): boolean {
  const values = Object.values(object);
  return values.length > 0 && values.every((value) => typeof value === "boolean");
}

/** `syn, ack (of ns, cwr, …)`: the flags that are set, or `none`. */
function flagsText(flags: JsonObject): string {
  const set = Object.keys(flags).filter((key) => flags[key] === true);
  return `${set.length ? set.join(", ") : "none"} set`;
}

function checksumStatus(ok: JsonValue): string {
  return ok === true ? "correct" : ok === false ? "incorrect" : "unverified";
}

/** `fragOffset` → `Frag offset`; a terse key from `FIELD_NAMES`. */
function fieldName(key: string): string {
  const known = FIELD_NAMES[key];
  if (known !== undefined) return known;
  // A key may come from the wire too (a header's name): made printable as values are.
  const words = printable(key).replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A string from the packet, safe for a terminal: a control character is written `\x0d`, as
 * the decoders write bytes that are not text.
 */
function printable(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS,
    (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\x00-\x1f\x7f]/g;

/** A field's value, with its meaning where it is a code. */
function scalarText(key: string, value: JsonValue, layer: string): string {
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (value === null) return "none";
  if (typeof value === "string") return printable(value);
  if (typeof value !== "number") return String(value);
  if (key === "checksum") return `0x${value.toString(16).padStart(4, "0")}`;
  if (key === "dscp" && layer === "ipv4") {
    return `${DSCP_NAMES.get(value) ?? "unassigned"} (${value})`;
  }
  if (key === "ecn" && layer === "ipv4") return `${ECN_NAMES[value & 3]} (${value})`;
  if ((key === "protocol" || key === "nextHeader") && (layer === "ipv4" || layer === "ipv6")) {
    return `${ipProtocolName(value)} (${value})`;
  }
  if ((key === "type" && (layer === "eth" || layer === "vlan")) || key === "etherType") {
    const name = ETHERTYPE_NAMES.get(value);
    return `0x${value.toString(16).padStart(4, "0")}${name ? ` (${name})` : ""}`;
  }
  if (key === "flowLabel") return `0x${value.toString(16).padStart(5, "0")}`;
  if (key === "trafficClass" || key === "tos") return `0x${value.toString(16).padStart(2, "0")}`;
  if (BYTE_FIELDS.has(key)) return `${value} ${value === 1 ? "byte" : "bytes"}`;
  return String(value);
}
