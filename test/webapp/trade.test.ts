import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Mission } from "../../webapp/src/types.ts";
import { byTest, openApp, SHOTS, screenshot } from "./support/browser.ts";
import { webappWorld } from "./support/world.ts";

const world = webappWorld();

describe("Mini App trade controls (real server, paper terminal, headless Chromium)", () => {
  it("Breakeven on a filled mission: confirm, live progress, timeline shows the stops moved", async () => {
    const trader = await world.server.trader(8101, 10_000);
    const signal = await world.server.createSignal({ take_profit: [1.089, 1.091] });
    const fired = await fetch(`${world.server.url}/api/fire`, {
      method: "POST",
      headers: { authorization: `tma ${trader.initData}`, "content-type": "application/json" },
      body: JSON.stringify({ signal_id: signal.id }),
    });
    expect(fired.status).toBe(202);
    const deadline = Date.now() + 20_000;
    while ((await world.server.api<Mission>(trader, `/api/missions/${signal.id}`)).fire?.state !== "filled") {
      if (Date.now() > deadline) throw new Error("never filled");
      await new Promise((r) => setTimeout(r, 50));
    }
    world.server.prices.set!("EURUSD", 1.087, 1.08702); // in profit: a stop at the fill is valid

    const { page, errors } = await openApp(world.browser, world.server.url, trader, signal.id);
    await page.waitForSelector(byTest("trade-controls"), { timeout: 20_000 });
    expect(await page.textContent(byTest("trade-leg-1"))).toContain("stop 1.08300");
    // The risk dashboard: 0.50 lots filled at 1.08502 with the stop at 1.0830 (20.2 pips × $5) = $101.
    await page.waitForFunction(
      (selector) => document.querySelector(selector)?.textContent === "open · 0.50 lots · $101.00 at risk",
      byTest("open-risk"),
      { timeout: 10_000 },
    );
    await page.fill(byTest("trade-sl-input"), "1.0840");
    expect(await page.textContent(byTest("trade-sl-pips"))).toBe("10.0 pips from entry");
    await page.fill(byTest("trade-sl-input"), "");

    await page.click(byTest("trade-breakeven"));
    await page.waitForSelector(byTest("trade-confirm"));
    expect(await page.textContent(byTest("trade-confirm"))).toContain("own fill price");
    await page.click(byTest("trade-confirm-button"));
    await page.waitForSelector(`${byTest("trade-progress")}[data-phase="applied"]`, { timeout: 20_000 });
    await page.waitForFunction(
      (selector) => document.querySelectorAll(`${selector} [data-kind="stop_moved"]`).length === 2,
      byTest("position-timeline"),
      { timeout: 20_000 },
    );
    expect(await page.textContent(byTest("trade-leg-1"))).toContain("stop 1.08502");
    // The stops at the fill: nothing at risk any more (was: still "$101.00 at risk", as sized at entry).
    await page.waitForFunction(
      (selector) => document.querySelector(selector)?.textContent === "open · 0.50 lots · nothing at risk",
      byTest("open-risk"),
      { timeout: 10_000 },
    );
    const stops = trader.terminal!.positions().map((p) => p.stop_loss);
    expect(stops).toEqual([1.08502, 1.08502]);
    await screenshot(page, "trade-breakeven", true);

    await page.click(byTest("trade-close-leg-2"));
    await page.click(byTest("trade-confirm-button"));
    await page.waitForFunction(
      (selector) => document.querySelectorAll(`${selector} [data-kind="closed"]`).length >= 1,
      byTest("position-timeline"),
      { timeout: 20_000 },
    );
    // Leg 2 closed, leg 1 still open: the headline says what the closed leg made so far.
    await page.waitForFunction(
      (selector) => document.querySelector(selector)?.textContent?.includes("1 of 2 legs closed"),
      byTest("fire-headline"),
      { timeout: 10_000 },
    );
    expect(await page.textContent(byTest("fire-headline"))).toMatch(
      /^Filled at 1\.\d{5} · 1 of 2 legs closed, [+−-]?\$\d/,
    );
    expect(await page.locator(".fire-step").allTextContents()).toEqual(["queued", "delivered", "filled", "closed"]);
    await screenshot(page, "trade-closed-leg", true);
    await page.locator(byTest("trade-controls")).screenshot({ path: join(SHOTS, "trade-controls.png") });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);
});
