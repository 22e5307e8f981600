/**
 * `--tui`'s modules, loaded when the view is asked for: the view is a fifth of the program's
 * source, and every other run would pay for reading it at start-up.
 * @module
 */

import type { runView } from "../tui/app.ts";
import type { PacketStore } from "../tui/packet_store.ts";

/** The live view's entry point and its packet store. */
export interface ViewModules {
  runView: typeof runView;
  PacketStore: typeof PacketStore;
}

/** Loads the live view's modules (once; later calls get the same). */
export async function loadView(): Promise<ViewModules> {
  const [app, store] = await Promise.all([
    import("../tui/app.ts"),
    import("../tui/packet_store.ts"),
  ]);
  return { runView: app.runView, PacketStore: store.PacketStore };
}
