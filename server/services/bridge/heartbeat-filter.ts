import type { HeartbeatPrice, HeartbeatSymbol } from "../../../bridge/protocol.ts";
import type { Store } from "../../../db/store.ts";
import { badRequest } from "../../errors.ts";
import { BoundedMap } from "../../memory.ts";

/**
 * The most symbol specs, and the most prices, one terminal may have stored (a heartbeat carries at
 * most as many: routes/bridge.ts). MT5's Market Watch rarely lists more than a few hundred.
 */
export const MAX_TERMINAL_SYMBOLS = 2000;

const specKey = (s: HeartbeatSymbol) =>
  `${s.tick_size}|${s.tick_value}|${s.volume_min}|${s.volume_step}|${s.volume_max}|${s.contract_size}|${s.digits}`;
// The price's own time is not compared: nothing reads it back, and it changes with every tick.
const priceKey = (p: { bid: number; ask: number }) => `${p.bid}|${p.ask}`;

/**
 * Keeps heartbeats bounded: what each terminal last stored (loaded once per terminal from the
 * database, then kept in memory), so a heartbeat writes only the specs and prices that changed,
 * and a terminal can never store more than MAX_TERMINAL_SYMBOLS names of either kind (a bridge
 * token posting fresh names every second grew the database by 40,000 rows in under 3 s).
 */
export function createHeartbeatFilter(store: Store, maxTerminals: number) {
  /** Forgetting a terminal costs one read of what it stored, on its next heartbeat. */
  const byUser = new BoundedMap<number, { specs: Map<string, string>; prices: Map<string, string> }>(maxTerminals);

  async function storedFor(userId: number) {
    let stored = byUser.get(userId);
    if (!stored) {
      const [specs, prices] = [await store.terminal.listSymbolSpecs(userId), await store.terminal.listPrices(userId)];
      stored = byUser.get(userId) ?? {
        specs: new Map(specs.map((s) => [s.name, specKey(s)])),
        prices: new Map(prices.map((p) => [p.symbol, priceKey(p)])),
      };
      byUser.set(userId, stored);
    }
    return stored;
  }

  function changed<T>(
    field: "symbols" | "prices",
    stored: Map<string, string>,
    items: readonly T[],
    nameOf: (item: T) => string,
    keyOf: (item: T) => string,
  ): Array<{ item: T; key: string }> {
    const latest = new Map<string, { item: T; key: string }>();
    for (const item of items) latest.set(nameOf(item), { item, key: keyOf(item) });
    let added = 0;
    for (const name of latest.keys()) if (!stored.has(name)) added++;
    if (stored.size + added > MAX_TERMINAL_SYMBOLS) {
      throw badRequest(
        `${field}: a terminal may store at most ${MAX_TERMINAL_SYMBOLS} ${field === "symbols" ? "symbol specs" : "prices"}; ` +
          `this one has ${stored.size} and the heartbeat adds ${added} new names (trim Market Watch)`,
        field,
      );
    }
    return [...latest].filter(([name, { key }]) => stored.get(name) !== key).map(([, entry]) => entry);
  }

  return {
    /** Terminals remembered. */
    get size() {
      return byUser.size;
    },
    /** Drops what is known of a terminal's stored rows (another instance wrote them). */
    forget(userId: number): void {
      byUser.delete(userId);
    },
    /**
     * The specs and prices of a heartbeat that differ from what is stored, and `commit` to call
     * once they are written. Throws BAD_REQUEST naming the field when the terminal's cap is passed.
     */
    async changes(userId: number, symbols: readonly HeartbeatSymbol[], prices: readonly HeartbeatPrice[]) {
      const stored = await storedFor(userId);
      const newSpecs = changed("symbols", stored.specs, symbols, (s) => s.name, specKey);
      const newPrices = changed("prices", stored.prices, prices, (p) => p.symbol, priceKey);
      return {
        symbols: newSpecs.map((e) => e.item),
        prices: newPrices.map((e) => e.item),
        commit(): void {
          for (const { item, key } of newSpecs) stored.specs.set(item.name, key);
          for (const { item, key } of newPrices) stored.prices.set(item.symbol, key);
        },
      };
    },
  };
}
