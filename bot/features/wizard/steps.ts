import { type NewSignal, type SignalInput, type SymbolLookup, validateSignal } from "../../../core/signal.ts";
import { DEFAULT_TIER, TIER_NAMES } from "../../../core/tiers.ts";

/** What the admin has answered so far (raw, validated by core step by step). */
export interface Draft {
  symbol?: string;
  side?: string;
  entry?: string;
  stop_loss?: string;
  take_profit?: string[];
  expiry?: { expires_in_min: number } | { expires_at: string } | { unreadable: string };
  shield_score?: number | string | null;
  shield_notes?: string | null;
  min_tier?: string | null;
  confidence?: number | string | null;
  pattern?: string | null;
}

/**
 * Callback data of the answer buttons under a question: `wiz:ans:<step>:<answer>`. The step is in
 * it so a tap on an earlier question's button never answers the current one.
 */
export const ANSWER_PREFIX = "wiz:ans:";

/** The callback data of a button answering `step` with `answer`. */
export const answerData = (step: keyof Draft, answer: string) => `${ANSWER_PREFIX}${step}:${answer}`;

type Buttons = Array<Array<{ text: string; callback_data: string }>>;

export interface Step {
  key: keyof Draft;
  /** The fields of core's validation this step answers for. */
  fields: string[];
  prompt: string;
  /** Answer buttons shown under the question (optional steps get a Skip button). */
  buttons?: Buttons;
  apply(draft: Draft, text: string): void;
}

const SKIP = /^(skip|-|none|no)$/i;

/** "45" or "45m" → minutes; "2h", "1d"; otherwise an ISO-8601 date-time. */
export function parseExpiry(text: string): Draft["expiry"] {
  const duration = /^(-?\d+(?:\.\d+)?)\s*(m|min|mins|minutes?|h|hours?|d|days?)?$/i.exec(text.trim());
  if (duration) {
    const unit = (duration[2] ?? "m").toLowerCase()[0];
    const factor = unit === "h" ? 60 : unit === "d" ? 1440 : 1;
    return { expires_in_min: Number(duration[1]) * factor };
  }
  return Number.isNaN(Date.parse(text)) ? { unreadable: text } : { expires_at: text };
}

/** A step whose answer is kept as typed (core validates it). */
function textStep(key: "symbol" | "side" | "entry" | "stop_loss", prompt: string): Step {
  return {
    key,
    fields: [key],
    prompt,
    apply: (d, t) => {
      d[key] = t;
    },
  };
}

const skipButton = (step: keyof Draft) => [{ text: "Skip", callback_data: answerData(step, "skip") }];

/** A number as typed, or the text itself (core names the field when it is not a number). */
const numberOrText = (t: string) => (/^\d+(\.\d+)?$/.test(t) ? Number(t) : t);

