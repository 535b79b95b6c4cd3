import { positionFor } from "./mission.ts";
import { roundTo } from "./money.ts";
import { type NewSignal, type SymbolLookup, validateSignal } from "./signal.ts";
import { isTier } from "./tiers.ts";
import type { Overlay, Signal, Tier } from "./types.ts";

/**
 * The old system's per-user mission files, `mission_<signal id>_<user id>.json` (CONTRACT.md,
 * "Legacy mission files"): each repeats the whole signal beside one user's overlay. Pure: parsing
 * and validation only; the importer (server/legacy/) reads the folder and writes the database.
 */

/** Signal ids as the contract allows them (URL-safe, fit a Telegram `startapp` parameter). */
const SIGNAL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `mission_<signal id>_<user id>.json`: the user id is the digits after the last underscore. */
const FILE_NAME = /^mission_(.+)_(\d{1,15})\.json$/;

/** The (signal, user) a file's name stands for; null when the name does not follow the pattern. */
export function parseLegacyFileName(name: string): { signalId: string; userId: number } | null {
  const match = FILE_NAME.exec(name);
  if (!match) return null;
  return { signalId: match[1]!, userId: Number(match[2]) };
}

/** One valid legacy file: the shared signal, the user's overlay, and what the old system sized. */
export interface LegacyMission {
  signalId: string;
  userId: number;
  signal: NewSignal;
  createdAt: string;
  createdMs: number;
  user: { tier: Tier; balance: number; currency: string; riskPercent: number };
  /** Lots the old system stored (it rounded up); null when the file had none. */
  positionSize: number | null;
}

export type LegacyParse = { ok: true; mission: LegacyMission } | { ok: false; reason: string };

class Invalid extends Error {}

/**
 * A legacy time: ISO-8601 text, with or without a zone (without one it is UTC, as the old
 * system wrote them), a space allowed for the `T`; or Unix seconds/milliseconds as a number.
 */
export function parseLegacyTime(value: unknown, field: string): number {
  let ms = Number.NaN;
  if (typeof value === "number" && Number.isFinite(value) && value > 0) {
    ms = value < 1e11 ? value * 1000 : value;
  } else if (typeof value === "string") {
    const text = value.trim().replace(" ", "T");
    const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(text) || !text.includes("T") ? text : `${text}Z`;
    if (/^\d{4}-\d\d-\d\d/.test(zoned)) ms = Date.parse(zoned);
  }
  if (!Number.isFinite(ms) || Math.abs(ms) >= 8.64e15) throw new Invalid(`${field} is not a date-time`);
  return ms;
}

function finiteNumber(value: unknown, field: string): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) throw new Invalid(`${field} must be a number`);
  return n;
}

/** `take_profit` as the old files wrote it: a number, a numeric string, or an array of either. */
function takeProfits(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string" && value.includes(",")) return value.split(",");
  return value === undefined || value === null ? [] : [value];
}

/**
 * Validates one file's text. The signal is checked as a new signal would be, at the moment it was
 * created (so an expired one is valid: it comes in expired); the ids inside must match the name.
 */
