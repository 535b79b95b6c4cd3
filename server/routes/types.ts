import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { Auth } from "../auth/index.ts";
import type { AppContext } from "../context.ts";
import type { SseBroker } from "../events/sse.ts";
import type { CandleStore } from "../services/candles.ts";
import type { DbHealth } from "../services/db-health.ts";

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What every route module receives. */
export interface RouteDeps {
  ctx: AppContext;
  auth: Auth;
  sse: SseBroker;
  candles: CandleStore;
  /** Per-user rate limit as a preValidation hook (after the auth hook). */
  userLimit: (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;
  /** The same check called from a hook of a route's own: throws RATE_LIMITED. */
  checkUserLimit: (req: FastifyRequest, reply: FastifyReply) => void;
  extras: { health?: () => Record<string, unknown> };
  /** Whether the database can still write (`/health`, the error handler). */
  dbHealth: DbHealth;
}
