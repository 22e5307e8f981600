/**
 * Application payloads of real traffic for the bench capture: the DNS, HTTP, TLS, QUIC, NTP,
 * syslog and DHCP messages that real clients and servers sent in the protocol tests
 * (tests/fixtures/protocols/*.pcap), taken out of their frames so that the bench can put them
 * into its own conversations, as real traffic carries them.
 * @module
 */

import { Decoder, type Packet } from "../src/decode/mod.ts";
import { parsePcap } from "../tests/pcap_file.ts";

const PROTOCOLS = new URL("../tests/fixtures/protocols/", import.meta.url);

/** Payloads by kind; each a UDP or TCP payload as it was on the wire. */
export interface AppTemplates {
  dnsQueries: Uint8Array[];
  dnsResponses: Uint8Array[];
  httpRequests: Uint8Array[];
  httpResponses: Uint8Array[];
  tlsHellos: Uint8Array[];
  quicInitials: Uint8Array[];
  /** A server's first flight (from port 443): its Initial and Handshake packets. */
  quicServer: Uint8Array[];
  quicHandshakes: Uint8Array[];
  ntp: Uint8Array[];
  syslog: Uint8Array[];
  dhcp: Uint8Array[];
}

/** The payload after the transport header of a decoded packet. */
function payloadOf(packet: Packet, frame: Uint8Array): Uint8Array {
  return frame.slice(packet.payloadOffset);
}

/** Reads the protocol fixtures and sorts their payloads by kind. */
export function loadAppTemplates(): AppTemplates {
  const templates: AppTemplates = {
    dnsQueries: [],
    dnsResponses: [],
    httpRequests: [],
    httpResponses: [],
    tlsHellos: [],
    quicInitials: [],
    quicServer: [],
    quicHandshakes: [],
    ntp: [],
    syslog: [],
    dhcp: [],
  };
  const decoder = new Decoder();
  for (const name of ["dns", "http", "tls", "quic", "ntp-syslog", "dhcp"]) {
    const capture = parsePcap(Deno.readFileSync(new URL(`${name}.pcap`, PROTOCOLS)));
    for (const { frame } of capture.records) {
      const packet = decoder.decode(frame, capture.linkType);
      if (packet.udp === undefined && packet.tcp === undefined) continue;
      const payload = payloadOf(packet, frame);
      if (payload.length === 0) continue;
      if (packet.dns !== undefined && packet.udp !== undefined) {
        (packet.dns.isResponse ? templates.dnsResponses : templates.dnsQueries).push(payload);
      } else if (packet.http !== undefined) {
        (packet.http.isRequest ? templates.httpRequests : templates.httpResponses).push(payload);
      } else if (packet.tls?.clientHello || packet.tls?.serverHello) {
        templates.tlsHellos.push(payload);
      } else if (packet.quic !== undefined) {
        const first = packet.quic.packets[0];
        if (packet.udp?.srcPort === 443 && first?.type === "Initial") {
          templates.quicServer.push(payload);
        } else if (first?.type === "Initial") templates.quicInitials.push(payload);
        else if (first?.header === "long") templates.quicHandshakes.push(payload);
      } else if (packet.ntp !== undefined) templates.ntp.push(payload);
      else if (packet.syslog !== undefined) templates.syslog.push(payload);
      else if (packet.dhcp !== undefined) templates.dhcp.push(payload);
    }
  }
  for (const [kind, list] of Object.entries(templates)) {
    if (list.length === 0) throw new Error(`no ${kind} in tests/fixtures/protocols`);
  }
  return templates;
}
