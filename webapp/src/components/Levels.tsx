import "./Levels.css";
import { pips, price } from "../format.ts";
import type { LiveMission } from "../hooks/useMission.ts";

/** Entry, stop and each take-profit with its distance in pips. */
export function Levels({ mission, digits }: { mission: LiveMission; digits: number }) {
  const { signal, position } = mission;
  // Pip size as the server sized it (stop distance / stop pips), to express every take-profit in pips.
  const pipSize = position.stop_pips > 0 ? Math.abs(signal.entry - signal.stop_loss) / position.stop_pips : 0;
  const tpPips = (tp: number, index: number) =>
    position.rewards?.[index]?.pips ?? (pipSize > 0 ? Math.abs(tp - signal.entry) / pipSize : position.target_pips);
  return (
    <section class="card levels" data-testid="levels">
      <h2 class="card-title">Levels</h2>
      <div class="level level-entry">
        <span class="level-name">Entry</span>
        <span class="num level-price" data-testid="entry">
          {price(signal.entry, digits)}
        </span>
        <span class="level-pips hint">{signal.side === "BUY" ? "buy" : "sell"}</span>
      </div>
      <div class="level level-stop">
        <span class="level-name">Stop loss</span>
        <span class="num level-price" data-testid="stop">
          {price(signal.stop_loss, digits)}
        </span>
        <span class="num level-pips">−{pips(position.stop_pips)}</span>
      </div>
      {signal.take_profit.map((tp, index) => (
        <div class="level level-tp" key={tp}>
          <span class="level-name">Take profit{signal.take_profit.length > 1 ? ` ${index + 1}` : ""}</span>
          <span class="num level-price" data-testid={`tp-${index + 1}`}>
            {price(tp, digits)}
          </span>
          <span class="num level-pips">+{pips(tpPips(tp, index))}</span>
        </div>
      ))}
    </section>
  );
}
