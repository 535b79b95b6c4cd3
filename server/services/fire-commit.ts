import { CANCELLED } from "../../core/fire-policy.ts";
import type { NewCommand, NewEvent, NewFire } from "../../db/queries/fires.ts";
import type { FireTerminal } from "../../db/queries/terminals.ts";
import type { FireView } from "../../db/rows.ts";
import type { Store } from "../../db/store.ts";
import { ApiError } from "../errors.ts";
import type { HandedCommand, Hub } from "../events/hub.ts";
import { BoundedMap, type MemoryRegistry } from "../memory.ts";
import type { MissionService } from "./missions.ts";

export interface FireOutcome {
  fire: FireView;
  duplicate: boolean;
}

/** One accepted fire waiting for the next group commit. */
export interface PendingFire {
  fire: NewFire;
  commands: NewCommand[];
  events: NewEvent[];
  dailyLimit: number | null;
  dayStartMs: number;
  /** Several terminals per trader: what the fire does on each (written with the fire). */
  terminals?: FireTerminal[];
}

/** A committed fire's commands by the terminal (bridge user row) that receives them. */
function handedByTerminal(p: PendingFire): Map<number, HandedCommand[]> {
  const out = new Map<number, HandedCommand[]>();
  for (const c of p.commands) {
    const userId = c.user_id ?? p.fire.user_id;
    const list = out.get(userId) ?? [];
    list.push({ id: c.id, fire_id: p.fire.id, payload: c.payload });
    out.set(userId, list);
  }
  return out;
}

/**
 * The write side of firing: group commit of accepted fires and a memory of answered ones (so
 * duplicate taps never reach the database). Emits `commands.ready` after each commit, and
 * `fire.created` and `fire.count` once the answers are on their way.
 */
