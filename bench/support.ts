import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { join } from "node:path";
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
  return {
    url: `http://127.0.0.1:${port}/bare`,
    root: `http://127.0.0.1:${port}`,
    server: app.server,
    close: () => app.close(),
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
 * The burst with wrk as the client (C, one thread: far less CPU per request than any Node client
 * on these 2-core machines). wrk sends the taps in order (bench/burst.lua) over `concurrency`
 * connections; the answers are counted on `server` itself, and the time is from starting wrk to
 * the last tap's answer leaving the server. wrk is then stopped.
 */
export async function runWrkBurst(
  dir: string,
  server: Server,
  url: string,
  signalId: string,
  auths: string[],
  concurrency = 256,
) {
  const authsFile = join(dir, `burst-${Date.now()}.txt`);
  writeFileSync(authsFile, `${auths.join("\n")}\n`);
  const statuses: Record<string, number> = {};
  let answered = 0;
  let finished: () => void = () => undefined;
  const allAnswered = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST" || req.url !== "/api/fire") return;
    res.once("finish", () => {
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (++answered === auths.length) finished();
    });
  };
  server.prependListener("request", onRequest);
  const t0 = performance.now();
  const child = spawn(
    "wrk",
    ["-t1", `-c${concurrency}`, "-d300s", "--timeout", "30s", "-s", join(import.meta.dirname, "burst.lua"), url],
    { env: { ...process.env, AUTHS_FILE: authsFile, SIGNAL_ID: signalId }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = once(child, "exit");
  await Promise.race([allAnswered, exited]);
  const ms = performance.now() - t0;
  server.off("request", onRequest);
  child.kill("SIGINT");
  await exited;
  return { statuses, ms, answered, errors: auths.length - answered };
}
