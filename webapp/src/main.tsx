import "./theme.css";
import { render } from "preact";
import { App } from "./components/App.tsx";
import { ErrorBoundary } from "./components/ErrorBoundary.tsx";
import { OutsideTelegram } from "./components/OutsideTelegram.tsx";
import { ServicesContext } from "./context.ts";
import { init } from "./init.ts";

const boot = init();

render(
  <ErrorBoundary>
    {boot.kind === "outside" ? (
      <OutsideTelegram />
    ) : (
      <ServicesContext.Provider value={boot.services}>
        <App signalId={boot.signalId} />
      </ServicesContext.Provider>
    )}
  </ErrorBoundary>,
  document.getElementById("app")!,
);
