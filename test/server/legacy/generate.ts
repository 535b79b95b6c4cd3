import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes a folder of legacy mission files as the old system left them: `signals` signals over
 * `valid` (signal, user) files — signal-major, so each user has up to `signals` files — plus bad
 * files of every kind the importer must skip. Returns what a correct import must produce.
 */
export interface LegacyFolder {
  /** name → file text, every file written. */
  files: Map<string, string>;
  signalIds: string[];
  expiredIds: string[];
  /** Expected overlay of each imported user: their newest file's. */
  users: Map<number, { tier: string; balance: number; risk_percent: number }>;
  /** Bad files: name → a word the skip reason must contain. */
  bad: Map<string, string>;
  /** Duplicate pairs: exactly one file of each is skipped (which one depends on the folder order). */
  duplicates: Array<[string, string]>;
  /** Files whose stored position_size Sortie's sizing disagrees with. */
  mismatches: Set<string>;
  bytes: number;
}

const SYMBOLS = [
  { symbol: "EURUSD", price: 1.085, stop: 0.002, moneyPerUnit: 100_000, step: 0.01 },
  { symbol: "GBPUSD", price: 1.265, stop: 0.0025, moneyPerUnit: 100_000, step: 0.01 },
  { symbol: "XAUUSD", price: 2650.5, stop: 4.5, moneyPerUnit: 100, step: 0.01 },
  { symbol: "US30", price: 43_000, stop: 120, moneyPerUnit: 1, step: 0.1 },
  { symbol: "USDJPY", price: 150.25, stop: 0.35, moneyPerUnit: 0, step: 0.01 },
] as const;
const TIERS = ["NIBBLER", "FANG", "COMMANDER", "APEX"];

/** Legacy time text: no zone (UTC), sometimes with a space for the `T`, as the old files had. */
function legacyTime(ms: number, variant: number): string {
  const iso = new Date(ms).toISOString().slice(0, 19);
  return variant % 3 === 0 ? iso.replace("T", " ") : variant % 3 === 1 ? iso : `${iso}Z`;
}

