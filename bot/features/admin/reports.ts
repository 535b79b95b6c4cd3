import { Composer } from "grammy";
import { isTier, TIER_NAMES } from "../../../core/tiers.ts";
import type { BotContext } from "../../context.ts";
import { duration, signedMoney, userLabel, utcTime } from "../../format/common.ts";

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
    ].join("\n"),
    { parse_mode: "HTML" },
  );
});

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
  const lines = users.map(
    (u) =>
      `• ${userLabel(u)} — ${u.bridge_seen_ms === null ? "never connected" : `last seen ${utcTime(u.bridge_seen_ms)} (${duration(nowMs - u.bridge_seen_ms)} ago)`}`,
  );
  await ctx.reply(
    [`📴 <b>Terminals offline</b>: ${total}`, ...lines, ...(total > users.length ? ["…"] : [])].join("\n"),
    { parse_mode: "HTML" },
  );
});
