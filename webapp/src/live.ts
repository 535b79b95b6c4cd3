/**
 * The live channel: GET /api/events read with fetch streaming (EventSource cannot send the
 * Authorization header), parsed by ./sse.ts, reconnected with exponential backoff and jitter, and
 * resumed with Last-Event-ID so events sent while we were away are replayed when the server can.
 */
import { createSseParser } from "./sse.ts";

export type LiveStatus = "connecting" | "live" | "offline";

export interface LiveOptions {
  url: string;
  initData: string;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The server sends ": ping" every 15 s; silence for longer than this means a dead connection. */
  idleTimeoutMs?: number;
}

export interface Live {
  readonly status: LiveStatus;
  /** When the next reconnection attempt is due (epoch ms), while offline. */
  readonly retryAt: number | null;
  on(event: string, fn: (data: unknown) => void): () => void;
  onStatus(fn: (status: LiveStatus) => void): () => void;
  reconnectNow(): void;
  close(): void;
}

export function createLive(options: LiveOptions): Live {
  const { url, initData, baseDelayMs = 1000, maxDelayMs = 8000, idleTimeoutMs = 45_000 } = options;
  const handlers = new Map<string, Set<(data: unknown) => void>>();
  const statusHandlers = new Set<(status: LiveStatus) => void>();
  let status: LiveStatus = "connecting";
  let retryAt: number | null = null;
  let lastEventId: string | null = null;
  let closed = false;
  let current: AbortController | null = null;
  let wake: (() => void) | null = null;

  function setStatus(next: LiveStatus): void {
    if (next === status) return;
    status = next;
    for (const fn of statusHandlers) fn(next);
  }

  function emit(event: string, raw: string): void {
    let data: unknown = raw;
    try {
      data = JSON.parse(raw);
    } catch {
      // Not JSON: hand over the text as it is.
    }
    for (const fn of handlers.get(event) ?? []) fn(data);
  }

  async function connectOnce(): Promise<void> {
    const abort = new AbortController();
    current = abort;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => abort.abort(), idleTimeoutMs);
    };
    try {
      const headers: Record<string, string> = { Authorization: `tma ${initData}`, Accept: "text/event-stream" };
      if (lastEventId !== null) headers["Last-Event-ID"] = lastEventId;
      arm();
      const res = await fetch(url, { headers, signal: abort.signal, cache: "no-store" });
      if (!res.ok || !res.body) throw new Error(`events answered ${res.status}`);
      attempt = 0;
      retryAt = null;
      setStatus("live");
      const parser = createSseParser((message) => {
        if (message.id !== null) lastEventId = message.id;
        emit(message.event, message.data);
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        arm();
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } finally {
      clearTimeout(watchdog);
      current = null;
    }
  }

  let attempt = 0;
  async function run(): Promise<void> {
    while (!closed) {
      try {
        await connectOnce();
      } catch {
        // Refused, dropped or timed out: all mean "offline, try again later".
      }
      if (closed) break;
      setStatus("offline");
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt) * (0.75 + Math.random() * 0.25);
      attempt += 1;
      retryAt = Date.now() + delay;
      for (const fn of statusHandlers) fn(status); // lets the indicator show the new retry time
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  }

  const onOnline = () => wake?.();
  const onOffline = () => current?.abort();
  window.addEventListener("online", onOnline);
  window.addEventListener("offline", onOffline);
  void run();

  return {
    get status() {
      return status;
    },
    get retryAt() {
      return retryAt;
    },
    on(event, fn) {
      const set = handlers.get(event) ?? new Set();
      set.add(fn);
      handlers.set(event, set);
      return () => set.delete(fn);
    },
    onStatus(fn) {
      statusHandlers.add(fn);
      return () => statusHandlers.delete(fn);
    },
    reconnectNow() {
      attempt = 0;
      wake?.();
    },
    close() {
      closed = true;
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOffline);
      current?.abort();
      wake?.();
    },
  };
}
