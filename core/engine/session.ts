/**
 * Trading session of a moment, by UTC hour, without daylight saving (a fixed, documented grid
 * beats a timezone table in the core): ASIA 21:00–07:00, LONDON 07:00–12:00, LONDON_NEW_YORK
 * (the overlap) 12:00–16:00, NEW_YORK 16:00–21:00.
 */
export type SessionName = "ASIA" | "LONDON" | "LONDON_NEW_YORK" | "NEW_YORK";

/** The session `nowMs` falls in. */
export function sessionAt(nowMs: number): SessionName {
  const hour = new Date(nowMs).getUTCHours();
  if (hour >= 7 && hour < 12) return "LONDON";
  if (hour >= 12 && hour < 16) return "LONDON_NEW_YORK";
  if (hour >= 16 && hour < 21) return "NEW_YORK";
  return "ASIA";
}

/** London and New York hours carry most of the volume: sweeps and pullbacks there are cleaner. */
export function isLiquidSession(session: SessionName): boolean {
  return session !== "ASIA";
}
