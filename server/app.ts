import { join } from "node:path";
import { fileURLToPath } from "node:url";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyReply, type FastifyRequest, type FastifyServerOptions } from "fastify";
import { createAuth } from "./auth/index.ts";
import type { AppContext } from "./context.ts";
import { createDrain } from "./drain.ts";
import { frameworkErrorHandler, installErrorHandler } from "./error-handler.ts";
import { ApiError } from "./errors.ts";
import { createSseBroker, type SseOptions } from "./events/sse.ts";
import { installMetrics, type Metrics, metricsFor } from "./metrics.ts";
import { bridgeRoutes } from "./routes/bridge.ts";
import { eventRoutes } from "./routes/events.ts";
import { fireRoutes } from "./routes/fire.ts";
import { healthRoutes } from "./routes/health.ts";
import { hookRoutes } from "./routes/hooks.ts";
import { meRoutes } from "./routes/me.ts";
import { missionRoutes } from "./routes/missions.ts";
import { pageRoutes } from "./routes/pages.ts";
import { priceRoutes } from "./routes/prices.ts";
import { signalRoutes } from "./routes/signals.ts";
import type { App, RouteDeps } from "./routes/types.ts";
import { updateRoutes } from "./routes/updates.ts";
import { userRoutes } from "./routes/users.ts";
import { ErrorBody } from "./schemas.ts";
import { createCandleStore } from "./services/candles.ts";
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
}

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
 */
export function redactUrl(url: string): string {
  return url
    .replace(/\/+hooks\/+signal\/+[^/?#]*/gi, "/hooks/signal/[redacted]")
    .replace(/([?&](?:token|tgWebAppData|initData)=)[^&#]*/gi, "$1[redacted]");
}

/** Pino options for the app: level, redaction, and request serialisation without secrets. */
export function loggerOptions(level: string, stream?: { write(msg: string): void }) {
  return {
    level,
    redact: { paths: REDACT, censor: "[redacted]" },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: redactUrl(req.url),
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
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 256 * 1024,
    // The hook path carries a secret; never log URLs with it. Ids and routes are enough.
    trustProxy: false,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    frameworkErrors: frameworkErrorHandler,
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: false },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installValidators(app);
  installJsonParser(app);
  installErrorHandler(app);
  app.addSchema(ErrorBody);

  const shutdown = new AbortController();
  const sse = createSseBroker(ctx.hub, options.sse);
  const candles = createCandleStore();
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

  const { config } = ctx;
  const limitError = (_req: unknown, context: { after: string }) =>
    new ApiError("RATE_LIMITED", `Too many requests: retry in ${context.after}`);
  await app.register(rateLimit, {
    global: config.rateLimitIpPerMin > 0,
    max: Math.max(1, config.rateLimitIpPerMin),
    timeWindow: 60_000,
    errorResponseBuilder: limitError,
  });
  // A second limiter keyed by Telegram user, checked after auth. `createRateLimit` (not
  // `rateLimit`) because the plugin marks a request as limited once, which would skip this one.
  const userCheck =
    config.rateLimitPerMin > 0
      ? app.createRateLimit({
          max: config.rateLimitPerMin,
          timeWindow: 60_000,
          keyGenerator: (req) => (req.caller?.kind === "user" ? `u:${req.caller.userId}` : `ip:${req.ip}`),
        })
      : null;
  const perUser = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!userCheck) return;
    const result = await userCheck(req);
    if (!result.isAllowed && result.isExceeded) {
      reply.header("retry-after", result.ttlInSeconds);
      throw new ApiError("RATE_LIMITED", `Too many requests: retry in ${result.ttlInSeconds} s`);
    }
  };

  const deps: RouteDeps = {
    ctx,
    auth: createAuth(app, ctx),
    sse,
    candles,
    userLimit: perUser as RouteDeps["userLimit"],
    extras: { health: options.health },
  };
  installMetrics(app, deps, options.metrics ?? metricsFor(ctx));
  healthRoutes(app, deps);
  signalRoutes(app, deps);
  missionRoutes(app, deps);
  fireRoutes(app, deps);
  meRoutes(app, deps);
  eventRoutes(app, deps);
  hookRoutes(app, deps);
  priceRoutes(app, deps);
  updateRoutes(app, deps);
  userRoutes(app, deps);
  bridgeRoutes(app, deps, shutdown.signal);
  await pageRoutes(app, deps, options.distDir ?? DEFAULT_DIST);
  for (const plugin of options.plugins ?? []) await plugin(app, deps);

  app.get("/docs/json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}
