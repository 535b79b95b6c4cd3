import rateLimit from "@fastify/rate-limit";
import type { FastifyReply, FastifyRequest } from "fastify";
import { hashToken } from "./auth/tokens.ts";
import type { AppContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import type { App } from "./routes/types.ts";

const MINUTE_MS = 60_000;

/**
 * The bearer token's hash when it belongs to a linked terminal, else null. Only a token that
 * authenticates gets a bucket of its own: random tokens would otherwise each get a fresh one.
 */
function knownBridgeToken(ctx: AppContext, req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header !== "string" || !/^bearer /i.test(header)) return null;
  const hash = hashToken(header.slice(7).trim());
  return ctx.store.users.findUserIdByTokenHash(hash) === null ? null : hash;
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

  // Runs before the plugin's own onRoute hook (hooks run in the order they are added), so the
  // groups below are in place when the plugin reads `config.rateLimit`. Routes stay unaware.
  app.addHook("onRoute", (route) => {
    if (route.url === "/health" && ipMax > 0) {
      route.config = {
        ...(route.config as object),
        rateLimit: { max: ipMax, timeWindow: MINUTE_MS, keyGenerator: (req: FastifyRequest) => `health:${req.ip}` },
      } as typeof route.config;
    } else if (route.url.startsWith("/bridge/") && (ipMax > 0 || bridgeMax > 0)) {
      const maxFor = (key: string) => (key.startsWith("bt:") ? bridgeMax : ipMax);
      route.config = {
        ...(route.config as object),
        rateLimit: {
          timeWindow: MINUTE_MS,
          keyGenerator: (req: FastifyRequest) => {
            const token = knownBridgeToken(ctx, req);
            return token ? `bt:${token}` : `ip:${req.ip}`;
          },
          max: (_req: FastifyRequest, key: string) => maxFor(key),
          allowList: (_req: FastifyRequest, key: string) => maxFor(key) === 0,
        },
      } as typeof route.config;
    }
  });

  await app.register(rateLimit, {
    global: ipMax > 0,
    max: Math.max(1, ipMax),
    timeWindow: MINUTE_MS,
    keyGenerator: (req) => `ip:${req.ip}`,
    errorResponseBuilder: limitError,
  });

  // A second limiter keyed by Telegram user, checked after auth. `createRateLimit` (not
  // `rateLimit`) because the plugin marks a request as limited once, which would skip this one.
  const userCheck =
    config.rateLimitPerMin > 0
      ? app.createRateLimit({
          max: config.rateLimitPerMin,
          timeWindow: MINUTE_MS,
          keyGenerator: (req) => (req.caller?.kind === "user" ? `u:${req.caller.userId}` : `ip:${req.ip}`),
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
