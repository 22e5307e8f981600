/**
 * DHCPv6 against tcpdump and tshark, on tcpdump's DHCPv6 captures (solicit, advertise,
 * request, reply, relay messages, many options): the default line is tcpdump's
 * (`dhcp6 solicit`), the message type and transaction ID are tshark's. No DHCPv6 client is
 * among the packages this machine has, so no exchange is made live. tcpdump's `-v` option
 * details are not printed yet (README: differences).
 */

import assert from "node:assert/strict";
import { DHCPV6_FIELDS, type Dhcpv6Message } from "../src/decode/mod.ts";
import { compareFields, compareText, type FieldCheck } from "./protocol_check.ts";

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
  "dhcpv6-sip-server-d.pcap",
  "dhcpv6-vendor-specific-information.pcap",
];

const DHCPV6_CHECK: FieldCheck<Dhcpv6Message> = {
  fields: DHCPV6_FIELDS,
  layer: (packet) => packet.dhcpv6,
  // A relay message carries the client's inside, whose transaction ID tshark shows; netpeek
  // does not read the relayed message yet.
  skip: (packet) => packet.dhcpv6?.isRelay === true,
};

Deno.test("DHCPv6 in tcpdump's captures: the line as tcpdump's, type and xid as tshark's", async () => {
  let lines = 0;
  let fields = 0;
  for (const name of FILES) {
    const path = new URL(name, CORPUS).pathname;
    lines += await compareText(path, (packet) => packet.includes(" dhcp6 "));
    fields += await compareFields(path, DHCPV6_CHECK);
  }
  assert.ok(lines >= 20, `only ${lines} lines`);
  assert.ok(fields >= 20, `only ${fields} packets' fields`);
});
