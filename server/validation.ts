import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import type { FastifyInstance } from "fastify";

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
