import "./TradeControls.css";
import { useState } from "preact/hooks";
import { pips, price } from "../format.ts";
import { requestPhase, useTrade } from "../hooks/useTrade.ts";
import { haptic } from "../telegram.ts";
import type { Fire, ManageBody, Signal } from "../types.ts";
import { PositionTimeline } from "./PositionTimeline.tsx";

interface Props {
  fire: Fire;
  signal: Signal;
  digits: number;
}

/** Pip size from the quote's decimals: 5 or 3 decimals quote tenths of a pip. */
const pipSize = (digits: number) => 10 ** -(digits === 5 || digits === 3 ? digits - 1 : digits);

const LABEL: Record<string, string> = {
  breakeven: "Stop → breakeven",
  close: "Close",
  move_sl: "Move stop",
  move_tp: "Move target",
};

function describe(body: ManageBody, digits: number): string {
  if (body.action === "breakeven") return "Move the stop of every open leg to its own fill price";
  if (body.action === "close")
    return body.leg ? `Close leg ${body.leg} now at market` : "Close every open leg now at market";
  if (body.action === "move_sl") return `Move the stop of every open leg to ${price(body.stop_loss, digits)}`;
  return `Move the target of leg ${body.leg} to ${price(body.take_profit, digits)}`;
}

/** The trader's own controls on a filled mission: Close all, Close a leg, Breakeven, Move SL, each confirmed, with live progress. */
export function TradeControls({ fire, signal, digits }: Props) {
  const { data, error, sending, send } = useTrade(fire.id, fire.state);
  const [pending, setPending] = useState<ManageBody | null>(null);
  const [stopText, setStopText] = useState("");
  if (!data) return null;

  const open = data.open;
  // Leg n of every terminal closes together ("leg 1" is each terminal's first take-profit).
  const legs = [...new Set(open.map((p) => p.leg))];
  const stopPrice = Number(stopText.replace(",", "."));
  const stopValid = stopText !== "" && Number.isFinite(stopPrice) && stopPrice > 0;
  const stopPips = stopValid ? Math.abs(signal.entry - stopPrice) / pipSize(digits) : null;
  const latest = data.requests.filter((r) => r.fire_id === fire.id).at(-1);
  const confirm = async () => {
    if (!pending) return;
    haptic.impact("heavy");
    await send(pending);
    setPending(null);
  };

  return (
    <section class="card trade-controls" data-testid="trade-controls">
      <h3 class="trade-title">Manage this trade</h3>
      {open.length === 0 ? (
        <p class="hint" data-testid="trade-nothing-open">
          No open position.
        </p>
      ) : !data.manageable ? (
        <p class="trade-warning" data-testid="trade-ea-too-old">
          Your terminal's Sortie EA is too old to change open trades: install the latest SortieBridge.
        </p>
      ) : pending ? (
        <div class="trade-confirm" data-testid="trade-confirm">
          <p>{describe(pending, digits)}?</p>
          <div class="trade-row">
            <button type="button" class="btn" data-testid="trade-cancel" onClick={() => setPending(null)}>
              Cancel
            </button>
            <button
              type="button"
              class="btn trade-go"
              data-testid="trade-confirm-button"
              disabled={sending}
              onClick={() => void confirm()}
            >
              Confirm
            </button>
          </div>
        </div>
      ) : (
        <>
          <ul class="trade-legs num">
            {open.map((p) => (
              <li key={p.position_of} data-testid={`trade-leg-${p.leg}`}>
                Leg {p.leg}: fill {price(p.fill_price, digits)} · stop {price(p.stop_loss, digits)}
                {p.take_profit !== null && ` · target ${price(p.take_profit, digits)}`}
              </li>
            ))}
          </ul>
          <div class="trade-row">
            <button
              type="button"
              class="btn"
              data-testid="trade-breakeven"
              onClick={() => setPending({ action: "breakeven" })}
            >
              Breakeven
            </button>
            <button
              type="button"
              class="btn trade-danger"
              data-testid="trade-close-all"
              onClick={() => setPending({ action: "close" })}
            >
              Close all
            </button>
          </div>
          {legs.length > 1 && (
            <div class="trade-row">
              {legs.map((leg) => (
                <button
                  key={leg}
                  type="button"
                  class="btn"
                  data-testid={`trade-close-leg-${leg}`}
                  onClick={() => setPending({ action: "close", leg })}
                >
                  Close leg {leg}
                </button>
              ))}
            </div>
          )}
          <div class="trade-row trade-sl">
            <input
              class="trade-input num"
              inputMode="decimal"
              placeholder={`New stop, e.g. ${price(signal.stop_loss, digits)}`}
              value={stopText}
              data-testid="trade-sl-input"
              onInput={(e) => setStopText((e.target as HTMLInputElement).value)}
            />
            <button
              type="button"
              class="btn"
              data-testid="trade-move-sl"
              disabled={!stopValid}
              onClick={() => setPending({ action: "move_sl", stop_loss: stopPrice })}
            >
              Move SL
            </button>
          </div>
          {stopPips !== null && (
            <p class="hint num" data-testid="trade-sl-pips">
              {pips(stopPips)} from entry
            </p>
          )}
        </>
      )}
      {latest && (
        <p class="trade-progress" data-testid="trade-progress" data-phase={requestPhase(latest)}>
          {LABEL[latest.action] ?? latest.action}
          {latest.leg ? ` (leg ${latest.leg})` : ""}: {requestPhase(latest)}
        </p>
      )}
      {error && (
        <p class="trade-warning" role="alert" data-testid="trade-error" data-code={error.code}>
          {error.message}
        </p>
      )}
      <PositionTimeline entries={data.timeline} />
    </section>
  );
}
