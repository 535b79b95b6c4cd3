import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import type { FastifyBodyParser, FastifyInstance } from "fastify";
import { ApiError } from "./errors.ts";

/**
 * Two validators: bodies are checked strictly (no type coercion: `"entry": true` is a 400, not 1),
 * while params and query strings — always text on the wire — are coerced (`?wait=5` → 5).
 * Unknown body fields are ignored (removed), consistently everywhere.
 */
export function installValidators(app: FastifyInstance): void {
  const base = { allErrors: false, removeAdditional: true, useDefaults: true, strict: false } as const;
  const strict = new Ajv({ ...base, coerceTypes: false });
  const coercing = new Ajv({ ...base, coerceTypes: true });
  for (const ajv of [strict, coercing]) {
    (addFormats as unknown as (a: Ajv) => void)(ajv);
  }
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === "body" ? strict.compile(schema) : coercing.compile(schema),
  );
}

/** True when `value` holds a number JSON text can spell but we cannot use (`1e999` → Infinity). */
function hasNonFiniteNumber(value: unknown, depth = 0): boolean {
  if (typeof value === "number") return !Number.isFinite(value);
  if (typeof value !== "object" || value === null || depth > 64) return false;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    if (hasNonFiniteNumber(item, depth + 1)) return true;
  }
  return false;
}

/** The path of the first string (value or key) holding a NUL character, or null. */
function nulPath(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path || "body" : null;
  if (typeof value !== "object" || value === null || depth > 64) return null;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes("\u0000")) return at;
    const found = nulPath(item, at, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Fastify's JSON parser (prototype poisoning refused) plus two checks. Text holding `\u0000` is a
 * 400 naming the field: PostgreSQL cannot store a NUL in text and answered 500 (found by fuzzing
 * the webhook on PostgreSQL), and no Sortie field has a use for one. And a body holding `1e999` or
 * `-1e999` is a 400. JSON.parse turns those into ±Infinity, which Ajv's `number` accepts; a
 * terminal's `"price": 1e999` was stored as such and every later read of that fire failed with a
 * 500 (found by fuzzing). Deeper than 64 levels the walk stops: schemas never nest that deep.
 */
export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, checkedJsonParser(app));
}

/** The JSON body parser with those checks, for a scope that reads other content types as JSON too. */
export function checkedJsonParser(app: FastifyInstance): FastifyBodyParser<string> {
  const parse = app.getDefaultJsonParser("error", "error");
  return (req, body, done) => {
    // Many clients send `Content-Type: application/json` with no body on POSTs that take none
    // (cancel, bridge-token): that is no body, not bad JSON. Routes that need a body still 400.
    if (body.trim() === "") return done(null, undefined);
    parse(req, body, (err, value) => {
      if (err) return done(err, undefined);
      // JSON can only carry a NUL escaped, so the walk runs only when the text has that escape.
      const nul = body.includes("\\u0000") ? nulPath(value, "") : null;
      if (nul !== null) {
        return done(new ApiError("BAD_REQUEST", `${nul}: text must not contain NUL (\\u0000) characters`), undefined);
      }
      if (hasNonFiniteNumber(value)) {
        return done(
          new ApiError("BAD_REQUEST", "Numbers in the body must be finite (got one out of range)"),
          undefined,
        );
      }
      done(null, value);
    });
  };
}

/**
 * The `Idempotency-Key` header's key: 1–128 characters, else none (an empty or oversized header
 * is treated as absent, never stored as a key that would match every other empty one).
 */
export const idempotencyKeyHeader = (header: unknown): string | null =>
  typeof header === "string" && header.length > 0 && header.length <= 128 ? header : null;
