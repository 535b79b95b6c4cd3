import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Hub } from "../../server/events/hub.ts";
import { createSseBroker } from "../../server/events/sse.ts";
import { waitFor } from "../support/wait.ts";

interface Frame {
  id: number;
  event: string;
  data: { signal_id?: string; count?: number };
}

/**
 * The broker on a real HTTP server: every request to it becomes a stream of the user named in the
 * path (`/u/<id>`). Streams are read by plain `node:http` clients that keep every frame.
 */
async function startBroker(options: Parameters<typeof createSseBroker>[1]) {
  const hub = new Hub();
  const broker = createSseBroker(hub, options);
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    const detach = broker.attach(Number(req.url!.slice(3)), res, null);
    res.on("close", detach);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const readers: Array<{ frames: Frame[]; close: () => void }> = [];

  function open(userId: number) {
    return new Promise<{ frames: Frame[] }>((resolve, reject) => {
      const frames: Frame[] = [];
      let buffer = "";
      const req = request({ host: "127.0.0.1", port, path: `/u/${userId}`, agent: false }, (res) => {
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const field = (name: string) => new RegExp(`^${name}: (.*)$`, "m").exec(block)?.[1];
            const event = field("event");
            if (event) frames.push({ id: Number(field("id")), event, data: JSON.parse(field("data")!) });
          }
        });
        res.once("data", () => resolve({ frames }));
      });
      req.on("error", reject);
      req.end();
      readers.push({ frames, close: () => req.destroy() });
    });
  }

  /** Opens `n` streams, one each for users `firstUser`, `firstUser + 1`, … */
  async function openMany(n: number, firstUser: number) {
    const streams: Array<{ frames: Frame[] }> = [];
    for (let i = 0; i < n; i++) streams.push(await open(firstUser + i));
    return streams;
  }

  return {
    hub,
    broker,
    openMany,
    async close() {
      for (const r of readers) r.close();
      broker.close();
      server.closeAllConnections();
      server.close();
    },
  };
}

const countsOf = (frames: Frame[], signalId: string) =>
  frames.filter((f) => f.event === "fire_count_update" && f.data.signal_id === signalId).map((f) => f.data.count);

describe("SSE fan-out to many streams", () => {
  let b: Awaited<ReturnType<typeof startBroker>> | undefined;
  afterEach(async () => {
    await b?.close();
    b = undefined;
  });

  it("writes a frame for many streams in slices, not all in one turn; every stream gets it", async () => {
    b = await startBroker({ sliceSize: 16 });
    const streams = await b.openMany(100, 9000);
    const before = b.broker.stats().framesSent;
    b.broker.publish("mission_status_update", { signal_id: "s_1", status: "cancelled" }, null);
    // One slice now; the rest after the event loop has had its turn.
    expect(b.broker.stats().framesSent - before).toBe(16);
    expect(b.broker.stats().queuedWrites).toBe(100 - 16);
    await waitFor(() => streams.every((s) => s.frames.length === 1), 15_000, "every stream to get the frame");
    expect(b.broker.stats().queuedWrites).toBe(0);
  });

  it("many counts for two signals reach each of 300 streams as one frame per signal, with the final counts", async () => {
    b = await startBroker({ sliceSize: 16, coalesceMs: 20 });
    const streams = await b.openMany(300, 10_000);
    // 200 fires' counts (arriving out of order, as concurrent commits may) in one turn of the event
    // loop: the next flush sends each stream one frame per signal, with the highest count.
    for (let n = 1; n <= 100; n++) {
      b.hub.emit("fire.count", { signal_id: "s_a", count: n % 10 === 0 ? n - 1 : n });
      b.hub.emit("fire.count", { signal_id: "s_b", count: 101 - n });
    }
    b.hub.emit("fire.count", { signal_id: "s_a", count: 100 });
    await waitFor(
      () => streams.every((s) => s.frames.length === 2),
      15_000,
      "every stream to get both signals' counts",
    );
    for (const s of streams) {
      expect(countsOf(s.frames, "s_a")).toEqual([100]);
      expect(countsOf(s.frames, "s_b")).toEqual([100]);
    }
    // A count lower than the one shown is never sent; a higher one is, to every stream.
    b.hub.emit("fire.count", { signal_id: "s_a", count: 42 });
    b.hub.emit("fire.count", { signal_id: "s_a", count: 101 });
    await waitFor(() => streams.every((s) => s.frames.length === 3), 15_000, "every stream to get count 101");
    for (const s of streams) expect(countsOf(s.frames, "s_a")).toEqual([100, 101]);
  });

  it("the count window grows with the audience: 60 streams at 60 count writes a second get at most one count a second", async () => {
    b = await startBroker({ coalesceMs: 20, countWritesPerSecond: 60 });
    const streams = await b.openMany(60, 15_000);
    const started = Date.now();
    b.hub.emit("fire.count", { signal_id: "s_w", count: 1 });
    await waitFor(() => streams.every((s) => s.frames.length === 1), 15_000, "the first count");
    b.hub.emit("fire.count", { signal_id: "s_w", count: 2 });
    await waitFor(() => streams.every((s) => s.frames.length === 2), 15_000, "the second count");
    // The first flush came after `started`; the second waits for the 1 s window after it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    for (const s of streams) expect(countsOf(s.frames, "s_w")).toEqual([1, 2]);
  });

  it("a user's own frame sent during a fan-out arrives after it: each stream sees ids in order", async () => {
    b = await startBroker({ sliceSize: 16 });
    const streams = await b.openMany(100, 20_000);
    const last = streams.at(-1)!;
    b.broker.publish("mission_status_update", { signal_id: "s_1", status: "cancelled" }, null);
    // The last stream's turn in the fan-out above has not come yet.
    b.broker.publish("fire_update", { fire: { id: "f_1" } }, 20_099);
    await waitFor(() => last.frames.length === 2, 15_000, "the last stream's two frames");
    expect(last.frames.map((f) => f.event)).toEqual(["mission_status_update", "fire_update"]);
    expect(last.frames[0]!.id).toBeLessThan(last.frames[1]!.id);
    await waitFor(() => streams.every((s) => s.frames.length >= 1), 15_000, "every stream's frame");
    expect(streams.slice(0, -1).every((s) => s.frames.length === 1)).toBe(true);
  });
});
