/** The HTTP API client. Every call carries `Authorization: tma <initData>`. */
import type {
  Candle,
  FirePositions,
  FireResult,
  HistoryFire,
  ManageBody,
  Me,
  Mission,
  Performance,
  Signal,
  Stats,
  Terminal,
  TradeRequest,
} from "./types.ts";

/** An API failure with the server's stable code, or NETWORK / TIMEOUT when it was never reached. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const TIMEOUT_MS = 15_000;

export interface Api {
  mission(id: string): Promise<Mission>;
  fire(signalId: string): Promise<FireResult & { status: number }>;
  signals(): Promise<Signal[]>;
  me(): Promise<Me>;
  setRisk(riskPercent: number): Promise<Me>;
  /** Turns the weekly summary DM on or off. */
  setWeeklySummary(on: boolean): Promise<Me>;
  bridgeToken(): Promise<string>;
  fires(limit?: number): Promise<HistoryFire[]>;
  stats(userId: number): Promise<Stats>;
  /** A trader's track record: R and money curves, histogram, by symbol (issue #17). */
  performance(userId: number, days?: number): Promise<Performance>;
  saveNote(signalId: string, text: string): Promise<{ text: string; updated_at: string }>;
  prices(symbol: string): Promise<Candle[]>;
  /** The fire's open positions, requests, commands and timeline. */
  positions(fireId: string): Promise<FirePositions>;
  /** Manage the caller's own open positions of a fire (202). */
  manage(fireId: string, body: ManageBody): Promise<TradeRequest>;
  terminals(): Promise<Terminal[]>;
  /** Links a terminal: its token, shown once, comes with it. */
  linkTerminal(name: string, allocation: number): Promise<Terminal & { token: string }>;
  updateTerminal(id: string, change: { name?: string; allocation?: number; enabled?: boolean }): Promise<Terminal>;
  unlinkTerminal(id: string): Promise<void>;
}

export function createApi(initData: string, base = ""): Api {
  async function request<T>(method: string, path: string, body?: unknown): Promise<{ data: T; status: number }> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
    const headers: Record<string, string> = { Authorization: `tma ${initData}`, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: abort.signal,
      });
    } catch {
      const timedOut = abort.signal.aborted;
      throw new ApiError(
        timedOut ? "TIMEOUT" : "NETWORK",
        timedOut ? "Sortie took too long to answer." : "Can't reach Sortie. Check your connection.",
        0,
      );
    } finally {
      clearTimeout(timer);
    }
    const data = (await res.json().catch(() => null)) as (T & { error?: { code: string; message: string } }) | null;
    if (!res.ok) {
      const error = data?.error;
      throw new ApiError(
        error?.code ?? `HTTP_${res.status}`,
        error?.message ?? `Sortie answered ${res.status}.`,
        res.status,
      );
    }
    return { data: data as T, status: res.status };
  }
  const get = async <T>(path: string) => (await request<T>("GET", path)).data;
  const id = encodeURIComponent;

  return {
    mission: (signalId) => get<Mission>(`/api/missions/${id(signalId)}`),
    async fire(signalId) {
      const { data, status } = await request<FireResult>("POST", "/api/fire", { signal_id: signalId });
      return { ...data, status };
    },
    async signals() {
      const data = await get<Signal[] | { signals: Signal[] }>("/api/signals?status=active");
      return Array.isArray(data) ? data : data.signals;
    },
    me: () => get<Me>("/api/me"),
    setRisk: async (riskPercent) => (await request<Me>("PATCH", "/api/me", { risk_percent: riskPercent })).data,
    setWeeklySummary: async (on) => (await request<Me>("PATCH", "/api/me", { weekly_summary: on })).data,
    bridgeToken: async () => (await request<{ token: string }>("POST", "/api/me/bridge-token", {})).data.token,
    fires: async (limit = 50) => (await get<{ fires: HistoryFire[] }>(`/api/me/fires?limit=${limit}`)).fires,
    stats: (userId) => get<Stats>(`/api/users/${userId}/stats`),
    performance: (userId, days) =>
      get<Performance>(`/api/users/${userId}/performance${days === undefined ? "" : `?days=${days}`}`),
    saveNote: async (signalId, text) =>
      (
        await request<{ note: { text: string; updated_at: string } }>("PUT", `/api/missions/${id(signalId)}/note`, {
          text,
        })
      ).data.note,
    prices: async (symbol) => (await get<{ candles: Candle[] }>(`/api/prices/${id(symbol)}`)).candles,
    positions: (fireId) => get<FirePositions>(`/api/fires/${id(fireId)}/positions`),
    manage: async (fireId, body) =>
      (await request<{ request: TradeRequest }>("POST", `/api/fires/${id(fireId)}/manage`, body)).data.request,
    terminals: async () => (await get<{ terminals: Terminal[] }>("/api/me/terminals")).terminals,
    linkTerminal: async (name, allocation) =>
      (await request<{ terminal: Terminal & { token: string } }>("POST", "/api/me/terminals", { name, allocation }))
        .data.terminal,
    updateTerminal: async (terminalId, change) =>
      (await request<{ terminal: Terminal }>("PATCH", `/api/me/terminals/${id(terminalId)}`, change)).data.terminal,
    unlinkTerminal: async (terminalId) => {
      await request("DELETE", `/api/me/terminals/${id(terminalId)}`);
    },
  };
}
