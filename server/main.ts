import { existsSync } from "node:fs";
import { startCheckpointer } from "../db/checkpointer.ts";
import { openDb } from "../db/index.ts";
import { openPgStore, type PgStore, redactUrl } from "../db/postgres/index.ts";
import { createStore, type Store } from "../db/store.ts";
import { buildApp, LISTEN_BACKLOG, loggerOptions } from "./app.ts";
import { systemClock } from "./clock.ts";
import { startEventRelay, startSingleton } from "./cluster/index.ts";
import { ConfigError, loadConfig } from "./config/index.ts";
import { createContext } from "./context.ts";
import { startExtras } from "./extras.ts";
import { localEngineOptions } from "./local/engine.ts";
import { startScheduler } from "./scheduler.ts";
import { startSweeper } from "./sweeper.ts";

/**
 * Starts Sortie: config, database, core services, HTTP, bot or local mode. Shuts down gracefully
 * on SIGINT/SIGTERM: stop accepting and finish in-flight requests (closing SSE streams and
 * long-polls), stop the bot and terminals, then close the database.
 */
async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`sortie: invalid configuration: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  const { store, closeStore } = await openStore(config);
  const ctx = createContext({
    store,
    config,
    clock: systemClock,
    log: (msg, err) => console.error(msg, err),
    // Local mode: the engine on the simulated market, fast enough to see drafts within minutes.
    ...(config.localMode && config.demo ? { engine: localEngineOptions(systemClock) } : {}),
  });
  const extras = await startExtras(ctx);
  let cluster: Awaited<ReturnType<typeof startEventRelay>> | null = null;
  let leader: Awaited<ReturnType<typeof startSingleton>> | null = null;
  const app = await buildApp(ctx, {
    logger: loggerOptions(config.logLevel, undefined, config.signalHookSecret),
    health: () => ({
      ...extras.health(),
      ...(cluster ? { cluster: { instance: cluster.instance, leader: leader?.leader ?? false } } : {}),
    }),
    plugins: extras.plugins,
  });
  const logError = (msg: string, err?: unknown) => app.log.error({ err }, msg);

  // One SQLite file means one process: everything runs here. On PostgreSQL several instances may
  // share the database: hub events travel between them (NOTIFY), and the singletons (the bot's
  // update consumer and notifier, the sweeper) run on the instance holding the leader lock.
  let stopSweeper: () => void = () => undefined;
  const singletons = {
    async start() {
      stopSweeper = startSweeper(ctx, 1000, logError);
      await extras.afterListen(app);
    },
    async stop() {
      stopSweeper();
      await extras.stop();
    },
  };
  cluster =
    store.engine === "postgres"
      ? await startEventRelay({
          url: config.databaseUrl!,
          pool: (store as PgStore).db.pool,
          hub: ctx.hub,
          log: logError,
        })
      : null;
  // Every instance runs the scheduler and the engine: a scheduled signal is claimed in the database
  // when published (exactly once whichever instance's timer fires first), an engine setup is saved
  // once (its unique dedup key); other instances' `signal.scheduled` arrive through the relay.
  const scheduler = startScheduler(ctx, (line) => console.log(`sortie: ${line}`));
  ctx.engine.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await app.close();
      scheduler.stop();
      ctx.engine.stop();
      if (leader) await leader.stop();
      else await singletons.stop();
      await cluster?.stop();
    } finally {
      await closeStore();
      clearTimeout(force);
      process.exit(process.exitCode ?? 0);
    }
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  // Nothing may die as a raw stack after listen. A rejection nobody awaited leaves state unknown
  // (a half-done write, a dead timer): say so in one line and shut down cleanly, exit code 1, so
  // the supervisor restarts a fresh process; the stack goes to the log for the developer.
  const fatal = (kind: string) => (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`sortie: stopping after an ${kind}: ${message.split("\n")[0]}`);
    app.log.error({ err }, kind);
    process.exitCode = 1;
    void stop(kind).catch(() => process.exit(1));
  };
  process.on("unhandledRejection", fatal("unhandled rejection"));
  process.on("uncaughtException", fatal("uncaught exception"));

  try {
    await app.listen({ host: config.host, port: config.port, backlog: LISTEN_BACKLOG });
  } catch (err) {
    console.error(`sortie: cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
    process.exit(1);
  }
  if (store.engine === "postgres") {
    leader = await startSingleton({
      url: config.databaseUrl!,
      log: (msg, err) => (err ? logError(msg, err) : app.log.info(msg)),
      ...singletons,
    });
  } else {
    await singletons.start();
  }
}

/**
 * The store the configuration asks for: PostgreSQL at DATABASE_URL, else the SQLite file (with its
 * checkpointer thread). Exits with one clear line when the database cannot be opened.
 */
async function openStore(
  config: ReturnType<typeof loadConfig>,
): Promise<{ store: Store; closeStore: () => Promise<void> }> {
  if (config.databaseUrl) {
    try {
      const store = await openPgStore(config.databaseUrl, {
        poolSize: config.databasePoolSize,
        log: (msg, err) => console.error(`sortie: ${msg}: ${(err as Error | undefined)?.message ?? ""}`),
      });
      return { store, closeStore: () => store.close() };
    } catch (err) {
      // DatabaseUnreachableError already names the (redacted) URL; a migration error does not.
      const message = (err as Error).message;
      console.error(
        `sortie: ${message.includes("PostgreSQL") ? message : `database ${redactUrl(config.databaseUrl)}: ${message}`}`,
      );
      process.exit(1);
    }
  }
  let sqlite: ReturnType<typeof openDb>;
  try {
    sqlite = openDb(config.databasePath, {
      synchronous: config.dbSynchronous,
      walCheckpointing: "external",
      integrityCheck: true,
    });
  } catch (err) {
    console.error(`sortie: cannot open database ${config.databasePath}: ${(err as Error).message}`);
    process.exit(1);
  }
  const checkpointer = startCheckpointer(config.databasePath);
  const store = createStore(sqlite);
  return {
    store,
    async closeStore() {
      await checkpointer.stop();
      await store.close();
    },
  };
}

main().catch((err: unknown) => {
  console.error(`sortie: cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
