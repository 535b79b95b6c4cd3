-- Issue #20, PostgreSQL edition of db/migrations/0006_outbox.sql. Every message the bot sends or
-- edits goes through this table first (bot/delivery/), drained by one paced sender: the instance
-- holding the leader lock (server/cluster). A row stays `queued` until Telegram answered it.
CREATE TABLE outbox (
  id          BIGSERIAL PRIMARY KEY,
  chat_id     BIGINT NOT NULL,
  method      TEXT NOT NULL,                 -- Bot API method: sendMessage, editMessageText, …
  payload     TEXT NOT NULL,                 -- its parameters as JSON, chat_id included
  priority    INTEGER NOT NULL,              -- 0 group alerts … 5 reports (bot/delivery/priorities.ts)
  ref         TEXT,                          -- what the sender records on success, e.g. alert:<signal>:<count>
  merge_key   TEXT,                          -- a later queued edit of the same message replaces this one
  state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed', 'dropped')),
  created_ms  BIGINT NOT NULL,
  done_ms     BIGINT,
  message_id  BIGINT,                        -- Telegram's message id of the sent message
  error       TEXT,
  answer      TEXT                           -- Telegram's answer as JSON, for an enqueuer on another instance
);
-- Start-up reads the queued rows; the cleanup deletes old finished ones.
CREATE INDEX outbox_queued ON outbox (state, id);

-- Groups upgraded to supergroups (Telegram's 400 with migrate_to_chat_id).
CREATE TABLE chat_migrations (
  old_chat_id  BIGINT PRIMARY KEY,
  new_chat_id  BIGINT NOT NULL,
  migrated_at  TEXT NOT NULL
);
