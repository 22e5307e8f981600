/**
 * Constants of the two capture file formats: classic pcap (tcpdump.org/manpages/pcap-savefile.5
 * and draft-ietf-opsawg-pcap) and pcapng (draft-ietf-opsawg-pcapng).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PCAP_MAGIC_MICRO, PCAPNG_SHB } from "./format.ts";
 * assert.deepEqual([PCAP_MAGIC_MICRO.toString(16), PCAPNG_SHB.toString(16)], ["a1b2c3d4", "a0d0d0a"]);
 * ```
 * @module
 */

/** Classic pcap, microsecond time stamps. */
export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
/** Classic pcap, nanosecond time stamps. */
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
/** Kuznetzov's modified pcap (24-byte record headers). */
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
/** The classic pcap file header: 24 bytes. */
export const PCAP_FILE_HEADER_LENGTH = 24;
/** A classic pcap record header: 16 bytes. */
export const PCAP_RECORD_HEADER_LENGTH = 16;
/** The link type field's low 26 bits (the rest tell about an FCS). */
export const PCAP_LINKTYPE_MASK = 0x03ffffff;

/** Section Header Block (also the pcapng file magic). */
export const PCAPNG_SHB = 0x0a0d0d0a;
/** Interface Description Block. */
export const PCAPNG_IDB = 0x00000001;
/** Packet Block (obsolete, still read). */
export const PCAPNG_OPB = 0x00000002;
/** Simple Packet Block. */
export const PCAPNG_SPB = 0x00000003;
/** Enhanced Packet Block. */
export const PCAPNG_EPB = 0x00000006;
/** The byte-order magic inside a Section Header Block. */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Option codes shared by all blocks. */
export const OPT_ENDOFOPT = 0;
/** A UTF-8 comment. */
export const OPT_COMMENT = 1;
/** Interface name (IDB). */
export const IF_NAME = 2;
/** Time stamp resolution (IDB): 10^-n, or 2^-n with the high bit set. */
export const IF_TSRESOL = 9;
/** Seconds added to every time stamp of the interface (IDB). */
export const IF_TSOFFSET = 14;
/** The application that wrote the section (SHB). */
export const SHB_USERAPPL = 4;

/**
 * The largest packet record netpeek believes: libpcap's own limit (`MAXIMUM_SNAPLEN`). A file
 * that claims more is damaged, and nothing is allocated for it.
 */
export const MAX_RECORD_LENGTH = 256 * 1024;
/** The largest pcapng block that is parsed in memory (a packet plus generous options). */
export const MAX_PARSED_BLOCK_LENGTH = MAX_RECORD_LENGTH + 64 * 1024;
