/**
 * The payloads of an ISAKMP message as `tcpdump -v` lists them (print-isakmp.c in tcpdump
 * 4.99): one parenthesised item a line, nested four spaces a level (an IKEv1 SA holds its
 * proposals, a proposal its transforms, a transform its attributes), each in tcpdump's
 * words: `(sa: doi=ipsec situation=identity`, `(t: #1 id=ike (type=enc value=aes)…)`,
 * `(v2ke: len=128 group=modp1024)`, `(n: prot_id=#0 type=16388(nat_detection_source_ip))`.
 * `-vv` adds the nonces and authentication data, `-vvv` every payload's bytes in hex.
 *
 * tcpdump's quirks are kept where they show: data shown "in part" runs to the end of the
 * captured message, not of the payload (`ike_show_somedata`); an IKEv1 SA's situation other
 * than identity prints the DOI as its `ident`; the payload types of both versions share one
 * table, so an IKEv2 message naming an IKEv1 payload is printed as IKEv1's. A payload cut
 * short by the capture ends the list with `[|name]`; a field read past the capture ends the
 * whole line with `[|isakmp]`, as tcpdump's bounds-checked reads do.
 *
 * Every walk is bounded: each item consumes at least five bytes of the captured message
 * (items of four bytes or less stop the list, as in tcpdump), and nesting is at most three
 * levels (SA, proposal, transform).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isakmpPayloadsText } from "./isakmp_payloads.ts";
 * // An IKEv1 vendor ID payload of 4 bytes after the 28-byte header.
 * const bytes = new Uint8Array(36);
 * bytes.set([0, 0, 0, 8, 0xde, 0xad, 0xbe, 0xef], 28);
 * const view = new DataView(bytes.buffer);
 * const listed = isakmpPayloadsText(view, 0, 36, { version: 2, nextPayload: 13, phase: 1 }, 1);
 * assert.deepEqual(listed, { text: "\n    (vid: len=4)", cutShort: false });
 * ```
 * @module
 */

import { formatHex, formatIpv4, formatIpv6, ISAKMP_HEADER_LENGTH } from "../decode/mod.ts";
import { printableText } from "./printable.ts";

/** tcpdump's names of payload types (`npstr`), 0 to 48: IKEv1's, unnamed ones, IKEv2's. */
export const PAYLOAD_NAMES: readonly string[] = [
  ...["none", "sa", "p", "t", "ke", "id", "cert", "cr", "hash", "sig", "nonce", "n", "d", "vid"],
  ...Array.from({ length: 19 }, (_, i) => `pay${14 + i}`),
  ...["v2sa", "v2ke", "v2IDi", "v2IDr", "v2cert", "v2cr", "v2auth", "v2nonce", "v2n", "v2d"],
  ...["v2vid", "v2TSi", "v2TSr", "v2e", "v2cp", "v2eap"],
];

/** tcpdump's name of payload type `type`, or `#type`. */
export function payloadName(type: number): string {
  return PAYLOAD_NAMES[type] ?? `#${type}`;
}

/** Payload types (RFC 2408 section 3.1, RFC 7296 section 3.2). */
const SA = 1;
const PROPOSAL = 2;
const TRANSFORM = 3;
const V2_ENCRYPTED = 46;

/** A payload's generic header: next payload, critical bit and reserved, length. */
const GENERIC_HEADER = 4;
/** An item of at most this many bytes ends tcpdump's list (it could not advance). */
const SMALLEST_ITEM = GENERIC_HEADER;
/** The IPsec DOI (RFC 2407), whose names tcpdump prints. */
const IPSEC_DOI = 1;
/** How much of each end `ike_show_somedata` shows. */
const SOME_DATA_HEAD = 10;
const SOME_DATA_TAIL = 20;
/** IKEv2 notify data shown whole below this many bytes (cookies). */
const V2_NOTIFY_DATA_WHOLE = 30;
const INDENT = "    ";

/** A table's name for `value`, or tcpdump's `#value` (`STR_OR_ID`). */
function named(table: readonly (string | undefined)[], value: number): string {
  return table[value] ?? `#${value}`;
}

