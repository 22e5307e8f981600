/**
 * `netpeek --tui` driven in a real terminal: tmux runs it in a 120×60 pane, types keys
 * (`send-keys`) and reads the screen (`capture-pane -p`). Pings on `lo` appear while it
 * runs; `/` with `icmp` leaves only ICMP; Enter shows the IPv4 fields; `c` shows the ping's
 * conversation with its packet count; `q`, SIGTERM and SIGHUP give the terminal back as it
 * was (`stty -a` before and after); without a terminal it is one line and exit 2.
 */

import assert from "node:assert/strict";
import { makeCapture } from "../scripts/bench.ts";
import { hasCommand, MAIN, PERMISSIONS, runNetpeek } from "./netpeek_process.ts";

const canRun = await hasCommand("tmux", ["-V"]);
const canCapture = canRun && Deno.uid() === 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FIXTURE = new URL("./fixtures/mixed.pcap", import.meta.url).pathname;

async function tmux(...args: string[]): Promise<string> {
  const output = await new Deno.Command("tmux", { args, stdout: "piped", stderr: "piped" })
    .output();
  return new TextDecoder().decode(output.stdout);
}

/** A tmux session running `script` (a shell command line) in a 120×60 pane. */
class Pane {
  readonly name = `netpeek-tui-${crypto.randomUUID().slice(0, 8)}`;

  async start(script: string): Promise<void> {
    await tmux("new-session", "-d", "-s", this.name, "-x", "120", "-y", "60", script);
  }

