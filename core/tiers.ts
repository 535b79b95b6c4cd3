import type { Tier } from "./types.ts";

export interface TierRule {
  tier: Tier;
  rank: number;
  /** Fires allowed per UTC day; null = unlimited. */
  dailyFireLimit: number | null;
  label: string;
}

/** Tiers as data: rank orders them (a signal's `min_tier` admits that rank and above). */
export const TIERS: readonly TierRule[] = [
  { tier: "NIBBLER", rank: 0, dailyFireLimit: 5, label: "Nibbler" },
  { tier: "FANG", rank: 1, dailyFireLimit: 15, label: "Fang" },
  { tier: "COMMANDER", rank: 2, dailyFireLimit: 50, label: "Commander" },
  { tier: "APEX", rank: 3, dailyFireLimit: null, label: "Apex" },
];

export const TIER_NAMES: readonly Tier[] = TIERS.map((t) => t.tier);

export const DEFAULT_TIER: Tier = "NIBBLER";

const BY_NAME: ReadonlyMap<Tier, TierRule> = new Map(TIERS.map((t) => [t.tier, t]));

/** The rule for a tier. */
export function tierRule(tier: Tier): TierRule {
  const rule = BY_NAME.get(tier);
  if (!rule) throw new Error(`unknown tier ${tier}`);
  return rule;
}

/** True when `tier` may trade a signal whose minimum tier is `minTier`. */
export function tierAllows(tier: Tier, minTier: Tier): boolean {
  return tierRule(tier).rank >= tierRule(minTier).rank;
}

/** Type guard for tier names coming from outside. */
export function isTier(value: unknown): value is Tier {
  return typeof value === "string" && (TIER_NAMES as readonly string[]).includes(value);
}

/** Fires left today, or null when the tier is unlimited. */
export function firesLeftToday(tier: Tier, firesToday: number): number | null {
  const limit = tierRule(tier).dailyFireLimit;
  return limit === null ? null : Math.max(0, limit - firesToday);
}

/** Start of the UTC day containing `nowMs`, in ms: daily limits reset at 00:00 UTC. */
export function utcDayStartMs(nowMs: number): number {
  const d = new Date(nowMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}
