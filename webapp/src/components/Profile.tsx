import "./Profile.css";
import { useServices } from "../context.ts";
import { money } from "../format.ts";
import { useLiveEvent } from "../hooks/useLive.ts";
import { useResource } from "../hooks/useResource.ts";
import type { Bridge } from "../types.ts";
import { ErrorPanel } from "./ErrorPanel.tsx";
import { RiskSetting } from "./RiskSetting.tsx";
import { Skeleton } from "./Skeleton.tsx";
import { TerminalLink } from "./TerminalLink.tsx";
import { Terminals } from "./Terminals.tsx";
import { WeeklySummarySetting } from "./WeeklySummarySetting.tsx";

/** Profile and settings: who you are, your risk %, and the link to your MetaTrader 5 terminal. */
export function Profile() {
  const { api, session } = useServices();
  const { data: me, error, loading, reload, setData } = useResource("me", () => api.me());
  useLiveEvent<Bridge>("bridge_status", (bridge) =>
    setData((current) => (current ? { ...current, bridge: { ...current.bridge, ...bridge } } : current)),
  );

  if (!me) {
    if (error) return <ErrorPanel error={error} onRetry={() => void reload()} />;
    return loading ? <Skeleton blocks={[80, 150, 220]} /> : null;
  }
  const { user } = me;
  const name = user.first_name ?? session.user?.first_name ?? "Trader";
  return (
    <div class="profile" data-testid="profile">
      <section class="card profile-head">
        <div class="profile-avatar" aria-hidden="true">
          {name.slice(0, 1).toUpperCase()}
        </div>
        <div class="profile-who">
          <b>{name}</b>
          <span class="hint">
            {user.username ? `@${user.username} · ` : ""}
            {user.tier}
            {me.stats?.rank ? ` · ${me.stats.rank}` : ""}
          </span>
        </div>
        <div class="profile-balance">
          <b class="num">{money(user.balance, user.currency)}</b>
          <span class="hint">balance</span>
        </div>
      </section>
      <RiskSetting user={user} onSaved={(next) => setData(() => next)} />
      <WeeklySummarySetting me={me} onSaved={(next) => setData(() => next)} />
      <TerminalLink bridge={me.bridge} onRefresh={() => void reload(true)} />
      <Terminals />
    </div>
  );
}
