import type { Api } from "grammy";
import type { BotCommand } from "grammy/types";
import type { BotLog } from "./context.ts";

/** Commands every trader sees (private chats). */
export const TRADER_COMMANDS: BotCommand[] = [
  { command: "start", description: "Welcome and how to link your terminal" },
  { command: "me", description: "Your tier, balance, risk and terminal" },
  { command: "risk", description: "Set your risk per trade, e.g. /risk 1.5" },
  { command: "link", description: "Link or re-link your MT5 terminal" },
  { command: "trades", description: "Your recent trades" },
  { command: "help", description: "What this bot can do" },
];

/** Commands only ADMIN_IDS may use (the admin guard refuses them to anyone else). */
export const ADMIN_COMMANDS: BotCommand[] = [
  { command: "signal", description: "Create a signal (wizard)" },
  { command: "signals", description: "Active signals, fire counts, cancel" },
  { command: "cancel_signal", description: "Cancel a signal: /cancel_signal <id>" },
  { command: "update", description: "Update a live trade: /update <id> breakeven|close|move_sl|move_tp" },
  { command: "stats", description: "Last 7 days: signals, fires, fill rate, P&L" },
  { command: "users", description: "Users by tier, terminals online" },
  { command: "tier", description: "Set a tier: /tier <user id or @name> <TIER>" },
  { command: "bridges", description: "Terminals offline" },
];

export const ADMIN_COMMAND_NAMES: ReadonlySet<string> = new Set(ADMIN_COMMANDS.map((c) => c.command));

/**
 * Publishes the command menus: traders' by default, traders' + admins' in each admin's private
 * chat. A failure (e.g. an admin who never opened the bot: "chat not found") is logged, never fatal.
 */
export async function publishCommands(api: Api, adminIds: number[], log: BotLog): Promise<void> {
  try {
    await api.setMyCommands(TRADER_COMMANDS, { scope: { type: "all_private_chats" } });
  } catch (err) {
    log("setMyCommands for traders failed", err);
  }
  for (const adminId of adminIds) {
    try {
      await api.setMyCommands([...TRADER_COMMANDS, ...ADMIN_COMMANDS], { scope: { type: "chat", chat_id: adminId } });
    } catch (err) {
      log(`setMyCommands for admin ${adminId} failed`, err);
    }
  }
}

/**
 * The command an update's message starts with, without the slash and `@bot` suffix; null when
 * there is none or it is addressed to another bot (as grammY's `bot.command` decides).
 */
export function commandOf(text: string | undefined, botUsername: string): string | null {
  const match = /^\/([a-z0-9_]{1,32})(?:@(\w+))?(?:\s|$)/i.exec(text ?? "");
  if (!match) return null;
  if (match[2] && match[2].toLowerCase() !== botUsername.toLowerCase()) return null;
  return match[1]!.toLowerCase();
}
