import "./Terminals.css";
import { useEffect, useState } from "preact/hooks";
import type { ApiError } from "../api.ts";
import { useServices } from "../context.ts";
import { money, timeAgo } from "../format.ts";
import { useResource } from "../hooks/useResource.ts";
import { confirmDialog } from "../telegram.ts";
import type { Terminal } from "../types.ts";

/** How often the list refreshes while shown: terminals come and go on their own. */
const REFRESH_MS = 5_000;
const ALLOCATIONS = [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5];

/**
 * Several terminals per trader: each terminal with its online dot, balance, last heartbeat,
 * allocation (a multiplier of the risk %) and its own stats; enable/disable, unlink, and linking
 * another one by name (its token shown once).
 */
export function Terminals() {
  const { api } = useServices();
  const { data, error, reload } = useResource("terminals", () => api.terminals());
  const [name, setName] = useState("");
  const [fresh, setFresh] = useState<{ name: string; token: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  useEffect(() => {
    const timer = setInterval(() => void reload(true), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  async function act(action: () => Promise<unknown>) {
    setBusy(true);
    setFailure(null);
    try {
      await action();
      await reload(true);
    } catch (caught) {
      setFailure(caught as ApiError);
    } finally {
      setBusy(false);
    }
  }
  const link = () =>
    act(async () => {
      const created = await api.linkTerminal(name.trim(), 1);
      setFresh({ name: created.name, token: created.token });
      setName("");
    });
  const unlink = async (t: Terminal) => {
    if (!(await confirmDialog(`Unlink ${t.name}? Its token stops working at once.`))) return;
    await act(() => api.unlinkTerminal(t.id));
  };

  const list = data ?? [];
  return (
    <section class="card terminals" data-testid="terminals">
      <h2 class="card-title">Terminals</h2>
      {error && !data && <p class="terminal-error">{error.message}</p>}
      {list.length === 0 && data && <p class="hint">No terminal linked yet.</p>}
      <ul class="terminals-list">
        {list.map((t) => {
          const state = !t.enabled ? "disabled" : t.online ? "online" : "offline";
          return (
            <li class="terminals-item" key={t.id} data-testid="terminal-row" data-state={state}>
              <div class="row">
                <span class={`terminals-dot terminals-${state}`} role="img" aria-label={state} />
                <b class="terminals-name">{t.name}</b>
                <span class="num terminals-balance">
                  {money(t.account?.balance ?? null, t.account?.currency ?? null)}
                </span>
              </div>
              <div class="row hint terminals-meta">
                <span>{t.last_seen ? `seen ${timeAgo(t.last_seen)}` : "never seen"}</span>
                <span>
                  {t.stats.fills} fills · {t.stats.xp} XP
                </span>
              </div>
              <div class="row terminals-controls">
                <label class="hint">
                  risk ×{" "}
                  <select
                    data-testid="terminal-allocation"
                    value={String(t.allocation)}
                    disabled={busy}
                    onChange={(e) =>
                      void act(() =>
                        api.updateTerminal(t.id, { allocation: Number((e.target as HTMLSelectElement).value) }),
                      )
                    }
                  >
                    {[...new Set([...ALLOCATIONS, t.allocation])]
                      .sort((a, b) => a - b)
                      .map((a) => (
                        <option value={String(a)} key={a}>
                          {a}
                        </option>
                      ))}
                  </select>
                </label>
                <button
                  type="button"
                  class="btn"
                  data-testid="terminal-toggle"
                  disabled={busy}
                  onClick={() => void act(() => api.updateTerminal(t.id, { enabled: !t.enabled }))}
                >
                  {t.enabled ? "Disable" : "Enable"}
                </button>
                <button type="button" class="btn" disabled={busy} onClick={() => void unlink(t)}>
                  Unlink
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      {fresh && (
        <div class="terminal-token" data-testid="terminal-token">
          <p class="terminal-once">Token of {fresh.name}, shown once: paste it into that terminal's EA now.</p>
          <code class="num">{fresh.token}</code>
        </div>
      )}
      <form
        class="row terminals-link"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim() !== "") void link();
        }}
      >
        <input
          data-testid="terminal-name"
          placeholder="Name, e.g. FTMO"
          maxLength={40}
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="btn btn-primary" data-testid="terminal-link" disabled={busy || name.trim() === ""}>
          Link another
        </button>
      </form>
      {failure && <p class="terminal-error">{failure.message}</p>}
    </section>
  );
}
