/**
 * A bounded fuzz run (scripts/fuzz.ts has the properties and the long run), and the replay of
 * every regression case it ever saved.
 */

import assert from "node:assert/strict";
import { checkFrame, freshState, fuzz } from "../scripts/fuzz.ts";

Deno.test("fuzz: decoders, analysis, output and reader survive hostile bytes", async () => {
  // A fixed seed keeps CI reproducible; `deno task fuzz` explores new ones.
  await fuzz(3000, 20261125);
});

Deno.test("fuzz: every saved regression case stays fixed", () => {
  const directory = new URL("./fixtures/fuzz/", import.meta.url);
  const state = freshState();
  let cases = 0;
  for (const entry of Deno.readDirSync(directory)) {
    if (!entry.name.endsWith(".hex")) continue;
    const [linkType, hex] = Deno.readTextFileSync(new URL(entry.name, directory)).trim().split(" ");
    const bytes = new Uint8Array((hex.match(/../g) ?? []).map((pair) => parseInt(pair, 16)));
    checkFrame({ linkType: Number(linkType), bytes }, state);
    cases++;
  }
  // A renamed folder or a changed ending would otherwise replay nothing and pass.
  assert.ok(cases > 0, "no regression case was found in tests/fixtures/fuzz");
});
