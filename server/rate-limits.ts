import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import { bridgeTokenUser } from "./auth/bridge-token.ts";
import type { AppContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { BoundedMap } from "./memory.ts";
import type { App } from "./routes/types.ts";

const MINUTE_MS = 60_000;

/**
 * Requests counted per key in fixed one-minute windows: the first request of a key opens its
 * window, the window's requests past `max` are refused until it ends. Keys live in a bounded map in the
 * order their windows opened, so the first forgotten is the one whose window opened longest ago
 * (ended, once the map holds more than a minute's keys). A forgotten key starts a fresh window:
 * the bound must exceed the keys one busy minute brings (MEMORY_BOUNDS).
 *
 * Written here rather than through @fastify/rate-limit (used until issue #14): the plugin's
 * promise-based store, header writes and per-request key generators took about 7 % of the
 * server's CPU on a Mini App read, which this synchronous counter does for a map lookup.
 */
export class WindowCounter<K = string> {
  readonly buckets: BoundedMap<K, { start: number; count: number }>;

  constructor(
    bound: number,
    private readonly windowMs = MINUTE_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new BoundedMap(bound);
  }

  /** Counts one request of `key`: 0 when allowed, else the seconds until its window ends. */
  hit(key: K, max: number): number {
    const nowMs = this.now();
    const bucket = this.buckets.get(key);
    if (bucket === undefined || bucket.start + this.windowMs <= nowMs) {
      this.buckets.set(key, { start: nowMs, count: 1 });
      return 0; // every limit in use allows at least one request a window
    }
    bucket.count += 1;
    return bucket.count <= max ? 0 : Math.max(1, Math.ceil((bucket.start + this.windowMs - nowMs) / 1000));
  }
}

/** 429 RATE_LIMITED with `Retry-After`, for a request refused by a limit. */
function refuse(reply: FastifyReply, retryAfterS: number): ApiError {
  reply.header("retry-after", retryAfterS);
  return new ApiError("RATE_LIMITED", `Too many requests: retry in ${retryAfterS} s`);
}

/**
 * The linked terminal's user when the bearer token authenticates, else null. Only a token that
 * authenticates gets a bucket of its own: random tokens would otherwise each get a fresh one. The
 * lookup is the one the bridge auth uses for this request (looked up once, bridge-token.ts).
 */
async function bridgeTokenOwner(ctx: AppContext, req: FastifyRequest): Promise<number | null> {
  const header = req.headers.authorization;
  if (typeof header !== "string" || !/^bearer /i.test(header)) return null;
  return bridgeTokenUser(ctx.store, req, header.slice(7).trim());
}

/** A route's own say in the limits (its `config`): `addressLimit: false` leaves it out of the per-address count. */
export interface RouteLimits {
  addressLimit?: boolean;
}

/**
 * Installs the request limits (one `onRequest` hook for every route, the 404s included) and
 * returns the per-user check run after auth.
 * - every route: `RATE_LIMIT_IP_PER_MIN` per client address (`req.ip`: the socket's address, or
 *   the one `X-Forwarded-For` names when the hop is trusted, TRUST_PROXY);
 * - `/health`: the same figure in a bucket of its own, so an anonymous `/health` flood cannot use
 *   up the budget of Mini App and bridge requests from the same address (or proxy);
 * - `/bridge/*` with a linked terminal's token: `RATE_LIMIT_BRIDGE_PER_MIN` per token, whatever
 *   the address (hundreds of terminals share a NAT or proxy, an EA makes ~18 requests a minute);
 *   without a valid token, per address as everything else;
 * - after auth, `RATE_LIMIT_PER_MIN` per Telegram user (`checkUser`, `userLimit`).
 * A limit of 0 is off. Each group counts in a map of its own, bounded by MEMORY_BOUNDS. A route
 * whose config says `addressLimit: false` is not counted (local mode's Bot API: see its route).
 */
export function installRateLimits(app: App, ctx: AppContext) {
  const { config, memory } = ctx;
  const ipMax = config.rateLimitIpPerMin;
  const bridgeMax = config.rateLimitBridgePerMin;
  const userMax = config.rateLimitPerMin;
  const bound = memory.bounds.rateLimitBuckets;
  const perAddress = new WindowCounter(bound);
  const perHealthAddress = new WindowCounter(bound);
  const perToken = new WindowCounter(bound);
  // A user's bucket is keyed by their id (a number: no key string built per request), a caller
  // without a user's by `ip:<address>`.
  const perUser = new WindowCounter<number | string>(bound);
  memory.track("rateLimitAddresses", perAddress.buckets, bound);
  memory.track("rateLimitHealth", perHealthAddress.buckets, bound);
  memory.track("rateLimitTokens", perToken.buckets, bound);
  memory.track("rateLimitUsers", perUser.buckets, bound);

  /** The bridge routes' limit: per token when it authenticates, else per address. */
  async function bridgeLimit(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const owner = await bridgeTokenOwner(ctx, req);
    // One bucket per linked terminal (its token's owner): the token is not hashed a second time.
    const wait =
      owner !== null
        ? bridgeMax > 0
          ? perToken.hit(String(owner), bridgeMax)
          : 0
        : ipMax > 0
          ? perAddress.hit(req.ip, ipMax)
          : 0;
    if (wait > 0) throw refuse(reply, wait);
  }

  if (ipMax > 0 || bridgeMax > 0) {
    // Callback style: a request that needs no lookup is checked without a promise.
    app.addHook("onRequest", (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      // routeOptions is a getter that builds a new object on every read: read it once.
      const { url, config } = req.routeOptions;
      if ((config as RouteLimits | undefined)?.addressLimit === false) {
        done();
        return;
      }
      if (url?.startsWith("/bridge/")) {
        bridgeLimit(req, reply).then(() => done(), done);
        return;
      }
      const wait =
        ipMax <= 0 ? 0 : url === "/health" ? perHealthAddress.hit(req.ip, ipMax) : perAddress.hit(req.ip, ipMax);
      done(wait > 0 ? refuse(reply, wait) : undefined);
    });
  }

  /** Throws RATE_LIMITED when the signed-in caller is over the per-user limit (else per address). */
  function checkUser(req: FastifyRequest, reply: FastifyReply): void {
    if (userMax <= 0) return;
    const key = req.caller?.kind === "user" ? req.caller.userId : `ip:${req.ip}`;
    const wait = perUser.hit(key, userMax);
    if (wait > 0) throw refuse(reply, wait);
  }

  return {
    checkUser,
    /** `checkUser` as a preValidation hook (after the auth hook). */
    userLimit(req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
      let refused: Error | undefined;
      try {
        checkUser(req, reply);
      } catch (err) {
        refused = err as Error;
      }
      done(refused);
    },
  };
}
