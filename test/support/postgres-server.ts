import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** Debian's PostgreSQL binaries (package `postgresql`); PG_BIN overrides. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  for (const version of ["17", "16", "15", "14", "13"]) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, "postgres"))) return dir;
  }
  throw new Error("PostgreSQL binaries not found: install Debian's `postgresql` package (or set PG_BIN)");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * PostgreSQL refuses to run as root: as root the server runs as the `postgres` system user (made
 * by Debian's package), or `nobody`, owning the temporary data folder.
 */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const user of ["postgres", "nobody"]) {
    try {
      const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
      return { uid, gid };
    } catch {}
  }
  throw new Error("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as");
}

export interface PostgresServer {
  /** `postgres://…/postgres` of the superuser. */
  url: string;
  port: number;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL server: `initdb` in a temporary folder, `postgres` on a free loopback
 * port (no Unix socket, fsync off: test data need no durability), stopped and deleted by `stop()`.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), "sortie-pg-"));
  const data = join(dir, "data");
  const user = runAs();
  chmodSync(dir, 0o777);
  // Spawned directly as that user (not through su/runuser) so stop() signals the server itself.
  const identity = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(join(bin, "initdb"), ["-D", data, "-U", "sortie", "--auth=trust", "-E", "UTF8", "--no-sync"], {
    stdio: "pipe",
    cwd: dir,
    ...identity,
  });
  const port = await freePort();
  const args = [
    "-D",
    data,
    "-p",
    String(port),
    "-h",
    "127.0.0.1",
    "-k",
    "",
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=300",
  ];
  const child: ChildProcess = spawn(join(bin, "postgres"), args, {
    stdio: ["ignore", "ignore", "pipe"],
    cwd: dir,
    ...identity,
  });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const url = `postgres://sortie@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start: ${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    port,
    urlFor: (database) => `postgres://sortie@127.0.0.1:${port}/${database}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGINT"); // fast shutdown
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      child.stderr?.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
