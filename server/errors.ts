import { ERROR_STATUS, type ErrorCode, type Refusal } from "../core/errors.ts";

/**
 * An error the API answers with `{"error": {"code", "message"}}`. The one error handler maps it;
 * anything else is a 500 with a generic message (never a stack).
 */
export class ApiError extends Error {
  override name = "ApiError";
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.statusCode = ERROR_STATUS[code];
  }

  static from(refusal: Refusal): ApiError {
    return new ApiError(refusal.code, refusal.message);
  }
}

export const notFound = (what: string) => new ApiError("NOT_FOUND", `${what} not found`);
export const badRequest = (message: string, field?: string) => new ApiError("BAD_REQUEST", message, field);
export const unauthorized = (message: string) => new ApiError("UNAUTHORIZED", message);
export const forbidden = (message: string) => new ApiError("FORBIDDEN", message);
