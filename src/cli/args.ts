/**
 * The command line: parsing and checking `netpeek [options] [interface]` into a plain options
 * object, with one-line usage errors. Pure: no I/O, so it is tested directly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandLine } from "./args.ts";
 * const options = parseCommandLine(["-c", "5", "--json", "eth0"]);
 * // Words after the options name the interface or make the filter; -i names it alone.
 * assert.deepEqual([options.words, options.count, options.json], [["eth0"], 5, true]);
 * ```
 * @module
 */

import { editDistance, EXIT_USAGE, UserError } from "../user_error.ts";
import { parseOptions } from "./parse_options.ts";
import type { TimeFormat } from "../output/timestamp.ts";
import { type IpfixTarget, parseCollector } from "../output/ipfix_target.ts";

/** Everything the command line can ask for. */
export interface CommandLine {
  interface?: string;
  /** Words after the options: an interface (when the first names one) and a filter. */
  words: string[];
  /** `-f EXPR`. */
  filter?: string;
  /** `-F FILE`. */
  filterFile?: string;
  /** `-d`: print the compiled filter and exit. */
  dumpFilter: boolean;
  /** `-r FILE` (`-` for standard input). */
  read?: string;
  /** `-w FILE` (`-` for standard output). */
  write?: string;
  /** `--pcapng`. */
  pcapng: boolean;
  /** `-U`. */
  packetBuffered: boolean;
  /** `-C`, in bytes. */
  sizeLimit?: number;
  /** `-G`, in seconds. */
  interval?: number;
  /** `-W`. */
  fileCount?: number;
  /** `--print`: print packets while writing them (or alongside `--stats`). */
  print: boolean;
  /** `--reassemble`: reassemble IPv4/IPv6 fragments. */
  reassemble: boolean;
  /** `--stats`: conversations, protocol hierarchy and top talkers. */
  stats: boolean;
  /** `--stats-interval`, in seconds. */
  statsInterval?: number;
  /** `--tui`: the live view in the terminal instead of printed lines. */
  tui: boolean;
  /** `--tui-buffer MIB`: the bytes of packets the view keeps (the oldest go first). */
  tuiBuffer: number;
  /** `--tui-spill MIB`: live, the bytes on disk that take what the buffer lets go (0: none). */
  tuiSpill: number;
  /** `-S`: absolute TCP sequence numbers. */
  absoluteSequence: boolean;
  /** `-Z USER`: become USER once the capture and output are open. */
  user?: string;
  listInterfaces: boolean;
  /** `-L`: list the interface's data link types, then exit. */
  listDataLinks: boolean;
  /** `-y TYPE`: the data link type to capture with, by libpcap's name (`EN10MB`). */
  dataLink?: string;
  /** `-Q in|out|inout`: only received, only sent, or both. */
  direction?: "in" | "out" | "inout";
  count?: number;
  durationMs?: number;
  snaplen: number;
  promisc: boolean;
  bufferSize?: number;
  /**
   * `--buffer-packets N`: live, the most packets that wait to be printed; past it, packets
   * are still written, counted and followed, but not printed (and counted as such).
   */
  bufferPackets: number;
  json: boolean;
  /** `-v`, `-vv`, `-vvv`: tcpdump's verbose lines. */
  verbose: boolean;
  /** How many times `-v` was given: `-vv` shows more of some protocols, as in tcpdump. */
  verbosity: number;
  link: boolean;
  hex: "none" | "hex" | "ascii" | "text";
  /** `--payload` (with `--json`): each packet's payload as hex. */
  payload: boolean;
  /** `-V`: each layer's fields as an indented tree after the line, as tshark's `-V`. */
  tree: boolean;
  /** `-q`: tcpdump's quiet lines (less protocol information). */
  quiet: boolean;
  /** `-l`: write each packet's line out at once. */
  lineBuffered: boolean;
  /** `-t` … `-ttttt`: how many `-t` were given (tcpdump's time stamp formats). */
  timeFormat: TimeFormat;
  /** `-#`: each line begins with the packet's number. */
  numbered: boolean;
  /** `-K`: do not verify checksums. */
  noChecksums: boolean;
  /** `-j TYPE`: the time stamp type (libpcap's name: `host`, `adapter`, ...). */
  timeStampType?: string;
  /** `--list-time-stamp-types` (`-J`): list the interface's time stamp types, then exit. */
  listTimeStampTypes: boolean;
  /** `-Y EXPR` (`--display-filter`): Wireshark's display filter, after the BPF filter. */
  displayFilter?: string;
  /** `-T fields -e FIELD …`: print these fields of each packet, as tshark does. */
  fields?: string[];
  /** `-E key=value`: tshark's options for `-T fields`. */
  fieldOptions: string[];
  /** `--ipfix HOST:PORT`: export the flows as IPFIX to this collector, over UDP. */
  ipfix?: IpfixTarget;
  nanosecond: boolean;
  immediate: boolean;
  help: boolean;
  version: boolean;
}

