/**
 * Finding and loading libpcap (and the two libc calls the capture loop needs). Every foreign
 * symbol netpeek uses is declared in the tables here, nowhere else.
 *
 * The library is looked for in this order: the `NETPEEK_LIBPCAP` environment variable (only
 * that, when set), then the platform's names: `libpcap.so.1`, `libpcap.so.0.8`, `libpcap.so`
 * on Linux, `libpcap.A.dylib` on macOS, Npcap's `wpcap.dll` in `System32\Npcap` on Windows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadLibpcap } from "./library.ts";
 * assert.match(loadLibpcap().version, /^libpcap version \d+\.\d+/);
 * ```
 * @module
 */

import { UserError } from "../user_error.ts";

// Status codes from pcap/pcap.h, beside the symbols that return them.
/** `PCAP_ERROR`: generic error, text in `pcap_geterr`. */
export const PCAP_ERROR = -1;
/** `PCAP_ERROR_BREAK`: the loop was broken (or a file ended). */
export const PCAP_ERROR_BREAK = -2;
/** `PCAP_ERROR_NO_SUCH_DEVICE`. */
export const PCAP_ERROR_NO_SUCH_DEVICE = -5;
/** `PCAP_ERROR_RFMON_NOTSUP`. */
export const PCAP_ERROR_RFMON_NOTSUP = -6;
/** `PCAP_ERROR_PERM_DENIED`. */
export const PCAP_ERROR_PERM_DENIED = -8;
/** `PCAP_ERROR_IFACE_NOT_UP`. */
export const PCAP_ERROR_IFACE_NOT_UP = -9;
/** `PCAP_ERROR_PROMISC_PERM_DENIED`. */
export const PCAP_ERROR_PROMISC_PERM_DENIED = -11;
/** `PCAP_ERROR_TSTAMP_PRECISION_NOTSUP`. */
export const PCAP_ERROR_TSTAMP_PRECISION_NOTSUP = -12;
/** `PCAP_WARNING`: generic warning, text in `pcap_geterr`. */
export const PCAP_WARNING = 1;
/** `PCAP_WARNING_PROMISC_NOTSUP`. */
export const PCAP_WARNING_PROMISC_NOTSUP = 2;
/** `PCAP_WARNING_TSTAMP_TYPE_NOTSUP`. */
export const PCAP_WARNING_TSTAMP_TYPE_NOTSUP = 3;
/** `PCAP_TSTAMP_PRECISION_NANO`. */
export const PCAP_TSTAMP_PRECISION_NANO = 1;

