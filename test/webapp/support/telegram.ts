/**
 * A window.Telegram.WebApp stub for browser tests, carrying initData signed with the server's bot
 * token exactly as Telegram signs it. Installed with page.addInitScript, so it exists before
 * index.html's scripts run; the official telegram.org script is routed to an empty response.
 */
import { sign } from "@telegram-apps/init-data-node";
import type { Page } from "playwright-core";

export interface StubUser {
  id: number;
  first_name: string;
  username?: string;
}

/** initData as the Telegram client would pass it to the Mini App. */
export function signInitData(botToken: string, user: StubUser, startParam?: string, authDate = new Date()): string {
  return sign(
    {
      user: { ...user, language_code: "en", allows_write_to_pm: true },
      ...(startParam ? { start_param: startParam } : {}),
    },
    botToken,
    authDate,
  );
}

export const DARK_THEME = {
  bg_color: "#0a0f15",
  secondary_bg_color: "#111922",
  section_bg_color: "#141e29",
  text_color: "#e8eef4",
  hint_color: "#7f8e9d",
  link_color: "#5ec3ff",
  button_color: "#2ea6ff",
  button_text_color: "#ffffff",
  section_header_text_color: "#6fb7e8",
  destructive_text_color: "#ff5b6b",
};

/** The stub's source. Everything it records is on `window.__tg` for the test to read. */
export function telegramStubScript(
  initData: string,
  user: StubUser,
  startParam?: string,
  theme: Record<string, string> = DARK_THEME,
  colorScheme: "dark" | "light" = "dark",
): string {
  const config = JSON.stringify({ initData, user, startParam: startParam ?? null, theme, colorScheme });
  return `(() => {
  const config = ${config};
  const log = [];
  const button = (name) => {
    const handlers = new Set();
    const self = {
      text: "", isVisible: false, isActive: true, isProgressVisible: false, color: "",
      setParams(p) {
        if (p.text !== undefined) self.text = p.text;
        if (p.is_visible !== undefined) self.isVisible = p.is_visible;
        if (p.is_active !== undefined) self.isActive = p.is_active;
        if (p.color !== undefined) self.color = p.color;
        return self;
      },
      setText(text) { self.text = text; return self; },
      show() { self.isVisible = true; return self; },
      hide() { self.isVisible = false; return self; },
      enable() { self.isActive = true; return self; },
      disable() { self.isActive = false; return self; },
      showProgress() { self.isProgressVisible = true; return self; },
      hideProgress() { self.isProgressVisible = false; return self; },
      onClick(cb) { handlers.add(cb); return self; },
      offClick(cb) { handlers.delete(cb); return self; },
      // What the Telegram client does on a tap: nothing while hidden or inactive.
      tap() { if (self.isVisible && self.isActive) [...handlers].forEach((cb) => cb()); log.push(name + ".tap"); },
    };
    return self;
  };
  const MainButton = button("MainButton");
  const BackButton = button("BackButton");
  const haptics = [];
  window.__tg = { log, haptics, MainButton, BackButton };
  window.Telegram = { WebApp: {
    initData: config.initData,
    initDataUnsafe: { user: config.user, start_param: config.startParam ?? undefined, auth_date: Math.floor(Date.now() / 1000), hash: "" },
    version: "8.0", platform: "tdesktop", colorScheme: config.colorScheme, themeParams: config.theme,
    isExpanded: false, viewportHeight: 844, viewportStableHeight: 844,
    safeAreaInset: { top: 0, bottom: 0, left: 0, right: 0 },
    contentSafeAreaInset: { top: 0, bottom: 0, left: 0, right: 0 },
    MainButton, BackButton,
    HapticFeedback: {
      impactOccurred(style) { haptics.push("impact:" + style); },
      notificationOccurred(type) { haptics.push("notify:" + type); },
      selectionChanged() { haptics.push("select"); },
    },
    ready() { log.push("ready"); },
    expand() { log.push("expand"); this.isExpanded = true; },
    disableVerticalSwipes() { log.push("disableVerticalSwipes"); },
    onEvent() {}, offEvent() {},
    isVersionAtLeast(v) { return Number(v) <= 8; },
    showConfirm(message, cb) { log.push("confirm:" + message); cb(true); },
    openLink(url) { log.push("openLink:" + url); },
    openTelegramLink(url) { log.push("openTelegramLink:" + url); },
  } };
})();`;
}

/** Blocks the official script (tests run offline) and installs the stub for this page. */
export async function installTelegram(
  page: Page,
  initData: string,
  user: StubUser,
  startParam?: string,
): Promise<void> {
  await page.route("https://telegram.org/**", (route) =>
    route.fulfill({ status: 200, contentType: "application/javascript", body: "" }),
  );
  await page.addInitScript({ content: telegramStubScript(initData, user, startParam) });
}
