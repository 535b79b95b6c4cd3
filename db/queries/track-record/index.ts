import type { Statement } from "better-sqlite3";
import type { ReportLeg, TrackPosition } from "../../../core/track-record/index.ts";
import type { Sqlite } from "../../index.ts";
import { trackRecordRows } from "./rows.ts";
import { TRACK_RECORD_SQL } from "./sql.ts";
import type { SettledRow, SignalExportRow, SignalResultRow, TrackSignalRow } from "./types.ts";

export { trackRecordRows } from "./rows.ts";
export { TRACK_RECORD_SQL } from "./sql.ts";
export type { SettledRow, SignalExportRow, SignalResultRow, TrackSignalRow } from "./types.ts";

/**
 * Typed queries of the track record (issue #17): the rows `core/track-record` computes results
 * from (signals, filled positions, a signal's fires and legs), the settled results it caches in
 * `signal_results`, and the weekly summary's bookkeeping.
 */
export function trackRecordQueries(sqlite: Sqlite) {
  const q = Object.fromEntries(
    Object.entries(TRACK_RECORD_SQL).map(([k, sql]) => [k, sqlite.prepare<unknown[]>(sql)]),
  ) as Record<keyof typeof TRACK_RECORD_SQL, Statement<unknown[]>>;
  const ids = <K extends string>(rows: unknown[], key: K) => (rows as Array<Record<K, never>>).map((r) => r[key]);

  return {
    /** Every signal (10,000 rows for a 10,000-signal history). */
    listSignals(): TrackSignalRow[] {
      return trackRecordRows.signals(q.allSignals.all());
    },
    /** The settled signals' cached outcomes. */
    listSettled(): SettledRow[] {
      return q.allResults.all() as SettledRow[];
    },
    /** One signal's fires with their legs (a fire without legs has one row with null leg fields). */
    listSignalLegs(signalId: string): ReportLeg[] {
      return trackRecordRows.legs(q.signalLegs.all(signalId));
    },
    /** The signals one trader fired, and that trader's filled positions. */
    listUserSignals(userId: number): TrackSignalRow[] {
      return trackRecordRows.signals(q.userSignals.all(userId));
    },
    listUserPositions(userId: number): TrackPosition[] {
      return trackRecordRows.positions(q.userPositions.all(userId));
    },
    /** Stores a settled result once; false when it was stored already. */
    insertResult(row: SignalResultRow): boolean {
      return q.insertResult.run(...trackRecordRows.resultParams(row)).changes === 1;
    },
    findResult(signalId: string): SignalResultRow | null {
      return (q.resultById.get(signalId) as SignalResultRow | undefined) ?? null;
    },
    listUnannounced(limit: number): string[] {
      return ids<"signal_id">(q.unannounced.all(limit), "signal_id");
    },
    markAnnounced(signalId: string): void {
      q.announce.run(signalId);
    },
    /** Expired or cancelled signals without a stored result (oldest expiry first). */
    listDueToSettle(nowMs: number, limit: number): string[] {
      return ids<"id">(q.dueToSettle.all(nowMs, limit), "id");
    },
    /** Signals created since `sinceMs` with their results, oldest first (the channel's CSV). */
    listSignalsForExport(sinceMs: number): SignalExportRow[] {
      return q.exportSignals.all(sinceMs) as SignalExportRow[];
    },
    /** Traders due a weekly summary for the week before `weekMs` (with a close in it). */
    listWeeklyDue(weekMs: number, fromMs: number, limit: number): number[] {
      return ids<"id">(q.weeklyDue.all(...trackRecordRows.weeklyDueParams(weekMs, fromMs, limit)), "id");
    },
    markWeeklySent(userId: number, weekMs: number): void {
      q.weeklySent.run(weekMs, userId);
    },
    setWeeklySummary(userId: number, on: boolean): void {
      q.setWeekly.run(on ? 1 : 0, userId);
    },
    weeklySummaryOn(userId: number): boolean {
      return (q.getWeekly.get(userId) as { weekly_summary: number } | undefined)?.weekly_summary === 1;
    },
  };
}

export type TrackRecordQueries = ReturnType<typeof trackRecordQueries>;
