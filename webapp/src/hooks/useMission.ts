import { useEffect, useRef } from "preact/hooks";
import { useServices } from "../context.ts";
import type { Bridge, Fire, Mission, MissionStatus } from "../types.ts";
import { useInterval, useLiveEvent, useLiveStatus } from "./useLive.ts";
import { type Resource, useResource } from "./useResource.ts";

/** A mission plus the local deadline, computed from expires_in_s so a skewed phone clock does not matter. */
export type LiveMission = Mission & { deadlineMs: number };

/** While the live stream is down the mission is re-read this often. */
export const POLL_MS = 3000;

const SETTLED: Fire["state"][] = ["filled", "rejected", "failed", "expired", "closed"];

/** Keeps the newer of two versions of a fire, so a slow poll cannot undo a live update. */
function newer(current: Fire | null, incoming: Fire | null): Fire | null {
  if (!current || !incoming || current.id !== incoming.id) return incoming ?? current;
  const at = (fire: Fire) => Date.parse(fire.updated_at ?? fire.created_at) || 0;
  return at(incoming) >= at(current) ? incoming : current;
}

export function useMission(id: string): Resource<LiveMission> {
  const { api } = useServices();
  const latest = useRef<LiveMission | null>(null);
  const resource = useResource<LiveMission>(id, async () => {
    const mission = await api.mission(id);
    // A fire never disappears: a read that raced ahead of the fire's commit must not hide it.
    const fire = newer(latest.current?.signal.id === id ? latest.current.fire : null, mission.fire);
    return { ...mission, fire, deadlineMs: Date.now() + mission.expires_in_s * 1000 };
  });
  latest.current = resource.data;
  const { data, setData, reload } = resource;
  const status = useLiveStatus();

  // Polling fallback: while the stream is down, re-read the mission every few seconds.
  useInterval(status !== "live" && data !== null, POLL_MS, () => void reload(true));

  // Back online: events may have been missed, so read the mission once.
  const previous = useRef(status);
  useEffect(() => {
    if (previous.current === "offline" && status === "live") void reload(true);
    previous.current = status;
  }, [status, reload]);

  const patch = (update: (mission: LiveMission) => LiveMission) => setData((m) => (m ? update(m) : m));

  useLiveEvent<{ signal_id: string; count: number }>("fire_count_update", (event) => {
    if (event.signal_id === id) patch((m) => ({ ...m, fire_count: Math.max(m.fire_count, event.count) }));
  });
  useLiveEvent<{ fire: Fire }>("fire_update", ({ fire }) => {
    if (fire?.signal_id !== id) return;
    patch((m) => ({ ...m, fire: newer(m.fire, fire) }));
    // A settled fire changes the daily counters and balance-based figures: re-read them.
    if (SETTLED.includes(fire.state)) void reload(true);
  });
  useLiveEvent<{ signal_id: string; status: MissionStatus }>("mission_status_update", (event) => {
    if (event.signal_id !== id) return;
    patch((m) => ({ ...m, status: event.status }));
    void reload(true); // for the server's fire_block wording
  });
  useLiveEvent<Bridge>("bridge_status", (bridge) => {
    patch((m) => ({ ...m, bridge: { ...m.bridge, ...bridge } }));
    void reload(true);
  });

  return resource;
}

/** The fire slot merged with a POST answer (the POST can beat the stream, or the stream the POST). */
export function withFire(mission: LiveMission, fire: Fire): LiveMission {
  return { ...mission, fire: newer(mission.fire, fire) };
}
