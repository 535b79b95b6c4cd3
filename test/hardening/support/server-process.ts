import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { ROOT } from "./cli.ts";

export const PROCESS_ADMIN_TOKEN = "crash-test-admin-token-0123456789";

/** A free loopback port: bind to 0, read it, release it (the server binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = address && typeof address === "object" ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** SIGKILL: no shutdown hooks, no checkpoint, exactly like a crash or the OOM killer. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the graceful exit. */
  stop(): Promise<number | null>;
}

/**
 * Starts the real server (`node --import tsx server/main.ts`) in local mode without demo traders
 * (no BOT_TOKEN, DEMO=0), rate limits off, on `port`, and waits until /health answers ok.
 */
export async function startServerProcess(opts: {
  databasePath: string;
  port: number;
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(BOT_TOKEN|DATABASE_PATH|PORT|HOST|BRIDGE_DIR.*)$/.test(k)),
  );
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: {
      ...base,
      DEMO: "0",
      HOST: "127.0.0.1",
      PORT: String(opts.port),
      DATABASE_PATH: opts.databasePath,
      ADMIN_API_TOKEN: PROCESS_ADMIN_TOKEN,
      RATE_LIMIT_PER_MIN: "0",
      RATE_LIMIT_IP_PER_MIN: "0",
      LOG_LEVEL: "warn",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 60_000; // generous: the machine may be loaded
  for (;;) {
    if (dead) throw new Error(`server exited during start-up:\n${output}`);
    const ok = await fetch(`${url}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server did not become healthy in 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    output: () => output,
    async kill() {
      if (!dead) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (!dead) child.kill("SIGTERM");
      return exited;
    },
  };
}
