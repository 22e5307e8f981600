/**
 * What the live view shows, as lines of text: the packet list, one packet's fields as a
 * tree, its bytes in hex and ASCII, the status bar, the conversations and top talkers, and
 * the help. Pure: it reads a `PacketStore` and the view's state, and returns the screen's
 * lines, each cut or padded to the width (`app.ts` writes them to the terminal).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PacketStore } from "./packet_store.ts";
 * import { newViewState, screenLines } from "./view.ts";
 * const store = new PacketStore(1 << 20);
 * const frame = new Uint8Array([0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
 * store.add(frame, 0, { seconds: 1, fraction: 0, nanosecond: false, caplen: 20, len: 20 }, 101);
 * const state = newViewState();
 * state.detailOpen = true;
 * const lines = screenLines(store, state, { columns: 100, rows: 30 }, { color: false });
 * assert.equal(lines.length, 30);
 * assert.ok(lines.some((line) => line.includes("10.0.0.1") && line.includes("10.0.0.2")));
 * assert.ok(lines.some((line) => line.includes("▾ ipv4")));
 * assert.ok(lines.some((line) => line.startsWith("0x0000:  4500 0014")));
 * ```
 * @module
 */

import {
  ARP_FIELD_PLACES,
  Decoder,
  DNS_FIELD_PLACES,
  ETHERNET_FIELD_PLACES,
  type FieldPlaces,
  HeaderView,
  ICMP_FIELD_PLACES,
  IPV4_FIELD_PLACES,
  IPV6_FIELD_PLACES,
  type Packet,
  TCP_FIELD_PLACES,
  UDP_FIELD_PLACES,
  VLAN_FIELD_PLACES,
} from "../decode/mod.ts";
import type { CaptureStats } from "../frame.ts";
import { packetToJson } from "../output/json.ts";
import { ByteWriter } from "../output/bytes.ts";
import { TextFormatter } from "../output/text.ts";
import type { PacketStore, StoredPacket } from "./packet_store.ts";
import type { SelectionWriter } from "./write_selection.ts";

/** Which screen is up, and where the keys go. */
export interface ViewState {
  mode: "list" | "conversations" | "talkers" | "help";
  /** Index in the store's `shown` of the selected packet. */
  selected: number;
  /** Index in `shown` of the first row drawn. */
  top: number;
  /** The selection follows new packets (until the user moves up, or Space). */
  follow: boolean;
  /** The details and hex panes are open (Enter). */
  detailOpen: boolean;
  /** The pane the movement keys move: the list or the details. */
  focus: "list" | "detail";
  /** The first detail line drawn, and the one selected. */
  detailTop: number;
  detailSelected: number;
  /** Layers folded in the details (by name). */
  folded: Set<string>;
  /** The filter being typed after `/`, or the file name after `w`. */
  prompt?: { kind: "filter" | "write"; text: string };
  /** A message for the status bar (an error, a file written). */
  message?: string;
  /** `w`'s file being written, a step a frame. */
  writing?: SelectionWriter;
  /** The capture's counters, and the rates measured over the last second. */
  capture?: CaptureStats | null;
  packetsPerSecond: number;
  bytesPerSecond: number;
  /** Bytes a second, one a second, the newest last (up to `BANDWIDTH_SECONDS`). */
  bandwidth: number[];
  /** The conversations and talkers views: the column sorted by. */
  sortBy: "bytes" | "frames";
}

/** A fresh view: the list, following. */
export function newViewState(): ViewState {
  return {
    mode: "list",
    selected: 0,
    top: 0,
    follow: true,
    detailOpen: false,
    focus: "list",
    detailTop: 0,
    detailSelected: 0,
    folded: new Set(),
    packetsPerSecond: 0,
    bytesPerSecond: 0,
    bandwidth: [],
    sortBy: "bytes",
  };
}

/** Seconds of bandwidth the sparkline shows. */
export const BANDWIDTH_SECONDS = 60;

const SPARK_LEVELS = "▁▂▃▄▅▆▇█";

