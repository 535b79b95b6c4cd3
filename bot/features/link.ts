import { Composer } from "grammy";
import { hashToken, newBridgeToken } from "../../server/auth/tokens.ts";
import type { BotContext } from "../context.ts";
import { escapeHtml } from "../format/common.ts";
import { linkNamed } from "./terminals.ts";

/**
 * /link: issues (or rotates) the user's bridge token (their first terminal); `/link <name>` the
 * token of their terminal of that name, linking a new terminal when there is none. Private chat only: a token posted in a
 * group would hand the member's terminal to everyone there. Only the SHA-256 hash is stored
 * (the same hash the bridge API checks); the token itself is shown this once.
 */
export const linkFeature = new Composer<BotContext>();

linkFeature.command("link", async (ctx) => {
  if (ctx.chat.type !== "private" || !ctx.from) {
    await ctx.reply("🔒 For your safety, /link only works in a private chat with me.");
    return;
  }
  const { store, clock, hub, config } = ctx.app;
  const userId = ctx.from.id;
  const now = new Date(clock.now()).toISOString();
  const name = typeof ctx.match === "string" ? ctx.match.trim().slice(0, 40) : "";
  let token: string;
  let rotated: boolean;
  let title: string | null = null;
  if (name !== "") {
    // `/link <name>`: that terminal's token (rotated when it exists; a new terminal otherwise).
    await store.users.ensureUser(ctx.from, now);
    const linked = await linkNamed(ctx.app.terminals, userId, name);
    ({ token, rotated } = linked);
    title = linked.name;
  } else {
    const fresh = newBridgeToken();
    token = fresh;
    rotated = await store.transaction(async () => {
      await store.users.ensureUser(ctx.from!, now);
      const had = await store.bot.isLinked(userId);
      await store.users.setBridgeTokenHash(userId, hashToken(fresh), now);
      await store.fires.appendEvent(
        { type: had ? "bridge.token_rotated" : "bridge.token_issued", actor: ctx.actor, user_id: userId },
        now,
      );
      return had;
    });
    hub.emit("user.updated", { user_id: userId });
    await ctx.app.terminals.ensureFirst(userId); // the single-token flow's terminal is the trader's first
  }
  await ctx.reply(
    [
      `${rotated ? "🔁 <b>New bridge token</b>" : "🔗 <b>Your bridge token</b>"}${title === null ? "" : ` for <b>${escapeHtml(title)}</b>`}${rotated ? " — the old one no longer works." : ""}`,
      `<code>${token}</code>`,
      "Shown once: copy it now. Anyone with it can trade on your terminal.",
      "",
      "<b>Install the EA in MetaTrader 5</b>",
      `1. Download <a href="${config.publicUrl}/downloads/sortie-bridge.zip">sortie-bridge.zip</a> and unzip it into <i>File → Open Data Folder → MQL5/Experts</i>; open <code>SortieBridge.mq5</code> in MetaEditor and press F7.`,
      `2. <i>Tools → Options → Expert Advisors</i>: tick “Allow WebRequest” and add <code>${config.publicUrl}</code>.`,
      `3. Drag SortieBridge onto any chart. In <i>Inputs</i> set <code>ServerUrl</code> = <code>${config.publicUrl}</code> and <code>BridgeToken</code> = the token above (or load <a href="${config.publicUrl}/downloads/sortie-bridge.set">this preset</a> and paste the token); enable Algo Trading.`,
      "4. Send /me here: your terminal shows 🟢 online within a few seconds.",
    ].join("\n"),
    { parse_mode: "HTML" },
  );
});
