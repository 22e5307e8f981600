/**
 * An Ethernet frame of a type tcpdump has no name for, against tcpdump 4.99 on its own
 * captures: the addresses, `ethertype Unknown (0x88a7)`, the frame's length and the dump of
 * the bytes after the type (`ether_print`'s default print); with `-e` the dump after the link
 * header, with `-q` no dump, with `-x`/`-X` their own dump instead.
 */

import assert from "node:assert/strict";
import { compareText } from "./protocol_check.ts";

const CORPUS = new URL("../../shared/pcap-corpus/tcpdump/", import.meta.url).pathname;

/** A switch's frames of type 0x88a7 among ERSPAN traffic, and fuzzed frames of type 0x3030. */
const CAPTURES = ["erspan-type-i-4.pcap", "hoobr_pimv1.pcap", "nfs-attr-oobr.pcap"];

Deno.test("an unknown EtherType as tcpdump prints it: addresses, type, length and dump", async () => {
  for (const flags of [[], ["-e"], ["-q"], ["-x"], ["-X"], ["-v"]]) {
    let lines = 0;
    let dumps = 0;
    for (const name of CAPTURES) {
      lines += await compareText(`${CORPUS}${name}`, (packet) => {
        if (!packet.includes("ethertype Unknown") && !packet.includes("Unknown Ethertype")) {
          return false;
        }
        if (packet.includes("\n\t0x0000:")) dumps++;
        return true;
      }, flags);
    }
    // Frames of both kinds were compared, with their dumps where tcpdump prints one.
    assert.ok(lines >= 50, `${flags.join(" ")}: only ${lines} lines compared`);
    if (flags[0] === "-q") assert.equal(dumps, 0);
    else assert.ok(dumps >= 40, `${flags.join(" ")}: only ${dumps} dumps compared`);
  }
});
