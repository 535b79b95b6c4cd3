import "./FirePanel.css";
import { useEffect, useRef } from "preact/hooks";
import { blockLabel, firePlan } from "../fire-plan.ts";
import { lots } from "../format.ts";
import { useFire } from "../hooks/useFire.ts";
import type { LiveMission } from "../hooks/useMission.ts";
import { hideMainButton, type MainButtonState, setMainButton } from "../telegram.ts";
import type { Block, Fire } from "../types.ts";
import { explain } from "./ErrorPanel.tsx";
import { FireStatus } from "./FireStatus.tsx";
import { TradeControls } from "./TradeControls.tsx";

interface Props {
  mission: LiveMission;
  block: Block | null;
  digits: number;
  onFire(fire: Fire): void;
  onRefresh(): void;
}

const FIRE_COLOR = "#ff6a2b";
const IDLE_COLOR = "#3a4756";

/** FIRE: the in-page button and Telegram's MainButton, one confirmation, one order, then its live state. */
export function FirePanel({ mission, block, digits, onFire, onRefresh }: Props) {
  const { user, fire } = mission;
  const control = useFire(mission.signal.id, fire, block !== null, (next) => {
    onFire(next);
    onRefresh();
  });
  const { phase, error } = control;
  const panel = useRef<HTMLElement>(null);
  // The confirmation must be on screen, wherever the FIRE tap came from (MainButton or page).
  useEffect(() => {
    if (phase === "confirm") panel.current?.scrollIntoView?.({ block: "center" });
  }, [phase]);
  const plan = firePlan(mission);
  const risk = plan.risk;
  const fireLabel = `FIRE · ${lots(plan.lots)} LOTS`;

  // Telegram's MainButton mirrors the in-page button.
  useEffect(() => {
    let state: MainButtonState;
    let onClick = () => control.start();
    if (fire)
      state = { text: `ALREADY FIRED · ${fire.state.toUpperCase()}`, visible: true, enabled: false, progress: false };
    else if (block) state = { text: blockLabel(block), visible: true, enabled: false, progress: false };
    else if (phase === "sending") state = { text: "SENDING…", visible: true, enabled: false, progress: true };
    else if (phase === "confirm") {
      state = { text: `CONFIRM · RISK ${risk}`, visible: true, enabled: true, progress: false, color: FIRE_COLOR };
      onClick = () => void control.confirm();
    } else state = { text: fireLabel, visible: true, enabled: true, progress: false, color: FIRE_COLOR };
    if (!state.enabled) state.color = IDLE_COLOR;
    return setMainButton(state, fire ? () => control.start() : onClick);
  });
  useEffect(() => () => hideMainButton(), []);
  // A refused fire usually means the mission changed (expired, terminal offline…): re-read it, once
  // per refusal. (With onRefresh among the effect's inputs, a new function at every render re-ran
  // it on every render while the error showed: the page re-read the mission in a loop until the
  // server answered 429.)
  const refresh = useRef(onRefresh);
  refresh.current = onRefresh;
  useEffect(() => {
    if (error) refresh.current();
  }, [error]);
  // A fire that could not reach Sortie: once the mission reads again the connection is back, and
  // the error says so (the order was not sent; Retry stays safe either way).
  const missionAtError = useRef<LiveMission | null>(null);
  useEffect(() => {
    missionAtError.current = error ? mission : null;
  }, [error]);
  const unreachable = error !== null && (error.code === "NETWORK" || error.code === "TIMEOUT");
  const backInTouch = unreachable && missionAtError.current !== null && missionAtError.current !== mission;

  return (
    <section ref={panel} class="card fire-panel" data-testid="fire-panel" data-phase={phase}>
      {fire ? (
        <>
          <FireStatus fire={fire} digits={digits} currency={user.currency} fresh={control.sentHere} />
          <button type="button" class="fire-btn fire-btn-done" data-testid="fire-button" onClick={control.start}>
            ✓ Already fired
          </button>
          {(fire.state === "filled" || fire.state === "closed") && (
            <TradeControls fire={fire} signal={mission.signal} digits={digits} />
          )}
          {control.alreadyFired && (
            <p class="fire-note" data-testid="already-fired">
              Already fired: this mission has one order and no second one was sent.
            </p>
          )}
        </>
      ) : block ? (
        <>
          <button type="button" class="fire-btn" data-testid="fire-button" disabled>
            FIRE
          </button>
          <p class="fire-block" data-testid="fire-block" data-code={block.code}>
            {block.message}
          </p>
        </>
      ) : phase === "confirm" ? (
        <div class="fire-confirm" data-testid="fire-confirm">
          <p class="fire-confirm-text">
            {mission.signal.side} <b class="num">{lots(plan.lots)}</b> lots of <b>{mission.signal.symbol}</b>
            {plan.terminals && (
              <>
                {" "}
                on <span data-testid="fire-confirm-terminals">{plan.terminals}</span>
              </>
            )}
            , risking <b class="num">{risk}</b>.
          </p>
          <div class="fire-confirm-actions">
            <button type="button" class="btn" data-testid="fire-cancel" onClick={control.cancel}>
              Cancel
            </button>
            <button
              type="button"
              class="fire-btn"
              data-testid="fire-confirm-button"
              onClick={() => void control.confirm()}
            >
              CONFIRM FIRE
            </button>
          </div>
        </div>
      ) : (
        <button
          type="button"
          class="fire-btn"
          data-testid="fire-button"
          disabled={phase === "sending"}
          onClick={control.start}
        >
          {phase === "sending" ? <span class="fire-sending">Sending order…</span> : fireLabel}
        </button>
      )}
      {phase === "sending" && <div class="fire-progress" data-testid="fire-progress" />}
      {error && !fire && !block && (
        <div class="fire-error" role="alert" data-testid="fire-error" data-code={error.code}>
          {backInTouch ? (
            <>
              <b>Sortie is reachable again.</b> Your order was not sent: tap Retry to send it.
            </>
          ) : (
            <>
              <b>{explain(error).title}.</b> {explain(error).message}
            </>
          )}
          <button type="button" class="btn" onClick={() => void control.confirm()}>
            Retry
          </button>
          <span class="hint fire-safe">Retrying is safe: a mission never gets a second order.</span>
        </div>
      )}
    </section>
  );
}
