import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type {
  FastifyBaseLogger,
  FastifyInstance,
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
  /** Per-user rate limit hook (runs after auth). */
  userLimit: (req: unknown, reply: unknown) => Promise<void> | void;
  extras: { health?: () => Record<string, unknown> };
  /** Whether the database can still write (`/health`, the error handler). */
  dbHealth: DbHealth;
}
