import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError } from "../api.ts";
import { useServices } from "../context.ts";
import type { FirePositions, ManageBody, TradeRequest } from "../types.ts";
import { useInterval, useLiveEvent } from "./useLive.ts";

/** queued → delivered → applied | rejected, from a request's per-position counts. */
export type RequestPhase = "queued" | "delivered" | "applied" | "rejected";

export function requestPhase(request: TradeRequest): RequestPhase {
  const { queued, delivered, applied, rejected, failed } = request.progress;
  if (queued + delivered === 0) return rejected + failed > 0 && applied === 0 ? "rejected" : "applied";
  return queued > 0 && delivered === 0 && applied === 0 ? "queued" : "delivered";
}

/**
 * A filled fire's positions after entry: loads them, follows `position_update` events (and polls
 * while a request is pending, in case the stream is down), and sends manage requests.
 */
export function useTrade(fireId: string, fireState: string) {
  const { api } = useServices();
  const [data, setData] = useState<FirePositions | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [sending, setSending] = useState(false);

  const reload = useCallback(() => {
    api.positions(fireId).then(
      (next) => {
        setData(next);
        setError(null);
      },
      (err: unknown) => setError(err instanceof ApiError ? err : new ApiError("NETWORK", String(err), 0)),
    );
  }, [api, fireId]);

  // Re-read when the fire changes state (filled, closed): its positions changed.
  useEffect(reload, [reload, fireState]);
  useLiveEvent<{ fire?: { id: string } }>("position_update", (event) => {
    if (event.fire?.id === fireId) reload();
  });
  const pending = data?.requests.some((r) => r.progress.queued + r.progress.delivered > 0) ?? false;
  useInterval(pending, 2000, reload);

  const send = useCallback(
    async (body: ManageBody) => {
      setSending(true);
      try {
        await api.manage(fireId, body);
        setError(null);
      } catch (err) {
        setError(err instanceof ApiError ? err : new ApiError("NETWORK", String(err), 0));
      } finally {
        setSending(false);
        reload();
      }
    },
    [api, fireId, reload],
  );

  return { data, error, sending, send, reload };
}
