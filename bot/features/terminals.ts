import { Composer } from "grammy";
import type { TerminalService } from "../../server/services/terminals/index.ts";
import type { BotContext } from "../context.ts";
import { escapeHtml, signedMoney, utcTime } from "../format/common.ts";

/**
 * `/link <name>` and `/terminals` (several terminals per trader). The token of the terminal named
 * `name` (case does not matter): rotated when the trader has one, else a new terminal.
 */
export async function linkNamed(
  terminals: TerminalService,
  userId: number,
  name: string,
): Promise<{ token: string; rotated: boolean; name: string }> {
  const existing = (await terminals.views(userId)).find((t) => t.name.toLowerCase() === name.toLowerCase());
  if (existing) return { token: await terminals.rotate(userId, existing.id), rotated: true, name: existing.name };
  const { terminal, token } = await terminals.create(userId, name, 1);
  return { token, rotated: false, name: terminal.name };
}

/** /terminals: each terminal with its online dot, balance, last heartbeat, allocation and its own stats. */
export const terminalsFeature = new Composer<BotContext>();

terminalsFeature.command("terminals", async (ctx) => {
  if (!ctx.from) return;
  const { terminals, store } = ctx.app;
  const list = await terminals.views(ctx.from.id);
  if (list.length === 0) {
    await ctx.reply("No terminal linked yet. Send /link (or /link <name> for a named one) in a private chat.");
    return;
  }
  const total = await store.users.findUser(ctx.from.id);
  const lines = list.map((t) => {
    const dot = !t.enabled ? "⏸" : t.online ? "🟢" : "🔴";
    const balance =
      t.account?.balance == null
        ? "balance unknown"
        : `${t.account.balance.toFixed(2)} ${escapeHtml(t.account.currency ?? "")}`.trim();
    const seen = t.last_seen === null ? "never seen" : `seen ${utcTime(Date.parse(t.last_seen))}`;
    const allocation = t.allocation === 1 ? "" : ` · ×${t.allocation} risk`;
    return [
      `${dot} <b>${escapeHtml(t.name)}</b>${t.enabled ? "" : " (disabled)"} — ${balance} · ${seen}${allocation}`,
      `    ${t.stats.fills} fills · ${t.stats.trades} trades · ${signedMoney(t.stats.pnl, t.account?.currency ?? null)} · ${t.stats.xp} XP`,
    ].join("\n");
  });
  await ctx.reply(
    [
      `🖥 <b>Your terminals</b> (${list.length})`,
      ...lines,
      ...(total ? [`Total: ${total.trades} trades · ${total.xp} XP`] : []),
      "",
      "/link &lt;name&gt; links another terminal (or gives a named one a new token). Allocation, enable/disable and unlink: Profile in the Mini App.",
    ].join("\n"),
    { parse_mode: "HTML" },
  );
});