/** Every libpcap symbol netpeek calls. Newer or platform-specific ones are `optional`. */
export const PCAP_SYMBOLS = {
  pcap_findalldevs: { parameters: ["buffer", "buffer"], result: "i32" },
  pcap_freealldevs: { parameters: ["pointer"], result: "void" },
  pcap_create: { parameters: ["buffer", "buffer"], result: "pointer" },
  pcap_set_snaplen: { parameters: ["pointer", "i32"], result: "i32" },
  pcap_set_promisc: { parameters: ["pointer", "i32"], result: "i32" },
  pcap_set_timeout: { parameters: ["pointer", "i32"], result: "i32" },
  pcap_set_buffer_size: { parameters: ["pointer", "i32"], result: "i32" },
  pcap_set_immediate_mode: { parameters: ["pointer", "i32"], result: "i32", optional: true },
  pcap_set_tstamp_precision: { parameters: ["pointer", "i32"], result: "i32", optional: true },
  pcap_get_tstamp_precision: { parameters: ["pointer"], result: "i32", optional: true },
  pcap_activate: { parameters: ["pointer"], result: "i32" },
  pcap_setnonblock: { parameters: ["pointer", "i32", "buffer"], result: "i32" },
  // Unix only; Windows waits on pcap_getevent's handle instead.
  pcap_get_selectable_fd: { parameters: ["pointer"], result: "i32", optional: true },
  pcap_getevent: { parameters: ["pointer"], result: "pointer", optional: true },
  pcap_datalink: { parameters: ["pointer"], result: "i32" },
  // int pcap_set_datalink(pcap_t *, int dlt): -y, and LINUX_SLL2 on "any".
  pcap_set_datalink: { parameters: ["pointer", "i32"], result: "i32" },
  // int pcap_list_datalinks(pcap_t *, int **dlt_buf): -L.
  pcap_list_datalinks: { parameters: ["pointer", "buffer"], result: "i32" },
  // void pcap_free_datalinks(int *dlt_list).
  pcap_free_datalinks: { parameters: ["pointer"], result: "void" },
  // int pcap_datalink_name_to_val(const char *name): -y's argument, without the DLT_ prefix.
  pcap_datalink_name_to_val: { parameters: ["buffer"], result: "i32" },
  // const char *pcap_datalink_val_to_name(int dlt), and its description: -L's lines.
  pcap_datalink_val_to_name: { parameters: ["i32"], result: "pointer" },
  pcap_datalink_val_to_description: { parameters: ["i32"], result: "pointer" },
  // int pcap_list_tstamp_types(pcap_t *, int **types): -J, on a handle not yet activated.
  pcap_list_tstamp_types: { parameters: ["pointer", "buffer"], result: "i32", optional: true },
  // void pcap_free_tstamp_types(int *types).
  pcap_free_tstamp_types: { parameters: ["pointer"], result: "void", optional: true },
  // int pcap_tstamp_type_name_to_val(const char *name): -j's argument.
  pcap_tstamp_type_name_to_val: { parameters: ["buffer"], result: "i32", optional: true },
  // const char *pcap_tstamp_type_val_to_name(int), and its description: -J's lines.
  pcap_tstamp_type_val_to_name: { parameters: ["i32"], result: "pointer", optional: true },
  pcap_tstamp_type_val_to_description: {
    parameters: ["i32"],
    result: "pointer",
    optional: true,
  },
  // int pcap_set_tstamp_type(pcap_t *, int type): -j, before activation.
  pcap_set_tstamp_type: { parameters: ["pointer", "i32"], result: "i32", optional: true },
  // int pcap_setdirection(pcap_t *, pcap_direction_t d): -Q.
  pcap_setdirection: { parameters: ["pointer", "i32"], result: "i32" },
  pcap_snapshot: { parameters: ["pointer"], result: "i32" },
  // Pointer parameters keep this on V8's fast-call path: about 15 ns a call.
  pcap_next_ex: { parameters: ["pointer", "pointer", "pointer"], result: "i32" },
  pcap_stats: { parameters: ["pointer", "buffer"], result: "i32" },
  pcap_geterr: { parameters: ["pointer"], result: "pointer" },
  pcap_statustostr: { parameters: ["i32"], result: "pointer" },
  pcap_lib_version: { parameters: [], result: "pointer" },
  pcap_close: { parameters: ["pointer"], result: "void" },
  pcap_compile: { parameters: ["pointer", "buffer", "buffer", "i32", "u32"], result: "i32" },
  pcap_setfilter: { parameters: ["pointer", "buffer"], result: "i32" },
  pcap_freecode: { parameters: ["buffer"], result: "void" },
  pcap_open_dead: { parameters: ["i32", "i32"], result: "pointer" },
  // One call per packet read from a file when a filter is set.
  pcap_offline_filter: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
  pcap_lookupnet: { parameters: ["buffer", "buffer", "buffer", "buffer"], result: "i32" },
  bpf_image: { parameters: ["pointer", "i32"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** libc on Unix: `memcpy` copies each frame (a BigInt source keeps it a fast call). */
export const LIBC_SYMBOLS = {
  memcpy: { parameters: ["pointer", "u64", "usize"], result: "void" },
  // Blocks until the capture descriptor is readable; runs off the main thread.
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  // The same poll(), blocking its caller: the capture thread, which has nothing else to do.
  // int poll(struct pollfd *fds, nfds_t nfds, int timeout)
  poll_wait: { name: "poll", parameters: ["buffer", "u64", "i32"], result: "i32" },
  // pid_t gettid(void) and int setpriority(int which, id_t who, int prio): the capture thread
  // asks to be scheduled ahead of the printing (where it may: root, or CAP_SYS_NICE).
  gettid: { parameters: [], result: "i32", optional: true },
  setpriority: { parameters: ["i32", "u32", "i32"], result: "i32", optional: true },
  // Why poll() flagged the capture socket (an interface that went down: ENETDOWN).
  getsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "buffer"],
    result: "i32",
    optional: true,
  },
  // Dropping root after the capture is open (-Z).
  getpwnam: { parameters: ["buffer"], result: "pointer", optional: true },
  initgroups: { parameters: ["buffer", "u32"], result: "i32", optional: true },
  setgid: { parameters: ["u32"], result: "i32", optional: true },
  setuid: { parameters: ["u32"], result: "i32", optional: true },
  // char *if_indextoname(unsigned int ifindex, char *ifname): the names -i any prints.
  if_indextoname: { parameters: ["u32", "buffer"], result: "pointer", optional: true },
  // unsigned int if_nametoindex(const char *ifname): the interface --ipfix records name.
  if_nametoindex: { parameters: ["buffer"], result: "u32", optional: true },
  // --ipfix's UDP socket (udp_socket.ts): Deno's own does not report ICMP port unreachable.
  // int socket(int domain, int type, int protocol)
  socket: { parameters: ["i32", "i32", "i32"], result: "i32", optional: true },
  // int connect(int fd, const struct sockaddr *addr, socklen_t len)
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32", optional: true },
  // ssize_t send(int fd, const void *buf, size_t len, int flags)
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize", optional: true },
  // int close(int fd)
  close: { parameters: ["i32"], result: "i32", optional: true },
} as const satisfies Deno.ForeignLibraryInterface;

/** Windows: `memcpy` from the C runtime, and the wait on Npcap's event handle. */
export const WINDOWS_SYMBOLS = {
  memcpy: { parameters: ["pointer", "u64", "usize"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** Windows kernel32: waits on the event `pcap_getevent` returns, off the main thread. */
export const KERNEL32_SYMBOLS = {
  WaitForSingleObject: { parameters: ["pointer", "u32"], result: "u32", nonblocking: true },
} as const satisfies Deno.ForeignLibraryInterface;

/** libpcap's symbols as loaded. */
export type PcapSymbols = Deno.DynamicLibrary<typeof PCAP_SYMBOLS>["symbols"];
/** The libc symbols as loaded (on Windows `poll` is absent). */
export type LibcSymbols = Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"];
/** kernel32's symbols as loaded. */
export type Kernel32Symbols = Deno.DynamicLibrary<typeof KERNEL32_SYMBOLS>["symbols"];

/** A loaded libpcap with the libc calls that go with it. */
export interface Libpcap {
  /** libpcap's functions. */
  readonly pcap: PcapSymbols;
  /** `memcpy`, and `poll` on Unix. */
  readonly libc:
    & Pick<LibcSymbols, "memcpy">
    & Partial<
      Pick<
        LibcSymbols,
        | "poll"
        | "poll_wait"
        | "gettid"
        | "setpriority"
        | "getsockopt"
        | "getpwnam"
        | "initgroups"
        | "setgid"
        | "setuid"
        | "if_indextoname"
        | "if_nametoindex"
        | "socket"
        | "connect"
        | "send"
        | "close"
      >
    >;
  /** kernel32 on Windows. */
  readonly kernel32?: Kernel32Symbols;
  /** The path or name that loaded. */
  readonly path: string;
  /** `pcap_lib_version()`. */
  readonly version: string;
}

/** Raised when libpcap cannot be found or loaded; its message is one line for the user. */
export class LibraryError extends UserError {
  /** The error's name. */
  override name = "LibraryError";
}

/** The operating systems netpeek knows library names for. */
export type HostOs = typeof Deno.build.os;

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // not granted --allow-env for it: behave as if unset
  }
}

/**
 * The names to try, in order, for an operating system (without the environment override).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { libpcapCandidates } from "./library.ts";
 * assert.deepEqual(libpcapCandidates("linux"), ["libpcap.so.1", "libpcap.so.0.8", "libpcap.so"]);
 * ```
 */
export function libpcapCandidates(os: HostOs, systemRoot = "C:\\Windows"): string[] {
  switch (os) {
    case "darwin":
      return ["libpcap.A.dylib", "/usr/lib/libpcap.A.dylib"];
    case "windows":
      return [`${systemRoot}\\System32\\Npcap\\wpcap.dll`, "wpcap.dll"];
    default:
      return ["libpcap.so.1", "libpcap.so.0.8", "libpcap.so"];
  }
}

function installHint(os: HostOs): string {
  switch (os) {
    case "darwin":
      return "libpcap ships with macOS; set NETPEEK_LIBPCAP to its path if it was moved";
    case "windows":
      return "install Npcap from https://npcap.com";
    default:
      return "install it: apt install libpcap0.8 (Debian/Ubuntu), dnf install libpcap " +
        "(Fedora/RHEL), apk add libpcap (Alpine)";
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0];
}

function openLibc(os: HostOs): Libpcap["libc"] {
  if (os === "windows") return Deno.dlopen("msvcrt.dll", WINDOWS_SYMBOLS).symbols;
  const names = os === "darwin" ? ["libSystem.B.dylib"] : ["libc.so.6", "libc.so"];
  for (const name of names) {
    try {
      return Deno.dlopen(name, LIBC_SYMBOLS).symbols;
    } catch {
      // try the next name
    }
  }
  throw new LibraryError(`cannot load the C library (tried ${names.join(", ")})`);
}

let loaded: Libpcap | undefined;

/**
 * Loads libpcap once per process; later calls return the same library.
 * Throws `LibraryError` with a one-line message naming what was tried and how to install it.
 */
export function loadLibpcap(): Libpcap {
  if (loaded) return loaded;
  const os = Deno.build.os;
  const override = readEnv("NETPEEK_LIBPCAP");
  const candidates = override
    ? [override]
    : libpcapCandidates(os, readEnv("SystemRoot") ?? "C:\\Windows");
  if (os === "windows" && !override) {
    // Npcap's wpcap.dll needs its Packet.dll, which is not on the default DLL search path.
    try {
      Deno.dlopen(`${readEnv("SystemRoot") ?? "C:\\Windows"}\\System32\\Npcap\\Packet.dll`, {});
    } catch {
      // wpcap.dll will report what is missing
    }
  }
  const failures: string[] = [];
  for (const path of candidates) {
    let library: Deno.DynamicLibrary<typeof PCAP_SYMBOLS>;
    try {
      library = Deno.dlopen(path, PCAP_SYMBOLS);
    } catch (error) {
      failures.push(`${path} (${firstLine(error)})`);
      continue;
    }
    const pcap = library.symbols;
    const libc = openLibc(os);
    const kernel32 = os === "windows"
      ? Deno.dlopen("kernel32.dll", KERNEL32_SYMBOLS).symbols
      : undefined;
    loaded = { pcap, libc, kernel32, path, version: cString(pcap.pcap_lib_version()) };
    return loaded;
  }
  if (override) {
    throw new LibraryError(
      `cannot load libpcap from NETPEEK_LIBPCAP=${override}: ${failures[0]}; ` +
        "point it at libpcap's shared library or unset it",
    );
  }
  throw new LibraryError(
    `libpcap not found (tried ${candidates.join(", ")}); ${installHint(os)}`,
  );
}

/**
 * The `int` list a libpcap call returned through an `int **` out-slot (`pcap_list_datalinks`,
 * `pcap_list_tstamp_types`): `count` values copied out, then the list handed to `free`.
 */
export function takeIntList(
  slot: BigUint64Array,
  count: number,
  free: (list: Deno.PointerObject) => void,
): number[] {
  const list = Deno.UnsafePointer.create(slot[0]);
  if (list === null) return [];
  try {
    if (count <= 0) return [];
    return [
      ...new Int32Array(
        Deno.UnsafePointerView.getArrayBuffer(list, count * Int32Array.BYTES_PER_ELEMENT),
      ),
    ];
  } finally {
    free(list);
  }
}

/** Reads a NUL-terminated C string; `""` for a null pointer. */
export function cString(pointer: Deno.PointerValue): string {
  return pointer === null ? "" : Deno.UnsafePointerView.getCString(pointer);
}

/** A C string argument: UTF-8 bytes with a terminating NUL. */
export function toCString(text: string): Uint8Array<ArrayBuffer> {
  const encoded = new TextEncoder().encode(text);
  const bytes = new Uint8Array(encoded.length + 1);
  bytes.set(encoded);
  return bytes;
}

/** Whether this machine stores numbers little-end first (the C structs are in host order). */
export const HOST_LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const IS_WINDOWS = Deno.build.os === "windows";

/**
 * `struct pcap_pkthdr`: a `timeval` of two longs (32-bit on Windows), then caplen and len.
 * Offsets of its fields, and its size.
 */
export const PKTHDR = {
  size: IS_WINDOWS ? 16 : 24,
  usec: IS_WINDOWS ? 4 : 8,
  caplen: IS_WINDOWS ? 8 : 16,
  len: IS_WINDOWS ? 12 : 20,
} as const;

/** libpcap's error buffer size (`PCAP_ERRBUF_SIZE`). */
export const PCAP_ERRBUF_SIZE = 256;

/** The text libpcap wrote into an error buffer. */
export function errbufText(errbuf: Uint8Array): string {
  const end = errbuf.indexOf(0);
  return new TextDecoder().decode(errbuf.subarray(0, end < 0 ? errbuf.length : end)).trim();
}
