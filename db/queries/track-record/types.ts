import type { SignalReport, TrackSignal } from "../../../core/track-record/index.ts";

/** A stored signal result (`signal_results`). */
export interface SignalResultRow {
  signal_id: string;
  outcome: SignalReport["outcome"];
  r: number | null;
  fired: number;
  filled: number;
  rejected: number;
  avg_slippage_pips: number | null;
  avg_fill_latency_ms: number | null;
  profit: number;
  closed_ms: number | null;
  settled_at: string;
  settled_ms: number;
  announced: number;
}

/** A signal as the track record reads it, with when it was given. */
export type TrackSignalRow = TrackSignal & { createdMs: number };

/** A signal and its result (null while unsettled), for the channel's CSV. */
export interface SignalExportRow {
  id: string;
  symbol: string;
  side: string;
  entry: number;
  stop_loss: number;
  status: string;
  created_at: string;
  expires_at: string;
  outcome: string | null;
  r: number | null;
  fired: number | null;
  filled: number | null;
  rejected: number | null;
  avg_slippage_pips: number | null;
  avg_fill_latency_ms: number | null;
  closed_ms: number | null;
}

/** The settled outcome of a signal as the record reads it (`listSettled`). */
export interface SettledRow {
  signal_id: string;
  r: number | null;
  closed_ms: number | null;
  profit: number;
}
