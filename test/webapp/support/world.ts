import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium } from "./browser.ts";
import { startWebappServer, type WebappServer } from "./server.ts";

/**
 * The real server (with paper terminals) and headless Chromium for one test file: started before
 * its tests, closed after. Read `world.server` / `world.browser` inside tests.
 */
export function webappWorld(options: { env?: Record<string, string> } = {}): {
  server: WebappServer;
  browser: Browser;
} {
  const world = {} as { server: WebappServer; browser: Browser };
  beforeAll(async () => {
    world.server = await startWebappServer(options);
    world.browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await world.browser?.close();
    await world.server?.close();
  });
  return world;
}
