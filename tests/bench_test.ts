/**
 * The benchmark in its small mode, so that it cannot rot: it asserts only that every reader
 * (netpeek text and JSON, tcpdump, tshark) processed every packet, never a time.
 */

Deno.test("deno task bench -- --packets 20000 --check runs and every tool sees every packet", async () => {
  // Through deno task, as people run it, with the `--` npm users type (scripts/task_args.ts).
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "bench", "--", "--packets", "20000", "--check"],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(`bench failed:\n${text}\n${new TextDecoder().decode(output.stderr)}`);
  }
  console.log(text.trim());
});
