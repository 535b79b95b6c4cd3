import { xpForClose } from "../../core/xp.ts";
import type { FireView } from "../../db/rows.ts";
import type { AppContext } from "../../server/context.ts";
import type { BotLog } from "../context.ts";
import { closedText, filledText, refusedText } from "../format/dm.ts";
import { missionLink } from "../links.ts";
import { failureKind, type MessageOptions, type Messenger } from "../messenger.ts";
import type { WorkQueue } from "./queue.ts";

const REFUSED = new Set(["rejected", "failed", "expired"]);

/**
 * Direct messages to traders. One user's DMs go out in order; a user who blocked the bot or never
 * started it (403) is marked unreachable and not written to again until they talk to the bot.
 */
export function createDms(deps: { app: AppContext; messenger: Messenger; log: BotLog; queue: WorkQueue }) {
  const { app, messenger, log, queue } = deps;
  const { store, config } = app;
  /** Closed fires waiting for the stats event that carries their XP (emitted right after). */
  const awaitingXp = new Map<number, FireView>();

  /** Queues a DM; `html` is built when it is sent. */
  function dm(userId: number, html: () => string | Promise<string>, options: MessageOptions = {}): void {
    queue.run(`dm:${userId}`, async () => {
      const user = await store.users.findUser(userId);
      if (!user || user.dm_status === "unreachable") return;
      try {
        await messenger.sendMessage(userId, await html(), options);
        await store.users.setDmStatus(userId, "ok");
      } catch (err) {
        if (failureKind(err) !== "unreachable") return log(`DM to ${userId} failed`, err);
        if (await store.users.setDmStatus(userId, "unreachable")) {
          log(`user ${userId} cannot be reached by DM (blocked the bot or never started it)`);
        }
      }
    });
  }

  const missionButton = (fire: FireView) => ({
    buttons: [[{ text: "Open trade", url: missionLink(config, fire.signal_id) }]],
  });

  function sendClosed(fire: FireView, xpGained: number) {
    dm(
      fire.user_id,
      async () => closedText(fire, (await store.users.findUser(fire.user_id))?.currency ?? null, xpGained),
      missionButton(fire),
    );
  }

  return {
    dm,
    fireUpdated(fire: FireView, previousState: string): void {
      if (fire.state === previousState) return;
      if (fire.state === "filled") dm(fire.user_id, () => filledText(fire), missionButton(fire));
      else if (REFUSED.has(fire.state)) dm(fire.user_id, () => refusedText(fire), missionButton(fire));
      else if (fire.state === "closed") {
        awaitingXp.set(fire.user_id, fire);
        // The bridge emits stats.updated in the same synchronous batch; if it does not, use core's rule.
        queueMicrotask(() => {
          if (awaitingXp.get(fire.user_id) !== fire) return;
          awaitingXp.delete(fire.user_id);
          sendClosed(fire, xpForClose(fire.profit ?? 0));
        });
      }
    },
    statsUpdated(userId: number, xpGained: number): void {
      const fire = awaitingXp.get(userId);
      if (!fire) return;
      awaitingXp.delete(userId);
      sendClosed(fire, xpGained);
    },
  };
}

export type Dms = ReturnType<typeof createDms>;
