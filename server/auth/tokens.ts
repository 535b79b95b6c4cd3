import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A new bridge token: 32 random bytes, base64url (shown to its owner once). */
export function newBridgeToken(): string {
  return `sb_${randomBytes(32).toString("base64url")}`;
}

/** Bridge tokens are stored only as this hash (SHA-256 hex): a leaked database leaks no tokens. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Constant-time string comparison: hashing both sides first gives equal lengths, so neither the
 * content nor the length of the secret leaks through timing.
 */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}
