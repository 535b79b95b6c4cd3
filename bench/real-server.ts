import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { tempDir } from "../test/support/tmp.ts";

export const BENCH_ADMIN_TOKEN = "bench-admin-token-0123456789";

/** A free loopback port (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = address && typeof address === "object" ? address.port : 0;
  server.close();
  await once(server, "close");
  return port;
}

/**
 * The real server (`server/main.ts`) in a process of its own, as an operator starts it: local mode
 * (no BOT_TOKEN), so the demo traders' paper terminals run and long-poll beside the benchmark's
 * clients; SQLite at its default durability; rate limits and logging at their defaults. Resolves
 * once `/health` answers. `rss()` reads the server's resident memory from /proc.
 */
export async function startRealServer<T = undefined>(
  env: Record<string, string> = {},
  /** Runs on the database path before the server opens it (seeding); its result is `seeded`. */
  seed?: (dbPath: string) => T | Promise<T>,
) {
  const tmp = tempDir("sortie-bench-server-");
  const dbPath = join(tmp.dir, "sortie.db");
  const seeded = (await seed?.(dbPath)) as T;
  const port = await freePort();
  const root = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      // BENCH_CPU_PROF=dir: a V8 CPU profile of the server, written there when it stops.
      ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF] : []),
      "--import",
      "tsx",
      join(import.meta.dirname, "..", "server", "main.ts"),
    ],
    {
      cwd: join(import.meta.dirname, ".."),
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? tmp.dir,
        HOST: "127.0.0.1",
        PORT: String(port),
        PUBLIC_URL: root,
        DATABASE_PATH: dbPath,
        ADMIN_API_TOKEN: BENCH_ADMIN_TOKEN,
        ...env,
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} during start-up`);
    try {
      if ((await fetch(`${root}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("the server did not answer /health within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    root,
    seeded,
    pid: child.pid!,
    dir: tmp.dir,
    /** Resident memory of the server process, in MiB. */
    async rssMib(): Promise<number> {
      const { readFileSync } = await import("node:fs");
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 102.4) / 10;
    },
    /** CPU time (user + system) the server process has used so far, in seconds. */
    async cpuS(): Promise<number> {
      const { readFileSync } = await import("node:fs");
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
    },
    async stop(): Promise<void> {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
      tmp.cleanup();
    },
  };
}
