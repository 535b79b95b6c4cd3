import { DEFAULT_SPECS } from "../../../core/instruments/index.ts";
import { takeProfitLeg } from "../../../core/legs.ts";
import { speaksManage } from "../../../core/trade-update.ts";
import type { Store } from "../../../db/store.ts";
import { notFound } from "../../errors.ts";
import { commandView, updateView } from "./view.ts";

interface TimelineEntry {
  at: string;
  kind: "opened" | "stop_moved" | "target_moved" | "partial_close" | "closed" | "rejected" | "requested";
  leg: number | null;
  text: string;
}

type Data = Record<string, unknown>;
const num = (v: unknown) => (typeof v === "number" ? v : null);

/** A price at the symbol's digits, as the rest of the app shows it (1.08470, not 1.0847). */
const priceText = (symbol: string, value: unknown) => {
  const digits = DEFAULT_SPECS.get(symbol)?.digits;
  return typeof value === "number" && digits !== undefined ? value.toFixed(digits) : String(value);
};

/** What a trader or an admin asked, in words: "move the stop to 1.08470", "close leg 2". */
function askedText(symbol: string, data: Data): string {
  const leg = num(data.leg);
  switch (data.action) {
    case "move_sl":
      return `move the stop to ${priceText(symbol, data.stop_loss)}`;
    case "breakeven":
      return "move the stop to breakeven";
    case "move_tp":
      return `move ${leg === null ? "the" : `leg ${leg}'s`} target to ${priceText(symbol, data.take_profit)}`;
    case "close":
      return leg === null ? "close every leg" : `close leg ${leg}`;
    default:
      return String(data.action);
  }
}

/**
 * One fire's life after entry for its owner: open positions with their current levels, the
 * requests and updates that reached it, their commands, and a timeline read from the event log
 * (opened, stop moved, target moved, partial close, closed with P&L, refused).
 */
export async function fireTimeline(store: Store, userId: number, fireId: string) {
  const fire = await store.fires.findFireById(fireId);
  if (!fire || fire.user_id !== userId) throw notFound("Fire");
  const commands = await store.updates.listFireCommands(fireId);
  const byId = new Map(commands.map((c) => [c.id, c]));
  const timeline: TimelineEntry[] = [];
  for (const event of await store.fires.listFireEvents(fireId)) {
    const data = (event.data ? JSON.parse(event.data) : {}) as Data;
    const legOf = (id: unknown) => fire.legs.find((l) => l.id === id)?.leg ?? null;
    if (event.type === "command.filled") {
      timeline.push({
        at: event.at,
        kind: "opened",
        leg: legOf(data.id),
        text: `Opened ${data.volume ?? ""} lots at ${data.price}`,
      });
    } else if (event.type === "command.closed") {
      const profit = num(data.profit) ?? 0;
      const leg = legOf(data.position_of ?? data.id);
      timeline.push({
        at: event.at,
        kind: "closed",
        leg,
        text: `Closed at ${data.close_price}, P&L ${profit >= 0 ? "+" : ""}${profit.toFixed(2)}`,
      });
    } else if (
      event.type === "position.applied" ||
      event.type === "position.rejected" ||
      event.type === "position.failed"
    ) {
      const command = byId.get(String(data.id));
      if (!command) continue;
      if (event.type !== "position.applied") {
        timeline.push({
          at: event.at,
          kind: "rejected",
          leg: takeProfitLeg(command.leg),
          text: `${command.action === "close" ? "Close" : "Change"} refused: ${data.plain_message ?? ""}`,
        });
      } else if (command.action === "close") {
        // A full close shows once, from the closed report (with its P&L); a partial one here.
        const volume = num(data.volume);
        const leg = fire.legs.find((l) => l.id === command.position_of);
        if (volume !== null && leg && leg.volume > volume + 1e-9) {
          timeline.push({
            at: event.at,
            kind: "partial_close",
            leg: takeProfitLeg(command.leg),
            text: `Closed ${volume} lots at ${data.price}`,
          });
        }
      } else {
        const update = await store.updates.findUpdate(command.update_id);
        const kind = update?.action === "move_tp" ? "target_moved" : "stop_moved";
        const text =
          kind === "target_moved"
            ? `Target → ${priceText(fire.symbol, command.take_profit)}`
            : `Stop → ${priceText(fire.symbol, command.stop_loss)}${update?.action === "breakeven" ? " (breakeven)" : ""}`;
        timeline.push({ at: event.at, kind, leg: takeProfitLeg(command.leg), text });
      }
    } else if (event.type === "manage.queued" || event.type === "update.queued") {
      timeline.push({
        at: event.at,
        kind: "requested",
        leg: num(data.leg),
        text: `${event.type === "manage.queued" ? "You asked" : "Admin update"}: ${askedText(fire.symbol, data)}`,
      });
    }
  }
  const protocol = await store.updates.findProtocol(userId);
  const requests = await store.updates.listFireUpdates(fireId);
  return {
    fire_id: fire.id,
    protocol,
    manageable: speaksManage(protocol),
    open: (await store.updates.listOpenPositionsOfFire(fireId)).map((p) => ({
      leg: takeProfitLeg(p.leg),
      position_of: p.position_of,
      fill_price: p.fill_price,
      stop_loss: p.stop_loss,
      take_profit: p.take_profit,
    })),
    requests: await Promise.all(requests.map((row) => updateView(store, row))),
    commands: commands.map(commandView),
    timeline,
  };
}
