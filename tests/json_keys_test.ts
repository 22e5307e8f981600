/**
 * Each layer's JSON keys are declared once, in its protocol's file (`IPV4_JSON_KEYS`, …), and
 * three things follow that declaration: `toJSON` (on every packet of every fixture, a layer's
 * keys come in the declared order), the fast writer (tests/json_writer_test.ts proves it
 * byte-equal to `toJSON`), and docs/json.md (each layer's table names exactly those keys).
 */

import assert from "node:assert/strict";
import {
  AH_JSON_KEYS,
  ARISTA_JSON_KEYS,
  ARP_JSON_KEYS,
  Decoder,
  DHCP_JSON_KEYS,
  DHCPV6_JSON_KEYS,
  DNS_JSON_KEYS,
  ERSPAN_JSON_KEYS,
  ESP_JSON_KEYS,
  ETHERNET_JSON_KEYS,
  GENEVE_JSON_KEYS,
  GRE_JSON_KEYS,
  HTTP_JSON_KEYS,
  ICMP_JSON_KEYS,
  IGMP_JSON_KEYS,
  IPV4_JSON_KEYS,
  IPV6_JSON_KEYS,
  ISAKMP_JSON_KEYS,
  LLC_JSON_KEYS,
  LOOPBACK_JSON_KEYS,
  MACSEC_JSON_KEYS,
  MPLS_JSON_KEYS,
  NSH_JSON_KEYS,
  NTP_JSON_KEYS,
  PPP_JSON_KEYS,
  PPPOE_JSON_KEYS,
  QUIC_JSON_KEYS,
  SLL_JSON_KEYS,
  SOMEIP_JSON_KEYS,
  STP_JSON_KEYS,
  SYSLOG_JSON_KEYS,
  TCP_JSON_KEYS,
  TLS_JSON_KEYS,
  UDP_JSON_KEYS,
  VLAN_JSON_KEYS,
  VXLAN_JSON_KEYS,
  WIREGUARD_JSON_KEYS,
} from "../src/decode/mod.ts";
import { CaptureFileReader } from "../src/file/reader.ts";
import { FlowTracker } from "../src/analysis/flows.ts";
import { packetToJson } from "../src/output/json.ts";
import { runNetpeek } from "./netpeek_process.ts";

/** docs/json.md's section name of each layer, and its declared keys. */
const LAYERS: Record<string, readonly string[]> = {
  eth: ETHERNET_JSON_KEYS,
  "vlan[]": VLAN_JSON_KEYS,
  sll: SLL_JSON_KEYS,
  loopback: LOOPBACK_JSON_KEYS,
  ipv4: IPV4_JSON_KEYS,
  ipv6: IPV6_JSON_KEYS,
  arp: ARP_JSON_KEYS,
  tcp: TCP_JSON_KEYS,
  udp: UDP_JSON_KEYS,
  icmp: ICMP_JSON_KEYS,
  igmp: IGMP_JSON_KEYS,
  dns: DNS_JSON_KEYS,
  http: HTTP_JSON_KEYS,
  ntp: NTP_JSON_KEYS,
  syslog: SYSLOG_JSON_KEYS,
  dhcp: DHCP_JSON_KEYS,
  tls: TLS_JSON_KEYS,
  quic: QUIC_JSON_KEYS,
  esp: ESP_JSON_KEYS,
  ah: AH_JSON_KEYS,
  vxlan: VXLAN_JSON_KEYS,
  gre: GRE_JSON_KEYS,
  geneve: GENEVE_JSON_KEYS,
  "mpls[]": MPLS_JSON_KEYS,
  macsec: MACSEC_JSON_KEYS,
  arista: ARISTA_JSON_KEYS,
  nsh: NSH_JSON_KEYS,
  erspan: ERSPAN_JSON_KEYS,
  pppoe: PPPOE_JSON_KEYS,
  llc: LLC_JSON_KEYS,
  stp: STP_JSON_KEYS,
  ppp: PPP_JSON_KEYS,
  wireguard: WIREGUARD_JSON_KEYS,
  someip: SOMEIP_JSON_KEYS,
  dhcpv6: DHCPV6_JSON_KEYS,
  isakmp: ISAKMP_JSON_KEYS,
};

/** Keys a section documents in prose rather than in its table. */
const IN_PROSE: Record<string, readonly string[]> = {
  // "A TCP or UDP header cut short … is { srcPort, dstPort, truncated: true }".
  tcp: ["truncated"],
  udp: ["truncated"],
};

