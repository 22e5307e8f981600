/**
 * tcpdump's file rotation for long captures: `-C` (a new file once the current one is past a
 * size), `-G` (a new file per interval, its name formatted with `strftime` fields), and `-W`
 * (at most N files: a ring with `-C`, a stop after N intervals with `-G` alone).
 *
 * Intervals follow the packets' time stamps, which for a live capture is the clock, and for
 * a file being rewritten is the time the packets were captured.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rotatedName, strftime } from "./rotation.ts";
 * assert.deepEqual(rotatedName("dump.pcap", { sizeLimit: 1e6, fileCount: 10 }, 0, 3), "dump.pcap03");
 * assert.deepEqual(strftime("%Y-%m-%d", new Date(2026, 10, 25)), "2026-11-25");
 * ```
 * @module
 */

import type { FrameHeader } from "../frame.ts";
import { CaptureFileWriter, type FileSink, type WriterOptions } from "./writer.ts";

/** `-C`, `-G`, `-W` as tcpdump has them. */
export interface RotationOptions {
  /** `-C`: bytes past which a new file starts (tcpdump counts -C in units of 1,000,000). */
  sizeLimit?: number;
  /** `-G`: seconds per file. */
  interval?: number;
  /** `-W`: how many files at most. */
  fileCount?: number;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function two(value: number): string {
  return String(value).padStart(2, "0");
}

/**
 * The C library's `strftime` for the fields file names use: `%Y %y %m %d %e %j %H %M %S %s
 * %a %b %F %T %%`, in local time as tcpdump formats them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { strftime } from "./rotation.ts";
 * assert.deepEqual(strftime("cap-%H%M%S.pcap", new Date(2026, 0, 2, 3, 4, 5)), "cap-030405.pcap");
 * ```
 */
export function strftime(pattern: string, date: Date): string {
  return pattern.replace(/%([a-zA-Z%])/g, (field, letter: string) => {
    switch (letter) {
      case "Y":
        return String(date.getFullYear());
      case "y":
        return two(date.getFullYear() % 100);
      case "m":
        return two(date.getMonth() + 1);
      case "d":
        return two(date.getDate());
      case "e":
        return String(date.getDate()).padStart(2, " ");
      case "j": {
        const start = new Date(date.getFullYear(), 0, 1);
        const day = Math.floor((date.getTime() - start.getTime()) / 86_400_000) + 1;
        return String(day).padStart(3, "0");
      }
      case "H":
        return two(date.getHours());
      case "M":
        return two(date.getMinutes());
      case "S":
        return two(date.getSeconds());
      case "s":
        return String(Math.floor(date.getTime() / 1000));
      case "a":
        return DAYS[date.getDay()];
      case "b":
        return MONTHS[date.getMonth()];
      case "F":
        return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
      case "T":
        return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
      case "%":
        return "%";
      default:
        return field;
    }
  });
}

/**
 * A file's name as tcpdump makes it: the `-w` name (through `strftime` when `-G` is set at
 * `periodStart` seconds), then with `-C` a number: none for the first file, 1, 2, … after it;
 * with `-W` every file numbered, padded to the width of N.
 */
export function rotatedName(
  path: string,
  options: RotationOptions,
  periodStart: number,
  index: number,
): string {
  const base = options.interval ? strftime(path, new Date(periodStart * 1000)) : path;
  if (!options.sizeLimit) return base;
  if (options.fileCount) {
    return base + String(index).padStart(String(options.fileCount).length, "0");
  }
  return index === 0 ? base : base + index;
}

/** Opens (creating or truncating) the file a writer goes to. */
export type OpenFile = (path: string) => FileSink & { close(): void };

/** Writes to a sequence of files, starting a new one as the rotation options say. */
export class RotatingWriter {
  readonly #path: string;
  readonly #rotation: RotationOptions;
  readonly #writerOptions: WriterOptions;
  readonly #open: OpenFile;
  #file: (FileSink & { close(): void }) | undefined;
  #writer: CaptureFileWriter | undefined;
  #periodStart = 0;
  #index = 0;
  #intervals = 0;
  /** Every file name opened, in order. */
  readonly files: string[] = [];

  constructor(
    path: string,
    rotation: RotationOptions,
    writerOptions: WriterOptions,
    open: OpenFile,
  ) {
    this.#path = path;
    this.#rotation = rotation;
    this.#writerOptions = writerOptions;
    this.#open = open;
  }

  /**
   * Writes a record, first starting a new file when the interval is over or the current file
   * is past its size. Returns `false` when `-G` with `-W` has written its last file.
   */
  write(frame: Uint8Array, header: FrameHeader, linkType?: number): boolean {
    const { interval, sizeLimit, fileCount } = this.#rotation;
    if (this.#writer === undefined) {
      this.#periodStart = header.seconds;
      this.#intervals = 1;
      this.#start();
    } else if (interval && header.seconds - this.#periodStart >= interval) {
      if (fileCount && !sizeLimit && this.#intervals >= fileCount) return false;
      this.#intervals++;
      this.#periodStart = header.seconds;
      this.#index = 0;
      this.#start();
    } else if (sizeLimit && this.#writer.size > sizeLimit) {
      this.#index = fileCount ? (this.#index + 1) % fileCount : this.#index + 1;
      this.#start();
    }
    this.#writer!.write(frame, header, linkType);
    return true;
  }

  /** Flushes the current file. */
  flush(): void {
    this.#writer?.flush();
  }

  /** Flushes and closes the current file. */
  close(): void {
    this.#finish();
  }

  #finish(): void {
    if (this.#writer === undefined) return;
    try {
      this.#writer.close();
    } finally {
      this.#file?.close();
      this.#writer = undefined;
      this.#file = undefined;
    }
  }

  #start(): void {
    this.#finish();
    const name = rotatedName(this.#path, this.#rotation, this.#periodStart, this.#index);
    this.#file = this.#open(name);
    this.#writer = new CaptureFileWriter(this.#file, name, this.#writerOptions);
    this.files.push(name);
    this.#writer.flush(); // the header at once: the file is readable from its first moment
  }
}