  screen(): Promise<string> {
    return tmux("capture-pane", "-p", "-t", this.name);
  }

  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) await tmux("send-keys", "-t", this.name, key);
  }

  async type(text: string): Promise<void> {
    await tmux("send-keys", "-t", this.name, "-l", text);
  }

  /** Waits until the screen satisfies `predicate`; fails with the screen after 15 s. */
  async waitFor(predicate: (screen: string) => boolean, what: string): Promise<string> {
    const deadline = Date.now() + 15_000;
    let screen = "";
    while (Date.now() < deadline) {
      screen = await this.screen();
      if (predicate(screen)) return screen;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}; the screen:\n${screen}`);
  }

  async stop(): Promise<void> {
    await tmux("kill-session", "-t", this.name);
  }
}

/** Runs `body` with a fresh pane and a temporary folder, both gone after, however it ends. */
async function withPane(body: (pane: Pane, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  const pane = new Pane();
  try {
    await body(pane, dir);
  } finally {
    await pane.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The shell line that runs netpeek with `args` in the pane, recording `stty -a` around it. */
function netpeekScript(dir: string, args: string[]): string {
  const netpeek = [Deno.execPath(), "run", ...PERMISSIONS, MAIN, ...args]
    .map((word) => `'${word}'`).join(" ");
  return `stty -a > ${dir}/before; ${netpeek}; echo "exit $?" > ${dir}/status; ` +
    `stty -a > ${dir}/after; sleep 60`;
}

/** The status bar: the screen's last line that is not empty. */
function statusBar(screen: string): string {
  return screen.trimEnd().split("\n").at(-1) ?? "";
}

/** The packet rows of the list: lines that begin with a packet number. */
function rows(screen: string): string[] {
  return screen.split("\n").filter((line) => /^\s+\d+\s+\d+\.\d{6} /.test(line));
}

Deno.test({
  name: "--tui on a file: / icmp leaves only ICMP, Enter shows the IPv4 fields, q restores",
  ignore: !canRun,
  async fn() {
    await withPane(async (pane, dir) => {
      await pane.start(netpeekScript(dir, ["--tui", "-r", FIXTURE]));
      const first = await pane.waitFor((screen) => rows(screen).length > 3, "the packet list");
      const protocols = new Set(rows(first).map((line) => line.slice(67, 75).trim()));
      assert.ok(protocols.size > 1, `one protocol before filtering: ${[...protocols]}`);
      await pane.keys("/");
      await pane.type("icmp");
      await pane.keys("Enter");
      // tmux may show a frame half written: wait for the status bar and a list without
      // the rows before the filter (a view that never filters times out here).
      const filtered = await pane.waitFor(
        (screen) =>
          screen.includes("filter: icmp") &&
          rows(screen).every((line) => / ICMP /.test(line)),
        "the filter in the status bar, and its rows",
      );
      const icmpRows = rows(filtered);
      assert.ok(icmpRows.length > 0, filtered);
      assert.ok(icmpRows.every((line) => / ICMP /.test(line)), filtered);
      await pane.keys("Enter");
      // The hex pane is drawn last: with it on the screen, the frame above it is whole.
      const details = await pane.waitFor(
        (screen) => screen.includes("▾ ipv4") && /^0x0000: {2}[0-9a-f]{4} /m.test(screen),
        "the details and the hex pane",
      );
      for (
        const field of ["ttl: ", "id: ", "df: ", "fragOffset: ", "protocol: 1", "src: ", "dst: "]
      ) {
        assert.ok(details.includes(field), `no ${field} in the details:\n${details}`);
      }
      await pane.keys("q");
      await waitForFile(`${dir}/after`);
      assert.equal(await Deno.readTextFile(`${dir}/status`), "exit 0\n");
      assert.equal(
        await Deno.readTextFile(`${dir}/after`),
        await Deno.readTextFile(`${dir}/before`),
      );
      const after = await pane.screen();
      assert.ok(!after.includes("No.  "), "the view's screen is still up");
    });
  },
});

/** The netpeek process whose arguments hold `words` (NUL-separated, as /proc has them). */
function netpeekProcess(words: string): number | undefined {
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const command = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      // netpeek itself, not the shell whose command line names it too.
      if (command.includes(words) && command.includes(MAIN)) return Number(entry.name);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

async function waitForFile(path: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      if ((await Deno.stat(path)).size > 0) return;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  throw new Error(`${path} never appeared`);
}

Deno.test({
  name: "--tui live on lo: pings appear as they come, c shows their conversation",
  ignore: !canCapture,
  async fn() {
    await withPane(async (pane, dir) => {
      await pane.start(netpeekScript(dir, ["--tui", "-i", "lo", "icmp"]));
      await pane.waitFor((screen) => screen.includes("packets |"), "the status bar");
      const ping = await new Deno.Command("ping", {
        args: ["-c", "3", "-i", "0.2", "127.0.0.1"],
        stdout: "null",
      }).output();
      assert.ok(ping.success);
      const list = await pane.waitFor((screen) => rows(screen).length >= 6, "six ICMP rows");
      assert.equal(rows(list).filter((line) => /ICMP echo request/.test(line)).length, 3, list);
      assert.equal(rows(list).filter((line) => /ICMP echo reply/.test(line)).length, 3, list);
      await pane.keys("c");
      // The table's title is drawn before its rows: wait for the row.
      await pane.waitFor(
        (screen) =>
          screen.includes("Conversations (") &&
          /^icmp +127\.0\.0\.1 +127\.0\.0\.1 +6 +588 *$/m.test(screen),
        "the ping's conversation",
      );
      // The second the pings went by is the busiest of the bandwidth's sparkline.
      await pane.waitFor(
        (screen) => /^Bandwidth, the last \d+ s \(up to \d+ B\/s\): [▁▂▃▄▅▆▇]*█/m.test(screen),
        "the pings' second in the sparkline",
      );
      await pane.keys("q");
      await waitForFile(`${dir}/after`);
      // The terminal given back, the capture's count as any capture ends with it.
      assert.match(
        await pane.screen(),
        /^6 packets captured, \d+ received by filter, 0 dropped by kernel$/m,
      );
      assert.equal(
        await Deno.readTextFile(`${dir}/after`),
        await Deno.readTextFile(`${dir}/before`),
      );
    });
  },
});

Deno.test({
  name: "--tui live beyond its buffer: the packets it lets go are read back from disk",
  ignore: !canCapture,
  async fn() {
    await withPane(async (pane, dir) => {
      // A 1 MiB buffer, and 30 kB pings: after about 16 of them, packets go on to the spill.
      const args = ["--tui", "--tui-buffer", "1", "--tui-spill", "64", "-i", "lo", "icmp"];
      await pane.start(netpeekScript(dir, args));
      await pane.waitFor((screen) => screen.includes("packets |"), "the status bar");
      const ping = await new Deno.Command("ping", {
        args: ["-c", "40", "-i", "0.02", "-s", "30000", "127.0.0.1"],
        stdout: "null",
      }).output();
      assert.ok(ping.success);
      const status = await pane.waitFor(
        (screen) => / 80 packets, \d+ on disk \|/.test(screen),
        "80 packets, some on disk",
      );
      assert.doesNotMatch(status, /let go/);
      // The first packet, from the spill: its row, and its fields and bytes in the details.
      await pane.keys("Home", "Enter");
      const first = await pane.waitFor(
        (screen) => /^\s+1\s+0\.000000 127\.0\.0\.1/m.test(screen) && screen.includes("0x0000:"),
        "packet 1's row and bytes",
      );
      assert.match(first, /^\s+1\s+0\.000000 127\.0\.0\.1 .* ICMP\s+30042 .*echo request/m);
      assert.match(first, /^\s+length: 30028$/m);
      await pane.keys("q");
      await waitForFile(`${dir}/after`);
      assert.equal(await Deno.readTextFile(`${dir}/status`), "exit 0\n");
    });
  },
});

Deno.test({
  name: "--tui live during a 1,000,000-packet burst at top speed: the keys answer, q quits",
  ignore: !canCapture || !await hasCommand("tcpreplay", ["-V"]),
  async fn() {
    await withPane(async (pane, dir) => {
      const capture = `${dir}/mix.pcap`;
      makeCapture(capture, 40_000);
      await pane.start(netpeekScript(dir, ["--tui", "-i", "lo"]));
      await pane.waitFor((screen) => screen.includes("packets |"), "the status bar");
      const replay = new Deno.Command("tcpreplay", {
        args: ["-i", "lo", "--topspeed", "--loop", "25", capture],
        stdout: "null",
        stderr: "null",
      }).spawn();
      try {
        await pane.waitFor(
          (screen) => Number(screen.match(/ (\d+) packets[,|]/)?.[1] ?? 0) > 50_000,
          "the burst under way",
        );
        // A key in the middle of the burst is answered: the help comes up.
        const typed = Date.now();
        await pane.keys("?");
        await pane.waitFor((screen) => screen.includes("netpeek --tui: keys"), "the help");
        console.log(`  the help came up ${Date.now() - typed} ms after ? was typed, mid-burst`);
        await pane.keys("Escape", "q");
        const asked = Date.now();
        await waitForFile(`${dir}/after`);
        const took = Date.now() - asked;
        console.log(`  q quit ${took} ms after it was typed, mid-burst`);
        assert.ok(took < 5000, `q took ${took} ms`);
        assert.equal(await Deno.readTextFile(`${dir}/status`), "exit 0\n");
      } finally {
        try {
          replay.kill();
        } catch {
          // already done
        }
        await replay.status;
      }
    });
  },
});

Deno.test({
  name: "--tui on a 1 GB file: the first screen at once, End reaches its last packet",
  ignore: !canRun,
  async fn() {
    await withPane(async (pane, dir) => {
      const capture = `${dir}/big.pcap`;
      const packets = makeCapture(capture, 1_600_000);
      const size = (await Deno.stat(capture)).size;
      assert.ok(size > 1e9, `only ${size} bytes`);
      const started = Date.now();
      await pane.start(netpeekScript(dir, ["--tui", "-r", capture]));
      await pane.waitFor((screen) => rows(screen).length > 3, "the first screen");
      const first = Date.now() - started;
      const all = await pane.waitFor(
        (screen) => screen.includes(` ${packets} packets |`),
        "every packet listed",
      );
      const indexed = Date.now() - started;
      console.log(`  ${size} bytes: first screen ${first} ms, every packet listed ${indexed} ms`);
      assert.ok(all.includes("following"));
      // tmux may show a frame half written (the rows redrawn, the status bar not yet): each
      // wait is for the whole frame, list and status bar together; a view that does not
      // pause on Home, or follow again on End, times out here.
      await pane.keys("Home");
      await pane.waitFor(
        (screen) => /^ +1 +0\.000000 /m.test(screen) && statusBar(screen).includes("paused"),
        "packet 1, paused",
      );
      await pane.keys("End");
      await pane.waitFor(
        (screen) =>
          new RegExp(`^ *${packets} +\\d+\\.\\d{6} `, "m").test(screen) &&
          statusBar(screen).includes("following"),
        "the last packet, following",
      );
      await pane.keys("q");
      await waitForFile(`${dir}/after`);
    });
  },
});

Deno.test({
  name: "--tui in a terminal made smaller than 80x24 says so, and draws again when it grows",
  ignore: !canRun,
  async fn() {
    await withPane(async (pane, dir) => {
      await pane.start(netpeekScript(dir, ["--tui", "-r", FIXTURE]));
      await pane.waitFor((screen) => rows(screen).length > 3, "the packet list");
      await tmux("resize-window", "-t", pane.name, "-x", "70", "-y", "20");
      await pane.waitFor(
        (screen) => screen.includes("needs at least 80x24; this terminal is now 70x20"),
        "the message",
      );
      await tmux("resize-window", "-t", pane.name, "-x", "120", "-y", "60");
      await pane.waitFor((screen) => rows(screen).length > 3, "the packet list again");
      await pane.keys("q");
      await waitForFile(`${dir}/after`);
      assert.equal(await Deno.readTextFile(`${dir}/status`), "exit 0\n");
    });
  },
});

for (const signal of ["SIGTERM", "SIGHUP"] as const) {
  Deno.test({
    name: `--tui: ${signal} gives the terminal back as q does`,
    ignore: !canRun,
    async fn() {
      // A buffer size no other run uses: it finds this netpeek's process.
      const marker = String(1000 + Math.floor(Math.random() * 1000));
      await withPane(async (pane, dir) => {
        await pane.start(netpeekScript(dir, ["--tui", "--tui-buffer", marker, "-r", FIXTURE]));
        await pane.waitFor((screen) => rows(screen).length > 3, "the packet list");
        const pid = netpeekProcess(`--tui-buffer\0${marker}\0`);
        assert.ok(pid !== undefined, "netpeek's process not found");
        Deno.kill(pid, signal);
        await waitForFile(`${dir}/after`);
        assert.equal(
          await Deno.readTextFile(`${dir}/after`),
          await Deno.readTextFile(`${dir}/before`),
        );
        const screen = await pane.screen();
        assert.ok(!screen.includes("packets |"), `the view's screen is still up:\n${screen}`);
      });
    },
  });
}

