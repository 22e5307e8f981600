/**
 * One live capture on `lo` while tcpreplay sends a capture, for the benchmarks: the capturer's
 * count of packets captured and dropped (netpeek's line or tcpdump's), against tcpreplay's of
 * packets sent.
 *
 * @module
 */

/** What tcpreplay sent: its rate (packets/s) and count. */
export interface Replayed {
  rate: number;
  sent: number;
}

/** Sends `capture` onto `lo` `loops` times at `speed` (packets/s, or "top"). */
export async function replay(capture: string, speed: string, loops: number): Promise<Replayed> {
  const output = await new Deno.Command("tcpreplay", {
    args: [
      "-i",
      "lo",
      ...(speed === "top" ? ["--topspeed"] : ["--pps", speed]),
      "--loop",
      `${loops}`,
      capture,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const report = new TextDecoder().decode(output.stdout);
  return {
    rate: Number(report.match(/Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/)?.[1] ?? NaN),
    sent: Number(report.match(/Actual: (\d+) packets/)?.[1] ?? NaN),
  };
}

/** A capture's own count, from what it printed at its end. */
export interface CaptureCount {
  captured: number;
  dropped: number;
  notPrinted: number;
}

/**
 * netpeek's "N packets captured, N received by filter, N dropped by kernel[, N not printed
 * (output too slow)]", or tcpdump's first three on lines of their own.
 */
export function captureCount(stderr: string): CaptureCount {
  return {
    captured: Number(stderr.match(/(\d+) packets? captured/)?.[1] ?? NaN),
    dropped: Number(stderr.match(/(\d+) (?:packets )?dropped by kernel/)?.[1] ?? NaN),
    notPrinted: Number(stderr.match(/(\d+) not printed/)?.[1] ?? 0),
  };
}

/** What one live run saw. */
export type LiveResult = Replayed & CaptureCount;

/** Runs one capture while tcpreplay sends the capture `passes` times at `speed`. */
export async function liveRun(
  command: string,
  args: string[],
  capture: string,
  speed: string,
  passes: number,
): Promise<LiveResult> {
  const child = new Deno.Command(command, { args, stdout: "null", stderr: "piped" }).spawn();
  let stderr = "";
  const reading = (async () => {
    for await (const chunk of child.stderr) stderr += new TextDecoder().decode(chunk);
  })();
  const started = Date.now();
  while (!stderr.includes("listening on") && Date.now() - started < 10_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const sent = await replay(capture, speed, passes);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  child.kill("SIGINT");
  await child.status;
  await reading;
  return { ...sent, ...captureCount(stderr) };
}
