/**
 * The TCP ports tcpdump reads text on (telnet, SMTP, WHOIS, SSH, FTP, HTTP, RTSP, DNS): every
 * pair of them and of some it does not (POP3, IMAP, HTTPS, mDNS, LLMNR, a proxy's, an ordinary one), with
 * payloads of each kind, against tcpdump's lines at default, -v and -vv; and curl's own SMTP
 * and FTP commands, on `lo`, against a server that answers as one.
 */

import assert from "node:assert/strict";
import { concat, ethernet, ip4, ipv4, tcp, text, u16 } from "../scripts/packet_builder.ts";
import { assertShows, captureLo, compareText, withBuiltCapture } from "./protocol_check.ts";
import { hasCommand, runNetpeek } from "./netpeek_process.ts";

const PORTS = [21, 22, 23, 25, 43, 53, 80, 110, 143, 443, 554, 5353, 5355, 8080, 3128, 40000];

const QUERY = concat([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4], text("host"), [0, 0, 1, 0, 1]);

const PAYLOADS = [
  text("GET /index.html HTTP/1.1\r\nHost: www.example.test\r\nUser-Agent: x\r\n\r\n"),
  text("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
  // A TLS record's start (a ClientHello cut short).
  new Uint8Array([0x16, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0]),
  // DNS over TCP: the message after its length; then one whose length is not the rest.
  concat(u16(QUERY.length), QUERY),
  concat(u16(QUERY.length + 9), QUERY),
  text("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"),
  text("220 mail.example.test ESMTP ready\r\n250-SIZE 1000\r\n"),
  text("DESCRIBE rtsp://media.example.test/a RTSP/1.0\r\nCSeq: 2\r\n\r\n"),
  text("RTSP/1.0 200 OK\r\nCSeq: 2\r\n\r\n"),
  // A line the segment ends inside.
  new Uint8Array(30).fill(0x41),
  new Uint8Array([0x00]),
];

function segments(): Uint8Array[] {
  const frames = [];
  for (const source of PORTS) {
    for (const destination of PORTS) {
      for (const payload of PAYLOADS) {
        const header = {
          sport: source,
          dport: destination,
          seq: 1000,
          ack: 2000,
          flags: 0x18,
          window: 512,
        };
        frames.push(ethernet(
          "02:00:00:00:00:02",
          "02:00:00:00:00:01",
          0x0800,
          ipv4({
            src: "192.0.2.1",
            dst: "198.51.100.2",
            protocol: 6,
            payload: tcp(ip4("192.0.2.1"), ip4("198.51.100.2"), header, payload),
          }),
        ));
      }
    }
  }
  return frames;
}

Deno.test("TCP ports: every pair's line begins with tcpdump's (default, -v, -vv)", async () => {
  const frames = segments();
  await withBuiltCapture(frames, "tcp-ports.pcap", async (path) => {
    for (const flags of [[], ["-v"], ["-vv"]]) {
      const compared = await compareText(path, () => true, flags);
      assert.ok(compared >= frames.length, `${flags}: ${compared} lines compared`);
    }
    const lines = (await runNetpeek(["-r", path], { env: { TZ: "UTC" } })).stdout;
    // Guard against a vacuous pass: each of tcpdump's readings is met.
    assertShows(lines, [
      "length 67: FTP: GET /index.html HTTP/1.1\n",
      "length 50: SMTP: 220 mail.example.test ESMTP ready\n",
      "length 30: FTP: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA [|ftp]\n",
      "length 32: SSH: SSH-2.0-OpenSSH_9.2p1 Debian-2\n",
      "length 45: HTTP: HTTP/1.1 404 Not Found\n",
      "length 28: RTSP: RTSP/1.0 200 OK\n",
      "length 30: WHOIS: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA [|whois]\n",
      "length 24 4660+ A? host. (22)\n",
      "length 24 [prefix length(31) != length(22)] (invalid)\n",
      "length 1 [DNS over TCP: length 1 < 2] (invalid)\n",
    ]);
  });
});

/** A server that answers each command line with the next of `replies` (the first on connect). */
async function scriptedServer(
  listener: Deno.TcpListener,
  replies: (command: string) => string | undefined,
): Promise<void> {
  const connection = await listener.accept();
  const encoder = new TextEncoder();
  try {
    await connection.write(encoder.encode(replies("")!));
    let pending = "";
    for await (const chunk of connection.readable.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      for (let end; (end = pending.indexOf("\r\n")) >= 0;) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const reply = replies(line);
        if (reply === undefined) return;
        await connection.write(encoder.encode(reply));
      }
    }
  } catch {
    // The client went away.
  } finally {
    try {
      connection.close();
    } catch {
      // Already closed.
    }
  }
}

