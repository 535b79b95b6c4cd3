import { Composer } from "grammy";
import { hashToken, newBridgeToken } from "../../server/auth/tokens.ts";
import type { BotContext } from "../context.ts";

/**
 * /link: issues (or rotates) the user's bridge token. Private chat only: a token posted in a
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
  const token = newBridgeToken();
  const now = new Date(clock.now()).toISOString();
  const rotated = await store.transaction(async () => {
    await store.users.ensureUser(ctx.from!, now);
    const had = await store.bot.isLinked(userId);
    await store.users.setBridgeTokenHash(userId, hashToken(token), now);
    await store.fires.appendEvent(
      { type: had ? "bridge.token_rotated" : "bridge.token_issued", actor: ctx.actor, user_id: userId },
      now,
    );
    return had;
  });
  hub.emit("user.updated", { user_id: userId });
  await ctx.reply(
    [
      rotated ? "🔁 <b>New bridge token</b> — the old one no longer works." : "🔗 <b>Your bridge token</b>",
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
