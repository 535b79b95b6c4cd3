import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";
import { openStream } from "../../support/streams.ts";
import { waitFor } from "../../support/wait.ts";

/** Opens a raw connection and resolves with what the server said once it closes it. */
function rawClient(url: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  let received = "";
  socket.on("data", (c) => {
    received += c;
  });
  socket.on("error", () => undefined);
  const closed = new Promise<string>((resolve) => socket.once("close", () => resolve(received)));
  return { socket, closed, isClosed: () => socket.destroyed || socket.closed };
}

/** Finding 4 of issue #21: slow clients cannot hold connections; event streams are capped per user. */
describe("slow clients", () => {
  let h: Harness;
  afterEach(async () => h?.close());
  const start = () =>
    startHarness({ listen: true, app: { timeouts: { headersMs: 500, requestMs: 1500, checkMs: 100 } } });

  it("a POST trickling its body is cut off (408) after the request timeout", async () => {
    h = await start();
    const client = rawClient(h.url);
    client.socket.write(
      "POST /api/fire HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200000\r\n\r\n{",
    );
    const trickle = setInterval(() => client.socket.writable && client.socket.write(" "), 100);
    try {
      const said = await Promise.race([
        client.closed,
        new Promise<string>((_, reject) => setTimeout(() => reject(new Error("still open after 20 s")), 20_000)),
      ]);
      expect(said).toMatch(/^HTTP\/1\.1 408/);
      expect(JSON.parse(said.slice(said.indexOf("\r\n\r\n") + 4))).toMatchObject({
        error: { code: "REQUEST_TIMEOUT", message: expect.any(String) },
      });
    } finally {
      clearInterval(trickle);
      client.socket.destroy();
    }
  }, 30_000);

  it("headers trickled byte by byte are cut off after the headers timeout", async () => {
    h = await start();
    const client = rawClient(h.url);
    client.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n");
    const trickle = setInterval(() => client.socket.writable && client.socket.write("X"), 100);
    try {
      await Promise.race([
        client.closed,
        new Promise((_, reject) => setTimeout(() => reject(new Error("still open after 20 s")), 20_000)),
      ]);
    } finally {
      clearInterval(trickle);
      client.socket.destroy();
    }
  }, 30_000);

  it("an event stream and a bridge long-poll outlive the request timeout", async () => {
    h = await start();
    const token = await h.linkBridge(4101);
    const stream = await openStream(h.url, h.tma(4101));
    const started = Date.now();
    const poll = await fetch(`${h.url}/bridge/v1/commands?wait=3`, { headers: { authorization: `Bearer ${token}` } });
    expect(poll.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThan(2500);
    expect(stream.state.ended).toBe(false);
    await h.createSignal();
    await waitFor(() => stream.state.text.includes("signal_created"), 15_000, "an event on the old stream");
    await stream.cancel();
  }, 30_000);

  it("a 6th event stream of one user closes that user's oldest; other users keep theirs", async () => {
    h = await startHarness({ listen: true });
    const other = await openStream(h.url, h.tma(4202));
    const streams: Array<Awaited<ReturnType<typeof openStream>>> = [];
    for (let i = 0; i < 5; i++) streams.push(await openStream(h.url, h.tma(4201)));
    expect(streams.some((s) => s.state.ended)).toBe(false);
    const sixth = await openStream(h.url, h.tma(4201));
    await waitFor(() => streams[0]!.state.ended, 15_000, "the oldest stream to close");
    expect(streams.slice(1).map((s) => s.state.ended)).toEqual([false, false, false, false]);
    expect(sixth.state.ended).toBe(false);
    expect(other.state.ended).toBe(false);
    for (const s of [...streams, sixth, other]) await s.cancel();
  }, 30_000);
});
