import { Type } from "typebox";
import { actorOf } from "../auth/index.ts";
import { forbidden } from "../errors.ts";
import { errorResponses, IdParam, SignalIdParams } from "../schemas.ts";
import { fireTimeline } from "../services/updates/timeline.ts";
import { idempotencyKeyHeader } from "../validation.ts";
import type { App, RouteDeps } from "./types.ts";
import { IntOrNull, NumOrNull, PositionCommand, StrOrNull, UpdateSchema } from "./update-schemas.ts";

/** Loose types on purpose: core validates each action and names the field (CONTRACT.md). */
const UpdateBody = Type.Object({
  action: Type.String({ maxLength: 32 }),
  stop_loss: Type.Optional(Type.Number()),
  take_profit: Type.Optional(Type.Number()),
  leg: Type.Optional(Type.Number()),
  note: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
});

/** Managing trades after entry: admin updates of a signal, a trader's requests on their own fire. */
export function updateRoutes(app: App, { ctx, auth, userLimit, sse }: RouteDeps): void {
  const { updates, store, hub } = ctx;
  // `position_update {fire}` (own): a position command of the fire was queued, delivered or answered.
  const off = hub.on("position.updated", ({ fire_id, user_id, update_id, command }) => {
    // Replayed to a client that reconnects only if published: published when someone listens.
    if (!sse.hasClient(user_id) || store.closed) return;
    store.fires.findFireById(fire_id).then(
      (fire) => {
        if (fire) sse.publish("position_update", { fire, update_id, command: command ?? null }, user_id);
      },
      () => undefined, // the database went away meanwhile (shutdown): nothing to publish
    );
  });
  app.addHook("onClose", async () => off());

  app.post(
    "/api/signals/:signalId/updates",
    {
      preValidation: auth.admin.bind(auth),
      schema: {
        tags: ["admin"],
        params: SignalIdParams,
        body: UpdateBody,
        response: {
          201: Type.Object({ update: UpdateSchema }),
          200: Type.Object({ update: UpdateSchema }),
          ...errorResponses(400, 401, 403, 404, 409, 429),
        },
      },
    },
    async (req, reply) => {
      const { update, created } = await updates.create(req.params.signalId, req.body, {
        source: "api",
        actor: actorOf(req.caller),
        idempotencyKey: idempotencyKeyHeader(req.headers["idempotency-key"]),
      });
      reply.status(created ? 201 : 200);
      return { update };
    },
  );

  app.get(
    "/api/signals/:signalId/updates",
    {
      preValidation: [auth.userOrAdmin.bind(auth), userLimit],
      schema: {
        tags: ["signals"],
        params: SignalIdParams,
        response: {
          200: Type.Object({ updates: Type.Array(UpdateSchema) }),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (req) => ({ updates: await updates.list(req.params.signalId) }),
  );

  app.post(
    "/api/fires/:fireId/manage",
    {
      preValidation: [auth.user.bind(auth), userLimit],
      schema: {
        tags: ["missions"],
        params: Type.Object({ fireId: IdParam }),
        body: UpdateBody,
        response: {
          202: Type.Object({ request: UpdateSchema }),
          200: Type.Object({ request: UpdateSchema }),
          ...errorResponses(400, 401, 403, 404, 409, 429),
        },
      },
    },
    async (req, reply) => {
      if (req.caller?.kind !== "user") throw forbidden("Trades belong to Telegram users");
      const key = idempotencyKeyHeader(req.headers["idempotency-key"]);
      const { update, created } = await updates.manage(req.caller.userId, req.params.fireId, req.body, key);
      reply.status(created ? 202 : 200);
      return { request: update };
    },
  );

  app.get(
    "/api/fires/:fireId/positions",
    {
      preValidation: [auth.user.bind(auth), userLimit],
      schema: {
        tags: ["missions"],
        params: Type.Object({ fireId: IdParam }),
        response: {
          200: Type.Object({
            fire_id: Type.String(),
            protocol: StrOrNull,
            manageable: Type.Boolean(),
            open: Type.Array(
              Type.Object({
                leg: Type.Integer(),
                position_of: Type.String(),
                fill_price: Type.Number(),
                stop_loss: Type.Number(),
                take_profit: NumOrNull,
              }),
            ),
            requests: Type.Array(UpdateSchema),
            commands: Type.Array(PositionCommand),
            timeline: Type.Array(
              Type.Object({ at: Type.String(), kind: Type.String(), leg: IntOrNull, text: Type.String() }),
            ),
          }),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (req) => {
      if (req.caller?.kind !== "user") throw forbidden("Trades belong to Telegram users");
      return fireTimeline(ctx.store, req.caller.userId, req.params.fireId);
    },
  );
}
