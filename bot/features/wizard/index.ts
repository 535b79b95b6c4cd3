import { createConversation } from "@grammyjs/conversations";
import { Composer } from "grammy";
import { ApiError } from "../../../server/errors.ts";
import { symbolLookup } from "../../../server/services/symbol-lookup.ts";
import type { BotContext, WizardContext } from "../../context.ts";
import { signalLines } from "../../format/alert.ts";
import { countdown, utcTime } from "../../format/common.ts";
import {
  AT,
  askPublishAt,
  CONFIRM,
  CONFIRM_BE,
  expiryLine,
  isCancel,
  NOW,
  PREVIEW_CHOICES,
  previewButtons,
  type WizardConversation,
} from "./preview.ts";
import { answerData, checkStep, type Draft, STEPS, toInput, validateDraft } from "./steps.ts";

const WIZARD_ID = "signal";
/** The answer a question's ⬅ Back button carries. */
const BACK = "back";
/** An abandoned wizard ends on the next update after this long. */
const MAX_WAIT_MS = 30 * 60 * 1000;

/** "/back" typed, or the ⬅ Back button under a question: to the question before. */
const isBack = (text: string) => /^\/back(@\w+)?$/i.test(text);

/**
 * Asks one question until core accepts the answer ("answered"). Other commands pass through to the
 * bot (so /signals still works mid-wizard); /back goes to the question before ("back"), /cancel
 * ends the wizard ("cancel").
 */
async function ask(
  conversation: WizardConversation,
  ctx: WizardContext,
  draft: Draft,
  index: number,
): Promise<"answered" | "back" | "cancel"> {
  const step = STEPS[index]!;
  const rows = [
    ...(step.buttons ?? []),
    ...(index > 0 ? [[{ text: "⬅ Back", callback_data: answerData(step.key, BACK) }]] : []),
  ];
  const buttons = rows.length > 0 ? { reply_markup: { inline_keyboard: rows } } : {};
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
    if (isCancel(text)) return "cancel";
    if (tapped ? text === BACK : isBack(text)) {
      if (index > 0) return "back";
      await answer.reply(`This is the first question: answer it, or /cancel.\n${step.prompt}`, buttons);
      continue;
    }
    if (text.startsWith("/")) await conversation.skip({ next: true });
    step.apply(draft, text);
    // Checked against the database too: a symbol any linked terminal reported is accepted.
    const error = await conversation.external(async (outer) =>
      checkStep(step, draft, outer.app.clock.now(), await symbolLookup(outer.app.store, toInput(draft).symbol)),
    );
    if (!error) return "answered";
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
  await ctx.reply("🧭 New signal. Answer each question: /back returns to the one before, /cancel stops.");
  for (let i = 0; i < STEPS.length; ) {
    const asked = await ask(conversation, ctx, draft, i);
    if (asked === "cancel") {
      await ctx.reply("Signal wizard cancelled. Nothing was created.");
      return;
    }
    i += asked === "back" ? -1 : 1;
  }
  const checked = await conversation.external(async (outer) =>
    validateDraft(draft, outer.app.clock.now(), await symbolLookup(outer.app.store, toInput(draft).symbol)),
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
    const moment = publishAt;
    if (moment && (data === CONFIRM || data === CONFIRM_BE)) {
      // The moment may have passed while the preview waited: never publish "at" a past time silently.
      const passed = await conversation.external((outer) => Date.parse(moment) <= outer.app.clock.now());
      if (passed) {
        await ctx.reply("🕒 That moment has passed while the preview waited: pick another time, or publish now.");
        publishAt = null;
        continue;
      }
    }
    break;
  }
  const breakevenAfterTp1 = data === CONFIRM_BE;
  if (data !== CONFIRM && !breakevenAfterTp1) {
    await ctx.reply("Signal wizard cancelled. Nothing was created.");
    return;
  }
  const created = await conversation.external(async (outer) => {
    try {
      const { signal } = await outer.app.signals.create(
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
wizardFeature.command("back", (ctx) => ctx.reply("Nothing to go back to: /back works inside the /signal wizard."));

wizardFeature.callbackQuery(/^wiz:/, (ctx) => ctx.answerCallbackQuery({ text: "This preview is no longer active." }));
