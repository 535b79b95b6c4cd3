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
  return Array.from({ length: count }, (_, i) => stepsToVolume(each + (i < remainder ? 1 : 0), volumeStep));
}

/**
 * Position size for one trader: risk money = balance × risk %; lots = risk money × tick size /
 * (tick value × stop distance), floored to the volume step (never up), clamped to the maximum;
 * below the minimum gives 0 lots with a reason. Tick values in another currency than the
 * account's are converted with `rates`.
 */
export function computePosition(input: SizingInput): Position {
  const { spec } = input;
  const stopDistance = Math.abs(input.entry - input.stopLoss);
  const stopPips = roundTo(stopDistance / spec.pipSize, 1);
  const targetDistances = input.takeProfits.map((tp) => Math.abs(tp - input.entry));
  const farthest = targetDistances.length > 0 ? Math.max(...targetDistances) : 0;
  const meanTarget =
    targetDistances.length > 0 ? targetDistances.reduce((a, b) => a + b, 0) / targetDistances.length : 0;
  const plannedRatio = stopDistance > 0 ? roundTo(meanTarget / stopDistance, 2) : 0;

  const base = {
    stop_pips: stopPips,
    target_pips: roundTo(farthest / spec.pipSize, 1),
    risk_reward: plannedRatio,
  };
  const empty = (reason: string, pipValue = 0, riskMoney = 0): Position => ({
    ...base,
    lots: 0,
    risk_amount: 0,
    risk_money: roundMoney(riskMoney),
    reward_amount: 0,
    pip_value: roundTo(pipValue, 4),
    rewards: input.takeProfits.map((tp, i) => ({
      take_profit: tp,
      lots: 0,
      pips: roundTo((targetDistances[i] ?? 0) / spec.pipSize, 1),
      amount: 0,
      risk_reward: stopDistance > 0 ? roundTo((targetDistances[i] ?? 0) / stopDistance, 2) : 0,
    })),
    reason,
  });

  const currency = input.accountCurrency;
  if (input.balance === null || currency === null) {
    return empty("Balance unknown: link your MT5 terminal so Sortie can size the position.");
  }
  const rate = conversionRate(spec.tickValueCurrency, currency, input.rates);
  if (rate === null) {
    return empty(`No ${spec.tickValueCurrency}/${currency} rate known yet to size this trade in ${currency}.`);
  }
  const tickValue = spec.tickValue * rate;
  const pipValue = (tickValue * spec.pipSize) / spec.tickSize;
  const riskMoney = (input.balance * input.riskPercent) / 100;
  if (input.balance <= 0) return empty("Balance is zero or negative.", pipValue, riskMoney);
  if (stopDistance <= 0) return empty("Stop loss equals entry.", pipValue, riskMoney);

  const rawLots = (riskMoney * spec.tickSize) / (tickValue * stopDistance);
  const maxSteps = floorSteps(spec.volumeMax, spec.volumeStep);
  const steps = Math.min(floorSteps(rawLots, spec.volumeStep), maxSteps);
  const lots = stepsToVolume(steps, spec.volumeStep);
  if (lots <= 0 || lots + 1e-12 < spec.volumeMin) {
    const needed = roundMoney((spec.volumeMin * tickValue * stopDistance) / spec.tickSize);
    return empty(
      `Position too small: ${roundTo(rawLots, 4)} lots is below the broker minimum of ${spec.volumeMin} lots ` +
        `(needs ${needed} ${currency} at risk).`,
      pipValue,
      riskMoney,
    );
  }

  const moneyPerPriceUnit = tickValue / spec.tickSize;
  const riskAmount = lots * stopDistance * moneyPerPriceUnit;
  const legs = splitLegs(lots, input.takeProfits.length, spec.volumeStep, spec.volumeMin);
  const rewards: LegReward[] = input.takeProfits.map((tp, i) => {
    const distance = targetDistances[i] ?? 0;
    const legLots = legs[i] ?? 0;
    return {
      take_profit: tp,
      lots: legLots,
      pips: roundTo(distance / spec.pipSize, 1),
      amount: roundMoney(legLots * distance * moneyPerPriceUnit),
      risk_reward: roundTo(distance / stopDistance, 2),
    };
  });
  const rewardAmount = legs.reduce(
    (sum, legLots, i) => sum + legLots * (targetDistances[i] ?? 0) * moneyPerPriceUnit,
    0,
  );
  return {
    ...base,
    lots,
    risk_amount: roundMoney(riskAmount),
    risk_money: roundMoney(riskMoney),
    reward_amount: roundMoney(rewardAmount),
    risk_reward: riskAmount > 0 ? roundTo(rewardAmount / riskAmount, 2) : plannedRatio,
    pip_value: roundTo(pipValue, 4),
    rewards,
    reason: null,
  };
}
