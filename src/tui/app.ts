/**
 * `netpeek --tui`: the live view's loop. Frames come from a feed (a live capture's thread,
 * or a file) into a `PacketStore` as fast as they come; the screen is drawn at most ten
 * times a second from the store (`view.ts`), only the lines that changed; keys move, open,
 * filter, switch views and quit. The terminal is given back on every way out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PacketStore } from "./packet_store.ts";
 * import { handleKey } from "./app.ts";
 * import { newViewState } from "./view.ts";
 * const store = new PacketStore(1 << 20);
 * const state = newViewState();
 * for (const key of ["/", "i", "c", "m", "p", "enter"]) handleKey(key, state, store, 24);
 * assert.equal(store.filterText, "icmp");
 * assert.equal(handleKey("q", state, store, 24), "quit");
 * ```
 * @module
 */

import type { CaptureStats, FrameHeader } from "../frame.ts";
import { UserError } from "../user_error.ts";
import type { PacketStore } from "./packet_store.ts";
import { MIN_COLUMNS, MIN_ROWS, Terminal } from "./terminal.ts";
import {
  BANDWIDTH_SECONDS,
  detailLines,
  detailRows,
  listRows,
  newViewState,
  packetJson,
  screenLines,
  type ViewState,
} from "./view.ts";
import { SelectionWriter } from "./write_selection.ts";

/** The longest the screen goes without being drawn while something changes: 10 a second. */
const FRAME_MS = 100;
/**
 * A new filter runs over the packets kept for this long a frame: the rest of the frame takes
 * what the capture brings (at 280,000 packets/s, about 40 ms of it here) and the keys.
 */
const REFILTER_MS = 40;
/** The store's pages touched ahead in a quiet tick (`PacketStore.touchAhead`). */
const TOUCH_STEP = 8 << 20;

/** Where the view's frames come from. */
export interface FrameFeed {
  /** Hands every frame to `onFrame` until stopped (or, for a file, its end). */
  run(
    onFrame: (
      bytes: Uint8Array,
      offset: number,
      header: FrameHeader,
      linkType: number,
      fileOffset?: number,
    ) => void,
  ): Promise<void>;
  stop(): void;
  /** The kernel's counters (live), else `null`. */
  stats(): CaptureStats | null;
  /**
   * Live, with a capture thread: the share of its ring the frames not yet taken fill (0 to 1),
   * how far the view is behind the capture.
   */
  backlog?(): number;
}

/**
 * The spill pauses while the frames waiting fill this share of the capture's ring (the view is
 * behind: writing to disk would make it lose packets), and resumes once they fill the second.
 */
const SPILL_PAUSE_BACKLOG = 1 / 8;
const SPILL_RESUME_BACKLOG = 1 / 64;
/** The backlog is looked at every this many frames. */
const BACKLOG_CHECK_FRAMES = 1024;

/** What a key did: nothing more to do, or the view is to end. */
type KeyResult = "quit" | undefined;

/** Moves the selection to `index` (clamped), keeping it on the list's screen. */
function select(state: ViewState, store: PacketStore, index: number, rows: number): void {
  const last = store.shown.length - 1;
  state.selected = Math.max(0, Math.min(last, index));
  const height = listRows(state, rows);
  if (state.selected < state.top) state.top = state.selected;
  if (state.selected >= state.top + height) state.top = state.selected - height + 1;
  state.follow = state.selected === last && state.follow;
}

