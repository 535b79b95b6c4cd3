/**
 * Configuration from the environment (shared/CONTRACT.md, "Configuration"), validated once at
 * start-up into a typed object. A bad value throws ConfigError naming the variable.
 */
import { isIP } from "node:net";

/** The fixed bot token of local mode, so local Mini App links can be signed (CONTRACT.md). */
export const LOCAL_BOT_TOKEN = "local:sortie";

export interface Config {
  botToken: string | null;
  /** The token initData is signed with: BOT_TOKEN, or `local:sortie` in local mode. */
  signingToken: string;
  localMode: boolean;
  telegramApiRoot: string;
  publicUrl: string;
  miniAppLink: string | null;
  alertChatIds: number[];
  /** Owners: every admin right (ADMIN_IDS). */
  adminIds: number[];
  /** Admins: signals and their updates, stats, audit (SIGNAL_ADMIN_IDS). */
  signalAdminIds: number[];
  /** Analysts: read-only stats (ANALYST_IDS). */
  analystIds: number[];
  adminApiToken: string | null;
  signalHookSecret: string | null;
  databasePath: string;
  host: string;
  port: number;
  initDataMaxAgeS: number;
  heartbeatStaleS: number;
  rateLimitPerMin: number;
  rateLimitIpPerMin: number;
  /** Per bridge token (RATE_LIMIT_BRIDGE_PER_MIN; default: RATE_LIMIT_IP_PER_MIN's value). */
  rateLimitBridgePerMin: number;
  /** Which proxies' `X-Forwarded-For` is believed (TRUST_PROXY), in Fastify's `trustProxy` shape. */
  trustProxy: false | number | string[];
  /** Extensions. */
  bridgeDir: string | null;
  bridgeDirUserId: number | null;
  warRoomLinks: Array<{ title: string; url: string }>;
  webhookUrl: string | null;
  webhookSecret: string | null;
  logLevel: string;
  demo: boolean;
  dbSynchronous: "NORMAL" | "FULL";
  /** TRACK_RECORD_PUBLIC=1: `GET /api/track-record` and the `/track-record` page need no sign-in. */
  trackRecordPublic: boolean;
  /** `postgres://…`: PostgreSQL instead of the SQLite file (contract 1.1); null = SQLite. */
  databaseUrl: string | null;
  /** PostgreSQL connections per instance. */
  databasePoolSize: number;
  /** How fast the bot's outbox may send (issue #20; bot/delivery/). */
  outbox: OutboxLimits;
}

/** Telegram's sending limits the outbox keeps under (https://core.telegram.org/bots/faq#broadcasting-to-users). */
export interface OutboxLimits {
  /** Messages per second overall (OUTBOX_PER_S, 30). */
  perSecond: number;
  /** Messages per second to one private chat (OUTBOX_PRIVATE_PER_S, 1). */
  privatePerSecond: number;
  /** Messages per minute to one group (OUTBOX_GROUP_PER_MIN, 20). */
  groupPerMinute: number;
  /** Send with `allow_paid_broadcast` (paid in Stars) and use `paidPerSecond` overall (OUTBOX_PAID_BROADCAST). */
  paidBroadcast: boolean;
  /** Overall messages per second with paid broadcast (OUTBOX_PAID_PER_S, 1000: Telegram's ceiling). */
  paidPerSecond: number;
}

/** DATABASE_URL: a postgres:// or postgresql:// URL with a host and a database name. */
function databaseUrl(env: Env): string | null {
  const raw = text(env, "DATABASE_URL");
  if (raw === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError("DATABASE_URL", "must be a URL like postgres://user:pass@host:5432/sortie");
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:")
    throw new ConfigError("DATABASE_URL", `must start with postgres:// (got ${parsed.protocol}//)`);
  if (!parsed.hostname)
    throw new ConfigError("DATABASE_URL", "must name a host: postgres://user:pass@host:5432/sortie");
  if (parsed.pathname.length <= 1)
    throw new ConfigError("DATABASE_URL", "must name a database: postgres://user:pass@host:5432/sortie");
  return raw;
}

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function text(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function idList(env: Env, name: string): number[] {
  const raw = text(env, name);
  if (raw === null) return [];
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      if (!/^-?\d{1,20}$/.test(s))
        throw new ConfigError(name, `must be comma-separated numeric ids, got ${JSON.stringify(s)}`);
      return Number(s);
    });
}

function url(env: Env, name: string, fallback: string | null): string | null {
  const raw = text(env, name);
  if (raw === null) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ConfigError(name, `must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  return raw.replace(/\/+$/, "");
}

function links(env: Env, name: string): Array<{ title: string; url: string }> {
  const raw = text(env, name);
  if (raw === null) return [];
  return raw.split(",").map((pair) => {
    const [title, href] = pair.split("|").map((s) => s.trim());
    if (!title || !href || !/^https?:\/\//.test(href)) {
      throw new ConfigError(name, `must be "Title|https://url" pairs separated by commas, got ${JSON.stringify(pair)}`);
    }
    return { title, url: href };
  });
}

const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * TRUST_PROXY: unset = no proxy trusted (X-Forwarded-For ignored); a hop count (`1`); or a
 * comma-separated list of `loopback`/`linklocal`/`uniquelocal`, addresses and CIDR ranges, as
 * Fastify's `trustProxy` takes them (https://fastify.dev/docs/latest/Reference/Server/#trustproxy).
 */
function trustProxy(env: Env): false | number | string[] {
  const raw = text(env, "TRUST_PROXY");
  if (raw === null) return false;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 100) throw new ConfigError("TRUST_PROXY", `a hop count must be between 0 and 100, got ${hops}`);
    return hops === 0 ? false : hops;
  }
  return raw.split(",").map((entry) => {
    const item = entry.trim();
    const [address = "", prefix, extra] = item.split("/");
    const family = isIP(address);
    const validPrefix =
      prefix === undefined ||
      (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32)) ||
      (family === 4 && isIP(prefix) === 4);
    if (!PROXY_NAMES.has(item.toLowerCase()) && (family === 0 || !validPrefix || extra !== undefined)) {
      throw new ConfigError(
        "TRUST_PROXY",
        `must be a hop count, or loopback/linklocal/uniquelocal and addresses or CIDR ranges separated by commas, got ${JSON.stringify(item)}`,
      );
    }
    return PROXY_NAMES.has(item.toLowerCase()) ? item.toLowerCase() : item;
  });
}

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