/** A mistake on the command line; exit status 2. */
export class UsageError extends UserError {
  override name = "UsageError";
  /** 2: the command has to change. */
  override get exitStatus(): number {
    return EXIT_USAGE;
  }
  /** The message and where to look. */
  override get line(): string {
    return `${this.message}; see --help`;
  }
}

/** The `--help` text. */
export const HELP = `netpeek: capture and decode network packets.

Usage: netpeek [options] [interface] [filter expression]
       netpeek -r FILE [options] [filter expression]

Capture:
  -i, --interface NAME       interface to capture on (default: the first one that is up
                             and not loopback, as tcpdump picks)
                             or its number in -D's list; "any" captures on all of them,
                             each line naming its interface and direction
  -D, --list-interfaces      list interfaces with their addresses and flags, then exit
  -L, --list-data-link-types list the interface's data link types, then exit
  -y, --linktype TYPE        capture with data link type TYPE (a name -L prints)
  -Q, --direction in|out|inout
                             only packets received, only those sent, or both (default)
  -c, --count N              stop after N packets
      --duration TIME        stop after TIME (seconds, or with a unit: 500ms, 10s, 5m, 1h)
  -s, --snaplen N            bytes to keep of each packet (default and 0: 262144)
  -p, --no-promisc           do not put the interface into promiscuous mode
  -B, --buffer-size KIB      kernel capture buffer in KiB (default 32768)
      --buffer-packets N     live: at most N packets (and 64 MiB of lines) wait to be
                             printed; when the output is slower than the traffic, the rest
                             are captured, written (-w) and counted but not printed
                             (default 200000)
      --time-stamp-precision micro|nano
                             time stamp resolution (default micro)
  -j, --time-stamp-type TYPE time stamp source, as libpcap names it (host, adapter, ...)
  -J, --list-time-stamp-types
                             list the interface's time stamp types, then exit
  -Z USER                    become USER (and its groups) once the capture and the output
                             file are open: the rest runs without root
      --immediate-mode       hand each packet over as it arrives (the default on a
                             terminal); otherwise the kernel delivers in blocks, at most
                             50 ms late, which drops far less under load

Filter (tcpdump's expression language, compiled by libpcap):
  netpeek eth0 tcp port 443 and host 10.0.0.1
  -f, --filter EXPR          the filter, as one argument
  -F FILE                    read the filter from FILE
  -d                         print the compiled BPF program and exit

Display filter and fields (Wireshark's language and tshark's field names, docs/filters.md):
  -Y, --display-filter EXPR  only packets that pass EXPR: 'tcp.port == 443',
                             'dns.flags.rcode != 0', 'tcp.analysis.retransmission'
  -T fields -e FIELD ...     print these fields of each packet, as tshark -T fields
  -E OPTION                  with -T fields: separator=, aggregator=, header=y,
                             quote=d|s|n, occurrence=f|l|a (tshark's -E)

Flow export (IPFIX, RFC 7011, to nfcapd and other collectors):
      --ipfix HOST:PORT      export the flows as IPFIX over UDP ([2001:db8::1]:4739;
                             tcp://HOST:PORT over TCP)
      --ipfix-domain N       the observation domain id (default 0)
      --ipfix-active SECONDS a long flow's counts so far every SECONDS (default 60)
      --ipfix-idle SECONDS   a flow ends after SECONDS without packets (default 15)
      --ipfix-biflow         one record per conversation, both ways (RFC 5103)

Files:
  -r, --read FILE            read packets from a pcap or pcapng file (- for stdin)
  -w, --write FILE           write raw packets to FILE as pcap (- for stdout)
      --pcapng               write pcapng instead
      --print                print packets as well while writing them (or with
                             --stats or --ipfix)
  -U                         write each packet out at once
  -C MB                      start a new file once the current one passes MB
                             (millions of bytes): FILE, FILE1, FILE2, ...
  -G SECONDS                 start a new file every SECONDS; FILE may hold strftime
                             fields (%Y-%m-%d_%H:%M:%S)
  -W N                       with -C keep N files as a ring (FILE0 ... FILE<N-1>);
                             with -G alone stop after N files

Analysis:
  -S                         absolute TCP sequence numbers (default: relative, as tcpdump)
      --reassemble           reassemble IPv4 and IPv6 fragments; the datagram is shown on
                             the fragment that completed it
      --stats                at the end: conversations, protocol hierarchy, top talkers
                             (packets are not printed then, unless --print)
      --stats-interval TIME  print the statistics every TIME as well
      --tui                  a live view in the terminal: packet list, fields, hex,
                             conversations, talkers, display filters (? lists the keys)
      --tui-buffer MIB       packets the view keeps in memory, in MiB (default 256)
      --tui-spill MIB        live, the packets the buffer lets go go on to temporary
                             files in TMPDIR, up to MIB (default 1024; 0: none); the
                             oldest go first

Output:
  -n, -nn                    accepted as tcpdump's: netpeek never resolves addresses,
                             ports or protocols to names, so it always prints numbers
  -q                         quiet lines, as tcpdump -q: "tcp 0", "UDP, length 6"
  -t                         no time stamp; -tt seconds since 1970; -ttt time since the
                             previous packet; -tttt date and time; -ttttt time since the
                             first packet (tcpdump's formats)
  -#, --number               begin each line with the packet's number
  -l                         write each line out at once (for | grep, | tee)
  -K, --dont-verify-checksums
                             do not check or show checksums with -v
      --json                 one JSON object per packet (fields: docs/json.md)
      --payload              with --json: each packet's payload (after the last decoded
                             header) as hex
  -v, --verbose              tcpdump -v's lines: the IP header's fields, checksum verdicts,
                             ICMP errors' quoted packets; netpeek's TCP analysis after them;
                             -vv and -vvv show more (DNS, DHCP, NTP, ...), as tcpdump's do
  -V                         every field of every layer as an indented tree under the line,
                             with names and meanings (as tshark -V)
  -e                         the link-layer header (MAC addresses, VLAN tags)
  -x                         hex dump of each packet from the network layer on
  -X                         hex and ASCII dump
  -A                         the packet from the network layer on as ASCII, as tcpdump -A
      --version              netpeek's and libpcap's versions
  -h, --help                 this text

Ctrl-C stops the capture; the statistics then go to standard error.

Examples:
  sudo netpeek eth0                      every packet on eth0, one line each
  sudo netpeek -i lo -c 10 -v            ten packets on lo with their IP headers
  netpeek -r dns.pcap -V -c 1            the first packet's every field
  sudo netpeek eth0 --json | jq .ipv4    JSON for scripts
  sudo netpeek --duration 30s -e wlan0   thirty seconds with MAC addresses
  sudo netpeek eth0 udp port 53          only DNS
  sudo netpeek eth0 -w dns.pcap -C 100 -W 5 udp port 53
                                         record into a ring of five 100 MB files
  netpeek -r dns.pcap -v 'host 10.0.0.1' read a file back, filtered
  netpeek -r web.pcap -Y 'tls.handshake.extensions_server_name contains "example"'
  netpeek -r web.pcap -T fields -e ip.src -e tcp.dstport -Y 'tcp.flags.syn == 1'
  netpeek -D                             the interfaces to choose from
`;

