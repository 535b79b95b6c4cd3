/**
 * `npm run trace -- <fire id | command id>`: the whole life of one fire, for a human — the signal,
 * the fire and its legs as they stand, then every event of the append-only log in order, timed
 * from the moment the fire was accepted. Opens DATABASE_PATH read-only: safe while the server runs.
 */
import { pathToFileURL } from "node:url";
import type { Sqlite } from "../../db/index.ts";
import { createStore, type Store } from "../../db/store.ts";
import { databasePathFromEnv, fail, openExistingReadOnly } from "./db-path.ts";

type Row = Record<string, unknown>;

const show = (v: unknown) => (v === null || v === undefined || v === "" ? "—" : String(v));

/** Seconds between two ISO times, signed, e.g. `+0.042 s`. */
function offset(at: string, originMs: number): string {
  const ms = Date.parse(at) - originMs;
  if (!Number.isFinite(ms)) return "        ?";
  return `${ms < 0 ? "-" : "+"}${(Math.abs(ms) / 1000).toFixed(3)} s`.padStart(11);
}

/** One line of what an event says, picking the fields that matter for its type. */
function summary(type: string, data: Row | null): string {
  if (!data) return "";
  const pick = (...keys: string[]) =>
    keys
      .filter((k) => data[k] !== undefined && data[k] !== null && data[k] !== "")
      .map((k) => `${k}=${typeof data[k] === "object" ? JSON.stringify(data[k]) : String(data[k])}`)
      .join(" ");
  if (type === "command.queued")
    return `${data.id} leg ${data.leg}: ${data.side} ${data.volume} ${data.symbol} @ ${data.entry} SL ${data.stop_loss} TP ${show(data.take_profit)} (max distance ${data.max_entry_distance}, expires ${data.expires_at})`;
  if (type === "fire.created") return pick("lots", "risk_amount", "legs");
  if (type === "update.queued" || type === "manage.queued") {
    const sent = Array.isArray(data.commands) ? data.commands.length : 0;
    return `${pick("update_id", "action", "leg", "stop_loss", "take_profit")} commands=${sent} skipped=${show(data.skipped)}`;
  }
  if (type.startsWith("position."))
    return pick("id", "update_id", "action", "leg", "status", "retcode", "plain_message");
  if (type.startsWith("command."))
    return pick(
      "id",
      "status",
      "retcode",
      "ticket",
      "price",
      "volume",
      "close_price",
      "profit",
      "plain_message",
      "message",
    );
  if (type === "signal.created" && data.signal && typeof data.signal === "object")
    return `source=${show(data.source)} ${summary("signal", data.signal as Row)}`;
  if (type.startsWith("signal"))
    return pick("symbol", "side", "entry", "stop_loss", "take_profit", "expires_at", "reason");
  const text = JSON.stringify(data);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/**
 * The trace of the fire `id` (a fire id, or the id of one of its commands) as text, or null when
 * the database has no such fire.
 */
export async function formatTrace(store: Store, id: string): Promise<string | null> {
  const fireId = (await store.fires.findFireById(id))?.id ?? (await store.commands.findCommand(id))?.fire_id;
  const fire = fireId ? await store.fires.findFireById(fireId) : null;
  if (!fire) return null;
  const signal = await store.signals.findSignal(fire.signal_id);
  const user = await store.users.findUser(fire.user_id);
  const legs = await store.commands.listLegs(fire.id);
  const originMs = Date.parse(fire.created_at);
  const lines: string[] = [];
  const who = user ? [user.first_name, user.username && `@${user.username}`].filter(Boolean).join(" ") : "";
  lines.push(`Fire ${fire.id}`);
  lines.push(
    `  user     ${fire.user_id}${who ? ` (${who})` : ""}, tier ${show(user?.tier)}, risk ${show(user?.risk_percent)} %`,
  );
  if (signal) {
    lines.push(
      `  signal   ${signal.id}: ${signal.side} ${signal.symbol} entry ${signal.entry} SL ${signal.stop_loss} TP ${signal.take_profit.join(", ")}`,
    );
    lines.push(
      `           created ${signal.created_at} (${signal.source}), expires ${signal.expires_at}, ${signal.status}`,
    );
  }
  lines.push(
    `  order    ${fire.side} ${fire.lots} lots ${fire.symbol} (broker ${fire.broker_symbol}), risk ${show(fire.risk_amount)}`,
  );
  lines.push(
    `  state    ${fire.state.toUpperCase()}  fill ${show(fire.fill_price)}  slippage ${show(fire.slippage_pips)} pips  latency ${show(fire.latency_ms)} ms  profit ${show(fire.profit)}`,
  );
  if (fire.message) lines.push(`  message  ${fire.message}`);
  lines.push(
    `  created  ${fire.created_at}, updated ${fire.updated_at}${fire.closed_at ? `, closed ${fire.closed_at}` : ""}`,
  );
  lines.push("", `Legs (${legs.length})`);
  for (const leg of legs) {
    const ms = (t: number | null) => (t === null ? "—" : `+${((t - originMs) / 1000).toFixed(3)} s`);
    lines.push(
      `  #${leg.leg} ${leg.id}  ${leg.state.toUpperCase()}  volume ${show(leg.volume ?? JSON.parse(leg.payload).volume)}  price ${show(leg.price)}  ticket ${show(leg.ticket)}  retcode ${show(leg.retcode)}`,
    );
    lines.push(
      `      deliveries ${leg.deliveries} (first ${ms(leg.first_delivered_ms)}, last ${ms(leg.delivered_ms)}), result ${ms(leg.result_ms)}${leg.closed_at ? `, closed ${leg.closed_at} at ${leg.close_price} profit ${leg.profit}` : ""}${leg.message ? `, "${leg.message}"` : ""}`,
    );
  }
  // Signal-wide events (created, cancelled) frame the fire's own events.
  const signalEvents = await store.fires.listSignalEvents(fire.signal_id);
  const events = [...signalEvents, ...(await store.fires.listFireEvents(fire.id))].sort((a, b) => a.seq - b.seq);
  lines.push("", `Timeline (${events.length} events; times from the fire's creation at ${fire.created_at})`);
  for (const e of events) {
    const data = e.data ? (JSON.parse(e.data) as Row) : null;
    lines.push(
      `  ${offset(e.at, originMs)}  ${e.at}  ${e.type.padEnd(18)} ${show(e.actor).padEnd(12)} ${summary(e.type, data)}`.trimEnd(),
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const id = process.argv[2]?.trim();
  if (!id || id.startsWith("-")) fail("trace", "usage: npm run trace -- <fire id | command id>");
  const path = databasePathFromEnv();
  let sqlite: Sqlite;
  try {
    sqlite = openExistingReadOnly(path);
  } catch (err) {
    fail("trace", (err as Error).message);
  }
  try {
    const text = await formatTrace(createStore(sqlite), id);
    if (text === null) fail("trace", `no fire or command with id ${JSON.stringify(id)} in ${path}`);
    console.log(text);
  } finally {
    sqlite.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
