import { mkdir, readdir, readFile, rename, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createFileDropTransport, type FileDropTransport } from "../../../bridge/filedrop/index.ts";
import type { BridgeService } from "../../../bridge/protocol.ts";
import { EURUSD_M, makeCommand, makeTempDir, waitFor } from "../../bridge/support/fixtures.ts";
import { createMemoryBridgeService, type MemoryBridgeService } from "../../bridge/support/memory-service.ts";

const USER = 7;

/** Findings 6 (links) and 9 (heartbeat.json size and mtime) of issue #21, on the file drop. */
describe("file drop hardening", () => {
  let dir: { path: string; remove(): Promise<void> };
  let outside: { path: string; remove(): Promise<void> };
  let service: MemoryBridgeService;
  let transport: FileDropTransport | null;
  const logs: string[] = [];
  beforeEach(async () => {
    dir = await makeTempDir("hard-filedrop");
    outside = await makeTempDir("hard-victim");
    service = createMemoryBridgeService({ visibilityMs: 200 });
    transport = null;
  });
  afterEach(async () => {
    await transport?.stop();
    await dir.remove();
    await outside.remove();
  });
  const start = async (svc: BridgeService = service) => {
    transport = createFileDropTransport({
      dir: dir.path,
      userId: USER,
      service: svc,
      pollMs: 50,
      settleMs: 100,
      tmpStaleMs: 300,
      log: (line) => logs.push(line),
    });
    await transport.start();
    return transport;
  };

  it("a symlink planted at in/<id>.tmp is never written through; it is moved aside and the command still arrives", async () => {
    const victim = join(outside.path, "victim.txt");
    await writeFile(victim, "precious");
    await mkdir(join(dir.path, "in"), { recursive: true });
    const command = makeCommand();
    await symlink(victim, join(dir.path, "in", `${command.id}.tmp`));
    // A link pointing nowhere yet: "w" would create its target.
    const ghost = makeCommand();
    await symlink(join(outside.path, "created.txt"), join(dir.path, "in", `${ghost.id}.tmp`));
    service.enqueue(USER, command);
    service.enqueue(USER, ghost);
    await start();
    await waitFor(
      async () => (await readdir(join(dir.path, "in"))).includes(`${command.id}.json`),
      15_000,
      "the command file after the link is swept",
    );
    await waitFor(async () => (await readdir(join(dir.path, "in"))).includes(`${ghost.id}.json`), 15_000, "ghost");
    expect(await readFile(victim, "utf8")).toBe("precious");
    expect(await readdir(outside.path)).toEqual(["victim.txt"]);
    expect(JSON.parse(await readFile(join(dir.path, "in", `${command.id}.json`), "utf8"))).toMatchObject({
      id: command.id,
    });
    expect((await readdir(join(dir.path, "quarantine"))).filter((f) => f.endsWith(".tmp"))).toHaveLength(2);
  });

  it("a report that is a link is refused (quarantined), not read through", async () => {
    const secret = join(outside.path, "secret.json");
    await writeFile(secret, JSON.stringify({ id: "c1", status: "filled", retcode: 10009 }));
    await mkdir(join(dir.path, "out"), { recursive: true });
    await symlink(secret, join(dir.path, "out", "c1.json"));
    await start();
    await waitFor(async () => (await readdir(join(dir.path, "quarantine"))).length > 0, 15_000, "quarantine");
    expect(service.resultPosts).toEqual([]);
    expect(logs.join("\n")).toMatch(/symbolic link/);
  });

  it("heartbeat.json is parsed once per version, never when too large or stale", async () => {
    let parses = 0;
    const counting: BridgeService = {
      ...service,
      heartbeat(userId, body) {
        parses++;
        return service.heartbeat(userId, body);
      },
    };
    const path = join(dir.path, "heartbeat.json");
    const body = {
      account: { login: 1, server: "Demo", currency: "USD", balance: 1000, equity: 1000, trade_allowed: true },
      symbols: [EURUSD_M],
    };
    await mkdir(dir.path, { recursive: true });
    await writeFile(path, JSON.stringify(body));
    const t = await start(counting);
    await waitFor(() => parses >= 1, 15_000, "the first heartbeat");
    expect(parses).toBe(1);
    // Unchanged: not even read and parsed again (it was, every 200 ms).
    const parse = vi.spyOn(JSON, "parse");
    try {
      for (let i = 0; i < 5; i++) await t.scanNow();
      expect(parse.mock.calls.filter(([text]) => String(text).includes('"account"'))).toHaveLength(0);
    } finally {
      parse.mockRestore();
    }
    expect(parses).toBe(1);
    // 3 MB of spaces inside valid JSON: over the cap, quarantined without parsing.
    // Each version is written aside and renamed in, as the EA does.
    const drop = async (text: string, mtime?: Date) => {
      const aside = join(outside.path, "next.json");
      await writeFile(aside, text);
      if (mtime) await utimes(aside, mtime, mtime);
      await rename(aside, path);
    };
    await drop(`{"account":${JSON.stringify(body.account)}${" ".repeat(3 * 1024 * 1024)}}`);
    await waitFor(async () => (await readdir(join(dir.path, "quarantine"))).length === 1, 15_000, "quarantine");
    expect(parses).toBe(1);
    expect(logs.join("\n")).toMatch(/too large/);
    // A stale one (terminal stopped long ago) is not even read.
    await drop("{not json", new Date(Date.now() - 3600_000));
    for (let i = 0; i < 3; i++) await t.scanNow();
    expect(parses).toBe(1);
    expect(await readdir(join(dir.path, "quarantine"))).toHaveLength(1);
  });
});
