/**
 * Live capture through real libpcap: known traffic on `lo` while netpeek runs as a child
 * process (text and JSON at once), stopping by count, duration and signals, and a capture
 * across a veth pair between two network namespaces made (and removed) here.
 *
 * Traffic goes only to loopback or to the test's own namespaces; every loop is bounded.
 */

import assert from "node:assert/strict";
import dgram from "node:dgram";
import { NetpeekProcess, sh, STATS_LINE } from "./netpeek_process.ts";

// deno-lint-ignore no-explicit-any -- JSON lines from netpeek, checked field by field below
type Json = Record<string, any>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function jsonLines(stdout: string): Json[] {
  return stdout.trimEnd().split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
}

/** Sends datagrams from one ephemeral port to another; returns both ports. */
async function sendUdp(payloads: string[]): Promise<{ from: number; to: number }> {
  const bind = async (socket: dgram.Socket) => {
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
    return socket.address().port;
  };
  const receiver = dgram.createSocket("udp4");
  const sender = dgram.createSocket("udp4");
  const to = await bind(receiver);
  const from = await bind(sender);
  let received = 0;
  const all = new Promise<void>((resolve) =>
    receiver.on("message", () => {
      if (++received === payloads.length) resolve();
    })
  );
  for (const payload of payloads) {
    await new Promise<void>((resolve, reject) =>
      sender.send(payload, to, "127.0.0.1", (error) => error ? reject(error) : resolve())
    );
  }
  await Promise.race([all, sleep(2000)]);
  sender.close();
  receiver.close();
  return { from, to };
}

async function tcpExchange(): Promise<{ serverPort: number; clientPort: number }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = await listener.accept();
  await client.write(new TextEncoder().encode("hello"));
  await server.read(new Uint8Array(16));
  const ports = {
    serverPort: listener.addr.port,
    clientPort: (client.localAddr as Deno.NetAddr).port,
  };
  client.close();
  await server.read(new Uint8Array(16)); // the FIN
  server.close();
  listener.close();
  return ports;
}

