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

const hotLevel = (req: FastifyRequest) =>
  req.routeOptions === undefined ? undefined : HOT_ROUTES.get(`${req.method} ${req.routeOptions.url}`);

/** Fastify's request logging with one short line (and none on arrival) for the hot routes. */
export class SortieLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (hotLevel(request) === undefined) super.incomingRequest(request, reply);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const level = hotLevel(request);
    if (level === undefined || error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    request.log[reply.statusCode < 400 ? level : "info"](
      { reqId: request.id, route: request.routeOptions.url, status: reply.statusCode, ms: reply.elapsedTime },
      "request completed",
    );
  }
}

/** Hot routes get no child logger: `req.log` is the app's own logger. */
export function installHotRouteLogging(app: App): void {
  app.addHook("onRoute", (route) => {
    if ([route.method].flat().some((method) => HOT_ROUTES.has(`${method} ${route.url}`))) {
      route.childLoggerFactory = (logger) => logger;
    }
  });
}
