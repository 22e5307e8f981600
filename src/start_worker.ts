/**
 * Starting a module worker that says when it runs: the capture thread of a live capture
 * starts this way, and the capture carries on without it (on the caller's thread) when it
 * cannot start. (The printing worker of a file read is not waited for: the reader prints
 * alone until it runs, see `cli/print_pipeline.ts`.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startWorker } from "./start_worker.ts";
 * const source = "onmessage = (event) => postMessage(event.data);";
 * const url = new URL(`data:application/javascript,${encodeURIComponent(source)}`);
 * const worker = await startWorker(url, "started", 5000);
 * assert.ok(worker !== undefined);
 * worker.terminate();
 * ```
 * @module
 */

/**
 * Starts the worker module at `url`, posts it `setup`, and waits until it answers (its
 * first message says it runs); `undefined` when it cannot be started, fails to load, or
 * does not answer within `timeoutMs`.
 */
export async function startWorker(
  url: URL,
  setup: unknown,
  timeoutMs: number,
): Promise<Worker | undefined> {
  let worker: Worker;
  try {
    worker = new Worker(url, { type: "module" });
  } catch {
    return undefined;
  }
  const started = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    // A module that failed to load reports an error instead of answering.
    worker.onerror = (event) => {
      event.preventDefault();
      clearTimeout(timer);
      resolve(false);
    };
    worker.onmessage = () => {
      clearTimeout(timer);
      resolve(true);
    };
    worker.postMessage(setup);
  });
  if (started) return worker;
  worker.terminate();
  return undefined;
}