Deno.test("live on lo: known UDP, TCP and ICMP appear with the right fields, in text and JSON", async () => {
  const text = new NetpeekProcess(["-i", "lo", "--duration", "30"]);
  const json = new NetpeekProcess(["-i", "lo", "--duration", "30", "--json"]);
  try {
    await Promise.all([text.listening(), json.listening()]);
    const { from: udpFrom, to: udpTo } = await sendUdp(["one", "three", "fives"]);
    const { serverPort, clientPort } = await tcpExchange();
    await sh("ping", ["-c", "1", "-W", "2", "127.0.0.1"]);
    await sleep(300);
    text.child.kill("SIGINT");
    json.child.kill("SIGINT");
    const [textRun, jsonRun] = await Promise.all([text.finished(), json.finished()]);
    assert.equal(textRun.code, 0, textRun.stderr);
    assert.equal(jsonRun.code, 0, jsonRun.stderr);
    assert.match(textRun.stderr, STATS_LINE);
    assert.match(jsonRun.stderr, STATS_LINE);

    // UDP: exactly the three datagrams, in order, in both outputs.
    const packets = jsonLines(jsonRun.stdout);
    const udp = packets.filter((p) => p.udp?.srcPort === udpFrom && p.udp?.dstPort === udpTo);
    assert.deepEqual(udp.map((p) => p.udp.length), [8 + 3, 8 + 5, 8 + 5]);
    for (const p of udp) {
      assert.equal(p.link, "ethernet");
      assert.equal(p.ipv4.src, "127.0.0.1");
      assert.equal(p.ipv4.dst, "127.0.0.1");
      assert.equal(p.ipv4.protocol, 17);
      assert.equal(p.ipv4.length, 20 + p.udp.length);
      assert.equal(p.ipv4.checksumOk, true);
      assert.equal(p.caplen, 14 + p.ipv4.length);
      assert.match(p.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    }
    const udpText = textRun.stdout.split("\n").filter((line) =>
      line.includes(`127.0.0.1.${udpFrom} > 127.0.0.1.${udpTo}: UDP`)
    );
    assert.deepEqual(
      udpText.map((line) => line.replace(/^\d\d:\d\d:\d\d\.\d{6} /, "")),
      [3, 5, 5].map((n) => `IP 127.0.0.1.${udpFrom} > 127.0.0.1.${udpTo}: UDP, length ${n}`),
    );

    // TCP: the handshake, the data, and the close, with consistent sequence numbers.
    const tcp = packets.filter((p) =>
      p.tcp && [p.tcp.srcPort, p.tcp.dstPort].includes(serverPort) &&
      [p.tcp.srcPort, p.tcp.dstPort].includes(clientPort)
    );
    const [syn, synAck, ack] = tcp;
    assert.ok(syn.tcp.flags.syn && !syn.tcp.flags.ack, "SYN first");
    assert.equal(syn.tcp.dstPort, serverPort);
    assert.ok(synAck.tcp.flags.syn && synAck.tcp.flags.ack, "SYN-ACK second");
    assert.equal(synAck.tcp.ack, (syn.tcp.seq + 1) >>> 0);
    assert.ok(ack.tcp.flags.ack && !ack.tcp.flags.syn);
    assert.equal(ack.tcp.ack, (synAck.tcp.seq + 1) >>> 0);
    const data = tcp.find((p) => p.tcp.payloadLength > 0)!;
    assert.equal(data.tcp.payloadLength, 5);
    assert.equal(data.tcp.seq, (syn.tcp.seq + 1) >>> 0);
    assert.ok(data.tcp.flags.psh);
    assert.ok(tcp.some((p) => p.tcp.flags.fin && p.tcp.srcPort === clientPort));
    assert.ok(tcp.some((p) => p.tcp.flags.fin && p.tcp.srcPort === serverPort));
    const tcpText = textRun.stdout.split("\n").filter((line) =>
      line.includes(`.${serverPort} `) || line.includes(`.${serverPort}:`)
    );
    assert.equal(tcpText.length, tcp.length, "text and JSON saw the same TCP packets");
    assert.match(
      tcpText[0],
      new RegExp(
        `IP 127\\.0\\.0\\.1\\.${clientPort} > 127\\.0\\.0\\.1\\.${serverPort}: ` +
          `Flags \\[S\\], seq ${syn.tcp.seq}, win ${syn.tcp.window}, ` +
          "options \\[mss \\d+,sackOK,TS val \\d+ ecr 0,nop,wscale \\d+\\], length 0$",
      ),
    );
    assert.match(
      tcpText[1],
      new RegExp(
        `Flags \\[S\\.\\], seq ${synAck.tcp.seq}, ack ${synAck.tcp.ack}, win \\d+, options \\[.*\\], length 0$`,
      ),
    );
    // After the handshake, numbers count from each side's initial sequence number.
    assert.match(tcpText[2], /Flags \[\.\], ack 1, win \d+, options \[.*\], length 0$/);
    assert.ok(
      tcpText.some((line) =>
        /Flags \[P\.\], seq 1:6, ack 1, win \d+, options \[nop,nop,TS val \d+ ecr \d+\], length 5$/
          .test(line)
      ),
    );

    // ICMP: one echo request and its reply.
    const icmp = packets.filter((p) => p.icmp);
    const request = icmp.find((p) => p.icmp.type === 8)!;
    const reply = icmp.find((p) => p.icmp.type === 0 && p.icmp.id === request.icmp.id)!;
    assert.equal(request.icmp.sequence, 1);
    assert.equal(reply.icmp.sequence, 1);
    assert.equal(request.ipv4.protocol, 1);
    assert.match(
      textRun.stdout,
      new RegExp(
        `IP 127\\.0\\.0\\.1 > 127\\.0\\.0\\.1: ICMP echo request, id ${request.icmp.id}, seq 1, length 64`,
      ),
    );

    // Every captured packet was printed: the count in the statistics matches the output.
    const captured = Number(jsonRun.stderr.match(STATS_LINE)![1]);
    assert.equal(captured, packets.length);
  } finally {
    for (const process of [text, json]) {
      try {
        process.child.kill("SIGKILL");
      } catch {
        // already ended
      }
      await process.finished();
    }
  }
});

Deno.test("each packet reaches a pipe promptly, not when a buffer fills", async () => {
  const capture = new NetpeekProcess(["-i", "lo", "--duration", "20"]);
  try {
    await capture.listening();
    const { from, to } = await sendUdp(["prompt"]);
    const sent = Date.now();
    await capture.waitFor(
      () => capture.stdout.includes(`127.0.0.1.${from} > 127.0.0.1.${to}: UDP, length 6\n`),
      "the datagram's line",
      5000,
    );
    const latency = Date.now() - sent;
    assert.ok(latency < 1000, `the line took ${latency} ms to arrive`);
  } finally {
    capture.child.kill("SIGINT");
    assert.equal((await capture.finished()).code, 0);
  }
});

Deno.test("-c stops after exactly that many packets", async () => {
  const capture = new NetpeekProcess(["-i", "lo", "-c", "3", "--duration", "20"]);
  await capture.listening();
  const ping = new Deno.Command("ping", {
    args: ["-c", "10", "-i", "0.2", "127.0.0.1"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const result = await capture.finished();
  ping.kill();
  await ping.status;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trimEnd().split("\n").length, 3);
  assert.equal(result.stderr.match(STATS_LINE)?.[1], "3");
});

Deno.test("--duration stops an idle capture on time", async () => {
  const capture = new NetpeekProcess(["-i", "lo", "--duration", "1", "--json"]);
  await capture.listening();
  const started = Date.now();
  const result = await capture.finished();
  const elapsed = Date.now() - started;
  assert.equal(result.code, 0, result.stderr);
  assert.ok(elapsed >= 700 && elapsed < 2500, `stopped after ${elapsed} ms`);
  assert.match(result.stderr, STATS_LINE);
});

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  Deno.test(`${signal} on a silent interface stops promptly with statistics, exit 0`, async () => {
    const capture = new NetpeekProcess(["-i", "lo", "--duration", "30"]);
    await capture.listening();
    await sleep(300); // let it settle into its wait
    const started = Date.now();
    capture.child.kill(signal);
    const result = await capture.finished();
    const elapsed = Date.now() - started;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(elapsed < 500, `took ${elapsed} ms to stop`);
    assert.match(result.stderr, STATS_LINE);
  });
}

Deno.test("across a veth pair between two namespaces: real MAC addresses, ARP and ICMP", async () => {
  const tag = `${Deno.pid % 100000}`;
  const [nsA, nsB] = [`netpeek-a-${tag}`, `netpeek-b-${tag}`];
  const [vethA, vethB] = [`npa${tag}`, `npb${tag}`];
  const [addressA, addressB] = ["10.254.7.1", "10.254.7.2"];
  try {
    await sh("ip", ["netns", "add", nsA]);
    await sh("ip", ["netns", "add", nsB]);
    await sh("ip", ["link", "add", vethA, "type", "veth", "peer", "name", vethB]);
    await sh("ip", ["link", "set", vethA, "netns", nsA]);
    await sh("ip", ["link", "set", vethB, "netns", nsB]);
    await sh("ip", ["-n", nsA, "addr", "add", `${addressA}/24`, "dev", vethA]);
    await sh("ip", ["-n", nsB, "addr", "add", `${addressB}/24`, "dev", vethB]);
    await sh("ip", ["-n", nsA, "link", "set", vethA, "up"]);
    await sh("ip", ["-n", nsB, "link", "set", vethB, "up"]);
    const macOf = async (ns: string, name: string) =>
      JSON.parse(await sh("ip", ["-n", ns, "-j", "link", "show", name]))[0].address as string;
    const [macA, macB] = [await macOf(nsA, vethA), await macOf(nsB, vethB)];

    const capture = new NetpeekProcess(
      ["-i", vethA, "--json", "--duration", "20"],
      ["ip", "netns", "exec", nsA],
    );
    await capture.listening();
    await sh("ip", ["netns", "exec", nsB, "ping", "-c", "2", "-i", "0.2", "-W", "2", addressA]);
    await sleep(300);
    capture.child.kill("SIGINT");
    const result = await capture.finished();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`listening on ${vethA}, link-type EN10MB`));
    const packets = jsonLines(result.stdout);

    const requests = packets.filter((p) => p.icmp?.type === 8);
    const replies = packets.filter((p) => p.icmp?.type === 0);
    assert.equal(requests.length, 2);
    assert.equal(replies.length, 2);
    const hosts = (p: Json) => [p.eth.src, p.eth.dst, p.ipv4.src, p.ipv4.dst];
    for (const p of requests) assert.deepEqual(hosts(p), [macB, macA, addressB, addressA]);
    for (const p of replies) assert.deepEqual(hosts(p), [macA, macB, addressA, addressB]);
    assert.deepEqual(requests.map((p) => p.icmp.sequence), [1, 2]);
    // B had to resolve A first: a broadcast who-has from B's MAC, answered from A's.
    const who = packets.find((p) => p.arp?.operation === 1 && p.arp.senderIp === addressB);
    assert.ok(who, "ARP request from B");
    assert.equal(who.eth.dst, "ff:ff:ff:ff:ff:ff");
    assert.equal(who.arp.senderMac, macB);
    assert.equal(who.arp.targetIp, addressA);
    const answer = packets.find((p) => p.arp?.operation === 2 && p.arp.senderIp === addressA);
    assert.equal(answer?.arp.senderMac, macA);
  } finally {
    await sh("ip", ["netns", "del", nsA]).catch(() => {});
    await sh("ip", ["netns", "del", nsB]).catch(() => {});
  }
});
