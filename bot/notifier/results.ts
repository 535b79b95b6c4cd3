import { signalStatus } from "../../core/signal.ts";
import type { Signal } from "../../core/types.ts";
import type { SignalResultRow } from "../../db/queries/track-record/index.ts";
import type { AppContext } from "../../server/context.ts";
import type { BotLog } from "../context.ts";
import { PRIORITY } from "../delivery/index.ts";
import { alertText } from "../format/alert.ts";
import { alertWithResult, resultReply, resultStatusLine } from "../format/result.ts";
import { failureKind, type Messenger } from "../messenger.ts";
import type { WorkQueue } from "./queue.ts";
import { withLatestUpdate } from "./updates.ts";

/**
 * A settled signal's result in each group (issue #17): a reply under the alert (R, counts,
 * slippage, fire→fill time) and the alert's status line edited to ✅ +1.6R / ❌ −1R / ⏹ expired.
 * Runs on the alert's queue key, after the alert's own closing edit. Each send is one small function
 * so the bot's sends can move to a database outbox without touching the logic.
 */
export function createResultNotices(deps: { app: AppContext; messenger: Messenger; log: BotLog; queue: WorkQueue }) {
  const { app, messenger, log, queue } = deps;
  const { store, clock } = app;

  async function replyUnder(chatId: number, messageId: number, html: string): Promise<void> {
    await messenger.sendMessage(chatId, html, { replyTo: messageId, priority: PRIORITY.alert });
  }

  async function editStatus(chatId: number, messageId: number, html: string): Promise<void> {
    try {
      await messenger.editMessageText(chatId, messageId, html, { priority: PRIORITY.alert });
    } catch (err) {
      if (failureKind(err) !== "not_modified") throw err;
    }
  }

  /**
   * Resolved when the start-up catch-up is done: that runs after the notifier's first tick, which
   * queues the closing edit of every alert that expired while the bot was down. A result announced
   * before (its settling raced the bot's start) waits for it, so the closing edit never lands on
   * top of the result's status line.
   */
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });

  function announce(signal: Signal, result: SignalResultRow): void {
    // A result is usually stored while the hub is still announcing the expiry that settled it:
    // queueing on the next microtask puts this after the alert's own closing edit (same key).
    void started.then(() => queueMicrotask(() => queue.run(`alert:${signal.id}`, () => post(signal, result))));
  }

  async function post(signal: Signal, result: SignalResultRow): Promise<void> {
    // Announced already: the event and the start-up catch-up can both queue one result (same key,
    // so the second runs after the first has marked it).
    if ((await store.trackRecord.findResult(signal.id))?.announced === 1) return;
    const fresh = (await store.signals.findSignal(signal.id)) ?? signal;
    const nowMs = clock.now();
    const status = signalStatus(fresh, nowMs);
    const count = await store.fires.countFires(signal.id);
    const plan = alertText(fresh, count, status === "active" ? "expired" : status, nowMs);
    const edited = alertWithResult(await withLatestUpdate(store, signal.id, plan), resultStatusLine(fresh, result));
    const reply = resultReply(fresh, result);
    for (const row of await store.alerts.listAlerts(signal.id)) {
      if (row.message_id === null || row.state === "sending" || row.state === "failed") continue;
      try {
        await editStatus(row.chat_id, row.message_id, edited);
      } catch (err) {
        log(`alert ${signal.id} in chat ${row.chat_id} could not show its result`, err);
      }
      try {
        await replyUnder(row.chat_id, row.message_id, reply);
      } catch (err) {
        log(`result of ${signal.id} could not be posted in chat ${row.chat_id}`, err);
      }
    }
    await store.trackRecord.markAnnounced(signal.id);
  }

  return {
    announce,
    /**
     * On start: results stored while the bot was not running (restart, crash mid-reply), once the
     * server's own catch-up has settled the signals that ended meanwhile.
     */
    async catchUp(): Promise<void> {
      try {
        await app.resultsCaughtUp;
        for (const id of await store.trackRecord.listUnannounced(100)) {
          const signal = await store.signals.findSignal(id);
          const result = await store.trackRecord.findResult(id);
          if (signal && result) announce(signal, result);
        }
      } finally {
        markStarted();
      }
    },
  };
}
