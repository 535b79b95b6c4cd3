/** The contract's error codes with their HTTP statuses (shared/CONTRACT.md, "Errors"). */
export const ERROR_STATUS = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  SIGNAL_EXPIRED: 410,
  SIGNAL_CANCELLED: 410,
  BRIDGE_NOT_LINKED: 409,
  BRIDGE_OFFLINE: 503,
  LIMIT_REACHED: 403,
  SIZE_TOO_SMALL: 422,
  SYMBOL_UNAVAILABLE: 409,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  NOTHING_OPEN: 409,
  EA_TOO_OLD: 409,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A refusal the domain can explain: a stable code and a message a user can act on. */
export interface Refusal {
  code: ErrorCode;
  message: string;
}
