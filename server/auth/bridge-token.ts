import type { FastifyRequest } from "fastify";
import type { Store } from "../../db/store.ts";
import { hashToken } from "./tokens.ts";

const looked = new WeakMap<FastifyRequest, { token: string; user: Promise<number | null> }>();

/**
 * The user whose bridge token `token` is (null: unknown or rotated), looked up once per request:
 * the per-token rate limit and the bridge auth both ask, and on PostgreSQL each lookup is a round trip.
 */
export function bridgeTokenUser(store: Store, req: FastifyRequest, token: string): Promise<number | null> {
  const known = looked.get(req);
  if (known?.token === token) return known.user;
  const user = store.users.findUserIdByTokenHash(hashToken(token));
  looked.set(req, { token, user });
  return user;
}
