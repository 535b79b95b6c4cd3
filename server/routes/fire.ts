import { Type } from "typebox";
import { forbidden } from "../errors.ts";
import { errorResponses, FireSchema, IdParam } from "../schemas.ts";
import type { App, RouteDeps } from "./types.ts";

/** `POST /api/fire`: 202 for the first accepted request, 200 + duplicate for every later one. */
export function fireRoutes(app: App, { ctx, auth, checkUserLimit }: RouteDeps): void {
  app.post(
    "/api/fire",
    {
      // Repeats of a fire already taken are answered 200 however many (CONTRACT.md): they cost a
      // map lookup and never count toward the per-user rate limit.
      // One hook (auth, then the limit) rather than two: every tap of a burst goes through it.
      preValidation: async (req, reply) => {
        await auth.user(req);
        const signalId = (req.body as { signal_id?: unknown } | null)?.signal_id;
        const repeat =
          req.caller?.kind === "user" &&
          typeof signalId === "string" &&
          ctx.fires.isRepeat(signalId, req.caller.userId);
        if (!repeat) checkUserLimit(req, reply);
      },
      schema: {
        tags: ["missions"],
        body: Type.Object({
          signal_id: IdParam,
          user_id: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 32 })])),
        }),
        response: {
          202: Type.Object({ fire: FireSchema }),
          200: Type.Object({ fire: FireSchema, duplicate: Type.Boolean() }),
          ...errorResponses(400, 401, 403, 404, 409, 410, 422, 429, 503),
        },
      },
    },
    async (req, reply) => {
      if (req.caller?.kind !== "user") throw forbidden("Fires belong to Telegram users");
      const outcome = await ctx.fires.fire(req.caller.userId, req.body.signal_id, req.body.user_id);
      if (outcome.duplicate) {
        reply.status(200);
        return { fire: outcome.fire, duplicate: true };
      }
      reply.status(202);
      return { fire: outcome.fire };
    },
  );
}