const MAX_SNAPLEN = 262144;

/**
 * `--buffer-packets`' default: a burst of 200,000 packets (a second of a busy server's
 * traffic) is printed in full even when printing runs at half the burst's rate.
 */
export const DEFAULT_BUFFER_PACKETS = 200_000;

function positiveInteger(name: string, text: string | undefined, allowZero = false) {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || (!allowZero && value === 0)) {
    throw new UsageError(
      `${name} wants a ${allowZero ? "" : "positive "}whole number, not "${text}"`,
    );
  }
  return value;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds in a duration: a number of seconds, or a number with `ms`, `s`, `m` or `h`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./args.ts";
 * assert.deepEqual([parseDuration("1.5"), parseDuration("2m"), parseDuration("250ms")], [1500, 120000, 250]);
 * ```
 */
/** The default active and idle timeouts (seconds), as nfdump's nfpcapd and most exporters. */
const IPFIX_ACTIVE = 60;
const IPFIX_IDLE = 15;

/** `--ipfix HOST:PORT` and its companions, or undefined without `--ipfix`. */
function ipfixTarget(values: {
  ipfix?: string;
  "ipfix-domain"?: string;
  "ipfix-active"?: string;
  "ipfix-idle"?: string;
  "ipfix-biflow"?: boolean;
}): IpfixTarget | undefined {
  const given = values.ipfix;
  if (given === undefined) {
    for (const name of ["ipfix-domain", "ipfix-active", "ipfix-idle", "ipfix-biflow"] as const) {
      if (values[name] !== undefined) throw new UsageError(`--${name} goes with --ipfix`);
    }
    return undefined;
  }
  const collector = parseCollector(given);
  if (collector === undefined) {
    throw new UsageError(
      `--ipfix wants HOST:PORT (collector.example:4739, 192.0.2.9:4739, [2001:db8::9]:4739, tcp://HOST:PORT), not "${given}"`,
    );
  }
  const seconds = (name: "ipfix-active" | "ipfix-idle", fallback: number) => {
    const text = values[name];
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!(value > 0 && value <= 86_400)) {
      throw new UsageError(`--${name} wants seconds from 1 to 86400, not "${text}"`);
    }
    return value;
  };
  const domainText = values["ipfix-domain"];
  const domain = domainText === undefined ? 0 : Number(domainText);
  if (!Number.isInteger(domain) || domain < 0 || domain > 0xffffffff) {
    throw new UsageError(`--ipfix-domain wants a number from 0 to 4294967295, not "${domainText}"`);
  }
  return {
    ...collector,
    domain,
    active: seconds("ipfix-active", IPFIX_ACTIVE),
    idle: seconds("ipfix-idle", IPFIX_IDLE),
    biflow: values["ipfix-biflow"] === true,
  };
}

