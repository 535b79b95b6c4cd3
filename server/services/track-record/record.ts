import {
  presentPerformance,
  presentTrackRecord,
  rHistogram,
  type SignalOutcome,
  summarizeTrackRecord,
  type TrackRecordBody,
} from "../../../core/track-record/index.ts";
import type { Store } from "../../../db/store.ts";
import type { Clock } from "../../clock.ts";
import type { Hub } from "../../events/hub.ts";
import { BoundedMap, MEMORY_BOUNDS, type MemoryRegistry } from "../../memory.ts";
import { channelReader } from "./channel.ts";
import { cutoff, type DatedOutcome, outcomesOf, type PerformanceView, within } from "./outcomes.ts";

export type { DatedOutcome, PerformanceView } from "./outcomes.ts";

/** Traders whose outcomes are kept (the most recently asked); a trader's own history is small. */
const USER_CACHE_SIZE = 500;

/**
 * The channel's record and each trader's performance, from stored fills and closes through
 * core/track-record, cached:
 * - the channel keeps one outcome per signal in memory. Loading it reads every signal, the stored
 *   results of settled signals (`signal_results`, which never change) and only the positions of the
 *   unsettled ones; afterwards a hub event marks its signal dirty and only dirty signals are read
 *   again. An answer is then `summarizeTrackRecord` over ≤ 10,000 outcomes, and the same answer is
 *   reused until something changes or the minute turns (the `days` window moves with the clock).
 * - a trader's outcomes are computed from their own positions and kept until one of their fires
 *   changes.
 * The events it listens to reach every instance sharing one PostgreSQL (server/cluster relays the
 * hub through NOTIFY), so each instance's cache drops what another instance changed.
 */
