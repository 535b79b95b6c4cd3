import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPaperTerminal, createStaticFeed } from "../../bridge/paper/index.ts";
import type { Mission } from "../../webapp/src/types.ts";
import { spec } from "../support/paper.ts";
import { byTest, openApp, screenshot, telegramValue } from "./support/browser.ts";
import { webappWorld } from "./support/world.ts";

const world = webappWorld();

describe("Mini App: several terminals in the profile (real server, paper terminals, headless Chromium)", () => {
  const stops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  it("lists each terminal with its dot, balance and last heartbeat; disables one and links another", async () => {
    const trader = await world.server.trader(9101, 10_000); // first terminal: paper, USD
    const post = async (path: string, body: unknown) => {
      const res = await fetch(world.server.url + path, {
        method: "POST",
        headers: { authorization: `tma ${trader.initData}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return (await res.json()) as { terminal: { id: string; token: string } };
    };
    const ftmo = (await post("/api/me/terminals", { name: "FTMO", allocation: 2 })).terminal;
    const paper = createPaperTerminal({
      transport: { kind: "http", baseUrl: world.server.url, token: ftmo.token, pollWaitS: 1 },
      stateFile: join(world.server.harness.dir, "paper-9101-ftmo.json"),
      account: { login: 77, server: "FTMO-Demo", currency: "EUR", balance: 80_000 },
      symbols: [spec("EURUSD.m", { tick_value: 0.92 })],
      prices: createStaticFeed({ "EURUSD.m": { bid: 1.085, ask: 1.08502 } }),
      heartbeatMs: 500,
      retryBaseMs: 100,
      retryMaxMs: 500,
    });
    await paper.start();
    stops.push(() => paper.stop());
    await post("/api/me/terminals", { name: "Spare" }); // never started: offline

    const { page, errors } = await openApp(world.browser, world.server.url, trader);
    await page.click("nav >> text=Profile");
    await page.waitForSelector(`${byTest("terminal-row")}:nth-child(2)[data-state="online"]`, { timeout: 15_000 });
    const rows = page.locator(byTest("terminal-row"));
    expect(await rows.count()).toBe(3);
    expect(await rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-state")))).toEqual([
      "online",
      "online",
      "offline",
    ]);
    const texts = await rows.allTextContents();
    expect(texts[0]).toContain("MT5");
    expect(texts[0]).toContain("$10,000.00");
    expect(texts[0]).toContain("seen");
    expect(texts[1]).toContain("FTMO");
    expect(texts[1]).toMatch(/80,000\.00/);
    expect(texts[2]).toContain("never seen");
    expect(await rows.nth(1).locator(byTest("terminal-allocation")).inputValue()).toBe("2");
    await screenshot(page, "profile-terminals", true);

    // Disable FTMO: the mission no longer trades it.
    await rows.nth(1).locator(byTest("terminal-toggle")).click();
    await page.waitForSelector(`${byTest("terminal-row")}:nth-child(2)[data-state="disabled"]`);
    const signal = await world.server.createSignal();
    const mission = await world.server.api<Mission & { terminals: Array<{ name: string; reason: string | null }> }>(
      trader,
      `/api/missions/${signal.id}`,
    );
    expect(mission.terminals.map((t) => [t.name, t.reason])).toEqual([
      ["MT5", null],
      ["FTMO", "disabled"],
      ["Spare", "offline"],
    ]);

    // The briefing shows each terminal's lots and risk, then what each one did.
    const briefing = await openApp(world.browser, world.server.url, trader, signal.id);
    await briefing.page.waitForSelector(byTest("mission-terminals"));
    const planned = briefing.page.locator(byTest("mission-terminal"));
    expect(await planned.evaluateAll((els) => els.map((el) => el.getAttribute("data-state")))).toEqual([
      "ready",
      "out",
      "out",
    ]);
    expect(await planned.nth(0).textContent()).toContain("0.50 lots · $100.00");
    expect(await planned.nth(1).textContent()).toContain("disabled");
    await screenshot(briefing.page, "mission-terminals");
    const fired = await fetch(`${world.server.url}/api/fire`, {
      method: "POST",
      headers: { authorization: `tma ${trader.initData}`, "content-type": "application/json" },
      body: JSON.stringify({ signal_id: signal.id }),
    });
    expect(fired.status).toBe(202);
    await briefing.page.reload();
    await briefing.page.waitForSelector(`${byTest("mission-terminal")}[data-state="filled"]`, { timeout: 15_000 });
    const outcome = await briefing.page.locator(byTest("mission-terminal")).allTextContents();
    expect(outcome[0]).toMatch(/MT5filled 0\.50 @ 1\.0850\d/);
    expect(outcome[1]).toContain("skipped — disabled");
    expect(outcome[2]).toContain("skipped — offline");
    await screenshot(briefing.page, "mission-terminals-fired");
    expect(briefing.errors).toEqual([]);
    await briefing.page.context().close();

    // Link another one by name: its token is shown once.
    await page.fill(byTest("terminal-name"), "Pepper");
    await page.click(byTest("terminal-link"));
    const token = await page.textContent(`${byTest("terminal-token")} code`);
    expect(token).toMatch(/^sb_/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="terminal-row"]').length === 4);
    await screenshot(page, "profile-terminals-linked", true);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
  it("FIRE's confirmation counts every terminal that trades: total lots and money at risk", async () => {
    const trader = await world.server.trader(9102, 10_000); // first terminal: paper, USD 10,000
    const res = await fetch(`${world.server.url}/api/me/terminals`, {
      method: "POST",
      headers: { authorization: `tma ${trader.initData}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Second", allocation: 0.5 }),
    });
    const second = ((await res.json()) as { terminal: { token: string } }).terminal;
    const paper = createPaperTerminal({
      transport: { kind: "http", baseUrl: world.server.url, token: second.token, pollWaitS: 1 },
      stateFile: join(world.server.harness.dir, "paper-9102-second.json"),
      account: { login: 78, server: "Second-Demo", currency: "USD", balance: 10_000 },
      symbols: [spec("EURUSD")],
      prices: createStaticFeed({ EURUSD: { bid: 1.085, ask: 1.08502 } }),
      heartbeatMs: 500,
      retryBaseMs: 100,
      retryMaxMs: 500,
    });
    await paper.start();
    stops.push(() => paper.stop());
    const signal = await world.server.createSignal();
    const { page, errors } = await openApp(world.browser, world.server.url, trader, signal.id);
    // Both terminals sized: 0.50 lots ($100) and, at half the risk, 0.25 lots ($50).
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="mission-terminal"][data-state="ready"]').length === 2,
      undefined,
      { timeout: 15_000 },
    );
    expect(await page.textContent(byTest("fire-button"))).toBe("FIRE · 0.75 LOTS");
    await page.click(byTest("fire-button"));
    const confirm = await page.textContent(byTest("fire-confirm"));
    expect(confirm).toContain("BUY 0.75 lots of EURUSD on MT5 0.50 · Second 0.25, risking $150.00.");
    expect(await telegramValue(page, "MainButton.text", "CONFIRM · RISK $150.00")).toBe("CONFIRM · RISK $150.00");
    await screenshot(page, "fire-confirm-two-terminals");
    await page.click(byTest("fire-cancel"));
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
