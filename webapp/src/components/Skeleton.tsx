import "./Skeleton.css";

/** Grey shimmering placeholders in the shape of the screen that is loading. */
export function Skeleton({ blocks = [64, 120, 150, 90] }: { blocks?: number[] }) {
  return (
    <div class="skeleton" role="status" aria-busy="true" aria-label="Loading" data-testid="skeleton">
      {blocks.map((height, index) => (
        // Static placeholders never reorder, so the index is a stable key.
        <div key={index} class="skeleton-block card" style={{ height: `${height}px` }} />
      ))}
    </div>
  );
}
