import { commandPayload } from "../../../db/queries/commands.ts";
import type { Store } from "../../../db/store.ts";
import type { Hub } from "../../events/hub.ts";
import { type Emit, fireChanged, flush } from "./changes.ts";

/** A delivered command past expiry gets this long for a late report before it is expired. */
export const LATE_REPORT_GRACE_MS = 60_000;

/**
 * Expires commands that can no longer execute. Never delivered and past expiry: the EA would
 * refuse it anyway. Delivered without a result: a minute's grace for a late report (the EA
 * re-reports a stored result on redelivery).
 */
export async function sweepCommands(store: Store, hub: Hub, nowMs: number): Promise<void> {
  const events: Emit = [];
  await store.transaction(async () => {
    for (const row of await store.commands.listOverdue(new Date(nowMs).toISOString())) {
      const expiresMs = Date.parse(commandPayload(row).expires_at);
      if (row.state === "delivered" && nowMs - expiresMs < LATE_REPORT_GRACE_MS) continue;
      const message =
        row.state === "queued"
          ? "Expired before the terminal picked it up"
          : "No result from the terminal before expiry";
      await store.commands.expireLeg(row.id, message, nowMs);
      await store.fires.appendEvent({
        type: "command.expired",
        actor: "sortie",
        user_id: row.user_id,
        fire_id: row.fire_id,
        data: { message },
      });
      await fireChanged(store, row.fire_id, nowMs, "expired", events);
    }
  });
  flush(hub, events);
}
