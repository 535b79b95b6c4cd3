import type { AppContext } from "./context.ts";

/** setTimeout's longest delay is 2^31 − 1 ms (~24.8 days); longer ones fire at once. Re-arm hourly. */
const MAX_DELAY_MS = 3600_000;
/**
 * Another instance (PostgreSQL, several processes) schedules signals too: its `signal.scheduled`
 * reaches this one through the cluster's NOTIFY (server/cluster) and re-arms the timer at once;
 * as a safety net (a notification lost while the LISTEN connection was reconnecting) the timer is
 * also re-armed from the database this often. Publication itself is always claimed in the
 * database, so whichever instance's timer fires first publishes, exactly once.
 */
const RESYNC_MS = 30_000;

export interface Scheduler {
  /** Done once what fell due while the server was down has been published (or expired). */
  readonly ready: Promise<void>;
  /** Publishes every scheduled signal that is due now (the timer does this by itself). */
  publishDue(): Promise<number>;
  stop(): void;
}

/**
 * Publishes scheduled signals at their second: one timer armed for the earliest `publish_at`
 * in the database (not a polling loop), re-armed when a signal is scheduled and after each
 * publication. At start it publishes what fell due while the server was down (when not yet
 * expired) and logs how late; a signal that expired meanwhile never goes out (logged too).
 */
export function startScheduler(ctx: AppContext, log: (line: string) => void = () => undefined): Scheduler {
  const { store, clock, hub, staged } = ctx;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let armedFor: number | null = null;
  let stopped = false;
  // Store work runs one step at a time (publishing, re-arming), so two wake-ups never interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };
  const report = (err: unknown) =>
    log(`scheduler: publishing failed: ${err instanceof Error ? err.message : String(err)}`);

  async function publishDue(atStart = false): Promise<number> {
    let published = 0;
    for (const row of await store.staged.listDue(clock.now())) {
      const outcome = await staged.publish(row.id, "scheduler");
      if (outcome.published) {
        published++;
        if (atStart) {
          log(
            `scheduled signal ${row.id} published at start, ${outcome.latenessMs} ms after its publish_at ${new Date(row.publish_ms!).toISOString()} (the server was down then)`,
          );
        }
      } else if (outcome.reason === "expired") {
        log(
          `scheduled signal ${row.id} expired before it could be published (publish_at ${new Date(row.publish_ms!).toISOString()}): never sent`,
        );
      }
    }
    return published;
  }

  async function arm(): Promise<void> {
    if (stopped) return;
    const next = await store.staged.nextPublishMs();
    if (stopped || (next === armedFor && timer)) return;
    if (timer) clearTimeout(timer);
    timer = null;
    armedFor = next;
    if (next === null) return;
    const delayMs = Math.min(MAX_DELAY_MS, Math.max(0, next - clock.now()));
    timer = setTimeout(fire, delayMs);
    timer.unref();
  }

  function fire(): void {
    timer = null;
    armedFor = null;
    serial(async () => {
      if (stopped) return;
      try {
        await publishDue();
      } catch (err) {
        report(err);
      }
      // A timer may wake a millisecond early (its clock is not Date.now()): arm() then waits the rest.
      await arm();
    }).catch(report);
  }

  const rearm = () => void serial(arm).catch(report);
  const ready = serial(async () => {
    await publishDue(true);
    await arm();
  }).catch(report);
  const off = hub.on("signal.scheduled", rearm);
  const resync = setInterval(rearm, RESYNC_MS);
  resync.unref();

  return {
    ready,
    publishDue: () => serial(() => publishDue()),
    stop() {
      stopped = true;
      off();
      clearInterval(resync);
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
