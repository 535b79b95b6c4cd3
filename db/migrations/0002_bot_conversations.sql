-- The bot's conversations (the admin's /signal wizard) in progress, so a restart does not lose
-- a half-entered signal. One row per conversation key (the chat); the plugin's own JSON state.
CREATE TABLE bot_conversations (
  key         TEXT PRIMARY KEY,
  state       TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
