/**
 * `CaptureError`, in a module of its own: reading a file with a filter (src/ffi/filter.ts)
 * reports libpcap's errors with it, without loading the live capture's modules.
 * @module
 */

import { UserError } from "../user_error.ts";

/** What went wrong opening or reading a capture: `message` is one line for the user. */
export class CaptureError extends UserError {
  /** The error's name. */
  override name = "CaptureError";
  /** The libpcap status code behind it. */
  readonly status: number;
  /** See docs/json.md. */
  constructor(message: string, status: number) {
    super(message.replace(/\s*\n\s*/g, "; "));
    this.status = status;
  }
}
