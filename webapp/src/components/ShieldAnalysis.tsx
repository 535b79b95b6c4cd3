import "./ShieldAnalysis.css";
import type { Signal } from "../types.ts";

function grade(score: number): string {
  if (score >= 8) return "strong";
  if (score >= 5) return "fair";
  return "weak";
}

/** The desk's quality score (0–10), confidence and notes. */
export function ShieldAnalysis({ signal }: { signal: Signal }) {
  const score = signal.shield_score;
  if (score === null && !signal.shield_notes && signal.confidence === null) return null;
  const level = score === null ? "fair" : grade(score);
  return (
    <section class="card shield" data-testid="shield">
      <h2 class="card-title">Shield analysis</h2>
      <div class="shield-head">
        {score !== null && (
          <div class={`shield-score shield-${level}`}>
            <span class="num shield-value">{score.toFixed(1)}</span>
            <span class="hint">/10</span>
          </div>
        )}
        <div class="shield-bars">
          {score !== null && (
            <div class="shield-bar">
              <div class={`shield-fill shield-${level}`} style={{ width: `${Math.min(100, score * 10)}%` }} />
            </div>
          )}
          {signal.confidence !== null && (
            <div class="hint shield-conf">
              Confidence <b class="num">{signal.confidence.toFixed(1)}%</b>
            </div>
          )}
        </div>
      </div>
      {signal.shield_notes && <p class="shield-notes">{signal.shield_notes}</p>}
    </section>
  );
}
