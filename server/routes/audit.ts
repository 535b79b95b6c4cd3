import { Type } from "typebox";
import { errorResponses } from "../schemas.ts";
import type { App, RouteDeps } from "./types.ts";

const AuditEntrySchema = Type.Object({
  seq: Type.Integer(),
  at: Type.String({ format: "date-time" }),
  type: Type.String(),
  actor: Type.Union([Type.String(), Type.Null()]),
  user_id: Type.Union([Type.Integer(), Type.Null()]),
  signal_id: Type.Union([Type.String(), Type.Null()]),
  data: Type.Unknown(),
});

/** `GET /api/audit` (admin or owner): who did what, newest first (the bot's `/audit` reads the same). */
export function auditRoutes(app: App, { ctx, auth }: RouteDeps): void {
  app.get(
    "/api/audit",
    {
      preValidation: auth.staff("admin"),
      schema: {
        tags: ["admin"],
        summary:
          "The admin audit log: staff commands (allowed and refused), tier changes, signals created and cancelled",
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }),
        response: {
          200: Type.Object({ entries: Type.Array(AuditEntrySchema) }),
          ...errorResponses(400, 401, 403, 429),
        },
      },
    },
    async (req) => ({ entries: await ctx.store.audit.listAudit(req.query.limit ?? 50) }),
  );
}
