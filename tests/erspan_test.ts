/**
 * ERSPAN against tcpdump and tshark, on tcpdump's captures of types I, II and III (with and
 * without the platform subheader, in IPv4 and IPv6): tcpdump 4.99 prints the GRE line and
 * stops at `gre-proto-0x88be`, netpeek's line begins with it and goes on with the header and
 * the mirrored frame; ERSPAN's fields and the mirrored frame's addresses equal tshark's. This
 * kernel has no GRE devices (ERSPAN rides on them), so nothing is made live.
 */

import assert from "node:assert/strict";
import { ERSPAN_FIELDS, type ErspanHeader } from "../src/decode/mod.ts";
import { compareFields, compareInner, compareText, type FieldCheck } from "./protocol_check.ts";
import { runNetpeek } from "./netpeek_process.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url);
const ERSPAN_CHECK: FieldCheck<ErspanHeader> = {
  fields: ERSPAN_FIELDS,
  layer: (packet) => packet.erspan,
};

const CAPTURES = [
  "erspan-type-i-1.pcap",
  "erspan-type-i-2.pcap",
  "erspan-type-i-3.pcap",
  "erspan-type-i-4.pcap",
  "erspan-type-ii-1.pcap",
  "erspan-type-ii-2.pcap",
  "erspan-type-ii-3.pcap",
  "erspan-type-iii-ft-0.pcap",
  "erspan-type-iii-ft-7.pcap",
  "erspan-type-iii-pb-1.pcap",
];

Deno.test("ERSPAN types I, II and III: tcpdump's GRE line, then the header and the mirrored frame", async () => {
  let lines = 0;
  let fields = 0;
  let inner = 0;
  for (const name of CAPTURES) {
    const path = new URL(name, CORPUS).pathname;
    // The captures hold OSPF too, which netpeek names only (README: differences).
    const erspan = (text: string) => text.includes("gre-proto-");
    lines += await compareText(path, erspan) + await compareText(path, erspan, ["-e"]);
    fields += await compareFields(path, ERSPAN_CHECK);
    inner += await compareInner(path);
  }
  assert.ok(lines >= 2 * CAPTURES.length, `${lines}`);
  assert.ok(fields >= CAPTURES.length, `${fields}`);
  assert.ok(inner >= CAPTURES.length - 2, `${inner}`);
  const path = new URL("erspan-type-ii-1.pcap", CORPUS).pathname;
  const line = (await runNetpeek(["-r", path], { env: { TZ: "UTC" } })).stdout;
  assert.match(
    line,
    /gre-proto-0x88be: ERSPAN type II, session 666, vlan 342, cos 6, index 32760: IP 10\.48\.6\.1 > /,
  );
  const json = JSON.parse((await runNetpeek(["--json", "-r", path])).stdout);
  assert.deepEqual([json.erspan.type, json.erspan.sessionId, json.inner.link], [
    2,
    666,
    "ethernet",
  ]);
});