/** SMTP's replies to curl's commands (RFC 5321), through one message. */
function smtpReply(line: string): string | undefined {
  if (line === "") return "220 mail.example.test ESMTP netpeek-test\r\n";
  const verb = line.split(" ")[0].toUpperCase();
  if (verb === "EHLO") return "250-mail.example.test\r\n250 SIZE 100000\r\n";
  if (verb === "MAIL" || verb === "RCPT") return "250 OK\r\n";
  if (verb === "DATA") return "354 End data with <CR><LF>.<CR><LF>\r\n";
  if (line === ".") return "250 OK queued\r\n";
  if (verb === "QUIT") return undefined;
  return verb.length <= 4 && /^[A-Z]+$/.test(verb) ? "502 Not implemented\r\n" : "";
}

/** FTP's replies to curl's login and its first command (RFC 959): it then gives up. */
function ftpReply(line: string): string | undefined {
  if (line === "") return "220 ftp.example.test ready\r\n";
  const verb = line.split(" ")[0].toUpperCase();
  if (verb === "USER") return "331 Password required\r\n";
  if (verb === "PASS") return "230 Logged in\r\n";
  if (verb === "PWD") return '257 "/" is the current directory\r\n';
  if (verb === "QUIT") return undefined;
  return "502 Not implemented\r\n";
}

Deno.test({
  name: "SMTP and FTP from curl on lo: lines as tcpdump's (default and -v)",
  ignore: !hasCommand("curl") || !hasCommand("tcpdump"),
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/smtp-ftp.pcap`;
      const mail = `${dir}/mail.txt`;
      await Deno.writeTextFile(mail, "Subject: test\r\n\r\nHello.\r\n");
      const smtp = Deno.listen({ hostname: "127.0.0.1", port: 25 });
      const ftp = Deno.listen({ hostname: "127.0.0.1", port: 21 });
      await captureLo(path, "tcp port 25 or tcp port 21", async () => {
        const servers = [scriptedServer(smtp, smtpReply), scriptedServer(ftp, ftpReply)];
        const curl = (args: string[]) =>
          new Deno.Command("curl", { args: ["-s", "--max-time", "5", ...args] }).output();
        await curl([
          "smtp://127.0.0.1:25",
          "--mail-from",
          "a@example.test",
          "--mail-rcpt",
          "b@example.test",
          "-T",
          mail,
        ]);
        await curl(["ftp://127.0.0.1:21/", "-u", "user:secret", "-l"]);
        await Promise.all(servers);
      });
      smtp.close();
      ftp.close();
      let compared = 0;
      for (const flags of [[], ["-v"]]) compared += await compareText(path, () => true, flags);
      assert.ok(compared > 20, `${compared} lines`);
      const lines = (await runNetpeek(["-r", path], { env: { TZ: "UTC" } })).stdout;
      assertShows(lines, [
        ": SMTP: 220 mail.example.test ESMTP netpeek-test",
        ": SMTP: MAIL FROM:<a@example.test>",
        ": SMTP: 354 End data",
        ": FTP: 220 ftp.example.test ready",
        ": FTP: USER user",
        ": FTP: 230 Logged in",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
