/**
 * Handling one command the way the EA does: an id already executed is never executed again (its
 * stored result is reported again); a new id is recorded and saved BEFORE the order is sent.
 */
import { BridgeCommandSchema, describeMismatch } from "../filedrop/schemas.ts";
import type { BridgeCommand, CommandResult, HeartbeatSymbol, TerminalCommand } from "../protocol.ts";
import { commentTag, entryPrice, filledResult, precheck, refused, rejectedByServer } from "./execute.ts";
import type { Quote } from "./feed.ts";
import { alreadyApplied, applyManage, isManageAction, type ManageCommand, manageProblem } from "./manage.ts";
import { FILLED_RETCODES, RETRIED_RETCODES, retcodeMessage } from "./retcodes.ts";
import type { PaperState } from "./state.ts";
import type { PaperClosedPosition, PaperEvents } from "./types.ts";

/** Attempts for a transient retcode before giving up, and the pause between them. */
const ORDER_ATTEMPTS = 3;
const RETRY_PAUSE_MS = 50;
const INTERRUPTED =
  "interrupted before the broker confirmed the order; not sent again to avoid a duplicate - check the terminal";

/** Test and demo switches (see `PaperTerminal`). */
export interface Knobs {
  slowMs: number;
  forcedRetcodes: number[];
  loseNextResult: boolean;
  crashAfterExecute: boolean;
  tradeAllowed: boolean;
}

export interface CommandDeps {
  state: () => PaperState;
  save: () => void;
  specs: { get(name: string): HeartbeatSymbol | undefined };
  quoteOf: (symbol: string) => Quote | undefined;
  now: () => number;
  knobs: Knobs;
  /** True while the run that received the command is alive. */
  isActive: () => boolean;
  pause: (ms: number) => Promise<void>;
  emit: (payload: PaperEvents["executed"]) => void;
  /** Queues a result report (unless one for the id is already queued), saves the state, starts sending. */
  report: (result: CommandResult) => void;
  crash: () => void;
  log: (line: string) => void;
  /** "1.1" handles modify/close; "1" refuses them as malformed, like an old EA. */
  protocol: "1" | "1.1";
  /** A position closed by a close command (its closed report is already queued). */
  closed: (position: PaperClosedPosition) => void;
}

type Verdict = { kind: "fill"; retcode: number; price: number } | { kind: "refuse"; result: CommandResult };