export const STEPS: Step[] = [
  textStep("symbol", "1/11 Symbol? (e.g. EURUSD, XAUUSD, or any symbol a linked terminal reports)"),
  textStep("side", "2/11 Side? BUY or SELL"),
  textStep("entry", "3/11 Entry price?"),
  textStep("stop_loss", "4/11 Stop loss price?"),
  {
    key: "take_profit",
    fields: ["take_profit"],
    prompt: "5/11 Take-profit price(s)? One or more, separated by spaces, e.g. 1.0890 1.0910",
    apply: (d, t) => {
      d.take_profit = t.split(/[\s,;]+/).filter((s) => s !== "");
    },
  },
  {
    key: "expiry",
    fields: ["expires_at", "expires_in_min"],
    prompt: "6/11 Expires in? Minutes (45), hours (2h) or a UTC time (2026-11-21T16:30Z)",
    apply: (d, t) => {
      d.expiry = parseExpiry(t);
    },
  },
  {
    key: "shield_score",
    fields: ["shield_score"],
    prompt: "7/11 Quality score 0–10? (or skip)",
    buttons: [skipButton("shield_score")],
    apply: (d, t) => {
      d.shield_score = SKIP.test(t) ? null : numberOrText(t);
    },
  },
  {
    key: "shield_notes",
    fields: ["shield_notes"],
    prompt: "8/11 Notes for traders? (or skip)",
    buttons: [skipButton("shield_notes")],
    apply: (d, t) => {
      d.shield_notes = SKIP.test(t) ? null : t;
    },
  },
  {
    key: "min_tier",
    fields: ["min_tier"],
    prompt: `9/11 Lowest tier that may fire? ${TIER_NAMES.join(", ")} (skip: ${DEFAULT_TIER}, everyone)`,
    buttons: [
      TIER_NAMES.map((tier) => ({ text: tier, callback_data: answerData("min_tier", tier) })),
      skipButton("min_tier"),
    ],
    apply: (d, t) => {
      d.min_tier = SKIP.test(t) ? null : t.toUpperCase();
    },
  },
  {
    key: "confidence",
    fields: ["confidence"],
    prompt: "10/11 Confidence 0–100 %? (or skip)",
    buttons: [skipButton("confidence")],
    apply: (d, t) => {
      d.confidence = SKIP.test(t) ? null : numberOrText(t.replace(/%$/, ""));
    },
  },
  {
    key: "pattern",
    fields: ["pattern"],
    prompt: "11/11 Pattern? (e.g. BREAK_AND_RETEST, or skip)",
    buttons: [skipButton("pattern")],
    apply: (d, t) => {
      d.pattern = SKIP.test(t) ? null : t;
    },
  },
];

/**
 * The draft as core's input. Questions not yet answered get placeholders that pass (a target and
 * stop on the right side of the entry, an hour's expiry) so that only what was asked is judged.
 */
export function toInput(draft: Draft): SignalInput {
  const entry = Number(draft.entry);
  const base = Number.isFinite(entry) && entry > 0 ? entry : 1;
  const sell = /^(sell|short)$/i.test(draft.side ?? "");
  const expiry = draft.expiry ?? { expires_in_min: 60 };
  return {
    symbol: draft.symbol ?? "EURUSD",
    side: draft.side ?? "BUY",
    entry: draft.entry ?? base,
    stop_loss: draft.stop_loss ?? (sell ? base * 2 : base / 2),
    take_profit: draft.take_profit ?? (sell ? base / 2 : base * 2),
    ...("unreadable" in expiry ? { expires_at: expiry.unreadable } : expiry),
    shield_score: draft.shield_score ?? null,
    shield_notes: draft.shield_notes ?? null,
    min_tier: draft.min_tier ?? null,
    confidence: draft.confidence ?? null,
    pattern: draft.pattern ?? null,
  };
}

const FRIENDLY: Array<[RegExp, string]> = [
  [/\bstop_loss\b/g, "stop loss"],
  [/\btake_profit\b/g, "take-profit"],
  [/\bexpires_at must be an ISO-8601 date-time\b/g, "expiry must be minutes (45), hours (2h) or a UTC date-time"],
  [/\bexpires_(at|in_min)\b/g, "expiry"],
  [/\bshield_score\b/g, "quality score"],
  [/\bshield_notes\b/g, "notes"],
  [/\bmin_tier\b/g, "tier"],
];

const friendly = (message: string) => FRIENDLY.reduce((m, [pattern, words]) => m.replace(pattern, words), message);

/** Core's verdict on one step: a message for the admin when this step's answer is wrong, else null. */
export function checkStep(step: Step, draft: Draft, nowMs: number, lookup?: SymbolLookup): string | null {
  const result = validateSignal(toInput(draft), nowMs, lookup);
  if (result.ok || !step.fields.includes(result.field)) return null;
  return friendly(result.message);
}

/** Core's verdict on the whole draft. */
export function validateDraft(
  draft: Draft,
  nowMs: number,
  lookup?: SymbolLookup,
): { ok: true; value: NewSignal } | { ok: false; message: string } {
  const result = validateSignal(toInput(draft), nowMs, lookup);
  return result.ok ? result : { ok: false, message: friendly(result.message) };
}
