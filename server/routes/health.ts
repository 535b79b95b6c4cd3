import { Type } from "typebox";
import { safeEqual } from "../auth/tokens.ts";
import type { App, RouteDeps } from "./types.ts";

const startedMs = Date.now();
/** The database figures are computed at most this often: a /health flood costs a cache read. */
const FIGURES_TTL_MS = 1000;

/**
 * `GET /health`: liveness with database, bot and bridge figures. A database that cannot answer,
 * or cannot write (last write failed, disk full), makes it 503 `UNAVAILABLE` (in the error shape),
 * so a load balancer or uptime check notices. Anonymous callers get no terminal or stream counts
 * (they tell an outsider how big the service is): those are in `/metrics`, and here for a caller
 * sending `Authorization: Bearer <ADMIN_API_TOKEN>`. It has its own rate limit (app.ts).
 */
export function healthRoutes(app: App, { ctx, sse, extras, dbHealth }: RouteDeps): void {
  const figures = ctx.store.metrics;
  const staleMs = ctx.config.heartbeatStaleS * 1000;
  const adminToken = ctx.config.adminApiToken;
  let cached: { atMs: number; latencyMs: number; bridge: Record<string, number> } | null = null;

  const isAdmin = (header: string | undefined) =>
    adminToken !== null && typeof header === "string" && safeEqual(header, `Bearer ${adminToken}`);

  app.get(
    "/health",
    {
      schema: {
        tags: ["system"],
        response: {
          200: Type.Object({ status: Type.String() }, { additionalProperties: true }),
          503: Type.Ref("Error"),
        },
      },
    },
    async (req, reply) => {
      const nowMs = ctx.clock.now();
      try {
        if (!cached || Date.now() - cached.atMs >= FIGURES_TTL_MS) {
          const started = performance.now();
          await ctx.store.ping();
          const bridge = {
            commands_pending: await ctx.store.commands.countPending(),
            fires_unfinished: await ctx.store.fires.countUnfinishedFires(),
          };
          cached = { atMs: Date.now(), latencyMs: performance.now() - started, bridge };
        }
      } catch (err) {
        cached = null;
        req.log.error({ err }, "health: database check failed");
        return reply
          .status(503)
          .send({ error: { code: "UNAVAILABLE", message: "The database is not answering; see the server log" } });
      }
      const write = dbHealth.state();
      if (!write.writable) {
        return reply.status(503).send({
          error: { code: "UNAVAILABLE", message: `The database cannot write: ${write.reason}` },
        });
      }
      const admin = isAdmin(req.headers.authorization);
      return {
        status: "ok",
        mode: ctx.config.localMode ? "local" : "telegram",
        time: new Date(nowMs).toISOString(),
        uptime_s: Math.round((Date.now() - startedMs) / 1000),
        db: {
          ok: true,
          engine: ctx.store.engine,
          writable: true,
          latency_ms: Math.round(cached.latencyMs * 1000) / 1000,
          ...(admin ? { free_bytes: write.free_bytes } : {}),
        },
        bridge: admin
          ? {
              ...cached.bridge,
              terminals_linked: await figures.countLinkedTerminals(),
              terminals_online: await figures.countOnlineTerminals(nowMs - staleMs),
            }
          : cached.bridge,
        ...(admin ? { events: sse.stats() } : {}),
        // The live signal engine: per symbol live or paused by a gap in prices, and why.
        signal_engine: ctx.engine.health(),
        // The bot reports itself through `extras.health` (main.ts); an app built without one says so.
        bot: { mode: "none" },
        ...(extras.health?.() ?? {}),
      };
    },
  );
}
