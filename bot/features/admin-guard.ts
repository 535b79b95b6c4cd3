import { Composer } from "grammy";
import { roleAllows } from "../../core/roles.ts";
import { ADMIN_COMMAND_NAMES, commandOf, commandRole } from "../commands.ts";
import type { BotContext } from "../context.ts";

/** Callback data of admin buttons starts with this; the guard checks them like commands. */
export const ADMIN_CALLBACK_PREFIX = "adm:";

/** The least role an admin button needs (its callback data after the prefix): admins, for signals. */
const BUTTON_ROLE = "admin" as const;

/**
 * The one place staff rights are checked: a staff command or admin button from anyone whose role
 * is below what it needs (`commandRole`; buttons need an admin) is refused here, and every staff
 * action (allowed or refused) goes to the event log with who did it and their role. Handlers
 * behind this guard do not check again.
 */
export const adminGuard = new Composer<BotContext>();

adminGuard.use(async (ctx, next) => {
  const command = commandOf(ctx.message?.text, ctx.me.username);
  const data = ctx.callbackQuery?.data;
  const isAdminCommand = command !== null && ADMIN_COMMAND_NAMES.has(command);
  const isAdminButton = data?.startsWith(ADMIN_CALLBACK_PREFIX) ?? false;
  if (!isAdminCommand && !isAdminButton) return next();

  const action = isAdminCommand ? `/${command}` : data;
  const needed = isAdminCommand ? commandRole(command) : BUTTON_ROLE;
  const allowed = roleAllows(ctx.role, needed);
  await ctx.app.store.fires.appendEvent(
    {
      type: allowed ? "admin.command" : "admin.refused",
      actor: ctx.actor,
      data: {
        action,
        args: isAdminCommand ? (ctx.message?.text ?? "").slice(0, 200) : undefined,
        chat: ctx.chat?.id,
        role: ctx.role,
        needed,
      },
    },
    new Date(ctx.app.clock.now()).toISOString(),
  );
  if (allowed) return next();

  ctx.log(`refused admin action ${action} from ${ctx.actor} (${ctx.role ?? "no role"}, needs ${needed})`);
  const who = needed === "owner" ? "Sortie owners" : needed === "admin" ? "Sortie admins" : "Sortie staff";
  if (isAdminButton) await ctx.answerCallbackQuery({ text: `Only ${who} can do that.`, show_alert: true });
  else await ctx.reply(`⛔ This command is for ${who} only.`);
});
