import { useState } from "preact/hooks";
import { ApiError } from "../api.ts";
import { useServices } from "../context.ts";
import { haptic } from "../telegram.ts";
import type { Me } from "../types.ts";

/** The weekly summary DM (last week's result, every Monday): on by default, off with one tap. */
export function WeeklySummarySetting({ me, onSaved }: { me: Me; onSaved(next: Me): void }) {
  const { api } = useServices();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const on = me.settings?.weekly_summary ?? true;

  async function toggle() {
    setSaving(true);
    setError(null);
    try {
      onSaved(await api.setWeeklySummary(!on));
      haptic.select();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : "Could not save. Try again.");
    } finally {
      setSaving(false);
    }
  }

  return (
    <section class="card" data-testid="weekly-summary">
      <label class="rs-row">
        <input
          type="checkbox"
          checked={on}
          disabled={saving}
          onChange={() => void toggle()}
          data-testid="weekly-toggle"
        />
        <span>
          <b>Weekly summary</b>
          <br />
          <span class="hint">Last week's result in R and money, sent by the bot every Monday.</span>
        </span>
      </label>
      {error && <p class="hint">{error}</p>}
    </section>
  );
}
