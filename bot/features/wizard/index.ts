import { type Conversation, createConversation } from "@grammyjs/conversations";
import { Composer } from "grammy";
import { validateScheduled } from "../../../core/schedule.ts";
import { ApiError } from "../../../server/errors.ts";
import type { BotContext, WizardContext } from "../../context.ts";
import { signalLines } from "../../format/alert.ts";
import { countdown, duration, utcTime } from "../../format/common.ts";
import { answerData, checkStep, type Draft, parsePublishAt, STEPS, toInput, validateDraft } from "./steps.ts";

const WIZARD_ID = "signal";
const CONFIRM = "wiz:confirm";
const CANCEL = "wiz:cancel";
/** Confirm with the signal option `breakeven_after_tp1` (stops to breakeven once TP1 is hit). */
const CONFIRM_BE = "wiz:confirm_be";
/** "Publish at…": asks for a moment; "Publish now instead" drops it. */
const AT = "wiz:at";
const NOW = "wiz:now";
const PUBLISH_AT_PROMPT =
  "🕒 Publish when? A UTC time (14:30, the next one to come), a date-time (2026-11-21T14:30Z) or a delay (in 10m, 2h). Up to 7 days ahead.";
/** An abandoned wizard ends on the next update after this long. */
const MAX_WAIT_MS = 30 * 60 * 1000;

type WizardConversation = Conversation<BotContext, WizardContext>;

const isCancel = (text: string | undefined) => /^\/cancel(@\w+)?$/i.test(text?.trim() ?? "");

/**
 * Asks one question until core accepts the answer. Other commands pass through to the bot
 * (so /signals still works mid-wizard); /cancel ends the wizard (returns false).
 */
async function ask(conversation: WizardConversation, ctx: WizardContext, draft: Draft, index: number) {
  const step = STEPS[index]!;
  const buttons = step.buttons ? { reply_markup: { inline_keyboard: step.buttons } } : {};
  const ownButton = answerData(step.key, "");
  await ctx.reply(step.prompt, buttons);
  for (;;) {
    // A typed answer, or a tap on one of this question's buttons (Skip, a tier).
    const answer = await conversation.waitUntil(
      (c) => typeof c.message?.text === "string" || (c.callbackQuery?.data?.startsWith(ownButton) ?? false),
      { next: true },
    );
    const tapped = answer.callbackQuery?.data;
    if (tapped) await answer.answerCallbackQuery();
    const text = tapped ? tapped.slice(ownButton.length) : (answer.message?.text ?? "").trim();
    if (isCancel(text)) return false;
    if (text.startsWith("/")) await conversation.skip({ next: true });
    step.apply(draft, text);
    // Checked against the database too: a symbol any linked terminal reported is accepted.
    const error = await conversation.external((outer) =>
      checkStep(step, draft, outer.app.clock.now(), outer.app.store.terminal),
    );
    if (!error) return true;
    await answer.reply(`❗ ${error}\n${step.prompt}`, buttons);
  }
}

/**
 * The admin's signal wizard (private chat): one question per field, each answer checked by
 * core's validation, then a preview with Confirm / Cancel. The signal is created through the
 * signal service inside `conversation.external` (never replayed), which logs who created it
 * and emits `signal.created` (the notifier posts the alerts).
 */
async function signalWizard(conversation: WizardConversation, ctx: WizardContext) {
  const draft: Draft = {};
  await ctx.reply("🧭 New signal. Answer each question, or /cancel at any time.");
  for (let i = 0; i < STEPS.length; i++) {
    if (!(await ask(conversation, ctx, draft, i))) {
      await ctx.reply("Signal wizard cancelled. Nothing was created.");
      return;
    }
  }
  const checked = await conversation.external((outer) =>
    validateDraft(draft, outer.app.clock.now(), outer.app.store.terminal),
  );
  if (!checked.ok) {
    await ctx.reply(`❗ ${checked.message}\nNothing was created; start again with /signal.`);
    return;
  }
  // "Publish now / at…": the preview offers both; a chosen moment shows in the preview again.
  let publishAt: string | null = null;
  let data: string | undefined;
  for (;;) {
    const when = publishAt ? `🕒 Publishes at ${utcTime(publishAt, true)}` : "🚀 Publishes on Confirm";
    const preview = await ctx.reply(
      [
        "👀 <b>Preview</b>",
        ...signalLines(checked.value),
        `⏳ Expires ${expiryLine(draft, checked.value.expires_at)}`,
        when,
      ].join("\n"),
      { parse_mode: "HTML", reply_markup: { inline_keyboard: previewButtons(publishAt) } },
    );
    const choice = await conversation.waitUntil(
      (c) => PREVIEW_CHOICES.has(c.callbackQuery?.data ?? "") || isCancel(c.message?.text),
      { next: true, otherwise: (c) => c.message?.text && c.reply("Tap ✅ Confirm or ✖ Cancel above (or /cancel).") },
    );
    if (choice.callbackQuery) await choice.answerCallbackQuery();
    await ctx.api
      .editMessageReplyMarkup(preview.chat.id, preview.message_id, { reply_markup: { inline_keyboard: [] } })
      .catch(() => undefined);
    data = choice.callbackQuery?.data;
    if (data === AT) {
      publishAt = await askPublishAt(conversation, ctx, draft);
      if (publishAt === null) break;
      continue;
    }
    if (data === NOW) {
      publishAt = null;
      continue;
    }
    break;
  }
  const breakevenAfterTp1 = data === CONFIRM_BE;
  if (data !== CONFIRM && !breakevenAfterTp1) {
    await ctx.reply("Signal wizard cancelled. Nothing was created.");
    return;
  }
  const created = await conversation.external((outer) => {
    try {
      const { signal } = outer.app.signals.create(
        {
          ...checked.value,
          expires_at: undefined,
          ...expiryOf(draft, checked.value.expires_at),
          breakeven_after_tp1: breakevenAfterTp1,
          ...(publishAt ? { publish_at: publishAt } : {}),
        },
        { source: "bot", actor: outer.actor },
      );
      return {
        ok: true as const,
        id: signal.id,
        chats: outer.app.config.alertChatIds.length,
        now: outer.app.clock.now(),
      };
    } catch (err) {
      if (err instanceof ApiError) return { ok: false as const, message: err.message };
      throw err;
    }
  });
  if (!created.ok) {
    await ctx.reply(`❗ ${created.message}\nNothing was created; start again with /signal.`);
    return;
  }
  await ctx.reply(
    publishAt
      ? `🕒 Signal <code>${created.id}</code> is scheduled for ${utcTime(publishAt, true)} (in ${countdown(Date.parse(publishAt) - created.now)}). Until then nobody sees it; /signals lists it with a Cancel button.`
      : `✅ Signal <code>${created.id}</code> is live. Alerts go to ${created.chats} chat(s).`,
    { parse_mode: "HTML" },
  );
}

