import { describe, expect, it } from "vitest";
import type { Fire, Mission } from "../../webapp/src/types.ts";
import { byTest, hapticsWith, openApp, screenshot } from "./support/browser.ts";
import { webappWorld } from "./support/world.ts";

const world = webappWorld();

describe("Mini App outcomes (real server, paper terminal, headless Chromium)", () => {
  it("a broker rejection shows the plain reason and an error haptic", async () => {
    const trader = await world.server.trader(9501, 10_000);
    const signal = await world.server.createSignal();
    trader.terminal!.rejectNext(10019); // not enough money
    const { page } = await openApp(world.browser, world.server.url, trader, signal.id);
    await page.waitForSelector(`${byTest("live")}[data-status="live"]`);
    await page.click(byTest("fire-button"));
    await page.click(byTest("fire-confirm-button"));
    await page.waitForSelector(`${byTest("fire-status")}[data-state="rejected"]`, { timeout: 20_000 });

    const { fires } = await world.server.api<{ fires: Fire[] }>(trader, "/api/me/fires");
    const fire = fires.find((f) => f.signal_id === signal.id)!;
    expect(fire.state).toBe("rejected");
    expect(await page.textContent(byTest("fire-headline"))).toBe(`Rejected: ${fire.message}`);
    expect(fire.message).toContain("not enough money");
    expect(await hapticsWith(page, "notify:error")).toEqual(["impact:medium", "impact:heavy", "notify:error"]);
    await page.locator(byTest("fire-panel")).scrollIntoViewIfNeeded();
    await screenshot(page, "fire-rejected");
    await page.context().close();
  });

  it("a mission cancelled by the desk while open disables FIRE live, with the reason", async () => {
    const trader = await world.server.trader(9502, 10_000);
    const signal = await world.server.createSignal();
    const { page } = await openApp(world.browser, world.server.url, trader, signal.id);
    await page.waitForSelector(`${byTest("live")}[data-status="live"]`);
    expect(await page.isEnabled(byTest("fire-button"))).toBe(true);

    const res = await fetch(`${world.server.url}/api/signals/${signal.id}/cancel`, {
      method: "POST",
      headers: { ...world.server.harness.admin, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    await page.waitForSelector(`${byTest("fire-block")}[data-code="SIGNAL_CANCELLED"]`, { timeout: 10_000 });
    const mission = await world.server.api<Mission>(trader, `/api/missions/${signal.id}`);
    // The live event disables FIRE at once; the server's own reason arrives with the re-read after it.
    await page.waitForFunction(
      ({ selector, text }) => document.querySelector(selector)?.textContent === text,
      { selector: byTest("fire-block"), text: mission.fire_block!.message },
      { timeout: 10_000 },
    );
    expect(await page.textContent(byTest("mission-status"))).toBe("CANCELLED");
    expect(await page.textContent(byTest("fire-block"))).toBe(mission.fire_block!.message);
    expect(await page.isDisabled(byTest("fire-button"))).toBe(true);
    await page.locator(byTest("fire-panel")).scrollIntoViewIfNeeded();
    await screenshot(page, "mission-cancelled");
    await page.context().close();
  });

  it("the notebook saves the trader's private note and shows it again on the next visit", async () => {
    const trader = await world.server.trader(9503, 10_000);
    const signal = await world.server.createSignal();
    const { page } = await openApp(world.browser, world.server.url, trader, signal.id);
    await page.fill(byTest("note"), "Wait for the London open retest.");
    await page.click(byTest("note-save"));
    await page.waitForSelector(`${byTest("note-state")}[data-state="saved"]`);
    const mission = await world.server.api<Mission>(trader, `/api/missions/${signal.id}`);
    expect(mission.note).toBe("Wait for the London open retest.");

    await page.reload();
    await page.waitForSelector(byTest("note"));
    expect(await page.inputValue(byTest("note"))).toBe("Wait for the London open retest.");
    await page.locator(byTest("notebook")).scrollIntoViewIfNeeded();
    await screenshot(page, "notebook");
    await page.context().close();
  });
});
