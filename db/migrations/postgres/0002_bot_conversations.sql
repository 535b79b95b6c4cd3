-- PostgreSQL edition of db/migrations/0002_bot_conversations.sql.
CREATE TABLE bot_conversations (
  key         TEXT PRIMARY KEY,
  state       TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
