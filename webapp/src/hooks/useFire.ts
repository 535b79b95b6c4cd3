import { useRef, useState } from "preact/hooks";
import { ApiError } from "../api.ts";
import { useServices } from "../context.ts";
import { haptic } from "../telegram.ts";
import type { Fire } from "../types.ts";

export type FirePhase = "idle" | "confirm" | "sending";

export interface FireControl {
  phase: FirePhase;
  error: ApiError | null;
  /** True once a tap found the mission already fired (here or on another device). */
  alreadyFired: boolean;
  /** True once this page has sent the fire (its state changes are news to the trader here). */
  sentHere: boolean;
  start(): void;
  cancel(): void;
  confirm(): Promise<void>;
}

/**
 * FIRE → confirmation → one POST. The page never has two requests in flight and never posts once a
 * fire exists; the server is idempotent per (signal, user) as well, so a retry after a lost answer
 * is safe and returns the same fire.
 */
export function useFire(
  signalId: string,
  fire: Fire | null,
  blocked: boolean,
  onFire: (fire: Fire) => void,
): FireControl {
  const { api } = useServices();
  const [phase, setPhase] = useState<FirePhase>("idle");
  const [error, setError] = useState<ApiError | null>(null);
  const [alreadyFired, setAlreadyFired] = useState(false);
  const inFlight = useRef(false);
  const fired = useRef(false);
  fired.current ||= fire !== null;
  const sent = useRef(false);

  function refuseSecondTap(): boolean {
    if (!fired.current) return false;
    setAlreadyFired(true);
    setPhase("idle");
    haptic.notify("warning");
    return true;
  }

  return {
    phase,
    error,
    alreadyFired,
    sentHere: sent.current,
    start() {
      if (inFlight.current || refuseSecondTap() || blocked) return;
      setError(null);
      setPhase("confirm");
      haptic.impact("medium");
    },
    cancel() {
      if (!inFlight.current) setPhase("idle");
    },
    async confirm() {
      if (inFlight.current || refuseSecondTap() || blocked) return;
      inFlight.current = true;
      sent.current = true;
      setPhase("sending");
      setError(null);
      haptic.impact("heavy");
      try {
        const result = await api.fire(signalId);
        fired.current = true;
        if (result.duplicate) setAlreadyFired(true);
        onFire(result.fire);
      } catch (caught) {
        setError(caught instanceof ApiError ? caught : new ApiError("CLIENT", String(caught), 0));
        haptic.notify("error");
      } finally {
        inFlight.current = false;
        setPhase("idle");
      }
    },
  };
}
