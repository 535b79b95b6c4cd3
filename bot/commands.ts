import type { Api } from "grammy";
import type { BotCommand } from "grammy/types";
import { type Role, roleAllows } from "../core/roles.ts";
import type { BotLog } from "./context.ts";

/** Commands every trader sees (private chats). */
export const TRADER_COMMANDS: BotCommand[] = [
  { command: "start", description: "Welcome and how to link your terminal" },
  { command: "me", description: "Your tier, balance, risk and terminal" },
  { command: "risk", description: "Set your risk per trade, e.g. /risk 1.5" },
  { command: "link", description: "Link or re-link your MT5 terminal; /link <name> for another" },
  { command: "terminals", description: "Your terminals: online, balances, stats" },
  { command: "trades", description: "Your recent trades" },
  { command: "profit", description: "Your result in R and money: /profit [days]" },
  { command: "daily", description: "Your result per day: /daily [days]" },
  { command: "weekly", description: "Your result per week; /weekly off stops the Monday summary" },
  { command: "help", description: "What this bot can do" },
];

/** Staff commands (the admin guard refuses each to anyone below its role in COMMAND_ROLES). */
export const ADMIN_COMMANDS: BotCommand[] = [
  { command: "signal", description: "Create a signal (wizard)" },
  { command: "signals", description: "Active signals, fire counts, cancel" },
  { command: "cancel_signal", description: "Cancel a signal: /cancel_signal <id>" },
  { command: "update", description: "Update a live trade: /update <id> breakeven|close|move_sl|move_tp" },
  { command: "stats", description: "Last 7 days: signals, fires, fill rate, P&L" },
  { command: "users", description: "Users by tier, terminals online" },
  { command: "tier", description: "Set a tier: /tier <user id or @name> <TIER>" },
  { command: "bridges", description: "Terminals offline" },
  { command: "audit", description: "Who did what, newest first: /audit [n]" },
  { command: "engine", description: "Signal engine: strategies, auto-publish, paused symbols" },
  { command: "edit_draft", description: "Change an engine draft: /edit_draft <id> sl=… tp=…" },
  { command: "report", description: "Track record summary: /report [days] [chat id]" },
];

export const ADMIN_COMMAND_NAMES: ReadonlySet<string> = new Set(ADMIN_COMMANDS.map((c) => c.command));

/**
 * The least role each staff command needs: analysts read stats, admins run signals (and their
 * updates) and read the audit log, owners (ADMIN_IDS) also change tiers. A staff command missing
 * here needs an owner.
 */
export const COMMAND_ROLES: Readonly<Record<string, Role>> = {
  signal: "admin",
  signals: "admin",
  cancel_signal: "admin",
  update: "admin",
  audit: "admin",
  engine: "admin",
  edit_draft: "admin",
  report: "admin",
  stats: "analyst",
  users: "analyst",
  bridges: "analyst",
  tier: "owner",
};

/** The least role a staff command needs (owner for any not listed in COMMAND_ROLES). */
export const commandRole = (command: string): Role => COMMAND_ROLES[command] ?? "owner";

/** The staff commands a role may use, in menu order. */
export const staffCommandsFor = (role: Role): BotCommand[] =>
  ADMIN_COMMANDS.filter((c) => roleAllows(role, commandRole(c.command)));

/**
 * Publishes the command menus: traders' by default, traders' + the staff commands of their role in
 * each staff member's private chat. A failure (e.g. an admin who never opened the bot: "chat not
 * found") is logged, never fatal.
 */
export async function publishCommands(
  api: Api,
  staff: ReadonlyArray<{ id: number; role: Role }>,
  log: BotLog,
): Promise<void> {
  try {
    await api.setMyCommands(TRADER_COMMANDS, { scope: { type: "all_private_chats" } });
  } catch (err) {
    log("setMyCommands for traders failed", err);
  }
  for (const { id, role } of staff) {
    try {
      await api.setMyCommands([...TRADER_COMMANDS, ...staffCommandsFor(role)], {
        scope: { type: "chat", chat_id: id },
      });
    } catch (err) {
      log(`setMyCommands for ${role} ${id} failed`, err);
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
