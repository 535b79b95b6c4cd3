import { Composer } from "grammy";
import { ADMIN_COMMAND_NAMES, commandOf } from "../commands.ts";
import type { BotContext } from "../context.ts";

/** Callback data of admin buttons starts with this; the guard checks them like commands. */
export const ADMIN_CALLBACK_PREFIX = "adm:";

/**
 * The one place admin rights are checked: an admin command or admin button from anyone outside
 * ADMIN_IDS is refused here, and every admin action (allowed or refused) goes to the event log
 * with who did it. Handlers behind this guard do not check again.
 */
export const adminGuard = new Composer<BotContext>();

adminGuard.use(async (ctx, next) => {
  const command = commandOf(ctx.message?.text, ctx.me.username);
  const data = ctx.callbackQuery?.data;
  const isAdminCommand = command !== null && ADMIN_COMMAND_NAMES.has(command);
  const isAdminButton = data?.startsWith(ADMIN_CALLBACK_PREFIX) ?? false;
  if (!isAdminCommand && !isAdminButton) return next();

  const action = isAdminCommand ? `/${command}` : data;
  await ctx.app.store.fires.appendEvent(
    {
      type: ctx.isAdmin ? "admin.command" : "admin.refused",
      actor: ctx.actor,
      data: { action, args: isAdminCommand ? (ctx.message?.text ?? "").slice(0, 200) : undefined, chat: ctx.chat?.id },
    },
    new Date(ctx.app.clock.now()).toISOString(),
  );
  if (ctx.isAdmin) return next();

  ctx.log(`refused admin action ${action} from ${ctx.actor}`);
  if (isAdminButton) await ctx.answerCallbackQuery({ text: "Only admins can do that.", show_alert: true });
  else await ctx.reply("⛔ This command is for Sortie admins only.");
});
