import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

// The server serves webapp/dist at /app/ (and the same index.html at /mission/:id), so every asset
// URL is absolute under /app/.
export default defineConfig({
  root,
  base: "/app/",
  plugins: [preact()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    // The chart library is loaded with import() and must stay out of the initial chunk.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 300,
  },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
});
