/**
 * Paper terminal: behaves like Sortie's MQL5 EA (exactly-once execution, SL/TP, reports) and
 * speaks bridge protocol v1 over HTTP or file drop. For local demo mode and tests.
 */
export type { PriceFeed, Quote, RandomWalkFeed, RandomWalkOptions } from "./feed.ts";
export { createRandomWalkFeed, createStaticFeed } from "./feed.ts";
export { profitMoney } from "./stops.ts";
export { createPaperTerminal } from "./terminal.ts";
export type {
  OutboxItem,
  PaperAccount,
  PaperClosedPosition,
  PaperEvents,
  PaperPosition,
  PaperTerminal,
  PaperTerminalOptions,
  PaperTransport,
} from "./types.ts";
