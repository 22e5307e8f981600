/**
 * What the stateful analysis adds to one packet, beside its decoded layers: the text and both
 * JSON writers take it, so it lives in none of them.
 *
 * @module
 */

import type { TcpAnalysis } from "../analysis/tcp_analysis.ts";
import type { Reassembled } from "../analysis/reassembly.ts";

/** What the stateful analysis adds to a packet's line. */
export interface PacketExtras {
  /** TCP analysis (relative numbers, flags) for a TCP segment. */
  analysis?: TcpAnalysis;
  /** The datagram this fragment completed. */
  reassembled?: Reassembled;
  /**
   * For a `LINUX_SLL2` frame (`-i any`): the name this machine gives its interface index, or
   * `?` when it has none, as tcpdump prints it.
   */
  interfaceName?: string;
  /**
   * For an IKEv1 message: which side sent it, as tcpdump's memory of initiators tells
   * (`IKE_ROLE_*` of analysis/ike_initiators.ts); without it the line says `I` for an opening
   * message and `?` for the rest.
   */
  ikeRole?: number;
}
