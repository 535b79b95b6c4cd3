import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import Fastify from "fastify";

/** A bare Fastify route in the same process: the baseline every endpoint figure is divided by. */
export async function bareServer() {
  const app = Fastify();
  app.get("/bare", async () => ({ ok: true }));
  // The burst's baseline: the same request shape, answered at once with no work behind it.
  app.post("/api/fire", async (_req, reply) => reply.status(202).send({ fire: { id: "f_bare", state: "queued" } }));
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = address && typeof address === "object" ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/bare`, root: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** autocannon for `durationS` seconds; returns req/s (mean) and latency p50/p99 (ms). */
export async function cannon(url: string, headers: Record<string, string> = {}, durationS = 5, connections = 10) {
  const result = await autocannon({ url, headers, duration: durationS, connections, pipelining: 1 });
  return {
    rps: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Runs `tasks` with at most `limit` in flight. */
export async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

/**
 * Runs bench/burst-client.ts in a child process (client and server must not share one JS thread)
 * against `url`'s POST /api/fire, one request per entry of `auths`.
 */
export async function runBurstClient(dir: string, url: string, signalId: string, auths: string[], concurrency = 256) {
  const input = join(dir, `burst-${Date.now()}.json`);
  writeFileSync(input, JSON.stringify({ url, signalId, auths, concurrency }));
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "burst-client.ts"), input], {
    stdio: "inherit",
  });
  await once(child, "exit");
  return JSON.parse(readFileSync(`${input}.out.json`, "utf8")) as {
    statuses: Record<string, number>;
    ms: number;
    errors: number;
  };
}
