/** Public types of the paper terminal. */
import type { ClosedReport, CommandResult, HeartbeatSymbol, TerminalCommand } from "../protocol.ts";
import type { PriceFeed, Quote } from "./feed.ts";

export type PaperTransport =
  | { kind: "http"; baseUrl: string; token: string; pollWaitS?: number }
  | { kind: "file"; dir: string; pollMs?: number };

export interface PaperAccount {
  login: number | string;
  server: string;
  currency: string;
  /** Starting balance; once the state file exists its balance wins. */
  balance: number;
  leverage?: number;
  /** The terminal's "Algo Trading" button. Default true. */
  trade_allowed?: boolean;
}

export interface PaperTerminalOptions {
  transport: PaperTransport;
  /** JSON file with executed ids, results, positions and unsent reports; survives restarts. */
  stateFile: string;
  account: PaperAccount;
  /** Broker symbol specs, with the broker's names (e.g. "EURUSD.m"). */
  symbols: HeartbeatSymbol[];
  prices: PriceFeed;
  /**
   * A symbol's tick value at a quote, as MT5 recomputes it when the profit currency is not the
   * account's (USDJPY on a USD account: tick_size × contract_size / price). Default: the spec's own.
   */
  tickValueAt?: (spec: HeartbeatSymbol, quote: Quote) => number;
  /** Protocol announced in heartbeats: "1.1" (default) understands modify/close; "1" is an old EA. */
  protocol?: "1" | "1.1";
  /** Default 5000. */
  heartbeatMs?: number;
  /** First pause after a failed send or poll; doubles up to `retryMaxMs`. Default 500. */
  retryBaseMs?: number;
  /** Default 10000. */
  retryMaxMs?: number;
  /** How often open positions are checked against SL/TP. Default 100. */
  stopsCheckMs?: number;
  /** Clock for expiry checks and timestamps. Default Date.now. */
  now?: () => number;
  log?: (line: string) => void;
}

/** An open position, as the paper broker holds it. */
export interface PaperPosition {
  ticket: number;
  command_id: string;
  fire_id: string;
  symbol: string;
  side: "BUY" | "SELL";
  volume: number;
  open_price: number;
  stop_loss: number;
  take_profit: number | null;
  opened_at: string;
  /** The command id as the EA writes it into the order comment (`commentTag`: ids over 31 characters are shortened with a hash). */
  comment: string;
}

export interface PaperClosedPosition extends PaperPosition {
  close_price: number;
  profit: number;
  closed_at: string;
  /** "closed": by a close command (protocol 1.1). */
  reason: "stop_loss" | "take_profit" | "closed";
}

/** A report waiting to reach Sortie. */
export type OutboxItem = { kind: "result"; body: CommandResult } | { kind: "closed"; body: ClosedReport };

export interface PaperEvents {
  /**
   * A command was handled; `duplicate` when its id had been executed before (stored result
   * re-reported). `command` is null when the command was malformed.
   */
  executed: { id: string; command: TerminalCommand | null; result: CommandResult; duplicate: boolean };
  /** A report reached Sortie (HTTP 2xx, or the file was written). */
  reported: OutboxItem;
  closed: PaperClosedPosition;
  heartbeat: { ok: boolean };
}

export interface PaperTerminal {
  /** Loads the state file and starts heartbeats, command intake and report sending. */
  start(): Promise<void>;
  /** Graceful: stops taking commands, finishes the one in hand, tries to send queued reports (≤ 2 s). */
  stop(): Promise<void>;
  /** Stops at once, like a killed process: nothing in flight is finished, sent or saved. */
  crash(): void;
  setPrice(symbol: string, bid: number, ask: number): void;
  /** The next `times` order sends (default 1) answer `retcode`. */
  rejectNext(retcode: number, times?: number): void;
  /** Delay before executing each command. */
  setSlowMs(ms: number): void;
  /** The next command is executed but its result report is never delivered. */
  loseNextResult(): void;
  /** The next command is executed and saved, then the terminal crashes before reporting. */
  crashAfterExecute(): void;
  setTradeAllowed(allowed: boolean): void;
  positions(): PaperPosition[];
  closedPositions(): PaperClosedPosition[];
  executedIds(): string[];
  balance(): number;
  /** Reports not yet delivered. */
  pendingReports(): OutboxItem[];
  on<K extends keyof PaperEvents>(event: K, listener: (payload: PaperEvents[K]) => void): () => void;
}
