import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.ts";

/** Closing the server must not wait on clients: it answers what is in flight, then it is down. */
describe("shutdown", () => {
  const sockets: Socket[] = [];
  let h: Harness | undefined;
  afterEach(() => {
    for (const socket of sockets) socket.destroy();
    sockets.length = 0;
  });

  const open = (url: string) =>
    new Promise<Socket>((resolve, reject) => {
      const { hostname, port } = new URL(url);
      const socket = connect({ host: hostname, port: Number(port) }, () => resolve(socket));
      socket.once("error", reject);
      sockets.push(socket);
    });

  it("does not wait for a connection that never sent a request", async () => {
    h = await startHarness({ listen: true });
    const silent = await open(h.url);
    const ended = new Promise((resolve) => silent.once("close", resolve));
    // Node's server.close() treated this connection as busy and waited for it without end.
    const startedMs = Date.now();
    await h.close();
    await ended;
    expect(Date.now() - startedMs).toBeLessThan(2000);
  });

  it("answers the request in flight, then drops its keep-alive connection", async () => {
    h = await startHarness({ listen: true });
    const token = await h.linkBridge(7);
    // A terminal long-polling: the server answers it (empty) as soon as shutdown begins.
    const polling = fetch(`${h.url}/bridge/v1/commands?wait=20`, {
      headers: { authorization: `Bearer ${token}`, connection: "keep-alive" },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const startedMs = Date.now();
    const closed = h.close();
    const answer = await polling;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ commands: [] });
    await closed;
    expect(Date.now() - startedMs).toBeLessThan(2000);
  });

  it("cuts a connection still busy after the grace period (a request body that never finishes)", async () => {
    h = await startHarness({ listen: true, app: { shutdownGraceMs: 300 } });
    const slow = await open(h.url);
    // Headers promise 100 bytes of body; 10 arrive. The request never completes on its own.
    slow.write(
      `POST /api/fire HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"signal_`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const ended = new Promise((resolve) => slow.once("close", resolve));
    const startedMs = Date.now();
    await h.close();
    await ended;
    const tookMs = Date.now() - startedMs;
    expect(tookMs).toBeGreaterThanOrEqual(250); // it was given its grace
    expect(tookMs).toBeLessThan(2000);
  });
});
