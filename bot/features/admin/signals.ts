import { Composer } from "grammy";
import type { StagedSignal } from "../../../core/schedule.ts";
import { signalStatus } from "../../../core/signal.ts";
import type { AppContext } from "../../../server/context.ts";
import type { BotContext } from "../../context.ts";
import { countdown, duration, escapeHtml, utcTime } from "../../format/common.ts";
import type { Button } from "../../messenger.ts";
import { ADMIN_CALLBACK_PREFIX } from "../admin-guard.ts";
import { actionButtons } from "../manage/actions.ts";

const CANCEL = `${ADMIN_CALLBACK_PREFIX}cancel:`;
const LIST_LIMIT = 20;

/**
 * The /signals message: scheduled signals first (countdown to the second, a cancel button each),
 * then active signals with fire counts, one cancel button each.
 */
async function activeSignals(app: AppContext): Promise<{ html: string; buttons: Button[][] }> {
  const nowMs = app.clock.now();
  const scheduled = await app.staged.listScheduled(LIST_LIMIT);
  const active = await app.store.signals.listSignals("active", nowMs, LIST_LIMIT);
  const upcoming = scheduled.length === 0 ? null : scheduledList(scheduled, nowMs);
  if (active.length === 0) {
    const none = "No active signals. Create one with /signal.";
    return upcoming ? { html: `${upcoming.html}\n\n${none}`, buttons: upcoming.buttons } : { html: none, buttons: [] };
  }
  const lines = active.map(
    ({ signal, fireCount }, i) =>
      `${i + 1}. <b>${escapeHtml(signal.symbol)} ${signal.side}</b> @ ${signal.entry} · 🔥 ${fireCount} · ` +
      `${duration(Date.parse(signal.expires_at) - nowMs)} left\n<code>${signal.id}</code>`,
  );
  const html = [`📡 <b>Active signals</b> (${active.length})`, "", ...lines].join("\n");
  return {
    html: upcoming ? `${upcoming.html}\n\n${html}` : html,
    // Under each signal: cancel, then its trade-management buttons (the first ten signals: Telegram
    // allows 100 buttons per message).
    buttons: [
      ...(upcoming?.buttons ?? []),
      ...active.flatMap(({ signal }, i) => [
        [{ text: `✖ Cancel ${signal.symbol} ${signal.side}`, callback_data: `${CANCEL}${signal.id}` }],
        ...(i < 10
          ? actionButtons(
              "s",
              signal.id,
              signal.take_profit.map((_, leg) => leg + 1),
            )
          : []),
      ]),
    ],
  };
}

/** Scheduled signals, soonest first: when, and how long until then. */
function scheduledList(scheduled: StagedSignal[], nowMs: number): { html: string; buttons: Button[][] } {
  const lines = scheduled.map(
    (signal, i) =>
      `${i + 1}. <b>${escapeHtml(signal.symbol)} ${signal.side}</b> @ ${signal.entry} · 🕒 ${utcTime(signal.publish_at!, true)} · ` +
      `in ${countdown(Date.parse(signal.publish_at!) - nowMs)}\n<code>${signal.id}</code>`,
  );
  return {
    html: [`🕒 <b>Scheduled signals</b> (${scheduled.length})`, "", ...lines].join("\n"),
    buttons: scheduled.map((signal) => [
      { text: `✖ Cancel scheduled ${signal.symbol} ${signal.side}`, callback_data: `${CANCEL}${signal.id}` },
    ]),
  };
}

/** Cancels one signal for an admin; answers what to tell them. */
async function cancel(app: AppContext, signalId: string, actor: string): Promise<string> {
  const staged = await app.staged.find(signalId);
  if (staged && staged.status !== "published") {
    if (staged.status !== "scheduled")
      return `${staged.symbol} ${staged.side} (${signalId}) is already ${staged.status}.`;
    await app.signals.cancel(signalId, actor);
    return `Cancelled scheduled ${staged.symbol} ${staged.side} (${signalId}): it will never go out.`;
  }
  const existing = await app.store.signals.findSignal(signalId);
  if (!existing) return `No signal ${signalId}.`;
  const status = signalStatus(existing, app.clock.now());
  if (status !== "active") return `${existing.symbol} ${existing.side} (${signalId}) is already ${status}.`;
  const signal = await app.signals.cancel(signalId, actor);
  return `Cancelled ${signal.symbol} ${signal.side} (${signal.id}). Its alerts now say so; fires are refused.`;
}

/** Admin: /signals and its cancel buttons, /cancel_signal <id>. Rights are checked by the admin guard. */
export const signalsFeature = new Composer<BotContext>();

signalsFeature.command("signals", async (ctx) => {
  const { html, buttons } = await activeSignals(ctx.app);
  await ctx.reply(html, { parse_mode: "HTML", reply_markup: { inline_keyboard: buttons } });
});

signalsFeature.command("cancel_signal", async (ctx) => {
  const signalId = ctx.match.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(signalId)) {
    await ctx.reply("Usage: /cancel_signal <signal id> (see /signals for ids)");
    return;
  }
  await ctx.reply(await cancel(ctx.app, signalId, ctx.actor));
});

signalsFeature.callbackQuery(new RegExp(`^${CANCEL}([A-Za-z0-9_-]{1,64})$`), async (ctx) => {
  const answer = await cancel(ctx.app, ctx.match[1]!, ctx.actor);
  await ctx.answerCallbackQuery({ text: answer.slice(0, 200) });
  const { html, buttons } = await activeSignals(ctx.app);
  await ctx
    .editMessageText(html, { parse_mode: "HTML", reply_markup: { inline_keyboard: buttons } })
    .catch((err: unknown) => ctx.log("could not refresh /signals", err));
});
