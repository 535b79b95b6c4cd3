-- Issue #20. Every message the bot sends or edits goes through this table first (bot/delivery/),
-- drained by one paced sender. A row stays `queued` until Telegram answered it: `sent` (with the
-- message id Telegram gave it), `failed` (Telegram refused it for good) or `dropped` (the user
-- blocked the bot). Rows still `queued` at start-up are sent then: at least once, and never again
-- once Telegram's acknowledgement was recorded.
CREATE TABLE outbox (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  chat_id     INTEGER NOT NULL,
  method      TEXT NOT NULL,                 -- Bot API method: sendMessage, editMessageText, …
  payload     TEXT NOT NULL,                 -- its parameters as JSON, chat_id included
  priority    INTEGER NOT NULL,              -- 0 group alerts … 5 reports (bot/delivery/priorities.ts)
  ref         TEXT,                          -- what the sender records on success, e.g. alert:<signal>:<count>
  merge_key   TEXT,                          -- a later queued edit of the same message replaces this one
  state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed', 'dropped')),
  created_ms  INTEGER NOT NULL,
  done_ms     INTEGER,
  message_id  INTEGER,                       -- Telegram's message id of the sent message
  error       TEXT,
  answer      TEXT                           -- Telegram's answer as JSON, for a sender on another instance (cluster)
);
-- Start-up reads the queued rows; the cleanup deletes old finished ones.
CREATE INDEX outbox_queued ON outbox (state, id);

-- Groups upgraded to supergroups (Telegram's 400 with migrate_to_chat_id): ALERT_CHAT_IDS naming
-- the old id keeps working, alerts go to the new one.
CREATE TABLE chat_migrations (
  old_chat_id  INTEGER PRIMARY KEY,
  new_chat_id  INTEGER NOT NULL,
  migrated_at  TEXT NOT NULL
);