/** Whether `keys` appear in `declared` in the same order (some may be missing). */
function inOrder(keys: string[], declared: readonly string[]): boolean {
  let at = 0;
  for (const key of keys) {
    at = declared.indexOf(key, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

const FIXTURES = new URL("./fixtures/", import.meta.url);

async function* fixturePackets() {
  for (const folder of [FIXTURES, new URL("protocols/", FIXTURES)]) {
    for (const entry of [...Deno.readDirSync(folder)].sort((a, b) => a.name < b.name ? -1 : 1)) {
      if (!/\.pcap(ng)?$/.test(entry.name)) continue;
      using file = await Deno.open(new URL(entry.name, folder));
      const reader = await CaptureFileReader.open(file, entry.name);
      const decoder = new Decoder();
      const flows = new FlowTracker();
      const objects: Record<string, unknown>[] = [];
      await reader.run((frame, header) => {
        const packet = decoder.decode(frame, header.linkType, header.len);
        const analysis = flows.observe(packet, header);
        objects.push(
          packetToJson(packet, header, { analysis }) as unknown as Record<string, unknown>,
        );
      });
      yield* objects.map((json, index) => ({ where: `${entry.name} frame ${index + 1}`, json }));
    }
  }
}

Deno.test("every layer's JSON keys come in the declared order, on every fixture packet", async () => {
  const seen = new Map<string, Set<string>>();
  let packets = 0;
  for await (const { where, json } of fixturePackets()) {
    packets++;
    for (const [section, declared] of Object.entries(LAYERS)) {
      const key = section.replace("[]", "");
      const value = json[key];
      if (value === undefined) continue;
      const objects = (Array.isArray(value) ? value : [value]) as Record<string, unknown>[];
      for (const object of objects) {
        const keys = Object.keys(object);
        assert.ok(inOrder(keys, declared), `${where} ${key}: ${keys.join(",")}`);
        for (const name of keys) {
          (seen.get(section) ?? seen.set(section, new Set()).get(section)!).add(name);
        }
      }
    }
  }
  assert.ok(packets > 1000, `only ${packets} packets read`);
  // Every layer was met, so the order was checked for each.
  assert.deepEqual([...seen.keys()].sort(), Object.keys(LAYERS).sort());
});

Deno.test("docs/json.md documents exactly the declared keys of each layer", () => {
  const docs = Deno.readTextFileSync(new URL("../docs/json.md", import.meta.url));
  for (const [section, declared] of Object.entries(LAYERS)) {
    const start = docs.indexOf(`\n## \`${section}\`\n`);
    assert.ok(start >= 0, `docs/json.md has no section for ${section}`);
    const end = docs.indexOf("\n#", start + 1); // the next section or subsection
    const body = docs.slice(start, end < 0 ? undefined : end);
    const documented = new Set<string>(IN_PROSE[section] ?? []);
    for (const line of body.split("\n")) {
      // A table row's first cell: `a`, `b`; the header and rule rows name no key.
      const cell = line.match(/^\| ([^|]+) \|/)?.[1] ?? "";
      for (const match of cell.matchAll(/`([A-Za-z]+)`/g)) documented.add(match[1]);
    }
    assert.deepEqual([...documented].sort(), [...declared].sort(), `docs/json.md ${section}`);
  }
});

/** Each `## ` section of docs/json.md, by its name (`ipv4`, `vlan[]`, `Top level`). */
function docSections(): Map<string, string> {
  const docs = Deno.readTextFileSync(new URL("../docs/json.md", import.meta.url));
  const sections = new Map<string, string>();
  for (const part of docs.split(/\n(?=## )/)) {
    const title = /^## `?([^`\n]+)`?/.exec(part)?.[1];
    if (title !== undefined) sections.set(title, part);
  }
  return sections;
}

/** Every key in `value`, each with the layer it lies under (`dns` for `dns.flags.aa`). */
function* keysUnder(value: unknown, layer: string): Generator<[string, string]> {
  if (Array.isArray(value)) {
    for (const item of value) yield* keysUnder(item, layer);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      yield [layer, key];
      yield* keysUnder(inner, layer);
    }
  }
}

/** Every key of a packet object, with its section: its layer's, or `Top level`. */
function* packetKeys(json: Record<string, unknown>): Generator<[string, string]> {
  for (const [key, value] of Object.entries(json)) {
    yield ["Top level", key];
    if (key === "inner") {
      yield* packetKeys(value as Record<string, unknown>);
      continue;
    }
    if (key === "reassembled") {
      // The datagram's own keys, then its layers, each documented in its section.
      for (const [name, inner] of Object.entries(value as Record<string, unknown>)) {
        if (typeof inner === "object" && inner !== null) yield* packetKeys({ [name]: inner });
        else yield ["reassembled", name];
      }
      continue;
    }
    const section = key === "vlan" || key === "mpls" ? `${key}[]` : key;
    yield* keysUnder(value, section);
  }
}

Deno.test("every key netpeek writes, nested ones too, is named in its docs/json.md section", async () => {
  const sections = docSections();
  const undocumented = new Set<string>();
  let keys = 0;
  const check = (json: Record<string, unknown>) => {
    for (const [section, key] of packetKeys(json)) {
      keys++;
      const text = sections.get(section);
      if (text === undefined) {
        undocumented.add(`${section} (no section)`);
        continue;
      }
      if (!text.includes(`\`${key}\``) && !text.includes(`"${key}"`)) {
        undocumented.add(`${section}: ${key}`);
      }
    }
  };
  for await (const { json } of fixturePackets()) check(json);
  // What --reassemble adds: the datagram a fragment completed.
  const reassembled = await runNetpeek([
    "--json",
    "--reassemble",
    "-r",
    new URL("fragments.pcap", FIXTURES).pathname,
  ]);
  const lines = reassembled.stdout.trimEnd().split("\n");
  assert.ok(lines.some((line) => line.includes('"reassembled"')), "no datagram was reassembled");
  for (const line of lines) check(JSON.parse(line));
  assert.ok(keys > 10_000, `only ${keys} keys seen`);
  assert.deepEqual([...undocumented].sort(), []);
});