export function generateLegacyFolder(dir: string, nowMs: number, valid = 4_910, signals = 30): LegacyFolder {
  const out: LegacyFolder = {
    files: new Map(),
    signalIds: [],
    expiredIds: [],
    users: new Map(),
    bad: new Map(),
    duplicates: [],
    mismatches: new Set(),
    bytes: 0,
  };
  const put = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    out.files.set(name, text);
    out.bytes += Buffer.byteLength(text);
  };
  const defs = Array.from({ length: signals }, (_, s) => {
    const kind = SYMBOLS[s % SYMBOLS.length]!;
    const buy = s % 2 === 0;
    const createdMs = nowMs - (signals - s) * 3_600_000; // one an hour, oldest first
    const expired = s < 10;
    const expiresMs = expired ? createdMs + 1_800_000 : nowMs + 86_400_000;
    const id = s % 3 === 0 ? `s_01JLEGACY${String(s).padStart(4, "0")}` : `sig-${s}_x`;
    const sign = buy ? 1 : -1;
    const decimals = kind.symbol === "USDJPY" ? 3 : kind.symbol === "EURUSD" || kind.symbol === "GBPUSD" ? 5 : 2;
    const at = (x: number) => Number(x.toFixed(decimals));
    out.signalIds.push(id);
    if (expired) out.expiredIds.push(id);
    return {
      id,
      kind,
      createdMs,
      expiresMs,
      body: {
        signal_id: id,
        symbol: s % 4 === 1 ? kind.symbol.toLowerCase() : kind.symbol,
        direction: buy ? "BUY" : s % 4 === 1 ? "short" : "SELL",
        entry_price: kind.price,
        stop_loss: at(kind.price - sign * kind.stop),
        tps: [at(kind.price + sign * kind.stop * 2), at(kind.price + sign * kind.stop * 3)].slice(0, 1 + (s % 2)),
        pattern_type: "LIQUIDITY_SWEEP_REVERSAL",
        confidence: 80 + (s % 20),
        citadel_score: 7.5,
        citadel_insights: `Legacy insight ${s}, with "quotes"`,
        session: "LONDON",
      },
    };
  });

  /** One valid file's JSON: the signal's fields, this user's overlay, the old (rounded-up or not) lots. */
  const fileText = (s: number, userId: number) => {
    const def = defs[s]!;
    const { tps, ...signal } = def.body;
    const shape = (s + userId) % 4;
    const take_profit =
      // Every shape the old system wrote: a number, a numeric string, an array of either, "a,b".
      shape === 0
        ? tps.length === 1
          ? tps[0]
          : tps
        : shape === 1
          ? tps.map(String)
          : shape === 2
            ? tps.join(",")
            : tps.map((tp, i) => (i === 0 ? tp : String(tp)));
    const balance = 1_000 + (userId % 50) * 731 + s * 10;
    const risk = [0.5, 1, 1.5, 2][userId % 4]!;
    let positionSize: number | null = null;
    let mismatch = false;
    if (def.kind.moneyPerUnit > 0) {
      const raw = (balance * risk) / 100 / (def.kind.stop * def.kind.moneyPerUnit);
      const step = def.kind.step;
      const floor = Math.floor(raw / step + 1e-9);
      const ceil = Math.ceil(raw / step - 1e-9);
      const roundsUp = userId % 2 === 1;
      positionSize = Number(((roundsUp ? ceil : floor) * step).toFixed(2));
      // Sortie floors (to 0 with a reason below the broker minimum): rounding up always disagrees.
      mismatch = roundsUp && ceil !== floor;
    }
    return {
      text: JSON.stringify({
        ...signal,
        user_id: userId,
        take_profit,
        expires_at: legacyTime(def.expiresMs, userId),
        created_at: legacyTime(def.createdMs, userId + 1),
        tier: TIERS[userId % 4]!.toLowerCase(),
        balance,
        win_rate: 55.5,
        trades_remaining: 3,
        risk_percent: risk,
        position_size: positionSize,
        risk_amount: (balance * risk) / 100,
      }),
      overlay: { tier: TIERS[userId % 4]!, balance, risk_percent: risk },
      mismatch,
    };
  };

  for (let k = 0; k < valid; k++) {
    const s = k % signals;
    const userId = 10_000 + Math.floor(k / signals);
    const { text, overlay, mismatch } = fileText(s, userId);
    const name = `mission_${defs[s]!.id}_${userId}.json`;
    put(name, text);
    if (mismatch) out.mismatches.add(name);
    out.users.set(userId, overlay); // signal-major order: the last write is the newest signal
  }

  // Bad files, on users of their own (90_000+) so none of them may appear in the database.
  let badUser = 90_000;
  const badFile = (reason: string, edit: (body: Record<string, unknown>) => unknown, nameUser?: number) => {
    const s = badUser % signals;
    const userId = badUser++;
    const body = JSON.parse(fileText(s, userId).text) as Record<string, unknown>;
    const name = `mission_${defs[s]!.id}_${nameUser ?? userId}.json`;
    const edited = edit(body);
    put(name, typeof edited === "string" ? edited : JSON.stringify(body));
    out.bad.set(name, reason);
  };
  for (let i = 0; i < 20; i++) badFile("JSON", (b) => JSON.stringify(b).slice(0, 40 + i * 7));
  for (let i = 0; i < 15; i++)
    badFile("stop_loss", (b) => {
      delete b.stop_loss;
    });
  for (let i = 0; i < 15; i++)
    badFile("stop_loss", (b) => {
      b.stop_loss = b.entry_price;
    });
  for (let i = 0; i < 5; i++)
    badFile("tier", (b) => {
      b.tier = "PLATINUM";
    });
  for (let i = 0; i < 5; i++)
    badFile("risk_percent", (b) => {
      b.risk_percent = 50;
    });
  for (let i = 0; i < 10; i++) badFile("differs from the name", () => undefined, 80_000 + i);
  for (let i = 0; i < 5; i++) {
    const name = i % 2 === 0 ? `notes_${i}.txt` : `mission_${i}.json`;
    put(name, "{}");
    out.bad.set(name, "name is not");
  }
  // Duplicates: the same (signal, user) under a name with a leading zero on the user id.
  for (let i = 0; i < 15; i++) {
    const k = i * 97;
    const s = k % signals;
    const userId = 10_000 + Math.floor(k / signals);
    const original = `mission_${defs[s]!.id}_${userId}.json`;
    const copy = `mission_${defs[s]!.id}_0${userId}.json`;
    const text = out.files.get(original);
    if (text === undefined) continue;
    put(copy, text);
    out.duplicates.push([original, copy]);
  }
  return out;
}
