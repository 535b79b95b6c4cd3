/**
 * Load: 1,000 Server-Sent Events streams held open over real loopback HTTP while a burst of 5,000
 * fires (5,000 traders, one signal) runs. Reports memory before and after, the burst's pace, and
 * whether every stream received the final fire count (none starved). Client and server share this
 * process, so memory figures include the 1,000 client sockets too.
 */
import { Agent, type ClientRequest, request } from "node:http";
import { hashToken, newBridgeToken } from "../server/auth/tokens.ts";
import { createHttpClient, pool } from "../test/hardening/support/http-client.ts";
import { startHarness } from "../test/support/harness.ts";

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

function memory() {
  (globalThis as { gc?: () => void }).gc?.(); // with --expose-gc, figures without garbage
  const m = process.memoryUsage();
  return { rss_mib: mib(m.rss), heap_used_mib: mib(m.heapUsed) };
}

interface Stream {
  req: ClientRequest;
  /** Highest fire count seen for the signal. */
  count: number;
  frames: number;
  reachedAtMs: number | null;
}

/** Opens one SSE stream as `authorization`, counting `fire_count_update` frames for `signalId`. */
function openStream(agent: Agent, port: number, authorization: string, signalId: string, goal: () => number) {
  return new Promise<Stream>((resolve, reject) => {
    const stream: Stream = { req: undefined as unknown as ClientRequest, count: 0, frames: 0, reachedAtMs: null };
    let buffer = "";
    stream.req = request({ agent, host: "127.0.0.1", port, path: "/api/events", headers: { authorization } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream: HTTP ${res.statusCode}`));
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          if (!frame.includes("event: fire_count_update")) continue;
          stream.frames++;
          const data = JSON.parse(frame.slice(frame.indexOf("data: ") + 6)) as { signal_id: string; count: number };
          if (data.signal_id !== signalId) continue;
          stream.count = Math.max(stream.count, data.count);
          if (stream.reachedAtMs === null && stream.count >= goal()) stream.reachedAtMs = performance.now();
        }
      });
      resolve(stream);
    });
    stream.req.on("error", reject);
    stream.req.end();
  });
}

/** Runs the load benchmark and returns its figures. */
export async function benchLoad(opts: { streams?: number; fires?: number; concurrency?: number } = {}) {
  const streamCount = opts.streams ?? 1000;
  const fireCount = opts.fires ?? 5000;
  const h = await startHarness({ listen: true });
  const port = Number(new URL(h.url).port);
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const client = createHttpClient(h.url, opts.concurrency ?? 128);
  const streams: Stream[] = [];
  try {
    const signal = await h.createSignal();
    // Traders linked and online, written straight to the store (setup, not what is measured).
    const users = Array.from({ length: fireCount }, (_, i) => 800_000 + i);
    const nowMs = Date.now();
    const now = new Date(nowMs).toISOString();
    const account = { login: 1, server: "Load", currency: "USD", balance: 10_000, equity: 10_000, trade_allowed: true };
    await h.store.transaction(async () => {
      for (const id of users) {
        await h.store.users.ensureUser({ id, first_name: "Load" }, now);
        await h.store.users.setBridgeTokenHash(id, hashToken(newBridgeToken()), now);
        await h.store.terminal.recordHeartbeat(id, account, [], [], nowMs);
      }
    });
    const auth = new Map(users.map((id) => [id, h.tma(id)]));
    const idle = memory();

    const openStarted = performance.now();
    const goal = () => fireCount;
    await pool(
      users.slice(0, streamCount).map((id) => async () => {
        streams.push(await openStream(agent, port, auth.get(id)!, signal.id, goal));
      }),
      100,
    );
    const openMs = performance.now() - openStarted;
    const health = (await (await fetch(`${h.url}/health`, { headers: h.admin })).json()) as {
      events: { clients: number };
    };
    const withStreams = memory();

    const burstStarted = performance.now();
    const statuses = await pool(
      users.map(
        (id) => async () =>
          (await client.post("/api/fire", { signal_id: signal.id }, { authorization: auth.get(id)! })).status,
      ),
      opts.concurrency ?? 128,
    );
    const burstMs = performance.now() - burstStarted;
    const deadline = performance.now() + 15_000;
    while (streams.some((s) => s.reachedAtMs === null) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const afterBurst = memory();
    const starved = streams.filter((s) => s.reachedAtMs === null);
    const lastMs = Math.max(...streams.map((s) => s.reachedAtMs ?? Number.NaN)) - burstStarted;
    const frames = streams.map((s) => s.frames);
    return {
      streams: { open: streams.length, server_clients: health.events.clients, open_ms: Math.round(openMs) },
      burst: {
        fires: fireCount,
        accepted_202: statuses.filter((s) => s === 202).length,
        other: statuses.filter((s) => s !== 202).length,
        ms: Math.round(burstMs),
        fires_per_s: Math.round(fireCount / (burstMs / 1000)),
      },
      delivery: {
        every_stream_got_final_count: starved.length === 0,
        starved_streams: starved.length,
        final_count_at_all_streams_ms: Number.isFinite(lastMs) ? Math.round(lastMs) : null,
        fire_count_frames_per_stream: { min: Math.min(...frames), max: Math.max(...frames) },
      },
      memory: { idle, with_streams: withStreams, after_burst: afterBurst },
    };
  } finally {
    for (const s of streams) s.req.destroy();
    agent.destroy();
    client.close();
    await h.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchLoad(), null, 2));
