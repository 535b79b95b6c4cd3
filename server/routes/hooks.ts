import { createHash } from "node:crypto";
import stableStringify from "safe-stable-stringify";
import { Type } from "typebox";
import { safeEqual } from "../auth/tokens.ts";
import { ApiError, badRequest, notFound } from "../errors.ts";
import { errorResponses, SignalSchema } from "../schemas.ts";
import { checkedJsonParser } from "../validation.ts";
import { isUpdateAlert, updateFromHook } from "./hook-updates.ts";
import type { App, RouteDeps } from "./types.ts";
import { UpdateSchema } from "./update-schemas.ts";

/** TradingView-style alert fields we understand; everything else in the body is ignored. */
interface HookBody {
  [key: string]: unknown;
}

const first = (body: HookBody, ...names: string[]) =>
  names.map((n) => body[n]).find((v) => v !== undefined && v !== null && v !== "");
const num = (v: unknown) => (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v);

/** Maps a TradingView alert (symbol, side|action, entry|price, stop_loss|sl, take_profit|tp|tp1..tp3, expires_at|expiry minutes) to a signal input. */
export function hookToSignalInput(body: HookBody) {
  const tps =
    first(body, "take_profit", "tp") ??
    ["tp1", "tp2", "tp3"].map((k) => body[k]).filter((v) => v !== undefined && v !== null && v !== "");
  const takeProfit = Array.isArray(tps) ? tps.map(num) : num(tps);
  const expiry = first(body, "expiry", "expiry_minutes", "expires_in_min");
  return {
    symbol: first(body, "symbol", "ticker"),
    side: first(body, "side", "action"),
    entry: num(first(body, "entry", "price")),
    stop_loss: num(first(body, "sl", "stop_loss", "stop")),
    take_profit: Array.isArray(takeProfit) && takeProfit.length === 0 ? undefined : takeProfit,
    expires_at: body.expires_at,
    expires_in_min: expiry === undefined ? (body.expires_at === undefined ? 60 : undefined) : num(expiry),
    confidence: num(body.confidence),
    shield_score: num(first(body, "shield_score", "score", "quality")),
    shield_notes: first(body, "shield_notes", "notes", "comment"),
    pattern: body.pattern,
    session: body.session,
    min_tier: body.min_tier,
    breakeven_after_tp1: body.breakeven_after_tp1,
    publish_at: body.publish_at,
  };
}

/**
 * `POST /hooks/signal/:secret`: create a signal from a TradingView-style JSON alert, deduplicated.
 * The body is read as JSON whatever its content type says: TradingView sends `text/plain` for a
 * message it does not take for JSON, and other alert senders send JSON as `text/plain` or with no
 * content type at all. A body that is not a JSON object is a 400 saying so.
 */
export function hookRoutes(app: App, deps: RouteDeps): void {
  app.register(async (scope) => {
    // The app's own JSON parser (prototype poisoning, NUL and ±Infinity refused), for every type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string" }, checkedJsonParser(scope));
    hookRoute(scope as App, deps);
  });
}

function hookRoute(app: App, { ctx }: RouteDeps): void {
  app.post(
    "/hooks/signal/:secret",
    {
      // Wrong or disabled secret answers 404, as if the hook did not exist: nothing to probe (and
      // before the body is read, so whatever it holds).
      onRequest: async (req) => {
        const secret = ctx.config.signalHookSecret;
        if (!secret || !safeEqual((req.params as { secret: string }).secret, secret)) throw notFound("Hook");
      },
      preValidation: async (req) => {
        const body = req.body;
        if (typeof body !== "object" || body === null || Array.isArray(body))
          throw badRequest("Body must be a JSON object");
      },
      schema: {
        tags: ["admin"],
        params: Type.Object({ secret: Type.String({ maxLength: 256 }) }),
        body: Type.Object({}, { additionalProperties: true }),
        response: {
          201: Type.Union([SignalSchema, Type.Object({ update: UpdateSchema })]),
          200: Type.Union([
            Type.Object({ ...SignalSchema.properties, duplicate: Type.Boolean() }),
            Type.Object({ update: UpdateSchema, duplicate: Type.Boolean() }),
          ]),
          ...errorResponses(400, 404, 409, 429),
        },
      },
    },
    async (req, reply) => {
      const body = req.body as HookBody;
      if (isUpdateAlert(body)) {
        // Redelivered alerts (same body) make one update; the key is the body's hash.
        const hash = createHash("sha256")
          .update(stableStringify(body) ?? "")
          .digest("hex");
        const { update, created } = await updateFromHook(ctx, body, hash);
        reply.status(created ? 201 : 200);
        return created ? { update } : { update, duplicate: true };
      }
      const key = body.idempotency_key;
      if (key !== undefined && (typeof key !== "string" || key.length === 0 || key.length > 128)) {
        throw new ApiError("BAD_REQUEST", "idempotency_key must be a string of 1–128 characters", "idempotency_key");
      }
      const { signal, created } = await ctx.signals.create(hookToSignalInput(body), {
        source: "webhook",
        actor: "webhook",
        idempotencyKey: (key as string | undefined) ?? null,
        dedupBody: key === undefined ? body : undefined,
      });
      reply.status(created ? 201 : 200);
      return created ? signal : { ...signal, duplicate: true };
    },
  );
}
