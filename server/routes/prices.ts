import { Type } from "typebox";
import { canonicalSymbol, customSymbol } from "../../core/instruments/index.ts";
import { notFound } from "../errors.ts";
import { errorResponses } from "../schemas.ts";
import type { App, RouteDeps } from "./types.ts";

/** `GET /api/prices/:symbol`: one-minute candles from the caller's own terminal's price feed (may be empty). */
export function priceRoutes(app: App, { auth, candles, userLimit }: RouteDeps): void {
  app.get(
    "/api/prices/:symbol",
    {
      preValidation: [auth.user.bind(auth), userLimit],
      schema: {
        tags: ["missions"],
        params: Type.Object({ symbol: Type.String({ maxLength: 32 }) }),
        response: {
          200: Type.Object({
            symbol: Type.String(),
            candles: Type.Array(
              Type.Object({
                time: Type.Integer(),
                open: Type.Number(),
                high: Type.Number(),
                low: Type.Number(),
                close: Type.Number(),
              }),
            ),
          }),
          ...errorResponses(400, 401, 404, 429),
        },
      },
    },
    async (req) => {
      const symbol = canonicalSymbol(req.params.symbol) ?? customSymbol(req.params.symbol);
      if (!symbol) throw notFound("Symbol");
      const userId = req.caller?.kind === "user" ? req.caller.userId : null;
      return { symbol, candles: userId === null ? [] : candles.candles(userId, symbol) };
    },
  );
}
