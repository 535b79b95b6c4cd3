/**
 * Mini App bench: gzip size of the initial JavaScript + CSS (what index.html loads before the first
 * render; lazy chunks such as the chart excluded) and time to first render of the briefing in
 * headless Chromium against the real server with a paper terminal.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { type Browser, chromium } from "playwright-core";
import { installTelegram, type StubUser } from "../test/webapp/support/telegram.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "webapp", "dist");
export const INITIAL_TARGET_BYTES = 35 * 1024;

export interface BundleSize {
  files: Array<{ file: string; bytes: number; gzipBytes: number }>;
  initialJsGzipBytes: number;
  initialCssGzipBytes: number;
  initialGzipBytes: number;
  lazyGzipBytes: number;
  withinTarget: boolean;
}

export interface RenderTiming {
  runs: number;
  /** Navigation start → the briefing with the trader's lots on screen; a fresh context (cold cache) each run. */
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export interface WebappBenchResult {
  bundle: BundleSize;
  firstRender: RenderTiming | null;
  lines: string[];
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/**
 * Builds the Mini App with Vite (the config `npm run build` uses) into `outDir` (default webapp/dist).
 * NODE_ENV is forced to production for the build: under vitest it is "test", which would make Vite
 * pick development builds of Preact and lightweight-charts.
 */
export async function buildWebapp(outDir?: string): Promise<void> {
  const { build } = await import("vite");
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      configFile: join(ROOT, "webapp", "vite.config.ts"),
      mode: "production",
      logLevel: "warn",
      ...(outDir ? { build: { outDir, emptyOutDir: true } } : {}),
    });
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
}

/** Initial = the module script, stylesheets and modulepreloads index.html references; the rest is lazy. */
export function measureBundle(distDir = DIST): BundleSize {
  const html = readFileSync(join(distDir, "index.html"), "utf8");
  const initial = new Set<string>();
  const refs = /<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"[^>]*>/g;
  for (const match of html.matchAll(refs)) {
    const url = match[1]!;
    if (/^https?:/.test(url) || !/\.(js|css)$/.test(url)) continue; // telegram.org's script is not ours
    initial.add(url.replace(/^\/app\//, "").replace(/^\//, ""));
  }
  const assets = readdirSync(join(distDir, "assets"))
    .filter((name) => /\.(js|css)$/.test(name))
    .map((name) => `assets/${name}`);
  const files = assets.map((file) => {
    const body = readFileSync(join(distDir, file));
    return { file, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
  });
  const sum = (pick: (file: string) => boolean) =>
    files.filter((f) => pick(f.file)).reduce((total, f) => total + f.gzipBytes, 0);
  const initialJsGzipBytes = sum((f) => initial.has(f) && f.endsWith(".js"));
  const initialCssGzipBytes = sum((f) => initial.has(f) && f.endsWith(".css"));
  const initialGzipBytes = initialJsGzipBytes + initialCssGzipBytes;
  return {
    files,
    initialJsGzipBytes,
    initialCssGzipBytes,
    initialGzipBytes,
    lazyGzipBytes: sum((f) => !initial.has(f)),
    withinTarget: initialGzipBytes <= INITIAL_TARGET_BYTES,
  };
}

/** Records when the briefing's lots first appear, in ms since navigation start. */
const RENDER_PROBE = `(() => {
  const seen = () => document.querySelector('[data-testid="lots"]');
  new MutationObserver((_, observer) => {
    if (seen()) { window.__firstRenderMs = performance.now(); observer.disconnect(); }
  }).observe(document, { childList: true, subtree: true });
})();`;

export interface RenderTarget {
  baseUrl: string;
  initData: string;
  user: StubUser;
  signalId: string;
}

export async function measureFirstRender(browser: Browser, target: RenderTarget, runs = 5): Promise<RenderTiming> {
  const times: number[] = [];
  // Run 0 warms Chromium and the server up and is not counted.
  for (let run = 0; run <= runs; run++) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await installTelegram(page, target.initData, target.user, target.signalId);
    await page.addInitScript({ content: RENDER_PROBE });
    await page.goto(`${target.baseUrl}/app/?startapp=${target.signalId}`);
    await page.waitForFunction(() => (window as unknown as { __firstRenderMs?: number }).__firstRenderMs, null, {
      timeout: 20_000,
    });
    const ms = await page.evaluate(() => (window as unknown as { __firstRenderMs: number }).__firstRenderMs);
    if (run > 0) times.push(ms);
    await context.close();
  }
  times.sort((a, b) => a - b);
  return {
    runs,
    medianMs: Math.round(times[Math.floor(times.length / 2)]!),
    minMs: Math.round(times[0]!),
    maxMs: Math.round(times[times.length - 1]!),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export async function benchWebapp(options: { rebuild?: boolean; runs?: number } = {}): Promise<WebappBenchResult> {
  if (options.rebuild !== false || !existsSync(join(DIST, "index.html"))) await buildWebapp();
  const bundle = measureBundle();
  const lines = [
    `webapp initial JS   ${kb(bundle.initialJsGzipBytes)} gzip`,
    `webapp initial CSS  ${kb(bundle.initialCssGzipBytes)} gzip`,
    `webapp initial      ${kb(bundle.initialGzipBytes)} gzip (target ≤ ${kb(INITIAL_TARGET_BYTES)}: ${
      bundle.withinTarget ? "ok" : "OVER"
    })`,
    `webapp lazy chunks  ${kb(bundle.lazyGzipBytes)} gzip (chart, loaded after the first render)`,
  ];
  let firstRender: RenderTiming | null = null;
  const { startWebappServer } = await import("../test/webapp/support/server.ts");
  const server = await startWebappServer();
  const browser = await launchChromium();
  try {
    const trader = await server.trader(4242, 10_000);
    const signal = await server.createSignal();
    const target = { baseUrl: server.url, initData: trader.launch(signal.id), user: trader.user, signalId: signal.id };
    firstRender = await measureFirstRender(browser, target, options.runs ?? 5);
    lines.push(
      `webapp first render ${firstRender.medianMs} ms median (min ${firstRender.minMs}, max ${firstRender.maxMs}, ${firstRender.runs} cold loads, real server)`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
  for (const line of lines) console.log(line);
  return { bundle, firstRender, lines };
}
