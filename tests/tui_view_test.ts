/**
 * The live view's hex pane marks the bytes of the layer whose heading the details' selection is
 * on, from its header to the next layer decoded: on a real capture, selecting `▾ ipv4` marks exactly
 * the IPv4 header (IHL × 4 bytes, read from the frame itself), and `▾ udp` the datagram
 * from its header to the IPv4 total length's end (its payload decoded as no further layer).
 */

import assert from "node:assert/strict";
import { PacketStore } from "../src/tui/packet_store.ts";
import { detailLines, newViewState, packetJson, screenLines, sparkline } from "../src/tui/view.ts";
import { CaptureFileReader } from "../src/file/reader.ts";

const FIXTURE = new URL("./fixtures/mixed.pcap", import.meta.url).pathname;

/** Offsets (from the frame's start) of the bytes shown in inverse video in the hex lines. */
function marked(lines: string[]): number[] {
  const offsets: number[] = [];
  for (const line of lines.filter((line) => line.startsWith("0x"))) {
    const base = parseInt(line.slice(2, 6), 16);
    // The hex part: 8 groups of up to 4 hex digits, each byte marked on its own.
    const hex = line.slice(9);
    let index = 0;
    // deno-lint-ignore no-control-regex -- the inverse video's escape sequences
    for (const match of hex.matchAll(/(\x1b\[7m)?([0-9a-f]{2})(\x1b\[0m)?/g)) {
      if (index >= 16) break;
      if (match[1] !== undefined) offsets.push(base + index);
      index++;
    }
  }
  return offsets;
}

Deno.test("the hex pane marks the bytes of the selected layer", async () => {
  const store = new PacketStore(1 << 24);
  const file = await Deno.open(FIXTURE);
  const reader = await CaptureFileReader.open(file, FIXTURE);
  await reader.runRanges((bytes, offset, header) => {
    store.add(bytes, offset, header, header.linkType);
  });
  let checked = 0;
  for (let number = 1; number <= store.count; number++) {
    const stored = store.packet(number)!;
    const json = packetJson(stored) as Record<string, unknown>;
    // UDP whose payload is no further layer (DNS, VXLAN and the like are layers of their own).
    const layers = Object.keys(json);
    if (json.ipv4 === undefined || layers.at(-1) !== "udp") continue;
    const state = newViewState();
    state.detailOpen = true;
    state.focus = "detail";
    state.selected = store.shown.toArray().indexOf(number);
    const details = detailLines(json, new Set());
    // The IPv4 header, found in the frame: after the Ethernet header and any VLAN tags.
    const frame = stored.bytes;
    let ipStart = 14;
    const tagged = () => {
      const type = (frame[ipStart - 2] << 8) | frame[ipStart - 1];
      return type === 0x8100 || type === 0x88a8; // 802.1Q, 802.1ad
    };
    while (tagged()) ipStart += 4;
    const ihl = (frame[ipStart] & 0x0f) * 4;
    const ipLength = (frame[ipStart + 2] << 8) | frame[ipStart + 3];
    const udpLength = Math.min(ipLength, frame.length - ipStart) - ihl;
    for (
      const [layer, start, length] of [["ipv4", ipStart, ihl], [
        "udp",
        ipStart + ihl,
        udpLength,
      ]] as const
    ) {
      // The layer's heading: a line with no field of its own marks the whole layer.
      state.detailSelected = details.findIndex((line) => line.layer === layer);
      state.detailTop = state.detailSelected;
      const lines = screenLines(store, state, { columns: 120, rows: 90 }, { color: false });
      assert.deepEqual(
        marked(lines),
        Array.from({ length: length }, (_, i) => start + i),
        `packet ${number}, ${layer}`,
      );
    }
    checked++;
  }
  assert.ok(checked >= 3, `only ${checked} IPv4/UDP packets checked`);
});

Deno.test("the conversations and talkers views show the bandwidth as a sparkline", () => {
  // One bar a second, scaled from nothing (▁) to the busiest second (█).
  assert.equal(sparkline([0, 100, 200, 400, 800]), "▁▂▃▅█");
  assert.equal(sparkline([0, 0]), "▁▁");
  assert.equal(sparkline([]), "");
  const store = new PacketStore(1 << 20);
  const state = newViewState();
  state.bandwidth = [1000, 4000, 2000, 8000];
  for (const mode of ["conversations", "talkers"] as const) {
    state.mode = mode;
    const lines = screenLines(store, state, { columns: 100, rows: 30 }, { color: false });
    assert.ok(
      lines.some((line) => line.startsWith("Bandwidth, the last 4 s (up to 8.0 kB/s): ▂▅▃█")),
      lines.join("\n"),
    );
  }
});