export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const value = match ? Number(match[1]) * DURATION_UNITS[match[2] ?? "s"] : NaN;
  if (!(value > 0)) {
    throw new UsageError(`--duration wants a time such as 10, 10s, 500ms or 5m, not "${text}"`);
  }
  return value;
}

/** The options, short and long, as `parseOptions` (and `node:util`'s `parseArgs`) take them. */
export const OPTIONS = {
  interface: { type: "string", short: "i" },
  filter: { type: "string", short: "f" },
  F: { type: "string", short: "F" },
  d: { type: "boolean", short: "d" },
  read: { type: "string", short: "r" },
  write: { type: "string", short: "w" },
  pcapng: { type: "boolean" },
  U: { type: "boolean", short: "U" },
  C: { type: "string", short: "C" },
  G: { type: "string", short: "G" },
  W: { type: "string", short: "W" },
  print: { type: "boolean" },
  reassemble: { type: "boolean" },
  stats: { type: "boolean" },
  "stats-interval": { type: "string" },
  tui: { type: "boolean" },
  "tui-buffer": { type: "string" },
  "tui-spill": { type: "string" },
  S: { type: "boolean", short: "S" },
  Z: { type: "string", short: "Z" },
  "list-interfaces": { type: "boolean", short: "D" },
  "list-data-link-types": { type: "boolean", short: "L" },
  linktype: { type: "string", short: "y" },
  direction: { type: "string", short: "Q" },
  count: { type: "string", short: "c" },
  duration: { type: "string" },
  snaplen: { type: "string", short: "s" },
  "no-promisc": { type: "boolean", short: "p" },
  "buffer-size": { type: "string", short: "B" },
  "buffer-packets": { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean", short: "v", multiple: true },
  V: { type: "boolean", short: "V" },
  n: { type: "boolean", short: "n", multiple: true },
  quiet: { type: "boolean", short: "q" },
  l: { type: "boolean", short: "l" },
  t: { type: "boolean", short: "t", multiple: true },
  number: { type: "boolean", short: "#" },
  "dont-verify-checksums": { type: "boolean", short: "K" },
  "time-stamp-type": { type: "string", short: "j" },
  "list-time-stamp-types": { type: "boolean", short: "J" },
  e: { type: "boolean", short: "e" },
  x: { type: "boolean", short: "x" },
  A: { type: "boolean", short: "A" },
  payload: { type: "boolean" },
  X: { type: "boolean", short: "X" },
  "time-stamp-precision": { type: "string" },
  "display-filter": { type: "string", short: "Y" },
  ipfix: { type: "string" },
  "ipfix-domain": { type: "string" },
  "ipfix-active": { type: "string" },
  "ipfix-idle": { type: "string" },
  "ipfix-biflow": { type: "boolean" },
  T: { type: "string", short: "T" },
  field: { type: "string", multiple: true },
  E: { type: "string", short: "E", multiple: true },
  "immediate-mode": { type: "boolean" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Each option that takes a value, by its short letter: `c` → `count`. */
const VALUE_OPTIONS: ReadonlyMap<string, string> = new Map(
  Object.entries(OPTIONS).flatMap(([name, option]) =>
    option.type === "string" && "short" in option ? [[option.short, name]] : []
  ),
);

/**
 * `-c -5` as `--count=-5`: `parseOptions` takes a value that starts with `-` for an option, so
 * a negative number would otherwise be "ambiguous" instead of explained.
 */
function negativeValuesInline(args: string[]): string[] {
  const result: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const long = /^-[a-zA-Z]$/.test(args[i]) ? VALUE_OPTIONS.get(args[i][1]) : undefined;
    if (long !== undefined && /^-\d/.test(args[i + 1] ?? "")) {
      result.push(`--${long}=${args[++i]}`);
    } else result.push(args[i]);
  }
  return result;
}

/**
 * With `-T fields`, `-e FIELD` is tshark's (a field to print) and becomes `--field=FIELD`;
 * otherwise `-e` is tcpdump's (print the link-layer header).
 */
function tsharkFieldArgs(args: string[]): string[] {
  const fieldsWanted = args.some((arg, i) =>
    (arg === "-T" && args[i + 1] === "fields") || arg === "-Tfields" || arg === "--T=fields"
  );
  if (!fieldsWanted) return args;
  const result: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-e" && i + 1 < args.length) result.push(`--field=${args[++i]}`);
    else if (/^-e[a-z]/.test(args[i])) result.push(`--field=${args[i].slice(2)}`);
    else result.push(args[i]);
  }
  return result;
}

/** The long options' names, for "did you mean". */
const LONG_NAMES = Object.keys(OPTIONS).filter((name) => name.length > 1);

/**
 * `parseOptions`'s message, with "did you mean --json?" after an unknown long option that is a
 * couple of letters away from a real one (or the start of one).
 */
function withSuggestion(message: string): string {
  const unknown = /^Unknown option '--([^'=]+)/.exec(message);
  if (unknown === null) return message;
  const given = unknown[1];
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(given.length / 3)) + 1;
  for (const name of LONG_NAMES) {
    const distance = name.startsWith(given) ? 1 : editDistance(given, name);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best === undefined ? message : `${message} (did you mean --${best}?)`;
}

