/** Small inline icons (emoji fonts are missing on some Android webviews and in headless Chromium). */
const PATHS = {
  flame:
    "M12 2c1 3.2-.6 5-2 6.6C8.6 10.2 7 12 7 14.6A5 5 0 0 0 12 20a5 5 0 0 0 5-5.2c0-2.3-1.2-3.7-2.2-4.9.1 1.7-.5 2.8-1.6 3.3.4-3.6-.6-7.9-1.2-11.2z",
  shield: "M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3z",
} as const;

export function Icon({ name, size = 14 }: { name: keyof typeof PATHS; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" style={{ verticalAlign: "-2px" }}>
      <path d={PATHS[name]} fill="currentColor" />
    </svg>
  );
}
