/**
 * SSDP and WireGuard against tcpdump and tshark. tcpdump prints both as plain UDP lines, which
 * netpeek's must begin with; each declared field must equal tshark's. SSDP's datagrams are
 * sent live by a program here (an M-SEARCH, a NOTIFY and an answer, on lo in a namespace);
 * this kernel has no WireGuard device (`ip link add … type wireguard`: "Unknown device type"),
 * so WireGuard's four messages are built by the test, their fields laid out as the WireGuard
 * paper (section 5.4) gives them, and tshark's reading of them is the reference.
 *
 * tests/fixtures/protocols/ssdp-wireguard.pcap was made by this procedure (netpeek writing the
 * SSDP part, the builder the WireGuard part).
 */

import assert from "node:assert/strict";
import {
  HTTP_FIELDS,
  type HttpMessage,
  WIREGUARD_FIELDS,
  type WireGuardMessage,
} from "../src/decode/mod.ts";
import { pcapRecords } from "../scripts/make_fixtures.ts";
import { concat, u32, udpOverEthernet } from "../scripts/packet_builder.ts";
import { compareFields, compareText, type FieldCheck } from "./protocol_check.ts";
import { readPcap } from "./pcap_file.ts";
import { NetpeekProcess, runNetpeek, sh } from "./netpeek_process.ts";

const FIXTURE = new URL("./fixtures/protocols/ssdp-wireguard.pcap", import.meta.url).pathname;

const WIREGUARD_CHECK: FieldCheck<WireGuardMessage> = {
  fields: WIREGUARD_FIELDS,
  layer: (packet) => packet.wireguard,
};
const SSDP_CHECK: FieldCheck<HttpMessage> = {
  fields: HTTP_FIELDS,
  layer: (packet) => packet.udp !== undefined ? packet.http : undefined,
};

/** WireGuard's messages: initiation, response, transport data, cookie reply. */
function wireGuardFrames(): Uint8Array[] {
  const datagram = udpOverEthernet;
  const le = (value: number) => u32(value).reverse();
  return [
    datagram(
      "192.0.2.20",
      "192.0.2.21",
      40000,
      51820,
      concat([1, 0, 0, 0], le(0x44332211), new Uint8Array(140)),
    ),
    datagram(
      "192.0.2.21",
      "192.0.2.20",
      51820,
      40000,
      concat([2, 0, 0, 0], le(0x88776655), le(0x44332211), new Uint8Array(80)),
    ),
    datagram(
      "192.0.2.20",
      "192.0.2.21",
      40000,
      51820,
      concat([4, 0, 0, 0], le(0x88776655), le(7), le(0), new Uint8Array(32)),
    ),
    datagram(
      "192.0.2.21",
      "192.0.2.20",
      51820,
      40000,
      concat([3, 0, 0, 0], le(0x44332211), new Uint8Array(56)),
    ),
  ];
}

async function checkFile(path: string): Promise<[number, number, number]> {
  const lines = await compareText(path, () => true);
  return [lines, await compareFields(path, WIREGUARD_CHECK), await compareFields(path, SSDP_CHECK)];
}

Deno.test("SSDP sent live and WireGuard's messages: lines begin with tcpdump's, fields as tshark's", async () => {
  const ns = `netpeek-s-${Deno.pid % 100000}${Math.floor(Math.random() * 100)}`;
  const dir = await Deno.makeTempDir();
  await sh("ip", ["netns", "add", ns]);
  try {
    await sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
    await sh("ip", ["-n", ns, "addr", "add", "192.0.2.10/32", "dev", "lo"]);
    await sh("ip", ["-n", ns, "route", "add", "239.255.255.250/32", "dev", "lo"]);
    const sender = `${dir}/ssdp.ts`;
    await Deno.writeTextFile(
      sender,
      `const socket = Deno.listenDatagram({ transport: "udp", hostname: "192.0.2.10", port: 1900 });
const send = (text, port, to = "239.255.255.250") =>
  socket.send(new TextEncoder().encode(text), { transport: "udp", hostname: to, port });
await send('M-SEARCH * HTTP/1.1\\r\\nHOST: 239.255.255.250:1900\\r\\nMAN: "ssdp:discover"\\r\\nMX: 1\\r\\nST: ssdp:all\\r\\n\\r\\n', 1900);
await send("NOTIFY * HTTP/1.1\\r\\nHOST: 239.255.255.250:1900\\r\\nNT: upnp:rootdevice\\r\\nNTS: ssdp:alive\\r\\n\\r\\n", 1900);
await send("HTTP/1.1 200 OK\\r\\nST: upnp:rootdevice\\r\\nUSN: uuid:netpeek\\r\\n\\r\\n", 50000, "192.0.2.10");
socket.close();`,
    );
    const live = `${dir}/ssdp.pcap`;
    const capture = new NetpeekProcess(
      ["-i", "lo", "-w", live, "--duration", "30", "udp", "port", "1900"],
      ["ip", "netns", "exec", ns],
    );
    await capture.listening();
    await sh("ip", [
      "netns",
      "exec",
      ns,
      Deno.execPath(),
      "run",
      "--allow-net",
      "--unstable-net",
      sender,
    ]);
    capture.child.kill("SIGINT");
    assert.equal((await capture.finished()).code, 0);
    // The SSDP part as captured, then WireGuard's, in one file.
    const wireguard = `${dir}/wireguard.pcap`;
    await Deno.writeFile(
      wireguard,
      pcapRecords(
        1,
        wireGuardFrames().map((frame, i) => ({ seconds: 1767225600 + i, fraction: 0, frame })),
      ),
    );
    for (const path of [live, wireguard]) {
      const [lines, wg, ssdp] = await checkFile(path);
      assert.ok(lines >= 3, `${path}: ${lines} lines`);
      if (path === wireguard) assert.equal(wg, 4);
      else assert.equal(ssdp, 3);
    }
    const text = (await runNetpeek(["-r", live])).stdout +
      (await runNetpeek(["-r", wireguard])).stdout;
    for (
      const shown of [
        ": SSDP: M-SEARCH * HTTP/1.1",
        ": SSDP: NOTIFY * HTTP/1.1",
        ": SSDP: HTTP/1.1 200 OK",
        ": WireGuard Handshake Initiation, sender 0x44332211",
        ": WireGuard Handshake Response, sender 0x88776655, receiver 0x44332211",
        ": WireGuard Transport Data, receiver 0x88776655, counter 7",
        ": WireGuard Cookie Reply, receiver 0x44332211",
      ]
    ) assert.ok(text.includes(shown), `no "${shown}" in:\n${text}`);
    const keep = Deno.env.get("NETPEEK_KEEP_CAPTURES");
    if (keep !== undefined) {
      const records = [...(await readPcap(live)).records, ...(await readPcap(wireguard)).records]
        .map(({ header, frame }) => ({
          seconds: header.seconds,
          fraction: header.fraction,
          frame,
        }));
      await Deno.writeFile(`${keep}/ssdp-wireguard.pcap`, pcapRecords(1, records));
    }
  } finally {
    await sh("ip", ["netns", "del", ns]).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SSDP and WireGuard fixture: as tcpdump and tshark read it", async () => {
  const [lines, wg, ssdp] = await checkFile(FIXTURE);
  assert.ok(lines >= 7 && wg === 4 && ssdp === 3, JSON.stringify({ lines, wg, ssdp }));
});