/** Applies one key to the view's state. */
export function handleKey(
  key: string,
  state: ViewState,
  store: PacketStore,
  rows: number,
): KeyResult {
  const prompt = state.prompt;
  if (prompt !== undefined) {
    if (key === "enter") {
      state.prompt = undefined;
      if (prompt.kind === "filter") {
        try {
          store.startFilter(prompt.text);
          store.refilter(REFILTER_MS);
          state.message = undefined;
          state.selected = 0;
          state.top = 0;
          state.follow = true;
          follow(state, store, rows);
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          state.message = error.line;
        }
      } else if (state.writing === undefined) {
        const writer = SelectionWriter.start(store, prompt.text);
        if (typeof writer === "string") state.message = writer;
        else state.writing = writer;
      } else state.message = "nothing written: the file before is still being written";
    } else if (key === "escape" || key === "ctrl-c") state.prompt = undefined;
    else if (key === "backspace") prompt.text = prompt.text.slice(0, -1);
    else if (key.length === 1 || [...key].length === 1) prompt.text += key;
    return undefined;
  }
  if (state.mode === "help") {
    state.mode = "list";
    return key === "q" || key === "ctrl-c" ? "quit" : undefined;
  }
  const page = Math.max(1, listRows(state, rows) - 1);
  const inDetail = state.focus === "detail" && state.detailOpen && state.mode === "list";
  switch (key) {
    case "q":
    case "ctrl-c":
      return "quit";
    case "?":
      state.mode = "help";
      return undefined;
    case "c":
      state.mode = "conversations";
      return undefined;
    case "t":
      state.mode = "talkers";
      return undefined;
    case "p":
      state.mode = "list";
      return undefined;
    case "s":
      state.sortBy = state.sortBy === "bytes" ? "frames" : "bytes";
      return undefined;
    case "/":
      state.prompt = { kind: "filter", text: store.filterText };
      return undefined;
    case "w":
      state.prompt = { kind: "write", text: "" };
      return undefined;
    case "escape":
      if (store.filterText !== "") {
        store.startFilter("");
        store.refilter(REFILTER_MS);
        state.follow = true;
        follow(state, store, rows);
      }
      state.message = undefined;
      return undefined;
    case " ":
      state.follow = !state.follow;
      if (state.follow) follow(state, store, rows);
      return undefined;
    case "tab":
    case "backtab":
      if (state.detailOpen) state.focus = state.focus === "list" ? "detail" : "list";
      return undefined;
  }
  if (inDetail) {
    detailKey(key, state, store, rows);
    return undefined;
  }
  switch (key) {
    case "up":
    case "k":
      state.follow = false;
      select(state, store, state.selected - 1, rows);
      break;
    case "down":
    case "j":
      select(state, store, state.selected + 1, rows);
      break;
    case "pageup":
      state.follow = false;
      select(state, store, state.selected - page, rows);
      break;
    case "pagedown":
      select(state, store, state.selected + page, rows);
      break;
    case "home":
      state.follow = false;
      select(state, store, 0, rows);
      break;
    case "end":
      // As a scroll to the bottom does: the list follows new packets again.
      state.follow = true;
      select(state, store, store.shown.length - 1, rows);
      break;
    case "enter":
      state.detailOpen = !state.detailOpen;
      state.detailTop = 0;
      state.detailSelected = 0;
      if (!state.detailOpen) state.focus = "list";
      select(state, store, state.selected, rows);
      break;
  }
  return undefined;
}

/** Keys in the details pane: move through the fields; Enter folds a layer. */
function detailKey(key: string, state: ViewState, store: PacketStore, rows: number): void {
  const stored = store.packet(store.shown.at(state.selected) ?? 0);
  if (stored === undefined) return;
  // The lines as drawn: the same tree the view makes.
  const lines = detailLines(packetJson(stored), state.folded);
  const last = lines.length - 1;
  const height = detailRows(state, rows);
  const move = (to: number) => {
    state.detailSelected = Math.max(0, Math.min(last, to));
    if (state.detailSelected < state.detailTop) state.detailTop = state.detailSelected;
    if (state.detailSelected >= state.detailTop + height) {
      state.detailTop = state.detailSelected - height + 1;
    }
  };
  if (key === "up" || key === "k") move(state.detailSelected - 1);
  else if (key === "down" || key === "j") move(state.detailSelected + 1);
  else if (key === "pageup") move(state.detailSelected - height);
  else if (key === "pagedown") move(state.detailSelected + height);
  else if (key === "home") move(0);
  else if (key === "end") move(last);
  else if (key === "enter") {
    const layer = lines[state.detailSelected]?.layer;
    if (layer !== undefined) {
      if (state.folded.has(layer)) state.folded.delete(layer);
      else state.folded.add(layer);
    }
  }
}

/** Keeps the last packet selected while following. */
function follow(state: ViewState, store: PacketStore, rows: number): void {
  if (!state.follow || state.mode !== "list") return;
  const last = Math.max(0, store.shown.length - 1);
  state.selected = last;
  state.top = Math.max(0, last - listRows(state, rows) + 1);
}

