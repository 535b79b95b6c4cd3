/** Headless Chromium for the Mini App tests: a phone-sized page with the Telegram stub installed. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../../bench/webapp.ts";
import type { Trader } from "./server.ts";
import { installTelegram } from "./telegram.ts";

export const SHOTS = join(process.cwd(), "test-results", "webapp");

export { launchChromium };

export interface OpenedPage {
  page: Page;
  /** Uncaught page errors (a passing test also checks the app never threw). */
  errors: string[];
}

/** Opens the Mini App as Telegram would: the stub carries the trader's signed initData and start_param. */
export async function openApp(
  browser: Browser,
  baseUrl: string,
  trader: Trader,
  signalId?: string,
  /** Runs before the app loads (routes to slow down or rewrite). */
  beforeLoad?: (page: Page) => Promise<void>,
): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await installTelegram(page, trader.launch(signalId), trader.user, signalId);
  await beforeLoad?.(page);
  await page.goto(`${baseUrl}/app/`);
  return { page, errors };
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

export const byTest = (id: string) => `[data-testid="${id}"]`;

/**
 * The haptics the app has asked Telegram for, once `expected` is among them. A haptic comes from
 * an effect that runs after the render it belongs to (under load, a moment after the DOM shows it).
 */
export async function hapticsWith(page: Page, expected: string): Promise<string[]> {
  // Functions, not expression strings: the app's CSP forbids eval, and a string is evaluated with it.
  await page.waitForFunction((wanted) => (window as never as Tg).__tg.haptics.includes(wanted), expected);
  return page.evaluate(() => (window as never as Tg).__tg.haptics);
}

/**
 * What the Telegram stub holds at `path` (for example "MainButton.text"), once it equals `expected`
 * or after `timeoutMs`, whichever comes first: the app sets the MainButton and the BackButton from
 * effects that run after the render, so a read right after the DOM changed can see the old value.
 * Assert on the result; a value that never came shows as the difference.
 */
export async function telegramValue(page: Page, path: string, expected: unknown, timeoutMs = 5_000): Promise<unknown> {
  // Functions, not expression strings (the app's CSP forbids eval): each walks `path` in the stub.
  await page
    .waitForFunction(
      ({ at, want }) =>
        JSON.stringify(
          at.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], (window as never as Tg).__tg),
        ) === want,
      { at: path, want: JSON.stringify(expected) },
      { timeout: timeoutMs },
    )
    .catch(() => undefined); // never came: the read below returns what is there, and the assertion names it
  return page.evaluate(
    (at) => at.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], (window as never as Tg).__tg),
    path,
  );
}

type Tg = { __tg: { haptics: string[] } & Record<string, unknown> };
