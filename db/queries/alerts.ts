import type { Sqlite } from "../index.ts";

export interface AlertRow {
  signal_id: string;
  chat_id: number;
  message_id: number | null;
  state: "sending" | "posted" | "closed" | "failed";
  shown_count: number;
  last_edit_ms: number | null;
  updated_at: string;
}

/** Typed queries over `alerts`: which group message shows which signal. */
export function alertQueries(sqlite: Sqlite) {
  const claim = sqlite.prepare(`INSERT INTO alerts (signal_id, chat_id, state, updated_at) VALUES (?, ?, 'sending', ?)
    ON CONFLICT (signal_id, chat_id) DO NOTHING`);
  // Only a send that never finished (the process died) or failed is taken over again.
  const reclaim = sqlite.prepare(`UPDATE alerts SET state = 'sending', updated_at = ?
    WHERE signal_id = ? AND chat_id = ? AND state IN ('sending', 'failed')`);
  const posted = sqlite.prepare(
    "UPDATE alerts SET state = 'posted', message_id = ?, shown_count = ?, updated_at = ? WHERE signal_id = ? AND chat_id = ?",
  );
  const setState = sqlite.prepare("UPDATE alerts SET state = ?, updated_at = ? WHERE signal_id = ? AND chat_id = ?");
  const edited = sqlite.prepare(
    "UPDATE alerts SET shown_count = ?, last_edit_ms = ?, updated_at = ? WHERE signal_id = ? AND chat_id = ?",
  );
  const bySignal = sqlite.prepare("SELECT * FROM alerts WHERE signal_id = ?");
  const one = sqlite.prepare("SELECT * FROM alerts WHERE signal_id = ? AND chat_id = ?");

  return {
    /** Claims the right to post a signal's alert in a chat; false when already claimed (posted once). */
    claimAlert(signalId: string, chatId: number, now: string): boolean {
      return claim.run(signalId, chatId, now).changes === 1;
    },
    /** Takes over an alert whose send failed or never finished; false when it is posted or closed. */
    reclaimAlert(signalId: string, chatId: number, now: string): boolean {
      return reclaim.run(now, signalId, chatId).changes === 1;
    },
    markPosted(signalId: string, chatId: number, messageId: number, count: number, now: string): void {
      posted.run(messageId, count, now, signalId, chatId);
    },
    setAlertState(signalId: string, chatId: number, state: AlertRow["state"], now: string): void {
      setState.run(state, now, signalId, chatId);
    },
    markEdited(signalId: string, chatId: number, count: number, nowMs: number): void {
      edited.run(count, nowMs, new Date(nowMs).toISOString(), signalId, chatId);
    },
    listAlerts(signalId: string): AlertRow[] {
      return bySignal.all(signalId) as AlertRow[];
    },
    findAlert(signalId: string, chatId: number): AlertRow | null {
      return (one.get(signalId, chatId) as AlertRow | undefined) ?? null;
    },
  };
}

export type AlertQueries = ReturnType<typeof alertQueries>;
