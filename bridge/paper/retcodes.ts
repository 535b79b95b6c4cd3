/**
 * MetaTrader 5 trade server return codes (TRADE_RETCODE_*), as listed in the MQL5 reference:
 * https://www.mql5.com/en/docs/constants/errorswarnings/enum_trade_return_codes
 */

/** Codes that mean the order went through. */
export const FILLED_RETCODES = new Set([10008, 10009, 10010]);

/** Transient codes the EA retries itself (contract: "retried inside the EA"). */
export const RETRIED_RETCODES = new Set([10004, 10020, 10021, 10024, 10030]);

const MESSAGES: Record<number, string> = {
  10004: "requote",
  10006: "request rejected by the broker",
  10007: "request cancelled",
  10008: "order placed",
  10009: "done",
  10010: "partially done",
  10011: "request processing error",
  10012: "request timed out",
  10013: "invalid request",
  10014: "invalid volume",
  10015: "invalid price",
  10016: "invalid stops",
  10017: "trading is disabled",
  10018: "market is closed",
  10019: "not enough money",
  10020: "prices changed",
  10021: "no quotes",
  10022: "invalid order expiration",
  10024: "too many requests",
  10026: "autotrading disabled by the server",
  10027: "autotrading disabled in the terminal",
  10028: "request locked for processing",
  10029: "order or position frozen",
  10030: "unsupported filling type",
  10031: "no connection to the trade server",
  10033: "pending orders limit reached",
  10034: "volume limit for the symbol reached",
  10040: "positions limit reached",
};

/** Plain-language text for a retcode. */
export function retcodeMessage(retcode: number): string {
  return MESSAGES[retcode] ?? `trade server error ${retcode}`;
}
