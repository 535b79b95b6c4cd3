import type { Refusal } from "./errors.ts";
import type { LegState } from "./types.ts";

/**
 * What a terminal's reports may do to a leg. A leg only moves forward — queued → delivered →
 * filled | rejected | failed | expired → closed — whatever order the reports arrive in (the EA's
 * outbox skips an item answered 429/503 and sends later ones; the file drop lists
 * `<id>.closed.json` before `<id>.json`).
 */
export type LegReportAction = "apply" | "ignore" | "hold" | Refusal;

/**
 * A result for a leg: applied while the leg awaits one (queued, delivered; expired by Sortie for
 * want of one, since the terminal may still have filled it); else a repeat (idempotent) or a late
 * result after the close, which never re-opens the leg.
 */
export function resultAction(state: LegState): LegReportAction {
  return state === "queued" || state === "delivered" || state === "expired" ? "apply" : "ignore";
}

/**
 * A `closed` report for a leg: applied to a filled leg; held until the result when the leg was
 * sent but its result has not come (yet); refused for a leg never sent or that opened nothing,
 * so no profit (or XP) is ever booked for an order that did not exist.
 */
export function closedAction(state: LegState, alreadyHeld: boolean): LegReportAction {
  switch (state) {
    case "filled":
      return "apply";
    case "closed":
      return "ignore";
    case "delivered":
    case "expired":
      return alreadyHeld ? "ignore" : "hold";
    case "queued":
      return { code: "CONFLICT", message: "This command was never delivered to the terminal: nothing to close" };
    default:
      return {
        code: "CONFLICT",
        message: `This command's order was ${state}: there is no position to close`,
      };
  }
}