export function parseLegacyMission(fileName: string, text: string, lookup?: SymbolLookup): LegacyParse {
  try {
    const named = parseLegacyFileName(fileName);
    if (!named) throw new Invalid("name is not mission_<signal id>_<user id>.json");
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new Invalid("not valid JSON");
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Invalid("not a JSON object");
    const file = raw as Record<string, unknown>;
    const signalId = typeof file.signal_id === "string" ? file.signal_id.trim() : "";
    if (!SIGNAL_ID.test(signalId)) throw new Invalid("signal_id must be 1–64 characters of A-Z a-z 0-9 _ -");
    if (signalId !== named.signalId) throw new Invalid(`signal_id ${signalId} differs from the name's`);
    const userId = finiteNumber(file.user_id, "user_id");
    if (!Number.isSafeInteger(userId) || userId <= 0) throw new Invalid("user_id must be a positive whole number");
    if (userId !== named.userId) throw new Invalid(`user_id ${userId} differs from the name's ${named.userId}`);

    const createdMs = parseLegacyTime(file.created_at, "created_at");
    const expiresMs = parseLegacyTime(file.expires_at, "expires_at");
    const checked = validateSignal(
      {
        symbol: file.symbol,
        side: file.direction,
        entry: file.entry_price,
        stop_loss: file.stop_loss,
        take_profit: takeProfits(file.take_profit),
        expires_at: new Date(expiresMs).toISOString(),
        confidence: file.confidence ?? null,
        shield_score: file.citadel_score ?? null,
        shield_notes: file.citadel_insights ?? null,
        pattern: file.pattern_type ?? null,
        session: file.session ?? null,
      },
      createdMs,
      lookup,
    );
    if (!checked.ok) {
      const legacyField = LEGACY_FIELD[checked.field] ?? checked.field;
      throw new Invalid(`${legacyField}: ${checked.message.replace(checked.field, legacyField)}`);
    }

    const tierText = typeof file.tier === "string" ? file.tier.trim().toUpperCase() : "";
    if (!isTier(tierText)) throw new Invalid(`tier ${JSON.stringify(file.tier ?? null)} is not a Sortie tier`);
    const balance = finiteNumber(file.balance, "balance");
    if (balance < 0) throw new Invalid("balance must not be negative");
    const riskPercent = finiteNumber(file.risk_percent, "risk_percent");
    if (riskPercent < 0.1 || riskPercent > 10) throw new Invalid("risk_percent must be between 0.1 and 10");
    const currency = typeof file.currency === "string" && /^[A-Za-z]{3}$/.test(file.currency) ? file.currency : "USD";
    const size = file.position_size;
    const positionSize = size === undefined || size === null ? null : finiteNumber(size, "position_size");

    return {
      ok: true,
      mission: {
        signalId,
        userId,
        signal: checked.value,
        createdAt: new Date(createdMs).toISOString(),
        createdMs,
        user: { tier: tierText, balance, currency: currency.toUpperCase(), riskPercent },
        positionSize,
      },
    };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, reason: err.message };
    throw err;
  }
}

/** The legacy names of the fields a validation error can name. */
const LEGACY_FIELD: Record<string, string> = {
  side: "direction",
  entry: "entry_price",
  shield_score: "citadel_score",
  shield_notes: "citadel_insights",
  pattern: "pattern_type",
};

/**
 * What must agree between two files of one signal (and between a file and a signal already
 * stored under that id): the trade itself. Text fields (notes, session) may differ harmlessly.
 */
export function signalFingerprint(
  signal: Pick<NewSignal, "symbol" | "side" | "entry" | "stop_loss" | "take_profit" | "expires_at">,
): string {
  return JSON.stringify([
    signal.symbol,
    signal.side,
    signal.entry,
    signal.stop_loss,
    signal.take_profit,
    new Date(Date.parse(signal.expires_at)).toISOString(),
  ]);
}

/** A file whose stored lots disagree with Sortie's sizing of the same user and signal. */
export interface LegacyMismatch {
  file: string;
  signal_id: string;
  user_id: number;
  symbol: string;
  balance: number;
  currency: string;
  risk_percent: number;
  stored_lots: number;
  sortie_lots: number;
  /** Stored minus Sortie's: positive where the old system rounded up. */
  difference: number;
  /** Why Sortie sizes 0 lots (below the broker minimum, …), else empty. */
  reason: string;
}

/**
 * Sortie's own sizing of a legacy mission (the file's balance and risk %, the built-in broker
 * spec; never rounded up) beside the lots the old system stored; null when they agree or the
 * file stored none.
 */
export function legacyMismatch(file: string, mission: LegacyMission): LegacyMismatch | null {
  if (mission.positionSize === null) return null;
  const signal: Signal = {
    ...mission.signal,
    id: mission.signalId,
    status: "active",
    created_at: mission.createdAt,
    cancelled_at: null,
    source: "legacy",
  };
  const overlay: Overlay = {
    id: mission.userId,
    tier: mission.user.tier,
    balance: mission.user.balance,
    equity: mission.user.balance,
    currency: mission.user.currency,
    risk_percent: mission.user.riskPercent,
  };
  const position = positionFor(signal, overlay, null, {});
  const difference = roundTo(mission.positionSize - position.lots, 8);
  if (difference === 0) return null;
  return {
    file,
    signal_id: mission.signalId,
    user_id: mission.userId,
    symbol: signal.symbol,
    balance: overlay.balance ?? 0,
    currency: mission.user.currency,
    risk_percent: overlay.risk_percent,
    stored_lots: mission.positionSize,
    sortie_lots: position.lots,
    difference,
    reason: position.reason ?? "",
  };
}
