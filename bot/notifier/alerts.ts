import { signalStatus } from "../../core/signal.ts";
import type { Signal } from "../../core/types.ts";
import type { AppContext } from "../../server/context.ts";
import type { BotLog } from "../context.ts";
import { type AlertState, alertText as planText } from "../format/alert.ts";
import { missionLink } from "../links.ts";
import { failureKind, type Messenger } from "../messenger.ts";
import type { WorkQueue } from "./queue.ts";
import { withLatestUpdate } from "./updates.ts";

/** On start, alerts of signals that expired up to this long ago (while the bot was down) are closed. */
const CATCH_UP_MS = 31 * 24 * 3600 * 1000;

interface LiveAlert {
  /** Highest fire count seen. */
  latest: number;
  /** When the last edit started (app clock). */
  lastEditMs: number;
  timer: ReturnType<typeof setTimeout> | null;
  closed: boolean;
}

/**
 * Group alerts: one message per signal per chat (the alerts table's claim makes a retried or
 * repeated post a no-op), the fire count edited in at most once per `editIntervalMs` per alert,
 * and a final edit without the button when the signal expires or is cancelled. All work on one
 * signal runs in order on the work queue, so a late count edit never resurrects a closed alert.
 */
export function createAlerts(deps: {
  app: AppContext;
  messenger: Messenger;
  log: BotLog;
  queue: WorkQueue;
  chatIds: number[];
  editIntervalMs: number;
}) {
  const { app, messenger, log, queue, chatIds, editIntervalMs } = deps;
  const { store, config, clock } = app;
  const live = new Map<string, LiveAlert>();
  let sweptUpToMs = clock.now() - CATCH_UP_MS;
  const nowIso = () => new Date(clock.now()).toISOString();
  // The plan, plus the latest update after entry when there is one.
  const alertText = (signal: Signal, count: number, state: AlertState, nowMs: number) =>
    withLatestUpdate(store, signal.id, planText(signal, count, state, nowMs));
  const button = (signalId: string) => [[{ text: "🎯 Open mission", url: missionLink(config, signalId) }]];

  /** The live state of a signal's alerts; read from the store once (callers run on the signal's queue). */
  async function entry(signalId: string): Promise<LiveAlert> {
    let alert = live.get(signalId);
    if (!alert) {
      const rows = await store.alerts.listAlerts(signalId);
      alert = live.get(signalId); // loaded meanwhile by another task
      if (alert) return alert;
      alert = {
        latest: Math.max(0, ...rows.map((r) => r.shown_count)),
        lastEditMs: Math.max(0, ...rows.map((r) => r.last_edit_ms ?? 0)),
        timer: null,
        closed: false,
      };
      live.set(signalId, alert);
    }
    return alert;
  }

  /** `retry`: take over a send that failed or never finished, instead of claiming a new one. */
  async function postTo(signal: Signal, chatId: number, count: number, retry: boolean) {
    const claimed = retry
      ? await store.alerts.reclaimAlert(signal.id, chatId, nowIso())
      : await store.alerts.claimAlert(signal.id, chatId, nowIso());
    if (!claimed) return; // posted (or posting) already
    try {
      const sent = await messenger.sendMessage(chatId, await alertText(signal, count, "live", clock.now()), {
        buttons: button(signal.id),
      });
      await store.alerts.markPosted(signal.id, chatId, sent.message_id, count, nowIso());
    } catch (err) {
      await store.alerts.setAlertState(signal.id, chatId, "failed", nowIso());
      log(`alert for ${signal.id} could not be posted in chat ${chatId}`, err);
    }
  }

  function post(signal: Signal, retryChats: ReadonlySet<number> = new Set()): void {
    if (chatIds.length === 0) return;
    queue.run(`alert:${signal.id}`, async () => {
      const alert = await entry(signal.id);
      const count = (await app.missions.findSignal(signal.id))?.fireCount ?? 0;
      alert.latest = Math.max(alert.latest, count);
      await Promise.all(chatIds.map((chatId) => postTo(signal, chatId, count, retryChats.has(chatId))));
      if (alert.latest !== count) schedule(signal.id, alert);
    });
  }

  function schedule(signalId: string, alert: LiveAlert): void {
    if (alert.closed || alert.timer) return;
    const waitMs = Math.max(0, alert.lastEditMs + editIntervalMs - clock.now());
    alert.timer = setTimeout(() => {
      alert.timer = null;
      // The interval runs from now, not from when the edit's reads return: a count arriving while
      // they are on their way (a networked database) must not schedule a second edit at once.
      alert.lastEditMs = clock.now();
      queue.run(`alert:${signalId}`, () => editCount(signalId, alert));
    }, waitMs);
  }

  async function edit(signalId: string, chatId: number, messageId: number, html: string, withButton: boolean) {
    try {
      await messenger.editMessageText(chatId, messageId, html, withButton ? { buttons: button(signalId) } : {});
    } catch (err) {
      const kind = failureKind(err);
      if (kind === "gone") await store.alerts.setAlertState(signalId, chatId, "closed", nowIso());
      else if (kind !== "not_modified") log(`alert ${signalId} in chat ${chatId} could not be edited`, err);
    }
  }

  async function editCount(signalId: string, alert: LiveAlert) {
    if (alert.closed) return;
    const count = alert.latest;
    const rows = (await store.alerts.listAlerts(signalId)).filter(
      (r) => r.state === "posted" && r.message_id !== null && r.shown_count !== count,
    );
    const signal = await store.signals.findSignal(signalId);
    if (rows.length === 0 || !signal) return;
    const html = await alertText(signal, count, "live", clock.now());
    alert.lastEditMs = clock.now(); // when the edits go out (the text's reads come first)
    await Promise.all(
      rows.map(async (r) => {
        await edit(signalId, r.chat_id, r.message_id!, html, true);
        await store.alerts.markEdited(signalId, r.chat_id, count, clock.now());
      }),
    );
    if (alert.latest !== count) schedule(signalId, alert);
  }

  function close(signal: Signal, state: Exclude<AlertState, "live">): void {
    const known = live.get(signal.id);
    if (known?.closed) return;
    if (known) known.closed = true; // no count edit starts meanwhile
    queue.run(`alert:${signal.id}`, async () => {
      const alert = known ?? (await entry(signal.id));
      if (alert.closed && alert !== known) return;
      alert.closed = true;
      if (alert.timer) clearTimeout(alert.timer);
      alert.timer = null;
      const fresh = (await store.signals.findSignal(signal.id)) ?? signal;
      const count = Math.max(alert.latest, await store.fires.countFires(signal.id));
      const html = await alertText(fresh, count, state, clock.now());
      const rows = (await store.alerts.listAlerts(signal.id)).filter(
        (r) => r.state === "posted" && r.message_id !== null,
      );
      await Promise.all(
        rows.map(async (r) => {
          await edit(signal.id, r.chat_id, r.message_id!, html, false);
          await store.alerts.setAlertState(signal.id, r.chat_id, "closed", nowIso());
        }),
      );
      live.delete(signal.id);
    });
  }

  return {
    post,
    close,
    /** A new fire count: edited in at the next allowed moment (coalesced). */
    count(signalId: string, count: number): void {
      const known = live.get(signalId);
      const apply = (alert: LiveAlert) => {
        if (count <= alert.latest && alert.timer === null) return;
        alert.latest = Math.max(alert.latest, count);
        schedule(signalId, alert);
      };
      if (known) apply(known);
      else queue.run(`alert:${signalId}`, async () => apply(await entry(signalId)));
    },
    /** Closes the alerts of signals that expired since the last sweep (no one emits expiry). */
    async sweepExpired(): Promise<void> {
      const nowMs = clock.now();
      for (const signal of await store.signals.listExpiredBetween(sweptUpToMs, nowMs)) {
        if (signalStatus(signal, nowMs) === "expired") close(signal, "expired");
      }
      sweptUpToMs = nowMs;
    },
    /**
     * On start: posts active signals not yet posted in some chat (created while the bot was down),
     * and posts again where the last send failed or never finished (the process died during it:
     * Telegram may or may not have the message, and a missing alert costs more than a repeat).
     */
    async catchUp(): Promise<void> {
      for (const { signal } of await store.signals.listSignals("active", clock.now(), 100)) {
        const rows = new Map((await store.alerts.listAlerts(signal.id)).map((r) => [r.chat_id, r.state]));
        const retry = new Set(chatIds.filter((id) => rows.get(id) === "sending" || rows.get(id) === "failed"));
        for (const id of retry) log(`alert for ${signal.id} in chat ${id} was ${rows.get(id)}; posting it again`);
        if (retry.size > 0 || chatIds.some((id) => !rows.has(id))) post(signal, retry);
      }
    },
    stop(): void {
      for (const alert of live.values()) if (alert.timer) clearTimeout(alert.timer);
      live.clear();
    },
  };
}
