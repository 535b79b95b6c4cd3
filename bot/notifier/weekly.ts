import { periodStartMs, periodTable } from "../../core/track-record/index.ts";
import type { AppContext } from "../../server/context.ts";
import { PRIORITY } from "../delivery/index.ts";
import { weeklySummaryText } from "../format/performance.ts";
import type { Dms } from "./dms.ts";

const WEEK_MS = 7 * 24 * 3600 * 1000;
/** How often the due list is read (the notifier ticks every few seconds). */
const CHECK_EVERY_MS = 60_000;
/** Summaries queued per check, so a large community is spread over a few minutes. */
const BATCH = 50;

/**
 * The weekly summary DM: after Monday 00:00 UTC, each trader who closed a trade last week and did
 * not turn the summary off (`/weekly off`, `PATCH /api/me {"weekly_summary": false}`) gets last
 * week's result once. The week is marked sent when the DM is queued, so a restart never repeats it.
 */
export function createWeeklySummaries(deps: { app: AppContext; dms: Dms }) {
  const { app, dms } = deps;
  const { store, clock, trackRecord } = app;
  let lastCheckMs = Number.NEGATIVE_INFINITY;

  return {
    /** Called on every notifier tick; reads the due list at most once a minute (`force`: now). */
    async check(force = false): Promise<void> {
      const nowMs = clock.now();
      if (!force && nowMs - lastCheckMs < CHECK_EVERY_MS) return;
      lastCheckMs = nowMs;
      const weekMs = periodStartMs(nowMs, "week");
      for (const userId of await store.trackRecord.listWeeklyDue(weekMs, weekMs - WEEK_MS, BATCH)) {
        await store.trackRecord.markWeeklySent(userId, weekMs);
        const row = periodTable(await trackRecord.userOutcomes(userId), weekMs - 1, "week", 1)[0]!;
        if (row.closed === 0) continue; // closed fires, but no signal of theirs settled in R (rare)
        const currency = (await store.users.findUser(userId))?.currency ?? null;
        dms.dm(userId, () => weeklySummaryText(row, currency), {}, PRIORITY.report);
      }
    },
  };
}
