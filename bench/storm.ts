import { spawn } from "node:child_process";
import { once } from "node:events";
import { loadavg } from "node:os";
import { join } from "node:path";
import { openDb } from "../db/index.ts";
import { createStore } from "../db/store.ts";
import { hashToken, newBridgeToken } from "../server/auth/tokens.ts";
import { LOCAL_BOT_TOKEN } from "../server/config/index.ts";
import { BENCH_ADMIN_TOKEN, startRealServer } from "./real-server.ts";
import { percentile, round } from "./support.ts";

/**
 * Signal storm (issue #14): 10,000 users open the Mini App within 10 s of an alert (mission GET +
 * SSE connect each), then 30 % of them fire within 30 s, each request on a connection of its own,
 * from a client process (bench/storm-client.ts) against the real server in its own process (local
 * mode, paper terminals running, limits at their defaults behind one trusted proxy hop). Every
 * user has a linked terminal (seeded in the database before the server starts; HEARTBEAT_STALE_S
 * is raised so seeded terminals stay online through the run); 200 of the firing users also have a
 * terminal long-poll parked, for fire → terminal during the storm. `STORM_USERS` scales it down;
 * `STORM_READERS` (default 2) is the number of processes holding the streams.
 */
export async function benchStorm(opts: { users?: number } = {}) {
  const users = opts.users ?? Number(process.env.STORM_USERS ?? 10_000);
  const firstUserId = 1_000_000;
  const server = await startRealServer({ TRUST_PROXY: "1", HEARTBEAT_STALE_S: "3600" }, async (dbPath) => {
    const sqlite = openDb(dbPath);
    const store = createStore(sqlite);
    const now = new Date().toISOString();
    const account = {
      login: 1,
      server: "Storm",
      currency: "USD",
      balance: 10_000,
      equity: 10_000,
      trade_allowed: true,
    };
    const terminals: Array<{ index: number; token: string }> = [];
    await store.transaction(async () => {
      for (let i = 0; i < users; i++) {
        const id = firstUserId + i;
        const token = newBridgeToken();
        await store.users.ensureUser({ id, first_name: "Storm" }, now);
        await store.users.setBridgeTokenHash(id, hashToken(token), now);
        await store.terminal.recordHeartbeat(id, account, [], [], Date.now());
        // One user in 50 also has a terminal long-poll parked before firing (200 of 10,000).
        if (i % 50 === 1) terminals.push({ index: i, token });
      }
    });
    sqlite.close();
    return terminals;
  });
  const loadAtStart = round(loadavg()[0]!, 1);
  let peakMib = await server.rssMib();
  const idleMib = peakMib;
  const sampler = setInterval(async () => {
    peakMib = Math.max(peakMib, await server.rssMib().catch(() => 0));
  }, 200);
  try {
    const input = {
      root: server.root,
      adminToken: BENCH_ADMIN_TOKEN,
      signingToken: LOCAL_BOT_TOKEN,
      users,
      // Processes that open the users and hold and read their streams (the firing process holds none).
      readers: Number(process.env.STORM_READERS ?? 2),
      firstUserId,
      fireShare: 0.3,
      openWindowS: 10,
      fireWindowS: 30,
      terminals: server.seeded,
    };
    const child = spawn(
      process.execPath,
      [
        "--max-old-space-size=4096",
        "--import",
        "tsx",
        join(import.meta.dirname, "storm-client.ts"),
        JSON.stringify(input),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    // The client's stdout: a "phase <name>" line as each phase begins (the server's CPU time is
    // read there), then one JSON line with the results.
    let output = "";
    const serverCpuAt: Record<string, Promise<number>> = {};
    // The server's event-loop delay over each phase, from /metrics (each scrape resets it).
    const loopDelayAt: Record<string, Promise<Record<string, number>>> = {};
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      output += chunk;
      for (let end = output.indexOf("\n"); end !== -1 && output.startsWith("phase "); end = output.indexOf("\n")) {
        serverCpuAt[output.slice(6, end)] = server.cpuS();
        loopDelayAt[output.slice(6, end)] = loopDelay(server.root);
        output = output.slice(end + 1);
      }
    });
    const [code] = (await once(child, "exit")) as [number];
    if (code !== 0) throw new Error(`storm client exited with ${code}`);
    const [cpuOpen, cpuFire, cpuEnd] = await Promise.all(["open", "fire", "end"].map((p) => serverCpuAt[p]));
    const [, loopOpen, loopFire] = await Promise.all(["open", "fire", "end"].map((p) => loopDelayAt[p]));
    const out = JSON.parse(output) as {
      latencies: Record<string, number[]>;
      errors: Record<string, number>;
      streamsOpen: number;
      streamsCut: number;
      streamsWithFinalCount: number;
      finalCount: number;
      finalCountLastSeenMs: number;
      fires: number;
      openedMs: number;
      firedMs: number;
      clientCpuS: Record<"firer" | "readers", { open: number; fire: number }>;
    };
    await new Promise((resolve) => setTimeout(resolve, 3000)); // streams closed, answers settled
    clearInterval(sampler);
    const afterMib = await server.rssMib();
    const kinds = Object.fromEntries(
      Object.entries(out.latencies).map(([kind, xs]) => [
        kind,
        xs.length === 0
          ? { n: 0 }
          : {
              n: xs.length,
              p50_ms: round(percentile(xs, 50), 2),
              p99_ms: round(percentile(xs, 99), 2),
              errors: out.errors[kind] ?? 0,
            },
      ]),
    );
    return {
      users,
      firing_users: out.fires,
      opened_in_s: round(out.openedMs / 1000, 1),
      fired_in_s: round(out.firedMs / 1000, 1),
      kinds,
      errors: Object.values(out.errors).reduce((a, b) => a + b, 0),
      streams_held_at_end: out.streamsOpen,
      streams_cut_by_server: out.streamsCut,
      // Every stream must end with the final count (the accepted fires), sent after the last fire.
      final_count: {
        count: out.finalCount,
        streams_with_it: out.streamsWithFinalCount,
        last_stream_ms_after_last_fire: round(out.finalCountLastSeenMs, 0),
      },
      server_rss_mib: { idle: idleMib, peak: peakMib, after: afterMib },
      server_event_loop_delay_ms: { open: loopOpen, fire: loopFire },
      // CPU seconds used in each phase (2 cores: a phase's wall time × 2 is all there is).
      cpu_s: {
        server: { open: round(cpuFire! - cpuOpen!, 1), fire: round(cpuEnd! - cpuFire!, 1) },
        firer: { open: round(out.clientCpuS.firer.open, 1), fire: round(out.clientCpuS.firer.fire, 1) },
        readers: { open: round(out.clientCpuS.readers.open, 1), fire: round(out.clientCpuS.readers.fire, 1) },
      },
      // The 1-minute load average (2 cores): what else ran on the machine.
      machine_load: { start: loadAtStart, end: round(loadavg()[0]!, 1) },
      targets: { errors: 0, fire_to_terminal_p99_ms: 10 },
    };
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
}

/** The server's event-loop delay (p50, p99, max, ms) since the previous scrape of /metrics. */
async function loopDelay(root: string): Promise<Record<string, number>> {
  const res = await fetch(`${root}/metrics`, { headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` } });
  const text = await res.text();
  const delay: Record<string, number> = {};
  for (const m of text.matchAll(/^sortie_event_loop_delay_seconds\{quantile="([^"]+)"\} (\S+)$/gm))
    delay[`${m[1] === "max" ? "max" : `p${Number(m[1]) * 100}`}`] = round(Number(m[2]) * 1000, 1);
  return delay;
}
