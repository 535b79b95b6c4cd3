/**
 * Configuration from the environment (shared/CONTRACT.md, "Configuration"), validated once at
 * start-up into a typed object. A bad value throws ConfigError naming the variable.
 */
import { databaseUrl } from "./database-url.ts";
import { ConfigError, type Env, idList, integer, links, text, url } from "./parsers.ts";
import { trustProxy } from "./trust-proxy.ts";
import type { Config } from "./types.ts";

export { ConfigError } from "./parsers.ts";
export type { Config, OutboxLimits } from "./types.ts";

/** The fixed bot token of local mode, so local Mini App links can be signed (CONTRACT.md). */
export const LOCAL_BOT_TOKEN = "local:sortie";

/** Parses and validates the environment. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env): Config {
  const botToken = text(env, "BOT_TOKEN");
  // Shape only (@BotFather's are digits:35 characters); a test server's fake token passes too.
  if (botToken !== null && !/^\d+:\S+$/.test(botToken)) {
    throw new ConfigError("BOT_TOKEN", "does not look like a bot token from @BotFather (digits:secret)");
  }
  const host = text(env, "HOST") ?? "127.0.0.1";
  const port = integer(env, "PORT", 8080, 0, 65535);
  const adminApiToken = text(env, "ADMIN_API_TOKEN");
  // Sent as `Bearer <token>`: anything without spaces. The start-up report warns when it is short.
  if (adminApiToken !== null && /\s/.test(adminApiToken)) {
    throw new ConfigError("ADMIN_API_TOKEN", "must not contain spaces");
  }
  const signalHookSecret = text(env, "SIGNAL_HOOK_SECRET");
  // One path segment of the hook's URL: no spaces, '/', '?', '#' or '%'.
  if (signalHookSecret !== null && !/^[^\s/?#%]{1,256}$/.test(signalHookSecret)) {
    throw new ConfigError(
      "SIGNAL_HOOK_SECRET",
      "must be one URL path segment: 1–256 characters without spaces, / ? # or %",
    );
  }
  const miniAppLink = url(env, "MINIAPP_LINK", null);
  const bridgeDirUser = text(env, "BRIDGE_DIR_USER_ID");
  if (bridgeDirUser !== null && !/^\d+$/.test(bridgeDirUser))
    throw new ConfigError("BRIDGE_DIR_USER_ID", "must be a Telegram user id");
  const bridgeDir = text(env, "BRIDGE_DIR");
  if (bridgeDir !== null && bridgeDirUser === null)
    throw new ConfigError("BRIDGE_DIR_USER_ID", "is required when BRIDGE_DIR is set");
  const webhookSecret = text(env, "WEBHOOK_SECRET");
  if (webhookSecret !== null && !/^[\w-]{1,256}$/.test(webhookSecret)) {
    throw new ConfigError("WEBHOOK_SECRET", "must be 1–256 characters [A-Za-z0-9_-] (Telegram's secret_token rule)");
  }
  const demoRaw = text(env, "DEMO");
  if (demoRaw !== null && !["0", "1", "true", "false"].includes(demoRaw))
    throw new ConfigError("DEMO", "must be 0 or 1");
  const sync = (text(env, "DB_SYNCHRONOUS") ?? "NORMAL").toUpperCase();
  if (sync !== "NORMAL" && sync !== "FULL") throw new ConfigError("DB_SYNCHRONOUS", "must be NORMAL or FULL");
  const trackRecordRaw = text(env, "TRACK_RECORD_PUBLIC");
  if (trackRecordRaw !== null && !["0", "1", "true", "false"].includes(trackRecordRaw))
    throw new ConfigError("TRACK_RECORD_PUBLIC", "must be 0 or 1");
  const paid = text(env, "OUTBOX_PAID_BROADCAST");
  if (paid !== null && !["0", "1"].includes(paid)) throw new ConfigError("OUTBOX_PAID_BROADCAST", "must be 0 or 1");
  return {
    outbox: {
      perSecond: integer(env, "OUTBOX_PER_S", 30, 1, 1000),
      privatePerSecond: integer(env, "OUTBOX_PRIVATE_PER_S", 1, 1, 1000),
      groupPerMinute: integer(env, "OUTBOX_GROUP_PER_MIN", 20, 1, 60_000),
      paidBroadcast: paid === "1",
      paidPerSecond: integer(env, "OUTBOX_PAID_PER_S", 1000, 1, 1000),
    },
    dbSynchronous: sync,
    trackRecordPublic: trackRecordRaw === "1" || trackRecordRaw === "true",
    databaseUrl: databaseUrl(env),
    databasePoolSize: integer(env, "DATABASE_POOL_SIZE", 10, 1, 1000),
    botToken,
    signingToken: botToken ?? LOCAL_BOT_TOKEN,
    localMode: botToken === null,
    telegramApiRoot: url(env, "TELEGRAM_API_ROOT", "https://api.telegram.org")!,
    publicUrl: url(env, "PUBLIC_URL", `http://${host.includes(":") ? `[${host}]` : host}:${port}`)!,
    miniAppLink,
    alertChatIds: idList(env, "ALERT_CHAT_IDS"),
    adminIds: idList(env, "ADMIN_IDS"),
    signalAdminIds: idList(env, "SIGNAL_ADMIN_IDS"),
    analystIds: idList(env, "ANALYST_IDS"),
    adminApiToken,
    signalHookSecret,
    databasePath: text(env, "DATABASE_PATH") ?? "./data/sortie.db",
    host,
    port,
    initDataMaxAgeS: integer(env, "INITDATA_MAX_AGE_S", 86400, 1, 10 * 365 * 86400),
    heartbeatStaleS: integer(env, "HEARTBEAT_STALE_S", 30, 1, 86400),
    rateLimitPerMin: integer(env, "RATE_LIMIT_PER_MIN", 120, 0, 10_000_000),
    rateLimitIpPerMin: integer(env, "RATE_LIMIT_IP_PER_MIN", 6000, 0, 10_000_000),
    rateLimitBridgePerMin: integer(
      env,
      "RATE_LIMIT_BRIDGE_PER_MIN",
      integer(env, "RATE_LIMIT_IP_PER_MIN", 6000, 0, 10_000_000),
      0,
      10_000_000,
    ),
    trustProxy: trustProxy(env),
    bridgeDir,
    bridgeDirUserId: bridgeDirUser === null ? null : Number(bridgeDirUser),
    warRoomLinks: links(env, "WAR_ROOM_LINKS"),
    webhookUrl: url(env, "WEBHOOK_URL", null),
    webhookSecret,
    // Local mode keeps the console for the demo links and the bot's messages: request logs only at info.
    logLevel: text(env, "LOG_LEVEL") ?? (botToken === null ? "warn" : "info"),
    demo: demoRaw === null ? botToken === null : demoRaw === "1" || demoRaw === "true",
  };
}
