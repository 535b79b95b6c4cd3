import type { NewCommand, NewEvent, NewFire } from "../../db/queries/fires.ts";
import type { FireView } from "../../db/rows.ts";
import type { Store } from "../../db/store.ts";
import { ApiError } from "../errors.ts";
import type { Hub } from "../events/hub.ts";
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
}

/**
 * The write side of firing: group commit of accepted fires and a memory of answered ones (so
 * duplicate taps never reach the database). Emits `fire.created`, `commands.ready` and
 * `fire.count` after each commit.
 */
export function createFireCommitter(deps: { store: Store; hub: Hub; missions: MissionService }) {
  const { store, hub, missions } = deps;
  /** Fires recently answered, so duplicate taps do not reach the database (bounded, oldest out). */
  const known = new Map<string, FireView>();
  const remember = (fire: FireView) => {
    const key = `${fire.signal_id}:${fire.user_id}`;
    if (!known.has(key) && known.size >= 50_000) known.delete(known.keys().next().value as string);
    known.set(key, fire);
  };
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
        const out: Array<FireOutcome | ApiError> = [];
        for (const p of batch) out.push(await commitOne(p, perUser.get(p.fire.user_id) ?? 0));
        return out;
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    for (const [i, p] of batch.entries()) {
      const result = results[i]!;
      if (result instanceof ApiError) {
        p.reject(result);
        continue;
      }
      remember(result.fire);
      if (!result.duplicate) {
        hub.emit("fire.created", { fire: result.fire });
        hub.emit("commands.ready", { user_id: result.fire.user_id });
        hub.emit("fire.count", {
          signal_id: result.fire.signal_id,
          count: await missions.countFire(result.fire.signal_id),
        });
      }
      p.resolve(result);
    }
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
    return store.fires.queueFire(p.fire, p.commands, p.events);
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
