import "./MissionTerminals.css";
import { lots as lotsText, money } from "../format.ts";
import type { Mission } from "../types.ts";

/**
 * Several terminals per trader: before FIRE, each terminal's lots and risk (or why it would be
 * left out); after, what each terminal did (filled at, refused and why, skipped). Hidden for a
 * trader with one terminal: the position card already says it all.
 */
export function MissionTerminals({ mission, digits }: { mission: Mission; digits: number }) {
  const planned = mission.terminals ?? [];
  const fired = mission.fire?.terminals ?? [];
  if (planned.length < 2 && fired.length === 0) return null;
  return (
    <section class="card mission-terminals" data-testid="mission-terminals">
      <h2 class="card-title">Your terminals</h2>
      <ul>
        {fired.length > 0
          ? fired.map((t) => (
              <li key={t.id} class="row" data-testid="mission-terminal" data-state={t.state}>
                <b>{t.name}</b>
                <span class="num">
                  {t.status === "skipped"
                    ? `skipped — ${t.reason ?? "not traded"}`
                    : t.state === "filled" || t.state === "closed"
                      ? `${t.state} ${lotsText(t.filled_volume ?? t.lots)} @ ${t.fill_price?.toFixed(digits) ?? "market"}`
                      : t.state === "queued" || t.state === "delivered"
                        ? `${lotsText(t.lots)} lots · ${t.state}`
                        : `${t.state} — ${t.message ?? "no reason given"}`}
                </span>
              </li>
            ))
          : planned.map((t) => (
              <li
                key={t.id}
                class="row"
                data-testid="mission-terminal"
                data-state={t.reason === null ? "ready" : "out"}
              >
                <span class={`terminals-dot ${t.online && t.enabled ? "terminals-online" : "terminals-offline"}`} />
                <b>{t.name}</b>
                <span class="num">
                  {t.reason === null ? `${lotsText(t.lots)} lots · ${money(t.risk_amount, t.currency)}` : t.reason}
                </span>
              </li>
            ))}
      </ul>
    </section>
  );
}
