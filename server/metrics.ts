import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AppContext } from "./context.ts";
import { HttpTimings, type RouteTimings } from "./http-timings.ts";
import type { App, RouteDeps } from "./routes/types.ts";

/** Outcomes a fire can settle in; each is counted once, when the fire first reaches it. */
const SETTLED = new Set(["filled", "rejected", "failed", "expired"]);

/**
 * Sortie's Prometheus metrics, in a registry of their own (never prom-client's global one), so two
 * apps in one process — tests, benches — never collide. Gauges read the database at scrape time.
 */
export function createMetrics(ctx: AppContext) {
  const { store, hub, clock, config } = ctx;
  const registry = new Registry();
  const queries = store.metrics;
  const registers = [registry];
  let loopDelay: IntervalHistogram | null = null;
  let sseClients: () => number = () => 0;

  const httpTimings = new HttpTimings();
  const fireLatency = new Histogram({
    name: "sortie_fire_fill_latency_seconds",
    help: "From fire created (202) to filled, as reported by the terminal",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers,
  });
  const firesCreated = new Counter({ name: "sortie_fires_created_total", help: "Fires accepted (202)", registers });
  const firesSettled = new Counter({
    name: "sortie_fires_settled_total",
    help: "Fires reaching a final execution state, by state",
    labelNames: ["state"] as const,
    registers,
  });
  const alertSendFailures = new Counter({
    name: "sortie_alert_send_failures_total",
    help: "Telegram alerts and DMs that could not be sent (incremented by the bot)",
    registers,
  });
  new Gauge({
    name: "sortie_bridge_commands_pending",
    help: "Bridge commands queued or delivered without a result",
    registers,
    async collect() {
      this.set(await store.commands.countPending());
    },
  });
  new Gauge({
    name: "sortie_terminals_online",
    help: `Terminals heard from within HEARTBEAT_STALE_S (${config.heartbeatStaleS} s)`,
    registers,
    async collect() {
      this.set(await queries.countOnlineTerminals(clock.now() - config.heartbeatStaleS * 1000));
    },
  });
  new Gauge({
    name: "sortie_terminals_linked",
    help: "Users holding a bridge token",
    registers,
    async collect() {
      this.set(await queries.countLinkedTerminals());
    },
  });
  new Gauge({
    name: "sortie_fires",
    help: "Fires by current state",
    labelNames: ["state"] as const,
    registers,
    async collect() {
      const rows = await queries.countFiresByState();
      this.reset();
      for (const { state, n } of rows) this.set({ state }, n);
    },
  });
  new Gauge({
    name: "sortie_in_process_entries",
    help: "Entries held by each bounded in-process map (server/memory.ts), by map",
    labelNames: ["map"] as const,
    registers,
    collect() {
      for (const [map, { size }] of Object.entries(ctx.memory.sizes())) this.set({ map }, size);
    },
  });
  new Gauge({
    name: "sortie_sse_clients",
    help: "Open Server-Sent Events streams",
    registers,
    collect() {
      this.set(sseClients());
    },
  });
  new Gauge({
    name: "sortie_process_memory_bytes",
    help: "Process memory (rss, heap_used, heap_total, external)",
    labelNames: ["kind"] as const,
    registers,
    collect() {
      const m = process.memoryUsage();
      this.set({ kind: "rss" }, m.rss);
      this.set({ kind: "heap_used" }, m.heapUsed);
      this.set({ kind: "heap_total" }, m.heapTotal);
      this.set({ kind: "external" }, m.external);
    },
  });
  new Gauge({
    name: "sortie_event_loop_delay_seconds",
    help: "Event loop delay since the previous scrape (p50, p99, max)",
    labelNames: ["quantile"] as const,
    registers,
    collect() {
      // Started on the first scrape: an app that is never scraped pays nothing.
      if (!loopDelay) {
        loopDelay = monitorEventLoopDelay({ resolution: 10 });
        loopDelay.enable();
        return;
      }
      this.set({ quantile: "0.5" }, loopDelay.percentile(50) / 1e9);
      this.set({ quantile: "0.99" }, loopDelay.percentile(99) / 1e9);
      this.set({ quantile: "max" }, loopDelay.max / 1e9);
      loopDelay.reset();
    },
  });

  hub.on("fire.created", () => firesCreated.inc());
  hub.on("fire.updated", ({ fire, previousState }) => {
    if (fire.state === previousState || !SETTLED.has(fire.state)) return;
    firesSettled.inc({ state: fire.state });
    if (fire.state === "filled") {
      fireLatency.observe(Math.max(0, clock.now() - Date.parse(fire.created_at)) / 1000);
    }
  });

  return {
    registry,
    httpTimings,
    fireLatency,
    alertSendFailures,
    /** Lets the app report its open SSE streams. */
    watchSse(count: () => number) {
      sseClients = count;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const byContext = new WeakMap<AppContext, Metrics>();

/**
 * The metrics of one application context, made on first use. The HTTP app and the bot share a
 * context, so the bot can do `metricsFor(ctx).alertSendFailures.inc()` and it shows on `/metrics`.
 */
export function metricsFor(ctx: AppContext): Metrics {
  let metrics = byContext.get(ctx);
  if (!metrics) {
    metrics = createMetrics(ctx);
    byContext.set(ctx, metrics);
  }
  return metrics;
}

/**
 * Times every request (label: the route pattern, or `unmatched` for 404s, so fuzzed URLs cannot
 * blow up the label set) and serves `GET /metrics` in Prometheus text format. The endpoint uses
 * the admin door (`Authorization: Bearer <ADMIN_API_TOKEN>`): the figures name no user, but a
 * public scrape would show traffic and customer counts; Prometheus sends the token with
 * `authorization: { credentials: ... }` in its scrape config.
 */
export function installMetrics(app: App, deps: RouteDeps, metrics: Metrics): void {
  metrics.watchSse(() => deps.sse.stats().clients);
  const { httpTimings } = metrics;
  // Each route's timings are found once, when it is registered, and kept in its config.
  app.addHook("onRoute", (route) => {
    const timings = httpTimings.forRoute(route.url);
    route.config = { ...(route.config as object), timings } as typeof route.config;
  });
  app.addHook("onResponse", (req, reply, done) => {
    const timings = (req.routeOptions.config as { timings?: RouteTimings }).timings ?? httpTimings.unmatched;
    timings.record(req.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.get(
    "/metrics",
    { preValidation: deps.auth.admin.bind(deps.auth), schema: { hide: true } },
    async (_req, reply) => {
      reply.header("content-type", metrics.registry.contentType);
      return (await metrics.registry.metrics()) + httpTimings.exposition();
    },
  );
}
