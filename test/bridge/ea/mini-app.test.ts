import { describe, expect, it } from "vitest";
import { tempDir } from "../../support/tmp.ts";
import { waitFor } from "../../support/wait.ts";
import { byTest, openApp, screenshot } from "../../webapp/support/browser.ts";
import { webappWorld } from "../../webapp/support/world.ts";
import { startEa } from "./support.ts";

const world = webappWorld();

describe("the Mini App with the EA binary as the trader's terminal (headless Chromium)", () => {
  it("FIRE in the Mini App → one order at the simulated broker → the mission shows the fill", async () => {
    const trader = await world.server.trader(9701);
    const token = await world.server.harness.linkBridge(9701);
    const dir = tempDir("sortie-ea-app-");
    const ea = await startEa({ dataDir: dir.dir, server: world.server.url, token, symbols: "EURUSD.m" });
    try {
      // Online with its first heartbeat stored (any request marks it online, maybe before that write).
      await waitFor(
        async () => (await world.server.harness.store.users.findUser(9701))?.balance != null,
        30_000,
        "the EA online",
      );
      const signal = await world.server.createSignal();
      const { page, errors } = await openApp(world.browser, world.server.url, trader, signal.id);
      await page.waitForSelector(`${byTest("live")}[data-status="live"]`);
      await page.click(byTest("fire-button"));
      expect(await page.textContent(byTest("fire-confirm"))).toContain("0.50 lots of EURUSD");
      await page.click(byTest("fire-confirm-button"));
      await page.waitForSelector(`${byTest("fire-status")}[data-state="filled"]`, { timeout: 30_000 });
      expect(await page.textContent(byTest("fire-headline"))).toBe("Filled at 1.08500"); // the simulated ask
      expect(ea.orders.map((o) => [o.symbol, o.side, o.volume, o.retcode])).toEqual([["EURUSD.m", "BUY", 0.5, 10009]]);
      await page.locator(byTest("fire-panel")).scrollIntoViewIfNeeded();
      await screenshot(page, "ea-fire-filled");
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      await ea.stop();
      dir.cleanup();
    }
  }, 120_000);
});
