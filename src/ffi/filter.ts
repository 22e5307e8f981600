/**
 * BPF filter expressions in tcpdump's language, compiled by libpcap: installed on a live
 * handle so the kernel drops what is not wanted, or run per packet (`pcap_offline_filter`)
 * for frames read from a file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadLibpcap } from "./library.ts";
 * import { FilterProgram } from "./filter.ts";
 * const program = FilterProgram.compileFor(loadLibpcap(), 1, 262144, "tcp port 443");
 * assert.equal(program.dump()[0], "(000) ldh      [12]"); // the EtherType first, as tcpdump -d
 * program.free();
 * ```
 * @module
 */

import { EXIT_USAGE, UserError } from "../user_error.ts";
import { CaptureError } from "./capture_error.ts";
import {
  cString,
  HOST_LITTLE_ENDIAN,
  type Libpcap,
  PCAP_ERROR,
  PKTHDR,
  toCString,
} from "./library.ts";

/** `PCAP_NETMASK_UNKNOWN`: `ip broadcast` cannot be used then, everything else can. */
export const PCAP_NETMASK_UNKNOWN = 0xffffffff;

/**
 * The interface's IPv4 netmask for `pcap_compile` (needed only by `ip broadcast`), or
 * `PCAP_NETMASK_UNKNOWN` when it has none.
 */
export function lookupNetmask(lib: Libpcap, device: string): number {
  const network = new Uint8Array(4);
  const mask = new Uint8Array(4);
  const errbuf = new Uint8Array(256);
  if (lib.pcap.pcap_lookupnet(toCString(device), network, mask, errbuf) !== 0) {
    return PCAP_NETMASK_UNKNOWN;
  }
  return new DataView(mask.buffer).getUint32(0, HOST_LITTLE_ENDIAN);
}

/**
 * The `DLT_` value libpcap's `pcap_open_dead` wants for a file's `LINKTYPE_` value: they are
 * equal except for a few that BSDs numbered differently (libpcap's `linktype_to_dlt`).
 */
export function linkTypeToDlt(linkType: number): number {
  switch (linkType) {
    case 100: // LINKTYPE_ATM_RFC1483
      return 11;
    case 101: // LINKTYPE_RAW
      return (Deno.build.os as string) === "openbsd" ? 14 : 12;
    case 102: // LINKTYPE_SLIP_BSDOS
      return 15;
    case 103: // LINKTYPE_PPP_BSDOS
      return 16;
    default:
      return linkType;
  }
}

/** A filter that does not compile; its message is libpcap's, for `netpeek: filter: …`. */
export class FilterError extends UserError {
  /** The error's name. */
  override name = "FilterError";
  /** 2: the command has to change. */
  override get exitStatus(): number {
    return EXIT_USAGE;
  }
  /** The message after `filter:`. */
  override get line(): string {
    return `filter: ${this.message}`;
  }
}

/** A compiled BPF program (`struct bpf_program`), owned until `free`. */
export class FilterProgram {
  readonly #lib: Libpcap;
  /** `struct bpf_program`: `u_int bf_len` at 0, `struct bpf_insn *bf_insns` at 8. */
  readonly #program = new Uint8Array(16);
  readonly #pkthdr = new Uint8Array(24);
  readonly #pkthdrView = new DataView(this.#pkthdr.buffer);
  /** The expression as given. */
  readonly expression: string;
  #freed = false;

  private constructor(lib: Libpcap, expression: string) {
    this.#lib = lib;
    this.expression = expression;
  }

  /**
   * Compiles `expression` for an open handle (its link type and snapshot length).
   * Throws `FilterError` with libpcap's message when it does not compile.
   */
  static compile(
    lib: Libpcap,
    handle: Deno.PointerObject,
    expression: string,
    netmask = PCAP_NETMASK_UNKNOWN,
  ): FilterProgram {
    const program = new FilterProgram(lib, expression);
    const status = lib.pcap.pcap_compile(
      handle,
      program.#program,
      toCString(expression),
      1,
      netmask,
    );
    if (status !== 0) {
      throw new FilterError(cString(lib.pcap.pcap_geterr(handle)) || "cannot compile the filter");
    }
    return program;
  }

