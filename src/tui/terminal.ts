/**
 * The terminal the live view draws on: raw keys in, ANSI out, and the terminal given back as
 * it was on every way out (`q`, Ctrl-C, SIGTERM, SIGHUP, an error). Keys come as names
 * (`up`, `pagedown`, `enter`, `tab`, `escape`, `backspace`, `ctrl-c`) or as the character
 * typed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseKeys } from "./terminal.ts";
 * const bytes = new TextEncoder().encode("j\x1b[A\x1b[6~\r/\x1b");
 * assert.deepEqual(parseKeys(bytes), ["j", "up", "pagedown", "enter", "/", "escape"]);
 * ```
 * @module
 */

import { EXIT_USAGE, UserError } from "../user_error.ts";

/** The view cannot start here (no terminal, `TERM=dumb`, too small); one line for the user. */
export class TerminalError extends UserError {
  override name = "TerminalError";
  override get exitStatus(): number {
    return EXIT_USAGE;
  }
}

/** The smallest terminal the view draws in. */
export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

const ESCAPE_SEQUENCES: Record<string, string> = {
  "\x1b[A": "up",
  "\x1b[B": "down",
  "\x1b[C": "right",
  "\x1b[D": "left",
  "\x1bOA": "up",
  "\x1bOB": "down",
  "\x1bOC": "right",
  "\x1bOD": "left",
  "\x1b[5~": "pageup",
  "\x1b[6~": "pagedown",
  "\x1b[H": "home",
  "\x1b[F": "end",
  "\x1bOH": "home",
  "\x1bOF": "end",
  "\x1b[1~": "home",
  "\x1b[4~": "end",
  "\x1b[7~": "home",
  "\x1b[8~": "end",
  "\x1b[Z": "backtab",
};

const CONTROL_KEYS: Record<number, string> = {
  0x03: "ctrl-c",
  0x04: "ctrl-d",
  0x09: "tab",
  0x0a: "enter",
  0x0d: "enter",
  0x7f: "backspace",
  0x08: "backspace",
  0x0c: "ctrl-l",
};

/** The keys in `bytes`, as read from a terminal in raw mode. */
export function parseKeys(bytes: Uint8Array): string[] {
  const text = new TextDecoder().decode(bytes);
  const keys: string[] = [];
  for (let at = 0; at < text.length;) {
    const code = text.charCodeAt(at);
    if (code === 0x1b) {
      // A known sequence, else an unknown CSI sequence (skipped whole), else Escape itself.
      const known = Object.keys(ESCAPE_SEQUENCES).find((sequence) => text.startsWith(sequence, at));
      if (known !== undefined) {
        keys.push(ESCAPE_SEQUENCES[known]);
        at += known.length;
        continue;
      }
      // deno-lint-ignore no-control-regex -- a terminal's escape sequence is what is read
      const csi = /^\x1b\[[0-9;?]*[ -/]*[@-~]/.exec(text.slice(at));
      if (csi !== null) {
        at += csi[0].length;
        continue;
      }
      keys.push("escape");
      at++;
      continue;
    }
    const control = CONTROL_KEYS[code];
    if (control !== undefined) keys.push(control);
    else if (code >= 0x20) keys.push(String.fromCodePoint(text.codePointAt(at)!));
    at += code >= 0xd800 && code < 0xdc00 ? 2 : 1;
  }
  return keys;
}

const ENTER_SCREEN = "\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[H\x1b[2J";
const LEAVE_SCREEN = "\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l";
const STOP_SIGNALS: Deno.Signal[] = ["SIGTERM", "SIGHUP", "SIGINT"];

/** The terminal in raw mode on the alternate screen, until `restore()`. */
export class Terminal {
  readonly #encoder = new TextEncoder();
  #restored = false;
  readonly #onSignal: () => void;
  readonly #onResize: () => void;
  /** Called on SIGTERM, SIGHUP, SIGINT (after the terminal is given back). */
  onStop: () => void = () => {};
  /** Called when the terminal's size changes. */
  onResize: () => void = () => {};

  private constructor() {
    this.#onSignal = () => {
      this.restore();
      this.onStop();
    };
    this.#onResize = () => this.onResize();
  }

  /**
   * Takes over the terminal; throws `TerminalError` where there is none to take (a pipe,
   * `TERM=dumb`) or it is smaller than 80×24.
   */
  static open(): Terminal {
    if (!Deno.stdin.isTerminal() || !Deno.stdout.isTerminal()) {
      throw new TerminalError(
        "--tui needs a terminal on standard input and output; without it, leave out --tui",
      );
    }
    // Asked first: a run without the permission takes it as unset instead of prompting.
    const allowed = Deno.permissions.querySync({ name: "env", variable: "TERM" }).state;
    const term = allowed === "granted" ? Deno.env.get("TERM") : undefined;
    if (term === "dumb") {
      throw new TerminalError("--tui cannot draw on TERM=dumb; use a terminal that can (xterm)");
    }
    const { columns, rows } = Deno.consoleSize();
    if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
      throw new TerminalError(
        `--tui needs at least ${MIN_COLUMNS}x${MIN_ROWS}; this terminal is ${columns}x${rows}`,
      );
    }
    const terminal = new Terminal();
    Deno.stdin.setRaw(true);
    terminal.write(ENTER_SCREEN);
    for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, terminal.#onSignal);
    Deno.addSignalListener("SIGWINCH", terminal.#onResize);
    // An error nobody caught still gives the terminal back.
    globalThis.addEventListener("unload", () => terminal.restore());
    return terminal;
  }

  /** Columns and rows now. */
  size(): { columns: number; rows: number } {
    try {
      return Deno.consoleSize();
    } catch {
      return { columns: MIN_COLUMNS, rows: MIN_ROWS };
    }
  }

  /** Writes `text` as it is (escape sequences included). */
  write(text: string): void {
    if (this.#restored) return;
    const bytes = this.#encoder.encode(text);
    for (let written = 0; written < bytes.length;) {
      written += Deno.stdout.writeSync(bytes.subarray(written));
    }
  }

  /** The next keys typed; an empty list once the terminal is gone. */
  async keys(): Promise<string[]> {
    const buffer = new Uint8Array(256);
    const count = await Deno.stdin.read(buffer).catch(() => null);
    if (count === null) return [];
    return parseKeys(buffer.subarray(0, count));
  }

  /** Gives the terminal back as it was: main screen, cursor, wrapping, cooked mode. */
  restore(): void {
    if (this.#restored) return;
    this.write(LEAVE_SCREEN);
    this.#restored = true;
    try {
      Deno.stdin.setRaw(false);
    } catch {
      // The terminal went away (the SSH session dropped): nothing to give back.
    }
    for (const signal of STOP_SIGNALS) Deno.removeSignalListener(signal, this.#onSignal);
    Deno.removeSignalListener("SIGWINCH", this.#onResize);
  }
}
