/**
 * `deno task release`: one executable per platform in dist/, with exactly the permissions
 * netpeek needs embedded, the version from deno.json in the names, and a SHA256SUMS file.
 *
 * `deno compile` downloads Deno's runtime for each target; where that download is impossible
 * (no access to Deno's download host) this says so and fails, and nothing pretends to pass.
 *
 * @module
 */

import denoJson from "../deno.json" with { type: "json" };

/** The platforms a release covers: Deno's target names and the file names they get. */
export const TARGETS: [target: string, suffix: string][] = [
  ["x86_64-unknown-linux-gnu", "linux-x86_64"],
  ["aarch64-unknown-linux-gnu", "linux-arm64"],
  ["x86_64-apple-darwin", "macos-x86_64"],
  ["aarch64-apple-darwin", "macos-arm64"],
  ["x86_64-pc-windows-msvc", "windows-x86_64.exe"],
];

/**
 * Exactly what netpeek needs: libpcap, its path override, the printing worker's switch (and
 * Windows' root), files, and the network for `--ipfix`'s collector.
 */
export const PERMISSIONS = [
  "--allow-ffi",
  "--allow-env=NETPEEK_LIBPCAP,NETPEEK_PRINT_WORKER,SystemRoot,TERM",
  "--allow-read",
  "--allow-write",
  "--allow-net",
];

const ROOT = new URL("..", import.meta.url).pathname;

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function main(): Promise<void> {
  await Deno.mkdir(`${ROOT}dist`, { recursive: true });
  const sums: string[] = [];
  for (const [target, suffix] of TARGETS) {
    const name = `netpeek-${denoJson.version}-${suffix}`;
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "compile",
        ...PERMISSIONS,
        // A worker's module is not found by following imports: it is named here.
        "--include",
        `${ROOT}src/cli/print_worker.ts`,
        "--include",
        `${ROOT}src/ffi/capture_thread.ts`,
        "--target",
        target,
        "--output",
        `${ROOT}dist/${name}`,
        `${ROOT}main.ts`,
      ],
      stdout: "inherit",
      stderr: "piped",
    }).output();
    if (!output.success) {
      const log = new TextDecoder().decode(output.stderr);
      const reason = /error sending request|dns error|Connect/.test(log)
        ? "runtime not downloadable here (deno compile could not fetch denort)"
        : log.trim().split("\n").slice(-3).join(" ");
      console.error(`netpeek release: ${target}: ${reason}`);
      Deno.exit(1);
    }
    sums.push(`${await sha256(`${ROOT}dist/${name}`)}  ${name}`);
    console.log(`built dist/${name}`);
  }
  await Deno.writeTextFile(`${ROOT}dist/SHA256SUMS`, sums.join("\n") + "\n");
  console.log("wrote dist/SHA256SUMS");
}

if (import.meta.main) await main();