const PROTOCOL_IDS = [undefined, "isakmp", "ipsec-ah", "ipsec-esp", "ipcomp"];
const DH_GROUPS = [
  undefined,
  "modp768",
  "modp1024",
  "EC2N 2^155",
  "EC2N 2^185",
  "modp1536",
  ...["iana-grp06", "iana-grp07", "iana-grp08", "iana-grp09", "iana-grp10", "iana-grp11"],
  ...["iana-grp12", "iana-grp13", "modp2048", "modp3072", "modp4096", "modp6144", "modp8192"],
];
const ESP_TRANSFORMS = [
  undefined,
  ...["1des-iv64", "1des", "3des", "rc5", "idea", "cast", "blowfish", "3idea", "1des-iv32"],
  ...["rc4", "null", "aes"],
];
const AH_TRANSFORMS = [
  undefined,
  ...["(reserved)", "md5", "sha", "1des", "sha2-256", "sha2-384", "sha2-512"],
];
const IPCOMP_TRANSFORMS = [undefined, "oui", "deflate", "lzs"];
const IKE_TRANSFORMS = [undefined, "ike"];
const V2_TRANSFORM_TYPES = [undefined, "encr", "prf", "integ", "dh", "esn"];
const V2_PRF = [undefined, "hmac-md5", "hmac-sha", "hmac-tiger", "aes128_xcbc"];
const V2_INTEG = [undefined, "hmac-md5", "hmac-sha", "dec-mac", "kpdk-md5", "aes-xcbc"];
const V2_ESN = ["no-esn", "esn"];
const V2_AUTH_METHODS = ["invalid", "rsasig", "shared-secret", "dsssig"];
const CERT_ENCODINGS = [
  ...["none", "pkcs7", "pgp", "dns", "x509sign", "x509ke", "kerberos", "crl", "arl", "spki"],
  "x509attr",
];
const IPSEC_ID_TYPES = [
  undefined,
  ...["IPv4", "FQDN", "user FQDN", "IPv4net", "IPv6", "IPv6net", "IPv4range", "IPv6range"],
  ...["ASN1 DN", "ASN1 GN", "keyid"],
];
const V1_NOTIFY_ERRORS = [
  undefined,
  ...["INVALID-PAYLOAD-TYPE", "DOI-NOT-SUPPORTED", "SITUATION-NOT-SUPPORTED", "INVALID-COOKIE"],
  ...["INVALID-MAJOR-VERSION", "INVALID-MINOR-VERSION", "INVALID-EXCHANGE-TYPE"],
  ...["INVALID-FLAGS", "INVALID-MESSAGE-ID", "INVALID-PROTOCOL-ID", "INVALID-SPI"],
  ...["INVALID-TRANSFORM-ID", "ATTRIBUTES-NOT-SUPPORTED", "NO-PROPOSAL-CHOSEN"],
  ...["BAD-PROPOSAL-SYNTAX", "PAYLOAD-MALFORMED", "INVALID-KEY-INFORMATION"],
  ...["INVALID-ID-INFORMATION", "INVALID-CERT-ENCODING", "INVALID-CERTIFICATE"],
  ...["CERT-TYPE-UNSUPPORTED", "INVALID-CERT-AUTHORITY", "INVALID-HASH-INFORMATION"],
  ...["AUTHENTICATION-FAILED", "INVALID-SIGNATURE", "ADDRESS-NOTIFICATION", "NOTIFY-SA-LIFETIME"],
  ...["CERTIFICATE-UNAVAILABLE", "UNSUPPORTED-EXCHANGE-TYPE", "UNEQUAL-PAYLOAD-LENGTHS"],
];
/** IKEv1 notify types in four ranges of 8192, each with its table (RFC 2408, RFC 2407). */
const V1_NOTIFY_RANGE = 8192;
const V1_NOTIFY_RESPONDER_LIFETIME = 24576;
const V1_NOTIFY_REPLAY_STATUS = 24577;

/** IKEv2 notify types tcpdump names (RFC 4306 section 3.10.1), and whether it shows the SPI. */
const V2_NOTIFY: ReadonlyMap<number, readonly [string, boolean]> = new Map([
  [1, ["unsupported_critical_payload", false]],
  [4, ["invalid_ike_spi", true]],
  [5, ["invalid_major_version", false]],
  [7, ["invalid_syntax", true]],
  [9, ["invalid_message_id", true]],
  [11, ["invalid_spi", true]],
  [14, ["no_protocol_chosen", true]],
  [17, ["invalid_ke_payload", true]],
  [24, ["authentication_failed", true]],
  [34, ["single_pair_required", true]],
  [35, ["no_additional_sas", false]],
  [36, ["internal_address_failure", false]],
  [37, ["failed:cp_required", false]],
  [39, ["invalid_selectors", false]],
  [16384, ["initial_contact", false]],
  [16385, ["set_window_size", false]],
  [16386, ["additional_ts_possible", false]],
  [16387, ["ipcomp_supported", false]],
  [16388, ["nat_detection_source_ip", true]],
  [16389, ["nat_detection_destination_ip", true]],
  [16390, ["cookie", true]],
  [16391, ["use_transport_mode", false]],
  [16392, ["http_cert_lookup_supported", false]],
  [16393, ["rekey_sa", true]],
  [16394, ["tfc_padding_not_supported", false]],
  [16395, ["non_first_fragment_also", false]],
]);
const V2_NOTIFY_COOKIE = 16390;

