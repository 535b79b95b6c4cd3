/**
 * Protocol 1.1 on Sortie's side: delivering modify/close commands (same at-least-once rules as open
 * commands) and recording the terminal's answers, once per command id.
 */
import type { CommandResult, TerminalCommand } from "../../../bridge/protocol.ts";
import { retcodeMessage } from "../../../core/retcodes.ts";
import type { PositionCommandRow } from "../../../db/queries/updates/index.ts";
import type { Store } from "../../../db/store.ts";
import { forbidden } from "../../errors.ts";
import type { Hub } from "../../events/hub.ts";
import { commandView } from "../updates/view.ts";
import type { Emit } from "./changes.ts";

const PENDING = new Set(["queued", "delivered"]);

/** Modify/close commands due for this user's terminal, marked delivered; first deliveries are announced. */
export async function takePositionCommands(
  store: Store,
  hub: Hub,
  userId: number,
  nowMs: number,
  visibilityMs: number,
): Promise<TerminalCommand[]> {
  const rows = await store.updates.takeDue(userId, nowMs, visibilityMs);
  if (rows.length === 0) return [];
  const first = rows.filter((r) => r.deliveries === 0);
  if (first.length > 0) {
    setImmediate(() => {
      for (const r of first) {
        const command = commandView({ ...r, state: "delivered", deliveries: 1 });
        hub.emit("position.updated", { fire_id: r.fire_id, user_id: userId, update_id: r.update_id, command });
      }
    });
  }
  return rows.map((r) => JSON.parse(r.payload) as TerminalCommand);
}

/**
 * Records a terminal's answer to a modify/close command. Call inside a transaction. `filled` means
 * applied; a repeated answer changes nothing; an answer to a command superseded meanwhile is kept
 * for the record without reviving it. Returns false when the id is not a position command.
 */
export async function submitPositionResult(
  store: Store,
  userId: number,
  body: CommandResult,
  nowMs: number,
  events: Emit,
): Promise<boolean> {
  const row = await store.updates.lockPositionCommand(body.id);
  if (!row) return false;
  if (row.user_id !== userId) throw forbidden("This command belongs to another terminal");
  if (row.result_ms !== null) return true; // idempotent per command id
  const state = body.status === "filled" ? "applied" : body.status;
  const retcode = body.retcode ?? null;
  const message =
    state === "applied" ? null : (body.message?.trim() || retcodeMessage(retcode) || `Command ${state}`).slice(0, 500);
  if (row.state === "superseded" || row.state === "skipped")
    await store.updates.setLateResult(row.id, retcode, message, nowMs);
  else await store.updates.setPositionResult(row.id, state, retcode, message, nowMs);
  await store.fires.appendEvent({
    type: `position.${state}`,
    actor: "bridge",
    user_id: userId,
    fire_id: row.fire_id,
    data: { ...body, update_id: row.update_id, action: row.action, leg: row.leg, plain_message: message },
  });
  const after = (await store.updates.findPositionCommand(row.id))!;
  events.push([
    "position.updated",
    { fire_id: row.fire_id, user_id: userId, update_id: row.update_id, command: commandView(after) },
  ]);
  const mine = await store.updates.listUpdateCommands(row.update_id, userId);
  if (!mine.some((c) => PENDING.has(c.state))) {
    const settled = mine.filter((c) => c.state !== "superseded" && c.state !== "skipped").map(commandView);
    if (settled.length > 0)
      events.push(["update.settled", { update_id: row.update_id, user_id: userId, commands: settled }]);
  }
  return true;
}

/** A closed report may name the close command instead of the position: the position it closed. */
export async function positionOfClose(store: Store, id: string): Promise<PositionCommandRow | null> {
  const row = await store.updates.findPositionCommand(id);
  return row?.action === "close" ? row : null;
}
