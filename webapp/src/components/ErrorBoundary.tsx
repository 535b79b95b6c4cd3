import { Component, type ComponentChildren } from "preact";
import { ErrorPanel } from "./ErrorPanel.tsx";

interface State {
  error: Error | null;
}

/** The root error boundary: a render error shows a message and a reload action, never a blank page. */
export class ErrorBoundary extends Component<{ children: ComponentChildren }, State> {
  override state: State = { error: null };

  static override getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown): void {
    console.error("Sortie UI error", error);
  }

  override render() {
    if (this.state.error) {
      return (
        <ErrorPanel
          title="Something broke on this screen"
          message={this.state.error.message}
          actionLabel="Reload"
          onRetry={() => window.location.reload()}
        />
      );
    }
    return this.props.children;
  }
}
