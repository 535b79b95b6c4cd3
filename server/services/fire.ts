import type { BridgeCommand } from "../../bridge/protocol.ts";
import { DEFAULT_SPECS, type TerminalSymbolSpec } from "../../core/instruments/index.ts";
import { roundTo } from "../../core/money.ts";
import { splitLegs } from "../../core/sizing.ts";
import { utcDayStartMs } from "../../core/tiers.ts";
import type { Signal } from "../../core/types.ts";
import type { NewEvent, NewFire } from "../../db/queries/fires.ts";
import type { Store } from "../../db/store.ts";
import type { Clock } from "../clock.ts";
import { ApiError, forbidden } from "../errors.ts";
import type { Hub } from "../events/hub.ts";
import { newCommandId, newFireId } from "../ids.ts";
import { BoundedMap, type MemoryRegistry } from "../memory.ts";
import { createFireCommitter, type FireOutcome } from "./fire-commit.ts";
import type { MissionService } from "./missions.ts";
import { terminalFire } from "./terminals/fire.ts";

export type { FireOutcome } from "./fire-commit.ts";

/**
 * How far the market may have moved from the signal's entry before the EA refuses to open:
 * a quarter of the stop distance, so a late fill never eats more than 25 % of the planned risk.
 */
export const MAX_ENTRY_DISTANCE_OF_STOP = 0.25;

/**
 * One open command per take-profit leg of `lots`, for the terminal whose broker spec is
 * `brokerSpec` (matched by canonical name, so EURUSD.m or GOLD count); without one the order goes
 * out under Sortie's own name.
 */
export function buildOpenCommands(
  fireId: string,
  signal: Signal,
  lots: number,
  brokerSpec: TerminalSymbolSpec | null,
  nowMs: number,
): { brokerSymbol: string; commands: BridgeCommand[] } {
  const brokerSymbol = brokerSpec?.name ?? signal.symbol;
  const defaults = DEFAULT_SPECS.get(signal.symbol);
  const digits = brokerSpec?.digits ?? defaults?.digits ?? 5;
  const step = brokerSpec?.volume_step || defaults?.volumeStep || 0.01;
  const min = brokerSpec?.volume_min || defaults?.volumeMin || 0.01;
  const volumes = splitLegs(lots, signal.take_profit.length, step, min);
  const price = (p: number) => roundTo(p, digits);
  const maxDistance = roundTo(Math.abs(signal.entry - signal.stop_loss) * MAX_ENTRY_DISTANCE_OF_STOP, digits);
  const commands: BridgeCommand[] = volumes.map((volume, i) => {
    const id = newCommandId(nowMs);
    return {
      id,
      fire_id: fireId,
      leg: i + 1,
      action: "open",
      symbol: brokerSymbol,
      side: signal.side,
      volume,
      entry: price(signal.entry),
      max_entry_distance: maxDistance,
      stop_loss: price(signal.stop_loss),
      take_profit: signal.take_profit[i] === undefined ? null : price(signal.take_profit[i]),
      expires_at: signal.expires_at,
      comment: id,
    };
  });
  return { brokerSymbol, commands };
}

