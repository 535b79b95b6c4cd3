import { join } from "node:path";
import { fileURLToPath } from "node:url";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyServerOptions } from "fastify";
import { createAuth } from "./auth/index.ts";
import type { AppContext } from "./context.ts";
import { createDrain } from "./drain.ts";
import { clientErrorHandler, frameworkErrorHandler, installErrorHandler } from "./error-handler.ts";
import { createSseBroker, type SseOptions } from "./events/sse.ts";
import { installHotRouteLogging, SortieLogController } from "./logging.ts";
import { installMetrics, type Metrics, metricsFor } from "./metrics.ts";
import { installRateLimits } from "./rate-limits.ts";
import { auditRoutes } from "./routes/audit.ts";
import { bridgeRoutes } from "./routes/bridge.ts";
import { downloadRoutes } from "./routes/downloads.ts";
import { engineRoutes } from "./routes/engine.ts";
import { eventRoutes } from "./routes/events.ts";
import { fireRoutes } from "./routes/fire.ts";
import { healthRoutes } from "./routes/health.ts";
import { hookRoutes } from "./routes/hooks.ts";
import { meRoutes } from "./routes/me.ts";
import { missionRoutes } from "./routes/missions.ts";
import { pageRoutes } from "./routes/pages.ts";
import { priceRoutes } from "./routes/prices.ts";
import { signalRoutes } from "./routes/signals.ts";
import { terminalRoutes } from "./routes/terminals.ts";
import { trackRecordRoutes } from "./routes/track-record.ts";
import type { App, RouteDeps } from "./routes/types.ts";
import { updateRoutes } from "./routes/updates.ts";
import { userRoutes } from "./routes/users.ts";
import { ErrorBody } from "./schemas.ts";
import { createCandleStore } from "./services/candles.ts";
import { createDbHealth } from "./services/db-health.ts";
import { installJsonParser, installValidators } from "./validation.ts";

const DEFAULT_DIST = join(fileURLToPath(new URL("..", import.meta.url)), "webapp", "dist");

export interface BuildAppOptions {
  logger?: FastifyServerOptions["logger"];
  sse?: SseOptions;
  distDir?: string;
  /** Extra figures for /health (bot state, file-drop state…). */
  health?: () => Record<string, unknown>;
  /** Register more routes (the bot's webhook, the local-mode page) inside the app. */
  plugins?: Array<(app: App, deps: RouteDeps) => void | Promise<void>>;
  /** Prometheus metrics for `/metrics`; default: the context's own (`metricsFor(ctx)`). */
  metrics?: Metrics;
  /** On close, connections still open this long after in-flight requests were asked to end are cut. Default 5000. */
  shutdownGraceMs?: number;
  /** Slow-client bounds (see SLOW_CLIENT_TIMEOUTS); tests shorten them. */
  timeouts?: Partial<typeof SLOW_CLIENT_TIMEOUTS>;
}

/**
 * How long a client may take to send its request: headers, then the whole request with its body.
 * Both are bounds on *receiving* a request, so they never cut an SSE stream or a bridge long-poll
 * once it is answering (those have their own bounds: 30 s wait, per-user stream cap). Without them,
 * requests trickling a 200 KB body stayed open for minutes and ~1,000 exhausted file descriptors.
 * Node checks them every `checkMs`. Headers get 20 s, not less: Node counts from the connection's
 * start, so on a starved machine a burst of 1,000 connections waiting to be read must not be cut.
 */
/**
 * The listen backlog: room for a storm of connections (10,000 users opening within seconds of an
 * alert). Past it, new connections' SYNs are dropped and retried after 1, 3, 7 s, or reset. Node's
 * default is 511; the kernel caps it at net.core.somaxconn. The test harness listens with it too.
 */
export const LISTEN_BACKLOG = 4096;

export const SLOW_CLIENT_TIMEOUTS = { headersMs: 20_000, requestMs: 30_000, checkMs: 1_000 };

/** Log redaction: tokens and initData never reach the logs. */
export const REDACT = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "*.token",
  "token",
  "initData",
];

/**
 * The webhook path carries its secret: logs show `/hooks/signal/[redacted]`, also for the URLs
 * that miss the route (`//hooks/signal/…`, other letter case) and would otherwise be logged raw.
 * When the secret is known, it is also removed wherever else it appears — any path segment or
 * query value equal to it, after URL-decoding (`/hook/signal/<secret>`, `/hooks/signals/<secret>`,
 * `/hooks/signal%2F<secret>`, a percent-encoded letter inside it) — and such a URL is logged decoded.
 */
