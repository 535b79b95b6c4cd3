import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { LOCAL_BOT_TOKEN } from "../server/config/index.ts";
import { BENCH_ADMIN_TOKEN, startRealServer } from "./real-server.ts";
import { percentile, round } from "./support.ts";

/** Runs bench/bridge-client.ts against `root` and returns its samples. */
async function runClient(root: string, samples: number, warmup: number, firstUserId: number) {
  const input = { root, adminToken: BENCH_ADMIN_TOKEN, signingToken: LOCAL_BOT_TOKEN, samples, warmup, firstUserId };
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "bridge-client.ts"), JSON.stringify(input)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let output = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    output += chunk;
  });
  const [code] = (await once(child, "exit")) as [number];
  if (code !== 0) throw new Error(`bridge client exited with ${code}`);
  return JSON.parse(output) as { fireToCommandMs: number[]; roundTripMs: number[]; coldRoundTripMs: number[] };
}

/**
 * Fire → terminal, measured from outside the server (issue #18). The real server runs in its own
 * process in local mode (paper terminals running, SQLite at its default durability); the client
 * is another process (bench/bridge-client.ts). Each run: 10 warm-up samples, then `samples`;
 * reported beside the same client's `GET /health` round trip in the same run, and beside that
 * round trip taken after the same 30 ms of quiet as a fire (see bridge-client.ts). `runs` fresh servers.
 */
export async function benchBridge(opts: { samples?: number; runs?: number } = {}) {
  const samples = opts.samples ?? 200;
  const runCount = opts.runs ?? 3;
  const runs = [];
  for (let r = 0; r < runCount; r++) {
    const server = await startRealServer();
    try {
      const out = await runClient(server.root, samples, 10, 500_000);
      const p = (xs: number[], q: number) => round(percentile(xs, q), 3);
      runs.push({
        fire_to_command: { p50_ms: p(out.fireToCommandMs, 50), p99_ms: p(out.fireToCommandMs, 99) },
        health_round_trip: { p50_ms: p(out.roundTripMs, 50), p99_ms: p(out.roundTripMs, 99) },
        p50_ratio_to_round_trip: round(percentile(out.fireToCommandMs, 50) / percentile(out.roundTripMs, 50), 2),
        // Beside the method, not part of it: the same round trip after 30 ms of quiet, as each fire starts.
        cold_health_round_trip: { p50_ms: p(out.coldRoundTripMs, 50), p99_ms: p(out.coldRoundTripMs, 99) },
        p50_ratio_to_cold_round_trip: round(
          percentile(out.fireToCommandMs, 50) / percentile(out.coldRoundTripMs, 50),
          2,
        ),
      });
    } finally {
      await server.stop();
    }
  }
  return {
    method: "issue #18: client process, node:http keep-alive, new trader per sample, poll wait=10, fire 30 ms later",
    samples_per_run: samples,
    runs,
    targets: { p99_ms: 3, p50_ratio_to_round_trip: 2 },
  };
}
