import { Composer } from "grammy";
import { createRoleLookup } from "../../core/roles.ts";
import type { AppContext } from "../../server/context.ts";
import type { BotContext, BotLog } from "../context.ts";

/**
 * First middleware: puts the application core on the context, says which staff role the sender
 * has, and keeps the user record of anyone who talks to the bot privately. A private message
 * proves the bot can reach them again, so a user marked unreachable becomes reachable.
 */
export function sessionFeature(app: AppContext, log: BotLog) {
  const feature = new Composer<BotContext>();
  const roleOf = createRoleLookup(app.config);
  feature.use(async (ctx, next) => {
    ctx.app = app;
    ctx.log = log;
    const from = ctx.from;
    ctx.role = from === undefined ? null : roleOf(from.id);
    ctx.isAdmin = ctx.role !== null;
    ctx.actor = from ? `tg:${from.id}` : "tg:unknown";
    if (from && !from.is_bot && (ctx.chat?.type === "private" || ctx.callbackQuery)) {
      await app.store.users.ensureUser(from, new Date(app.clock.now()).toISOString());
      if (ctx.chat?.type === "private" && (await app.store.users.setDmStatus(from.id, "ok"))) {
        app.hub.emit("user.updated", { user_id: from.id });
      }
    }
    await next();
  });
  return feature;
}
