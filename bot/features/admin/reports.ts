import { Composer } from "grammy";
import { isTier, TIER_NAMES } from "../../../core/tiers.ts";
import type { BotContext } from "../../context.ts";
import { PRIORITY_NAMES } from "../../delivery/priorities.ts";
import { duration, escapeHtml, signedMoney, userLabel, utcTime } from "../../format/common.ts";

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** Admin: /stats, /users, /tier, /bridges. Rights are checked by the admin guard. */
export const reportsFeature = new Composer<BotContext>();

reportsFeature.command("stats", async (ctx) => {
  const r = await ctx.app.store.stats.report(ctx.app.clock.now() - WEEK_MS);
  const decided = r.filled + r.unfilled;
  const fillRate = decided === 0 ? "—" : `${Math.round((r.filled / decided) * 100)}% (${r.filled}/${decided})`;
  await ctx.reply(
    [
      "📊 <b>Last 7 days</b>",
      `Signals: ${r.signals}`,
      `Fires: ${r.fires}`,
      `Fill rate: ${fillRate}`,
      `Closed trades: ${r.closed}`,
      `P&amp;L: ${signedMoney(r.pnl, null)} (account currencies summed)`,
      ...(await outboxLines(ctx)),
    ].join("\n"),
    { parse_mode: "HTML" },
  );
});

/** The bot's outbox: what waits (by priority, oldest age), what went out in the last hour, who blocked the bot. */
async function outboxLines(ctx: BotContext): Promise<string[]> {
  const { store, clock } = ctx.app;
  const nowMs = clock.now();
  const queued = await store.outbox.countQueuedOutbox();
  const total = queued.reduce((n, q) => n + q.n, 0);
  const oldestMs = Math.min(...queued.map((q) => q.oldest_ms));
  const waiting = queued
    .sort((a, b) => a.priority - b.priority)
    .map((q) => `${PRIORITY_NAMES[q.priority] ?? q.priority} ${q.n}`)
    .join(", ");
  const done = await store.outbox.countOutboxDoneSince(nowMs - 3600_000);
  const blocked = (await store.bot.usersByTier(nowMs)).reduce((n, r) => n + (r.unreachable ?? 0), 0);
  return [
    "",
    "📤 <b>Outbox</b>",
    total === 0
      ? "Waiting: nothing"
      : `Waiting: ${total} (${waiting}); oldest waiting ${Math.round(Math.max(0, nowMs - oldestMs) / 1000)} s`,
    `Last hour: ${done.sent ?? 0} sent (${((done.sent ?? 0) / 3600).toFixed(2)}/s), ${done.failed ?? 0} failed, ${done.dropped ?? 0} dropped`,
    `Users who blocked the bot: ${blocked}`,
  ];
}

reportsFeature.command("users", async (ctx) => {
  const { app } = ctx;
  const rows = await app.store.bot.usersByTier(app.clock.now() - app.config.heartbeatStaleS * 1000);
  const byTier = new Map(rows.map((r) => [r.tier, r]));
  const sum = (key: "users" | "linked" | "online" | "unreachable") => rows.reduce((n, r) => n + (r[key] ?? 0), 0);
  const lines = TIER_NAMES.map((tier) => {
    const r = byTier.get(tier);
    return `${tier}: ${r?.users ?? 0} users · ${r?.linked ?? 0} linked · ${r?.online ?? 0} online`;
  });
  await ctx.reply(
    [
      `👥 <b>Users</b>: ${sum("users")} (${sum("unreachable")} unreachable by DM)`,
      ...lines,
      `Terminals online now: ${sum("online")} of ${sum("linked")} linked`,
    ].join("\n"),
    { parse_mode: "HTML" },
  );
});

reportsFeature.command("tier", async (ctx) => {
  const [who, tierArg] = ctx.match.trim().split(/\s+/);
  const tier = tierArg?.toUpperCase();
  if (!who || !tier || !isTier(tier)) {
    await ctx.reply(`Usage: /tier <user id or @username> <${TIER_NAMES.join("|")}>`);
    return;
  }
  const { store, clock, hub } = ctx.app;
  const user = /^\d+$/.test(who) ? await store.users.findUser(Number(who)) : await store.bot.findUserByUsername(who);
  if (!user) {
    await ctx.reply(`No user ${who}. They must have opened the bot or the app once.`);
    return;
  }
  if (user.tier === tier) {
    await ctx.reply(`${userLabel(user)} is already ${tier}: nothing changed.`, { parse_mode: "HTML" });
    return;
  }
  const now = new Date(clock.now()).toISOString();
  await store.transaction(async () => {
    await store.users.setTier(user.id, tier, now);
    await store.fires.appendEvent(
      { type: "user.tier_changed", actor: ctx.actor, user_id: user.id, data: { from: user.tier, to: tier } },
      now,
    );
  });
  hub.emit("user.updated", { user_id: user.id });
  await ctx.reply(`${userLabel(user)}: ${user.tier} → ${tier}`, { parse_mode: "HTML" });
});

reportsFeature.command("bridges", async (ctx) => {
  const { app } = ctx;
  const nowMs = app.clock.now();
  const { users, total } = await app.store.bot.listOfflineBridges(nowMs - app.config.heartbeatStaleS * 1000, 30);
  if (total === 0) {
    await ctx.reply("🟢 Every linked terminal is online.");
    return;
  }
  // A trader's further terminals have rows of their own (negative ids): name the terminal and its trader.
  const label = async (u: (typeof users)[number]) => {
    if (u.id > 0) return userLabel(u);
    const terminal = await app.terminals.terminalOfBridge(u.id);
    const owner = terminal ? await app.store.users.findUser(terminal.user_id) : null;
    return `${escapeHtml(terminal?.name ?? u.first_name ?? "a terminal")} of ${owner ? userLabel(owner) : "an unknown trader"}`;
  };
  const lines: string[] = [];
  for (const u of users) {
    lines.push(
      `• ${await label(u)} — ${u.bridge_seen_ms === null ? "never connected" : `last seen ${utcTime(u.bridge_seen_ms)} (${duration(nowMs - u.bridge_seen_ms)} ago)`}`,
    );
  }
  await ctx.reply(
    [`📴 <b>Terminals offline</b>: ${total}`, ...lines, ...(total > users.length ? ["…"] : [])].join("\n"),
    { parse_mode: "HTML" },
  );
});
