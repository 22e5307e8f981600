/**
 * TLS's output. tcpdump prints nothing of TLS; netpeek adds a short hint after tcpdump's line
 * for the records worth a glance: `: TLS ClientHello sni www.example.test alpn h2,http/1.1`,
 * `: TLS ServerHello TLS1.3 TLS_AES_256_GCM_SHA384`, `: TLS Alert fatal handshake_failure`.
 * Application data and encrypted handshakes get none, to keep lines as tcpdump's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TlsRecords } from "../decode/mod.ts";
 * import { ByteWriter } from "./bytes.ts";
 * import { writeTlsHint } from "./tls.ts";
 * const bytes = new Uint8Array([21, 3, 3, 0, 2, 2, 40]);
 * const out = new ByteWriter();
 * writeTlsHint(out, new TlsRecords().bind(new DataView(bytes.buffer), 0, bytes.length));
 * assert.equal(out.toString(), ": TLS Alert fatal handshake_failure");
 * ```
 * @module
 */

import {
  tlsAlertName,
  tlsCipherSuiteName,
  type TlsClientHello,
  type TlsRecords,
  tlsVersionName,
} from "../decode/mod.ts";
import type { ByteWriter } from "./bytes.ts";

/** An encrypted handshake record: nothing to show. */
const ENCRYPTED = "EncryptedHandshakeMessage";
const ALERT_LEVELS: Readonly<Record<number, string>> = { 1: "warning", 2: "fatal" };

/** The ClientHello's words: `sni www.example.test alpn h2,http/1.1`. */
function clientHelloText(hello: TlsClientHello): string {
  let text = "ClientHello";
  if (hello.serverName !== null) text += ` sni ${hello.serverName}`;
  if (hello.alpn.length > 0) text += ` alpn ${hello.alpn.join(",")}`;
  if (hello.cut) text += " [cut]";
  return text;
}

/** Writes the hint for a segment's TLS records, when there is one worth writing. */
export function writeTlsHint(out: ByteWriter, tls: TlsRecords): void {
  if (!tls.hasHandshakeOrAlert) return;
  const words: string[] = [];
  const client = tls.clientHello;
  const server = tls.serverHello;
  for (const name of tls.handshakeNames) {
    if (name === "ClientHello" && client !== null) words.push(clientHelloText(client));
    else if (name === "ServerHello" && server !== null) {
      const alpn = server.alpn === null ? "" : ` alpn ${server.alpn}`;
      words.push(
        `ServerHello ${tlsVersionName(server.chosenVersion)} ${
          tlsCipherSuiteName(server.cipherSuite)
        }${alpn}`,
      );
    } else if (name !== ENCRYPTED) words.push(name);
  }
  const alert = tls.alert;
  if (alert !== null) {
    words.push(
      `Alert ${ALERT_LEVELS[alert.level] ?? alert.level} ${tlsAlertName(alert.description)}`,
    );
  }
  if (words.length === 0) return;
  out.text(": TLS ");
  out.text(words.join(", "));
}
