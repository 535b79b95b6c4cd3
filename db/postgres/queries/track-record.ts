import {
  trackRecordRows as rows,
  type SettledRow,
  type SignalExportRow,
  type SignalResultRow,
  TRACK_RECORD_SQL as SQL,
} from "../../queries/track-record/index.ts";
import type { StoreQueries } from "../../store.ts";
import { numberPlaceholders, type PgDb } from "../connection.ts";

/** The shared SQL with `$1…` placeholders, numbered once. */
const PG = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, numberPlaceholders(sql)])) as Record<
  keyof typeof SQL,
  string
>;

/** PostgreSQL edition of db/queries/track-record/ (the same statements). */
export function pgTrackRecordQueries(db: PgDb): StoreQueries["trackRecord"] {
  const ids = async <K extends string>(sql: string, params: unknown[], key: K) =>
    (await db.query<Record<K, never>>(sql, params)).map((r) => r[key]);
  return {
    async listSignals() {
      return rows.signals(await db.query(PG.allSignals));
    },
    async listSettled() {
      return db.query<SettledRow>(PG.allResults);
    },
    async listSignalLegs(signalId) {
      return rows.legs(await db.query(PG.signalLegs, [signalId]));
    },
    async listUserSignals(userId) {
      return rows.signals(await db.query(PG.userSignals, [userId]));
    },
    async listUserPositions(userId) {
      return rows.positions(await db.query(PG.userPositions, [userId]));
    },
    async insertResult(row) {
      return (await db.run(PG.insertResult, rows.resultParams(row))) === 1;
    },
    async findResult(signalId) {
      return (await db.one<SignalResultRow>(PG.resultById, [signalId])) ?? null;
    },
    async listUnannounced(limit) {
      return ids<"signal_id">(PG.unannounced, [limit], "signal_id");
    },
    async markAnnounced(signalId) {
      await db.run(PG.announce, [signalId]);
    },
    async listDueToSettle(nowMs, limit) {
      return ids<"id">(PG.dueToSettle, [nowMs, limit], "id");
    },
    async listSignalsForExport(sinceMs) {
      return db.query<SignalExportRow>(PG.exportSignals, [sinceMs]);
    },
    async listWeeklyDue(weekMs, fromMs, limit) {
      return ids<"id">(PG.weeklyDue, rows.weeklyDueParams(weekMs, fromMs, limit), "id");
    },
    async markWeeklySent(userId, weekMs) {
      await db.run(PG.weeklySent, [weekMs, userId]);
    },
    async setWeeklySummary(userId, on) {
      await db.run(PG.setWeekly, [on ? 1 : 0, userId]);
    },
    async weeklySummaryOn(userId) {
      return (await db.one<{ weekly_summary: number }>(PG.getWeekly, [userId]))?.weekly_summary === 1;
    },
  };
}
