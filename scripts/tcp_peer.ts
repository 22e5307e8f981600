/**
 * The two ends of a real TCP transfer for the analysis fixture, run inside test network
 * namespaces by scripts/make_fixtures.ts.
 *
 * - `server PORT AFTER_MS PAUSE_MS`: accepts one connection, reads for AFTER_MS, stops
 *   reading for PAUSE_MS (the receive buffer fills: zero window), then reads to the end.
 * - `client HOST PORT BYTES`: sends BYTES in 16 KiB pieces, one every 10 ms, then closes.
 *
 * @module
 */

const [role, ...rest] = Deno.args;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (role === "server") {
  const [port, after, pause] = rest.map(Number);
  const listener = Deno.listen({ hostname: "0.0.0.0", port });
  const connection = await listener.accept();
  const buffer = new Uint8Array(65536);
  let total = 0;
  const started = Date.now();
  let paused = false;
  for (;;) {
    if (!paused && Date.now() - started > after) {
      paused = true;
      await sleep(pause);
    }
    const count = await connection.read(buffer);
    if (count === null) break;
    total += count;
  }
  console.log(total);
  connection.close();
  listener.close();
} else if (role === "client") {
  const [host, port, bytes] = [rest[0], Number(rest[1]), Number(rest[2])];
  const connection = await Deno.connect({ hostname: host, port });
  const piece = new Uint8Array(16384).fill(0x78);
  for (let sent = 0; sent < bytes; sent += piece.length) {
    let offset = 0;
    while (offset < piece.length) offset += await connection.write(piece.subarray(offset));
    await sleep(10);
  }
  connection.close();
} else {
  console.error("usage: tcp_peer.ts server PORT AFTER_MS PAUSE_MS | client HOST PORT BYTES");
  Deno.exit(2);
}