/** `values` as a sparkline: one bar each, from the lowest (0) to the highest (the largest). */
export function sparkline(values: readonly number[]): string {
  const highest = Math.max(0, ...values);
  const top = SPARK_LEVELS.length - 1;
  return values.map((value) =>
    SPARK_LEVELS[highest === 0 ? 0 : Math.round(Math.max(0, value) / highest * top)]
  ).join("");
}

/** The bandwidth line of the conversations and talkers views. */
function bandwidthLine(state: ViewState): string {
  const seconds = state.bandwidth.length;
  if (seconds === 0) return "Bandwidth: measured each second";
  return `Bandwidth, the last ${seconds} s (up to ${
    formatBytes(Math.max(...state.bandwidth))
  }/s): ${sparkline(state.bandwidth)}`;
}

/** How the screen is drawn. */
export interface DrawOptions {
  /** ANSI colours (not with `NO_COLOR`). */
  color: boolean;
}

const RESET = "\x1b[0m";
const INVERSE = "\x1b[7m";
const BOLD = "\x1b[1m";
/** Colours of the list's rows by protocol, as Wireshark's defaults suggest them. */
const PROTOCOL_COLORS: Record<string, string> = {
  TCP: "\x1b[38;5;183m",
  UDP: "\x1b[38;5;117m",
  DNS: "\x1b[38;5;153m",
  HTTP: "\x1b[38;5;120m",
  TLS: "\x1b[38;5;150m",
  QUIC: "\x1b[38;5;150m",
  ICMP: "\x1b[38;5;218m",
  ICMPv6: "\x1b[38;5;218m",
  ARP: "\x1b[38;5;229m",
};

/** The JSON layers the protocol column names, highest first. */
const PROTOCOL_LAYERS: [string, string][] = [
  ["dns", "DNS"],
  ["http", "HTTP"],
  ["tls", "TLS"],
  ["quic", "QUIC"],
  ["dhcp", "DHCP"],
  ["ntp", "NTP"],
  ["syslog", "Syslog"],
  ["wireguard", "WireGuard"],
  ["isakmp", "ISAKMP"],
  ["someip", "SOME/IP"],
  ["icmp", "ICMP"],
  ["icmpv6", "ICMPv6"],
  ["igmp", "IGMP"],
  ["tcp", "TCP"],
  ["udp", "UDP"],
  ["arp", "ARP"],
  ["ipv4", "IPv4"],
  ["ipv6", "IPv6"],
  ["eth", "Ethernet"],
];

type Json = Record<string, unknown>;

/** A packet decoded for the screen: its layers, JSON, and list columns. */
export interface Described {
  packet: Packet;
  json: Json;
  protocol: string;
  source: string;
  destination: string;
  summary: string;
}

const decoder = new Decoder();
const summaryText = new TextFormatter({ timeFormat: 1 });
const summaryOut = new ByteWriter(4096);

/** Decodes a kept packet for the screen (the views are shared: valid until the next call). */
export function describe(stored: StoredPacket): Described {
  const packet = decoder.decodeAt(
    stored.bytes,
    0,
    stored.bytes.length,
    stored.linkType,
    stored.header.len,
  );
  const json = packetToJson(packet, stored.header) as unknown as Json;
  summaryOut.clear();
  summaryText.write(summaryOut, packet, stored.header, {});
  const summary = new TextDecoder().decode(summaryOut.written()).split("\n")[0];
  const protocol = PROTOCOL_LAYERS.find(([key]) => json[key] !== undefined)?.[1] ?? "?";
  const network = (json.ipv4 ?? json.ipv6) as Json | undefined;
  const arp = json.arp as Json | undefined;
  const eth = json.eth as Json | undefined;
  const source = String(network?.src ?? arp?.senderIp ?? eth?.src ?? "");
  const destination = String(network?.dst ?? arp?.targetIp ?? eth?.dst ?? "");
  return {
    packet,
    json,
    protocol,
    source,
    destination,
    summary: info(summary, source, destination),
  };
}

