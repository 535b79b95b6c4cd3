import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_ADMIN, DEMO_BOT, DEMO_PRICES, DEMO_TRADERS } from "../../../server/local/demo.ts";
import { launchChromium } from "../../webapp/support/browser.ts";
import { buildWebappOnce } from "../../webapp/support/server.ts";
import { type LocalWorld, startLocalWorld } from "./support.ts";

const SHOTS = join(process.cwd(), "test-results", "console");
const AVA = DEMO_TRADERS[0]!;

/**
 * The chat console of /local in real headless Chromium, against local mode in-process: the real
 * bot (same composers and conversations as production) behind the local Bot API, demo traders'
 * paper terminals over real HTTP, the Mini App build.
 */
describe("local mode's chat console (Chromium)", () => {
  let world: LocalWorld;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const distDir = await buildWebappOnce();
    world = await startLocalWorld({ distDir });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
    page = await context.newPage();
    await page.goto(`${world.harness.url}/local`);
    await page.waitForSelector('[data-testid="console-status"]:text("live")');
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  const shot = (target: Page | Locator, name: string) => target.screenshot({ path: join(SHOTS, `${name}.png`) });
  const messages = () => page.locator('[data-testid="message"]');
  const lastBotMessage = () => page.locator(`[data-testid="message"][data-from="${DEMO_BOT.id}"]`).last();

  async function be(userId: number, chat: "private" | "group") {
    await page.selectOption('[data-testid="console-who"]', String(userId));
    await page.click(`[data-testid="console-chat-${chat}"]`);
    await page.waitForSelector(`[data-testid="console-chat-${chat}"][aria-selected="true"]`);
  }

  async function type(text: string) {
    await page.fill('[data-testid="console-input"]', text);
    await page.click('[data-testid="console-send"]');
  }

  /** Waits until the bot's newest message in the open chat contains `text`. */
  async function botSays(text: string) {
    await expect.poll(async () => lastBotMessage().innerText(), { timeout: 15_000 }).toContain(text);
  }

  async function tap(label: string) {
    await lastBotMessage().getByRole("button", { name: label, exact: true }).click();
  }

  it("runs /signal through its buttons as the demo admin; the alert reaches the group; Ava fires from it and gets the fill DM", async () => {
    await be(DEMO_ADMIN.id, "private");
    await type("/signal");
    await botSays("1/11 Symbol?");
    const entry = DEMO_PRICES.EURUSD!.ask; // the static market: a fire at the entry fills
    for (const [answer, next] of [
      ["EURUSD", "2/11"],
      ["BUY", "3/11"],
      [String(entry), "4/11"],
      [(entry - 0.002).toFixed(5), "5/11"],
      [(entry + 0.004).toFixed(5), "6/11"],
      ["30", "7/11"],
    ] as const) {
      await type(answer);
      await botSays(next);
    }
    await tap("Skip");
    await botSays("8/11");
    // The admin's notes carry HTML: the bot escapes it, the console shows it as the text it is.
    await type("<b>Watch</b> the retest & <i>hold</i>");
    await botSays("9/11");
    await tap("NIBBLER");
    await botSays("10/11");
    await tap("Skip");
    await botSays("11/11");
    await tap("Skip");
    await botSays("Preview");
    const previewId = await lastBotMessage().getAttribute("data-message-id");
    const preview = page.locator(`[data-testid="message"][data-message-id="${previewId}"]`);
    expect(await preview.locator('[data-testid="message-text"]').innerText()).toContain(
      "<b>Watch</b> the retest & <i>hold</i>",
    );
    expect(await preview.locator("b").allInnerTexts()).toEqual(["Preview", "EURUSD BUY"]);
    await tap("✅ Confirm");
    await botSays("is live");
    const signalId = await lastBotMessage().locator("code").innerText();
    expect(signalId).toMatch(/^s_[A-Za-z0-9_-]+$/);
    // The Confirm button's message lost its buttons: an edit, shown in place.
    await expect.poll(() => preview.getAttribute("data-edited")).toBe("true");
    expect(await preview.locator('[data-testid="inline-button"]').count()).toBe(0);
    await shot(page, "console-1-wizard");
    await shot(page.locator('[data-testid="console"]'), "console-wizard-only");

    // The group: the alert, as posted (bold symbol, prices in code), with its Open mission button.
    await be(AVA.id, "group");
    const alert = messages().filter({
      has: page.locator(`a[data-testid="inline-button"][href*="${encodeURIComponent(signalId)}"]`),
    });
    await expect.poll(() => alert.count(), { timeout: 15_000 }).toBe(1);
    expect(await alert.locator("b").first().innerText()).toBe("EURUSD BUY");
    expect(await alert.locator("code").allInnerTexts()).toContain(String(entry));
    expect(await alert.innerText()).toContain("0 traders fired");
    await shot(page, "console-2-group-alert");

    // As Ava: Open mission opens the Mini App signed as Ava, on this signal; FIRE.
    const [app] = await Promise.all([
      page.context().waitForEvent("page"),
      alert.locator('[data-testid="inline-button"]', { hasText: "Open mission" }).click(),
    ]);
    await app.waitForSelector('[data-testid="fire-button"]:not([disabled])', { timeout: 30_000 });
    await app.click('[data-testid="fire-button"]');
    const confirm = await app
      .waitForSelector('[data-testid="fire-confirm-button"]', { timeout: 3000 })
      .catch(() => null);
    if (confirm) await confirm.click();
    await app.waitForSelector('[data-testid="fire-status"][data-state="filled"]', { timeout: 30_000 });
    await shot(app, "console-3-ava-fired");
    const fires = await world.harness.store.query("SELECT user_id, state FROM fires WHERE signal_id = ?", [signalId]);
    expect(fires).toEqual([{ user_id: AVA.id, state: "filled" }]);

    // The alert's fire count is edited in place: still one message, now saying 1 trader fired.
    await expect.poll(() => alert.innerText(), { timeout: 30_000 }).toContain("1 trader fired");
    expect(await alert.count()).toBe(1);
    expect(await alert.getAttribute("data-edited")).toBe("true");

    // Ava's private chat: the fill DM from the paper terminal's fill.
    await be(AVA.id, "private");
    const dm = messages().filter({ hasText: "Filled — EURUSD BUY" });
    await expect.poll(() => dm.count(), { timeout: 30_000 }).toBe(1);
    expect(await dm.locator("b").first().innerText()).toBe("Filled");
    await shot(page, "console-4-ava-fill-dm");
  }, 180_000);

  it("shows HTML a person types as text, never as markup", async () => {
    await be(AVA.id, "private");
    const typed = `<b>not bold</b> <script>window.pwned = 1</script> <a href="https://evil.example">link</a> &amp; <img src=x onerror="window.pwned=2">`;
    await type(typed);
    const mine = page.locator(`[data-testid="message"][data-from="${AVA.id}"]`).last();
    await expect.poll(() => mine.locator('[data-testid="message-text"]').textContent()).toBe(typed);
    expect(await mine.locator("b, script, a, img").count()).toBe(0);
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    // The bot does not answer plain text in a private chat with anything that could echo it; its
    // own HTML (the /help reply) is rendered as Telegram would: bold as bold.
    await type("/help");
    await botSays("Sortie turns each signal");
    expect(await lastBotMessage().locator("b").first().innerText()).toBe("Sortie");
    // Its /commands are tappable, as in Telegram: tapping one sends it.
    await lastBotMessage().locator("a.command", { hasText: "/trades" }).click();
    await expect
      .poll(() => page.locator(`[data-testid="message"][data-from="${AVA.id}"]`).last().innerText())
      .toContain("/trades");
    await expect.poll(() => lastBotMessage().innerText()).toMatch(/Recent trades|No trades yet/);
    await shot(page, "console-5-html-as-text");
  }, 60_000);
});
