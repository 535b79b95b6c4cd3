import {
  hashToken,
  isExpiredError,
  isSignatureInvalidError,
  isSignatureMissingError,
  validate,
} from "@telegram-apps/init-data-node";
import { unauthorized } from "../errors.ts";
import { BoundedMap } from "../memory.ts";

export interface TelegramUser {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

/**
 * A verified initData string, as remembered: its user and sign-in time, and a slot for what the
 * caller of `verify` builds from it (auth keeps the request's caller there, so a string seen again
 * costs one map lookup).
 */
export interface VerifiedInitData<T> {
  readonly user: TelegramUser;
  readonly authDateS: number;
  memo: T | undefined;
}

/**
 * Validates Mini App initData with Telegram's HMAC-SHA256 scheme (secret key =
 * HMAC_SHA256("WebAppData", bot token); https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app)
 * and checks `auth_date` against our injected clock. Validated strings are remembered briefly
 * (bounded map) so a busy Mini App does not pay an HMAC per request; age is re-checked every time.
 */
export function createInitDataVerifier<T = never>(opts: {
  token: string;
  maxAgeS: number;
  now: () => number;
  cacheSize?: number;
}) {
  // Forgetting an initData string costs one HMAC again when it comes back.
  const cache = new BoundedMap<string, VerifiedInitData<T>>(opts.cacheSize ?? 10_000);
  // HMAC_SHA256("WebAppData", token) once, not once per initData checked.
  const secret = new Uint8Array(hashToken(opts.token)).buffer;

  function checkAge(authDateS: number) {
    const ageS = opts.now() / 1000 - authDateS;
    if (ageS > opts.maxAgeS) throw unauthorized("Mini App session expired: close and reopen the app");
    if (ageS < -300) throw unauthorized("initData auth_date is in the future");
  }

  function verify(raw: string): VerifiedInitData<T> {
    const cached = cache.get(raw);
    if (cached) {
      checkAge(cached.authDateS);
      return cached;
    }
    try {
      // Age is checked below against our clock; the library's own check would use Date.now().
      validate(raw, secret, { expiresIn: 0, tokenHashed: true });
    } catch (err) {
      if (isSignatureInvalidError(err)) throw unauthorized("initData signature is invalid");
      if (isSignatureMissingError(err)) throw unauthorized("initData has no hash");
      if (isExpiredError(err)) throw unauthorized("Mini App session expired: close and reopen the app");
      throw unauthorized("initData is malformed");
    }
    const params = new URLSearchParams(raw);
    const authDateS = Number(params.get("auth_date"));
    if (!Number.isFinite(authDateS) || authDateS <= 0) throw unauthorized("initData has no valid auth_date");
    checkAge(authDateS);
    let user: TelegramUser;
    try {
      user = JSON.parse(params.get("user") ?? "null") as TelegramUser;
    } catch {
      throw unauthorized("initData user is not valid JSON");
    }
    if (!user || typeof user.id !== "number" || !Number.isSafeInteger(user.id) || user.id <= 0) {
      throw unauthorized("initData carries no user");
    }
    const verified: VerifiedInitData<T> = { user, authDateS, memo: undefined };
    cache.set(raw, verified);
    return verified;
  }
  /** The remembered strings (for the memory report). */
  verify.cache = cache as { readonly size: number };
  return verify;
}
