/**
 * Startup: find the Telegram launch (or the local-mode hash), apply the theme, tell Telegram we are
 * ready, work out which mission was opened, and build the API client and the live channel.
 */
import { type Api, createApi } from "./api.ts";
import { createLive, type Live } from "./live.ts";
import { applyTheme, detectTelegram, onThemeChange, ready, type TelegramSession } from "./telegram.ts";

export interface Services {
  session: TelegramSession;
  api: Api;
  live: Live;
}

export type Boot = { kind: "outside" } | { kind: "app"; services: Services; signalId: string | null };

const SIGNAL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The opened signal: Telegram's start_param (direct link), ?startapp= (local link), or /mission/:id. */
export function resolveSignalId(session: TelegramSession | null, location: Location): string | null {
  const query = new URLSearchParams(location.search);
  const fromPath = /^\/mission\/([^/?#]+)/.exec(location.pathname)?.[1];
  const candidates = [
    session?.startParam,
    query.get("startapp"),
    query.get("tgWebAppStartParam"),
    fromPath ? decodeURIComponent(fromPath) : null,
  ];
  return candidates.find((id): id is string => typeof id === "string" && SIGNAL_ID.test(id)) ?? null;
}

export function init(win: Window = window): Boot {
  const session = detectTelegram(win);
  applyTheme();
  if (!session) return { kind: "outside" };
  onThemeChange(() => applyTheme());
  ready();
  const api = createApi(session.initData);
  const live = createLive({ url: "/api/events", initData: session.initData });
  return { kind: "app", services: { session, api, live }, signalId: resolveSignalId(session, win.location) };
}
