/** Small text helpers shared by every message the bot writes (Telegram HTML parse mode). */

/** Escapes text for Telegram's HTML parse mode (https://core.telegram.org/bots/api#html-style). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** "2026-11-21 16:30 UTC" ("2026-11-21 16:30:05 UTC" with seconds). */
export function utcTime(iso: string | number, seconds = false): string {
  const d = new Date(iso);
  return `${d
    .toISOString()
    .slice(0, seconds ? 19 : 16)
    .replace("T", " ")} UTC`;
}

/** Time left to the second: "42 s", "3 min 05 s", "2 h 10 min", "3 d 4 h". */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return duration(s * 1000);
}

/** "45 min", "2 h 5 min", "3 d 4 h". */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** "+12.40 USD", "-3.00 USD" (cents, sign always shown). */
export function signedMoney(amount: number, currency: string | null): string {
  const sign = amount > 0 ? "+" : amount < 0 ? "-" : "";
  return `${sign}${Math.abs(amount).toFixed(2)}${currency ? ` ${escapeHtml(currency)}` : ""}`;
}

/** Reward per unit of risk for one take-profit, e.g. 2 for "1:2". */
export function riskReward(entry: number, stopLoss: number, takeProfit: number): number {
  const risk = Math.abs(entry - stopLoss);
  return risk === 0 ? 0 : Math.abs(takeProfit - entry) / risk;
}

/** "1:2.0". */
export function ratio(value: number): string {
  return `1:${value.toFixed(1)}`;
}

/** "@name (42)", "Ana (42)" or "42". */
export function userLabel(user: { id: number; username: string | null; first_name: string | null }): string {
  const name = user.username ? `@${user.username}` : user.first_name;
  return name ? `${escapeHtml(name)} (${user.id})` : String(user.id);
}
