import type { ConversationFlavor } from "@grammyjs/conversations";
import type { Context } from "grammy";
import type { Role } from "../core/roles.ts";
import type { AppContext } from "../server/context.ts";

/** How the bot logs: a message, and the error when there is one (same shape as createContext's). */
export type BotLog = (msg: string, err?: unknown) => void;

/** What every update carries besides grammY's own: the application core and who is speaking. */
export interface SortieFlavor {
  app: AppContext;
  log: BotLog;
  /** True when the sender has a staff role (owner, admin or analyst). */
  isAdmin: boolean;
  /** The sender's staff role (ADMIN_IDS owners, SIGNAL_ADMIN_IDS admins, ANALYST_IDS analysts), else null. */
  role: Role | null;
  /** The sender as the event log names them: "tg:<id>". */
  actor: string;
}

/** The context type of the bot's middleware tree. */
export type BotContext = ConversationFlavor<Context & SortieFlavor>;

/** The context type inside conversations (plain: conversations build their own contexts). */
export type WizardContext = Context;