/**
 * The Info column: tcpdump's line without what the Source and Destination columns show
 * (`IP 10.0.0.1.443 > 10.0.0.2.5555: Flags [S]` becomes `443 > 5555: Flags [S]`).
 */
function info(summary: string, source: string, destination: string): string {
  const match = /^IP6? (\S+) > (\S+): /.exec(summary);
  if (match === null) return summary;
  const port = (token: string, address: string) =>
    token === address
      ? ""
      : token.startsWith(`${address}.`)
      ? token.slice(address.length + 1)
      : undefined;
  const from = port(match[1], source);
  const to = port(match[2], destination);
  if (from === undefined || to === undefined) return summary;
  const rest = summary.slice(match[0].length);
  return from === "" && to === "" ? rest : `${from} > ${to}: ${rest}`;
}

/** `text` cut or padded to `width` columns. */
function fit(text: string, width: number): string {
  // deno-lint-ignore no-control-regex -- packet text never reaches the terminal raw
  const clean = text.replace(/[\x00-\x1f\x7f]/g, ".");
  return clean.length >= width ? clean.slice(0, width) : clean + " ".repeat(width - clean.length);
}

/** The time column: seconds since the first packet kept. */
function relativeTime(stored: StoredPacket, first: StoredPacket | undefined): string {
  const scale = stored.header.nanosecond ? 1e9 : 1e6;
  const at = (s: StoredPacket) => s.header.seconds + s.header.fraction / scale;
  return (at(stored) - (first ? at(first) : at(stored))).toFixed(6);
}

/**
 * A line of the details: its text, the layer it heads (`layer`) or lies in (`owner`), and the
 * keys from the top of the JSON down to it (`path`, for a field).
 */
export interface DetailLine {
  text: string;
  layer?: string;
  owner?: string;
  path?: readonly string[];
}

/** The detail tree's lines: each layer a heading, folded or not, its fields indented. */
export function detailLines(json: Json, folded: Set<string>): DetailLine[] {
  const lines: DetailLine[] = [];
  const entriesOf = (value: object) =>
    Array.isArray(value)
      ? value.map((item, i) => [`[${i}]`, item] as const)
      : Object.entries(value);
  const walk = (value: unknown, path: readonly string[]) => {
    const indent = "  ".repeat(path.length - 1);
    const name = path[path.length - 1];
    const owner = path[0];
    if (value !== null && typeof value === "object") {
      lines.push({ text: `${indent}${name}:`, owner, path });
      for (const [key, item] of entriesOf(value)) walk(item, [...path, key]);
    } else lines.push({ text: `${indent}${name}: ${JSON.stringify(value)}`, owner, path });
  };
  for (const [layer, value] of Object.entries(json)) {
    if (value !== null && typeof value === "object") {
      const isFolded = folded.has(layer);
      lines.push({ text: `${isFolded ? "▸" : "▾"} ${layer}`, layer, owner: layer });
      if (!isFolded) { for (const [key, item] of entriesOf(value)) walk(item, [layer, key]); }
    } else lines.push({ text: `  ${layer}: ${JSON.stringify(value)}` });
  }
  return lines;
}

/** Bytes of a frame to mark, [start, end) from its first byte. */
export interface ByteRange {
  start: number;
  end: number;
}

/** A decoded layer's place: the header views' offsets in the buffer decoded. */
interface Placed {
  offset: number;
  end: number;
}

/**
 * The bytes of layer `name` in `stored`'s frame, as [start, end) from its first byte: from the
 * layer's header to the next layer's, or to the layer's end; undefined for a layer the decoder
 * keeps no place of.
 */
export function layerBytes(
  described: { packet: Packet },
  name: string,
  frame: Uint8Array,
): ByteRange | undefined {
  const layers = described.packet as unknown as Record<string, unknown>;
  const placed = (value: unknown): value is Placed =>
    typeof value === "object" && value !== null && typeof (value as Placed).offset === "number" &&
    typeof (value as Placed).end === "number";
  const layer = layers[name];
  if (!placed(layer)) return undefined;
  let end = layer.end;
  for (const other of Object.values(layers)) {
    if (placed(other) && other.offset > layer.offset && other.offset < end) end = other.offset;
  }
  const base = frame.byteOffset;
  const start = layer.offset - base;
  if (start < 0 || start >= frame.length) return undefined;
  return { start, end: Math.min(frame.length, Math.max(start, end - base)) };
}

