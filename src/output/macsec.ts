/**
 * MACsec's words as tcpdump 4.99 prints them (print-macsec.c): with `-e` after the Ethernet
 * header, `an 0, pn 68, flags I, sci 2eb73f3995c30001, `; without `-e` only for a frame it
 * cannot look into (encrypted or changed text), after the addresses and `802.1AE MACsec, `.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MacsecHeader } from "../decode/mod.ts";
 * import { macsecText } from "./macsec.ts";
 * const bytes = new Uint8Array([0x2c, 0, 0, 0, 0, 72, 0x2e, 0xb7, 0x3f, 0x39, 0x95, 0xc3, 0, 1]);
 * const macsec = new MacsecHeader().bind(new DataView(bytes.buffer), 0, bytes.length);
 * assert.equal(macsecText(macsec), "an 0, pn 72, flags ECI, sci 2eb73f3995c30001, ");
 * ```
 * @module
 */

import { MACSEC_FLAG_LETTERS, type MacsecHeader } from "../decode/mod.ts";

/** The SecTAG as tcpdump prints it, ending in `, `. */
export function macsecText(macsec: MacsecHeader): string {
  const tci = macsec.tci;
  let letters = "";
  for (const [mask, letter] of MACSEC_FLAG_LETTERS) if ((tci & mask) !== 0) letters += letter;
  const shortLength = macsec.shortLength;
  return `an ${macsec.an}, pn ${macsec.packetNumber}, flags ${letters || "none"}${
    shortLength !== 0 ? `, sl ${shortLength}` : ""
  }${macsec.hasSci ? `, sci ${macsec.sci}` : ""}, `;
}
