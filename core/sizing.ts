import { conversionRate, floorSteps, type Rates, roundMoney, roundTo, stepsToVolume } from "./money.ts";
import type { InstrumentSpec, Side } from "./types.ts";

export interface SizingInput {
  side: Side;
  entry: number;
  stopLoss: number;
  takeProfits: readonly number[];
  /** Account balance in `accountCurrency`; null when the terminal never reported it. */
  balance: number | null;
  accountCurrency: string | null;
  riskPercent: number;
  spec: InstrumentSpec;
  rates: Rates;
  /** Where `spec` came from, echoed in the result. Default "default". */
  specSource?: "terminal" | "default";
}

export interface LegReward {
  take_profit: number;
  lots: number;
  pips: number;
  amount: number;
  risk_reward: number;
}

export interface Position {
  lots: number;
  /** Money actually at risk with the floored lots. */
  risk_amount: number;
  /** The risk budget: balance × risk %. */
  risk_money: number;
  reward_amount: number;
  stop_pips: number;
  /** Pips to the farthest take-profit. */
  target_pips: number;
  risk_reward: number;
  /** Value of one pip for one lot, in the account currency. */
  pip_value: number;
  rewards: LegReward[];
  /** Why lots is 0, else null. */
  reason: string | null;
  /** Whether the broker's own spec (reported by the terminal) or a built-in default sized this. */
  spec_source: "terminal" | "default";
}

/**
 * Splits `lots` across take-profit legs on the volume step: equal whole steps, the remainder to
 * the first legs. Legs that would fall below the broker minimum are dropped, farthest first, so
 * every leg sent is tradeable. Returns one volume per kept leg (in take-profit order).
 */
export function splitLegs(lots: number, legCount: number, volumeStep: number, volumeMin: number): number[] {
  const totalSteps = floorSteps(lots, volumeStep);
  const minSteps = Math.max(1, Math.ceil(volumeMin / volumeStep - 1e-9));
  const count = Math.max(0, Math.min(legCount, Math.floor(totalSteps / minSteps)));
  if (count === 0) return [];
  const each = Math.floor(totalSteps / count);
  const remainder = totalSteps - each * count;
  const legs = new Array<number>(count);
  for (let i = 0; i < count; i++) legs[i] = stepsToVolume(each + (i < remainder ? 1 : 0), volumeStep);
  return legs;
}

/**
 * Position size for one trader: risk money = balance × risk %; lots = risk money × tick size /
 * (tick value × stop distance), floored to the volume step (never up), clamped to the maximum;
 * below the minimum gives 0 lots with a reason. Tick values in another currency than the
 * account's are converted with `rates`.
 */
export function computePosition(input: SizingInput): Position {
  const { spec, takeProfits } = input;
  const stopDistance = Math.abs(input.entry - input.stopLoss);
  const count = takeProfits.length;
  const targetDistances = new Array<number>(count);
  let farthest = 0;
  let sumTargets = 0;
  for (let i = 0; i < count; i++) {
    const d = Math.abs(takeProfits[i]! - input.entry);
    targetDistances[i] = d;
    if (d > farthest) farthest = d;
    sumTargets += d;
  }
  const plannedRatio = stopDistance > 0 && count > 0 ? roundTo(sumTargets / count / stopDistance, 2) : 0;
  const stopPips = roundTo(stopDistance / spec.pipSize, 1);
  const targetPips = roundTo(farthest / spec.pipSize, 1);

  const currency = input.accountCurrency;
  const rate = currency === null ? null : conversionRate(spec.tickValueCurrency, currency, input.rates);
  const tickValue = rate === null ? 0 : spec.tickValue * rate;
  const pipValue = (tickValue * spec.pipSize) / spec.tickSize;
  const balance = input.balance;
  const riskMoney = balance === null ? 0 : (balance * input.riskPercent) / 100;
  let reason: string | null = null;
  let lots = 0;
  let rawLots = 0;
  if (balance === null || currency === null) {
    reason = "Balance unknown: link your MT5 terminal so Sortie can size the position.";
  } else if (rate === null) {
    reason = `No ${spec.tickValueCurrency}/${currency} rate known yet to size this trade in ${currency}.`;
  } else if (balance <= 0) {
    reason = "Balance is zero or negative.";
  } else if (stopDistance <= 0) {
    reason = "Stop loss equals entry.";
  } else {
    rawLots = (riskMoney * spec.tickSize) / (tickValue * stopDistance);
    const maxSteps = floorSteps(spec.volumeMax, spec.volumeStep);
    lots = stepsToVolume(Math.min(floorSteps(rawLots, spec.volumeStep), maxSteps), spec.volumeStep);
    if (lots <= 0 || lots + 1e-12 < spec.volumeMin) {
      const needed = roundMoney((spec.volumeMin * tickValue * stopDistance) / spec.tickSize);
      reason =
        `Position too small: ${roundTo(rawLots, 4)} lots is below the broker minimum of ${spec.volumeMin} lots ` +
        `(needs ${needed} ${currency} at risk).`;
      lots = 0;
    }
  }

  const moneyPerPriceUnit = tickValue / spec.tickSize;
  const legs = lots > 0 ? splitLegs(lots, count, spec.volumeStep, spec.volumeMin) : [];
  const rewards = new Array<LegReward>(count);
  let rewardAmount = 0;
  for (let i = 0; i < count; i++) {
    const distance = targetDistances[i]!;
    const legLots = legs[i] ?? 0;
    const amount = legLots * distance * moneyPerPriceUnit;
    rewardAmount += amount;
    rewards[i] = {
      take_profit: takeProfits[i]!,
      lots: legLots,
      pips: roundTo(distance / spec.pipSize, 1),
      amount: roundMoney(amount),
      risk_reward: stopDistance > 0 ? roundTo(distance / stopDistance, 2) : 0,
    };
  }
  const riskAmount = lots * stopDistance * moneyPerPriceUnit;
  return {
    lots,
    risk_amount: roundMoney(riskAmount),
    risk_money: roundMoney(riskMoney),
    reward_amount: roundMoney(rewardAmount),
    stop_pips: stopPips,
    target_pips: targetPips,
    risk_reward: riskAmount > 0 ? roundTo(rewardAmount / riskAmount, 2) : plannedRatio,
    pip_value: roundTo(pipValue, 4),
    rewards,
    reason,
    spec_source: input.specSource ?? "default",
  };
}
