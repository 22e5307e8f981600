/**
 * The background writer live capture prints through: it never blocks the caller, keeps the
 * order, counts what waits, notices a reader that went away, and reports a failed write.
 * The slow reader is a real pipe (`sleep; cat`); the failure a real file descriptor.
 */

import assert from "node:assert/strict";
import { BackgroundWriter } from "../src/output/background_writer.ts";
import { OutputBuffer } from "../src/output/writer.ts";

/** A pipe (a named one) whose reader runs `script` with the pipe open on descriptor 3. */
async function pipeTo(script: string): Promise<{ pipe: Deno.FsFile; reader: Deno.ChildProcess }> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/pipe`;
  await new Deno.Command("mkfifo", { args: [path] }).output();
  const reader = new Deno.Command("sh", {
    args: ["-c", `exec 3<"${path}"; ${script}`],
    stdout: "piped",
  }).spawn();
  const pipe = await Deno.open(path, { write: true });
  await Deno.remove(dir, { recursive: true });
  return { pipe, reader };
}

Deno.test("background writer: a pipe read 1 s late holds up the writes, not the writer", async () => {
  const { pipe, reader: child } = await pipeTo("sleep 1; cat <&3");
  const output = child.output(); // read as it comes, or cat would block on its own output
  const writer = new BackgroundWriter(pipe);
  const out = new OutputBuffer(writer, 4096);
  const lines = 20_000;
  for (let i = 0; i < lines; i++) {
    out.bytes.text(`line ${i} ${"x".repeat(40)}\n`);
    out.commit();
  }
  out.flush();
  // About 1 MB: far more than the pipe holds. A writer that blocked until the reader woke
  // would have written it all by now; this one has most of it still queued.
  assert.ok(writer.queuedPackets > lines / 2, `only ${writer.queuedPackets} queued`);
  await writer.drain();
  assert.equal(writer.queuedPackets, 0);
  pipe.close();
  const text = new TextDecoder().decode((await output).stdout);
  const got = text.trimEnd().split("\n");
  assert.equal(got.length, lines);
  assert.ok(got.every((line, i) => line.startsWith(`line ${i} `)), "out of order");
});

Deno.test("background writer: a reader that went away closes it; what is queued is dropped", async () => {
  const { pipe, reader } = await pipeTo("exit 0");
  await reader.output();
  const writer = new BackgroundWriter(pipe);
  // The first write may be accepted by the pipe before the reader's end is seen gone.
  for (let i = 0; i < 50 && !writer.closed; i++) {
    writer.writeChunk(new Uint8Array(65536), 100);
    await writer.drain();
  }
  assert.equal(writer.closed, true);
  assert.equal(writer.queuedPackets, 0);
  pipe.close();
});

Deno.test("background writer: a failed write is reported by drain and the next write", async () => {
  const path = await Deno.makeTempFile();
  const file = await Deno.open(path, { read: true }); // not open for writing: EBADF
  const writer = new BackgroundWriter(file);
  writer.writeChunk(new TextEncoder().encode("x\n"), 1);
  await assert.rejects(writer.drain());
  assert.throws(() => writer.writeChunk(new Uint8Array(1), 1));
  file.close();
  await Deno.remove(path);
});
