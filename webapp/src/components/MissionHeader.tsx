import "./MissionHeader.css";
import type { LiveMission } from "../hooks/useMission.ts";
import { Countdown } from "./Countdown.tsx";
import { Icon } from "./Icon.tsx";

const STATUS_LABEL = { active: "ACTIVE", expired: "EXPIRED", cancelled: "CANCELLED" } as const;

export function MissionHeader({ mission, onExpire }: { mission: LiveMission; onExpire: () => void }) {
  const { signal, status } = mission;
  const side = signal.side.toLowerCase();
  return (
    <section class="mission-header">
      <div class="mh-top">
        <span class="mh-kicker">MISSION BRIEFING</span>
        <span class={`mh-status mh-status-${status}`} data-testid="mission-status">
          {STATUS_LABEL[status] ?? status.toUpperCase()}
        </span>
      </div>
      <div class="mh-main">
        <h1 class="mh-symbol" data-testid="symbol">
          {signal.symbol}
        </h1>
        <span class={`mh-side mh-side-${side}`} data-testid="side">
          {signal.side === "BUY" ? "▲" : "▼"} {signal.side}
        </span>
      </div>
      <div class="mh-meta">
        <span class="mh-clock">
          {status === "active" ? (
            <>
              <span class="hint">Expires in </span>
              <Countdown deadlineMs={mission.deadlineMs} onExpire={onExpire} />
            </>
          ) : (
            <span class="hint">{status === "expired" ? "Entry window closed" : "Called off by the desk"}</span>
          )}
        </span>
        <span class="mh-fires" data-testid="fire-count" title="Traders who fired this mission">
          <span class="mh-flame">
            <Icon name="flame" />
          </span>{" "}
          <b class="num">{mission.fire_count}</b> fired
        </span>
      </div>
      {(signal.pattern || signal.session) && (
        <div class="mh-tags">
          {signal.pattern && <span class="mh-tag">{signal.pattern.replace(/_/g, " ")}</span>}
          {signal.session && <span class="mh-tag">{signal.session} session</span>}
          <span class="mh-tag">{signal.min_tier}+</span>
        </div>
      )}
    </section>
  );
}