export function createFireCommitter(deps: {
  store: Store;
  hub: Hub;
  missions: MissionService;
  memory: MemoryRegistry;
}) {
  const { store, hub, missions, memory } = deps;
  /**
   * Fires recently answered, so duplicate taps do not reach the database (bounded, oldest out: a
   * forgotten fire's repeat is answered from the user's overlay, which carries it).
   */
  const known = new BoundedMap<string, FireView>(memory.bounds.knownFires);
  memory.track("knownFires", known, memory.bounds.knownFires);
  const remember = (fire: FireView) => known.set(`${fire.signal_id}:${fire.user_id}`, fire);
  hub.on("fire.updated", ({ fire }) => {
    if (known.has(`${fire.signal_id}:${fire.user_id}`)) remember(fire);
  });

  type Pending = PendingFire & { resolve: (outcome: FireOutcome) => void; reject: (err: unknown) => void };
  let pending: Pending[] = [];

  /**
   * Group commit: fires accepted in the same turn of the event loop are written in ONE
   * transaction (one WAL append instead of one per fire), then each request is answered.
   * The UNIQUE lock and the daily limit are re-checked inside, so batching changes no outcome.
   */
  async function flush(): Promise<void> {
    const batch = pending;
    pending = [];
    const perUser = new Map<number, number>();
    for (const p of batch) perUser.set(p.fire.user_id, (perUser.get(p.fire.user_id) ?? 0) + 1);
    let results: Array<FireOutcome | ApiError>;
    try {
      results = await store.transaction(async () => {
        const cancelled = await cancelledSignals(batch);
        const out: Array<FireOutcome | ApiError> = [];
        for (const p of batch) {
          out.push(
            cancelled.has(p.fire.signal_id)
              ? await refuseCancelled(p)
              : await commitOne(p, perUser.get(p.fire.user_id) ?? 0),
          );
        }
        return out;
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    // What the trader waits for goes first: each terminal's waiting long-poll is handed its
    // commands now, and the taps are answered in the next turn of the loop. On SQLite a poll's
    // answer is a chain of settled promises: answering the taps at once interleaved the two chains,
    // and the command left after the tap's 202 (measured: +0.7 ms to the terminal). The rest (live
    // updates, counts on the alert, metrics) follows after both. Only the user's mission cache is
    // cleared at once, so a mission read right after the 202 shows the fire.
    const created: FireView[] = [];
    const answers: Array<() => void> = [];
    for (const [i, p] of batch.entries()) {
      const result = results[i]!;
      if (result instanceof ApiError) {
        answers.push(() => p.reject(result));
        continue;
      }
      remember(result.fire);
      if (!result.duplicate) {
        created.push(result.fire);
        missions.touchUser(result.fire.user_id);
        for (const [userId, commands] of handedByTerminal(p)) hub.emit("commands.ready", { user_id: userId, commands });
      }
      answers.push(() => p.resolve(result));
    }
    setImmediate(() => {
      for (const answer of answers) answer();
    });
    // A count that cannot be read (the store closing) is dropped: the next fire's count carries it.
    if (created.length > 0) setImmediate(() => void announce(created).catch(() => undefined));
  }

  async function announce(created: FireView[]): Promise<void> {
    for (const fire of created) hub.emit("fire.created", { fire });
    // One count per signal for the whole batch (its latest): a burst of 500 fires on one alert
    // is one live update and one NOTIFY to the other instances, not 500.
    const counts = new Map<string, number>();
    for (const fire of created) counts.set(fire.signal_id, await missions.countFire(fire.signal_id));
    for (const [signal_id, count] of counts) hub.emit("fire.count", { signal_id, count });
  }

  /**
   * The batch's signals cancelled by now. A tap's checks ran on the cached signal; a cancel that
   * committed since (here, or on another instance whose news has not arrived) is seen here, and
   * holds off until these fires are committed otherwise (PostgreSQL: FOR SHARE).
   */
  async function cancelledSignals(batch: Pending[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const signalId of new Set(batch.map((p) => p.fire.signal_id))) {
      if ((await store.signals.statusForFire(signalId)) === "cancelled") out.add(signalId);
    }
    return out;
  }

  /** A fire on a signal cancelled after its checks: its existing fire (the duplicate rule first), else 410. */
  async function refuseCancelled(p: Pending): Promise<FireOutcome | ApiError> {
    const existing = await store.fires.findFire(p.fire.signal_id, p.fire.user_id);
    return existing ? { fire: existing, duplicate: true } : ApiError.from(CANCELLED);
  }

  /** One fire of a batch, inside its transaction. */
  async function commitOne(p: Pending, firesOfUserInBatch: number): Promise<FireOutcome | ApiError> {
    // In one process only several fires of one user in one batch can race past the limit checked
    // before. Several instances on one PostgreSQL can race too: the user's row is locked (FOR
    // UPDATE) so the count below sees every fire committed by any instance.
    if (p.dailyLimit !== null && (firesOfUserInBatch > 1 || store.engine === "postgres")) {
      await store.users.lockUser(p.fire.user_id);
      const existing = await store.fires.findFire(p.fire.signal_id, p.fire.user_id);
      if (existing) return { fire: existing, duplicate: true };
      if ((await store.fires.countFiresSince(p.fire.user_id, p.dayStartMs)) >= p.dailyLimit) {
        return new ApiError(
          "LIMIT_REACHED",
          `Daily limit reached: ${p.dailyLimit} fires per day. It resets at 00:00 UTC.`,
        );
      }
    }
    const queued = await store.fires.queueFire(p.fire, p.commands, p.events);
    if (!p.terminals || queued.duplicate) return queued;
    await store.terminals.insertFireTerminals(p.fire.id, p.terminals);
    return { fire: (await store.fires.findFireById(p.fire.id))!, duplicate: false };
  }

  return {
    /** The fire answered earlier for this signal and user, if remembered. */
    known: (signalId: string, userId: number) => known.get(`${signalId}:${userId}`),
    remember,
    /** Queues an accepted fire for the next group commit; resolves once it is durable. */
    commit(fire: PendingFire): Promise<FireOutcome> {
      return new Promise<FireOutcome>((resolve, reject) => {
        if (pending.length === 0) setImmediate(() => void flush());
        pending.push({ ...fire, resolve, reject });
      });
    },
  };
}
