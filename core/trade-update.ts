/**
 * Managing trades after entry (CONTRACT.md "Managing trades after entry"): what an update asks,
 * how it is validated against the signal, and what it means for one open position. Pure: no I/O.
 */

import { takeProfitLeg } from "./legs.ts";
import { MAX_PRICE } from "./signal.ts";
import type { Side } from "./types.ts";

export type UpdateAction = "move_sl" | "breakeven" | "move_tp" | "close";
export const UPDATE_ACTIONS: readonly UpdateAction[] = ["move_sl", "breakeven", "move_tp", "close"];
export const NOTE_MAX_CHARS = 500;

/** An update as submitted (already JSON, not yet trusted). */
export interface UpdateInput {
  action?: unknown;
  stop_loss?: unknown;
  take_profit?: unknown;
  leg?: unknown;
  note?: unknown;
}

/** A validated update. `leg` null = every leg. */
export interface TradeUpdateSpec {
  action: UpdateAction;
  stop_loss: number | null;
  take_profit: number | null;
  leg: number | null;
  note: string | null;
  /** Only legs from this one on (the automatic breakeven after TP1 leaves leg 1 alone). */
  from_leg?: number;
}

export type UpdateValidation = { ok: true; value: TradeUpdateSpec } | { ok: false; field: string; message: string };

/** The signal fields an update is checked against. */
export interface UpdateTarget {
  side: Side;
  entry: number;
  take_profit: readonly number[];
}

const fail = (field: string, message: string): UpdateValidation => ({ ok: false, field, message });

function positivePrice(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value > 0 && value <= MAX_PRICE ? value : null;
}

/**
 * Validates an update against its signal. A stop on the wrong side of the signal's entry for its
 * side (a BUY's stop above entry, a SELL's below) or a target on the wrong side (a BUY's target at
 * or below entry) is refused naming the field. A stop exactly at entry is allowed: it is what
 * breakeven does. `leg` is 1-based (leg 1 = the first take-profit) and must exist on the signal.
 */
export function validateUpdate(input: UpdateInput, target: UpdateTarget): UpdateValidation {
  const action = input.action;
  if (typeof action !== "string" || !(UPDATE_ACTIONS as readonly string[]).includes(action)) {
    return fail("action", `action must be one of ${UPDATE_ACTIONS.join(", ")}`);
  }
  let note: string | null = null;
  if (input.note !== undefined && input.note !== null) {
    if (typeof input.note !== "string") return fail("note", "note must be a string");
    if (input.note.length > NOTE_MAX_CHARS) return fail("note", `note must be at most ${NOTE_MAX_CHARS} characters`);
    note = input.note.trim() || null;
  }
  let leg: number | null = null;
  if (input.leg !== undefined && input.leg !== null) {
    if (typeof input.leg !== "number" || !Number.isInteger(input.leg)) return fail("leg", "leg must be a whole number");
    if (input.leg < 1 || input.leg > target.take_profit.length) {
      return fail("leg", `leg must be between 1 and ${target.take_profit.length} (one leg per take-profit)`);
    }
    leg = input.leg;
  }
  const buy = target.side === "BUY";
  const spec: TradeUpdateSpec = { action: action as UpdateAction, stop_loss: null, take_profit: null, leg, note };
  switch (spec.action) {
    case "move_sl": {
      const stop = positivePrice(input.stop_loss);
      if (stop === null) return fail("stop_loss", `stop_loss must be a price greater than 0 and at most ${MAX_PRICE}`);
      if (buy ? stop > target.entry : stop < target.entry) {
        return fail(
          "stop_loss",
          `a ${target.side} needs stop_loss at or ${buy ? "below" : "above"} entry ${target.entry}`,
        );
      }
      spec.stop_loss = stop;
      break;
    }
    case "move_tp": {
      if (leg === null) return fail("leg", "move_tp needs the leg whose take_profit moves");
      const tp = positivePrice(input.take_profit);
      if (tp === null)
        return fail("take_profit", `take_profit must be a price greater than 0 and at most ${MAX_PRICE}`);
      if (buy ? !(tp > target.entry) : !(tp < target.entry)) {
        return fail(
          "take_profit",
          `a ${target.side} needs take_profit ${buy ? "above" : "below"} entry ${target.entry}`,
        );
      }
      spec.take_profit = tp;
      break;
    }
    case "breakeven":
      if (leg !== null) return fail("leg", "breakeven applies to every open leg; leave leg out");
      break;
    case "close":
      break;
  }
  return { ok: true, value: spec };
}

/** One open position as an update sees it. */
export interface OpenPosition {
  leg: number;
  fill_price: number;
  stop_loss: number;
  take_profit: number | null;
}

/** The command an update gives one open position, or null when it does not concern it. */
export type PositionChange =
  | { action: "modify"; stop_loss: number; take_profit: number | null }
  | { action: "close"; volume: null };

/**
 * What `update` does to `position`: breakeven puts the stop at the position's own fill price;
 * move_sl sets the stop; move_tp sets the target of its leg only; close closes the whole position
 * (of its leg only, when a leg is given). Modify commands carry both levels (the other unchanged).
 */
export function changeFor(update: TradeUpdateSpec, position: OpenPosition): PositionChange | null {
  // A position's leg as stored; several terminals' legs are numbered apart (core/legs.ts).
  const leg = takeProfitLeg(position.leg);
  if (update.leg !== null && update.leg !== leg) return null;
  if (update.from_leg !== undefined && leg < update.from_leg) return null;
  switch (update.action) {
    case "close":
      return { action: "close", volume: null };
    case "breakeven":
      return { action: "modify", stop_loss: position.fill_price, take_profit: position.take_profit };
    case "move_sl":
      return { action: "modify", stop_loss: update.stop_loss!, take_profit: position.take_profit };
    case "move_tp":
      return { action: "modify", stop_loss: position.stop_loss, take_profit: update.take_profit! };
  }
}

/** True for a protocol that understands modify and close (1.1 or later). */
export function speaksManage(protocol: string | null | undefined): boolean {
  if (!protocol) return false;
  const [major, minor] = protocol.split(".").map((part) => Number(part));
  return major !== undefined && (major > 1 || (major === 1 && (minor ?? 0) >= 1));
}
