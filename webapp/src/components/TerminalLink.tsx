import "./TerminalLink.css";
import { useEffect, useMemo, useState } from "preact/hooks";
import type { ApiError } from "../api.ts";
import { useServices } from "../context.ts";
import { timeAgo } from "../format.ts";
import { confirmDialog, openLink } from "../telegram.ts";
import type { Bridge } from "../types.ts";

/** The EA's inputs as an MT5 preset (UTF-16LE with a byte-order mark, as MetaTrader writes them). */
function presetUrl(serverUrl: string, token: string): string {
  const text = `; Sortie bridge EA inputs\r\nServerUrl=${serverUrl}\r\nBridgeToken=${token}\r\n`;
  const units = new Uint16Array(text.length + 1);
  units[0] = 0xfeff;
  for (let i = 0; i < text.length; i++) units[i + 1] = text.charCodeAt(i);
  return URL.createObjectURL(new Blob([units], { type: "application/octet-stream" }));
}

/** The MT5 terminal link: online/offline, a bridge token shown exactly once, and the EA install steps. */
export function TerminalLink({ bridge, onRefresh }: { bridge: Bridge; onRefresh(): void }) {
  const { api } = useServices();
  const [token, setToken] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [copied, setCopied] = useState(false);
  const linked = bridge.linked ?? bridge.last_seen !== null;
  const origin = window.location.origin;
  const zipUrl = `${origin}/downloads/sortie-bridge.zip`;
  const preset = useMemo(() => (token ? presetUrl(origin, token) : null), [origin, token]);
  useEffect(() => () => preset && URL.revokeObjectURL(preset), [preset]);
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
          <a class="btn terminal-preset" data-testid="ea-preset" href={preset ?? undefined} download="SortieBridge.set">
            Download EA preset (.set) with this token
          </a>
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
            <code>{origin}</code>.
          </li>
          <li>
            <a
              href={zipUrl}
              data-testid="ea-download"
              onClick={(event) => {
                event.preventDefault();
                openLink(zipUrl);
              }}
            >
              Download the EA (sortie-bridge.zip)
            </a>{" "}
            and unzip it into <b>File → Open Data Folder → MQL5/Experts</b>; open <code>SortieBridge.mq5</code> in
            MetaEditor, press F7 and refresh the Navigator.
          </li>
          <li>
            Drag the EA onto any chart. In <i>Inputs</i> set <code>ServerUrl</code> to <code>{origin}</code> and paste
            the token above into <code>BridgeToken</code> (or <i>Load</i> the preset offered with a new token); turn on{" "}
            <b>Algo Trading</b>.
          </li>
          <li>Within a few seconds this card turns ONLINE and missions are sized from your real balance.</li>
        </ol>
      </details>
    </section>
  );
}
