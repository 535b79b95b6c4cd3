/** Number and time formatting for the HUD: lots 2 decimals, money 2 decimals + currency, prices at the symbol's digits. */
import type { Signal } from "./types.ts";

export function lots(value: number): string {
  return value.toFixed(2);
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

export function money(value: number | null | undefined, currency: string | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const code = currency ?? "";
  let format = moneyFormats.get(code);
  if (!format) {
    try {
      format = new Intl.NumberFormat("en-US", {
        style: code ? "currency" : "decimal",
        currency: code || undefined,
        minimumFractionDigits: 2,
        maximumFractionDigits: 2,
      });
    } catch {
      // Not an ISO code (e.g. a broker's "USC" cent account): plain number and the code after it.
      format = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    moneyFormats.set(code, format);
  }
  const text = format.format(value);
  return format.resolvedOptions().style === "currency" || !code ? text : `${text} ${code}`;
}

/** Signed money for P&L: "+$12.50" / "−$3.00". */
export function pnl(value: number | null | undefined, currency: string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const text = money(Math.abs(value), currency);
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
}

function decimalsOf(value: number): number {
  const text = String(value);
  const dot = text.indexOf(".");
  return dot === -1 ? 0 : text.length - dot - 1;
}

/**
 * The symbol's quote digits, from the server when it sends them, else the usual retail-broker
 * conventions (5-digit FX, 3-digit JPY pairs, 2-digit gold and indices), never fewer than the
 * signal's own prices need.
 */
export function priceDigits(signal: Signal, serverDigits?: number): number {
  if (serverDigits !== undefined) return serverDigits;
  if (signal.digits !== undefined) return signal.digits;
  const symbol = signal.symbol.toUpperCase();
  let digits = 2;
  if (symbol.startsWith("XAG")) digits = 3;
  else if (symbol.startsWith("XAU")) digits = 2;
  else if (/^[A-Z]{6}$/.test(symbol)) digits = symbol.endsWith("JPY") ? 3 : 5;
  const used = Math.max(...[signal.entry, signal.stop_loss, ...signal.take_profit].map(decimalsOf));
  return Math.max(digits, Math.min(used, 8));
}

export function price(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? "—" : value.toFixed(digits);
}

export function pips(value: number): string {
  return `${value.toFixed(1)} pips`;
}

/** "1d 04h", "2h 05m", "04:59" (mm:ss under an hour). */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  if (days > 0) return `${days}d ${pad(hours)}h`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m`;
  return `${pad(minutes)}:${pad(s % 60)}`;
}

export function ratio(value: number): string {
  return `1:${value.toFixed(2)}`;
}

export function percent(value: number | null | undefined, decimals = 2): string {
  return value === null || value === undefined ? "—" : `${value.toFixed(decimals)}%`;
}

export function timeAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return "never";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString("en-GB", { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" });
}
