/**
 * Runs netpeek as users do: `deno run` on what the `capture` task runs (`netpeek.ts`: the bundle
 * that `deno task test` builds first, or the sources when they are newer), with the same
 * permissions, as a child process whose output the tests read.
 * @module
 */

export const MAIN = new URL("../netpeek.ts", import.meta.url).pathname;
/** The permissions of `deno task capture`: netpeek must work with exactly these. */
export const PERMISSIONS = [
  "--allow-ffi",
  "--allow-env=NETPEEK_LIBPCAP,NETPEEK_PRINT_WORKER,SystemRoot,TERM",
  "--allow-read",
  "--allow-write",
  "--allow-net",
];

/** The command line that runs netpeek with `args`, optionally through a prefix command. */
export function netpeekCommand(args: string[], prefix: string[] = []): [string, string[]] {
  const command = [...prefix, Deno.execPath(), "run", ...PERMISSIONS, MAIN, ...args];
  return [command[0], command.slice(1)];
}

/** What a finished run printed. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs netpeek to completion (killed after `timeoutMs`: a hang fails the test). */
export async function runNetpeek(
  args: string[],
  options: {
    env?: Record<string, string>;
    prefix?: string[];
    stdin?: Uint8Array;
    timeoutMs?: number;
    cwd?: string;
  } = {},
): Promise<RunResult> {
  const [command, commandArgs] = netpeekCommand(args, options.prefix);
  const child = new Deno.Command(command, {
    args: commandArgs,
    env: { NO_COLOR: "1", ...options.env },
    cwd: options.cwd,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  }).spawn();
  if (options.stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(options.stdin).catch(() => {});
    await writer.close().catch(() => {});
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A running netpeek whose output is collected while it runs. */
export class NetpeekProcess {
  readonly child: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  readonly #done: Promise<[Deno.CommandStatus, void, void]>;
  #waiters: (() => void)[] = [];

  constructor(args: string[], prefix: string[] = []) {
    const [command, commandArgs] = netpeekCommand(args, prefix);
    this.child = new Deno.Command(command, {
      args: commandArgs,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#done = Promise.all([
      this.child.status,
      this.#collect(this.child.stdout, (text) => this.stdout += text),
      this.#collect(this.child.stderr, (text) => this.stderr += text),
    ]);
  }

  async #collect(stream: ReadableStream<Uint8Array>, add: (text: string) => void) {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      add(decoder.decode(chunk, { stream: true }));
      for (const wake of this.#waiters.splice(0)) wake();
    }
  }

  /** Resolves when `predicate` holds for the output so far; rejects after `timeoutMs`. */
  async waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out waiting for ${what}; stderr: ${this.stderr}`);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, Math.min(left, 100));
      });
      clearTimeout(timer);
    }
  }

  /** Waits for the "listening on" line: the handle is active and capturing. */
  listening(): Promise<void> {
    return this.waitFor(() => this.stderr.includes("listening on "), "the listening line");
  }

  /** Waits for the process to end; kills it if it outlives `timeoutMs`. */
  async finished(timeoutMs = 20_000): Promise<RunResult> {
    const timer = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    const [status] = await this.#done;
    clearTimeout(timer);
    return { code: status.code, stdout: this.stdout, stderr: this.stderr };
  }
}

/** Runs a command to completion and returns its standard output; throws when it fails. */
export async function sh(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(`${command} ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout);
}

/**
 * Fetches `url` with curl in the network namespace `namespace` once its server answers: curl
 * retries a refused connection, backing off from a second, for at most 15 seconds in all, each
 * try lasting at most five; `options` are curl's own. Returns what curl printed (the page,
 * unless `options` send it elsewhere); throws when it never got an answer, so a server that
 * does not start fails the test within seconds instead of holding it for curl's default
 * backoff (which doubles up to ten minutes).
 */
export function curlWhenUp(
  namespace: string,
  url: string,
  options: string[] = [],
): Promise<string> {
  return sh("ip", [
    "netns",
    "exec",
    namespace,
    "curl",
    "-s",
    "--retry",
    "20",
    "--retry-connrefused",
    "--retry-delay",
    "0",
    "--retry-max-time",
    "15",
    "--max-time",
    "5",
    ...options,
    url,
  ]);
}

/**
 * The statistics line netpeek prints when a capture ends: captured, received by filter,
 * dropped by kernel, and (when the output could not keep up) not printed.
 */
export const STATS_LINE =
  /^(\d+) packets? captured, (\d+) received by filter, (\d+) dropped by kernel(?:, (\d+) not printed \(output too slow\))?$/m;

/** Whether a command is installed (the reference tools: tcpdump, tshark). */
export async function hasCommand(name: string, args = ["--version"]): Promise<boolean> {
  return await new Deno.Command(name, { args, stdout: "null", stderr: "null" })
    .output().then((output) => output.success, () => false);
}
