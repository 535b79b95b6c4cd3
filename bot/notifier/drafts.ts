import type { StagedSignal } from "../../core/schedule.ts";
import type { AppContext } from "../../server/context.ts";
import type { BotLog } from "../context.ts";
import { draftButtons, draftText } from "../format/draft.ts";
import type { Messenger } from "../messenger.ts";
import type { WorkQueue } from "./queue.ts";

/**
 * The engine's drafts in the admins' private chats: one DM per admin with Approve / Edit / Reject
 * (an auto-published draft comes already marked published), and every DM edited when anyone
 * approves, edits, rejects it or it expires. All work on one draft runs in order on the queue.
 */
export function createDraftNotices(deps: {
  app: AppContext;
  messenger: Messenger;
  log: BotLog;
  queue: WorkQueue;
  chatIds: readonly number[];
}) {
  const { app, messenger, log, queue, chatIds } = deps;
  const reviewBy = async (id: string) => (await app.store.staged.findStaged(id))?.expires_ms ?? 0;

  return {
    created(draft: StagedSignal, autoPublish: boolean): void {
      if (autoPublish) return; // its "published" settlement posts the one message
      queue.run(`draft:${draft.id}`, async () => {
        const html = draftText(draft, await reviewBy(draft.id));
        await Promise.all(
          chatIds.map(async (chatId) => {
            try {
              const sent = await messenger.sendMessage(chatId, html, { buttons: draftButtons(draft.id) });
              await app.store.staged.addDraftMessage(draft.id, chatId, sent.message_id);
            } catch (err) {
              log(`draft ${draft.id} could not be sent to admin ${chatId}`, err);
            }
          }),
        );
      });
    },

    /** Shows the draft as it is now in every DM (after an edit: with its buttons). */
    refresh(draft: StagedSignal, outcome?: { kind: "published" | "rejected" | "expired"; actor: string }): void {
      queue.run(`draft:${draft.id}`, async () => {
        const html = draftText(draft, await reviewBy(draft.id), outcome);
        const shown = await app.store.staged.listDraftMessages(draft.id);
        if (shown.length === 0 && outcome?.kind === "published") {
          // Auto-published: never shown as a draft, so tell the admins once.
          for (const chatId of chatIds) {
            await messenger
              .sendMessage(chatId, html)
              .catch((err: unknown) => log(`draft notice to ${chatId} failed`, err));
          }
          return;
        }
        await Promise.all(
          shown.map((m) =>
            messenger
              .editMessageText(m.chat_id, m.message_id, html, outcome ? {} : { buttons: draftButtons(draft.id) })
              .catch((err: unknown) => log(`draft ${draft.id} DM in ${m.chat_id} could not be edited`, err)),
          ),
        );
      });
    },
  };
}
