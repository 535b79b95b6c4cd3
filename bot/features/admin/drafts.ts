import { Composer } from "grammy";
import { ApiError } from "../../../server/errors.ts";
import type { DraftEdit } from "../../../server/services/engine/drafts.ts";
import type { BotContext } from "../../context.ts";
import { DRAFT_CALLBACK } from "../../format/draft.ts";

const EDIT_USAGE =
  "Usage: /edit_draft <id> [entry=1.0850] [sl=1.0830] [tp=1.0890,1.0910] [expiry=45]\n(prices as numbers, expiry in minutes from now); then tap ✅ Approve.";

/** `sl=1.083 tp=1.089,1.091 entry=1.085 expiry=45` → the changes, or the first bad part. */
export function parseDraftEdit(args: string[]): { ok: true; edit: DraftEdit } | { ok: false; message: string } {
  const edit: DraftEdit = {};
  for (const arg of args) {
    const [rawKey = "", value = ""] = arg.split("=", 2);
    const key = rawKey.toLowerCase();
    const numbers = value.split(",").map(Number);
    if (value === "" || numbers.some((n) => !Number.isFinite(n))) return { ok: false, message: `Not a number: ${arg}` };
    if (key === "entry") edit.entry = numbers[0]!;
    else if (key === "sl" || key === "stop" || key === "stop_loss") edit.stop_loss = numbers[0]!;
    else if (key === "tp" || key === "take_profit") edit.take_profit = numbers;
    else if (key === "expiry" || key === "expires_in_min") edit.expires_in_min = numbers[0]!;
    else return { ok: false, message: `Unknown field: ${rawKey}` };
  }
  return Object.keys(edit).length === 0 ? { ok: false, message: "Nothing to change." } : { ok: true, edit };
}

/**
 * Admin: the signal engine's drafts. Approve publishes (alerts as usual), Reject drops it, Edit
 * explains `/edit_draft`; every DM of the draft is then edited by the notifier. Rights: admin guard.
 */
export const draftsFeature = new Composer<BotContext>();

draftsFeature.callbackQuery(
  new RegExp(`^${DRAFT_CALLBACK}(approve|edit|reject):([A-Za-z0-9_-]{1,64})$`),
  async (ctx) => {
    const [, action, id] = ctx.match as RegExpMatchArray;
    if (action === "edit") {
      await ctx.answerCallbackQuery();
      await ctx.reply(`✏️ Change the draft, then Approve it:\n/edit_draft ${id} sl=… tp=…\n\n${EDIT_USAGE}`);
      return;
    }
    try {
      const drafts = ctx.app.engine.drafts;
      const draft = await (action === "approve" ? drafts.approve(id!, ctx.actor) : drafts.reject(id!, ctx.actor));
      await ctx.answerCallbackQuery({
        text:
          action === "approve"
            ? `Published ${draft.symbol} ${draft.side}: alerts are going out.`
            : `Rejected ${draft.symbol} ${draft.side}.`,
      });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      await ctx.answerCallbackQuery({ text: err.message, show_alert: true });
    }
  },
);

draftsFeature.command("edit_draft", async (ctx) => {
  const [id, ...args] = ctx.match.trim().split(/\s+/);
  if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    await ctx.reply(EDIT_USAGE);
    return;
  }
  const parsed = parseDraftEdit(args);
  if (!parsed.ok) {
    await ctx.reply(`❗ ${parsed.message}\n${EDIT_USAGE}`);
    return;
  }
  try {
    const draft = await ctx.app.engine.drafts.edit(id, parsed.edit, ctx.actor);
    await ctx.reply(
      `✏️ Draft ${draft.id} changed: entry ${draft.entry}, stop ${draft.stop_loss}, targets ${draft.take_profit.join(" ")}. Its DM shows it; tap ✅ Approve there.`,
    );
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    await ctx.reply(`❗ ${err.message}`);
  }
});
