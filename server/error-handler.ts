import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "./errors.ts";
import { type DbHealth, isDbWriteFailure } from "./services/db-health.ts";

/**
 * The one error handler: every non-2xx answer is `{"error": {"code", "message"}}`. Bad input is a
 * 4xx naming the field; anything unexpected is a 500 with a generic message (logged, never leaked).
 */
export function installErrorHandler(app: FastifyInstance, dbHealth?: DbHealth): void {
  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    if (err instanceof ApiError) {
      const body = { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } };
      return reply.status(err.statusCode).send(body);
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const first = fe.validation[0];
      const where = fe.validationContext ?? "request";
      const path = first?.instancePath ? first.instancePath.replace(/^\//, "").replace(/\//g, ".") : "";
      const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
      const field = missing ?? path;
      const message = missing
        ? `${where}: ${missing} is required`
        : `${where}${field ? `.${field}` : ""} ${first?.message ?? "is invalid"}`;
      return reply.status(400).send({ error: { code: "BAD_REQUEST", message, ...(field ? { field } : {}) } });
    }
    const status = typeof fe.statusCode === "number" ? fe.statusCode : 500;
    if (status === 429) {
      return reply
        .status(429)
        .send({ error: { code: "RATE_LIMITED", message: "Too many requests: slow down and retry shortly" } });
    }
    if (status >= 400 && status < 500) {
      const code =
        status === 413
          ? "PAYLOAD_TOO_LARGE"
          : status === 415
            ? "UNSUPPORTED_MEDIA_TYPE"
            : status === 404
              ? "NOT_FOUND"
              : status === 401
                ? "UNAUTHORIZED"
                : status === 403
                  ? "FORBIDDEN"
                  : "BAD_REQUEST";
      const message =
        fe.code === "FST_ERR_CTP_INVALID_JSON_BODY" || fe.code === "FST_ERR_CTP_EMPTY_JSON_BODY"
          ? "Body is not valid JSON"
          : fe.message || "Bad request";
      return reply.status(status).send({ error: { code, message } });
    }
    if (isDbWriteFailure(err)) {
      // A full or failing disk is not a bug to hide behind a 500: say so, and let /health report it.
      dbHealth?.noteFailure(err);
      req.log.error({ err }, "database write failed");
      return reply.status(503).send({
        error: {
          code: "UNAVAILABLE",
          message: "The database cannot write right now (disk full or failing); retry later",
        },
      });
    }
    req.log.error({ err }, "unhandled error");
    return reply
      .status(500)
      .send({ error: { code: "INTERNAL", message: "Something went wrong on our side; it has been logged" } });
  });

  app.setNotFoundHandler((req, reply) => {
    reply
      .status(404)
      .send({ error: { code: "NOT_FOUND", message: `No route ${req.method} ${req.url.split("?")[0]}` } });
  });
}

/**
 * Fastify's router refuses some URLs before any route or error handler runs (malformed
 * percent-encoding such as `%E0%A4%A`, a path parameter over `maxParamLength`) and would answer in
 * its own body shape; this keeps them in ours. The path is not echoed: it may carry the hook secret.
 */
export function frameworkErrorHandler(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const message =
    err.code === "FST_ERR_MAX_PARAM_LENGTH" ? "A path segment is too long" : "The URL is not validly encoded";
  void reply.status(400).send({ error: { code: "BAD_REQUEST", message } });
}

/** What a request Node's HTTP server gives up on is answered, by the error's code. */
const CLIENT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: "REQUEST_TIMEOUT",
    message: "The request took too long to arrive (30 s at most, headers within 20 s)",
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: "HEADERS_TOO_LARGE",
    message: "The request's headers are too large (16 KB at most in all)",
  },
};

/**
 * Requests Node's HTTP server gives up on before Fastify sees them (not valid HTTP, conflicting
 * Content-Length and Transfer-Encoding, headers over Node's 16 KB, a request too slow to arrive)
 * are answered in our error shape, as every other non-2xx is, with the status Node or Fastify would
 * have used (400, 431, 408), and the connection is closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const known = CLIENT_ERRORS[err.code ?? ""];
  const { status, code, message } = known ?? {
    status: 400,
    code: "BAD_REQUEST",
    message: "The request is not valid HTTP",
  };
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
