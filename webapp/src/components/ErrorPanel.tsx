import "./ErrorPanel.css";
import type { ApiError } from "../api.ts";

interface Props {
  title?: string;
  message?: string;
  error?: ApiError | null;
  actionLabel?: string;
  onRetry?: () => void;
}

/** What the user can do about a failed request, in plain words. */
export function explain(error: ApiError): { title: string; message: string } {
  if (error.status === 401) {
    return { title: "Session expired", message: "Close the Mini App and open it again from Telegram." };
  }
  if (error.status === 404) return { title: "Not found", message: error.message };
  if (error.code === "NETWORK") return { title: "Can't reach Sortie", message: "Check your connection, then retry." };
  if (error.code === "TIMEOUT") return { title: "Sortie is slow to answer", message: "Give it a moment, then retry." };
  if (error.code === "RATE_LIMITED") return { title: "Slow down", message: error.message };
  return { title: "Something went wrong", message: error.message };
}

export function ErrorPanel({ title, message, error, actionLabel = "Retry", onRetry }: Props) {
  const text = error ? explain(error) : { title: title ?? "Error", message: message ?? "" };
  return (
    <section class="error-panel card" role="alert" data-testid="error">
      <div class="error-icon" aria-hidden="true">
        ⚠
      </div>
      <h2 class="error-title">{title ?? text.title}</h2>
      <p class="error-message">{text.message}</p>
      {error && <p class="error-code num">{error.code}</p>}
      {onRetry && (
        <button type="button" class="btn btn-primary" onClick={onRetry} data-testid="retry">
          {actionLabel}
        </button>
      )}
    </section>
  );
}
