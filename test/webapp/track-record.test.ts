import { describe, expect, it } from "vitest";
import type { Performance } from "../../webapp/src/types.ts";
import { byTest, openApp, screenshot } from "./support/browser.ts";
import type { Trader } from "./support/server.ts";
import { webappWorld } from "./support/world.ts";

const world = webappWorld({ env: { TRACK_RECORD_PUBLIC: "1" } });

/** Waits until `check` holds (polling every 50 ms), or fails naming `what`. */
async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("track record in Chromium: the Mini App's Stats screen and the public page", () => {
  /**
   * Three trades closed in the paper market (one terminal, one shared price feed):
   * BUY at 1.08502 → TP 1.0890 (+1.99 R), BUY at 1.08902 → stop 1.0870 (−1.01 R), SELL at 1.08698 → TP 1.0830
   * (+1.99 R): 2.97 R in all, 2 wins of 3.
   */
  async function tradeThree(trader: Trader, count = 3) {
    const { server } = world;
    const steps: Array<{ body: Record<string, unknown>; at: [number, number]; exit: [number, number] }> = [
      { body: {}, at: [1.085, 1.08502], exit: [1.089, 1.08902] },
      {
        body: { entry: 1.089, stop_loss: 1.087, take_profit: [1.093] },
        at: [1.089, 1.08902],
        exit: [1.087, 1.08702],
      },
      {
        body: { side: "SELL", entry: 1.087, stop_loss: 1.089, take_profit: [1.083] },
        at: [1.08698, 1.087],
        exit: [1.0828, 1.083],
      },
    ];
    for (const [i, step] of steps.slice(0, count).entries()) {
      server.prices.set!("EURUSD", ...step.at);
      const signal = await server.createSignal(step.body);
      const fired = await fetch(`${server.url}/api/fire`, {
        method: "POST",
        headers: { authorization: `tma ${trader.initData}`, "content-type": "application/json" },
        body: JSON.stringify({ signal_id: signal.id }),
      });
      expect(fired.status).toBe(202);
      const state = async () =>
        (await server.api<{ fire: { state: string } | null }>(trader, `/api/missions/${signal.id}`)).fire?.state;
      await until(async () => (await state()) === "filled", `fill ${i + 1}`);
      server.prices.set!("EURUSD", ...step.exit);
      await until(async () => (await state()) === "closed", `close ${i + 1}`);
    }
  }

  it("the Stats screen draws the equity curve (R and money) and the R histogram, with the API's figures", async () => {
    const trader = await world.server.trader(17_001, 10_000);
    await tradeThree(trader);
    const perf = await world.server.api<Performance>(trader, `/api/users/${trader.user.id}/performance`);
    expect(perf).toMatchObject({ closed: 3, win_rate: 0.6667, total_r: 2.97, currency: "USD" });
    expect(perf.r_histogram.reduce((n, b) => n + b.count, 0)).toBe(3);

    const { page, errors } = await openApp(world.browser, world.server.url, trader);
    await page.click("nav >> text=Stats");
    await page.waitForSelector(`${byTest("equity-chart")}[data-state="ready"]`);
    await page.waitForSelector(`${byTest("r-histogram")}[data-state="ready"]`);
    // lightweight-charts draws on canvases: both charts have painted something.
    for (const id of ["equity-chart", "r-histogram"]) {
      expect(await page.locator(`${byTest(id)} canvas`).count()).toBeGreaterThan(0);
    }
    expect(await page.textContent(byTest("perf-result"))).toBe("+2.97R");
    expect(await page.textContent(byTest("perf-win-rate"))).toBe("67%");
    expect(await page.textContent(byTest("perf-symbols"))).toContain("EURUSD");
    expect(await page.textContent(byTest("perf-extremes"))).toContain(`EURUSD +${perf.best!.r}R`);
    expect(await page.getAttribute(byTest("perf-best"), "class")).toBe("num pos");
    expect(await page.textContent(byTest("perf-worst"))).toBe(`EURUSD −${Math.abs(perf.worst!.r)}R`);
    expect(await page.getAttribute(byTest("perf-worst"), "class")).toBe("num neg");
    await page.waitForTimeout(300); // let the canvases finish their first paint for the screenshot
    await screenshot(page, "stats-screen", true);
    // The tab bar is fixed at the bottom: centre the histogram so its R axis shows in the viewport shot.
    await page.locator(byTest("r-histogram")).evaluate((el) => el.scrollIntoView({ block: "center" }));
    await page.waitForTimeout(200);
    await screenshot(page, "stats-r-histogram");
    // The weekly summary DM is turned off in the profile's settings.
    await page.click("nav >> text=Profile");
    await page.click(byTest("weekly-toggle"));
    await page.waitForSelector(`${byTest("weekly-toggle")}:not(:checked):not(:disabled)`);
    const me = await world.server.api<{ settings: { weekly_summary: boolean } }>(trader, "/api/me");
    expect(me.settings.weekly_summary).toBe(false);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("a trader whose only trade won sees that worst trade in green, not red", async () => {
    const trader = await world.server.trader(17_003, 10_000);
    await tradeThree(trader, 1);
    const perf = await world.server.api<Performance>(trader, `/api/users/${trader.user.id}/performance`);
    expect(perf.worst!.r).toBeGreaterThan(0);
    const { page, errors } = await openApp(world.browser, world.server.url, trader);
    await page.click("nav >> text=Stats");
    await page.waitForSelector(byTest("perf-worst"));
    expect(await page.textContent(byTest("perf-worst"))).toBe(`EURUSD +${perf.worst!.r}R`);
    expect(await page.getAttribute(byTest("perf-worst"), "class")).toBe("num pos");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("the public /track-record page renders its equity curve and tables in a plain browser", async () => {
    const context = await world.browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    const res = await page.goto(`${world.server.url}/track-record`);
    expect(res?.status()).toBe(200);
    await page.waitForSelector("#equity svg polyline");
    const points = (await page.getAttribute("#equity svg polyline", "points"))!.trim().split(/\s+/);
    const record = (await (await fetch(`${world.server.url}/api/track-record`)).json()) as { closed: number };
    expect(points).toHaveLength(record.closed + 1); // from 0 R, then one point per closed signal
    expect(await page.textContent("#monthly tbody")).toMatch(/\d{4}-\d{2}/);
    expect(await page.textContent("#by-symbol tbody")).toContain("EURUSD");
    await screenshot(page, "track-record-page", true);
    await context.close();
  });
});