export function redactUrl(url: string, secret: string | null = null): string {
  let out = url;
  if (secret) {
    let decoded = url;
    // Twice at most: a double-encoded secret (%2568…) is decoded too.
    for (let i = 0; i < 3; i++) {
      const next = decodeLoosely(decoded);
      if (next === decoded) break;
      decoded = next;
    }
    if (decoded.includes(secret)) out = decoded.split(secret).join("[redacted]");
  }
  return out
    .replace(/\/+hooks\/+signal\/+[^/?#]*/gi, "/hooks/signal/[redacted]")
    .replace(/([?&](?:token|tgWebAppData|initData)=)[^&#]*/gi, "$1[redacted]");
}

/** decodeURIComponent that keeps malformed escapes (`%E0%A4%A`) as they are instead of throwing. */
function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** Pino options for the app: level, redaction, and request serialisation without secrets. */
export function loggerOptions(level: string, stream?: { write(msg: string): void }, hookSecret: string | null = null) {
  return {
    level,
    redact: { paths: REDACT, censor: "[redacted]" },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: redactUrl(req.url, hookSecret),
        ip: req.ip,
      }),
    },
    ...(stream ? { stream } : {}),
  };
}

/**
 * Builds the Fastify app from the shared context. Never listens (server/main.ts does).
 */
export async function buildApp(ctx: AppContext, options: BuildAppOptions = {}): Promise<App> {
  const timeouts = { ...SLOW_CLIENT_TIMEOUTS, ...options.timeouts };
  const app = Fastify({
    requestTimeout: timeouts.requestMs,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: timeouts.checkMs },
    logger: options.logger ?? false,
    logController: new SortieLogController(),
    bodyLimit: 256 * 1024,
    // X-Forwarded-For is believed only from the proxies TRUST_PROXY names (default: none).
    // A hop count n trusts the n nearest hops, as proxy-addr does for a number (Fastify's types lack it).
    trustProxy:
      typeof ctx.config.trustProxy === "number"
        ? (
            (hops: number) => (_address: string, hop: number) =>
              hop < hops
          )(ctx.config.trustProxy)
        : ctx.config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: false },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installValidators(app);
  installJsonParser(app);
  if (options.logger) installHotRouteLogging(app);
  const dbHealth = createDbHealth(ctx.config.databasePath);
  installErrorHandler(app, dbHealth);
  // A write that succeeded (any 2xx to a method that writes) clears an earlier write failure.
  app.addHook("onResponse", (req, reply, done) => {
    if (req.method !== "GET" && req.method !== "HEAD" && reply.statusCode < 300) dbHealth.noteSuccess();
    done();
  });
  app.addSchema(ErrorBody);

  const shutdown = new AbortController();
  const { bounds } = ctx.memory;
  const sse = createSseBroker(ctx.hub, {
    maxStreams: bounds.sseStreams,
    maxStreamsPerUser: bounds.sseStreamsPerUser,
    ...options.sse,
  });
  const candles = createCandleStore(240, bounds.candleSeries);
  ctx.memory.track("sseStreams", sse.maps.clients, bounds.sseStreams);
  ctx.memory.track("sseUsers", sse.maps.byUser, bounds.sseStreams);
  ctx.memory.track("candleSeries", candles, bounds.candleSeries);
  const drain = createDrain(app.server, options.shutdownGraceMs ?? 5000);
  app.addHook("preClose", async () => {
    shutdown.abort();
    sse.close();
    drain.start();
  });

  await app.register(swagger, {
    openapi: {
      info: { title: "Sortie API", version: "1.0.0", description: "See shared/CONTRACT.md and docs/API.md" },
      components: {
        securitySchemes: {
          tma: { type: "apiKey", in: "header", name: "Authorization", description: "tma <initData>" },
          bearer: { type: "http", scheme: "bearer" },
        },
      },
    },
  });

  const limits = installRateLimits(app, ctx);

  const deps: RouteDeps = {
    ctx,
    auth: createAuth(app, ctx),
    sse,
    candles,
    userLimit: limits.userLimit,
    checkUserLimit: limits.checkUser,
    dbHealth,
    extras: { health: options.health },
  };
  installMetrics(app, deps, options.metrics ?? metricsFor(ctx));
  healthRoutes(app, deps);
  signalRoutes(app, deps);
  missionRoutes(app, deps);
  fireRoutes(app, deps);
  meRoutes(app, deps);
  terminalRoutes(app, deps);
  eventRoutes(app, deps);
  hookRoutes(app, deps);
  priceRoutes(app, deps);
  updateRoutes(app, deps);
  userRoutes(app, deps);
  trackRecordRoutes(app, deps);
  downloadRoutes(app, deps);
  auditRoutes(app, deps);
  engineRoutes(app, deps);
  bridgeRoutes(app, deps, shutdown.signal);
  await pageRoutes(app, deps, options.distDir ?? DEFAULT_DIST);
  for (const plugin of options.plugins ?? []) await plugin(app, deps);

  // `/docs`: the OpenAPI document in Swagger UI, its files served from swagger-ui-dist in
  // node_modules (no CDN, works offline); `/docs/json` is the document itself.
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    uiConfig: { docExpansion: "list", deepLinking: true, tryItOutEnabled: false },
    staticCSP: true,
  });
  return app;
}
