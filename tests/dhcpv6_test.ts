/**
 * DHCPv6 against tcpdump and tshark, on tcpdump's DHCPv6 captures (solicit, advertise,
 * request, reply, relay messages, many options): the line is tcpdump's by default
 * (`dhcp6 solicit`) and with `-v` and `-vv` (the options), and every declared field (the
 * options' too, a relayed message's included) is tshark's. No DHCPv6 client is among the
 * packages this machine has (busybox's has no udhcpc6), so no exchange is made live.
 */

import assert from "node:assert/strict";
import {
  DHCPV6_FIELDS,
  DHCPV6_MAX_NESTING,
  type Dhcpv6Json,
  Dhcpv6Message,
} from "../src/decode/mod.ts";
import { ByteWriter } from "../src/output/bytes.ts";
import { writeDhcpv6 } from "../src/output/dhcpv6.ts";
import { compareFields, compareText, type FieldCheck } from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const FILES = [
  "dhcpv6-AFTR-Name-RFC6334.pcap",
  "dhcpv6-domain-list.pcap",
  "dhcpv6-ia-na.pcap",
  "dhcpv6-ia-pd.pcap",
  "dhcpv6-ia-ta.pcap",
  "dhcpv6-mud.pcap",
  "dhcpv6-ntp-server.pcap",
  "dhcpv6-rfc6355-duid-uuid.pcap",
  "dhcpv6-rfc8415-duid-type2.pcap",
  "dhcpv6-sip-server-d.pcap",
  "dhcpv6-vendor-specific-information.pcap",
  "dhcpv4v6-rfc5970-rfc8572.pcap",
];

const DHCPV6_CHECK: FieldCheck<Dhcpv6Message> = {
  fields: DHCPV6_FIELDS,
  layer: (packet) => packet.dhcpv6,
};

Deno.test("DHCPv6 in tcpdump's captures: lines as tcpdump's (-v, -vv too), fields as tshark's", async () => {
  let lines = 0;
  let fields = 0;
  const shown = new Set<string>();
  for (const name of FILES) {
    const path = new URL(name, CORPUS).pathname;
    for (const flags of [[], ["-v"], ["-vv"]]) {
      lines += await compareText(path, (packet) => packet.includes(" dhcp6 "), flags);
    }
    fields += await compareFields(path, DHCPV6_CHECK);
    const run = await runNetpeek(["-v", "-r", path]);
    for (
      const match of run.stdout.matchAll(
        /\((IA_NA|IA_PD-prefix|IA_ADDR|relay-message|DNS-search-list|AFTR-Name|NTP-server|client-ID hwaddr\/time|client-ID vid) /g,
      )
    ) {
      shown.add(match[1]);
    }
  }
  assert.ok(lines >= 60, `only ${lines} lines`);
  assert.ok(fields >= 20, `only ${fields} packets' fields`);
  // A guard against a vacuous pass: the options were printed, not left out on both sides.
  assert.equal(shown.size, 9, `options shown: ${[...shown].join(", ")}`);
});

Deno.test("DHCPv6 options cut by the message end as tcpdump cuts them, and bounded", () => {
  // A reply whose second option claims more bytes than the message holds.
  const bytes = new Uint8Array([7, 0, 0, 1, 0, 8, 0, 2, 0, 5, 0, 23, 0, 32, 0x20, 0x01]);
  const dhcp = new Dhcpv6Message().bind(new DataView(bytes.buffer), 0, bytes.length);
  const out = new ByteWriter();
  writeDhcpv6(out, dhcp, 1);
  assert.equal(out.toString(), "dhcp6 reply (xid=1 (elapsed-time 5) [|dhcp6])");
  const json = dhcp.toJSON();
  assert.equal(json.optionsTruncated, true);
  assert.deepEqual(json.options?.map((option) => option.truncated ?? false), [false, true]);
  // A client ID whose DUID ends before its link-layer address, at the end of the buffer.
  const bare = new Uint8Array([1, 0, 0, 1, 0, 1, 0, 8, 0, 1, 0, 1, 0, 0, 0, 5]);
  const solicit = new Dhcpv6Message().bind(new DataView(bare.buffer), 0, bare.length);
  assert.deepEqual(solicit.toJSON().options?.[0].duid, { type: 1, hardwareType: 1, time: 5 });
  const bareText = new ByteWriter();
  writeDhcpv6(bareText, solicit, 1);
  assert.equal(bareText.toString(), "dhcp6 solicit (xid=1 (client-ID hwaddr/time type 1 time 5 ))");
  // Relay messages nested deeper than DHCPV6_MAX_NESTING are not followed.
  const depth = DHCPV6_MAX_NESTING + 4;
  const nested = new Uint8Array(depth * 38 + 4);
  const view = new DataView(nested.buffer);
  for (let level = 0; level < depth; level++) {
    const at = level * 38;
    view.setUint8(at, 12);
    view.setUint16(at + 34, 9);
    view.setUint16(at + 36, nested.length - at - 38);
  }
  view.setUint32(depth * 38, 0x01abcdef);
  let message: Dhcpv6Json | undefined = new Dhcpv6Message().bind(view, 0, nested.length).toJSON();
  let levels = 0;
  while (message !== undefined) {
    levels++;
    message = message.options?.[0]?.message;
  }
  assert.equal(levels, DHCPV6_MAX_NESTING);
  const text = new ByteWriter();
  writeDhcpv6(text, new Dhcpv6Message().bind(view, 0, nested.length), 1);
  // As many messages printed as read; the last one's relay-message option is named only.
  assert.equal(text.toString().split("dhcp6 relay-fwd").length - 1, DHCPV6_MAX_NESTING);
  assert.equal(text.toString().split("relay-message").length - 1, DHCPV6_MAX_NESTING);
});