/** Returns the handler: resolves true once the command's result is saved, false if the terminal died first. */
export function createCommandHandler(deps: CommandDeps): (raw: unknown) => Promise<boolean> {
  async function handle(raw: unknown): Promise<boolean> {
    if (!deps.isActive()) return false;
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id !== "string" || id === "") {
      deps.log("paper: ignored a command without an id");
      return true;
    }
    const stored = deps.state().executed[id];
    if (deps.protocol === "1.1" && isManageAction(raw)) return handleManage(id, raw, stored);
    if (stored !== undefined || findPosition(id)) return reReport(id, stored ?? null, raw);
    const problem = describeMismatch(BridgeCommandSchema, raw);
    if (problem) return settle(id, null, refused(id, "failed", 0, `bad command: ${problem}`));
    const command = raw as BridgeCommand;
    if (deps.knobs.slowMs > 0) await deps.pause(deps.knobs.slowMs);
    if (!deps.isActive()) return false;
    const refusal = precheck(command, {
      spec: deps.specs.get(command.symbol),
      quote: deps.quoteOf(command.symbol),
      nowMs: deps.now(),
      tradeAllowed: deps.knobs.tradeAllowed,
    });
    if (refusal) return settle(id, command, refusal);
    deps.state().executed[id] = null;
    deps.save(); // recorded before the order is sent: a crash from here on never sends it twice
    const verdict = await sendOrder(command);
    if (!deps.isActive()) return false;
    if (verdict.kind === "refuse") return settle(id, command, verdict.result);
    // From here to the save nothing awaits, so a crash cannot split the position from its result.
    const state = deps.state();
    const ticket = state.nextTicket++;
    state.positions.push({
      ticket,
      command_id: id,
      fire_id: command.fire_id,
      symbol: command.symbol,
      side: command.side,
      volume: command.volume,
      open_price: verdict.price,
      stop_loss: command.stop_loss,
      take_profit: command.take_profit,
      opened_at: new Date(deps.now()).toISOString(),
      comment: commentTag(id),
    });
    return settle(id, command, filledResult(command, verdict.retcode, ticket, verdict.price));
  }

  /**
   * Protocol 1.1: modify/close, at most once per id. The id is recorded and saved before acting;
   * the change and its result are then saved together (nothing awaits in between), so an id saved
   * without a result was never applied and is applied now, unless its effect is already there.
   */
  async function handleManage(id: string, raw: unknown, stored: CommandResult | null | undefined): Promise<boolean> {
    if (stored) {
      deps.report(stored);
      deps.emit({ id, command: raw as ManageCommand, result: stored, duplicate: true });
      return true;
    }
    const problem = manageProblem(raw);
    if (problem) return settle(id, null, refused(id, "failed", 0, `bad command: ${problem}`));
    const command = raw as ManageCommand;
    const state = deps.state();
    const prior = stored === null ? alreadyApplied(state, command) : null;
    if (prior) return settle(id, command, prior);
    if (deps.knobs.slowMs > 0) await deps.pause(deps.knobs.slowMs);
    if (!deps.isActive()) return false;
    state.executed[id] = null;
    deps.save();
    const position = state.positions.find((p) => p.command_id === command.position_of);
    const symbol = position?.symbol ?? command.symbol;
    const outcome = applyManage(state, command, {
      spec: deps.specs.get(symbol),
      quote: deps.quoteOf(symbol),
      tradeAllowed: deps.knobs.tradeAllowed,
      nowIso: new Date(deps.now()).toISOString(),
    });
    const done = settle(id, command, outcome.result);
    if (outcome.closed) deps.closed(outcome.closed);
    return done;
  }

  /** A position or closed deal whose comment carries the id (the EA's FindExecutedInTerminal). */
  function findPosition(id: string) {
    const tag = commentTag(id);
    const state = deps.state();
    return state.positions.find((open) => open.comment === tag) ?? state.closed.find((done) => done.comment === tag);
  }

  /** A repeated id: report what happened the first time, never trade again. */
  function reReport(id: string, stored: CommandResult | null, raw: unknown): boolean {
    let result = stored;
    if (result === null) {
      // Saved as "sending" (or not saved at all) and nothing known: look in the terminal by comment.
      const position = findPosition(id);
      result = position
        ? {
            ...filledResult({ id, volume: position.volume }, 10009, position.ticket, position.open_price),
            message: "already executed (found in the terminal by its order comment)",
          }
        : refused(id, "failed", 0, INTERRUPTED);
      deps.state().executed[id] = result;
    }
    deps.report(result);
    const command = describeMismatch(BridgeCommandSchema, raw) ? null : (raw as BridgeCommand);
    deps.emit({ id, command, result, duplicate: true });
    return true;
  }

  function settle(id: string, command: TerminalCommand | null, result: CommandResult): boolean {
    deps.state().executed[id] = result;
    const { knobs } = deps;
    const crashNow = knobs.crashAfterExecute;
    const loseResult = knobs.loseNextResult;
    knobs.crashAfterExecute = false;
    knobs.loseNextResult = false;
    if (crashNow || loseResult) deps.save();
    deps.emit({ id, command, result, duplicate: false });
    if (crashNow) {
      deps.log(`paper: simulated crash after executing ${id}, before reporting it`);
      deps.crash();
      return false;
    }
    if (loseResult) deps.log(`paper: result of ${id} lost on the way (simulated)`);
    else deps.report(result);
    return true;
  }

  /** The simulated trade server: forced retcodes first, transient ones retried like the EA does. */
  async function sendOrder(command: BridgeCommand): Promise<Verdict> {
    for (let attempt = 1; ; attempt++) {
      const quote = deps.quoteOf(command.symbol);
      if (!quote) return { kind: "refuse", result: rejectedByServer(command.id, 10021) };
      const forced = deps.knobs.forcedRetcodes.shift();
      if (forced === undefined || FILLED_RETCODES.has(forced)) {
        return { kind: "fill", retcode: forced ?? 10009, price: entryPrice(command.side, quote) };
      }
      if (!RETRIED_RETCODES.has(forced)) return { kind: "refuse", result: rejectedByServer(command.id, forced) };
      if (attempt >= ORDER_ATTEMPTS) {
        const message = `${retcodeMessage(forced)} (gave up after ${attempt} attempts)`;
        return { kind: "refuse", result: refused(command.id, "rejected", forced, message) };
      }
      await deps.pause(RETRY_PAUSE_MS);
      if (!deps.isActive()) return { kind: "refuse", result: refused(command.id, "failed", 0, "terminal stopped") };
    }
  }

  return handle;
}
