import "./FireStatus.css";
import { useEffect, useRef } from "preact/hooks";
import { lots, pips, pnl, price } from "../format.ts";
import { haptic } from "../telegram.ts";
import type { Fire, FireState } from "../types.ts";

const STEPS = ["queued", "delivered", "filled", "closed"] as const;
const BAD: FireState[] = ["rejected", "failed", "expired"];

function headline(fire: Fire, digits: number, currency: string | null): string {
  switch (fire.state) {
    case "queued":
      return "Queued: waiting for your terminal to pick it up.";
    case "delivered":
      return "Delivered to your terminal: placing the order…";
    case "filled": {
      // Some legs may have closed already (a target hit, a close): what they made so far.
      const legs = fire.legs ?? [];
      const closed = legs.filter((l) => l.state === "closed");
      const made = closed.reduce((sum, l) => sum + (l.profit ?? 0), 0);
      return closed.length === 0
        ? `Filled at ${price(fire.fill_price, digits)}`
        : `Filled at ${price(fire.fill_price, digits)} · ${closed.length} of ${legs.length} legs closed, ${pnl(made, currency)}`;
    }
    case "rejected":
      return `Rejected: ${fire.message ?? "the broker refused the order."}`;
    case "failed":
      return `Failed: ${fire.message ?? "the terminal could not place the order."}`;
    case "expired":
      return fire.message ? `Expired: ${fire.message}` : "Expired before your terminal could place it.";
    case "closed":
      return `Closed · ${pnl(fire.profit, currency)}`;
  }
}

/** Slippage against the signal's entry in the trader's terms (positive pips cost the trader). */
function slippage(value: number): string {
  if (value === 0) return "no slippage";
  return `slippage ${pips(Math.abs(value))} ${value > 0 ? "against you" : "in your favour"}`;
}

interface Props {
  fire: Fire;
  digits: number;
  currency: string | null;
  /** The fire was sent from this page (not found already made when the page opened). */
  fresh: boolean;
}

/** The fire's live state: a queued → delivered → filled → closed track, or the plain reason it did not fill. */
export function FireStatus({ fire, digits, currency, fresh }: Props) {
  // A fire sent from this page is news from its first state: the stream can bring "filled" before
  // the POST's own answer, and the status then first shows at "filled" (no change to notify of).
  // A fire the page found already made notifies only of later changes.
  const previous = useRef<FireState | null>(fresh ? null : fire.state);
  useEffect(() => {
    if (previous.current === fire.state) return;
    previous.current = fire.state;
    if (fire.state === "filled") haptic.notify("success");
    else if (BAD.includes(fire.state)) haptic.notify("error");
  }, [fire.state]);

  const bad = BAD.includes(fire.state);
  // A fire that did not fill ends at its reason, in place of "filled" (and has no "closed" step).
  const steps: readonly string[] = bad ? [STEPS[0], STEPS[1], fire.state] : STEPS;
  // How many steps are done: a rejection or failure came back from the terminal, so it was delivered.
  const reached =
    fire.state === "closed"
      ? 4
      : fire.state === "expired"
        ? 1
        : bad
          ? 2
          : STEPS.indexOf(fire.state as (typeof STEPS)[number]) + 1;
  return (
    <div class={`fire-status fire-status-${fire.state}`} data-testid="fire-status" data-state={fire.state}>
      <ol class="fire-track">
        {steps.map((step, index) => {
          const cls =
            bad && index === steps.length - 1 ? "bad" : index < reached ? "done" : index === reached ? "next" : "";
          return (
            <li key={step} class={`fire-step ${cls}`}>
              <span class="fire-step-dot" />
              {step}
            </li>
          );
        })}
      </ol>
      <p class="fire-headline" data-testid="fire-headline">
        {headline(fire, digits, currency)}
      </p>
      <div class="fire-facts num">
        <span>
          {fire.side} {lots(fire.lots)} lots
        </span>
        {fire.slippage_pips !== null && <span data-testid="slippage">{slippage(fire.slippage_pips)}</span>}
        {fire.latency_ms != null && <span>at your terminal in {Math.round(fire.latency_ms)} ms</span>}
        {fire.state === "closed" && fire.profit !== null && <span>P&L {pnl(fire.profit, currency)}</span>}
      </div>
      {(fire.legs?.length ?? 0) > 1 && (
        <ul class="fire-legs">
          {fire.legs!.map((leg) => (
            <li key={leg.id} class="num">
              Leg {leg.leg}: {lots(leg.volume)} lots → TP {price(leg.take_profit, digits)} · {leg.state}
              {/* A closed leg shows where it closed, not where it opened. */}
              {leg.state === "closed" && leg.close_price != null
                ? ` @ ${price(leg.close_price, digits)}`
                : leg.price !== null
                  ? ` @ ${price(leg.price, digits)}`
                  : ""}
              {leg.message && leg.state !== "filled" ? ` (${leg.message})` : ""}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
