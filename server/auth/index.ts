import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import { createRoleLookup, type Role, roleAllows } from "../../core/roles.ts";
import type { AppContext } from "../context.ts";
import { forbidden, unauthorized } from "../errors.ts";
import { BoundedSet } from "../memory.ts";
import { bridgeTokenUser } from "./bridge-token.ts";
import { createInitDataVerifier, type TelegramUser } from "./init-data.ts";
import { safeEqual } from "./tokens.ts";

/** Who is calling: a Mini App user (with their staff role, if any) or the admin token (an owner). */
export type Caller =
  | { kind: "user"; userId: number; admin: boolean; role: Role | null; user: TelegramUser }
  | { kind: "admin-token"; admin: true; role: "owner" };

declare module "fastify" {
  interface FastifyRequest {
    caller: Caller | null;
    bridgeUserId: number | null;
  }
}

const ROLE_TITLE: Record<Role, string> = { owner: "Owner", admin: "Admin", analyst: "Analyst" };

function credentials(req: FastifyRequest): { scheme: string; value: string } | null {
  const header = req.headers.authorization;
  if (typeof header !== "string") return null;
  const space = header.indexOf(" ");
  if (space <= 0) return null;
  return { scheme: header.slice(0, space).toLowerCase(), value: header.slice(space + 1).trim() };
}

/**
 * The three doors: `tma <initData>` (Mini App users; created on first sight), `Bearer
 * <ADMIN_API_TOKEN>` (admin scripts) and `Bearer <bridge token>` (terminals, stored hashed).
 * Each is a preValidation hook a route opts into (so a stranger gets 401 before any 400 about its body); the admin check lives only here.
 */
export function createAuth(app: FastifyInstance, ctx: AppContext) {
  const { config, store, clock, memory } = ctx;
  type UserCaller = Extract<Caller, { kind: "user" }>;
  const verify = createInitDataVerifier<UserCaller>({
    token: config.signingToken,
    maxAgeS: config.initDataMaxAgeS,
    now: () => clock.now(),
    cacheSize: memory.bounds.initData,
  });
  /** Users known to exist; a forgotten one costs one `ensureUser` (an insert that changes nothing). */
  const knownUsers = new BoundedSet<number>(memory.bounds.knownUsers);
  memory.track("initData", verify.cache, memory.bounds.initData);
  memory.track("knownUsers", knownUsers, memory.bounds.knownUsers);
  const roleOf = createRoleLookup(config);

  app.decorateRequest("caller", null);
  app.decorateRequest("bridgeUserId", null);

  /**
   * The caller a valid initData names; a user seen for the first time is stored first (a promise).
   * The caller is kept with the remembered initData string once the user's row exists (roles come
   * from the config, and no one changes a caller), so the Mini App's next requests with the same
   * string reuse it.
   */
  function tmaCaller(value: string): UserCaller | Promise<UserCaller> {
    const verified = verify(value);
    if (verified.memo !== undefined) return verified.memo;
    const { user } = verified;
    const role = roleOf(user.id);
    const caller: UserCaller = { kind: "user", userId: user.id, admin: roleAllows(role, "admin"), role, user };
    if (knownUsers.has(user.id)) {
      verified.memo = caller;
      return caller;
    }
    return store.users.ensureUser(user, new Date(clock.now()).toISOString()).then(() => {
      knownUsers.add(user.id);
      verified.memo = caller;
      return caller;
    });
  }

  async function tmaUser(value: string): Promise<UserCaller> {
    return tmaCaller(value);
  }

  /** The `tma` credentials of a request, or 401. */
  function tmaValue(req: FastifyRequest): string {
    const cred = credentials(req);
    if (cred?.scheme !== "tma" || cred.value === "") {
      throw unauthorized("Sign in through Telegram: send Authorization: tma <initData>");
    }
    return cred.value;
  }

  async function checkStaff(req: FastifyRequest, needed: Role): Promise<void> {
    const cred = credentials(req);
    if (!cred || cred.value === "") throw unauthorized("Admin credentials required");
    if (cred.scheme === "bearer") {
      if (!config.adminApiToken) throw unauthorized("The admin API token is not configured on this server");
      if (!safeEqual(cred.value, config.adminApiToken)) throw unauthorized("Invalid admin token");
      req.caller = { kind: "admin-token", admin: true, role: "owner" };
      return;
    }
    if (cred.scheme === "tma") {
      const caller = await tmaUser(cred.value);
      if (!roleAllows(caller.role, needed)) throw forbidden(`${ROLE_TITLE[needed]} rights required`);
      req.caller = caller;
      return;
    }
    throw unauthorized("Unsupported authorization scheme");
  }

  return {
    /** Requires a valid `tma` initData. */
    async user(req: FastifyRequest): Promise<void> {
      req.caller = await tmaUser(tmaValue(req));
    },
    /**
     * `user` as a callback-style hook for the hot routes: a user already known is checked without
     * a promise (Fastify runs the next hook at once); a new one waits for their row.
     */
    userHook(req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
      let caller: UserCaller | Promise<UserCaller>;
      try {
        caller = tmaCaller(tmaValue(req));
      } catch (err) {
        done(err as Error);
        return;
      }
      if (!(caller instanceof Promise)) {
        req.caller = caller;
        done();
        return;
      }
      caller.then((c) => {
        req.caller = c;
        done();
      }, done);
    },
    /** Requires the admin bearer token, or initData of a user whose role is admin or owner. */
    async admin(req: FastifyRequest): Promise<void> {
      return checkStaff(req, "admin");
    },
    /**
     * A hook requiring the admin bearer token (an owner), or initData of a user whose role is at
     * least `needed` (owner: ADMIN_IDS, admin: SIGNAL_ADMIN_IDS, analyst: ANALYST_IDS).
     */
    staff(needed: Role) {
      return (req: FastifyRequest) => checkStaff(req, needed);
    },
    /** Requires a tma user or an admin (either door). */
    async userOrAdmin(req: FastifyRequest): Promise<void> {
      const cred = credentials(req);
      if (cred?.scheme === "bearer") return this.admin(req);
      return this.user(req);
    },
    /** Requires a bridge token; the terminal is alive as of now. */
    async bridge(req: FastifyRequest): Promise<void> {
      const cred = credentials(req);
      if (cred?.scheme !== "bearer" || cred.value === "") throw unauthorized("Bridge token required");
      // The lookup is by hash: a constant-time compare of secrets happens inside the index probe's
      // equality on a fixed-length digest, so no token prefix leaks through timing.
      const userId = await bridgeTokenUser(store, req, cred.value);
      if (userId === null) throw unauthorized("Unknown or rotated bridge token");
      req.bridgeUserId = userId;
      await ctx.bridge.touch(userId);
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;

/** Who did it, for the event log. */
export function actorOf(caller: Caller | null): string {
  if (!caller) return "unknown";
  return caller.kind === "admin-token" ? "admin-token" : `tg:${caller.userId}`;
}
