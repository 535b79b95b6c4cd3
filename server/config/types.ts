/** The typed configuration object loadConfig builds (shared/CONTRACT.md, "Configuration"). */

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
