import type { Conversation } from "@grammyjs/conversations";
import { validateScheduled } from "../../../core/schedule.ts";
import { symbolLookup } from "../../../server/services/symbol-lookup.ts";
import type { BotContext, WizardContext } from "../../context.ts";
import { duration, utcTime } from "../../format/common.ts";
import { type Draft, toInput } from "./steps.ts";

/** The wizard's preview and its "Publish now / at…" choice (issue 15, scheduled signals). */

export type WizardConversation = Conversation<BotContext, WizardContext>;

export const CONFIRM = "wiz:confirm";
export const CANCEL = "wiz:cancel";
/** Confirm with the signal option `breakeven_after_tp1` (stops to breakeven once TP1 is hit). */
export const CONFIRM_BE = "wiz:confirm_be";
/** "Publish at…": asks for a moment; "Publish now instead" drops it. */
export const AT = "wiz:at";
export const NOW = "wiz:now";
export const PUBLISH_AT_PROMPT =
  "🕒 Publish when? A UTC time (14:30, the next one to come), a date-time (2026-11-21T14:30Z) or a delay (in 10m, 2h). Up to 7 days ahead.";

export const isCancel = (text: string | undefined) => /^\/cancel(@\w+)?$/i.test(text?.trim() ?? "");

/**
 * When to publish, as an ISO time: "in 10m" / "10m" / "2h" (a delay), "14:30" (that UTC time,
 * today or tomorrow if it has passed), or a date-time ("2026-11-21T14:30Z"). Null when unreadable;
 * core judges the rest (future, at most 7 days ahead, before the expiry).
 */
export function parsePublishAt(text: string, nowMs: number): string | null {
  const trimmed = text.trim();
  const delay = /^(?:in\s+)?(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)$/i.exec(
    trimmed,
  );
  if (delay) {
    const unit = delay[2]!.toLowerCase();
    const factor = unit.startsWith("s")
      ? 1000
      : unit.startsWith("h")
        ? 3600_000
        : unit.startsWith("d")
          ? 86_400_000
          : 60_000;
    return new Date(nowMs + Number(delay[1]) * factor).toISOString();
  }
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*UTC)?$/i.exec(trimmed);
  if (clock) {
    const [hours, minutes, seconds] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (hours > 23 || minutes > 59 || seconds > 59) return null;
    const day = new Date(nowMs);
    let atMs = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hours, minutes, seconds);
    if (atMs <= nowMs) atMs += 86_400_000;
    return new Date(atMs).toISOString();
  }
  // A date-time without a zone is UTC (the prompt says so), not the server's local time.
  const iso = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(trimmed)
    ? `${trimmed.replace(" ", "T")}Z`
    : trimmed;
  const parsed = Date.parse(iso);
  return Number.isNaN(parsed) ? null : new Date(parsed).toISOString();
}

export const PREVIEW_CHOICES = new Set([CONFIRM, CONFIRM_BE, CANCEL, AT, NOW]);

/** Confirm / Cancel, Confirm with breakeven, and Publish at… (or back to now once a moment is set). */
export function previewButtons(publishAt: string | null) {
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
export function expiryLine(draft: Draft, expiresAt: string): string {
  return draft.expiry && "expires_in_min" in draft.expiry
    ? `${duration(draft.expiry.expires_in_min * 60_000)} after publication`
    : utcTime(expiresAt);
}

/** Asks when to publish until core accepts it (future, ≤ 7 days, before the expiry); null on /cancel. */
export async function askPublishAt(
  conversation: WizardConversation,
  ctx: WizardContext,
  draft: Draft,
): Promise<string | null> {
  await ctx.reply(PUBLISH_AT_PROMPT);
  for (;;) {
    const answer = await conversation.waitFor("message:text");
    const text = answer.message.text.trim();
    if (isCancel(text)) return null;
    const verdict = await conversation.external(async (outer) => {
      const nowMs = outer.app.clock.now();
      const publishAt = parsePublishAt(text, nowMs);
      if (!publishAt) return { ok: false as const, message: "I could not read that time." };
      const input = toInput(draft);
      const lookup = await symbolLookup(outer.app.store, input.symbol);
      const result = validateScheduled({ ...input, publish_at: publishAt }, nowMs, lookup);
      return result.ok ? { ok: true as const, publishAt } : { ok: false as const, message: result.message };
    });
    if (verdict.ok) return verdict.publishAt;
    await answer.reply(`❗ ${verdict.message}\n${PUBLISH_AT_PROMPT}`);
  }
}