/** A data attribute map: each attribute type's name and its values' names. */
type AttributeMap = readonly (readonly [string, readonly (string | undefined)[]] | undefined)[];

const LIFE_TYPES = [undefined, "sec", "kb"];
const OAKLEY_ATTRIBUTES: AttributeMap = [
  undefined,
  ["enc", [undefined, "1des", "idea", "blowfish", "rc5", "3des", "cast", "aes"]],
  ["hash", [undefined, "md5", "sha1", "tiger", "sha2-256", "sha2-384", "sha2-512"]],
  ["auth", [undefined, "preshared", "dss", "rsa sig", "rsa enc", "rsa enc revised"]],
  ["group desc", DH_GROUPS],
  ["group type", [undefined, "MODP", "ECP", "EC2N"]],
  ["group prime", []],
  ["group gen1", []],
  ["group gen2", []],
  ["group curve A", []],
  ["group curve B", []],
  ["lifetype", LIFE_TYPES],
  ["lifeduration", []],
  ["prf", []],
  ["keylen", []],
  ["field", []],
  ["order", []],
];
const IPSEC_ATTRIBUTES: AttributeMap = [
  undefined,
  ["lifetype", LIFE_TYPES],
  ["life", []],
  ["group desc", DH_GROUPS],
  ["enc mode", [undefined, "tunnel", "transport"]],
  ["auth", [undefined, "hmac-md5", "hmac-sha1", "1des-mac", "keyed"]],
  ["keylen", []],
  ["rounds", []],
  ["dictsize", []],
  ["privalg", []],
];
const V2_ENCR_ATTRIBUTES: AttributeMap = [...Array(14).fill(undefined), ["keylen", []]];

/** Thrown where tcpdump's checked reads leave the packet (`[|isakmp]`). */
class PastCapture extends Error {}
const PAST_CAPTURE = new PastCapture("read past the captured message");

/** What the message's header says that the payload printers need. */
export interface IsakmpPayloadContext {
  /** 1 or 2: which printer walks the top level (IKEv2's knows its encrypted payload). */
  version: number;
  /** The header's next payload: the first payload's type. */
  nextPayload: number;
  /** 1 when the message ID is zero, else 2 (IKEv1's phase). */
  phase: number;
}

/** The listing, and whether a read past the capture cut it (tcpdump then ends the line). */
export interface IsakmpPayloadListing {
  text: string;
  cutShort: boolean;
}

/**
 * The payload list `tcpdump -v` prints after an ISAKMP header at `offset` of `view`, whose
 * captured bytes end at `end`. `verbosity` is the count of `-v`.
 */
export function isakmpPayloadsText(
  view: DataView,
  offset: number,
  end: number,
  context: IsakmpPayloadContext,
  verbosity: number,
): IsakmpPayloadListing {
  const printer = new PayloadPrinter(view, end, verbosity, context.phase);
  const first = offset + ISAKMP_HEADER_LENGTH;
  try {
    printer.list(context.version === 2, context.nextPayload, first, 0);
    return { text: printer.text, cutShort: false };
  } catch (error) {
    if (error !== PAST_CAPTURE) throw error;
    return { text: printer.text + " [|isakmp]", cutShort: true };
  }
}

/** One message's walk: its bytes, the capture's end and the text so far. */
class PayloadPrinter {
  text = "";
  readonly #view: DataView;
  readonly #end: number;
  readonly #verbosity: number;
  readonly #phase: number;

  constructor(view: DataView, end: number, verbosity: number, phase: number) {
    this.#view = view;
    this.#end = end;
    this.#verbosity = verbosity;
    this.#phase = phase;
  }

  #u8(at: number): number {
    if (at + 1 > this.#end) throw PAST_CAPTURE;
    return this.#view.getUint8(at);
  }

  #u16(at: number): number {
    if (at + 2 > this.#end) throw PAST_CAPTURE;
    return this.#view.getUint16(at);
  }

  #u32(at: number): number {
    if (at + 4 > this.#end) throw PAST_CAPTURE;
    return this.#view.getUint32(at);
  }

