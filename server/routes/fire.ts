import { Type } from "typebox";
import { answerWithTurn } from "../answer-in-turn.ts";
import { forbidden } from "../errors.ts";
import { errorResponses, FireSchema, IdParam } from "../schemas.ts";
import type { App, RouteDeps } from "./types.ts";

/** `POST /api/fire`: 202 for the first accepted request, 200 + duplicate for every later one. */
export function fireRoutes(app: App, { ctx, auth, checkUserLimit }: RouteDeps): void {
  app.post(
    "/api/fire",
    {
      // Repeats of a fire already taken are answered 200 however many (CONTRACT.md): they cost a
      // map lookup and never count toward the per-user rate limit. Callback-style hooks: a known
      // user's tap passes both without a promise.
      preValidation: [
        auth.userHook,
        (req, reply, done) => {
          const signalId = (req.body as { signal_id?: unknown } | null)?.signal_id;
          const repeat =
            req.caller?.kind === "user" &&
            typeof signalId === "string" &&
            ctx.fires.isRepeat(signalId, req.caller.userId);
          let refused: Error | undefined;
          try {
            if (!repeat) checkUserLimit(req, reply);
          } catch (err) {
            refused = err as Error;
          }
          done(refused);
        },
      ],
      onSend: answerWithTurn,
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
    (req, reply) => {
      if (req.caller?.kind !== "user") throw forbidden("Fires belong to Telegram users");
      const { signal_id: signalId, user_id: bodyUserId } = req.body;
      // A remembered fire (most taps of a burst) is answered without a promise.
      const known = ctx.fires.knownFire(req.caller.userId, signalId, bodyUserId);
      if (known) {
        reply.status(200);
        return { fire: known, duplicate: true };
      }
      return ctx.fires.newTap(req.caller.userId, signalId).then((outcome) => {
        // 202 `{fire}`, or 200 `{fire, duplicate: true}` for a tap that joined one in flight.
        reply.status(outcome.duplicate ? 200 : 202);
        return outcome;
      });
    },
  );
}
