import type { ClosedReport, CommandResult } from "../../../bridge/protocol.ts";
import { closedAction, resultAction } from "../../../core/leg-reports.ts";
import { takeProfitLeg } from "../../../core/legs.ts";
import { FILLED_RETCODES, retcodeMessage } from "../../../core/retcodes.ts";
import { XP_RULES } from "../../../core/xp.ts";
import type { Store } from "../../../db/store.ts";
import type { Clock } from "../../clock.ts";
import { ApiError, forbidden, notFound } from "../../errors.ts";
import type { Hub } from "../../events/hub.ts";
import { type Emit, fireChanged, flush, statsEvent } from "./changes.ts";
import { closeLeg } from "./close-leg.ts";
import { positionOfClose, submitPositionResult } from "./positions.ts";

/** A terminal's reports: the result of a command and the close of a leg. */
export function createReports(deps: {
  store: Store;
  hub: Hub;
  clock: Clock;
  trader: (bridgeUserId: number) => Promise<number>;
  onTp1Closed?: (signalId: string) => Promise<void>;
}) {
  const { store, hub, clock, trader } = deps;

  /** The terminal's own command, held until the report's transaction ends (reports on one leg take turns). */
  async function ownCommand(userId: number, id: string) {
    const row = await store.commands.lockCommand(id);
    if (!row) throw notFound("Command");
    if (row.user_id !== userId) throw forbidden("This command belongs to another terminal");
    return row;
  }

  return {
    async submitResult(userId: number, body: CommandResult): Promise<void> {
      const nowMs = clock.now();
      const events: Emit = [];
      await store.transaction(async () => {
        if (await submitPositionResult(store, userId, body, nowMs, events)) return;
        const row = await ownCommand(userId, body.id);
        // Idempotent per command id; a late result never re-opens a closed leg (core/leg-reports.ts).
        if (resultAction(row.state) !== "apply") return;
        const retcode = body.retcode ?? null;
        const state =
          body.status === "filled" && retcode !== null && !FILLED_RETCODES.has(retcode) ? "rejected" : body.status;
        const message =
          state === "filled"
            ? null
            : (body.message?.trim() || retcodeMessage(retcode) || `Order ${state}`).slice(0, 500);
        await store.commands.setLegResult(
          row.id,
          {
            state,
            retcode,
            ticket: body.ticket === undefined || body.ticket === null ? null : String(body.ticket),
            price: body.price ?? null,
            volume: body.volume ?? null,
            message,
          },
          nowMs,
        );
        // The fire's row lock before the audit event, so the log keeps the order in which reports
        // on one fire were applied (recomputeFire takes it too; here it is already held).
        await store.terminals.lockFire(row.fire_id);
        await store.fires.appendEvent({
          type: `command.${state}`,
          actor: "bridge",
          user_id: userId,
          fire_id: row.fire_id,
          data: { ...body, plain_message: message },
        });
        // Re-derived under the fire's row lock, which leaves `xp_awarded` as it was: two terminals'
        // fills of one fire award the fill XP once.
        const fire = await fireChanged(store, row.fire_id, nowMs, "result", events);
        if (state === "filled" && fire.xp_awarded === 0 && fire.state === "filled") {
          const traderId = await trader(userId);
          await store.stats.awardXp(traderId, fire.id, XP_RULES.filled);
          await statsEvent(store, traderId, nowMs, XP_RULES.filled, events);
        }
        // A close that arrived first now applies, in order.
        if (state === "filled" && row.held_close !== null) {
          await store.commands.holdClose(row.id, null);
          await closeLeg(
            store,
            await trader(userId),
            row.id,
            JSON.parse(row.held_close) as ClosedReport,
            nowMs,
            events,
          );
        }
      });
      flush(hub, events);
    },

    async submitClosed(userId: number, body: ClosedReport): Promise<void> {
      const nowMs = clock.now();
      const events: Emit = [];
      let tp1SignalId: string | null = null;
      await store.transaction(async () => {
        // A close made by a `close` command reports that command's id: it closes the leg it managed.
        const row = await ownCommand(userId, (await positionOfClose(store, body.id))?.position_of ?? body.id);
        if (takeProfitLeg(row.leg) === 1 && body.profit > 0)
          tp1SignalId = (await store.fires.findFireById(row.fire_id))?.signal_id ?? null;
        const action = closedAction(row.state, row.held_close !== null);
        if (typeof action === "object") throw ApiError.from(action);
        if (action === "ignore") return; // idempotent
        if (action === "hold") {
          await store.commands.holdClose(row.id, JSON.stringify(body));
          await store.fires.appendEvent({
            type: "command.closed_held",
            actor: "bridge",
            user_id: userId,
            fire_id: row.fire_id,
            data: body,
          });
          return;
        }
        await closeLeg(store, await trader(userId), row.id, body, nowMs, events);
      });
      flush(hub, events);
      // Also on a repeated report: the breakeven is claimed once, so a crash after the close's
      // commit and before this line cannot lose it (the terminal re-sends its unacknowledged report).
      if (tp1SignalId) await deps.onTp1Closed?.(tp1SignalId);
    },
  };
}
