import { Type } from "typebox";
import { ALLOCATION_MAX, ALLOCATION_MIN } from "../../core/terminals.ts";
import { badRequest, forbidden } from "../errors.ts";
import { ID_PATTERN } from "../ids.ts";
import { errorResponses } from "../schemas.ts";
import type { App, RouteDeps } from "./types.ts";

const Name = Type.String({ minLength: 1, maxLength: 40, pattern: "\\S" });
const Allocation = Type.Number({ minimum: ALLOCATION_MIN, maximum: ALLOCATION_MAX });

const TerminalSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  allocation: Type.Number(),
  enabled: Type.Boolean(),
  online: Type.Boolean(),
  last_seen: Type.Union([Type.String(), Type.Null()]),
  first: Type.Boolean(),
  account: Type.Union([
    Type.Object({
      login: Type.Union([Type.String(), Type.Null()]),
      server: Type.Union([Type.String(), Type.Null()]),
      currency: Type.Union([Type.String(), Type.Null()]),
      balance: Type.Union([Type.Number(), Type.Null()]),
      equity: Type.Union([Type.Number(), Type.Null()]),
      trade_allowed: Type.Boolean(),
    }),
    Type.Null(),
  ]),
  stats: Type.Object({
    fills: Type.Integer(),
    trades: Type.Integer(),
    wins: Type.Integer(),
    pnl: Type.Number(),
    xp: Type.Integer(),
  }),
});

const Params = Type.Object({ id: Type.String({ pattern: ID_PATTERN }) });

/** CONTRACT.md "Several terminals per trader": the caller's own terminals only. */
export function terminalRoutes(app: App, { ctx, auth, userLimit }: RouteDeps): void {
  const { terminals } = ctx;
  const userOnly = [auth.user.bind(auth), userLimit];
  const callerId = (req: { caller: import("../auth/index.ts").Caller | null }) => {
    if (req.caller?.kind !== "user") throw forbidden("This endpoint belongs to Telegram users");
    return req.caller.userId;
  };

  app.post(
    "/api/me/terminals",
    {
      preValidation: userOnly,
      schema: {
        tags: ["terminals"],
        body: Type.Object({ name: Name, allocation: Type.Optional(Allocation) }),
        response: {
          201: Type.Object({ terminal: Type.Object({ ...TerminalSchema.properties, token: Type.String() }) }),
          ...errorResponses(400, 401, 429),
        },
      },
    },
    async (req, reply) => {
      const { terminal, token } = await terminals.create(callerId(req), req.body.name.trim(), req.body.allocation ?? 1);
      // The answer carries a secret shown once: no browser, proxy or WebView cache may keep it.
      reply.header("cache-control", "no-store").code(201);
      return { terminal: { ...terminal, token } };
    },
  );

  app.get(
    "/api/me/terminals",
    {
      preValidation: userOnly,
      schema: {
        tags: ["terminals"],
        response: { 200: Type.Object({ terminals: Type.Array(TerminalSchema) }), ...errorResponses(401, 429) },
      },
    },
    async (req) => ({ terminals: await terminals.views(callerId(req)) }),
  );

  app.patch(
    "/api/me/terminals/:id",
    {
      preValidation: userOnly,
      schema: {
        tags: ["terminals"],
        params: Params,
        body: Type.Object({
          name: Type.Optional(Name),
          allocation: Type.Optional(Allocation),
          enabled: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Type.Object({ terminal: TerminalSchema }), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (req) => {
      const { name, allocation, enabled } = req.body;
      if (name === undefined && allocation === undefined && enabled === undefined) {
        throw badRequest("Nothing to change: send name, allocation (0–5) or enabled (true or false)");
      }
      const change = {
        ...(name === undefined ? {} : { name: name.trim() }),
        ...(allocation === undefined ? {} : { allocation }),
        ...(enabled === undefined ? {} : { enabled }),
      };
      return { terminal: await terminals.update(callerId(req), req.params.id, change) };
    },
  );

  app.delete(
    "/api/me/terminals/:id",
    {
      preValidation: userOnly,
      schema: {
        tags: ["terminals"],
        params: Params,
        response: { 200: Type.Object({ unlinked: Type.Boolean() }), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (req) => {
      await terminals.unlink(callerId(req), req.params.id);
      return { unlinked: true };
    },
  );
}
