/**
 * IPsec ESP against tcpdump and tshark, on tcpdump's captures of ESP over IPv4 and of ESP in
 * UDP (NAT traversal): the text begins with tcpdump's (`ESP(spi=0x12345678,seq=0x1)`,
 * `UDP-encap: ESP(…)`), the SPI and sequence number equal tshark's. No test makes ESP live:
 * this kernel has no ESP transform (`ip xfrm state add … proto esp` answers "Requested type
 * not found"), so tcpdump's captures of it are used instead.
 *
 * tests/fixtures/protocols/esp.pcap holds frames of two of those captures (ESP over IPv4 and
 * in UDP), for the tests that read every fixture.
 */

import assert from "node:assert/strict";
import { ESP_FIELDS, type EspHeader } from "../src/decode/mod.ts";
import { compareFields, compareText, type FieldCheck } from "./protocol_check.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);

const ESP_CHECK: FieldCheck<EspHeader> = {
  fields: ESP_FIELDS,
  layer: (packet) => packet.esp,
  // tshark reads port 4500 as ESP in UDP only when told to.
  tsharkArgs: ["-o", "esp.enable_encryption_decode:FALSE"],
};

Deno.test("ESP in tcpdump's captures: text as tcpdump's, SPI and sequence as tshark's", async () => {
  let lines = 0;
  let fields = 0;
  for (
    const name of ["02-sunrise-sunset-esp.pcap", "08-sunrise-sunset-esp2.pcap", "espudp1.pcap"]
  ) {
    const path = new URL(name, CORPUS).pathname;
    lines += await compareText(path, (packet) => packet.includes("ESP("));
    fields += await compareFields(path, ESP_CHECK);
  }
  assert.equal(lines, 24);
  assert.ok(fields >= 16, `only ${fields} packets' fields compared`);
});
