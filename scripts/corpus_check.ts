/**
 * Holds netpeek's decoding against tshark's on a folder of captures (tcpdump's test suite:
 * `deno task corpus ../shared/pcap-corpus/tcpdump`): on every file in a link type netpeek
 * decodes, where tshark reads every frame, each field of the outermost IPv4 header, and, for a
 * tunnel's packet, the innermost addresses and ports. Prints the figures and every
 * disagreement (the first few of each field); exits 1 when there is one.
 *
 *   deno task corpus DIR [--show N]
 */

import { parseArgs } from "node:util";
import { Decoder, isSupportedLinkType, type Packet } from "../src/decode/mod.ts";
import { CaptureFileReader } from "../src/file/reader.ts";

/** The outermost IPv4 header's fields under tshark's names, as netpeek reads them. */
const IPV4: Record<string, (packet: Packet) => string | number | undefined> = {
  "ip.version": (p) => p.ipv4?.version,
  "ip.hdr_len": (p) => p.ipv4?.ihl,
  "ip.dsfield.dscp": (p) => p.ipv4?.dscp,
  "ip.dsfield.ecn": (p) => p.ipv4?.ecn,
  "ip.len": (p) => p.ipv4 && (p.ipv4.lengthFromFrame || p.ipv4.length),
  "ip.id": (p) => p.ipv4?.id,
  "ip.flags.df": (p) => p.ipv4 && (p.ipv4.df ? 1 : 0),
  "ip.flags.mf": (p) => p.ipv4 && (p.ipv4.mf ? 1 : 0),
  "ip.frag_offset": (p) => p.ipv4 && p.ipv4.fragOffset / 8,
  "ip.ttl": (p) => p.ipv4?.ttl,
  "ip.proto": (p) => p.ipv4?.protocol,
  "ip.checksum": (p) => p.ipv4?.checksum,
  "ip.src": (p) => p.ipv4?.src,
  "ip.dst": (p) => p.ipv4?.dst,
};
/** The innermost packet's addresses and ports (tshark's last occurrence of each). */
const INNER = ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport"];
/** Those asked of tshark besides the IPv4 fields (a field asked twice is printed once). */
const EXTRA = INNER.filter((name) => !(name in IPV4));

function innermost(packet: Packet): Packet | undefined {
  let inner = packet.inner;
  while (inner?.inner !== undefined) inner = inner.inner;
  return inner;
}

function innerValue(inner: Packet, name: string): string | number | undefined {
  switch (name) {
    case "ip.src":
      return inner.ipv4?.src;
    case "ip.dst":
      return inner.ipv4?.dst;
    case "ipv6.src":
      return inner.ipv6?.src;
    case "ipv6.dst":
      return inner.ipv6?.dst;
    case "tcp.srcport":
      return inner.tcp?.srcPort;
    case "tcp.dstport":
      return inner.tcp?.dstPort;
  }
}

function tsharkNumber(text: string): string | number | undefined {
  if (text === "") return undefined;
  return /^(0x[0-9a-f]+|\d+)$/.test(text) ? Number(text) : text;
}

