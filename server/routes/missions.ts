import { Type } from "typebox";
import { forbidden, notFound } from "../errors.ts";
import { errorResponses, MissionSchema, SignalIdParams } from "../schemas.ts";
import type { App, RouteDeps } from "./types.ts";

/** The caller's mission, and their private note on it. */
export function missionRoutes(app: App, { ctx, auth, userLimit }: RouteDeps): void {
  const { missions, store, clock, hub } = ctx;

  app.get(
    "/api/missions/:signalId",
    {
      preValidation: [auth.user.bind(auth), userLimit],
      schema: {
        tags: ["missions"],
        params: SignalIdParams,
        response: { 200: MissionSchema, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (req) => {
      if (req.caller?.kind !== "user") throw forbidden("Missions belong to Telegram users");
      return missions.missionFor(req.caller.userId, req.params.signalId);
    },
  );

  app.put(
    "/api/missions/:signalId/note",
    {
      preValidation: [auth.user.bind(auth), userLimit],
      schema: {
        tags: ["missions"],
        params: SignalIdParams,
        body: Type.Object({ text: Type.String({ maxLength: 4000 }) }),
        response: {
          200: Type.Object({ note: Type.Object({ text: Type.String(), updated_at: Type.String() }) }),
          ...errorResponses(400, 401, 404, 429),
        },
      },
    },
    async (req) => {
      if (req.caller?.kind !== "user") throw forbidden("Notes belong to Telegram users");
      const userId = req.caller.userId;
      if (!(await missions.findSignal(req.params.signalId))) throw notFound("Signal");
      const updatedAt = new Date(clock.now()).toISOString();
      await store.users.saveNote(userId, req.params.signalId, req.body.text, updatedAt);
      hub.emit("user.updated", { user_id: userId });
      return { note: { text: req.body.text, updated_at: updatedAt } };
    },
  );
}
