import "./App.css";
import { useCallback, useEffect, useState } from "preact/hooks";
import { hideMainButton, setBackButton } from "../telegram.ts";
import { Briefing } from "./Briefing.tsx";
import { History } from "./History.tsx";
import { LiveIndicator } from "./LiveIndicator.tsx";
import { Profile } from "./Profile.tsx";
import { SignalList } from "./SignalList.tsx";
import { StatsScreen } from "./StatsScreen.tsx";
import { type Route, TabBar } from "./TabBar.tsx";

const MAX_STACK = 12;

export function App({ signalId }: { signalId: string | null }) {
  const [stack, setStack] = useState<Route[]>([signalId ? { name: "mission", id: signalId } : { name: "signals" }]);
  const route = stack[stack.length - 1]!;
  const lastMission = [...stack].reverse().find((r) => r.name === "mission") ?? null;

  const navigate = useCallback((next: Route) => {
    setStack((current) => {
      const top = current[current.length - 1]!;
      if (JSON.stringify(top) === JSON.stringify(next)) return current;
      return [...current, next].slice(-MAX_STACK);
    });
    window.scrollTo(0, 0);
  }, []);
  const canGoBack = stack.length > 1;

  useEffect(() => setBackButton(canGoBack ? () => setStack((current) => current.slice(0, -1)) : null), [canGoBack]);
  useEffect(() => {
    if (route.name !== "mission") hideMainButton();
  }, [route.name]);

  return (
    <div class="app">
      <header class="topbar">
        <span class="brand">
          <span class="brand-mark">◢</span> SORTIE
        </span>
        <LiveIndicator />
      </header>
      <main class="screen">
        {route.name === "mission" && <Briefing key={route.id} id={route.id} />}
        {route.name === "signals" && <SignalList onOpen={(id) => navigate({ name: "mission", id })} />}
        {route.name === "history" && <History />}
        {route.name === "stats" && <StatsScreen />}
        {route.name === "profile" && <Profile />}
      </main>
      <TabBar route={route} mission={lastMission} onSelect={navigate} />
    </div>
  );
}
