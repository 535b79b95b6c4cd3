import type { TerminalSymbolSpec } from "../core/instruments/index.ts";

/**
 * MT5 bridge protocol v1 — the messages of `shared/CONTRACT.md`, as TypeScript types.
 * Both transports (HTTP long-poll and file drop) carry exactly these bodies.
 */

export interface HeartbeatAccount {
  login: number | string;
  server: string;
  currency: string;
  balance: number;
  equity: number;
  trade_allowed: boolean;
}

/** A symbol specification as the terminal reports it (same shape core sizes with). */
export type HeartbeatSymbol = TerminalSymbolSpec;

export interface HeartbeatPrice {
  symbol: string;
  bid: number;
  ask: number;
  /** ISO-8601 or unix seconds, as the terminal sends it. */
  time?: string | number;
}

export interface Heartbeat {
  /** "1.1" from a terminal that understands modify/close; absent = protocol 1. */
  protocol?: string;
  account: HeartbeatAccount;
  symbols?: HeartbeatSymbol[];
  prices?: HeartbeatPrice[];
}

export interface HeartbeatAnswer {
  server_time: string;
}

/** One order for the terminal. One command per take-profit leg. */
export interface BridgeCommand {
  id: string;
  fire_id: string;
  leg: number;
  action: "open";
  /** Broker's symbol name (already mapped from the signal's symbol). */
  symbol: string;
  side: "BUY" | "SELL";
  volume: number;
  entry: number;
  max_entry_distance: number;
  stop_loss: number;
  take_profit: number | null;
  expires_at: string;
  comment: string;
}

/** Protocol 1.1: new stop loss / take profit for the position opened by `position_of`. */
export interface ModifyCommand {
  id: string;
  fire_id: string;
  leg: number;
  action: "modify";
  symbol: string;
  /** The open command's id: the position whose order comment carries it. */
  position_of: string;
  stop_loss: number;
  take_profit: number | null;
}

/** Protocol 1.1: close the position opened by `position_of`; `volume` null = all of it. */
export interface CloseCommand {
  id: string;
  fire_id: string;
  leg: number;
  action: "close";
  symbol: string;
  position_of: string;
  volume: number | null;
}

/** Anything Sortie sends a terminal. */
export type TerminalCommand = BridgeCommand | ModifyCommand | CloseCommand;

export interface CommandsAnswer {
  commands: TerminalCommand[];
}

export type ResultStatus = "filled" | "rejected" | "failed";

export interface CommandResult {
  id: string;
  status: ResultStatus;
  retcode?: number | null;
  ticket?: number | string | null;
  price?: number | null;
  volume?: number | null;
  message?: string | null;
}

export interface ClosedReport {
  id: string;
  ticket?: number | string | null;
  close_price: number;
  profit: number;
  closed_at?: string | null;
}

/**
 * What a transport needs from Sortie for one user's terminal. The HTTP routes and the file-drop
 * watcher are both thin adapters over this.
 */
export interface BridgeService {
  /** Records liveness, balance/equity/currency, symbol specs and prices. */
  heartbeat(userId: number, body: Heartbeat): Promise<HeartbeatAnswer>;
  /** Any authenticated bridge request shows the terminal is alive. */
  touch(userId: number): Promise<void>;
  /**
   * Commands due for delivery now (pending, or delivered without a result for longer than the
   * visibility timeout); marks them delivered.
   */
  takeCommands(userId: number): Promise<TerminalCommand[]>;
  /** Resolves when a command for this user may be ready, or after `waitMs`. */
  waitForCommands(userId: number, waitMs: number, signal?: AbortSignal): Promise<void>;
  /** Idempotent per command id. Throws a not-found error for another user's command. */
  submitResult(userId: number, body: CommandResult): Promise<void>;
  /** Idempotent per command id. */
  submitClosed(userId: number, body: ClosedReport): Promise<void>;
}
