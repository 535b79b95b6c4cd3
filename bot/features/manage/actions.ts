/**
 * The bot's trade-management actions, shared by admins (a signal's update, every open position)
 * and traders (their own fire): button data, the confirm step's text, and running the action.
 */
import { takeProfitLeg } from "../../../core/legs.ts";
import { validateUpdate } from "../../../core/trade-update.ts";
import type { Signal } from "../../../core/types.ts";
import type { AppContext } from "../../../server/context.ts";
import { ApiError } from "../../../server/errors.ts";
import { escapeHtml } from "../../format/common.ts";
import { updateSummary } from "../../format/update.ts";
import type { Button } from "../../messenger.ts";
import { ADMIN_CALLBACK_PREFIX } from "../admin-guard.ts";

/** "s": an admin's update of a signal; "f": a trader's request on their own fire. */
export type Scope = "s" | "f";
/** be = breakeven, cl = close (leg or all), sl = move stop, tp = move target. */
export type Act = "be" | "cl" | "sl" | "tp";

export interface Choice {
  scope: Scope;
  act: Act;
  /** Signal id (scope s) or fire id (scope f). */
  id: string;
  leg: number | null;
  price: number | null;
}

const PREFIX: Record<Scope, string> = { s: `${ADMIN_CALLBACK_PREFIX}u`, f: "mg" };
const ID = "[A-Za-z0-9_-]{1,40}";
/** Pick an action (then confirm, or type a price first). */
export const PICK = new RegExp(`^(${PREFIX.s}|${PREFIX.f})p:(be|cl|sl|tp):(${ID}):(\\d|-)$`);
/** The confirm button. */
export const CONFIRM = new RegExp(`^(${PREFIX.s}|${PREFIX.f})c:(be|cl|sl|tp):(${ID}):(\\d|-):([0-9.]{1,16}|-)$`);
export const ABORT = new RegExp(`^(${PREFIX.s}|${PREFIX.f})x$`);

const scopeOf = (prefix: string): Scope => (prefix === PREFIX.s ? "s" : "f");

/** Parses PICK / CONFIRM matches. */
export function choiceOf(match: RegExpMatchArray): Choice {
  return {
    scope: scopeOf(match[1]!),
    act: match[2] as Act,
    id: match[3]!,
    leg: match[4] === "-" ? null : Number(match[4]),
    price: match[5] === undefined || match[5] === "-" ? null : Number(match[5]),
  };
}

const data = (kind: "p" | "c", c: Choice) =>
  `${PREFIX[c.scope]}${kind}:${c.act}:${c.id}:${c.leg ?? "-"}${kind === "c" ? `:${c.price ?? "-"}` : ""}`;

/** The buttons under a signal (admins) or a trade (traders): Breakeven, Close all, Close TPn, Move SL…, Move TPn…. */
export function actionButtons(scope: Scope, id: string, legs: number[]): Button[][] {
  const pick = (act: Act, leg: number | null) => data("p", { scope, act, id, leg, price: null });
  const rows: Button[][] = [
    [
      { text: "🛡 Breakeven", callback_data: pick("be", null) },
      { text: "✖ Close all", callback_data: pick("cl", null) },
      { text: "✏️ Move SL…", callback_data: pick("sl", null) },
    ],
  ];
  if (legs.length > 1) rows.push(legs.map((leg) => ({ text: `✖ Close TP${leg}`, callback_data: pick("cl", leg) })));
  rows.push(legs.map((leg) => ({ text: `🎯 Move TP${legs.length > 1 ? leg : ""}…`, callback_data: pick("tp", leg) })));
  return rows;
}

/** The update body a choice stands for. */
export function inputOf(choice: Choice) {
  switch (choice.act) {
    case "be":
      return { action: "breakeven" };
    case "cl":
      return { action: "close", ...(choice.leg === null ? {} : { leg: choice.leg }) };
    case "sl":
      return { action: "move_sl", stop_loss: choice.price ?? undefined };
    case "tp":
      return { action: "move_tp", leg: choice.leg ?? undefined, take_profit: choice.price ?? undefined };
  }
}

/** The signal a choice is about, checked against its owner for scope f (null when not theirs). */
export async function signalOf(app: AppContext, choice: Choice, userId: number): Promise<Signal | null> {
  if (choice.scope === "s") return app.store.signals.findSignal(choice.id);
  const fire = await app.store.fires.findFireById(choice.id);
  return fire && fire.user_id === userId ? app.store.signals.findSignal(fire.signal_id) : null;
}

/** The confirm step: what will happen, with ✅ Confirm / ✖ Cancel. Null + error when the choice is invalid. */
export async function confirmStep(
  app: AppContext,
  choice: Choice,
  userId: number,
): Promise<{ html: string; buttons: Button[][] } | { error: string }> {
  const signal = await signalOf(app, choice, userId);
  if (!signal) return { error: choice.scope === "s" ? `No signal ${choice.id}.` : "That trade is not yours." };
  const checked = validateUpdate(inputOf(choice), signal);
  if (!checked.ok) return { error: checked.message };
  const open =
    choice.scope === "s"
      ? await app.store.updates.listOpenPositionsOfSignal(signal.id)
      : await app.store.updates.listOpenPositionsOfFire(choice.id);
  const affected = open.filter((p) => checked.value.leg === null || takeProfitLeg(p.leg) === checked.value.leg).length;
  const positions = affected === 1 ? "open position" : "open positions";
  const whose = choice.scope === "s" ? `${positions} of every trader` : `of your ${positions}`;
  return {
    html: [
      `❓ <b>Confirm</b> — ${escapeHtml(signal.symbol)} ${signal.side}`,
      updateSummary(checked.value),
      `${affected} ${whose}`,
    ].join("\n"),
    buttons: [
      [
        { text: "✅ Confirm", callback_data: data("c", choice) },
        { text: "✖ Cancel", callback_data: `${PREFIX[choice.scope]}x` },
      ],
    ],
  };
}

/** Runs a confirmed choice; `key` makes a repeated tap on the same confirm message one update. */
export async function runChoice(
  app: AppContext,
  choice: Choice,
  userId: number,
  actor: string,
  key: string,
): Promise<string> {
  try {
    if (choice.scope === "s") {
      const { update, created } = await app.updates.create(choice.id, inputOf(choice), {
        source: "bot",
        actor,
        idempotencyKey: `bot:${key}`,
      });
      const skipped = update.skipped > 0 ? `; ${update.skipped} skipped (their EA is too old, they were told)` : "";
      return `${created ? "✅ Sent" : "Already sent"}: ${updateSummary(update)} to ${update.positions} open positions${skipped}.`;
    }
    const { update, created } = await app.updates.manage(userId, choice.id, inputOf(choice), `bot:${key}`);
    return `${created ? "✅ Sent to your terminal" : "Already sent"}: ${updateSummary(update)} (${update.positions} ${update.positions === 1 ? "position" : "positions"}). You get a message when it answers.`;
  } catch (err) {
    if (err instanceof ApiError) return `❗ ${err.message}`;
    throw err;
  }
}