const PREVIEW_CHOICES = new Set([CONFIRM, CONFIRM_BE, CANCEL, AT, NOW]);

/** Confirm / Cancel, Confirm with breakeven, and Publish at… (or back to now once a moment is set). */
function previewButtons(publishAt: string | null) {
  return [
    [
      { text: publishAt ? "✅ Confirm schedule" : "✅ Confirm", callback_data: CONFIRM },
      { text: "✖ Cancel", callback_data: CANCEL },
    ],
    [{ text: "✅ Confirm + 🛡 breakeven after TP1", callback_data: CONFIRM_BE }],
    [
      publishAt
        ? { text: "🚀 Publish now instead", callback_data: NOW }
        : { text: "🕒 Publish at…", callback_data: AT },
    ],
  ];
}

/** A relative expiry counts from publication: say so rather than print a time it will not have. */
function expiryLine(draft: Draft, expiresAt: string): string {
  return draft.expiry && "expires_in_min" in draft.expiry
    ? `${duration(draft.expiry.expires_in_min * 60_000)} after publication`
    : utcTime(expiresAt);
}

/** Asks when to publish until core accepts it (future, ≤ 7 days, before the expiry); null on /cancel. */
async function askPublishAt(
  conversation: WizardConversation,
  ctx: WizardContext,
  draft: Draft,
): Promise<string | null> {
  await ctx.reply(PUBLISH_AT_PROMPT);
  for (;;) {
    const answer = await conversation.waitFor("message:text");
    const text = answer.message.text.trim();
    if (isCancel(text)) return null;
    const verdict = await conversation.external((outer) => {
      const nowMs = outer.app.clock.now();
      const publishAt = parsePublishAt(text, nowMs);
      if (!publishAt) return { ok: false as const, message: "I could not read that time." };
      const result = validateScheduled({ ...toInput(draft), publish_at: publishAt }, nowMs, outer.app.store.terminal);
      return result.ok ? { ok: true as const, publishAt } : { ok: false as const, message: result.message };
    });
    if (verdict.ok) return verdict.publishAt;
    await answer.reply(`❗ ${verdict.message}\n${PUBLISH_AT_PROMPT}`);
  }
}

/**
 * A relative expiry counts from the moment the admin confirms, not from when it was typed (from
 * `publish_at` for a scheduled signal).
 */
function expiryOf(draft: Draft, fallbackIso: string) {
  return draft.expiry && "expires_in_min" in draft.expiry
    ? { expires_in_min: draft.expiry.expires_in_min }
    : { expires_at: fallbackIso };
}

/** /signal (admins, private chat; rights checked by the admin guard) and its conversation. */
export const wizardFeature = new Composer<BotContext>();

wizardFeature.use(
  createConversation<BotContext, WizardContext>(signalWizard, { id: WIZARD_ID, maxMillisecondsToWait: MAX_WAIT_MS }),
);

wizardFeature.command("signal", async (ctx) => {
  if (ctx.chat.type !== "private") {
    await ctx.reply("Run /signal in a private chat with me.");
    return;
  }
  if (ctx.conversation.active(WIZARD_ID) > 0) {
    await ctx.reply("A signal wizard is already running: answer its question, or /cancel.");
    return;
  }
  await ctx.conversation.enter(WIZARD_ID);
});

wizardFeature.command("cancel", (ctx) => ctx.reply("Nothing to cancel."));

wizardFeature.callbackQuery(/^wiz:/, (ctx) => ctx.answerCallbackQuery({ text: "This preview is no longer active." }));
