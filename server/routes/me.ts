import { Type } from "typebox";
import { bridgeView, missionUser } from "../../core/mission.ts";
import { roleAllows } from "../../core/roles.ts";
import { utcDayStartMs } from "../../core/tiers.ts";
import { tradeAllowedOf } from "../../db/rows.ts";
import { hashToken, newBridgeToken } from "../auth/tokens.ts";
import { badRequest, forbidden, notFound } from "../errors.ts";
import {
  BridgeStatusSchema,
  errorResponses,
  FireSchema,
  NumOrNull,
  SignalSchema,
  StatsSchema,
  UserSchema,
} from "../schemas.ts";
import { statsFor } from "../services/stats.ts";
import { withOpenRisk } from "../services/updates/open-risk.ts";
import type { App, RouteDeps } from "./types.ts";

const MeSchema = Type.Object({
  user: Type.Object({
    ...UserSchema.properties,
    first_name: Type.Union([Type.String(), Type.Null()]),
    username: Type.Union([Type.String(), Type.Null()]),
    is_admin: Type.Boolean(),
  }),
  bridge: BridgeStatusSchema,
  stats: StatsSchema,
  /** Trader settings beyond risk (issue #17: the weekly summary DM, on by default). */
  settings: Type.Object({ weekly_summary: Type.Boolean() }),
  app: Type.Object({
    local_mode: Type.Boolean(),
    links: Type.Array(Type.Object({ title: Type.String(), url: Type.String() })),
    heartbeat_stale_s: Type.Integer(),
  }),
});

/** The caller's overlay, settings, bridge token, history and stats. */
export function meRoutes(app: App, { ctx, auth, userLimit }: RouteDeps): void {
  const { store, clock, config, hub } = ctx;
  const userOnly = [auth.user.bind(auth), userLimit];

  async function me(userId: number, admin: boolean) {
    const nowMs = clock.now();
    const user = await store.users.findUser(userId);
    if (!user) throw notFound("User");
    const stats = (await statsFor(store, userId, nowMs, utcDayStartMs(nowMs)))!;
    const linked = await store.bot.isLinked(userId);
    return {
      user: {
        ...missionUser(
          {
            id: user.id,
            tier: user.tier,
            balance: user.balance,
            equity: user.equity,
            currency: user.currency,
            risk_percent: user.risk_percent,
          },
          stats.fires_today,
        ),
        first_name: user.first_name,
        username: user.username,
        is_admin: admin,
      },
      bridge: bridgeView(
        { linked, lastSeenMs: user.bridge_seen_ms, tradeAllowed: tradeAllowedOf(user) },
        nowMs,
        config.heartbeatStaleS * 1000,
      ),
      stats,
      settings: { weekly_summary: await store.trackRecord.weeklySummaryOn(userId) },
      app: { local_mode: config.localMode, links: config.warRoomLinks, heartbeat_stale_s: config.heartbeatStaleS },
    };
  }
  const caller = (req: { caller: import("../auth/index.ts").Caller | null }) => {
    if (req.caller?.kind !== "user") throw forbidden("This endpoint belongs to Telegram users");
    return req.caller;
  };

  app.get(
    "/api/me",
    { preValidation: userOnly, schema: { tags: ["me"], response: { 200: MeSchema, ...errorResponses(401, 429) } } },
    async (req) => {
      const c = caller(req);
      return me(c.userId, c.admin);
    },
  );

  app.patch(
    "/api/me",
    {
      preValidation: userOnly,
      schema: {
        tags: ["me"],
        body: Type.Object({
          risk_percent: Type.Optional(Type.Number({ minimum: 0.1, maximum: 10 })),
          weekly_summary: Type.Optional(Type.Boolean()),
        }),
        response: { 200: MeSchema, ...errorResponses(400, 401, 429) },
      },
    },
    async (req) => {
      const c = caller(req);
      // Unknown fields are removed by validation (server/validation.ts): a body left with nothing
      // to change is a mistake the client should hear about, not a silent 200.
      if (req.body.risk_percent === undefined && req.body.weekly_summary === undefined) {
        throw badRequest("Nothing to change: send risk_percent (0.1–10) or weekly_summary (true or false)");
      }
      if (req.body.weekly_summary !== undefined) {
        await store.trackRecord.setWeeklySummary(c.userId, req.body.weekly_summary);
      }
      if (req.body.risk_percent !== undefined) {
        await store.users.setRiskPercent(c.userId, req.body.risk_percent, new Date(clock.now()).toISOString());
        await store.fires.appendEvent({
          type: "user.risk_changed",
          actor: `tg:${c.userId}`,
          user_id: c.userId,
          data: req.body,
        });
        hub.emit("user.updated", { user_id: c.userId });
      }
      return me(c.userId, c.admin);
    },
  );

  app.post(
    "/api/me/bridge-token",
    {
      preValidation: userOnly,
      schema: {
        tags: ["me"],
        response: { 200: Type.Object({ token: Type.String(), rotated: Type.Boolean() }), ...errorResponses(401, 429) },
      },
    },
    async (req, reply) => {
      const c = caller(req);
      // The answer carries a secret shown once: no browser, proxy or WebView cache may keep it.
      reply.header("cache-control", "no-store");
      const rotated = await store.bot.isLinked(c.userId);
      const token = newBridgeToken();
      await store.transaction(async () => {
        await store.users.setBridgeTokenHash(c.userId, hashToken(token), new Date(clock.now()).toISOString());
        await store.fires.appendEvent({
          type: rotated ? "bridge.token_rotated" : "bridge.token_issued",
          actor: `tg:${c.userId}`,
          user_id: c.userId,
        });
      });
      hub.emit("user.updated", { user_id: c.userId });
      await ctx.terminals.ensureFirst(c.userId); // the single-token flow's terminal is the trader's first
      return { token, rotated };
    },
  );

  app.get(
    "/api/me/fires",
    {
      preValidation: userOnly,
      schema: {
        tags: ["me"],
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }),
        response: {
          200: Type.Object({
            fires: Type.Array(
              Type.Object({
                ...FireSchema.properties,
                open_risk: Type.Optional(NumOrNull),
                signal: Type.Union([SignalSchema, Type.Null()]),
              }),
            ),
          }),
          ...errorResponses(400, 401, 429),
        },
      },
    },
    async (req) => {
      const c = caller(req);
      const fires = await withOpenRisk(
        store,
        c.userId,
        await store.fires.listFiresByUser(c.userId, req.query.limit ?? 50),
      );
      const withSignals = [];
      for (const f of fires)
        withSignals.push({ ...f, signal: (await ctx.missions.findSignal(f.signal_id))?.signal ?? null });
      return { fires: withSignals };
    },
  );

  app.get(
    "/api/users/:userId/stats",
    {
      preValidation: [auth.userOrAdmin.bind(auth), userLimit],
      schema: {
        tags: ["me"],
        params: Type.Object({ userId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        response: { 200: StatsSchema, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      const who = req.caller;
      const isSelf = who?.kind === "user" && who.userId === req.params.userId;
      // Staff down to analysts read anyone's stats (read-only); traders only their own.
      if (!isSelf && !roleAllows(who?.role ?? null, "analyst")) throw forbidden("You can only see your own stats");
      const nowMs = clock.now();
      const stats = await statsFor(store, req.params.userId, nowMs, utcDayStartMs(nowMs));
      if (!stats) throw notFound("User");
      return stats;
    },
  );
}
