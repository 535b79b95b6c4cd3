import { signalStatus } from "../../core/signal.ts";
import type { Signal } from "../../core/types.ts";
import type { Store } from "../../db/store.ts";
import type { AppContext } from "../../server/context.ts";
import type { PositionCommandView, UpdateView } from "../../server/services/updates/view.ts";
import { updateView } from "../../server/services/updates/view.ts";
import type { BotLog } from "../context.ts";
import { DeliveryStopped, PRIORITY } from "../delivery/index.ts";
import { alertText } from "../format/alert.ts";
import { eaTooOldText, settledText, updateLine, updateReply } from "../format/update.ts";
import { missionLink } from "../links.ts";
import { failureKind, type Messenger } from "../messenger.ts";
import type { Dms } from "./dms.ts";
import type { WorkQueue } from "./queue.ts";

/** How many of a signal's updates its group alert lists (the latest ones). */
const ALERT_UPDATE_LINES = 5;

/** `html` (a group alert) with the signal's updates after entry under it (the latest few), when it has any. */
export async function withLatestUpdate(store: Store, signalId: string, html: string): Promise<string> {
  // Every update, oldest first (the last few): a stop moved stays on the alert when a later update
  // closes a leg, rather than the alert's Stop line being all it shows.
  const updates = await store.updates.listSignalUpdates(signalId);
  if (updates.length === 0) return html;
  const shown = updates.slice(-ALERT_UPDATE_LINES);
  const lines = await Promise.all(shown.map(async (u) => updateLine(await updateView(store, u))));
  return [html, ...(updates.length > shown.length ? ["…"] : []), ...lines].join("\n");
}

/**
 * Telegram side of updates after entry: the group alert is edited to show the latest update and a
 * reply is posted under it; traders on protocol-1 terminals are told to update the EA; each
 * trader gets one DM per update once their terminal has answered for every position.
 */
export function createUpdateNotices(deps: {
  app: AppContext;
  messenger: Messenger;
  log: BotLog;
  queue: WorkQueue;
  dms: Dms;
}) {
  const { app, messenger, log, queue, dms } = deps;
  const { store, config, clock } = app;

  return {
    created(update: UpdateView, signal: Signal, skippedUsers: number[]): void {
      queue.run(`alert:${signal.id}`, async () => {
        const nowMs = clock.now();
        const live = signalStatus(signal, nowMs) === "active";
        const status = signalStatus(signal, nowMs);
        const plan = alertText(
          signal,
          await store.fires.countFires(signal.id),
          status === "active" ? "live" : status,
          nowMs,
        );
        const html = await withLatestUpdate(store, signal.id, plan);
        const buttons = live ? [[{ text: "🎯 Open mission", url: missionLink(config, signal.id) }]] : undefined;
        for (const row of await store.alerts.listAlerts(signal.id)) {
          if (row.message_id === null || row.state === "sending" || row.state === "failed") continue;
          try {
            await messenger.editMessageText(row.chat_id, row.message_id, html, {
              ...(buttons ? { buttons } : {}),
              priority: PRIORITY.alert,
            });
          } catch (err) {
            if (err instanceof DeliveryStopped) return;
            if (failureKind(err) !== "not_modified") log(`alert ${signal.id} could not show update ${update.id}`, err);
          }
          try {
            await messenger.sendMessage(row.chat_id, updateReply(update, signal), {
              replyTo: row.message_id,
              priority: PRIORITY.alert,
            });
          } catch (err) {
            if (err instanceof DeliveryStopped) return;
            log(`reply for update ${update.id} could not be posted in chat ${row.chat_id}`, err);
          }
        }
      });
      for (const userId of skippedUsers)
        dms.dm(
          userId,
          async () => eaTooOldText(update, signal, await app.terminals.nameIfSeveral(userId)),
          {},
          PRIORITY.update,
        );
    },

    settled(updateId: string, userId: number, commands: PositionCommandView[]): void {
      // Read when the DM is built (on the user's queue): no store call from the emitter's flow.
      dms.dm(
        userId,
        async () => {
          const row = await store.updates.findUpdate(updateId);
          const signal = row ? await store.signals.findSignal(row.signal_id) : null;
          if (!row || !signal) return null;
          // A trader with several terminals gets one of these per terminal: each names its own.
          const terminal = await app.terminals.nameIfSeveral(userId);
          return settledText(await updateView(store, row), signal, commands, terminal);
        },
        {},
        PRIORITY.update,
      );
    },
  };
}
