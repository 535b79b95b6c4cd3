/**
 * MetaTrader 5 trade server return codes (MQL5 reference, "Trade Server Return Codes"), with the
 * outcome Sortie records and a message a trader understands.
 */
const MESSAGES: Readonly<Record<number, string>> = {
  10004: "Requote: the price changed",
  10006: "The broker rejected the order",
  10007: "The order was cancelled by the trader",
  10008: "Order placed",
  10009: "Order executed",
  10010: "Order partially executed",
  10011: "The broker failed to process the request",
  10012: "The request timed out",
  10013: "Invalid request",
  10014: "Invalid volume for this symbol",
  10015: "Invalid price",
  10016: "Invalid stops: stop loss or take profit too close to the price",
  10017: "Trading is disabled for this account or symbol",
  10018: "The market is closed",
  10019: "Not enough money to open this position",
  10020: "Prices changed",
  10021: "No quotes to process the request",
  10022: "Invalid order expiration",
  10023: "The order state changed",
  10024: "Too many requests",
  10025: "No changes in the request",
  10026: "Autotrading is disabled by the server",
  10027: "Autotrading is disabled in the terminal (enable Algo Trading)",
  10028: "The request is locked for processing",
  10029: "The order or position is frozen",
  10030: "The broker does not support this order filling mode",
  10031: "No connection to the trade server",
  10032: "Only allowed for live accounts",
  10033: "Too many pending orders",
  10034: "Volume limit for this symbol reached",
  10035: "Incorrect or prohibited order type",
  10036: "The position is already closed",
  10038: "Close volume exceeds the position volume",
  10040: "Too many open positions",
  10041: "Pending order activation was rejected",
  10042: "Only long positions are allowed for this symbol",
  10043: "Only short positions are allowed for this symbol",
  10044: "Only closing positions is allowed for this symbol",
  10045: "Position close must follow FIFO",
  10046: "Opposite positions are prohibited on this account",
};

/** Codes that mean the order went through. */
export const FILLED_RETCODES: ReadonlySet<number> = new Set([10008, 10009, 10010]);

/** Codes the EA retries itself (requote, price changed, no quotes, too many requests, filling mode). */
export const RETRIED_RETCODES: ReadonlySet<number> = new Set([10004, 10020, 10021, 10024, 10030]);

/** Plain-language text for a retcode. */
export function retcodeMessage(retcode: number | null | undefined): string | null {
  if (retcode === null || retcode === undefined) return null;
  return MESSAGES[retcode] ?? `The broker refused the order (code ${retcode})`;
}
