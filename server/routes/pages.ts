import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import { Type } from "typebox";
import type { App, RouteDeps } from "./types.ts";

/**
 * Headers for the Mini App pages: Telegram embeds the app in an iframe on its web clients, so
 * framing is allowed for Telegram's origins only (CSP frame-ancestors) instead of X-Frame-Options
 * DENY; everything else is locked to our own origin plus telegram.org's official script.
 */
export const PAGE_HEADERS: Record<string, string> = {
  "content-security-policy": [
    "default-src 'self'",
    "script-src 'self' https://telegram.org",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    "connect-src 'self'",
    "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org https://telegram.org",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; "),
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
};

/** The Mini App: built files under `/app/`, and `/mission/:id` serving the same page. */
export async function pageRoutes(app: App, _deps: RouteDeps, distDir: string): Promise<void> {
  const indexPath = join(distDir, "index.html");
  const built = existsSync(indexPath);
  const indexHtml = () =>
    built
      ? readFileSync(indexPath, "utf8")
      : "<!doctype html><title>Sortie</title><p>The Mini App is not built yet: run <code>npm run build</code>.</p>";

  if (built) {
    await app.register(fastifyStatic, {
      root: distDir,
      prefix: "/app/",
      index: false,
      wildcard: true,
      setHeaders: (res) => {
        for (const [k, v] of Object.entries(PAGE_HEADERS)) res.header(k, v);
      },
    });
  }
  const sendIndex = async (_req: unknown, reply: import("fastify").FastifyReply) =>
    reply
      .headers({ ...PAGE_HEADERS, "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" })
      .send(indexHtml());
  app.get("/app/", { schema: { hide: true } }, sendIndex);
  app.get("/app", { schema: { hide: true } }, async (_req, reply) => reply.redirect("/app/"));
  app.get("/", { schema: { hide: true } }, async (_req, reply) => reply.redirect("/app/"));
  app.get(
    "/mission/:signalId",
    {
      schema: {
        hide: true,
        params: Type.Object({ signalId: Type.String({ maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" }) }),
      },
    },
    sendIndex,
  );
}
