import "./PositionTimeline.css";
import type { TimelineEntry } from "../types.ts";

/** A position's life after entry: opened, stop moved, partial close, closed with P&L. */
export function PositionTimeline({ entries }: { entries: TimelineEntry[] }) {
  if (entries.length === 0) return null;
  return (
    <ol class="timeline" data-testid="position-timeline">
      {entries.map((entry, index) => (
        <li key={`${entry.at}-${index}`} class={`timeline-item timeline-${entry.kind}`} data-kind={entry.kind}>
          <span class="timeline-dot" aria-hidden="true" />
          <span class="timeline-text">
            {entry.leg !== null && <b>Leg {entry.leg} · </b>}
            {entry.text}
          </span>
          <time class="timeline-time num">{entry.at.slice(11, 19)}</time>
        </li>
      ))}
    </ol>
  );
}
