/**
 * Local mode in-process for tests: the shared harness without BOT_TOKEN (local mode), the local
 * mode plugin (demo traders, paper terminals, the real bot against the local Bot API) on a real
 * loopback port, and a static market so a fire near the entry is filled whenever it is tapped.
 */
import { createStaticFeed } from "../../../bridge/paper/index.ts";
import { DEMO_PRICES } from "../../../server/local/demo.ts";
import { createLocalMode } from "../../../server/local/index.ts";
import { type Harness, startHarness } from "../../support/harness.ts";

export interface LocalWorld {
  harness: Harness;
  local: ReturnType<typeof createLocalMode>;
  /** The market the demo terminals trade on (static: `set` moves a symbol). */
  feed: ReturnType<typeof createStaticFeed>;
  logs: string[];
  close(): Promise<void>;
}

export async function startLocalWorld(
  options: { distDir?: string; demo?: boolean; env?: Record<string, string> } = {},
): Promise<LocalWorld> {
  const logs: string[] = [];
  let local: ReturnType<typeof createLocalMode> | null = null;
  const feed = createStaticFeed(DEMO_PRICES);
  const harness = await startHarness({
    listen: true,
    sweeper: true,
    env: { BOT_TOKEN: "", DEMO: options.demo === false ? "0" : "1", ...options.env },
    app: {
      ...(options.distDir ? { distDir: options.distDir } : {}),
      plugins: [
        (app, deps) => {
          local = createLocalMode(deps.ctx, (line) => logs.push(line), {
            feed,
            signalEveryMs: 3600_000,
          });
          local.plugin(app);
        },
      ],
    },
  });
  const started = local as ReturnType<typeof createLocalMode> | null;
  if (!started) throw new Error("the local mode plugin was not registered");
  await started.start(harness.url);
  return {
    harness,
    local: started,
    feed,
    logs,
    async close() {
      await started.stop();
      await harness.close();
    },
  };
}

/** POST JSON to the running server. */
export async function postJson<T = Record<string, unknown>>(
  url: string,
  body: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}