async function tshark(path: string, fields: string[]): Promise<string[][] | undefined> {
  const result = await new Deno.Command("tshark", {
    args: [
      "-n",
      "-r",
      path,
      "-T",
      "fields",
      "-E",
      "occurrence=a",
      ...fields.flatMap((f) => ["-e", f]),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(result.stderr);
  // tshark could not read it all: a cut-short file, an unknown block.
  if (
    !result.success ||
    /appears to have been cut short|isn't a capture file|error/i.test(
      stderr.replace(/Running as user.*\n?/, ""),
    )
  ) return undefined;
  const text = new TextDecoder().decode(result.stdout).replace(/\n$/, "");
  return text === "" ? [] : text.split("\n").map((line) => line.split("\t"));
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { show: { type: "string", default: "3" } },
  });
  const dir = positionals[0];
  if (dir === undefined) {
    console.error("usage: deno task corpus DIR [--show N]");
    return 2;
  }
  const show = Number(values.show);
  const names = [...Deno.readDirSync(dir)].filter((e) =>
    e.isFile && /\.(pcap|pcapng|cap)$/.test(e.name)
  )
    .map((e) => e.name).sort();
  const counts = {
    files: 0,
    decodedLink: 0,
    tsharkWhole: 0,
    ipv4Packets: 0,
    ipv4Fields: 0,
    innerPackets: 0,
    bothRefuse: 0,
  };
  const disagreements = new Map<string, string[]>();
  const note = (key: string, what: string) => {
    const list = disagreements.get(key) ?? [];
    list.push(what);
    disagreements.set(key, list);
  };
  const fields = Object.keys(IPV4);
  const srcColumn = fields.indexOf("ip.src");
  for (const name of names) {
    counts.files++;
    const path = `${dir}/${name}`;
    let rows: string[][] | undefined;
    let frame = 0;
    try {
      using file = await Deno.open(path);
      const reader = await CaptureFileReader.open(file, path);
      if (!isSupportedLinkType(reader.linkType)) continue;
      counts.decodedLink++;
      rows = await tshark(path, [...fields, ...EXTRA]);
      if (rows === undefined) continue;
      const table = rows;
      const decoder = new Decoder();
      let whole = true;
      await reader.run((bytes, header) => {
        const row = table[frame++];
        if (row === undefined || !isSupportedLinkType(header.linkType)) {
          whole = false;
          return;
        }
        compare(decoder.decode(bytes, header.linkType, header.len), row, `${name} frame ${frame}`);
      });
      if (!whole || frame !== table.length) {
        note("files whose frames tshark and netpeek count differently", name);
        continue;
      }
      counts.tsharkWhole++;
    } catch {
      continue; // not a file netpeek reads whole: tcpdump's suite holds broken ones on purpose
    }
  }

  function compare(packet: Packet, row: string[], where: string): void {
    const first = (cell: string) => tsharkNumber(cell.split(",")[0]);
    const last = (cell: string) => tsharkNumber(cell.split(",").at(-1) ?? "");
    const theirsHas = row[srcColumn] !== "";
    // The first IPv4 header: the frame's own, or the first a tunnel carries (MPLS, NSH).
    let outer: Packet | undefined = packet;
    while (outer !== undefined && outer.ipv4 === undefined && outer.ipv6 === undefined) {
      outer = outer.inner;
    }
    const ip = outer?.ipv4;
    if (ip === undefined) {
      // tshark's first IPv4 header may be inside what netpeek names only (OSI, IPX …).
      if (theirsHas && packet.ipv6 === undefined) note("ipv4: tshark decodes, netpeek not", where);
      return;
    }
    if (outer!.stop?.layer === "ipv4" && outer!.stop.kind === "malformed" && !theirsHas) {
      counts.bothRefuse++;
      return;
    }
    if (!theirsHas) {
      note(
        "ipv4: netpeek decodes, tshark not",
        `${where}${packet.arista ? " (Arista: tshark has no dissector)" : ""}`,
      );
      return;
    }
    counts.ipv4Packets++;
    fields.forEach((field, k) => {
      const ours = IPV4[field](outer!);
      const theirs = first(row[k]);
      counts.ipv4Fields++;
      if (ours !== theirs) note(field, `${where}: netpeek ${ours}, tshark ${theirs}`);
    });
    const deepest = innermost(packet);
    if (deepest === undefined || (deepest.ipv4 === undefined && deepest.ipv6 === undefined)) return;
    counts.innerPackets++;
    INNER.forEach((field) => {
      const ours = innerValue(deepest, field);
      if (ours === undefined) return;
      const column = field in IPV4 ? fields.indexOf(field) : fields.length + EXTRA.indexOf(field);
      const theirs = last(row[column]);
      if (ours !== theirs) note(`inner ${field}`, `${where}: netpeek ${ours}, tshark ${theirs}`);
    });
  }
  console.log(
    `${counts.files} files; ${counts.decodedLink} in link types netpeek decodes; ${counts.tsharkWhole} of ` +
      `those read whole by tshark: ${counts.ipv4Packets} outermost IPv4 headers (${counts.ipv4Fields} fields), ` +
      `${counts.innerPackets} tunnelled packets compared; ${counts.bothRefuse} impossible IPv4 headers ` +
      `both refuse`,
  );
  let disagreeing = 0;
  for (const [key, list] of disagreements) {
    disagreeing += list.length;
    console.log(`${key}: ${list.length}`);
    for (const what of list.slice(0, show)) console.log(`  ${what}`);
  }
  console.log(disagreeing === 0 ? "no disagreement" : `${disagreeing} disagreements`);
  return disagreeing === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
