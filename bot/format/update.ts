import type { Signal } from "../../core/types.ts";
import type { PositionCommandView, UpdateView } from "../../server/services/updates/view.ts";
import { escapeHtml } from "./common.ts";

const hhmm = (iso: string) => `${new Date(iso).toISOString().slice(11, 16)} UTC`;
const tpName = (leg: number | null) => (leg === null ? "" : `TP${leg}`);

/** What an update does, in a few words: "🛡 Stop → breakeven", "🎯 TP2 → 1.095", "✖ Closed TP1". */
export function updateSummary(update: Pick<UpdateView, "action" | "leg" | "stop_loss" | "take_profit">): string {
  switch (update.action) {
    case "breakeven":
      return "🛡 Stop → breakeven";
    case "move_sl":
      return `🛡 Stop → ${update.stop_loss}`;
    case "move_tp":
      return `🎯 ${tpName(update.leg)} → ${update.take_profit}`;
    default:
      return update.leg === null ? "✖ Closed all" : `✖ Closed ${tpName(update.leg)}`;
  }
}

/** The line the group alert shows for the latest update: "🛡 Stop → breakeven · 12:41 UTC". */
export function updateLine(update: UpdateView): string {
  return `${updateSummary(update)} · ${hhmm(update.created_at)}`;
}

/** The reply posted under the group alert. */
export function updateReply(update: UpdateView, signal: Signal): string {
  const who = update.source === "auto" ? "TP1 hit — automatic" : "Update";
  return [
    `📣 <b>${who}: ${escapeHtml(signal.symbol)} ${signal.side}</b>`,
    updateSummary(update),
    ...(update.note ? [`<i>${escapeHtml(update.note)}</i>`] : []),
    `${update.positions} open ${update.positions === 1 ? "position" : "positions"} updated on traders' terminals`,
  ].join("\n");
}

/** " on <b>FTMO</b>" for a trader with several terminals (each gets its own DM), else nothing. */
const onTerminal = (name: string | null) => (name === null ? "" : ` on <b>${escapeHtml(name)}</b>`);

function commandLine(command: PositionCommandView): string {
  const what =
    command.action === "close"
      ? "closed"
      : `stop ${command.stop_loss}${command.take_profit === null ? "" : ` · target ${command.take_profit}`}`;
  return command.state === "applied"
    ? `✅ TP${command.leg} leg: ${what}`
    : `⚠️ TP${command.leg} leg: not changed — ${escapeHtml(command.message ?? command.state)}`;
}

/** One DM per affected trader: what their own terminal did with the update. */
export function settledText(
  update: UpdateView,
  signal: Signal,
  commands: PositionCommandView[],
  terminalName: string | null = null,
): string {
  const applied = commands.filter((c) => c.state === "applied").length;
  const head = applied === commands.length ? "✅" : applied === 0 ? "⚠️" : "🟡";
  return [
    `${head} <b>${escapeHtml(signal.symbol)} ${signal.side}</b>${onTerminal(terminalName)} — ${updateSummary(update)}`,
    ...commands.map(commandLine),
  ].join("\n");
}

/** To a trader whose terminal runs an EA that cannot apply updates (protocol 1). */
export function eaTooOldText(update: UpdateView, signal: Signal, terminalName: string | null = null): string {
  return [
    `⚠️ <b>${escapeHtml(signal.symbol)} ${signal.side}</b>${onTerminal(terminalName)} — ${updateSummary(update)}`,
    "Your terminal did <b>not</b> apply this update: its Sortie EA is too old to change open trades.",
    "Install the latest SortieBridge EA (/link shows how), or change the trade in MetaTrader yourself.",
  ].join("\n");
}
