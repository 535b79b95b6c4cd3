/**
 * Protocol 1.1 in the paper terminal: modify (SL/TP of the position opened by `position_of`,
 * normalised to the tick size, checked against the market like the broker's stops level) and close
 * (all or part of it, volume on the step). Pure decisions over the state; the handler saves.
 */
import type { CloseCommand, CommandResult, HeartbeatSymbol, ModifyCommand } from "../protocol.ts";
import { commentTag, refused, rejectedByServer } from "./execute.ts";
import type { Quote } from "./feed.ts";
import type { PaperState } from "./state.ts";
import { closingPrice, profitMoney } from "./stops.ts";
import type { PaperClosedPosition, PaperPosition } from "./types.ts";

export type ManageCommand = ModifyCommand | CloseCommand;

export interface ManageOutcome {
  result: CommandResult;
  /** A position closed entirely by this command (a closed report follows). */
  closed: PaperClosedPosition | null;
}

/** True for the 1.1 actions. */
export function isManageAction(raw: unknown): raw is { action: "modify" | "close" } {
  const action = (raw as { action?: unknown } | null)?.action;
  return action === "modify" || action === "close";
}

/** The first shape problem of a modify/close command, or null. */
export function manageProblem(raw: unknown): string | null {
  const c = raw as Record<string, unknown>;
  if (typeof c.position_of !== "string" || c.position_of === "") return "position_of must be a command id";
  if (typeof c.symbol !== "string") return "symbol must be a string";
  if (c.action === "modify") {
    if (typeof c.stop_loss !== "number" || !(c.stop_loss > 0)) return "stop_loss must be a price";
    if (c.take_profit !== null && (typeof c.take_profit !== "number" || !(c.take_profit > 0))) {
      return "take_profit must be a price or null";
    }
  } else if (c.volume !== null && c.volume !== undefined && (typeof c.volume !== "number" || !(c.volume > 0))) {
    return "volume must be a positive number or null";
  }
  return null;
}

const onTick = (price: number, spec: HeartbeatSymbol) =>
  Number((Math.round(price / spec.tick_size) * spec.tick_size).toFixed(spec.digits));

function findOpen(state: PaperState, positionOf: string): PaperPosition | undefined {
  const tag = commentTag(positionOf);
  return state.positions.find((p) => p.command_id === positionOf || p.comment === tag);
}

function wasClosed(state: PaperState, positionOf: string): boolean {
  const tag = commentTag(positionOf);
  return state.closed.some((p) => p.command_id === positionOf || p.comment === tag);
}

function applied(id: string, position: PaperPosition, price: number | null, volume: number): CommandResult {
  return { id, status: "filled", retcode: 10009, ticket: position.ticket, price, volume, message: "done" };
}

/**
 * Applies one modify/close to the state (mutating it) and returns the result. Refusals in plain
 * words: position already closed, no quote (market closed), invalid stops, invalid volume.
 */
export function applyManage(
  state: PaperState,
  command: ManageCommand,
  market: { spec: HeartbeatSymbol | undefined; quote: Quote | undefined; tradeAllowed: boolean; nowIso: string },
): ManageOutcome {
  const { id } = command;
  const position = findOpen(state, command.position_of);
  if (!position) {
    const message = wasClosed(state, command.position_of)
      ? "position already closed"
      : "position not found in the terminal";
    return { result: refused(id, "rejected", 0, message), closed: null };
  }
  const { spec, quote } = market;
  if (!spec)
    return { result: refused(id, "rejected", 0, `unknown symbol ${position.symbol} at this broker`), closed: null };
  if (!market.tradeAllowed) return { result: rejectedByServer(id, 10027), closed: null };
  if (!quote) return { result: refused(id, "rejected", 10018, "market closed: no price quote"), closed: null };
  const marketPrice = closingPrice(position, quote);
  if (command.action === "modify") {
    const stopLoss = onTick(command.stop_loss, spec);
    const takeProfit = command.take_profit === null ? null : onTick(command.take_profit, spec);
    const buy = position.side === "BUY";
    const stopOk = buy ? stopLoss < marketPrice : stopLoss > marketPrice;
    const targetOk = takeProfit === null || (buy ? takeProfit > marketPrice : takeProfit < marketPrice);
    if (!stopOk || !targetOk) {
      const which = !stopOk ? `stop ${stopLoss}` : `target ${takeProfit}`;
      return {
        result: refused(
          id,
          "rejected",
          10016,
          `invalid stops: ${which} is on the wrong side of the market ${marketPrice}`,
        ),
        closed: null,
      };
    }
    position.stop_loss = stopLoss;
    position.take_profit = takeProfit;
    return { result: applied(id, position, null, position.volume), closed: null };
  }
  const step = spec.volume_step;
  const wanted = command.volume === null || command.volume === undefined ? position.volume : command.volume;
  const steps = Math.floor(wanted / step + 1e-9);
  const volume = Number((steps * step).toFixed(8));
  if (steps <= 0 || volume > position.volume + 1e-9) {
    return {
      result: refused(
        id,
        "rejected",
        10014,
        `invalid volume ${command.volume} to close (position has ${position.volume})`,
      ),
      closed: null,
    };
  }
  const part = { ...position, volume };
  const profit = profitMoney(part, marketPrice, spec);
  state.balance = Math.round((state.balance + profit) * 100) / 100;
  const remaining = Number((position.volume - volume).toFixed(8));
  if (remaining >= spec.volume_min - 1e-9 && remaining > 1e-9) {
    position.volume = remaining;
    state.partials = [
      ...(state.partials ?? []),
      { ...part, close_price: marketPrice, profit, closed_at: market.nowIso, reason: "closed" },
    ];
    return { result: applied(id, position, marketPrice, volume), closed: null };
  }
  state.positions = state.positions.filter((p) => p.ticket !== position.ticket);
  const closed: PaperClosedPosition = {
    ...position,
    close_price: marketPrice,
    profit,
    closed_at: market.nowIso,
    reason: "closed",
  };
  state.closed.push(closed);
  state.outbox.push({
    kind: "closed",
    body: {
      id: position.command_id,
      ticket: position.ticket,
      close_price: marketPrice,
      profit,
      closed_at: market.nowIso,
    },
  });
  return { result: applied(id, position, marketPrice, volume), closed };
}

/**
 * A manage command recorded but without a saved result (the terminal died in between): apply and
 * result are saved together, so nothing was applied yet — unless the effect is already there.
 */
export function alreadyApplied(state: PaperState, command: ManageCommand): CommandResult | null {
  const position = findOpen(state, command.position_of);
  if (
    command.action === "modify" &&
    position &&
    position.stop_loss === command.stop_loss &&
    position.take_profit === command.take_profit
  ) {
    return { ...applied(command.id, position, null, position.volume), message: "already applied" };
  }
  return null;
}
