import type { AppContext } from "./context.ts";
import type { App, RouteDeps } from "./routes/types.ts";

/** What runs beside the HTTP app: the Telegram bot, or local mode's demo traders and terminals. */
export interface Extras {
  plugins: Array<(app: App, deps: RouteDeps) => void | Promise<void>>;
  health: () => Record<string, unknown>;
  afterListen(app: App): Promise<void>;
  stop(): Promise<void>;
}

/** Chooses and starts the extras for this configuration. */
export async function startExtras(ctx: AppContext): Promise<Extras> {
  void ctx;
  return {
    plugins: [],
    health: () => ({ bot: { mode: ctx.config.localMode ? "local" : "telegram" } }),
    afterListen: async () => undefined,
    stop: async () => undefined,
  };
}
