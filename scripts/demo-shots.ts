/**
 * Screenshots of local mode for the README: a demo trader opens the newest demo signal, fires,
 * sees it filled, and waits on the simulated market (a random walk, nothing scripted) until the
 * trade closes; then the bot's DMs to him in the chat console of /local. Run: `npx tsx scripts/demo-shots.ts [outDir]`
 * (default docs/img). Uses Sortie as a user would: `server/main.ts` in local mode, real Chromium.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWebapp, launchChromium } from "../bench/webapp.ts";

const OUT = process.argv[2] ?? "docs/img";
const PORT = 18_000 + Math.floor(Math.random() * 1000);
const CLOSE_WITHIN_MS = 4 * 60_000;

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await buildWebapp();
  const dataDir = mkdtempSync(join(tmpdir(), "sortie-demo-"));
  const server = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env: { ...process.env, BOT_TOKEN: "", PORT: String(PORT), DATABASE_PATH: join(dataDir, "sortie.db") },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const links = new Map<string, string>();
  server.stdout.setEncoding("utf8");
  server.stdout.on("data", (chunk: string) => {
    for (const match of chunk.matchAll(/^\s+(\w+) \([A-Z]+, \$[\d,]+\): (\S+)$/gm)) links.set(match[1]!, match[2]!);
  });
  const browser = await launchChromium();
  try {
    const deadline = Date.now() + 60_000;
    while (!links.has("Ben")) {
      if (Date.now() > deadline) throw new Error("local mode printed no demo links");
      await new Promise((r) => setTimeout(r, 200));
    }
    const context = await browser.newContext({ viewport: { width: 390, height: 760 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const shot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`) });
    const base = `http://127.0.0.1:${PORT}`;
    let started = 0;
    // A fire is filled only near the signal's entry: one that the market already left is refused
    // ("price moved"), as a real EA would; then the newest signal (one every 30 s) is tried.
    for (let attempt = 1; ; attempt++) {
      const local = await (await fetch(`${base}/local`)).text();
      const link = [...local.matchAll(/href="([^"]*tgWebAppData=[^"]*)"/g)].map((m) => m[1]!.replace(/&#38;/g, "&"))[1];
      await page.goto(link ?? links.get("Ben")!);
      await page.waitForSelector('[data-testid="fire-button"]:not([disabled])');
      await page.waitForTimeout(1500); // the chart's first candles
      await shot("demo-1-mission");
      started = Date.now();
      await page.click('[data-testid="fire-button"]');
      const confirm = await page
        .waitForSelector('[data-testid="fire-confirm-button"]', { timeout: 3000 })
        .catch(() => null);
      if (confirm) await confirm.click();
      const status = await page.waitForSelector(
        '[data-testid="fire-status"]:not([data-state="queued"]):not([data-state="delivered"])',
        {
          timeout: 30_000,
        },
      );
      const state = await status.getAttribute("data-state");
      if (state === "filled" || state === "closed") break;
      console.log(`attempt ${attempt}: the fire was ${state}; trying the next signal`);
      if (attempt >= 6) throw new Error("no demo fire was filled");
      await new Promise((r) => setTimeout(r, 31_000));
    }
    await page.locator('[data-testid="fire-status"]').scrollIntoViewIfNeeded();
    await shot("demo-2-filled");
    await page.waitForSelector('[data-testid="fire-status"][data-state="closed"]', { timeout: CLOSE_WITHIN_MS });
    const seconds = Math.round((Date.now() - started) / 1000);
    await page.locator('[data-testid="fire-status"]').scrollIntoViewIfNeeded();
    await shot("demo-3-closed");
    // The bot's DMs to Ben, in his private chat of the console on /local.
    await page.goto(`http://127.0.0.1:${PORT}/local`);
    await page.waitForSelector('[data-testid="console-status"]:text("live")');
    await page.selectOption('[data-testid="console-who"]', "1002");
    await page.click('[data-testid="console-chat-private"]');
    await page.waitForSelector('[data-testid="message"]:has-text("Trade closed")', { timeout: 30_000 });
    await page.locator('[data-testid="console"]').screenshot({ path: join(OUT, "demo-4-dms.png") });
    console.log(`demo fire closed ${seconds} s after FIRE; screenshots in ${OUT}`);
  } finally {
    await browser.close();
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