/** Parses and checks the arguments; throws `UsageError` with a one-line message. */
export function parseCommandLine(args: string[]): CommandLine {
  let parsed;
  try {
    parsed = parseOptions(negativeValuesInline(tsharkFieldArgs(args)), OPTIONS);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(withSuggestion(message.split(/\. |\n/)[0].replace(/\.$/, "")));
  }
  const { values, positionals } = parsed;

  const words = [...positionals];
  if (values.read !== undefined && values.interface !== undefined) {
    throw new UsageError("-r reads a file and -i captures live: give one of them");
  }
  if (values.tui && values.read === "-") {
    // The view reads its keys from standard input, so the capture cannot come from there.
    throw new UsageError("--tui reads its keys from standard input: give -r a file, not -");
  }
  const filterSources = [values.filter, values.F].filter((value) => value !== undefined).length;
  if (filterSources > 1 || (filterSources === 1 && words.length > 0 && values.interface)) {
    throw new UsageError("give the filter once: with -f, -F, or as words after the options");
  }
  const write = values.write;
  const fileOptions = [
    ["--pcapng", values.pcapng],
    ["-U", values.U],
    ["-C", values.C],
    ["-G", values.G],
  ] as const;
  for (const [flag, given] of fileOptions) {
    if (given !== undefined && given !== false && write === undefined) {
      throw new UsageError(`${flag} goes with -w (writing a file)`);
    }
  }
  if (values.print && values.write === undefined && !values.stats && values.ipfix === undefined) {
    throw new UsageError("--print goes with -w, --stats or --ipfix (packets are printed anyway)");
  }
  if (values["stats-interval"] !== undefined && !values.stats) {
    throw new UsageError("--stats-interval goes with --stats");
  }
  if (values.W !== undefined && values.C === undefined && values.G === undefined) {
    throw new UsageError("-W goes with -C or -G");
  }
  if (write === "-" && (values.print || values.C !== undefined || values.G !== undefined)) {
    throw new UsageError("-w - writes the capture to standard output: no --print, -C or -G");
  }
  const sizeMillions = values.C === undefined ? undefined : Number(values.C);
  if (sizeMillions !== undefined && !(sizeMillions > 0)) {
    throw new UsageError(`-C wants a size in millions of bytes, not "${values.C}"`);
  }

  const snaplen = positiveInteger("--snaplen", values.snaplen, true) ?? 0;
  if (snaplen > MAX_SNAPLEN) {
    throw new UsageError(`--snaplen is at most ${MAX_SNAPLEN}, not ${snaplen}`);
  }
  const bufferKib = positiveInteger("--buffer-size", values["buffer-size"]);
  if (bufferKib !== undefined && bufferKib > 2 ** 21) {
    throw new UsageError(`--buffer-size is in KiB and at most ${2 ** 21} (2 GiB)`);
  }
  const precision = values["time-stamp-precision"] ?? "micro";
  if (precision !== "micro" && precision !== "nano") {
    throw new UsageError(`--time-stamp-precision is micro or nano, not "${precision}"`);
  }
  const direction = values.direction;
  if (
    direction !== undefined && direction !== "in" && direction !== "out" && direction !== "inout"
  ) {
    throw new UsageError(`-Q is in, out or inout, not "${direction}"`);
  }
  const liveOnly = [
    ["-L", values["list-data-link-types"]],
    ["-J", values["list-time-stamp-types"]],
    ["-j", values["time-stamp-type"]],
    ["-y", values.linktype],
    ["-Q", direction],
  ] as const;
  for (const [flag, given] of liveOnly) {
    if (given !== undefined && given !== false && values.read !== undefined) {
      throw new UsageError(
        `${flag} is for live capture: a file's link type and direction are given`,
      );
    }
  }
  const timeCount = values.t?.length ?? 0;
  if (timeCount > 5) throw new UsageError("-t is given at most five times (-ttttt)");
  const timeFormat = timeCount as TimeFormat;
  if (values.T !== undefined && values.T !== "fields") {
    throw new UsageError(`-T takes fields (with -e FIELD), not "${values.T}"; for JSON use --json`);
  }
  const fields = values.T === "fields" ? values.field ?? [] : undefined;
  if (fields !== undefined && fields.length === 0) {
    throw new UsageError("-T fields needs at least one -e FIELD (-T fields -e ip.src -e tcp.port)");
  }
  if (values.field !== undefined && fields === undefined) {
    throw new UsageError("--field goes with -T fields");
  }
  if (values.E !== undefined && fields === undefined) {
    throw new UsageError("-E goes with -T fields");
  }
  if (fields !== undefined && (values.json || values.V || values.x || values.X || values.A)) {
    throw new UsageError("-T fields prints only the fields: no --json, -V, -x, -X or -A");
  }
  if (values["display-filter"] !== undefined && values.d) {
    throw new UsageError("-d prints the BPF program; -Y is a display filter, not compiled to BPF");
  }
  if (values.json && (values.x || values.X)) {
    throw new UsageError("--json and -x/-X do not mix: JSON has no hex dump");
  }

  return {
    interface: values.interface,
    words,
    filter: values.filter,
    filterFile: values.F,
    dumpFilter: values.d === true,
    read: values.read,
    write,
    pcapng: values.pcapng === true,
    packetBuffered: values.U === true,
    sizeLimit: sizeMillions === undefined ? undefined : Math.round(sizeMillions * 1e6),
    interval: positiveInteger("-G", values.G),
    fileCount: positiveInteger("-W", values.W),
    print: values.print === true,
    reassemble: values.reassemble === true,
    stats: values.stats === true,
    tui: values.tui === true,
    tuiBuffer: (positiveInteger("--tui-buffer", values["tui-buffer"]) ?? 256) * 1024 * 1024,
    tuiSpill: (positiveInteger("--tui-spill", values["tui-spill"], true) ?? 1024) * 1024 * 1024,
    statsInterval: values["stats-interval"] === undefined
      ? undefined
      : parseDuration(values["stats-interval"]) / 1000,
    absoluteSequence: values.S === true,
    user: values.Z,
    listInterfaces: values["list-interfaces"] === true,
    listDataLinks: values["list-data-link-types"] === true,
    dataLink: values.linktype,
    direction,
    count: positiveInteger("--count", values.count),
    durationMs: values.duration === undefined ? undefined : parseDuration(values.duration),
    snaplen: snaplen === 0 ? MAX_SNAPLEN : snaplen,
    promisc: values["no-promisc"] !== true,
    bufferSize: bufferKib === undefined ? undefined : bufferKib * 1024,
    bufferPackets: positiveInteger("--buffer-packets", values["buffer-packets"]) ??
      DEFAULT_BUFFER_PACKETS,
    json: values.json === true,
    verbose: (values.verbose?.length ?? 0) > 0,
    verbosity: values.verbose?.length ?? 0,
    link: values.e === true,
    hex: values.X ? "ascii" : values.x ? "hex" : values.A ? "text" : "none",
    payload: values.payload === true,
    displayFilter: values["display-filter"],
    fields,
    fieldOptions: values.E ?? [],
    ipfix: ipfixTarget(values),
    nanosecond: precision === "nano",
    immediate: values["immediate-mode"] === true,
    tree: values.V === true,
    quiet: values.quiet === true,
    lineBuffered: values.l === true,
    timeFormat,
    numbered: values.number === true,
    noChecksums: values["dont-verify-checksums"] === true,
    timeStampType: values["time-stamp-type"],
    listTimeStampTypes: values["list-time-stamp-types"] === true,
    help: values.help === true,
    version: values.version === true,
  };
}
