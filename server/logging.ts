import { type FastifyReply, type FastifyRequest, LogController } from "fastify";
import type { App } from "./routes/types.ts";

/**
 * The routes every Mini App open, every tap and every terminal poll go through, and the level of
 * their line for a successful answer. A CPU profile of `GET /api/missions/:id` under load
 * (BENCHMARKS.md) spent about a quarter of the server's time in logging: a pino child logger made
 * per request, and two lines per request ("incoming request", "request completed") each passing
 * the redaction paths. On these routes the request's logger is the app's own (no child), and one
 * short line is written when the answer is sent: at `debug` for the high-volume reads and polls
 * (counted by the metrics instead), at `info` for fires. Failures are logged at `info` or above.
 */
export const HOT_ROUTES: ReadonlyMap<string, "debug" | "info"> = new Map([
  ["GET /api/missions/:signalId", "debug"],
  ["GET /bridge/v1/commands", "debug"],
  ["POST /bridge/v1/heartbeat", "debug"],
  ["GET /health", "debug"],
  ["POST /api/fire", "info"],
]);

/** What `installHotRouteLogging` records in a hot route's config: its line's level and pattern. */
interface HotLog {
  level: "debug" | "info";
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
    const level = reply.statusCode < 400 ? hot.level : "info";
    request.log[level](
      { reqId: request.id, route: hot.route, status: reply.statusCode, ms: reply.elapsedTime },
      "request completed",
    );
  }
}

/** Hot routes get no child logger (`req.log` is the app's own logger) and their line's level. */
export function installHotRouteLogging(app: App): void {
  app.addHook("onRoute", (route) => {
    const level = [route.method]
      .flat()
      .map((method) => HOT_ROUTES.get(`${method} ${route.url}`))
      .find((found) => found !== undefined);
    if (level === undefined) return;
    route.childLoggerFactory = (logger) => logger;
    const hot: HotLog = { level, route: route.url };
    route.config = { ...(route.config as object), hotLog: hot } as typeof route.config;
  });
}
