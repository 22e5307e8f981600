/**
 * netpeek's command line: `netpeek [options] [interface]`. See `netpeek --help`.
 * @module
 */

import { runNetpeek } from "./src/cli/run.ts";

if (import.meta.main) Deno.exit(await runNetpeek(Deno.args));
