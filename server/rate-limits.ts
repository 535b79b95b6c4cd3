import rateLimit from "@fastify/rate-limit";
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from "fastify";
import { bridgeTokenUser } from "./auth/bridge-token.ts";
import { hashToken } from "./auth/tokens.ts";
import type { AppContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import type { App } from "./routes/types.ts";

const MINUTE_MS = 60_000;

/**
 * The bearer token's hash when it belongs to a linked terminal, else null. Only a token that
 * authenticates gets a bucket of its own: random tokens would otherwise each get a fresh one.
 */
async function knownBridgeToken(ctx: AppContext, req: FastifyRequest): Promise<string | null> {
  const header = req.headers.authorization;
  if (typeof header !== "string" || !/^bearer /i.test(header)) return null;
  const token = header.slice(7).trim();
  return (await bridgeTokenUser(ctx.store, req, token)) === null ? null : hashToken(token);
}

/**
 * Installs the request limits and returns the per-user check routes run after auth.
 * - every route: `RATE_LIMIT_IP_PER_MIN` per client address (`req.ip`: the socket's address, or
 *   the one `X-Forwarded-For` names when the hop is trusted, TRUST_PROXY);
 * - `/health`: the same figure in a bucket of its own, so an anonymous `/health` flood cannot use
 *   up the budget of Mini App and bridge requests from the same address (or proxy);
 * - `/bridge/*` with a linked terminal's token: `RATE_LIMIT_BRIDGE_PER_MIN` per token, whatever
 *   the address (hundreds of terminals share a NAT or proxy, an EA makes ~18 requests a minute);
 *   without a valid token, per address as everything else;
 * - after auth, `RATE_LIMIT_PER_MIN` per Telegram user (`perUser`).
 */
export async function installRateLimits(app: App, ctx: AppContext) {
  const { config } = ctx;
  const ipMax = config.rateLimitIpPerMin;
  const bridgeMax = config.rateLimitBridgePerMin;
  const limitError = (_req: unknown, context: { after: string }) =>
    new ApiError("RATE_LIMITED", `Too many requests: retry in ${context.after}`);

  // One limiter per group, shared by all the group's routes (the plugin's per-route config would
  // give each route a store of its own: a token could then spend its budget once per route). Made
  // after the plugin is registered; this hook runs before the plugin's own onRoute hook (hooks run
  // in the order they are added) and only when routes are added, after that.
  // Each limiter keeps its buckets in an LRU of this size (passed to each: a limiter made with
  // `rateLimit()`/`createRateLimit()` does not inherit the plugin's). The plugin's default, 5,000,
  // is fewer than the users a busy minute brings: a forgotten bucket starts its user afresh.
  // (`cache` is a documented option that CreateRateLimitOptions' type does not list.)
  const buckets = { cache: ctx.memory.bounds.rateLimitBuckets };
  let healthLimit: onRequestHookHandler | null = null;
  let bridgeLimit: onRequestHookHandler | null = null;
  app.addHook("onRoute", (route) => {
    const limit = route.url === "/health" ? healthLimit : route.url.startsWith("/bridge/") ? bridgeLimit : null;
    if (!limit) return;
    route.config = { ...(route.config as object), rateLimit: false } as typeof route.config;
    route.onRequest = [...(route.onRequest ? [route.onRequest].flat() : []), limit] as typeof route.onRequest;
  });

  await app.register(rateLimit, {
    global: ipMax > 0,
    max: Math.max(1, ipMax),
    timeWindow: MINUTE_MS,
    keyGenerator: (req) => `ip:${req.ip}`,
    errorResponseBuilder: limitError,
    ...buckets,
  });
  if (ipMax > 0) {
    healthLimit = app.rateLimit({
      max: ipMax,
      timeWindow: MINUTE_MS,
      keyGenerator: (req) => `health:${req.ip}`,
      ...buckets,
    });
  }
  if (ipMax > 0 || bridgeMax > 0) {
    const maxFor = (key: string) => (key.startsWith("bt:") ? bridgeMax : ipMax);
    bridgeLimit = app.rateLimit({
      timeWindow: MINUTE_MS,
      keyGenerator: async (req) => {
        const token = await knownBridgeToken(ctx, req);
        return token ? `bt:${token}` : `ip:${req.ip}`;
      },
      max: (_req, key) => maxFor(key),
      ...buckets,
      allowList: (_req, key) => maxFor(key) === 0,
    });
  }

  // A second limiter keyed by Telegram user, checked after auth. `createRateLimit` (not
  // `rateLimit`) because the plugin marks a request as limited once, which would skip this one.
  const userCheck =
    config.rateLimitPerMin > 0
      ? app.createRateLimit({
          max: config.rateLimitPerMin,
          timeWindow: MINUTE_MS,
          keyGenerator: (req) => (req.caller?.kind === "user" ? `u:${req.caller.userId}` : `ip:${req.ip}`),
          ...buckets,
        })
      : null;
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!userCheck) return;
    const result = await userCheck(req);
    if (!result.isAllowed && result.isExceeded) {
      reply.header("retry-after", result.ttlInSeconds);
      throw new ApiError("RATE_LIMITED", `Too many requests: retry in ${result.ttlInSeconds} s`);
    }
  };
}
