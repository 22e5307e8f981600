/**
 * A connected UDP socket through libc, for `--ipfix`: on Linux a datagram to a port nothing
 * listens on comes back as ICMP port unreachable, which the kernel keeps as the socket's
 * pending error (`SO_ERROR`). Deno's and node:dgram's sockets never show it; this one reads it
 * before each send, so an absent collector is noticed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadLibpcap } from "./library.ts";
 * import { ConnectedUdpSocket, ECONNREFUSED } from "./udp_socket.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 }); // a port to leave closed
 * const port = listener.addr.port;
 * listener.close();
 * const socket = ConnectedUdpSocket.open(loadLibpcap(), "127.0.0.1", port)!;
 * assert.equal(socket.send(new Uint8Array(8)), 0); // sent; the refusal comes back later
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * assert.equal(socket.send(new Uint8Array(8)), ECONNREFUSED);
 * socket.close();
 * ```
 * @module
 */

import { type Libpcap, loadLibpcap } from "./library.ts";

// Linux's values (socket.h, in.h, errno.h).
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_ERROR = 4;
const MSG_DONTWAIT = 0x40;
/** `ECONNREFUSED`: the collector's host said nothing listens on the port. */
export const ECONNREFUSED = 111;
/** struct sockaddr_in and sockaddr_in6's sizes. */
const SOCKADDR_IN = 16;
const SOCKADDR_IN6 = 28;

/** The bytes of `address` (IPv4 dotted or IPv6 text), or undefined. */
function addressBytes(address: string): Uint8Array | undefined {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (v4) return new Uint8Array(v4.slice(1).map(Number));
  if (!address.includes(":")) return undefined;
  const [head, tail = ""] = address.split("::");
  const words = (text: string) => text === "" ? [] : text.split(":").map((w) => parseInt(w, 16));
  const first = words(head);
  const last = words(tail);
  const all = address.includes("::")
    ? [...first, ...new Array(8 - first.length - last.length).fill(0), ...last]
    : first;
  if (all.length !== 8 || all.some((word) => !(word >= 0 && word <= 0xffff))) return undefined;
  const bytes = new Uint8Array(16);
  all.forEach((word, i) => new DataView(bytes.buffer).setUint16(2 * i, word));
  return bytes;
}

/** A non-blocking UDP socket connected to one address and port. */
export class ConnectedUdpSocket {
  readonly #lib: Libpcap;
  readonly #fd: number;
  readonly #error = new Uint8Array(4);
  readonly #size = new Uint8Array(4);

  private constructor(lib: Libpcap, fd: number) {
    this.#lib = lib;
    this.#fd = fd;
  }

  /**
   * Opens and connects the socket; undefined where libc lacks what it needs (not Linux, or an
   * address it cannot read), and the caller falls back to node:dgram.
   */
  static open(lib: Libpcap, address: string, port: number): ConnectedUdpSocket | undefined {
    const { socket, connect, send, close, getsockopt } = lib.libc;
    if (Deno.build.os !== "linux" || !socket || !connect || !send || !close || !getsockopt) {
      return undefined;
    }
    const bytes = addressBytes(address);
    if (bytes === undefined) return undefined;
    const v4 = bytes.length === 4;
    const sockaddr = new Uint8Array(v4 ? SOCKADDR_IN : SOCKADDR_IN6);
    const view = new DataView(sockaddr.buffer);
    view.setUint16(0, v4 ? AF_INET : AF_INET6, true); // sa_family: host order (little endian)
    view.setUint16(2, port); // network order
    sockaddr.set(bytes, v4 ? 4 : 8);
    const fd = socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return undefined;
    if (connect(fd, sockaddr, sockaddr.length) !== 0) {
      close(fd);
      return undefined;
    }
    return new ConnectedUdpSocket(lib, fd);
  }

  /**
   * Sends one datagram. Returns 0, or the errno of a refusal the kernel held since the last
   * send (`ECONNREFUSED`), or -1 when this send failed (the datagram is lost either way).
   */
  send(message: Uint8Array): number {
    const pending = this.pendingError();
    const sent = this.#lib.libc.send!(this.#fd, message, BigInt(message.length), MSG_DONTWAIT);
    if (pending !== 0) return pending;
    return sent < 0 ? -1 : 0;
  }

  /** The error the kernel holds for the socket (and forgets once read), or 0. */
  pendingError(): number {
    new DataView(this.#size.buffer).setUint32(0, 4, true);
    const status = this.#lib.libc.getsockopt!(
      this.#fd,
      SOL_SOCKET,
      SO_ERROR,
      this.#error,
      this.#size,
    );
    return status === 0 ? new DataView(this.#error.buffer).getInt32(0, true) : 0;
  }

  /** Closes the socket. */
  close(): void {
    this.#lib.libc.close!(this.#fd);
  }
}

/**
 * A refusal-reporting socket to `address`:`port` where libpcap (and with it libc) loads on
 * Linux; undefined elsewhere, for the caller to use node:dgram.
 */
export function openReportingSocket(address: string, port: number): ConnectedUdpSocket | undefined {
  try {
    return ConnectedUdpSocket.open(loadLibpcap(), address, port);
  } catch {
    return undefined;
  }
}
