import { existsSync } from "node:fs";
import { startCheckpointer } from "../db/checkpointer.ts";
import { openDb } from "../db/index.ts";
import { createStore } from "../db/store.ts";
import { buildApp, loggerOptions } from "./app.ts";
import { systemClock } from "./clock.ts";
import { ConfigError, loadConfig } from "./config.ts";
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
  const ctx = createContext({
    store,
    config,
    clock: systemClock,
    log: (msg, err) => console.error(msg, err),
    // Local mode: the engine on the simulated market, fast enough to see drafts within minutes.
    ...(config.localMode && config.demo ? { engine: localEngineOptions(systemClock) } : {}),
  });
  const extras = await startExtras(ctx);
  const app = await buildApp(ctx, {
    logger: loggerOptions(config.logLevel, undefined, config.signalHookSecret),
    health: extras.health,
    plugins: extras.plugins,
  });
  const stopSweeper = startSweeper(ctx, 1000, (msg, err) => app.log.error({ err }, msg));
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
      stopSweeper();
      await extras.stop();
    } finally {
      await checkpointer.stop();
      sqlite.close();
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
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    console.error(`sortie: cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
    process.exit(1);
  }
  await extras.afterListen(app);
}

main().catch((err: unknown) => {
  console.error(`sortie: cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
