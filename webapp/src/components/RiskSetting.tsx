import "./RiskSetting.css";
import { useState } from "preact/hooks";
import type { ApiError } from "../api.ts";
import { useServices } from "../context.ts";
import { money } from "../format.ts";
import { haptic } from "../telegram.ts";
import type { Me, UserOverlay } from "../types.ts";

const MIN = 0.1;
const MAX = 10;

/** Risk per trade as % of balance (0.1–10), saved with PATCH /api/me. */
export function RiskSetting({ user, onSaved }: { user: UserOverlay; onSaved(me: Me): void }) {
  const { api } = useServices();
  const [value, setValue] = useState(String(user.risk_percent));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const parsed = Number(value);
  const valid = Number.isFinite(parsed) && parsed >= MIN && parsed <= MAX;
  const changed = valid && Math.abs(parsed - user.risk_percent) > 1e-9;

  async function save() {
    if (!valid || saving) return;
    setSaving(true);
    setError(null);
    try {
      const me = await api.setRisk(Math.round(parsed * 100) / 100);
      onSaved(me);
      setSaved(true);
      haptic.notify("success");
    } catch (caught) {
      setError(caught as ApiError);
      haptic.notify("error");
    } finally {
      setSaving(false);
    }
  }

  return (
    <section class="card risk-setting" data-testid="risk-setting">
      <h2 class="card-title">Risk per trade</h2>
      <div class="rs-row">
        <input
          class="rs-range"
          type="range"
          min={MIN}
          max={5}
          step={0.1}
          value={Math.min(5, valid ? parsed : user.risk_percent)}
          onInput={(event) => {
            setValue(event.currentTarget.value);
            setSaved(false);
          }}
          aria-label="Risk percent slider"
        />
        <label class="rs-input">
          <input
            class="num"
            type="number"
            inputMode="decimal"
            min={MIN}
            max={MAX}
            step={0.1}
            value={value}
            data-testid="risk-input"
            onInput={(event) => {
              setValue(event.currentTarget.value);
              setSaved(false);
            }}
          />
          %
        </label>
      </div>
      <p class="hint rs-help">
        {!valid
          ? `Choose between ${MIN}% and ${MAX}%.`
          : user.balance === null
            ? `${parsed}% of your balance per mission, once your terminal reports it.`
            : `${parsed}% of ${money(user.balance, user.currency)} = ${money(
                (user.balance * parsed) / 100,
                user.currency,
              )} risked per mission.`}
      </p>
      {error && <p class="rs-error">{error.message}</p>}
      <button
        type="button"
        class="btn btn-primary rs-save"
        data-testid="risk-save"
        disabled={!changed || saving}
        onClick={() => void save()}
      >
        {saving ? "Saving…" : saved && !changed ? "Saved ✓" : "Save risk"}
      </button>
    </section>
  );
}