export function createTrackRecordService(deps: { store: Store; hub: Hub; clock: Clock; memory?: MemoryRegistry }) {
  const { store, hub, clock } = deps;
  let channel: Map<string, DatedOutcome> | null = null;
  /** The channel's load or refresh in progress: concurrent askers share it. */
  let pending: Promise<Map<string, DatedOutcome>> | null = null;
  /** Bumped by `reset`: a load started before it does not install its (stale) map. */
  let generation = 0;
  const dirty = new Set<string>();
  let version = 0;
  const answers = new Map<string, { version: number; minute: number; body: TrackRecordBody; json: string | null }>();
  const users = new Map<number, Map<string, DatedOutcome>>();
  /** Bumped per trader when a fire of theirs changes: a read started before does not cache its answer. */
  const userVersions = new BoundedMap<number, number>(
    deps.memory?.bounds.userVersions ?? MEMORY_BOUNDS.userVersions,
    () => evictions++,
  );
  /** Versions forgotten (bound reached): a read that saw one go by does not cache its answer. */
  let evictions = 0;
  /** A trader's state before a read; `unchanged` says whether nothing of theirs changed since. */
  const mark = (userId: number) => ({ version: userVersions.get(userId) ?? 0, evictions });
  const unchanged = (userId: number, before: ReturnType<typeof mark>) =>
    (userVersions.get(userId) ?? 0) === before.version && evictions === before.evictions;
  deps.memory?.track("trackRecordUsers", users, USER_CACHE_SIZE);
  deps.memory?.track("trackRecordUserVersions", userVersions, userVersions.max);
  /** Each trader's last answers (per `days`), dropped with their outcomes when a fire of theirs changes. */
  const userAnswers = new Map<number, Map<string, { minute: number; body: PerformanceView }>>();

  const touch = (signalId: string) => {
    dirty.add(signalId);
    version++;
  };
  hub.on("signal.created", ({ signal }) => touch(signal.id));
  hub.on("fire.updated", ({ fire }) => {
    touch(fire.signal_id);
    users.delete(fire.user_id);
    userAnswers.delete(fire.user_id);
    userVersions.set(fire.user_id, (userVersions.get(fire.user_id) ?? 0) + 1);
  });
  hub.on("signal.result", ({ signal }) => touch(signal.id));

  const { load, refresh } = channelReader(store, dirty);

  /** The channel's outcomes, loaded once and then refreshed signal by signal (one reader at a time). */
  function channelOutcomes(): Promise<Map<string, DatedOutcome>> {
    if (channel && dirty.size === 0) return Promise.resolve(channel);
    if (pending) return pending.then(() => channelOutcomes());
    const started = generation;
    const work = (async () => {
      let map = channel;
      if (map) await refresh(map);
      else map = await load();
      if (generation === started) channel = map;
      return map;
    })();
    pending = work;
    const done = () => {
      if (pending === work) pending = null;
    };
    work.then(done, done);
    return work;
  }

  async function userOutcomes(userId: number): Promise<Map<string, DatedOutcome>> {
    let map = users.get(userId);
    if (map) {
      users.delete(userId); // re-inserted below: most recently used last
    } else {
      const before = mark(userId);
      const signals = await store.trackRecord.listUserSignals(userId);
      map = outcomesOf(signals, await store.trackRecord.listUserPositions(userId));
      // A fire of theirs changed while reading: answer with what was read, but do not keep it.
      if (!unchanged(userId, before)) return map;
    }
    users.set(userId, map);
    if (users.size > USER_CACHE_SIZE) {
      const oldest = users.keys().next().value!;
      users.delete(oldest);
      userAnswers.delete(oldest);
      userVersions.delete(oldest);
    }
    return map;
  }

  async function channelAnswer(days: number | null) {
    const key = String(days);
    const known = answers.get(key);
    const nowMs = clock.now();
    const minute = Math.floor(nowMs / 60_000);
    if (known && known.version === version && known.minute === minute && dirty.size === 0) return known;
    const seen = version; // a change during the read bumps `version`: the answer is not reused
    const outcomes = await channelOutcomes();
    const body = presentTrackRecord(summarizeTrackRecord(within(outcomes.values(), cutoff(days, nowMs))), days);
    const answer = { version: seen, minute, body, json: null };
    answers.set(key, answer);
    return answer;
  }

  return {
    /** `GET /api/track-record` body over the signals of the last `days` days (null: all). */
    async channel(days: number | null): Promise<TrackRecordBody> {
      return (await channelAnswer(days)).body;
    },
    /**
     * The same answer as JSON text, made once per answer: a 10,000-point curve is ~440 kB, and
     * serialising it again for every request would cost more than computing it.
     */
    async channelJson(days: number | null): Promise<string> {
      const answer = await channelAnswer(days);
      answer.json ??= JSON.stringify(answer.body);
      return answer.json;
    },
    /** One trader's performance over the signals they fired in the last `days` days. */
    async performance(userId: number, days: number | null): Promise<PerformanceView> {
      const nowMs = clock.now();
      const minute = Math.floor(nowMs / 60_000);
      const known = userAnswers.get(userId)?.get(String(days));
      if (known && known.minute === minute && users.has(userId)) return known.body;
      const before = mark(userId);
      const outcomes = within((await userOutcomes(userId)).values(), cutoff(days, nowMs));
      const body = {
        ...presentPerformance(summarizeTrackRecord(outcomes), days),
        user_id: userId,
        currency: (await store.users.findUser(userId))?.currency ?? null,
        r_histogram: rHistogram(outcomes),
      };
      if (unchanged(userId, before)) {
        const mine = userAnswers.get(userId) ?? new Map<string, { minute: number; body: PerformanceView }>();
        mine.set(String(days), { minute, body });
        userAnswers.set(userId, mine);
      }
      return body;
    },
    /** One trader's outcomes (for the bot's day and week tables). */
    async userOutcomes(userId: number): Promise<SignalOutcome[]> {
      return [...(await userOutcomes(userId)).values()].map((o) => o.outcome);
    },
    /** Forgets every cached outcome (the next answer reloads; benchmarks measure a cold start). */
    reset(): void {
      channel = null;
      pending = null;
      generation++;
      dirty.clear();
      answers.clear();
      users.clear();
      userAnswers.clear();
      userVersions.clear();
      version++;
    },
  };
}

export type TrackRecordService = ReturnType<typeof createTrackRecordService>;