/** The layers whose fields' bytes are known, by their JSON names. */
const FIELD_PLACES: Readonly<Record<string, FieldPlaces<never>>> = {
  eth: ETHERNET_FIELD_PLACES,
  vlan: VLAN_FIELD_PLACES,
  arp: ARP_FIELD_PLACES,
  ipv4: IPV4_FIELD_PLACES,
  ipv6: IPV6_FIELD_PLACES,
  tcp: TCP_FIELD_PLACES,
  udp: UDP_FIELD_PLACES,
  icmp: ICMP_FIELD_PLACES,
  dns: DNS_FIELD_PLACES,
};

/**
 * The bytes of the field at `path` (JSON keys, the layer first; `[i]` picks one of a list of
 * layers, as VLAN tags) in `described`'s frame, as [start, end) from its first byte; undefined
 * where the field's place is not known (then the view marks its layer).
 */
export function fieldBytes(
  described: { packet: Packet },
  path: readonly string[],
  frame: Uint8Array,
): ByteRange | undefined {
  const places = FIELD_PLACES[path[0]];
  if (places === undefined || path.length < 2) return undefined;
  let layer: unknown = (described.packet as unknown as Record<string, unknown>)[path[0]];
  let key = path[1];
  const item = /^\[(\d+)\]$/.exec(key);
  if (item !== null && Array.isArray(layer)) {
    layer = layer[Number(item[1])];
    key = path[2];
  }
  const place = key === undefined ? undefined : places[key];
  if (place === undefined || !(layer instanceof HeaderView)) return undefined;
  const at = typeof place === "function"
    ? (place as (view: HeaderView) => readonly [number, number] | undefined)(layer)
    : place;
  if (at === undefined) return undefined;
  const start = layer.offset - frame.byteOffset + at[0];
  const end = Math.min(frame.length, start + at[1]);
  return start >= 0 && start < end ? { start, end } : undefined;
}

/**
 * The hex and ASCII lines of `bytes`, 16 a line, as `tcpdump -X` lays them out; the bytes in
 * `highlight` ([start, end)) in inverse video, both as hex and as ASCII.
 */
export function hexLines(bytes: Uint8Array, highlight?: ByteRange): string[] {
  const lines: string[] = [];
  const lit = (at: number) =>
    highlight !== undefined && at >= highlight.start && at < highlight.end;
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = bytes.subarray(offset, offset + 16);
    let hex = "";
    let ascii = "";
    for (let i = 0; i < 16; i++) {
      if (i < row.length) {
        const pair = row[i].toString(16).padStart(2, "0");
        const char = row[i] >= 0x20 && row[i] < 0x7f ? String.fromCharCode(row[i]) : ".";
        hex += (lit(offset + i) ? INVERSE + pair + RESET : pair) + (i % 2 === 1 ? " " : "");
        ascii += lit(offset + i) ? INVERSE + char + RESET : char;
      } else hex += i % 2 === 1 ? "   " : "  ";
    }
    lines.push(`0x${offset.toString(16).padStart(4, "0")}:  ${hex} ${ascii}`);
  }
  return lines;
}

/** Rows the list gets, given the screen's rows and whether the panes below are open. */
export function listRows(state: ViewState, rows: number): number {
  const body = rows - 2; // the column titles and the status bar
  return state.detailOpen ? Math.max(3, Math.floor(body * 0.35)) : body;
}

/** Rows the details pane gets (when open): three fifths of what the list leaves. */
export function detailRows(state: ViewState, rows: number): number {
  return Math.max(1, Math.floor((rows - 2 - listRows(state, rows)) * 0.6));
}

/** A kept packet's fields, as `--json` has them. */
export function packetJson(stored: StoredPacket): Json {
  return describe(stored).json;
}

