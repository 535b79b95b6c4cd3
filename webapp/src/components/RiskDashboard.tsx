import "./RiskDashboard.css";
import { useServices } from "../context.ts";
import { lots, money, percent } from "../format.ts";
import { useLiveEvent } from "../hooks/useLive.ts";
import type { LiveMission } from "../hooks/useMission.ts";
import { useResource } from "../hooks/useResource.ts";

const OPEN_STATES = new Set(["queued", "delivered", "filled"]);

/** Risk of this mission as % of balance, what is already open, and fires left today. */
export function RiskDashboard({ mission }: { mission: LiveMission }) {
  const { api } = useServices();
  const { user, position } = mission;
  const history = useResource(`open:${mission.fire?.state ?? "none"}`, () => api.fires(50));
  // A stop moved (breakeven, a trader's own move) changes what is at risk: read the fires again.
  useLiveEvent("position_update", () => void history.reload(true));
  const open = (history.data ?? []).filter((fire) => OPEN_STATES.has(fire.state));
  const openLots = open.reduce((sum, fire) => sum + fire.lots, 0);
  // A filled fire's risk at the stops it has now; one not yet filled risks what it was sized to.
  const openRisk = open.reduce((sum, fire) => sum + (fire.open_risk ?? fire.risk_amount ?? 0), 0);
  const riskPct = user.balance ? (position.risk_amount / user.balance) * 100 : null;
  const limit = user.daily_limit;
  const left = user.fires_left_today;
  return (
    <section class="card risk" data-testid="risk-dashboard">
      <h2 class="card-title">Risk dashboard</h2>
      <div class="risk-grid">
        <div class="risk-tile">
          <div class="num risk-big" data-testid="risk-of-balance">
            {percent(riskPct)}
          </div>
          <div class="hint risk-label">of balance at risk</div>
          <div class="risk-meter">
            <div style={{ width: `${Math.min(100, ((riskPct ?? 0) / 5) * 100)}%` }} />
          </div>
        </div>
        <div class="risk-tile">
          <div class="num risk-big" data-testid="open-exposure">
            {history.data ? open.length : "…"}
          </div>
          <div class="hint risk-label" data-testid="open-risk">
            open · {lots(openLots)} lots
            {open.length === 0
              ? ""
              : openRisk > 0
                ? ` · ${money(openRisk, user.currency)} at risk`
                : " · nothing at risk"}
          </div>
        </div>
        <div class="risk-tile">
          <div class={`num risk-big${left === 0 ? " risk-out" : ""}`} data-testid="fires-left">
            {left ?? "∞"}
          </div>
          <div class="hint risk-label">fires left today{limit ? ` of ${limit}` : ""}</div>
        </div>
      </div>
      <div class="row risk-foot">
        <span class="hint">Tier</span>
        <span>
          {user.tier} · equity <span class="num">{money(user.equity, user.currency)}</span>
        </span>
      </div>
    </section>
  );
}
