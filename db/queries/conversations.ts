import type { Sqlite } from "../index.ts";

/** The bot's conversations in progress (`bot_conversations`), one JSON state per key. */
export function conversationQueries(sqlite: Sqlite) {
  const read = sqlite.prepare<[string], { state: string }>("SELECT state FROM bot_conversations WHERE key = ?");
  const write = sqlite.prepare<[string, string, string]>(`INSERT INTO bot_conversations (key, state, updated_at)
    VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`);
  const remove = sqlite.prepare<[string]>("DELETE FROM bot_conversations WHERE key = ?");
  return {
    readConversation(key: string): string | null {
      return read.get(key)?.state ?? null;
    },
    writeConversation(key: string, state: string, now: string): void {
      write.run(key, state, now);
    },
    deleteConversation(key: string): void {
      remove.run(key);
    },
  };
}

export type ConversationQueries = ReturnType<typeof conversationQueries>;
