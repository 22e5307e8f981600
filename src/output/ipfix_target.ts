/**
 * `--ipfix`'s target as the command line gives it: the collector's address and the export's
 * settings. Apart from the exporter (`ipfix_export.ts`), which loads Node's socket and name
 * modules, so that parsing a command line without `--ipfix` does not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCollector } from "./ipfix_target.ts";
 * assert.deepEqual(parseCollector("tcp://[2001:db8::9]:4739"), {
 *   host: "2001:db8::9", port: 4739, transport: "tcp",
 * });
 * assert.equal(parseCollector("collector.example"), undefined); // no port
 * ```
 * @module
 */

/** Where and how to export. */
export interface IpfixTarget {
  /** The collector's host name or address, and port. */
  host: string;
  port: number;
  /** The observation domain id. */
  domain: number;
  /** Seconds: a long flow's record every `active`; a flow ends after `idle` without packets. */
  active: number;
  idle: number;
  /** One record per conversation with both directions (RFC 5103), not one per direction. */
  biflow: boolean;
  /** UDP (the default) or TCP. */
  transport: "udp" | "tcp";
}

/**
 * A collector's address as users write it: `HOST:PORT`, `[IPv6]:PORT`, with `udp://` (the
 * default) or `tcp://` in front; undefined when it is not one.
 */
export function parseCollector(
  text: string,
): Pick<IpfixTarget, "host" | "port" | "transport"> | undefined {
  const scheme = /^(udp|tcp):\/\//.exec(text);
  const rest = scheme === null ? text : text.slice(scheme[0].length);
  const match = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(rest) ?? /^([^:\s\[\]\/]+):(\d+)$/.exec(rest);
  const port = match === null ? NaN : Number(match[2]);
  if (match === null || !(port >= 1 && port <= 65535)) return undefined;
  return { host: match[1], port, transport: scheme?.[1] === "tcp" ? "tcp" : "udp" };
}