/** The line shown instead of the view in a terminal made smaller than it needs. */
export function tooSmall(size: { columns: number; rows: number }): string {
  return `netpeek --tui needs at least ${MIN_COLUMNS}x${MIN_ROWS}; this terminal is now ` +
    `${size.columns}x${size.rows} (q quits)`;
}

/** Runs the view over `feed` until `q` (or a signal); returns the exit status. */
export async function runView(
  feed: FrameFeed,
  store: PacketStore,
  options: { color: boolean },
): Promise<number> {
  const terminal = Terminal.open();
  const state = newViewState();
  let previous: string[] = [];
  let dirty = true;
  let quit = false;
  let resolveQuit = () => {};
  const quitting = new Promise<void>((resolve) => resolveQuit = resolve);
  const end = () => {
    quit = true;
    feed.stop();
    resolveQuit();
  };
  terminal.onStop = end;
  terminal.onResize = () => {
    previous = [];
    dirty = true;
  };
  const draw = () => {
    const size = terminal.size();
    if (size.columns < MIN_COLUMNS || size.rows < MIN_ROWS) {
      // Made smaller while running: say so until it is large enough again.
      terminal.write(`\x1b[H\x1b[2J${tooSmall(size)}`);
      previous = [];
      dirty = false;
      return;
    }
    if (state.follow) follow(state, store, size.rows);
    state.capture = feed.stats();
    const lines = screenLines(store, state, size, options);
    let out = "";
    for (let row = 0; row < lines.length; row++) {
      if (lines[row] !== previous[row]) out += `\x1b[${row + 1};1H${lines[row]}\x1b[0m`;
    }
    if (out !== "") terminal.write(out);
    previous = lines;
    dirty = false;
  };
  let lastCount = 0;
  let lastBytes = 0;
  let lastTime = performance.now();
  /** The packet count the screen was last drawn with. */
  let drawnCount = -1;
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - lastTime >= 1000) {
      state.packetsPerSecond = (store.count - lastCount) * 1000 / (now - lastTime);
      state.bytesPerSecond = (store.wireBytes - lastBytes) * 1000 / (now - lastTime);
      state.bandwidth.push(state.bytesPerSecond);
      if (state.bandwidth.length > BANDWIDTH_SECONDS) state.bandwidth.shift();
      lastCount = store.count;
      lastBytes = store.wireBytes;
      lastTime = now;
      dirty = true;
    }
    if (store.refilter(REFILTER_MS) || store.filterProgress < 1) dirty = true;
    // One of the two a frame: a new filter first, then the file (it holds the packets shown
    // when `w` was typed).
    const writing = state.writing;
    if (writing !== undefined && store.filterProgress === 1) {
      if (writing.step(REFILTER_MS)) {
        state.message = `writing: ${Math.floor(writing.progress * 100)} %`;
      } else {
        state.message = writing.message;
        state.writing = undefined;
      }
      dirty = true;
    }
    if (dirty || store.count !== drawnCount) {
      drawnCount = store.count;
      draw();
    } else store.touchAhead(TOUCH_STEP);
  }, FRAME_MS);
  let frames = 0;
  const feeding = feed.run((bytes, offset, header, linkType, fileOffset) => {
    if (++frames % BACKLOG_CHECK_FRAMES === 0 && feed.backlog !== undefined) {
      const backlog = feed.backlog();
      if (backlog >= SPILL_PAUSE_BACKLOG) store.spillPaused = true;
      else if (backlog <= SPILL_RESUME_BACKLOG) store.spillPaused = false;
    }
    store.add(bytes, offset, header, linkType, fileOffset);
  }).catch((error) => {
    state.message = error instanceof UserError ? error.line : String(error);
    dirty = true;
  });
  // Keys are read until the view ends (the read pending then goes with the process).
  void (async () => {
    while (!quit) {
      const typed = await Promise.race([terminal.keys(), quitting.then(() => [] as string[])]);
      if (typed.length === 0 && !quit) {
        end(); // the terminal went away
        break;
      }
      for (const key of typed) {
        if (handleKey(key, state, store, terminal.size().rows) === "quit") end();
        if (key === "ctrl-l") previous = [];
      }
      dirty = true;
      if (!quit) draw();
    }
  })();
  try {
    draw();
    await quitting;
  } finally {
    clearInterval(timer);
    terminal.restore();
    feed.stop();
    state.writing?.stop();
    store.close();
  }
  await feeding;
  return 0;
}
