/** The paper terminal: a TypeScript stand-in for the Sortie MQL5 EA, over either transport. */
import type { CommandResult, Heartbeat, HeartbeatSymbol } from "../protocol.ts";
import { createCommandHandler, type Knobs } from "./commands.ts";
import { createEmitter } from "./events.ts";
import type { Quote } from "./feed.ts";
import { createFileLink } from "./file-link.ts";
import { createHttpLink } from "./http-link.ts";
import { type PaperLink, sleep } from "./link.ts";
import { createOutboxSender, type OutboxSender } from "./outbox.ts";
import { freshState, loadState, type PaperState, saveState } from "./state.ts";
import { closeIfHit, closingPrice, profitMoney } from "./stops.ts";
import type { PaperEvents, PaperTerminal, PaperTerminalOptions } from "./types.ts";

/** One start()…stop() run; a restart gets a new one, so a dead run's leftovers cannot act. */
interface Run {
  active: boolean;
  life: AbortController;
  intake: AbortController;
  sender: OutboxSender;
  loops: Promise<void>[];
  stopsTimer: NodeJS.Timeout;
}

/** Builds a paper terminal; nothing runs until `start()`. */
export function createPaperTerminal(options: PaperTerminalOptions): PaperTerminal {
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? 10_000;
  const reported = new Map(options.symbols.map((spec) => [spec.name, spec]));
  const overrides = new Map<string, Quote>();
  const events = createEmitter<PaperEvents>(log);
  const knobs: Knobs = {
    slowMs: 0,
    forcedRetcodes: [],
    loseNextResult: false,
    crashAfterExecute: false,
    tradeAllowed: options.account.trade_allowed ?? true,
  };
  const link: PaperLink =
    options.transport.kind === "http"
      ? createHttpLink({ ...options.transport, retryBaseMs, retryMaxMs, log })
      : createFileLink({ ...options.transport, log });
  let state: PaperState = freshState(options.account.balance);
  let run: Run | null = null;

  const save = () => saveState(options.stateFile, state);
  const quoteOf = (symbol: string) => overrides.get(symbol) ?? options.prices.get(symbol);
  /** A symbol's spec now: its tick value at the current quote when `tickValueAt` is given. */
  const specs = {
    get(name: string): HeartbeatSymbol | undefined {
      const spec = reported.get(name);
      const quote = spec && options.tickValueAt ? quoteOf(name) : undefined;
      return spec && quote ? { ...spec, tick_value: options.tickValueAt!(spec, quote) } : spec;
    },
  };
  const isoNow = () => new Date(now()).toISOString();

  function report(current: Run, result: CommandResult): void {
    const queued = state.outbox.some((item) => item.kind === "result" && item.body.id === result.id);
    if (!queued) state.outbox.push({ kind: "result", body: result });
    save();
    current.sender.kick();
  }

  function checkStops(current: Run): void {
    if (!current.active) return;
    const closedNow = [];
    for (const position of state.positions) {
      const spec = specs.get(position.symbol);
      const quote = quoteOf(position.symbol);
      const closed = spec && quote ? closeIfHit(position, quote, spec, isoNow()) : null;
      if (closed) closedNow.push(closed);
    }
    if (closedNow.length === 0) return;
    for (const closed of closedNow) {
      state.positions = state.positions.filter((position) => position.ticket !== closed.ticket);
      state.balance = Math.round((state.balance + closed.profit) * 100) / 100;
      state.closed.push(closed);
      const { command_id: id, ticket, close_price, profit, closed_at } = closed;
      state.outbox.push({ kind: "closed", body: { id, ticket, close_price, profit, closed_at } });
    }
    save();
    for (const closed of closedNow) events.emit("closed", closed);
    current.sender.kick();
  }

  function heartbeatBody(): Heartbeat {
    let floatingMoney = 0;
    for (const position of state.positions) {
      const spec = specs.get(position.symbol);
      const quote = quoteOf(position.symbol);
      if (spec && quote) floatingMoney += profitMoney(position, closingPrice(position, quote), spec);
    }
    const time = isoNow();
    const prices = options.symbols.flatMap((spec) => {
      const quote = quoteOf(spec.name);
      return quote ? [{ symbol: spec.name, bid: quote.bid, ask: quote.ask, time }] : [];
    });
    const { login, server, currency } = options.account;
    const equity = Math.round((state.balance + floatingMoney) * 100) / 100;
    const account = { login, server, currency, balance: state.balance, equity, trade_allowed: knobs.tradeAllowed };
    const protocol = options.protocol ?? "1.1";
    const symbols = options.symbols.map((spec) => specs.get(spec.name) ?? spec);
    return { ...(protocol === "1" ? {} : { protocol }), account, symbols, prices };
  }

  async function heartbeatLoop(current: Run): Promise<void> {
    const heartbeatMs = options.heartbeatMs ?? 5000;
    while (current.active && !current.intake.signal.aborted) {
      const ok = await link.sendHeartbeat(heartbeatBody(), current.life.signal);
      if (current.active) events.emit("heartbeat", { ok });
      await sleep(heartbeatMs, current.intake.signal);
    }
  }

  function halt(current: Run): void {
    current.active = false;
    current.intake.abort();
    current.life.abort();
    clearInterval(current.stopsTimer);
    if (run === current) run = null;
  }

  function crash(): void {
    if (run) halt(run);
  }

  return {
    async start() {
      if (run) return;
      state = loadState(options.stateFile, options.account.balance);
      save();
      const current: Run = {
        active: true,
        life: new AbortController(),
        intake: new AbortController(),
        sender: undefined as unknown as OutboxSender,
        loops: [],
        stopsTimer: setInterval(() => checkStops(current), options.stopsCheckMs ?? 100),
      };
      current.stopsTimer.unref();
      const pause = (ms: number) => sleep(ms, current.life.signal);
      current.sender = createOutboxSender({
        items: () => state.outbox,
        send: (item) => link.sendReport(item, current.life.signal),
        removed: (item, outcome) => {
          save();
          if (outcome === "sent") events.emit("reported", item);
        },
        isActive: () => current.active,
        pause,
        retryBaseMs,
        retryMaxMs,
      });
      const handle = createCommandHandler({
        state: () => state,
        save,
        specs,
        quoteOf,
        now,
        knobs,
        isActive: () => current.active,
        pause,
        emit: (payload) => events.emit("executed", payload),
        report: (result) => report(current, result),
        crash,
        log,
        protocol: options.protocol ?? "1.1",
        closed: (position) => events.emit("closed", position),
      });
      run = current;
      current.loops.push(heartbeatLoop(current), link.runIntake(handle, current.intake.signal));
      current.sender.kick(); // reports queued before a restart go first
    },

    async stop() {
      const current = run;
      if (!current) return;
      current.intake.abort();
      await Promise.all(current.loops);
      const deadline = sleep(2000, current.life.signal);
      await Promise.race([current.sender.idle(), deadline]);
      if (current.active) save();
      halt(current);
    },

    crash,
    setPrice(symbol, bid, ask) {
      if (options.prices.set) options.prices.set(symbol, bid, ask);
      else overrides.set(symbol, { bid, ask });
      if (run) checkStops(run);
    },
    rejectNext(retcode, times = 1) {
      for (let i = 0; i < times; i++) knobs.forcedRetcodes.push(retcode);
    },
    setSlowMs(ms) {
      knobs.slowMs = ms;
    },
    loseNextResult() {
      knobs.loseNextResult = true;
    },
    crashAfterExecute() {
      knobs.crashAfterExecute = true;
    },
    setTradeAllowed(allowed) {
      knobs.tradeAllowed = allowed;
    },
    positions: () => structuredClone(state.positions),
    closedPositions: () => structuredClone(state.closed),
    executedIds: () => Object.keys(state.executed),
    balance: () => state.balance,
    pendingReports: () => structuredClone(state.outbox),
    on: (event, listener) => events.on(event, listener),
  };
}
