import { spawn } from "node:child_process";
import { closeSync, openSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDb } from "../../../db/index.ts";
import { createStore } from "../../../db/store.ts";
import { tempDir } from "../../support/tmp.ts";
import { ROOT } from "../support/cli.ts";
import { freePort } from "../support/server-process.ts";

/** Runs the real server until it exits (or 60 s pass) and returns its exit code and output. */
function runServer(databasePath: string, port: number, preload: string[] = []) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", ...preload.flatMap((p) => ["--import", p]), "server/main.ts"],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          BOT_TOKEN: "",
          DEMO: "0",
          HOST: "127.0.0.1",
          PORT: String(port),
          DATABASE_PATH: databasePath,
          LOG_LEVEL: "warn",
          BRIDGE_DIR: "",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c;
    });
    const kill = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("exit", (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Finding 7 of issue #21: a damaged database stops start-up in one line; no raw stack after listen. */
describe("server start-up and fatal errors", () => {
  const tmp = tempDir("sortie-startup-");
  afterAll(() => tmp.cleanup());

  it("a database file with damaged pages stops start-up with one clear line, before listening", async () => {
    const path = join(tmp.dir, "damaged.db");
    const sqlite = openDb(path);
    const store = createStore(sqlite);
    const now = new Date().toISOString();
    for (let i = 0; i < 300; i++)
      await store.users.ensureUser({ id: 10_000 + i, first_name: `Trader number ${i}` }, now);
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
    sqlite.close();
    // Garbage over pages in the middle of the file (not the header: that would be "not a database").
    const size = statSync(path).size;
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const port = await freePort();
    const run = await runServer(path, port);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^sortie: cannot open database .*damaged/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 90_000);

  it("an unhandled rejection after listen is logged in one line and the server stops cleanly", async () => {
    const port = await freePort();
    const run = await runServer(join(tmp.dir, "fine.db"), port, [
      "./test/hardening/review2/support/reject-after-listen.ts",
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/sortie: stopping after an unhandled rejection: boom from a forgotten promise/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  }, 90_000);
});
