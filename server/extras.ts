import { createBot } from "../bot/index.ts";
import { createFileDropTransport } from "../bridge/filedrop/index.ts";
import { redactUrl as redactDbUrl } from "../db/postgres/index.ts";
import { hashToken, newBridgeToken } from "./auth/tokens.ts";
import type { AppContext } from "./context.ts";
import { createLocalMode } from "./local/index.ts";
import type { App, RouteDeps } from "./routes/types.ts";

/** What runs beside the HTTP app: the Telegram bot, or local mode's demo traders and terminals. */
export interface Extras {
  plugins: Array<(app: App, deps: RouteDeps) => void | Promise<void>>;
  health: () => Record<string, unknown>;
  afterListen(app: App): Promise<void>;
  stop(): Promise<void>;
}

/** Start-up lines saying what is enabled and what is missing. */
export function startupReport(ctx: AppContext): string[] {
  const c = ctx.config;
  const lines = [
    c.localMode
      ? "mode: LOCAL (no BOT_TOKEN): paper terminals and demo traders, no Telegram"
      : "mode: TELEGRAM bot (long polling unless WEBHOOK_URL is set)",
    `database: ${c.databaseUrl ? `PostgreSQL ${redactDbUrl(c.databaseUrl)} (pool ${c.databasePoolSize})` : c.databasePath}`,
    `public URL: ${c.publicUrl}`,
    c.miniAppLink
      ? `Mini App direct link: ${c.miniAppLink}`
      : "Mini App direct link: missing (MINIAPP_LINK); alerts link to PUBLIC_URL/mission/<id>",
    c.alertChatIds.length
      ? `alert chats: ${c.alertChatIds.join(", ")}`
      : c.localMode
        ? "alert chats: the demo group of the chat console on /local (ALERT_CHAT_IDS unset)"
        : "alert chats: none (ALERT_CHAT_IDS): signals are not posted to any group",
    c.localMode
      ? `admins: the demo admin of the chat console on /local${c.adminIds.length ? `, ${c.adminIds.join(", ")}` : ""}`
      : c.adminIds.length
        ? `admins: ${c.adminIds.join(", ")}`
        : "admins: none (ADMIN_IDS): nobody can use admin bot commands",
    c.adminApiToken ? "admin HTTP API: enabled" : "admin HTTP API: disabled (ADMIN_API_TOKEN unset)",
    c.signalHookSecret
      ? "signal webhook: enabled at /hooks/signal/<secret>"
      : "signal webhook: disabled (SIGNAL_HOOK_SECRET unset)",
    c.bridgeDir
      ? `file-drop bridge: ${c.bridgeDir} for user ${c.bridgeDirUserId}`
      : "file-drop bridge: off (BRIDGE_DIR unset); terminals use HTTP",
  ];
  if (!c.localMode && c.publicUrl.startsWith("http://"))
    lines.push("warning: PUBLIC_URL is not HTTPS; Telegram only opens Mini Apps over HTTPS");
  for (const [name, value] of [
    ["ADMIN_API_TOKEN", c.adminApiToken],
    ["SIGNAL_HOOK_SECRET", c.signalHookSecret],
  ] as const) {
    if (value !== null && value.length < 16)
      lines.push(`warning: ${name} is shorter than 16 characters; a long random value is much harder to guess`);
  }
  return lines;
}

/** Chooses and starts the extras for this configuration. */
export async function startExtras(
  ctx: AppContext,
  log: (line: string) => void = (l) => console.log(l),
): Promise<Extras> {
  const { config } = ctx;
  for (const line of startupReport(ctx)) log(`sortie: ${line}`);
  const stops: Array<() => Promise<void>> = [];
  const plugins: Extras["plugins"] = [];
  const botLog = (msg: string, err?: unknown) =>
    log(err ? `${msg}: ${err instanceof Error ? err.message : String(err)}` : msg);
  let afterListen: (app: App) => Promise<void> = async () => undefined;
  let botState: Record<string, unknown> = {};

  if (config.localMode) {
    const local = createLocalMode(ctx, log);
    plugins.push((app) => local.plugin(app));
    afterListen = async (app) => {
      const address = app.server.address();
      const port = address && typeof address === "object" ? address.port : config.port;
      await local.start(`http://127.0.0.1:${port}`);
    };
    stops.push(() => local.stop());
    botState = {
      mode: "local",
      messages: () => local.telegram.messageCount(),
      queue: () => local.delivery?.stats() ?? null,
    };
  } else {
    const bot = createBot({ ctx, token: config.botToken!, log: botLog });
    if (bot.webhook) {
      const { path, handler } = bot.webhook;
      plugins.push((app) => {
        app.post(path, { schema: { hide: true } }, handler as never);
      });
    }
    let state = "starting";
    afterListen = async () => {
      try {
        await bot.start();
        state = "running";
      } catch (err) {
        state = "failed";
        log(`sortie: the Telegram bot failed to start: ${(err as Error).message} (the API keeps running)`);
      }
    };
    stops.push(() => bot.stop());
    botState = { mode: "telegram", state: () => state, queue: () => bot.delivery.stats() };
  }

  if (config.bridgeDir && config.bridgeDirUserId !== null) {
    const transport = createFileDropTransport({
      dir: config.bridgeDir,
      userId: config.bridgeDirUserId,
      service: ctx.bridge,
      log: (line) => log(`[file-drop] ${line}`),
    });
    const now = new Date(ctx.clock.now()).toISOString();
    await ctx.store.users.ensureUser({ id: config.bridgeDirUserId }, now);
    // A file-drop terminal needs no token, but counts as linked: give it one nobody will ever see.
    if (!(await ctx.store.bot.isLinked(config.bridgeDirUserId))) {
      await ctx.store.users.setBridgeTokenHash(config.bridgeDirUserId, hashToken(newBridgeToken()), now);
    }
    await ctx.terminals.ensureFirst(config.bridgeDirUserId);
    await transport.start();
    stops.push(() => transport.stop());
  }

  return {
    plugins,
    health: () => ({
      bot: Object.fromEntries(Object.entries(botState).map(([k, v]) => [k, typeof v === "function" ? v() : v])),
    }),
    afterListen,
    async stop() {
      for (const stop of stops.reverse())
        await stop().catch((err: unknown) => log(`sortie: stop failed: ${String(err)}`));
    },
  };
}
