/** The EA's rules for one command, as plain functions (no I/O, no clock reads). */
import type { BridgeCommand, CommandResult, HeartbeatSymbol } from "../protocol.ts";
import type { Quote } from "./feed.ts";
import { retcodeMessage } from "./retcodes.ts";

export interface MarketView {
  spec: HeartbeatSymbol | undefined;
  quote: Quote | undefined;
  nowMs: number;
  tradeAllowed: boolean;
}

/** BUY fills at the ask, SELL at the bid. */
export function entryPrice(side: BridgeCommand["side"], quote: Quote): number {
  return side === "BUY" ? quote.ask : quote.bid;
}

export function refused(
  id: string,
  status: "rejected" | "failed",
  retcode: number | null,
  message: string,
): CommandResult {
  return { id, status, retcode, ticket: null, price: null, volume: null, message };
}

export function rejectedByServer(id: string, retcode: number): CommandResult {
  return refused(id, "rejected", retcode, retcodeMessage(retcode));
}

/**
 * The result that refuses `command` before any order is sent, or null when it may be sent.
 * Same checks, order, statuses and texts as `bridge/mt5/SortieBridge.mq5` (ExecuteCommand):
 * expiry, symbol, terminal permission, volume, quotes, entry distance, stops.
 */
export function precheck(command: BridgeCommand, market: MarketView): CommandResult | null {
  const { id } = command;
  const expiresMs = Date.parse(command.expires_at);
  if (!Number.isFinite(expiresMs)) {
    return refused(id, "failed", 0, `bad command: expires_at '${command.expires_at}' is not a time`);
  }
  if (market.nowMs >= expiresMs) return refused(id, "failed", 0, "expired");
  const { spec, quote } = market;
  if (!spec) return refused(id, "rejected", 0, `unknown symbol ${command.symbol} at this broker`);
  if (!market.tradeAllowed) return rejectedByServer(id, 10027);
  if (!isValidVolume(command.volume, spec)) {
    return refused(id, "rejected", 10014, `invalid volume ${command.volume} for ${command.symbol}`);
  }
  if (!quote) return refused(id, "rejected", 10021, `no price quote for ${command.symbol}`);
  const marketPrice = entryPrice(command.side, quote);
  // Half a point of slack, as the EA allows, so a distance exactly at the limit is accepted.
  const halfPoint = 0.5 * 10 ** -spec.digits;
  if (Math.abs(marketPrice - command.entry) > command.max_entry_distance + halfPoint) {
    return refused(id, "rejected", 0, "price moved");
  }
  if (!stopsAreValid(command, quote)) return rejectedByServer(id, 10016);
  return null;
}

export function filledResult(
  command: Pick<BridgeCommand, "id" | "volume">,
  retcode: number,
  ticket: number,
  price: number,
): CommandResult {
  return { id: command.id, status: "filled", retcode, ticket, price, volume: command.volume, message: "done" };
}

function isValidVolume(volume: number, spec: HeartbeatSymbol): boolean {
  if (volume < spec.volume_min - 1e-9 || volume > spec.volume_max + 1e-9) return false;
  const steps = volume / spec.volume_step;
  return Math.abs(steps - Math.round(steps)) < 1e-6;
}

/** A BUY closes at the bid, so its SL must be below and its TP above the bid (SELL: the ask, mirrored). */
function stopsAreValid(command: BridgeCommand, quote: Quote): boolean {
  const { stop_loss: stopLoss, take_profit: takeProfit } = command;
  if (command.side === "BUY") return stopLoss < quote.bid && (takeProfit === null || takeProfit > quote.bid);
  return stopLoss > quote.ask && (takeProfit === null || takeProfit < quote.ask);
}

/**
 * The order comment that carries a command id, exactly as the EA builds it (CommentTag): MT5 keeps
 * 31 characters, so a longer id keeps its head plus an FNV-1a hash of the whole id, and two legs
 * of one fire never share a comment.
 */
export function commentTag(id: string): string {
  if (id.length <= 31) return id;
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619) >>> 0;
  return `${id.slice(0, 22)}~${hash.toString(16).toUpperCase().padStart(8, "0")}`;
}
