/**
 * `-Z USER`, as tcpdump has it: once the capture handle is open and the output file created,
 * become that user (its group and supplementary groups first, then the user), so the rest of
 * the run, where untrusted packets are parsed, has no root.
 *
 * @example
 * ```ts
 * import { loadLibpcap } from "./library.ts";
 * import { dropPrivileges } from "./privileges.ts";
 * // Not run here: it would take root from the process that runs the examples.
 * export function becomeNobody(): { uid: number; gid: number } {
 *   return dropPrivileges(loadLibpcap(), "nobody"); // { uid: 65534, gid: 65534 } on Debian
 * }
 * ```
 * @module
 */

import { UserError } from "../user_error.ts";
import { type Libpcap, toCString } from "./library.ts";

/** Dropping privileges failed; the message is one line for the user. */
export class PrivilegeError extends UserError {
  override name = "PrivilegeError";
}

/** `struct passwd` on Linux and macOS: name, password (pointers), then uid and gid. */
const PW_UID = 16;
const PW_GID = 20;

/** Becomes `user` (uid, gid, supplementary groups); throws `PrivilegeError`. */
export function dropPrivileges(lib: Libpcap, user: string): { uid: number; gid: number } {
  const { getpwnam, initgroups, setgid, setuid } = lib.libc;
  if (!getpwnam || !initgroups || !setgid || !setuid) {
    throw new PrivilegeError("-Z is not supported on this system");
  }
  const name = toCString(user);
  const entry = getpwnam(name);
  if (entry === null) throw new PrivilegeError(`-Z ${user}: no such user`);
  const view = new Deno.UnsafePointerView(entry);
  const uid = view.getUint32(PW_UID);
  const gid = view.getUint32(PW_GID);
  // Order matters: groups while still root, the user last.
  if (initgroups(name, gid) !== 0 || setgid(gid) !== 0 || setuid(uid) !== 0) {
    throw new PrivilegeError(
      `cannot become ${user} (uid ${uid}, gid ${gid}); -Z needs to start as root`,
    );
  }
  return { uid, gid };
}
