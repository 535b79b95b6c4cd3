import "./TerminalLink.css";
import { useState } from "preact/hooks";
import type { ApiError } from "../api.ts";
import { useServices } from "../context.ts";
import { timeAgo } from "../format.ts";
import { confirmDialog } from "../telegram.ts";
import type { Bridge } from "../types.ts";

/** The MT5 terminal link: online/offline, a bridge token shown exactly once, and the EA install steps. */
export function TerminalLink({ bridge, onRefresh }: { bridge: Bridge; onRefresh(): void }) {
  const { api } = useServices();
  const [token, setToken] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [copied, setCopied] = useState(false);
  const linked = bridge.linked ?? bridge.last_seen !== null;
  const state = bridge.online ? (bridge.trade_allowed === false ? "paused" : "online") : "offline";

  async function issue() {
    const question = "Rotate the token? Your terminal stops working until you paste the new one.";
    if (linked && !(await confirmDialog(question))) return;
    setBusy(true);
    setError(null);
    try {
      setToken(await api.bridgeToken());
      setCopied(false);
      onRefresh();
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card terminal" data-testid="terminal">
      <h2 class="card-title">MetaTrader 5 terminal</h2>
      <div class="row">
        <span class={`terminal-state terminal-${state}`} data-testid="terminal-state" data-state={state}>
          <span class="terminal-dot" /> {state === "paused" ? "ONLINE · TRADING OFF" : state.toUpperCase()}
        </span>
        <span class="hint terminal-seen">{linked ? `last seen ${timeAgo(bridge.last_seen)}` : "not linked yet"}</span>
      </div>
      {token ? (
        <div class="terminal-token" data-testid="bridge-token">
          <p class="terminal-once">Shown once. Paste it into the EA now; Sortie keeps only a hash.</p>
          <code class="num">{token}</code>
          <button
            type="button"
            class="btn"
            onClick={() =>
              navigator.clipboard?.writeText(token).then(
                () => setCopied(true),
                () => {},
              )
            }
          >
            {copied ? "Copied ✓" : "Copy token"}
          </button>
        </div>
      ) : (
        <button
          type="button"
          class="btn btn-primary terminal-issue"
          data-testid="issue-token"
          disabled={busy}
          onClick={issue}
        >
          {busy ? "Issuing…" : linked ? "Rotate bridge token" : "Link my terminal"}
        </button>
      )}
      {error && <p class="terminal-error">{error.message}</p>}
      <details class="terminal-steps" open={!linked || token !== null}>
        <summary>Install the Sortie bridge EA</summary>
        <ol>
          <li>
            In MT5 open <b>Tools → Options → Expert Advisors</b>, tick <i>Allow WebRequest for listed URL</i> and add{" "}
            <code>{window.location.origin}</code>.
          </li>
          <li>
            Copy <code>SortieBridge.mq5</code> (from your desk, or <code>bridge/mt5/</code> in Sortie) into{" "}
            <b>File → Open Data Folder → MQL5/Experts</b>, compile it in MetaEditor and refresh the Navigator.
          </li>
          <li>
            Drag the EA onto any chart. In <i>Inputs</i> paste the token above and the server address{" "}
            <code>{window.location.origin}</code>; turn on <b>Algo Trading</b>.
          </li>
          <li>Within a few seconds this card turns ONLINE and missions are sized from your real balance.</li>
        </ol>
      </details>
    </section>
  );
}
