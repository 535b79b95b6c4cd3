import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { roleAllows } from "../../core/roles.ts";
import { signalResult } from "../../core/track-record/index.ts";
import type { Signal } from "../../core/types.ts";
import { toCsv } from "../csv.ts";
import { forbidden, notFound } from "../errors.ts";
import { errorResponses } from "../schemas.ts";
import { PAGE_HEADERS } from "./pages.ts";
import { trackRecordPage } from "./track-record-page.ts";
import { DaysQuery, PerformanceSchema, TrackRecordSchema } from "./track-record-schemas.ts";
import type { App, RouteDeps } from "./types.ts";

const DAY_MS = 24 * 3600 * 1000;
const UserParams = Type.Object({ userId: Type.Integer({ minimum: 1 }) });
const CsvResponse = Type.String({ description: "text/csv" });

/**
 * The track record (CONTRACT.md "Track record", docs/track-record.md): the channel's record as JSON
 * and as a page, a trader's performance, and the CSV exports. Numbers come from the cached
 * service over stored fills and closes (server/services/track-record).
 */
export function trackRecordRoutes(app: App, { ctx, auth, userLimit }: RouteDeps): void {
  const { store, config, clock, trackRecord } = ctx;
  const signedIn = [auth.userOrAdmin.bind(auth), userLimit];
  const open = config.trackRecordPublic ? [] : signedIn;

  /** Traders read their own figures; staff down to analysts anyone's (as `/stats`). */
  async function checkSelfOrStaff(req: FastifyRequest, userId: number, what: string) {
    const who = req.caller;
    const isSelf = who?.kind === "user" && who.userId === userId;
    if (!isSelf && !roleAllows(who?.role ?? null, "analyst")) throw forbidden(`You can only see your own ${what}`);
    const user = await store.users.findUser(userId);
    if (!user) throw notFound("User");
    return user;
  }

  app.get(
    "/api/track-record",
    {
      preValidation: open,
      schema: {
        tags: ["track-record"],
        querystring: DaysQuery,
        response: { 200: TrackRecordSchema, ...errorResponses(400, 401, 403, 429) },
      },
    },
    // The cached JSON text as is (a string sent as JSON is not serialised again); the schema above
    // documents it and the body is built by core's presentTrackRecord, which writes only its fields.
    async (req, reply) =>
      reply
        .type("application/json; charset=utf-8")
        .send((await trackRecord.channelJson(req.query.days ?? null)) as never),
  );

  app.get("/track-record", { schema: { hide: true, querystring: DaysQuery } }, async (req, reply) => {
    reply.headers({ ...PAGE_HEADERS, "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" });
    if (!config.trackRecordPublic) {
      return reply
        .code(404)
        .send(
          "<!doctype html><title>Track record</title><p>This channel's track record is private (set TRACK_RECORD_PUBLIC=1 to publish it). Members see it in the Mini App.</p>",
        );
    }
    const days = req.query.days ?? null;
    return reply.send(trackRecordPage(await trackRecord.channel(days), new Date(clock.now()).toISOString()));
  });

  app.get(
    "/api/users/:userId/performance",
    {
      preValidation: signedIn,
      schema: {
        tags: ["track-record"],
        params: UserParams,
        querystring: DaysQuery,
        response: { 200: PerformanceSchema, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      const user = await checkSelfOrStaff(req, req.params.userId, "performance");
      return trackRecord.performance(user.id, req.query.days ?? null);
    },
  );

  app.get(
    "/api/users/:userId/trades.csv",
    {
      preValidation: signedIn,
      schema: {
        tags: ["track-record"],
        params: UserParams,
        querystring: DaysQuery,
        response: { 200: CsvResponse, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req, reply) => {
      const user = await checkSelfOrStaff(req, req.params.userId, "trades");
      const sinceMs = req.query.days ? clock.now() - req.query.days * DAY_MS : 0;
      const fires = (await store.fires.listFiresByUser(user.id, 1_000_000)).filter(
        (f) => Date.parse(f.created_at) >= sinceMs,
      );
      const signals = new Map<string, Signal | null>();
      for (const f of fires) {
        if (!signals.has(f.signal_id)) signals.set(f.signal_id, await store.signals.findSignal(f.signal_id));
      }
      const rows = fires.reverse().map((f) => {
        const signal = signals.get(f.signal_id) ?? null;
        const positions = f.legs
          .filter((l) => l.price !== null && (l.state === "filled" || l.state === "closed"))
          .map((l) => ({
            volume: l.filled_volume ?? l.volume,
            fill: l.price!,
            close: l.state === "closed" ? l.close_price : null,
          }));
        const result = signal
          ? signalResult({ side: signal.side, entry: signal.entry, stopLoss: signal.stop_loss }, positions)
          : null;
        return [
          f.created_at,
          f.closed_at,
          f.id,
          f.signal_id,
          f.symbol,
          f.side,
          f.lots,
          f.state,
          signal?.entry,
          signal?.stop_loss,
          f.fill_price,
          f.slippage_pips,
          result?.closed && result.r !== null ? Math.round(result.r * 100) / 100 : null,
          f.profit,
          user.currency,
        ];
      });
      const header = ["fired_at", "closed_at", "fire_id", "signal_id", "symbol", "side", "lots", "state", "entry"];
      header.push("stop_loss", "fill_price", "slippage_pips", "r", "profit", "currency");
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="sortie-trades-${user.id}.csv"`)
        .header("cache-control", "no-store")
        .send(toCsv(header, rows));
    },
  );

  app.get(
    "/api/track-record/signals.csv",
    {
      preValidation: [auth.staff("analyst"), userLimit],
      schema: {
        tags: ["track-record"],
        querystring: DaysQuery,
        response: { 200: CsvResponse, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (req, reply) => {
      const sinceMs = req.query.days ? clock.now() - req.query.days * DAY_MS : 0;
      const rows = (await store.trackRecord.listSignalsForExport(sinceMs)).map((s) => [
        s.created_at,
        s.id,
        s.symbol,
        s.side,
        s.entry,
        s.stop_loss,
        s.status,
        s.expires_at,
        s.outcome ?? "open",
        s.r === null ? null : Math.round(s.r * 100) / 100,
        s.fired,
        s.filled,
        s.rejected,
        s.avg_slippage_pips === null ? null : Math.round(s.avg_slippage_pips * 10) / 10,
        s.avg_fill_latency_ms === null ? null : Math.round(s.avg_fill_latency_ms),
        s.closed_ms === null ? null : new Date(s.closed_ms).toISOString(),
      ]);
      const header = ["created_at", "signal_id", "symbol", "side", "entry", "stop_loss", "status", "expires_at"];
      header.push("outcome", "r", "fired", "filled", "rejected", "avg_slippage_pips", "avg_fill_latency_ms");
      header.push("closed_at");
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", 'attachment; filename="sortie-signals.csv"')
        .header("cache-control", "no-store")
        .send(toCsv(header, rows));
    },
  );
}
