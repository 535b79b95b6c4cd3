/**
 * `/health` latency during a heartbeat flood at the rate limit (issue #21, finding 5).
 * `npx tsx bench/health-flood.ts [root]`: starts the real server from `root` (default: this
 * checkout) in local mode with the default limits (6,000 requests a minute per address and per
 * token), links one terminal, then runs two clients in their own processes: a flood of heartbeats
 * at 100 a second (= 6,000 a minute, the limit), each with 1,000 fresh symbol specs and prices,
 * and a probe asking `/health` every 50 ms from another address. Prints p50/p95 of the probe.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { sign } from "@telegram-apps/init-data-node";

const root = resolve(process.argv[2] ?? join(import.meta.dirname, ".."));
const port = 18_000 + Math.floor(Math.random() * 1000);
const url = `http://127.0.0.1:${port}`;
const dir = mkdtempSync(join(tmpdir(), "sortie-health-flood-"));
const FLOOD_S = 30;

const server = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
  cwd: root,
  env: {
    ...process.env,
    BOT_TOKEN: "",
    DEMO: "0",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_PATH: join(dir, "s.db"),
    LOG_LEVEL: "error",
  },
  stdio: ["ignore", "ignore", "inherit"],
});

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function get(path: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((done) => {
    const req = request(`${url}${path}`, { agent }, (res) => {
      res.resume();
      res.on("end", () => done({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on("error", () => done({ status: 0, ms: performance.now() - started }));
    req.end();
  });
}

try {
  for (let i = 0; (await get("/health")).status !== 200; i++) {
    if (i > 300) throw new Error("server did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  const initData = sign(
    { user: { id: 77, first_name: "Flood" } as never, query_id: "q" } as never,
    "local:sortie",
    new Date(),
  );
  const tokenRes = await fetch(`${url}/api/me/bridge-token`, {
    method: "POST",
    headers: { authorization: `tma ${initData}` },
  });
  const { token } = (await tokenRes.json()) as { token: string };

  const quiet: number[] = [];
  for (let i = 0; i < 100; i++) {
    quiet.push((await get("/health")).ms);
    await new Promise((r) => setTimeout(r, 20));
  }
  const flood = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(import.meta.dirname, "heartbeat-flood-client.ts"),
      url,
      token,
      "100",
      String(FLOOD_S),
      "1000",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let floodOut = "";
  flood.stdout.on("data", (c: Buffer) => {
    floodOut += c;
  });
  const floodDone = new Promise((r) => flood.once("exit", r));
  await new Promise((r) => setTimeout(r, 3000)); // the flood reaches its rate
  const during: number[] = [];
  const statuses: Record<number, number> = {};
  const until = Date.now() + (FLOOD_S - 6) * 1000;
  while (Date.now() < until) {
    const { status, ms } = await get("/health");
    statuses[status] = (statuses[status] ?? 0) + 1;
    during.push(ms);
    await new Promise((r) => setTimeout(r, 50));
  }
  await floodDone;
  const rows = (await fetch(`${url}/metrics`).catch(() => null))?.status;
  const pct = (xs: number[], p: number) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
  };
  console.log(
    JSON.stringify({
      root,
      quiet_ms: { p50: pct(quiet, 50), p95: pct(quiet, 95) },
      during_flood_ms: { p50: pct(during, 50), p95: pct(during, 95), p99: pct(during, 99), n: during.length },
      health_statuses: statuses,
      flood: JSON.parse(floodOut || "{}"),
      metrics_status: rows,
    }),
  );
} finally {
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
}