/** The whole screen, `rows` lines of `columns` columns. */
export function screenLines(
  store: PacketStore,
  state: ViewState,
  size: { columns: number; rows: number },
  options: DrawOptions,
): string[] {
  const { columns, rows } = size;
  // Inverse video marks the selection with or without colour (NO_COLOR is about colour).
  const paint = (style: string, text: string) =>
    options.color || style === INVERSE ? style + text + RESET : text;
  const lines: string[] = [];
  if (state.mode === "help") lines.push(...helpLines());
  else if (state.mode === "conversations") lines.push(...conversationLines(store, state));
  else if (state.mode === "talkers") lines.push(...talkerLines(store, state));
  else {
    lines.push(paint(BOLD, fit(LIST_TITLES, columns)));
    const shown = store.shown;
    const height = listRows(state, rows);
    const first = store.packet(shown.at(0) ?? 0);
    let selected: Described | undefined;
    let selectedStored: StoredPacket | undefined;
    for (let row = 0; row < height; row++) {
      const index = state.top + row;
      const stored = index < shown.length ? store.packet(shown.at(index) ?? 0) : undefined;
      if (stored === undefined) {
        lines.push(fit("", columns));
        continue;
      }
      const described = describe(stored);
      const line = fit(
        `${String(stored.number).padStart(7)} ${relativeTime(stored, first).padStart(12)} ` +
          `${fit(described.source, 22)} ${fit(described.destination, 22)} ` +
          `${fit(described.protocol, 8)} ${String(stored.header.len).padStart(6)} ` +
          described.summary,
        columns,
      );
      if (index === state.selected) {
        selected = described;
        selectedStored = stored;
        lines.push(paint(INVERSE, line));
      } else lines.push(paint(PROTOCOL_COLORS[described.protocol] ?? "", line));
    }
    if (state.detailOpen) {
      const left = rows - 1 - lines.length;
      const detailHeight = detailRows(state, rows);
      const hexHeight = left - detailHeight;
      if (selected === undefined && shown.length > 0) {
        selectedStored = store.packet(shown.at(state.selected) ?? 0);
        selected = selectedStored && describe(selectedStored);
      }
      const details = selected ? detailLines(selected.json, state.folded) : [];
      for (let row = 0; row < detailHeight; row++) {
        const index = state.detailTop + row;
        const text = fit(details[index]?.text ?? "", columns);
        const chosen = state.focus === "detail" && index === state.detailSelected;
        lines.push(chosen ? paint(INVERSE, text) : text);
      }
      // The bytes of the field the details' selection is on (or of its layer, where the field's
      // place is not known), when the details have focus.
      const chosen = state.focus === "detail" ? details[state.detailSelected] : undefined;
      let range: ByteRange | undefined;
      if (chosen?.owner !== undefined && selectedStored !== undefined) {
        // Decoded again: the rows drawn after the selected one reused the shared decoder.
        const again = describe(selectedStored);
        const frame = selectedStored.bytes;
        range = (chosen.path && fieldBytes(again, chosen.path, frame)) ??
          layerBytes(again, chosen.owner, frame);
      }
      const hex = selectedStored ? hexLines(selectedStored.bytes, range) : [];
      for (let row = 0; row < hexHeight; row++) {
        // A hex line is at most 67 columns (the view is 80 or more): padded, never cut.
        const line = hex[row] ?? "";
        // deno-lint-ignore no-control-regex -- the highlight's own escape sequences
        const visible = line.replace(/\x1b\[[0-9;]*m/g, "").length;
        lines.push(line + " ".repeat(Math.max(0, columns - visible)));
      }
    }
  }
  while (lines.length < rows - 1) lines.push(fit("", columns));
  lines.length = rows - 1;
  lines.push(paint(INVERSE, fit(statusLine(store, state), columns)));
  return lines.map((line) => line.includes("\x1b") ? line : fit(line, columns));
}

const LIST_TITLES = `${"No.".padStart(7)} ${"Time".padStart(12)} ${"Source".padEnd(22)} ` +
  `${"Destination".padEnd(22)} ${"Protocol".padEnd(8)} ${"Length".padStart(6)} Info`;

function statusLine(store: PacketStore, state: ViewState): string {
  if (state.prompt !== undefined) {
    return `${state.prompt.kind === "filter" ? "filter" : "write to file"}: ${state.prompt.text}_`;
  }
  const capture = state.capture;
  const parts = [
    `${store.count} packets` +
    (store.filterText ? `, ${store.shown.length} shown` : "") +
    (store.filterProgress < 1 ? ` (filtering: ${Math.floor(store.filterProgress * 100)} %)` : "") +
    (store.spilled > 0 ? `, ${store.spilled} on disk` : "") +
    (store.evicted > 0 ? `, ${store.evicted} let go` : "") +
    (store.spillError !== undefined ? ` (spill stopped: ${store.spillError})` : ""),
    `${Math.round(state.packetsPerSecond)} pkt/s`,
    `${formatBytes(state.bytesPerSecond)}/s`,
    capture ? `dropped by kernel: ${capture.dropped}` : undefined,
    store.filterText ? `filter: ${store.filterText}` : undefined,
    state.follow ? "following" : "paused",
    state.message,
    "? help  q quit",
  ];
  return " " + parts.filter((part) => part !== undefined).join(" | ");
}

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${Math.round(bytes)} B`;
}

/** The keys, as the help screen lists them. */
export const KEYS: [string, string][] = [
  ["↑ ↓ PgUp PgDn Home End, j/k", "move"],
  ["Enter", "open the details (in the details: fold or unfold a layer)"],
  ["Tab", "switch pane"],
  ["/", "enter a display filter (-Y language)"],
  ["Esc", "clear the filter"],
  ["c", "conversations"],
  ["t", "top talkers"],
  ["p", "list"],
  ["s", "sort by bytes or by frames (conversations, talkers)"],
  ["Space", "pause or follow"],
  ["w", "write the packets that match to a pcap file"],
  ["?", "help"],
  ["q", "quit"],
];

function helpLines(): string[] {
  return [
    "netpeek --tui: keys",
    "",
    ...KEYS.map(([key, action]) => `  ${key.padEnd(30)} ${action}`),
    "",
    "Press any key to go back.",
  ];
}

function conversationLines(store: PacketStore, state: ViewState): string[] {
  const conversations = store.flows.summary().conversations
    .map((c) => ({
      ...c,
      frames: c.framesAtoB + c.framesBtoA,
      bytes: c.bytesAtoB + c.bytesBtoA,
    }))
    .sort((a, b) => b[state.sortBy] - a[state.sortBy]);
  const endpoint = (e: { address: string; port: number | null }) =>
    e.port === null ? e.address : `${e.address}:${e.port}`;
  return [
    `Conversations (${conversations.length}), by ${state.sortBy}; s sorts, p goes back`,
    bandwidthLine(state),
    `${"Protocol".padEnd(9)} ${"Address A".padEnd(30)} ${"Address B".padEnd(30)} ${
      "Frames".padStart(9)
    } ${"Bytes".padStart(12)}`,
    ...conversations.map((c) =>
      `${c.protocol.padEnd(9)} ${endpoint(c.a).padEnd(30)} ${endpoint(c.b).padEnd(30)} ${
        String(c.frames).padStart(9)
      } ${String(c.bytes).padStart(12)}`
    ),
  ];
}

function talkerLines(store: PacketStore, state: ViewState): string[] {
  const talkers = [...store.flows.summary().talkers].sort((a, b) =>
    b[state.sortBy] - a[state.sortBy]
  );
  return [
    `Top talkers (${talkers.length}), by ${state.sortBy}; s sorts, p goes back`,
    bandwidthLine(state),
    `${"Address".padEnd(40)} ${"Frames".padStart(9)} ${"Bytes".padStart(12)}`,
    ...talkers.map((t) =>
      `${t.address.padEnd(40)} ${String(t.frames).padStart(9)} ${String(t.bytes).padStart(12)}`
    ),
  ];
}
