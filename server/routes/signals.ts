import { Type } from "typebox";
import { statusOf } from "../../core/schedule.ts";
import { signalStatus } from "../../core/signal.ts";
import { actorOf } from "../auth/index.ts";
import { forbidden, notFound } from "../errors.ts";
import { errorResponses, SignalIdParams, SignalInputSchema, SignalSchema, SignalWithCount } from "../schemas.ts";
import { idempotencyKeyHeader } from "../validation.ts";
import type { App, RouteDeps } from "./types.ts";

/** Signals: list, one, fire count (traders); create and cancel (admins). */
export function signalRoutes(app: App, { ctx, auth, userLimit }: RouteDeps): void {
  const { store, clock, signals, missions } = ctx;
  const userAuth = [auth.userOrAdmin.bind(auth), userLimit];

  app.get(
    "/api/signals",
    {
      preValidation: userAuth,
      schema: {
        tags: ["signals"],
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([
              Type.Literal("active"),
              Type.Literal("expired"),
              Type.Literal("cancelled"),
              Type.Literal("all"),
              Type.Literal("scheduled"),
              Type.Literal("draft"),
            ]),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        }),
        response: { 200: Type.Object({ signals: Type.Array(SignalWithCount) }), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (req) => {
      const nowMs = clock.now();
      if (req.query.status === "draft") {
        // The engine's proposals waiting for an admin: never shown to traders.
        if (!req.caller?.admin) throw forbidden("Admin rights required to list drafts");
        return {
          signals: (await ctx.engine.drafts.listPending(req.query.limit ?? 50)).map((d) => ({ ...d, fire_count: 0 })),
        };
      }
      if (req.query.status === "scheduled") {
        // Not public until their moment: admins only, soonest first, with the time left.
        if (!req.caller?.admin) throw forbidden("Admin rights required to list scheduled signals");
        return {
          signals: (await ctx.staged.listScheduled(req.query.limit ?? 50)).map((signal) => ({
            ...signal,
            fire_count: 0,
            publish_in_s: Math.max(0, Math.ceil((Date.parse(signal.publish_at!) - nowMs) / 1000)),
          })),
        };
      }
      const rows = await store.signals.listSignals(req.query.status ?? "all", nowMs, req.query.limit ?? 50);
      return {
        signals: rows.map(({ signal, fireCount }) => ({
          ...signal,
          status: signalStatus(signal, nowMs),
          fire_count: fireCount,
        })),
      };
    },
  );

  app.get(
    "/api/signals/:signalId",
    {
      preValidation: userAuth,
      schema: {
        tags: ["signals"],
        params: SignalIdParams,
        response: { 200: SignalWithCount, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      const entry = await missions.findSignal(req.params.signalId);
      if (!entry) throw notFound("Signal");
      return { ...entry.signal, status: signalStatus(entry.signal, clock.now()), fire_count: entry.fireCount };
    },
  );

  app.get(
    "/api/signals/:signalId/fire-count",
    {
      preValidation: userAuth,
      schema: {
        tags: ["signals"],
        params: SignalIdParams,
        response: {
          200: Type.Object({ signal_id: Type.String(), count: Type.Integer() }),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (req) => {
      const entry = await missions.findSignal(req.params.signalId);
      if (!entry) throw notFound("Signal");
      return { signal_id: entry.signal.id, count: entry.fireCount };
    },
  );

  app.post(
    "/api/signals",
    {
      preValidation: auth.admin.bind(auth),
      schema: {
        tags: ["admin"],
        body: SignalInputSchema,
        response: { 201: SignalSchema, 200: SignalSchema, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (req, reply) => {
      const { idempotency_key, ...input } = req.body;
      const key = idempotency_key ?? idempotencyKeyHeader(req.headers["idempotency-key"]);
      const { signal, created } = await signals.create(input, {
        source: "api",
        actor: actorOf(req.caller),
        idempotencyKey: key,
      });
      reply.status(created ? 201 : 200);
      return { ...signal, status: statusOf(signal, clock.now()) };
    },
  );

  app.post(
    "/api/signals/:signalId/cancel",
    {
      preValidation: auth.admin.bind(auth),
      schema: {
        tags: ["admin"],
        params: SignalIdParams,
        response: { 200: SignalSchema, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      const signal = await signals.cancel(req.params.signalId, actorOf(req.caller));
      return { ...signal, status: statusOf(signal, clock.now()) };
    },
  );
}
