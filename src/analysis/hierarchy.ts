/**
 * The protocol hierarchy of `--stats`: frames and bytes per layer, layers in the order they
 * were first seen. A packet is counted under its shape (the set of layers it has), so that
 * it costs two counter updates whatever its depth.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode, LINKTYPE_RAW } from "../decode/mod.ts";
 * import { LayerCounter } from "./hierarchy.ts";
 * const udp = decode(new Uint8Array([0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 17, 0, 0,
 *   192, 0, 2, 1, 198, 51, 100, 2, 0x13, 0x88, 0x13, 0x89, 0, 8, 0, 0]), LINKTYPE_RAW);
 * const layers = new LayerCounter();
 * layers.count(udp, 28);
 * assert.deepEqual(layers.hierarchy(), {
 *   ipv4: { frames: 1, bytes: 28 },
 *   udp: { frames: 1, bytes: 28 },
 * });
 * ```
 * @module
 */

import type { Packet } from "../decode/mod.ts";

/** Per-layer frame and byte counts. */
export type ProtocolHierarchy = Record<string, { frames: number; bytes: number }>;

/** Layers a packet may have several of: a bit each in a shape. */
const STACK_LAYERS: readonly string[] = [
  "eth",
  "sll",
  "vlan",
  "ipv4",
  "ipv6",
  "arp",
  "tcp",
  "udp",
  "icmp",
  "icmpv6",
  "igmp",
  "other",
];
const LAYER_ETH = 0;
const LAYER_SLL = 1;
const LAYER_VLAN = 2;
const LAYER_IPV4 = 3;
const LAYER_IPV6 = 4;
const LAYER_ARP = 5;
const LAYER_TCP = 6;
const LAYER_UDP = 7;
const LAYER_ICMP = 8;
const LAYER_ICMPV6 = 9;
const LAYER_IGMP = 10;
const LAYER_OTHER = 11;

/**
 * Application layers: a packet has at most one, kept as its index plus one in the bits above
 * the stack's (0 for none), so that each new protocol adds shapes, not a bit that doubles them.
 */
const APPLICATION_LAYERS: readonly string[] = [
  "dns",
  "http",
  "ntp",
  "syslog",
  "dhcp",
  "tls",
  "quic",
  "esp",
  "wireguard",
  "dhcpv6",
  "isakmp",
];
const APPLICATION_DNS = 1;
const APPLICATION_HTTP = 2;
const APPLICATION_NTP = 3;
const APPLICATION_SYSLOG = 4;
const APPLICATION_DHCP = 5;
const APPLICATION_TLS = 6;
const APPLICATION_QUIC = 7;
const APPLICATION_ESP = 8;
const APPLICATION_WIREGUARD = 9;
const APPLICATION_DHCPV6 = 10;
const APPLICATION_ISAKMP = 11;

/**
 * Tunnels and link-layer shims: few packets have one, so they are counted apart from the
 * shapes, by a check that costs the others one comparison. A tunnelled packet's own layers
 * (the inner IPv4, TCP, DNS) count in its shape too: a frame has a layer if any of its packets
 * has it, as tshark's hierarchy nests them.
 */
const TUNNEL_LAYERS = [
  "macsec",
  "arista",
  "pppoe",
  "llc",
  "stp",
  "mpls",
  "gre",
  "vxlan",
  "geneve",
  "nsh",
  "erspan",
] as const satisfies readonly (keyof Packet)[];

/** The layers the protocol hierarchy counts. */
export const LAYERS: readonly string[] = [
  ...STACK_LAYERS,
  ...APPLICATION_LAYERS,
  ...TUNNEL_LAYERS,
];
const FIRST_TUNNEL_LAYER = STACK_LAYERS.length + APPLICATION_LAYERS.length;

/** The tunnel layers a packet (not its inner ones) has, as bits in `TUNNEL_LAYERS`' order. */
function tunnelsOf(packet: Packet): number {
  let bits = 0;
  for (let i = 0; i < TUNNEL_LAYERS.length; i++) {
    if (packet[TUNNEL_LAYERS[i]] !== undefined) bits |= 1 << i;
  }
  return bits;
}

const STACK_BITS = STACK_LAYERS.length;
/** The network layers' bits: a frame with one of them has a network layer. */
const NETWORK_BITS = (1 << LAYER_IPV4) | (1 << LAYER_IPV6) | (1 << LAYER_ARP);
/** Every set of layers a packet can have. */
const SHAPES = (1 << STACK_BITS) * (APPLICATION_LAYERS.length + 1);

/** The index plus one of the packet's application layer in `APPLICATION_LAYERS`, or 0. */
function applicationOf(packet: Packet): number {
  if (packet.dns !== undefined) return APPLICATION_DNS;
  if (packet.http !== undefined) return APPLICATION_HTTP;
  if (packet.ntp !== undefined) return APPLICATION_NTP;
  if (packet.syslog !== undefined) return APPLICATION_SYSLOG;
  if (packet.dhcp !== undefined) return APPLICATION_DHCP;
  if (packet.tls !== undefined) return APPLICATION_TLS;
  if (packet.quic !== undefined) return APPLICATION_QUIC;
  if (packet.esp !== undefined) return APPLICATION_ESP;
  if (packet.wireguard !== undefined) return APPLICATION_WIREGUARD;
  if (packet.dhcpv6 !== undefined) return APPLICATION_DHCPV6;
  if (packet.isakmp !== undefined) return APPLICATION_ISAKMP;
  return 0;
}

