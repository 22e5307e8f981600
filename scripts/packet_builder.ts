/**
 * Building packets byte by byte for the fixture captures: addresses, checksums, and the
 * headers of Ethernet, IPv4, IPv6, UDP, TCP and ICMP. Deterministic: the same call gives the
 * same bytes.
 *
 * @module
 */

// --- bytes ---------------------------------------------------------------------------------

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function u16(value: number): number[] {
  return [(value >>> 8) & 0xff, value & 0xff];
}

export function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

export function ip4(text: string): number[] {
  return text.split(".").map(Number);
}

export function mac(text: string): number[] {
  return text.split(":").map((part) => parseInt(part, 16));
}

export function ip6(text: string): number[] {
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const zeros = tail === undefined
    ? []
    : Array(8 - headGroups.length - tailGroups.length).fill("0");
  return [...headGroups, ...zeros, ...tailGroups].flatMap((group) => u16(parseInt(group, 16)));
}

/** RFC 1071 checksum over `bytes` plus an optional pseudo-header sum. */
export function checksum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length & 1) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function pseudoSum(src: number[], dst: number[], protocol: number, length: number): number {
  let sum = protocol + length;
  const addresses = [...src, ...dst];
  for (let i = 0; i < addresses.length; i += 2) sum += (addresses[i] << 8) | addresses[i + 1];
  return sum;
}

// --- headers -------------------------------------------------------------------------------

export interface Ipv4Spec {
  src: string;
  dst: string;
  protocol: number;
  payload: Uint8Array;
  tos?: number;
  id?: number;
  /** The whole flags/fragment-offset word. */
  flagsOffset?: number;
  ttl?: number;
  options?: number[];
  /** Override the computed header checksum. */
  badChecksum?: number;
}

export function ipv4(spec: Ipv4Spec): Uint8Array {
  const options = spec.options ?? [];
  const ihl = 20 + options.length;
  const header = concat(
    [0x40 | (ihl / 4), spec.tos ?? 0],
    u16(ihl + spec.payload.length),
    u16(spec.id ?? 0x1c46),
    u16(spec.flagsOffset ?? 0x4000),
    [spec.ttl ?? 64, spec.protocol, 0, 0],
    ip4(spec.src),
    ip4(spec.dst),
    options,
  );
  const sum = spec.badChecksum ?? checksum(header);
  header.set(u16(sum), 10);
  return concat(header, spec.payload);
}

export function udp(src: number[], dst: number[], sport: number, dport: number, data: Uint8Array) {
  const length = 8 + data.length;
  const segment = concat(u16(sport), u16(dport), u16(length), [0, 0], data);
  const sum = checksum(segment, pseudoSum(src, dst, 17, length)) || 0xffff;
  segment.set(u16(sum), 6);
  return segment;
}

export function tcp(
  src: number[],
  dst: number[],
  spec: { sport: number; dport: number; seq: number; ack: number; flags: number; window: number },
  data: Uint8Array = new Uint8Array(0),
  options: number[] = [],
) {
  const headerLength = 20 + options.length;
  const segment = concat(
    u16(spec.sport),
    u16(spec.dport),
    u32(spec.seq),
    u32(spec.ack),
    [(headerLength / 4) << 4 | (spec.flags >> 8), spec.flags & 0xff],
    u16(spec.window),
    [0, 0, 0, 0],
    options,
    data,
  );
  segment.set(u16(checksum(segment, pseudoSum(src, dst, 6, segment.length))), 16);
  return segment;
}

export function icmpEcho(type: number, id: number, sequence: number, data: Uint8Array) {
  const message = concat([type, 0, 0, 0], u16(id), u16(sequence), data);
  message.set(u16(checksum(message)), 2);
  return message;
}

export function ethernet(dst: string, src: string, type: number, payload: Uint8Array): Uint8Array {
  const frame = concat(mac(dst), mac(src), u16(type), payload);
  // Ethernet's minimum: 60 bytes before the FCS, zero-padded.
  return frame.length >= 60 ? frame : concat(frame, new Uint8Array(60 - frame.length));
}

/** An Ethernet frame (02:00:00:00:00:01 to …:02) of a UDP datagram over IPv4. */
export function udpOverEthernet(
  from: string,
  to: string,
  sport: number,
  dport: number,
  data: Uint8Array,
): Uint8Array {
  return ethernet(
    "02:00:00:00:00:02",
    "02:00:00:00:00:01",
    0x0800,
    ipv4({
      src: from,
      dst: to,
      protocol: 17,
      payload: udp(ip4(from), ip4(to), sport, dport, data),
    }),
  );
}

export const text = (value: string) => new TextEncoder().encode(value);
export const A = "192.0.2.1";
export const B = "198.51.100.2";
export const MAC_A = "02:00:5e:00:53:01";
export const MAC_B = "02:00:5e:00:53:02";

/** The sum of the IPv6 pseudo-header for an upper-layer packet of `length` bytes. */
export function pseudo6(src: string, dst: string, next: number, length: number): number {
  let sum = next + (length >>> 16) + (length & 0xffff);
  const bytes = [...ip6(src), ...ip6(dst)];
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  return sum;
}

/** A UDP datagram over IPv6, its checksum computed over the pseudo-header. */
export function udp6(src: string, dst: string, sport: number, dport: number, data: Uint8Array) {
  const length = 8 + data.length;
  const segment = concat(u16(sport), u16(dport), u16(length), [0, 0], data);
  segment.set(u16(checksum(segment, pseudo6(src, dst, 17, length)) || 0xffff), 6);
  return segment;
}

/** A small deterministic PRNG (mulberry32), so the capture is the same on every machine. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
