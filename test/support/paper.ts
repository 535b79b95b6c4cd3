import { join } from "node:path";
import type { PaperTerminal } from "../../bridge/paper/index.ts";
import { createPaperTerminal, createStaticFeed } from "../../bridge/paper/index.ts";
import type { HeartbeatSymbol } from "../../bridge/protocol.ts";
import type { Harness } from "./harness.ts";

export const spec = (name: string, over: Partial<HeartbeatSymbol> = {}): HeartbeatSymbol => ({
  name,
  tick_size: 0.00001,
  tick_value: 1,
  volume_min: 0.01,
  volume_step: 0.01,
  volume_max: 100,
  contract_size: 100000,
  digits: 5,
  ...over,
});

/** A paper terminal for `userId` speaking protocol v1 over real HTTP to the harness's server. */
export async function paperTrader(
  h: Harness,
  userId: number,
  opts: {
    symbols?: HeartbeatSymbol[];
    prices?: Record<string, { bid: number; ask: number }>;
    balance?: number;
    stateName?: string;
  } = {},
) {
  const token = await h.linkBridge(userId);
  const feed = createStaticFeed(opts.prices ?? { EURUSD: { bid: 1.0849, ask: 1.085 } });
  const make = (): PaperTerminal =>
    createPaperTerminal({
      transport: { kind: "http", baseUrl: h.url, token, pollWaitS: 2 },
      stateFile: join(h.dir, opts.stateName ?? `paper-${userId}.json`),
      account: { login: userId, server: "Paper-Demo", currency: "USD", balance: opts.balance ?? 10_000 },
      symbols: opts.symbols ?? [spec("EURUSD")],
      prices: feed,
      heartbeatMs: 500,
      retryBaseMs: 100,
      retryMaxMs: 500,
      stopsCheckMs: 20,
    });
  const terminal = make();
  await terminal.start();
  return { token, feed, terminal, make };
}
