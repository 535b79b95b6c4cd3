import { Type } from "typebox";

/** Schemas of the track record routes (CONTRACT.md "Track record"; docs/track-record.md). */
const NumOrNull = Type.Unsafe<number | null>({ type: ["number", "null"] });
const Best = Type.Union([
  Type.Object({ signal_id: Type.String(), symbol: Type.String(), r: Type.Number() }),
  Type.Null(),
]);

export const DaysQuery = Type.Object({
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: "last N days (default: all time)" })),
});

export const TrackRecordSchema = Type.Object({
  days: Type.Unsafe<number | null>({ type: ["integer", "null"] }),
  signals: Type.Integer(),
  closed: Type.Integer(),
  win_rate: NumOrNull,
  avg_r: NumOrNull,
  total_r: Type.Number(),
  max_drawdown_r: Type.Number(),
  equity_r: Type.Array(Type.Object({ t: Type.String(), r: Type.Number() })),
  by_symbol: Type.Array(
    Type.Object({ symbol: Type.String(), signals: Type.Integer(), win_rate: NumOrNull, total_r: Type.Number() }),
  ),
  monthly: Type.Array(
    Type.Object({
      month: Type.String(),
      closed: Type.Integer(),
      win_rate: NumOrNull,
      avg_r: NumOrNull,
      total_r: Type.Number(),
    }),
  ),
});

export const PerformanceSchema = Type.Object({
  ...TrackRecordSchema.properties,
  user_id: Type.Integer(),
  currency: Type.Unsafe<string | null>({ type: ["string", "null"] }),
  profit: Type.Number(),
  equity_profit: Type.Array(Type.Object({ t: Type.String(), profit: Type.Number() })),
  best: Best,
  worst: Best,
  r_histogram: Type.Array(Type.Object({ from: Type.Number(), to: Type.Number(), count: Type.Integer() })),
});
