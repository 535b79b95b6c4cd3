import type { Config } from "../server/config/index.ts";

/**
 * The link a group alert's button opens: the Mini App's direct link with `startapp=<signal id>`
 * (https://core.telegram.org/bots/webapps#direct-link-mini-apps), so the app opens on that
 * mission inside Telegram. Without a direct link, the mission page on PUBLIC_URL.
 * Groups get a `url` button, never `web_app`: Telegram only allows web_app buttons in private chats.
 */
export function missionLink(config: Pick<Config, "miniAppLink" | "publicUrl">, signalId: string): string {
  if (config.miniAppLink) {
    const url = new URL(config.miniAppLink);
    url.searchParams.set("startapp", signalId);
    return url.toString();
  }
  return `${config.publicUrl}/mission/${encodeURIComponent(signalId)}`;
}

/** The app's entry: the direct link when there is one, else the web page. */
export function appLink(config: Pick<Config, "miniAppLink" | "publicUrl">): string {
  return config.miniAppLink ?? `${config.publicUrl}/app/`;
}
