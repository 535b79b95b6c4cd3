import { Composer } from "grammy";
import type { AuditEntry } from "../../../db/queries/audit.ts";
import type { BotContext } from "../../context.ts";
import { escapeHtml } from "../../format/common.ts";

const DEFAULT_ENTRIES = 10;
const MAX_ENTRIES = 50;

/** What one audit entry says happened, in a few words. */
function whatHappened(entry: AuditEntry): string {
  const data = (entry.data ?? {}) as Record<string, unknown>;
  switch (entry.type) {
    case "admin.command":
      return `ran ${String(data.args ?? data.action ?? "")}`;
    case "admin.refused":
      return `was refused ${String(data.action ?? "")} (needs ${String(data.needed ?? "admin")})`;
    case "admin.tier":
    case "user.tier_changed":
      return `set user ${entry.user_id} tier ${String(data.from)} → ${String(data.to)}`;
    case "signal.created":
      return `created signal ${entry.signal_id}`;
    case "signal.cancelled":
      return `cancelled signal ${entry.signal_id}`;
    default:
      return entry.type;
  }
}

/** "2026-11-21 12:00:03 tg:1001 created signal s_…". */
export function auditLine(entry: AuditEntry): string {
  const at = entry.at.slice(0, 19).replace("T", " ");
  return `<code>${at}</code> ${escapeHtml(entry.actor ?? "unknown")} ${escapeHtml(whatHappened(entry).slice(0, 200))}`;
}

/** Admin: `/audit [n]`, the newest n entries of the audit log (default 10, at most 50). Rights: the guard. */
export const auditFeature = new Composer<BotContext>();

auditFeature.command("audit", async (ctx) => {
  const arg = ctx.match.trim();
  const count = arg === "" ? DEFAULT_ENTRIES : Number(arg);
  if (!Number.isInteger(count) || count < 1) {
    await ctx.reply(`Usage: /audit [n] — n from 1 to ${MAX_ENTRIES} (default ${DEFAULT_ENTRIES}).`);
    return;
  }
  const entries = await ctx.app.store.audit.listAudit(Math.min(count, MAX_ENTRIES));
  await ctx.reply(
    entries.length === 0
      ? "🗂 The audit log is empty."
      : [`🗂 <b>Audit log</b>, newest first (${entries.length}):`, ...entries.map(auditLine)].join("\n"),
    { parse_mode: "HTML" },
  );
});
