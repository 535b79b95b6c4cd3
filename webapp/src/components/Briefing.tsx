import "./Briefing.css";
import { useState } from "preact/hooks";
import { priceDigits } from "../format.ts";
import { type LiveMission, useMission, withFire } from "../hooks/useMission.ts";
import type { Block } from "../types.ts";
import { ErrorPanel } from "./ErrorPanel.tsx";
import { FirePanel } from "./FirePanel.tsx";
import { Levels } from "./Levels.tsx";
import { MissionHeader } from "./MissionHeader.tsx";
import { MissionTerminals } from "./MissionTerminals.tsx";
import { Notebook } from "./Notebook.tsx";
import { PositionCard } from "./PositionCard.tsx";
import { PriceChart } from "./PriceChart.tsx";
import { RiskDashboard } from "./RiskDashboard.tsx";
import { ShieldAnalysis } from "./ShieldAnalysis.tsx";
import { Skeleton } from "./Skeleton.tsx";
import { WarRoomLinks } from "./WarRoomLinks.tsx";

/** Why FIRE is disabled, if it is: the server's first failing check, or the countdown running out here. */
export function fireBlock(mission: LiveMission, expiredHere: boolean): Block | null {
  if (mission.status === "cancelled") {
    return mission.fire_block ?? { code: "SIGNAL_CANCELLED", message: "The desk cancelled this mission." };
  }
  if (mission.status === "expired" || expiredHere) {
    return mission.fire_block?.code === "SIGNAL_EXPIRED"
      ? mission.fire_block
      : { code: "SIGNAL_EXPIRED", message: "This mission has expired: the entry window is closed." };
  }
  return mission.fire_block ?? null;
}

export function Briefing({ id }: { id: string }) {
  const { data: mission, error, loading, reload, setData } = useMission(id);
  const [expiredHere, setExpiredHere] = useState(false);

  if (!mission) {
    if (error) return <ErrorPanel error={error} onRetry={() => void reload()} />;
    return loading ? <Skeleton blocks={[92, 132, 168, 64, 220]} /> : null;
  }
  const digits = priceDigits(mission.signal, mission.position.digits);
  const block = fireBlock(mission, expiredHere);
  return (
    <div class="briefing" data-testid="briefing" data-status={mission.status}>
      <MissionHeader
        mission={mission}
        onExpire={() => {
          setExpiredHere(true);
          void reload(true);
        }}
      />
      {error && (
        <div class="briefing-stale" role="status">
          Showing the last known data ·{" "}
          <button type="button" onClick={() => void reload(true)}>
            refresh
          </button>
        </div>
      )}
      <Levels mission={mission} digits={digits} />
      <PositionCard mission={mission} />
      <MissionTerminals mission={mission} digits={digits} />
      <FirePanel
        mission={mission}
        block={block}
        digits={digits}
        onFire={(fire) => setData((m) => (m ? withFire(m, fire) : m))}
        onRefresh={() => void reload(true)}
      />
      <PriceChart mission={mission} digits={digits} />
      <ShieldAnalysis signal={mission.signal} />
      <RiskDashboard mission={mission} />
      <Notebook signalId={id} initial={mission.note ?? ""} />
      <WarRoomLinks links={mission.links ?? []} />
    </div>
  );
}