Deno.test({
  name: "--tui on TERM=dumb: one line, exit 2, the terminal untouched",
  ignore: !canRun,
  async fn() {
    await withPane(async (pane, dir) => {
      await pane.start(`export TERM=dumb; ${netpeekScript(dir, ["--tui", "-r", FIXTURE])}`);
      await waitForFile(`${dir}/after`);
      assert.equal(await Deno.readTextFile(`${dir}/status`), "exit 2\n");
      const screen = await pane.screen();
      assert.match(screen, /netpeek: --tui cannot draw on TERM=dumb/);
    });
  },
});

Deno.test("--tui without a terminal: one line, exit 2", async () => {
  const piped = await runNetpeek(["--tui", "-r", FIXTURE]);
  assert.equal(piped.code, 2);
  assert.match(piped.stderr, /^netpeek: --tui needs a terminal on standard input and output/);
  assert.equal(piped.stderr.trimEnd().split("\n").length, 1, piped.stderr);
  // The capture on standard input, where the view's keys come from: said before anything is
  // opened (this once ended in an internal error, opening a file named "-").
  const stdin = await runNetpeek(["--tui", "-r", "-"], {
    prefix: ["sh", "-c", `exec "$@" < '${FIXTURE}'`, "sh"],
  });
  assert.equal(stdin.code, 2);
  assert.match(stdin.stderr, /^netpeek: --tui reads its keys from standard input: give -r a file/);
  assert.equal(stdin.stderr.trimEnd().split("\n").length, 1, stdin.stderr);
});
