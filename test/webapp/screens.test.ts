import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Mission } from "../../webapp/src/types.ts";
import { byTest, openApp, screenshot, telegramValue } from "./support/browser.ts";
import { webappWorld } from "./support/world.ts";

const world = webappWorld();

describe("Mini App screens (real server, paper terminal, headless Chromium)", () => {
  it("a new risk % in the profile gives new lots on the briefing, equal to the API's", async () => {
    const trader = await world.server.trader(9001, 10_000);
    const signal = await world.server.createSignal();
    const { page, errors } = await openApp(world.browser, world.server.url, trader, signal.id);
    await page.waitForSelector(byTest("lots"));
    expect(await page.textContent(byTest("lots"))).toBe("0.50");

    await page.click("nav >> text=Profile");
    await page.waitForSelector(`${byTest("terminal-state")}[data-state="online"]`);
    await page.fill(byTest("risk-input"), "2");
    await page.click(byTest("risk-save"));
    await page.waitForSelector(`${byTest("risk-save")}:has-text("Saved")`);
    await screenshot(page, "profile-risk-saved");

    await page.click("nav >> text=Mission");
    await page.waitForSelector(`${byTest("lots")}:has-text("1.00")`);
    const mission = await world.server.api<Mission>(trader, `/api/missions/${signal.id}`);
    expect(mission.user.risk_percent).toBe(2);
    expect(await page.textContent(byTest("lots"))).toBe(mission.position.lots.toFixed(2));
    expect(await page.textContent(byTest("risk-amount"))).toBe("$200.00");
    // Telegram's BackButton walks back through the screens.
    expect(await telegramValue(page, "BackButton.isVisible", true)).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("issues the bridge token once and shows the EA install steps", async () => {
    const trader = await world.server.trader(9002);
    const { page } = await openApp(world.browser, world.server.url, trader);
    await page.click("nav >> text=Profile");
    await page.waitForSelector(`${byTest("terminal-state")}[data-state="offline"]`);
    await page.click(byTest("issue-token"));
    const token = (await page.textContent(`${byTest("bridge-token")} code`))!;
    expect(token.length).toBeGreaterThan(20);
    expect(await page.textContent(byTest("terminal"))).toContain("Allow WebRequest");
    // The EA comes from this server; the preset carries the server address and the new token.
    expect(await page.getAttribute(byTest("ea-download"), "href")).toBe(
      `${world.server.url}/downloads/sortie-bridge.zip`,
    );
    expect(await page.getAttribute(byTest("ea-preset"), "download")).toBe("SortieBridge.set");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(byTest("ea-preset"))]);
    expect(download.suggestedFilename()).toBe("SortieBridge.set");
    const preset = readFileSync((await download.path())!).toString("utf16le");
    expect(preset).toContain(`ServerUrl=${world.server.url}\r\n`);
    expect(preset).toContain(`BridgeToken=${token}\r\n`);
    await screenshot(page, "profile-token", true);
    await page.context().close();
  });

  it("lists active signals, opens one, and shows history with P&L stats", async () => {
    const trader = await world.server.trader(9003, 10_000);
    const first = await world.server.createSignal();
    await world.server.createSignal({
      symbol: "EURUSD",
      side: "SELL",
      entry: 1.085,
      stop_loss: 1.087,
      take_profit: [1.081],
    });
    const { page } = await openApp(world.browser, world.server.url, trader);
    await page.waitForSelector(byTest("signal-item"));
    expect(await page.locator(byTest("signal-item")).count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, "signals");

    await page.locator(byTest("signal-item"), { hasText: "BUY" }).first().click();
    await page.waitForSelector(byTest("briefing"));
    await page.click(byTest("fire-button"));
    await page.click(byTest("fire-confirm-button"));
    await page.waitForSelector(`${byTest("fire-status")}[data-state="filled"]`, { timeout: 20_000 });

    await page.click("nav >> text=History");
    await page.waitForSelector(`${byTest("history-item")}[data-state="filled"]`);
    await page.waitForSelector(byTest("stats"));
    expect(await page.textContent(byTest("history"))).toContain("0.50 lots");
    await screenshot(page, "history");
    expect(first.id).toBeTruthy();
    await page.context().close();
  });

  it("on a wide window (Telegram Desktop) the tabs and the top bar line up with the screen's column", async () => {
    const trader = await world.server.trader(9004);
    const signal = await world.server.createSignal();
    // Opened on a mission: five tabs (Mission, Signals, History, Stats, Profile).
    const { page, errors } = await openApp(world.browser, world.server.url, trader, signal.id);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.waitForSelector(byTest("briefing"));
    const box = async (selector: string) => (await page.locator(selector).first().boundingBox())!;
    const screen = await box(".screen");
    expect(screen.width).toBe(640);
    const tabs = await page.locator(".tab").evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON()));
    expect(tabs).toHaveLength(5);
    expect(tabs[0].left).toBeGreaterThanOrEqual(screen.x);
    expect(tabs[4].right).toBeLessThanOrEqual(screen.x + screen.width);
    const brand = await box(".brand");
    expect(brand.x).toBeGreaterThanOrEqual(screen.x);
    await screenshot(page, "wide-window");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("outside Telegram says to open it from Telegram; a local-mode link works in a plain browser", async () => {
    const trader = await world.server.trader(9004, 10_000);
    const signal = await world.server.createSignal();
    const context = await world.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.route("https://telegram.org/**", (route) => route.fulfill({ status: 200, body: "" }));
    await page.goto(`${world.server.url}/mission/${signal.id}`);
    await page.waitForSelector(byTest("outside"));
    expect(await page.textContent("h1")).toBe("Open this from Telegram");
    await screenshot(page, "outside-telegram");

    // Local mode: no Telegram object at all, the signed initData rides in the URL hash.
    const hash = new URLSearchParams({ tgWebAppData: trader.initData }).toString();
    await page.goto(`${world.server.url}/app/?startapp=${signal.id}#${hash}`);
    await page.waitForSelector(`${byTest("lots")}:has-text("0.50")`);
    await context.close();
  });
});
