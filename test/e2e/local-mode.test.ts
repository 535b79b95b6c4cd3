import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/tmp.ts";
import { waitFor } from "../support/wait.ts";

const ROOT = join(import.meta.dirname, "..", "..");

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  return typeof address === "object" && address ? address.port : 0;
}

/** Local mode as a newcomer starts it: the real process, no BOT_TOKEN, demo traders and paper terminals. */
describe("local mode (real process)", () => {
  const tmp = tempDir("sortie-local-");
  let proc: ChildProcess;
  let base = "";
  let output = "";
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    proc = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        BOT_TOKEN: "",
        PORT: String(port),
        DATABASE_PATH: join(tmp.dir, "sortie.db"),
        ADMIN_API_TOKEN: "local-admin-token-123456",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    proc.stdout?.on("data", (d) => (output += d));
    proc.stderr?.on("data", (d) => (output += d));
    await waitFor(async () => (await fetch(`${base}/health`).catch(() => null))?.ok, 30_000, "server up");
    await waitFor(() => output.includes("Cleo"), 10_000, "demo links printed");
  }, 60_000);
  afterAll(async () => {
    proc.kill("SIGTERM");
    await once(proc, "exit");
    tmp.cleanup();
  });

  it("prints and serves demo links whose signed initData opens the app as each trader, and FIRE fills on the paper terminal", async () => {
    expect(output).toContain("mode: LOCAL");
    const page = await (await fetch(`${base}/local`)).text();
    const links = [...page.matchAll(/href="([^"]*tgWebAppData=[^"]*)"/g)].map((m) => m[1]!.replace(/&#38;/g, "&"));
    expect(links).toHaveLength(3);
    const initData = decodeURIComponent(new URL(links[1]!).hash.slice(1).split("&")[0]!.replace("tgWebAppData=", ""));
    const auth = { authorization: `tma ${initData}`, "content-type": "application/json" };
    const me = await (await fetch(`${base}/api/me`, { headers: auth })).json();
    expect(me.user).toMatchObject({ id: 1002, tier: "FANG", risk_percent: 1.5 });
    const signalId = new URL(links[1]!).searchParams.get("startapp")!;
    // The demo trader's paper terminal reports its balance: $25,000 × 1.5 % = $375 on the demo
    // signal's stop (0.1 % of the price: 11 pips on EURUSD near 1.085, $10 a pip a lot) = 3.40 lots.
    const mission = await waitFor(
      async () => {
        const m = await (await fetch(`${base}/api/missions/${signalId}`, { headers: auth })).json();
        return m.bridge?.online ? m : null;
      },
      15_000,
      "terminal online",
    );
    expect(mission.signal.symbol).toBe("EURUSD");
    const stopPips = Math.round(Math.abs(mission.signal.entry - mission.signal.stop_loss) / 0.0001);
    expect(stopPips).toBe(Math.round((mission.signal.entry * 0.001) / 0.0001));
    expect(mission.position.lots).toBe(Math.floor((375 / (stopPips * 10)) * 100 + 1e-9) / 100);
    const fired = await fetch(`${base}/api/fire`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ signal_id: signalId }),
    });
    expect(fired.status).toBe(202);
    const done = await waitFor(
      async () => {
        const m = await (await fetch(`${base}/api/missions/${signalId}`, { headers: auth })).json();
        return m.fire && !["queued", "delivered"].includes(m.fire.state) ? m : null;
      },
      15_000,
      "fire settled",
    );
    // The simulated market moves; within 15 minutes the fill is all but certain, a "price moved" refusal possible.
    expect(["filled", "closed", "rejected"]).toContain(done.fire.state);
    if (done.fire.state !== "rejected") expect(done.fire.fill_price).toBeGreaterThan(0);
    const local = await (await fetch(`${base}/local`)).text();
    expect(local).toContain('data-testid="console"');
    // The console's first frame: the real bot posted the demo signal's alert in the demo group.
    const controller = new AbortController();
    const stream = await fetch(`${base}/local/console/events`, { signal: controller.signal });
    const reader = stream.body!.getReader();
    let frame = "";
    while (!frame.includes("\n\n")) frame += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const hello = JSON.parse(frame.split("\n")[1]!.slice("data: ".length));
    const alert = hello.messages.find(
      (m: { chat: { type: string }; reply_markup?: { inline_keyboard: Array<Array<{ url?: string }>> } }) =>
        m.chat.type === "supergroup" && m.reply_markup?.inline_keyboard[0]?.[0]?.url?.endsWith(`/mission/${signalId}`),
    );
    expect(alert?.text).toContain("EURUSD");
  }, 60_000);

  it("refuses invalid configuration with one line naming the variable", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "server/main.ts"], {
      cwd: ROOT,
      env: { ...process.env, PORT: "eighty", DATABASE_PATH: join(tmp.dir, "bad.db") },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('sortie: invalid configuration: PORT: must be a whole number, got "eighty"');
  }, 40_000);

  it("says in one line when the database folder cannot be made, instead of hanging", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "server/main.ts"], {
      cwd: ROOT,
      env: { ...process.env, PORT: "0", DATABASE_PATH: "/proc/sortie-nope/sortie.db" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(/^sortie: cannot open database \/proc\/sortie-nope\/sortie\.db: ENOENT/);
  }, 40_000);
});