  /** Compiles for frames of a link type without any capture (for files). */
  static compileFor(
    lib: Libpcap,
    linkType: number,
    snaplen: number,
    expression: string,
  ): FilterProgram {
    const dead = lib.pcap.pcap_open_dead(linkTypeToDlt(linkType), snaplen || 262144);
    if (dead === null) throw new CaptureError("libpcap cannot open a dead handle", PCAP_ERROR);
    try {
      return FilterProgram.compile(lib, dead, expression);
    } finally {
      lib.pcap.pcap_close(dead);
    }
  }

  /** Installs the program on a live handle, so the kernel does the filtering. */
  install(handle: Deno.PointerObject): void {
    if (this.#lib.pcap.pcap_setfilter(handle, this.#program) !== 0) {
      throw new CaptureError(
        `cannot set the filter: ${cString(this.#lib.pcap.pcap_geterr(handle))}`,
        PCAP_ERROR,
      );
    }
  }

  /** Whether a frame passes the filter (libpcap's interpreter, one fast call). */
  matches(frame: Uint8Array, wireLength: number): boolean {
    const view = this.#pkthdrView;
    view.setUint32(PKTHDR.caplen, frame.length, HOST_LITTLE_ENDIAN);
    view.setUint32(PKTHDR.len, wireLength, HOST_LITTLE_ENDIAN);
    return this.#lib.pcap.pcap_offline_filter(this.#program, this.#pkthdr, frame) !== 0;
  }

  /** The program as `tcpdump -d` prints it, one instruction a line. */
  dump(): string[] {
    const view = new DataView(this.#program.buffer);
    const count = view.getUint32(0, HOST_LITTLE_ENDIAN);
    const instructions = Deno.UnsafePointer.create(view.getBigUint64(8, HOST_LITTLE_ENDIAN));
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      // struct bpf_insn is 8 bytes: code, jt, jf, k.
      const instruction = Deno.UnsafePointer.offset(instructions!, i * 8);
      lines.push(cString(this.#lib.pcap.bpf_image(instruction, i)));
    }
    return lines;
  }

  /** Releases libpcap's memory for the program; safe to call twice. */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    this.#lib.pcap.pcap_freecode(this.#program);
  }
}

/**
 * One filter for the records of a capture file, whose interfaces may have different link
 * types: a program compiled for each link type met, the first time it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadLibpcap } from "./library.ts";
 * import { FileFilter } from "./filter.ts";
 * const filter = new FileFilter(loadLibpcap(), "ip", 262144);
 * const ipv4 = new Uint8Array(20);
 * ipv4[0] = 0x45;
 * assert.equal(filter.matches(ipv4, 101, 20), true); // LINKTYPE_RAW: an IP packet alone
 * filter.free();
 * ```
 */
export class FileFilter {
  readonly #lib: Libpcap;
  readonly #expression: string;
  readonly #snaplen: number;
  readonly #programs = new Map<number, FilterProgram>();

  /** Throws nothing yet: a program is compiled (and fails) at `programFor`. */
  constructor(lib: Libpcap, expression: string, snaplen: number) {
    this.#lib = lib;
    this.#expression = expression;
    this.#snaplen = snaplen;
  }

  /** The program for frames of `linkType`; throws `FilterError` when it does not compile. */
  programFor(linkType: number): FilterProgram {
    let program = this.#programs.get(linkType);
    if (program === undefined) {
      program = FilterProgram.compileFor(this.#lib, linkType, this.#snaplen, this.#expression);
      this.#programs.set(linkType, program);
    }
    return program;
  }

  /** Whether a frame of `linkType` passes. */
  matches(frame: Uint8Array, linkType: number, wireLength: number): boolean {
    return this.programFor(linkType).matches(frame, wireLength);
  }

  /** Frees every program compiled. */
  free(): void {
    for (const program of this.#programs.values()) program.free();
  }
}
