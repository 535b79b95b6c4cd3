import { Type } from "typebox";
import { utcDayStartMs } from "../../core/tiers.ts";
import { actorOf } from "../auth/index.ts";
import { notFound } from "../errors.ts";
import { errorResponses, StatsSchema, Tier } from "../schemas.ts";
import { statsFor } from "../services/stats.ts";
import type { App, RouteDeps } from "./types.ts";

/** Owner: change a user's tier (the bot's `/tier` does the same). Every change is in the event log. */
export function userRoutes(app: App, { ctx, auth }: RouteDeps): void {
  const { store, clock, hub } = ctx;
  app.patch(
    "/api/users/:userId",
    {
      preValidation: auth.staff("owner"),
      schema: {
        tags: ["admin"],
        params: Type.Object({ userId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        body: Type.Object({ tier: Tier }),
        response: {
          200: Type.Object({ user_id: Type.Integer(), tier: Type.String(), stats: StatsSchema }),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (req) => {
      const { userId } = req.params;
      const nowMs = clock.now();
      const at = new Date(nowMs).toISOString();
      const changed = await store.transaction(async () => {
        const user = await store.users.findUser(userId);
        if (!user) throw notFound("User");
        await store.users.setTier(userId, req.body.tier, at);
        await store.fires.appendEvent(
          {
            type: "admin.tier",
            actor: actorOf(req.caller),
            user_id: userId,
            data: { from: user.tier, to: req.body.tier },
          },
          at,
        );
        return user.tier !== req.body.tier;
      });
      if (changed) hub.emit("user.updated", { user_id: userId });
      const stats = (await statsFor(store, userId, nowMs, utcDayStartMs(nowMs)))!;
      return { user_id: userId, tier: req.body.tier, stats };
    },
  );
}
