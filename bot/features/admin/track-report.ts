import { type Api, Composer } from "grammy";
import type { BotContext } from "../../context.ts";
import { channelReportText } from "../../format/performance.ts";
import { ADMIN_CALLBACK_PREFIX } from "../admin-guard.ts";

const USAGE = "Usage: /report [days] [chat id] — e.g. /report 30, or /report 30 -1001234567890 to post it there.";
const BUTTON = `${ADMIN_CALLBACK_PREFIX}report:`;

/** Posts the report in `chatId` (one small function: the send path can change without the feature). */
async function postReport(api: Api, chatId: number, html: string): Promise<void> {
  await api.sendMessage(chatId, html, { parse_mode: "HTML", link_preview_options: { is_disabled: true } });
}

/**
 * Admin: `/report [days] [chat]` — the channel's track record as a summary. With a chat id it is
 * posted there; without, the admin gets a preview with one button per alert chat to post it in.
 * Rights: the admin guard (the buttons carry the admin prefix, so they are checked too).
 */
export const trackReportFeature = new Composer<BotContext>();

trackReportFeature.command("report", async (ctx) => {
  const [daysArg, chatArg] = ctx.match.trim().split(/\s+/).filter(Boolean);
  const days = daysArg === undefined || daysArg === "all" ? null : Number(daysArg);
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) {
    await ctx.reply(USAGE);
    return;
  }
  if (chatArg !== undefined && !/^-?\d{1,20}$/.test(chatArg)) {
    await ctx.reply(USAGE);
    return;
  }
  const html = channelReportText(await ctx.app.trackRecord.channel(days));
  if (chatArg !== undefined) {
    try {
      await postReport(ctx.api, Number(chatArg), html);
      await ctx.reply(`✅ Report posted in chat ${chatArg}.`);
    } catch (err) {
      await ctx.reply(`⚠️ Could not post in chat ${chatArg}: ${(err as Error).message}`);
    }
    return;
  }
  const chats = ctx.app.config.alertChatIds;
  const keyboard = chats.map((id) => [{ text: `📣 Post in ${id}`, callback_data: `${BUTTON}${days ?? "all"}:${id}` }]);
  await ctx.reply(html, { parse_mode: "HTML", reply_markup: { inline_keyboard: keyboard } });
});

trackReportFeature.callbackQuery(/^adm:report:(all|\d{1,4}):(-?\d{1,20})$/, async (ctx) => {
  const [, daysArg, chatArg] = ctx.match;
  const days = daysArg === "all" ? null : Number(daysArg);
  const chatId = Number(chatArg);
  if (!ctx.app.config.alertChatIds.includes(chatId)) {
    await ctx.answerCallbackQuery({ text: "That chat is not an alert chat any more.", show_alert: true });
    return;
  }
  try {
    await postReport(ctx.api, chatId, channelReportText(await ctx.app.trackRecord.channel(days)));
    await ctx.answerCallbackQuery({ text: `Posted in ${chatId}` });
  } catch (err) {
    await ctx.answerCallbackQuery({
      text: `Could not post: ${(err as Error).message}`.slice(0, 190),
      show_alert: true,
    });
  }
});
