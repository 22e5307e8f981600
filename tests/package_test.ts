/** The package is ready for JSR: `deno publish --dry-run` passes (it needs no network). */

import assert from "node:assert/strict";

Deno.test("deno publish --dry-run accepts the package", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: new URL("..", import.meta.url).pathname,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
  assert.ok(output.success, log);
  assert.match(log, /Dry run complete/);
  assert.match(log, /mod\.ts/);
});
