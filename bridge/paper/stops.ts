/** Stop loss / take profit for the paper broker's open positions. */
import type { HeartbeatSymbol } from "../protocol.ts";
import type { Quote } from "./feed.ts";
import type { PaperClosedPosition, PaperPosition } from "./types.ts";

/**
 * Profit in account money: (close − open) / tick_size × tick_value × volume, negated for a SELL,
 * rounded to cents.
 */
export function profitMoney(position: PaperPosition, closePrice: number, spec: HeartbeatSymbol): number {
  const priceMove = position.side === "BUY" ? closePrice - position.open_price : position.open_price - closePrice;
  const money = (priceMove / spec.tick_size) * spec.tick_value * position.volume;
  return Math.round(money * 100) / 100;
}

/** The price a position would close at now: a BUY sells at the bid, a SELL buys back at the ask. */
export function closingPrice(position: PaperPosition, quote: Quote): number {
  return position.side === "BUY" ? quote.bid : quote.ask;
}

/**
 * Whether `quote` hits the position's SL or TP (BUY: bid ≤ SL or bid ≥ TP; SELL: ask ≥ SL or
 * ask ≤ TP), and if so the closed position, closed at the current market price.
 */
export function closeIfHit(
  position: PaperPosition,
  quote: Quote,
  spec: HeartbeatSymbol,
  closedAt: string,
): PaperClosedPosition | null {
  const price = closingPrice(position, quote);
  const isBuy = position.side === "BUY";
  const takeProfit = position.take_profit;
  let reason: PaperClosedPosition["reason"] | null = null;
  if (isBuy ? price <= position.stop_loss : price >= position.stop_loss) reason = "stop_loss";
  else if (takeProfit !== null && (isBuy ? price >= takeProfit : price <= takeProfit)) reason = "take_profit";
  if (!reason) return null;
  return { ...position, close_price: price, profit: profitMoney(position, price, spec), closed_at: closedAt, reason };
}