/** Whether a shape has the layer at `layer` (an index in `LAYERS`). */
function shapeHas(shape: number, layer: number): boolean {
  if (layer < STACK_BITS) return (shape & (1 << layer)) !== 0;
  return shape >>> STACK_BITS === layer - STACK_BITS + 1;
}

/** Frames and bytes per shape, summed per layer when a summary is made. */
export class LayerCounter {
  /** Frames and bytes per shape, and the layers in the order first seen. */
  readonly #shapeFrames = new Float64Array(SHAPES);
  readonly #shapeBytes = new Float64Array(SHAPES);
  readonly #layerOrder: number[] = [];
  readonly #tunnelFrames = new Float64Array(TUNNEL_LAYERS.length);
  readonly #tunnelBytes = new Float64Array(TUNNEL_LAYERS.length);

  /**
   * Counts the packet under its shape: the set of layers it has, one bit each (`LAYERS`'
   * indexes). A packet costs two counter updates whatever its depth, and the few shapes a
   * capture holds are summed per layer when a summary is made.
   */
  count(packet: Packet, bytes: number): void {
    if (!packet.encapsulated) {
      this.#countShape(this.#shapeOf(packet), bytes);
      return;
    }
    let shape = 0;
    let tunnels = 0;
    let application = 0;
    // The packets inside nest at most MAX_ENCAPSULATION_DEPTH deep.
    for (let layer: Packet | undefined = packet; layer !== undefined; layer = layer.inner) {
      const own = this.#shapeOf(layer);
      shape |= own & ((1 << STACK_BITS) - 1);
      if (own >>> STACK_BITS !== 0) application = own >>> STACK_BITS;
      tunnels |= tunnelsOf(layer);
    }
    // "other" means no network layer in the frame: not so when a packet inside has one.
    if ((shape & NETWORK_BITS) !== 0) shape &= ~(1 << LAYER_OTHER);
    this.#countShape(shape | (application << STACK_BITS), bytes);
    for (let i = 0; i < TUNNEL_LAYERS.length; i++) {
      if ((tunnels & (1 << i)) === 0) continue;
      if (this.#tunnelFrames[i]++ === 0) this.#layerOrder.push(FIRST_TUNNEL_LAYER + i);
      this.#tunnelBytes[i] += bytes;
    }
  }

  #countShape(shape: number, bytes: number): void {
    if (this.#shapeFrames[shape]++ === 0) this.#newShape(shape);
    this.#shapeBytes[shape] += bytes;
  }

  /** The set of a packet's own layers (`LAYERS`' indexes as bits, the application above). */
  #shapeOf(packet: Packet): number {
    const icmp = packet.icmp;
    const network = packet.ipv4 !== undefined || packet.ipv6 !== undefined ||
      packet.arp !== undefined;
    const shape = (packet.eth !== undefined ? 1 << LAYER_ETH : 0) |
      (packet.sll !== undefined ? 1 << LAYER_SLL : 0) |
      (packet.vlanCount > 0 ? 1 << LAYER_VLAN : 0) |
      (packet.ipv4 !== undefined ? 1 << LAYER_IPV4 : 0) |
      (packet.ipv6 !== undefined ? 1 << LAYER_IPV6 : 0) |
      (packet.arp !== undefined ? 1 << LAYER_ARP : 0) |
      (packet.tcp !== undefined ? 1 << LAYER_TCP : 0) |
      (packet.udp !== undefined ? 1 << LAYER_UDP : 0) |
      (icmp !== undefined ? 1 << (icmp.version === 4 ? LAYER_ICMP : LAYER_ICMPV6) : 0) |
      (packet.igmp !== undefined ? 1 << LAYER_IGMP : 0) |
      (network ? 0 : 1 << LAYER_OTHER) |
      (applicationOf(packet) << STACK_BITS);
    return shape;
  }

  /** Notes the layers of a shape not seen before, in the order a packet has them. */
  #newShape(shape: number): void {
    for (let layer = 0; layer < LAYERS.length; layer++) {
      if (shapeHas(shape, layer) && !this.#layerOrder.includes(layer)) {
        this.#layerOrder.push(layer);
      }
    }
  }

  /** The per-layer counts, layers in the order they were first seen. */
  hierarchy(): ProtocolHierarchy {
    const frames = new Float64Array(LAYERS.length);
    const bytes = new Float64Array(LAYERS.length);
    for (let shape = 0; shape < SHAPES; shape++) {
      if (this.#shapeFrames[shape] === 0) continue;
      for (let layer = 0; layer < LAYERS.length; layer++) {
        if (!shapeHas(shape, layer)) continue;
        frames[layer] += this.#shapeFrames[shape];
        bytes[layer] += this.#shapeBytes[shape];
      }
    }
    for (let i = 0; i < TUNNEL_LAYERS.length; i++) {
      frames[FIRST_TUNNEL_LAYER + i] = this.#tunnelFrames[i];
      bytes[FIRST_TUNNEL_LAYER + i] = this.#tunnelBytes[i];
    }
    const hierarchy: ProtocolHierarchy = {};
    for (const layer of this.#layerOrder) {
      hierarchy[LAYERS[layer]] = { frames: frames[layer], bytes: bytes[layer] };
    }
    return hierarchy;
  }
}