  /** Whether `length` bytes from `at` were captured (tcpdump's `ND_TCHECK_LEN`). */
  #captured(at: number, length: number): boolean {
    return length >= 0 && at + length <= this.#end;
  }

  /** Appends `length` bytes from `at` in hex; false (nothing written) when not captured. */
  #hex(at: number, length: number): boolean {
    if (!this.#captured(at, length)) return false;
    this.text += formatHex(this.#view, at, length);
    return true;
  }

  /** tcpdump's `ike_show_somedata`: the first bytes from `at` and the capture's last ones. */
  #someData(at: number): void {
    const end = this.#end;
    let tailStart = end - SOME_DATA_TAIL;
    let tailLength = SOME_DATA_TAIL;
    const headLength = Math.min(end - at, SOME_DATA_HEAD);
    if (tailStart < at + headLength) {
      tailStart = at + headLength;
      tailLength = end - tailStart;
    }
    this.text += " data=(";
    this.#hex(at, headLength);
    this.text += "...";
    if (tailLength > 0) this.#hex(tailStart, tailLength);
    this.text += ")";
  }

  /** Captured bytes as text, printable ASCII as it is and any other byte as `.`. */
  #dotted(at: number, length: number): void {
    for (let i = 0; i < length; i++) {
      const byte = this.#view.getUint8(at + i);
      this.text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".";
    }
  }

  /** ` [|name]`, and the null that ends the list. */
  #cut(type: number): null {
    this.text += ` [|${payloadName(type)}]`;
    return null;
  }

  /**
   * Lists the chain of payloads from `at`, the first of type `type`: each on a new line at
   * `depth + 1` levels of indent. Returns where the chain ended, or null when it was cut.
   */
  list(v2: boolean, type: number, at: number, depth: number): number | null {
    while (type !== 0) {
      if (!this.#captured(at, GENERIC_HEADER)) return this.#cut(type);
      const length = this.#u16(at + 2);
      if (!this.#captured(at, length)) return this.#cut(type);
      this.text += `\n${INDENT.repeat(depth + 1)}(`;
      const next = this.#item(v2, type, at, length, depth + 1);
      this.text += ")";
      if (next === null) return null;
      type = this.#u8(at);
      at = next;
    }
    return at;
  }

  /** One payload of `length` bytes at `at` (tcpdump's `ike_sub0_print`). */
  #item(v2: boolean, type: number, at: number, length: number, depth: number): number | null {
    if (length <= SMALLEST_ITEM) return null;
    if (v2 && type === V2_ENCRYPTED) return this.#v2Encrypted(at, length);
    switch (type) {
      case SA:
        return this.#v1Sa(at, depth);
      case PROPOSAL:
        return this.#v1Proposal(at, depth);
      case TRANSFORM:
        return this.#v1Transform(at, length);
      case 4:
        return this.#v1Bytes(type, " key len=", at, length);
      case 5:
        return this.#v1Identification(at, length);
      case 6:
      case 7:
        return this.#v1Certificate(type, at, length);
      case 8:
      case 9:
      case 13:
        return this.#v1Bytes(type, " len=", at, length);
      case 10:
        return this.#v1Nonce(at, length);
      case 11:
        return this.#v1Notify(at, length);
      case 12:
        return this.#v1Delete(at);
      case 33:
        return this.#v2Sa(at, depth);
      case 34:
        return this.#v2KeyExchange(at, length);
      case 35:
      case 36:
        return this.#v2Identification(type, at, length);
      case 39:
        return this.#v2Authentication(at, length);
      case 40:
        return this.#v2Nonce(at, length);
      case 41:
        return this.#v2Notify(at, length);
      case 43:
        return this.#v2VendorId(at, length);
      case 37:
      case 38:
      case 42:
      case 44:
      case 45:
      case 47:
      case 48:
        return this.#v2Generic(type, at, length);
      default:
        this.text += payloadName(type);
        return at + length;
    }
  }

  /** `-vvv`: a space and the payload's bytes after its generic header. */
  #allBytes(type: number, at: number, length: number): number | null {
    if (this.#verbosity > 2 && length > GENERIC_HEADER) {
      this.text += " ";
      if (!this.#hex(at + GENERIC_HEADER, length - GENERIC_HEADER)) return this.#cut(type);
    }
    return at + length;
  }

  #v1Sa(at: number, depth: number): number | null {
    this.text += "sa:";
    if (!this.#captured(at, 12)) return this.#cut(SA);
    const doi = this.#u32(at + 4);
    const situation = this.#u32(at + 8);
    if (doi !== IPSEC_DOI) {
      this.text += ` doi=${doi} situation=${situation}`;
      return at + 12;
    }
    const words = [];
    if (situation & 0x01) words.push("identity");
    if (situation & 0x02) words.push("secrecy");
    if (situation & 0x04) words.push("integrity");
    this.text += ` doi=ipsec situation=${words.join("+")}`;
    let first = at + 12;
    if (situation !== 0x01) {
      // tcpdump reads its "ident" four bytes into the payload: the DOI again.
      this.text += ` ident=${this.#u32(at + 4)}`;
      first += 4;
    }
    if (!this.#captured(first, GENERIC_HEADER)) return this.#cut(SA);
    return this.list(false, PROPOSAL, first, depth);
  }

  #v1Proposal(at: number, depth: number): number | null {
    this.text += "p:";
    if (!this.#captured(at, 8)) return this.#cut(PROPOSAL);
    const protocol = this.#u8(at + 5);
    this.text += ` #${this.#u8(at + 4)} protoid=${named(PROTOCOL_IDS, protocol)} transform=${
      this.#u8(at + 7)
    }`;
    const spiSize = this.#u8(at + 6);
    if (spiSize !== 0) {
      this.text += " spi=";
      if (!this.#hex(at + 8, spiSize)) return this.#cut(PROPOSAL);
    }
    const first = at + 8 + spiSize;
    if (!this.#captured(first, GENERIC_HEADER)) return this.#cut(PROPOSAL);
    this.#protocol = protocol;
    return this.list(false, TRANSFORM, first, depth);
  }

  /** The protocol of the proposal being listed: it picks the transforms' names. */
  #protocol = 0;

  #v1Transform(at: number, length: number): number | null {
    this.text += "t:";
    if (!this.#captured(at, 8)) return this.#cut(TRANSFORM);
    const id = this.#u8(at + 5);
    let idName: string | undefined;
    let map: AttributeMap | undefined;
    switch (this.#protocol) {
      case 1:
        [idName, map] = [named(IKE_TRANSFORMS, id), OAKLEY_ATTRIBUTES];
        break;
      case 2:
        [idName, map] = [named(AH_TRANSFORMS, id), IPSEC_ATTRIBUTES];
        break;
      case 3:
        [idName, map] = [named(ESP_TRANSFORMS, id), IPSEC_ATTRIBUTES];
        break;
      case 4:
        [idName, map] = [named(IPCOMP_TRANSFORMS, id), IPSEC_ATTRIBUTES];
        break;
    }
    this.text += ` #${this.#u8(at + 4)} id=${idName ?? id} `;
    return this.#attributes(TRANSFORM, at + 8, at + length, map);
  }

  /** A transform's attributes up to `itemEnd`, then `...` when the capture ended first. */
  #attributes(
    type: number,
    at: number,
    itemEnd: number,
    map: AttributeMap | undefined,
  ): number | null {
    while (at < this.#end && at < itemEnd) {
      const next = this.#attribute(at, itemEnd, map);
      if (next === null) return this.#cut(type);
      at = next;
    }
    if (this.#end < itemEnd) this.text += "...";
    return at;
  }

  /** One data attribute (RFC 2408 section 3.3), named from `map` when it has names. */
  #attribute(at: number, itemEnd: number, map: AttributeMap | undefined): number | null {
    const basic = (this.#u8(at) & 0x80) !== 0;
    const total = basic ? 4 : 4 + this.#u16(at + 2);
    if (itemEnd < at + total) {
      this.text += "[|attr]";
      return itemEnd + 1;
    }
    const type = this.#u16(at) & 0x7fff;
    const entry = map?.[type];
    this.text += entry !== undefined ? `(type=${entry[0]} ` : `(type=#${type} `;
    if (basic) {
      this.text += "value=";
      if (map !== undefined) {
        const value = this.#u16(at + 2);
        const name = entry?.[1][value];
        if (name !== undefined) {
          this.text += `${name})`;
          return at + total;
        }
      } else this.#u8(at + 2);
      if (!this.#hex(at + 2, 2)) {
        this.text += ")";
        return null;
      }
    } else {
      this.text += `len=${total - 4} value=`;
      if (!this.#hex(at + 4, total - 4)) {
        this.text += ")";
        return null;
      }
    }
    this.text += ")";
    return at + total;
  }

  /** A payload shown by its length (`label` then the length), its bytes with `-vvv`. */
  #v1Bytes(type: number, label: string, at: number, length: number): number | null {
    this.text += `${payloadName(type)}:${label}${length - GENERIC_HEADER}`;
    return this.#allBytes(type, at, length);
  }

  #v1Certificate(type: number, at: number, length: number): number | null {
    this.text += `${payloadName(type)}:`;
    if (!this.#captured(at, 6)) return this.#cut(type);
    this.text += ` len=${length - GENERIC_HEADER} type=${named(CERT_ENCODINGS, this.#u8(at + 4))}`;
    return this.#allBytes(type, at, length);
  }

  #v1Nonce(at: number, length: number): number | null {
    this.text += `nonce: n len=${length - GENERIC_HEADER}`;
    if (this.#verbosity > 2) return this.#allBytes(10, at, length);
    if (this.#verbosity > 1) {
      this.text += " ";
      this.#someData(at + GENERIC_HEADER);
    }
    return at + length;
  }

  #v1Identification(at: number, length: number): number | null {
    const type = 5;
    this.text += "id:";
    if (!this.#captured(at, 8)) return this.#cut(type);
    let dataLength = length > 8 ? length - 8 : 0;
    const data = at + 8;
    const idType = this.#u8(at + 4);
    this.text += ` idtype=${named(IPSEC_ID_TYPES, idType)} protoid=${this.#u8(at + 5)} port=${
      this.#u16(at + 6)
    }`;
    if (dataLength > 0) {
      if (!this.#captured(data, dataLength)) return this.#cut(type);
      const view = this.#view;
      const shown = (need: number, text: () => string) => {
        this.text += dataLength < need
          ? ` len=${dataLength} [bad: < ${need}]`
          : ` len=${dataLength} ${text()}`;
        dataLength = 0;
      };
      switch (idType) {
        case 1:
          shown(4, () => formatIpv4(view, data));
          break;
        case 2:
        case 3:
          this.text += ` len=${dataLength} ${printableText(view, data, data + dataLength)}`;
          dataLength = 0;
          break;
        case 4:
          shown(8, () => `${formatIpv4(view, data)}/${formatIpv4(view, data + 4)}`);
          break;
        case 5:
          shown(16, () => formatIpv6(view, data));
          break;
        case 6:
          shown(32, () => `${formatIpv6(view, data)}/0x${formatHex(view, data + 16, 16)}`);
          break;
        case 7:
          shown(8, () => `${formatIpv4(view, data)}-${formatIpv4(view, data + 4)}`);
          break;
        case 8:
          shown(32, () => `${formatIpv6(view, data)}-${formatIpv6(view, data + 16)}`);
          break;
      }
      if (dataLength > 0) {
        this.text += ` len=${dataLength}`;
        if (this.#verbosity > 2) {
          this.text += " ";
          if (!this.#hex(data, dataLength)) return this.#cut(type);
        }
      }
    }
    return at + length;
  }

  #v1Notify(at: number, length: number): number | null {
    const type = 11;
    this.text += "n:";
    if (!this.#captured(at, 12)) return this.#cut(type);
    const doi = this.#u32(at + 4);
    const protocol = this.#u8(at + 8);
    const notifyType = this.#u16(at + 10);
    const spiSize = this.#u8(at + 9);
    const range = Math.floor(notifyType / V1_NOTIFY_RANGE);
    const offset = notifyType % V1_NOTIFY_RANGE;
    if (doi !== IPSEC_DOI) {
      const name = range === 0
        ? named(V1_NOTIFY_ERRORS, notifyType)
        : range === 2
        ? named(["CONNECTED"], offset)
        : `#${notifyType}`;
      this.text += ` doi=${doi} proto=${protocol} type=${name}`;
      if (spiSize !== 0) {
        this.text += " spi=";
        if (!this.#hex(at + 12, spiSize)) return this.#cut(type);
      }
      return at + 12 + spiSize;
    }
    const tables = [
      V1_NOTIFY_ERRORS,
      ["RESERVED"],
      ["CONNECTED"],
      ["RESPONDER-LIFETIME", "REPLAY-STATUS", "INITIAL-CONTACT"],
    ];
    const name = range < 4
      ? named(tables[range], range === 0 ? notifyType : offset)
      : `#${notifyType}`;
    this.text += ` doi=ipsec proto=${named(PROTOCOL_IDS, protocol)} type=${name}`;
    if (spiSize !== 0) {
      this.text += " spi=";
      if (!this.#hex(at + 12, spiSize)) return this.#cut(type);
    }
    const data = at + 12 + spiSize;
    if (data < this.#end) {
      if (notifyType === V1_NOTIFY_RESPONDER_LIFETIME) {
        this.text += " attrs=(";
        let cursor = data;
        const itemEnd = at + length;
        while (cursor < this.#end && cursor < itemEnd) {
          const next = this.#attribute(cursor, itemEnd, OAKLEY_ATTRIBUTES);
          if (next === null) {
            this.text += ")";
            return this.#cut(type);
          }
          cursor = next;
        }
        this.text += ")";
      } else if (notifyType === V1_NOTIFY_REPLAY_STATUS) {
        this.text += " status=("; // written before the read, as tcpdump does
        this.text += `replay detection ${this.#u32(data) ? "en" : "dis"}abled)`;
      } else if (this.#verbosity > 3) {
        this.text += " data=(";
        this.#hex(data, this.#end - data);
        this.text += ")";
      } else this.#someData(data);
    }
    return at + length;
  }

  #v1Delete(at: number): number | null {
    const type = 12;
    this.text += "d:";
    if (!this.#captured(at, 12)) return this.#cut(type);
    const doi = this.#u32(at + 4);
    const protocol = this.#u8(at + 8);
    this.text += doi !== IPSEC_DOI
      ? ` doi=${doi} proto=${protocol}`
      : ` doi=ipsec proto=${named(PROTOCOL_IDS, protocol)}`;
    const spiSize = this.#u8(at + 9);
    const count = this.#u16(at + 10);
    this.text += ` spilen=${spiSize} nspi=${count} spi=`;
    let spi = at + 12;
    for (let i = 0; i < count; i++) {
      if (i !== 0) this.text += ",";
      if (!this.#hex(spi, spiSize)) return this.#cut(type);
      spi += spiSize;
    }
    return spi;
  }

  /** IKEv2's payload name with `[C]` when the critical bit is set. */
  #v2Name(name: string, at: number): void {
    this.text += `${name}${this.#u8(at + 1) & 0x80 ? "[C]" : ""}:`;
  }

  #v2Generic(type: number, at: number, length: number): number | null {
    this.#v2Name(payloadName(type), at);
    this.text += ` len=${length - GENERIC_HEADER}`;
    return this.#allBytes(type, at, length);
  }

  #v2Sa(at: number, depth: number): number | null {
    this.#v2Name("sa", at);
    const left = this.#u16(at + 2) - GENERIC_HEADER;
    this.text += ` len=${left}`;
    return this.#v2Contained(
      33,
      PROPOSAL,
      at + GENERIC_HEADER,
      left,
      depth,
      (item, length) => this.#v2Proposal(item, length, depth + 1),
    );
  }

  /**
   * The substructures of an IKEv2 SA or proposal (`container`), `left` bytes of it from `at`:
   * each held to the container's length and to the capture, on a line of its own, those of
   * type `type` printed by `print` (given their count from 1), any other by its name.
   */
  #v2Contained(
    container: number,
    type: number,
    at: number,
    left: number,
    depth: number,
    print: (item: number, length: number, count: number) => number | null,
  ): number | null {
    let cursor = at;
    let count = 0;
    for (let next = type; next !== 0;) {
      count++;
      const item = cursor;
      if (left < GENERIC_HEADER) return this.#tooLong(container, cursor + left);
      if (!this.#captured(item, GENERIC_HEADER)) return this.#cut(container);
      const length = this.#u16(item + 2);
      if (length <= SMALLEST_ITEM) return this.#cut(container);
      if (left < length) return this.#tooLong(container, cursor + left);
      if (!this.#captured(item, length)) return this.#cut(container);
      this.text += `\n${INDENT.repeat(depth + 1)}(`;
      if (next === type) {
        const end = print(item, length, count);
        if (end === null) return null;
        cursor = end;
      } else {
        this.text += payloadName(next);
        cursor += length;
      }
      this.text += ")";
      left -= length;
      next = this.#u8(item);
    }
    return cursor;
  }

  /** ` [|name]` for a list running past its container; the walk goes on after it. */
  #tooLong(type: number, resume: number): number {
    this.text += ` [|${payloadName(type)}]`;
    return resume;
  }

  #v2Proposal(at: number, length: number, depth: number): number | null {
    if (!this.#captured(at, 8)) return this.#cut(PROPOSAL);
    this.#v2Name("p", at);
    let left = length - GENERIC_HEADER;
    this.text += ` #${this.#u8(at + 4)} protoid=${
      named(PROTOCOL_IDS, this.#u8(at + 5))
    } transform=${this.#u8(at + 7)} len=${length}`;
    let cursor = at + 8;
    const spiSize = this.#u8(at + 6);
    if (spiSize !== 0) {
      if (left < spiSize) return this.#tooLong(PROPOSAL, cursor + left);
      this.text += " spi=";
      if (!this.#hex(cursor, spiSize)) return this.#cut(PROPOSAL);
      cursor += spiSize;
      left -= spiSize;
    }
    return this.#v2Contained(
      PROPOSAL,
      TRANSFORM,
      cursor,
      left,
      depth,
      (item, itemLength, count) => this.#v2Transform(count, item, itemLength),
    );
  }

  #v2Transform(count: number, at: number, length: number): number | null {
    if (!this.#captured(at, 8)) return this.#cut(TRANSFORM);
    this.#v2Name("t", at);
    const id = this.#u16(at + 6);
    const kind = this.#u8(at + 4);
    const tables = [undefined, ESP_TRANSFORMS, V2_PRF, V2_INTEG, DH_GROUPS, V2_ESN];
    const table = tables[kind];
    const idText = table === undefined ? `${id}` : named(table, id);
    this.text += ` #${count} type=${named(V2_TRANSFORM_TYPES, kind)} id=${idText} `;
    return this.#attributes(
      TRANSFORM,
      at + 8,
      at + length,
      kind === 1 ? V2_ENCR_ATTRIBUTES : undefined,
    );
  }

  #v2KeyExchange(at: number, length: number): number | null {
    const type = 34;
    if (!this.#captured(at, 8)) return this.#cut(type);
    this.#v2Name(payloadName(type), at);
    if (length < 8) {
      this.text += ` len=${length} < 8`;
      return at + length;
    }
    this.text += ` len=${length - 8} group=${named(DH_GROUPS, this.#u16(at + 4))}`;
    if (this.#verbosity > 2 && length > 8) {
      this.text += " ";
      if (!this.#hex(at + 8, length - 8)) return this.#cut(type);
    }
    return at + length;
  }

  #v2Identification(type: number, at: number, length: number): number | null {
    if (!this.#captured(at, 8)) return this.#cut(type);
    this.#v2Name(payloadName(type), at);
    this.text += ` len=${length - GENERIC_HEADER}`;
    const end = this.#allBytes(type, at, length);
    if (end === null) return null;
    const dataLength = length - 8;
    const data = at + 8;
    const kind = this.#u8(at + 4);
    const words: Record<number, [string, boolean]> = {
      1: [" ipv4:", false],
      2: [" fqdn:", true],
      3: [" rfc822:", true],
      5: [" ipv6:", false],
      9: [" dn:", false],
      10: [" gn:", false],
      11: [" keyid:", false],
    };
    const word = words[kind];
    if (word !== undefined) {
      this.text += word[0];
      if (!this.#captured(data, dataLength)) return this.#cut(type);
      if (word[1]) this.#dotted(data, dataLength);
      else this.#hex(data, dataLength);
    }
    return at + length;
  }

  #v2Authentication(at: number, length: number): number | null {
    const type = 39;
    if (!this.#captured(at, 8)) return this.#cut(type);
    this.#v2Name(payloadName(type), at);
    this.text += ` len=${length - GENERIC_HEADER} method=${
      named(V2_AUTH_METHODS, this.#u8(at + 4))
    }`;
    if (this.#verbosity > 1) {
      this.text += " authdata=(";
      if (!this.#hex(at + 8, length - 8)) return this.#cut(type);
      this.text += ") ";
    } else this.#someData(at + 8);
    return at + length;
  }

  #v2Nonce(at: number, length: number): number | null {
    const type = 40;
    this.#v2Name("nonce", at);
    this.text += ` len=${length - GENERIC_HEADER}`;
    if (this.#verbosity > 1) {
      this.text += " nonce=(";
      if (!this.#hex(at + GENERIC_HEADER, length - GENERIC_HEADER)) return this.#cut(type);
      this.text += ") ";
    } else this.#someData(at + GENERIC_HEADER);
    return at + length;
  }

  #v2Notify(at: number, length: number): number | null {
    const type = 11;
    if (!this.#captured(at, 8)) return this.#cut(type);
    this.#v2Name("n", at);
    this.text += ` prot_id=${named(PROTOCOL_IDS, this.#u8(at + 4))}`;
    const notifyType = this.#u16(at + 6);
    const known = V2_NOTIFY.get(notifyType);
    const name = known?.[0] ??
      (notifyType < 8192
        ? "error"
        : notifyType < 16384
        ? "private-error"
        : notifyType < 40960
        ? "status"
        : "private-status");
    this.text += ` type=${notifyType}(${name})`;
    const spiSize = this.#u8(at + 5);
    if ((known?.[1] ?? true) && spiSize !== 0) {
      this.text += " spi=";
      if (!this.#hex(at + 8, spiSize)) return this.#cut(type);
    }
    const data = at + 8 + spiSize;
    const someData = notifyType === V2_NOTIFY_COOKIE;
    if (data < this.#end) {
      if (this.#verbosity > 3 || (someData && this.#end - data < V2_NOTIFY_DATA_WHOLE)) {
        this.text += " data=(";
        if (!this.#hex(data, this.#end - data)) return this.#cut(type);
        this.text += ")";
      } else if (someData) this.#someData(data);
    }
    return at + length;
  }

  #v2VendorId(at: number, length: number): number | null {
    const type = 43;
    this.#v2Name(payloadName(type), at);
    const dataLength = length - GENERIC_HEADER;
    this.text += ` len=${dataLength} vid=`;
    if (!this.#captured(at + GENERIC_HEADER, dataLength)) return this.#cut(type);
    this.#dotted(at + GENERIC_HEADER, dataLength);
    return this.#allBytes(type, at, length);
  }

  /** IKEv2's encrypted payload: its length (bytes with `-vvv`); nothing follows it. */
  #v2Encrypted(at: number, length: number): null {
    this.#v2Name(payloadName(V2_ENCRYPTED), at);
    const dataLength = length - GENERIC_HEADER;
    this.text += ` len=${dataLength}`;
    if (this.#verbosity > 2 && dataLength > 4) {
      this.text += " ";
      if (!this.#hex(at + GENERIC_HEADER, dataLength)) return this.#cut(V2_ENCRYPTED);
    }
    if (!this.#captured(at + GENERIC_HEADER, dataLength)) return this.#cut(V2_ENCRYPTED);
    return null;
  }
}
