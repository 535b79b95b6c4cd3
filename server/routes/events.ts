import { Type } from "typebox";
import { forbidden } from "../errors.ts";
import { SSE_HEADERS } from "../events/sse.ts";
import { errorResponses } from "../schemas.ts";
import type { App, RouteDeps } from "./types.ts";

/**
 * `GET /api/events`: a Server-Sent Events stream, authenticated by the Authorization header (the
 * Mini App reads it with fetch streaming, since EventSource cannot send headers).
 */
export function eventRoutes(app: App, { auth, sse, userLimit }: RouteDeps): void {
  app.get(
    "/api/events",
    {
      preValidation: [auth.user.bind(auth), userLimit],
      schema: {
        tags: ["events"],
        headers: Type.Object({ "last-event-id": Type.Optional(Type.String({ maxLength: 20 })) }),
        response: { ...errorResponses(401, 429) },
      },
    },
    async (req, reply) => {
      if (req.caller?.kind !== "user") throw forbidden("Event streams belong to Telegram users");
      const raw = req.headers["last-event-id"];
      const lastId = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : null;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, SSE_HEADERS);
      const detach = sse.attach(req.caller.userId, res, lastId);
      req.raw.on("close", detach);
      res.on("close", detach);
    },
  );
}
