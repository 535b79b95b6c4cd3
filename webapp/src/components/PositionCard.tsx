import "./PositionCard.css";
import { lots, money, percent, ratio } from "../format.ts";
import type { LiveMission } from "../hooks/useMission.ts";

/** The trader's own position: lots, money at risk, reward per take-profit, R:R, balance and risk %. */
export function PositionCard({ mission }: { mission: LiveMission }) {
  const { position, user } = mission;
  const currency = user.currency;
  const rewards = position.rewards?.length
    ? position.rewards
    : [{ take_profit: 0, amount: position.reward_amount, risk_reward: position.risk_reward }];
  const zero = position.lots <= 0;
  return (
    <section class="card position" data-testid="position">
      <h2 class="card-title">Your position</h2>
      <div class="pos-hero">
        <div>
          <div class={`num pos-lots${zero ? " pos-lots-zero" : ""}`} data-testid="lots">
            {lots(position.lots)}
          </div>
          <div class="hint pos-unit">lots</div>
        </div>
        <div class="pos-risk">
          <div class="num pos-risk-money" data-testid="risk-amount">
            {user.balance === null ? "—" : money(position.risk_amount, currency)}
          </div>
          <div class="hint pos-unit">at risk</div>
        </div>
      </div>
      {zero && (
        <p class="pos-reason" data-testid="size-reason">
          {position.reason ?? "The position size is zero."}
        </p>
      )}
      {!zero &&
        rewards.map((reward, index) => (
          <div class="row" key={reward.take_profit || index}>
            <span class="hint">Reward{rewards.length > 1 ? ` TP${index + 1}` : ""}</span>
            <span class="num pos-reward">
              +{money(reward.amount, currency)} <span class="hint">· {ratio(reward.risk_reward)}</span>
            </span>
          </div>
        ))}
      <div class="row">
        <span class="hint">Balance</span>
        <span class="num" data-testid="balance">
          {money(user.balance, currency)}
        </span>
      </div>
      <div class="row">
        <span class="hint">Risk setting</span>
        <span class="num" data-testid="risk-percent">
          {percent(user.risk_percent)}
          {position.risk_money !== undefined && user.balance !== null && (
            <span class="hint"> · budget {money(position.risk_money, currency)}</span>
          )}
        </span>
      </div>
      {position.spec_source === "default" && (
        <p class="hint pos-note">Sized with standard contract specs until your terminal reports your broker's.</p>
      )}
    </section>
  );
}
