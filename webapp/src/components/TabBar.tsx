import "./TabBar.css";
import { haptic } from "../telegram.ts";

export type Route =
  | { name: "mission"; id: string }
  | { name: "signals" }
  | { name: "history" }
  | { name: "stats" }
  | { name: "profile" };

interface Props {
  route: Route;
  mission: Route | null;
  onSelect(route: Route): void;
}

export function TabBar({ route, mission, onSelect }: Props) {
  const tabs: Array<{ label: string; icon: string; target: Route }> = [
    ...(mission ? [{ label: "Mission", icon: "◎", target: mission }] : []),
    { label: "Signals", icon: "≡", target: { name: "signals" } },
    { label: "History", icon: "◷", target: { name: "history" } },
    { label: "Stats", icon: "◭", target: { name: "stats" } },
    { label: "Profile", icon: "⚙", target: { name: "profile" } },
  ];
  return (
    <nav class="tabbar">
      {tabs.map((tab) => (
        <button
          type="button"
          key={tab.label}
          class={`tab${tab.target.name === route.name ? " tab-active" : ""}`}
          aria-current={tab.target.name === route.name ? "page" : undefined}
          onClick={() => {
            haptic.select();
            onSelect(tab.target);
          }}
        >
          <span class="tab-icon" aria-hidden="true">
            {tab.icon}
          </span>
          {tab.label}
        </button>
      ))}
    </nav>
  );
}
