import { Type } from "typebox";
import { actorOf } from "../auth/index.ts";
import { errorResponses, Num, SignalIdParams, SignalSchema } from "../schemas.ts";
import type { App, RouteDeps } from "./types.ts";

const StrategySchema = Type.Object({
  name: Type.String(),
  source: Type.String(),
  timeframe_min: Type.Integer(),
  params: Type.Record(Type.String(), Type.Unknown()),
  auto_publish: Type.Boolean(),
  min_quality: Num,
  updated_at: Type.Union([Type.String(), Type.Null()]),
  updated_by: Type.Union([Type.String(), Type.Null()]),
});

/**
 * The live signal engine for admins: its strategies, per-symbol health and pending drafts;
 * auto-publish per strategy; approve / edit / reject a draft. Drafts are never public.
 */
export function engineRoutes(app: App, { ctx, auth }: RouteDeps): void {
  const admin = auth.admin.bind(auth);
  const { engine } = ctx;

  app.get(
    "/api/engine",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        response: {
          200: Type.Object({
            strategies: Type.Array(StrategySchema),
            health: Type.Object({}, { additionalProperties: true }),
            drafts: Type.Array(SignalSchema),
          }),
          ...errorResponses(401, 403, 429),
        },
      },
    },
    async () => ({
      strategies: await engine.strategies(),
      health: engine.health(),
      drafts: await engine.drafts.listPending(),
    }),
  );

  app.patch(
    "/api/engine/strategies/:name",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        params: Type.Object({ name: Type.String({ pattern: "^[a-z0-9-]{1,64}$" }) }),
        body: Type.Object({ auto_publish: Type.Optional(Type.Boolean()), min_quality: Type.Optional(Num) }),
        response: { 200: Type.Object({ strategy: StrategySchema }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req) => ({ strategy: await engine.setStrategy(req.params.name, req.body, actorOf(req.caller)) }),
  );

  const decide = (path: string, act: (id: string, actor: string) => unknown) =>
    app.post(
      `/api/signals/:signalId/${path}`,
      {
        preValidation: admin,
        schema: {
          tags: ["admin"],
          params: SignalIdParams,
          response: { 200: SignalSchema, ...errorResponses(400, 401, 403, 404, 409, 410, 429) },
        },
      },
      async (req) => (await act(req.params.signalId, actorOf(req.caller))) as never,
    );
  decide("approve", (id, actor) => engine.drafts.approve(id, actor));
  decide("reject", (id, actor) => engine.drafts.reject(id, actor));

  app.patch(
    "/api/signals/:signalId/draft",
    {
      preValidation: admin,
      schema: {
        tags: ["admin"],
        params: SignalIdParams,
        body: Type.Object({
          entry: Type.Optional(Num),
          stop_loss: Type.Optional(Num),
          take_profit: Type.Optional(Type.Array(Num, { minItems: 1, maxItems: 5 })),
          expires_in_min: Type.Optional(Num),
        }),
        response: { 200: SignalSchema, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (req) => engine.drafts.edit(req.params.signalId, req.body, actorOf(req.caller)),
  );
}
