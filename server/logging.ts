import { type FastifyReply, type FastifyRequest, LogController } from "fastify";
import type { App } from "./routes/types.ts";

/**
 * The routes every Mini App open, every tap and every terminal poll go through, and the level of
 * their line for a successful answer. A CPU profile of `GET /api/missions/:id` under load
 * (BENCHMARKS.md) spent about a quarter of the server's time in logging: a pino child logger made
 * per request, and two lines per request ("incoming request", "request completed") each passing
 * the redaction paths. On these routes the request's logger is the app's own (no child), and one
 * short line is written when the answer is sent: at `debug` for the high-volume reads and polls
 * (counted by the metrics instead), at `info` for a fire taken (202). A tap answered with the fire
 * it repeats (200, duplicate) is at `debug`: a burst's taps would otherwise fill the log with
 * copies of the line that matters (the fire itself is in the audit log). Failures are logged at
 * `info` or above.
 */
export const HOT_ROUTES: ReadonlyMap<string, HotLevels> = new Map([
  ["GET /api/missions/:signalId", { ok: "debug" }],
  ["GET /bridge/v1/commands", { ok: "debug" }],
  ["POST /bridge/v1/heartbeat", { ok: "debug" }],
  ["GET /health", { ok: "debug" }],
  ["POST /api/fire", { ok: "debug", accepted: "info" }],
]);

/** A hot route's line level for a success (`ok`), and for 202 Accepted when it differs. */
interface HotLevels {
  ok: "debug" | "info";
  accepted?: "debug" | "info";
}

/** What `installHotRouteLogging` records in a hot route's config: its line's levels and pattern. */
interface HotLog extends HotLevels {
  route: string;
}

/** The hot route's logging, read from its config (one property read, no string built per request). */
const hotLog = (req: FastifyRequest): HotLog | undefined =>
  (req.routeOptions?.config as { hotLog?: HotLog } | undefined)?.hotLog;

/** Fastify's request logging with one short line (and none on arrival) for the hot routes. */
export class SortieLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (hotLog(request) === undefined) super.incomingRequest(request, reply);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const hot = hotLog(request);
    if (hot === undefined || error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    const status = reply.statusCode;
    const level = status >= 400 ? "info" : status === 202 ? (hot.accepted ?? hot.ok) : hot.ok;
    request.log[level]({ reqId: request.id, route: hot.route, status, ms: reply.elapsedTime }, "request completed");
  }
}

/** Hot routes get no child logger (`req.log` is the app's own logger) and their line's level. */
export function installHotRouteLogging(app: App): void {
  app.addHook("onRoute", (route) => {
    const levels = [route.method]
      .flat()
      .map((method) => HOT_ROUTES.get(`${method} ${route.url}`))
      .find((found) => found !== undefined);
    if (levels === undefined) return;
    route.childLoggerFactory = (logger) => logger;
    const hot: HotLog = { ...levels, route: route.url };
    route.config = { ...(route.config as object), hotLog: hot } as typeof route.config;
  });
}
