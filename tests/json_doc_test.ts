/**
 * docs/json.md's tunnel examples run as shown: each `$ netpeek …` line of the "Tunnels with jq"
 * block is run through bash (with `netpeek` the repository's, and the real jq) from the
 * repository's root, and what it prints must be the lines shown under it.
 */

import assert from "node:assert/strict";
import { hasCommand, MAIN, PERMISSIONS } from "./netpeek_process.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const DOC = new URL("../docs/json.md", import.meta.url);

Deno.test({
  name: "docs/json.md: the tunnel jq examples print what they show",
  ignore: !(await hasCommand("jq")),
  fn: async () => {
    const text = await Deno.readTextFile(DOC);
    const section = text.slice(text.indexOf("## Tunnels with jq"));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block !== undefined, "no example block");
    const examples: { command: string; shown: string[] }[] = [];
    for (const line of block.trimEnd().split("\n")) {
      if (line.startsWith("$ ")) examples.push({ command: line.slice(2), shown: [] });
      else examples.at(-1)?.shown.push(line);
    }
    assert.ok(examples.length >= 4, `${examples.length} examples`);
    const netpeek = `netpeek() { '${Deno.execPath()}' run ${
      PERMISSIONS.join(" ")
    } '${MAIN}' "$@"; }`;
    for (const { command, shown } of examples) {
      assert.ok(shown.length > 0, `${command}: shows nothing`);
      const run = await new Deno.Command("bash", {
        args: ["-c", `set -o pipefail; ${netpeek}; ${command}`],
        cwd: ROOT,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "null",
      }).output();
      // `head` may close the pipe early: only the printed lines count.
      const printed = new TextDecoder().decode(run.stdout).trimEnd().split("\n");
      assert.deepEqual(printed, shown, command);
    }
  },
});