/** Firing a signal: duplicate short-cut, the contract's ordered checks, then the lock + outbox. */
export function createFireService(deps: {
  store: Store;
  hub: Hub;
  clock: Clock;
  missions: MissionService;
  memory: MemoryRegistry;
}) {
  const { store, hub, clock, missions, memory } = deps;
  const committer = createFireCommitter({ store, hub, missions, memory });
  /**
   * First taps being checked or committed, by `signal:user`: later taps wait for their answer.
   * Past the bound, a forgotten tap's repeat runs the checks itself and meets the fire's UNIQUE
   * lock in the commit, which answers it as a duplicate: never a second fire.
   */
  const inFlight = new BoundedMap<string, Promise<FireOutcome>>(memory.bounds.inFlightTaps);
  memory.track("inFlightTaps", inFlight, memory.bounds.inFlightTaps);

  /** The checks and the commit for a first tap (no fire remembered, none in flight). */
  async function firstFire(userId: number, signalId: string): Promise<FireOutcome> {
    // The overlay read by the mission carries this user's fire for this signal, if any.
    const mission = await missions.missionFor(userId, signalId);
    if (mission.fire) {
      committer.remember(mission.fire);
      return { fire: mission.fire, duplicate: true };
    }
    if (mission.fire_block) throw ApiError.from(mission.fire_block);

    const nowMs = clock.now();
    const createdAt = new Date(nowMs).toISOString();
    const fireId = newFireId(nowMs);
    // Several terminals: each enabled, online one gets its own legs (services/terminals/fire.ts).
    const multi = terminalFire(fireId, mission, nowMs);
    const { brokerSymbol, commands } =
      multi ?? buildOpenCommands(fireId, mission.signal, mission.position.lots, mission.terminal_spec, nowMs);
    const actor = `tg:${userId}`;
    const fire: NewFire = {
      id: fireId,
      signal_id: signalId,
      user_id: userId,
      lots: multi?.lots ?? mission.position.lots,
      symbol: mission.signal.symbol,
      broker_symbol: brokerSymbol,
      side: mission.signal.side,
      risk_amount: multi?.riskAmount ?? mission.position.risk_amount,
      created_at: createdAt,
      created_ms: nowMs,
    };
    const events: NewEvent[] = [
      {
        type: "fire.created",
        actor,
        user_id: userId,
        signal_id: signalId,
        fire_id: fireId,
        data: {
          lots: fire.lots,
          risk_amount: fire.risk_amount,
          legs: commands.length,
          ...(multi ? { terminals: multi.terminals } : {}),
        },
      },
      ...commands.map((c) => ({
        type: "command.queued",
        actor: "sortie",
        user_id: userId,
        signal_id: signalId,
        fire_id: fireId,
        data: c,
      })),
    ];
    return committer.commit({
      fire,
      commands: multi
        ? multi.rows
        : commands.map((c) => ({
            id: c.id,
            leg: c.leg,
            payload: JSON.stringify(c),
            volume: c.volume,
            take_profit: c.take_profit,
          })),
      ...(multi ? { terminals: multi.terminals } : {}),
      events,
      dailyLimit: mission.user.daily_limit,
      dayStartMs: utcDayStartMs(nowMs),
    });
  }

  /**
   * The fire this tap repeats when it is remembered (answered at once, without a promise), else
   * undefined. Throws FORBIDDEN when the body names another user, as `fire` does.
   */
  function knownFire(userId: number, signalId: string, bodyUserId?: number | string | null) {
    if (bodyUserId !== undefined && bodyUserId !== null && String(bodyUserId) !== String(userId)) {
      throw forbidden("user_id does not match the signed-in Telegram user");
    }
    return committer.known(signalId, userId);
  }

  /** A tap whose fire is not remembered: a first one, or a repeat of one in flight. */
  async function newTap(userId: number, signalId: string): Promise<FireOutcome> {
    // A tap while this user's first one is still being checked or committed gets its answer.
    const key = `${signalId}:${userId}`;
    const running = inFlight.get(key);
    if (running) return running.then(({ fire }) => ({ fire, duplicate: true }));
    const attempt = firstFire(userId, signalId);
    inFlight.set(key, attempt);
    try {
      return await attempt;
    } finally {
      inFlight.delete(key);
    }
  }

  return {
    /** True when this tap can only be a duplicate: the user's fire is remembered or in flight. */
    isRepeat(signalId: string, userId: number): boolean {
      return committer.known(signalId, userId) !== undefined || inFlight.has(`${signalId}:${userId}`);
    },

    /**
     * Fires `signalId` for `userId`. A fire that already exists answers as a duplicate before any
     * other check; otherwise the checks run in the contract's order and the first refusal throws.
     * The fire, its commands (one per take-profit leg) and the audit events commit together.
     */
    async fire(userId: number, signalId: string, bodyUserId?: number | string | null): Promise<FireOutcome> {
      const known = knownFire(userId, signalId, bodyUserId);
      return known ? { fire: known, duplicate: true } : newTap(userId, signalId);
    },
    knownFire,
    newTap,
  };
}

export type FireService = ReturnType<typeof createFireService>;
