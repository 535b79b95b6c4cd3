import type { ConversationStorage, VersionedState } from "@grammyjs/conversations";
import type { Context } from "grammy";
import type { Sqlite } from "../db/index.ts";

/**
 * Bump when the wizard's steps change shape: the plugin then drops conversations saved by the
 * old code instead of replaying them against the new one.
 */
export const WIZARD_STATE_VERSION = 1;

/**
 * Keeps the conversations plugin's state in SQLite (table `bot_conversations`), keyed by chat,
 * so an admin halfway through `/signal` carries on after the bot restarts.
 */
export function sqliteConversationStorage<C extends Context, S>(
  sqlite: Sqlite,
  now: () => number,
): ConversationStorage<C, S> {
  const read = sqlite.prepare<[string], { state: string }>("SELECT state FROM bot_conversations WHERE key = ?");
  const write = sqlite.prepare<[string, string, string]>(`INSERT INTO bot_conversations (key, state, updated_at)
    VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`);
  const remove = sqlite.prepare<[string]>("DELETE FROM bot_conversations WHERE key = ?");
  return {
    type: "key",
    version: WIZARD_STATE_VERSION,
    adapter: {
      read(key) {
        const row = read.get(key);
        return row ? (JSON.parse(row.state) as VersionedState<S>) : undefined;
      },
      write(key, state) {
        write.run(key, JSON.stringify(state), new Date(now()).toISOString());
      },
      delete(key) {
        remove.run(key);
      },
    },
  };
}
