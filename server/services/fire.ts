import type { BridgeCommand } from "../../bridge/protocol.ts";
import { mapBrokerSymbol } from "../../core/broker-symbols.ts";
import { DEFAULT_SPECS } from "../../core/instruments.ts";
import { roundTo } from "../../core/money.ts";
import { splitLegs } from "../../core/sizing.ts";
import type { FireView } from "../../db/rows.ts";
import type { Store } from "../../db/store.ts";
import type { Clock } from "../clock.ts";
import { ApiError, forbidden } from "../errors.ts";
import type { Hub } from "../events/hub.ts";
import { newCommandId, newFireId } from "../ids.ts";
import type { MissionService } from "./missions.ts";

/**
 * How far the market may have moved from the signal's entry before the EA refuses to open:
 * a quarter of the stop distance, so a late fill never eats more than 25 % of the planned risk.
 */
export const MAX_ENTRY_DISTANCE_OF_STOP = 0.25;

export interface FireOutcome {
  fire: FireView;
  duplicate: boolean;
}

/** Firing a signal: duplicate short-cut, the contract's ordered checks, then the lock + outbox. */
export function createFireService(deps: { store: Store; hub: Hub; clock: Clock; missions: MissionService }) {
  const { store, hub, clock, missions } = deps;

  function buildCommands(
    fireId: string,
    userId: number,
    mission: ReturnType<MissionService["missionFor"]>,
    nowMs: number,
  ) {
    const { signal, position } = mission;
    const reported = store.terminal.listSymbolNames(userId);
    const brokerSymbol = mapBrokerSymbol(signal.symbol, reported) ?? signal.symbol;
    const brokerSpec = store.terminal.findSymbolSpec(userId, brokerSymbol);
    const defaults = DEFAULT_SPECS.get(signal.symbol);
    const digits = brokerSpec?.digits ?? defaults?.digits ?? 5;
    const step = brokerSpec?.volume_step || defaults?.volumeStep || 0.01;
    const min = brokerSpec?.volume_min || defaults?.volumeMin || 0.01;
    const volumes = splitLegs(position.lots, signal.take_profit.length, step, min);
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

  return {
    /**
     * Fires `signalId` for `userId`. A fire that already exists answers as a duplicate before any
     * other check; otherwise the checks run in the contract's order and the first refusal throws.
     * The fire, its commands (one per take-profit leg) and the audit events commit together.
     */
    fire(userId: number, signalId: string, bodyUserId?: number | string | null): FireOutcome {
      if (bodyUserId !== undefined && bodyUserId !== null && String(bodyUserId) !== String(userId)) {
        throw forbidden("user_id does not match the signed-in Telegram user");
      }
      const existing = store.fires.findFire(signalId, userId);
      if (existing) return { fire: existing, duplicate: true };
      const mission = missions.missionFor(userId, signalId);
      if (mission.fire) return { fire: mission.fire, duplicate: true };
      if (mission.fire_block) throw ApiError.from(mission.fire_block);

      const nowMs = clock.now();
      const createdAt = new Date(nowMs).toISOString();
      const fireId = newFireId(nowMs);
      const { brokerSymbol, commands } = buildCommands(fireId, userId, mission, nowMs);
      const actor = `tg:${userId}`;
      const outcome = store.fires.lockAndQueue(
        {
          id: fireId,
          signal_id: signalId,
          user_id: userId,
          lots: mission.position.lots,
          symbol: mission.signal.symbol,
          broker_symbol: brokerSymbol,
          side: mission.signal.side,
          risk_amount: mission.position.risk_amount,
          created_at: createdAt,
          created_ms: nowMs,
        },
        commands.map((c) => ({ id: c.id, leg: c.leg, payload: JSON.stringify(c) })),
        [
          {
            type: "fire.created",
            actor,
            user_id: userId,
            signal_id: signalId,
            fire_id: fireId,
            data: { lots: mission.position.lots, risk_amount: mission.position.risk_amount, legs: commands.length },
          },
          ...commands.map((c) => ({
            type: "command.queued",
            actor: "sortie",
            user_id: userId,
            signal_id: signalId,
            fire_id: fireId,
            data: c,
          })),
        ],
      );
      if (outcome.duplicate) return outcome;
      hub.emit("fire.created", { fire: outcome.fire });
      hub.emit("commands.ready", { user_id: userId });
      hub.emit("fire.count", { signal_id: signalId, count: missions.countFire(signalId) });
      return outcome;
    },
  };
}

export type FireService = ReturnType<typeof createFireService>;
