/**
 * A thin typed wrapper over `window.Telegram.WebApp` (types from @twa-dev/types). Every call is
 * guarded, so the app also runs on the hash shim (local mode) and on the test stub, which only
 * carry part of the real object.
 */
import type { WebApp, WebAppUser } from "@twa-dev/types";

type Haptic = "light" | "medium" | "heavy";
type Notice = "success" | "warning" | "error";

export interface MainButtonState {
  text: string;
  visible: boolean;
  enabled: boolean;
  progress: boolean;
  color?: `#${string}`;
}

export interface TelegramSession {
  /** The raw signed initData string, sent as `Authorization: tma <initData>`. */
  initData: string;
  user: WebAppUser | null;
  startParam: string | null;
  /** "telegram": the official client (or a stub of it); "local": built from the URL hash. */
  source: "telegram" | "local";
}

declare global {
  interface Window {
    Telegram?: { WebApp?: WebApp };
  }
}

let webApp: Partial<WebApp> | null = null;

/** Reads a Telegram launch: the real WebApp object, else the `#tgWebAppData=` hash of a local link. */
export function detectTelegram(win: Window = window): TelegramSession | null {
  const real = win.Telegram?.WebApp;
  if (real?.initData) {
    webApp = real;
    const unsafe = real.initDataUnsafe ?? ({} as WebApp["initDataUnsafe"]);
    return {
      initData: real.initData,
      user: unsafe.user ?? null,
      startParam: unsafe.start_param ?? null,
      source: "telegram",
    };
  }
  const hash = new URLSearchParams(win.location.hash.slice(1));
  const initData = hash.get("tgWebAppData");
  if (!initData) return null;
  const fields = new URLSearchParams(initData);
  let user: WebAppUser | null = null;
  try {
    user = JSON.parse(fields.get("user") ?? "null") as WebAppUser | null;
  } catch {
    user = null;
  }
  webApp = real ?? null;
  const startParam = fields.get("start_param") ?? hash.get("tgWebAppStartParam");
  return { initData, user, startParam, source: "local" };
}

function call(fn: () => void): void {
  try {
    fn();
  } catch {
    // An older client may lack a method (Telegram raises WebAppMethodUnsupported); the UI never depends on it.
  }
}

export function ready(): void {
  call(() => webApp?.ready?.());
  call(() => webApp?.expand?.());
  call(() => webApp?.disableVerticalSwipes?.());
}

/** Copies themeParams onto the --tg-theme-* variables (the official script does it too; stubs and shims do not). */
export function applyTheme(root: HTMLElement = document.documentElement): void {
  const params = (webApp?.themeParams ?? {}) as Record<string, string | undefined>;
  for (const [key, value] of Object.entries(params)) {
    if (value) root.style.setProperty(`--tg-theme-${key.replace(/_/g, "-")}`, value);
  }
  const inset = webApp?.safeAreaInset;
  if (inset)
    for (const side of ["top", "bottom"] as const) root.style.setProperty(`--sortie-safe-${side}`, `${inset[side]}px`);
  const content = webApp?.contentSafeAreaInset;
  if (content) root.style.setProperty("--sortie-content-top", `${content.top}px`);
  root.dataset.scheme = webApp?.colorScheme ?? "dark";
}

export function onThemeChange(cb: () => void): void {
  call(() => webApp?.onEvent?.("themeChanged", cb));
  call(() => webApp?.onEvent?.("safeAreaChanged", cb));
  call(() => webApp?.onEvent?.("contentSafeAreaChanged", cb));
}

export const haptic = {
  impact: (style: Haptic) => call(() => webApp?.HapticFeedback?.impactOccurred(style)),
  notify: (type: Notice) => call(() => webApp?.HapticFeedback?.notificationOccurred(type)),
  select: () => call(() => webApp?.HapticFeedback?.selectionChanged()),
};

export function hasMainButton(): boolean {
  return Boolean(webApp?.MainButton);
}

/** Shows Telegram's MainButton in the given state; returns a function that detaches the handler. */
export function setMainButton(state: MainButtonState, onClick: () => void): () => void {
  const button = webApp?.MainButton;
  if (!button) return () => {};
  call(() => {
    button.setParams({
      text: state.text,
      is_visible: state.visible,
      is_active: state.enabled,
      ...(state.color ? { color: state.color } : {}),
    });
    if (state.progress) button.showProgress(false);
    else button.hideProgress();
  });
  call(() => button.onClick(onClick));
  return () => call(() => button.offClick(onClick));
}

export function hideMainButton(): void {
  call(() => webApp?.MainButton?.hide());
}

/** Shows Telegram's BackButton with a handler, or hides it when `onBack` is null. */
export function setBackButton(onBack: (() => void) | null): () => void {
  const button = webApp?.BackButton;
  if (!button) return () => {};
  if (!onBack) {
    call(() => button.hide());
    return () => {};
  }
  call(() => button.show());
  call(() => button.onClick(onBack));
  return () => call(() => button.offClick(onBack));
}

export function openLink(url: string): void {
  if (/^https:\/\/t\.me\//.test(url) && webApp?.openTelegramLink) call(() => webApp?.openTelegramLink?.(url));
  else if (webApp?.openLink) call(() => webApp?.openLink?.(url));
  else window.open(url, "_blank", "noopener");
}

/** A yes/no question: Telegram's native popup when available (webviews may block window.confirm). */
export function confirmDialog(message: string): Promise<boolean> {
  const app = webApp;
  if (app?.showConfirm && app.isVersionAtLeast?.("6.2")) {
    return new Promise((resolve) => {
      try {
        app.showConfirm?.(message, (ok) => resolve(Boolean(ok)));
      } catch {
        resolve(window.confirm(message));
      }
    });
  }
  return Promise.resolve(window.confirm(message));
}
