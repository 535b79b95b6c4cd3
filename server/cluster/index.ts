import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Hub, HubEvents } from "../events/hub.ts";

/** The NOTIFY channel every instance of one community listens on. */
export const EVENTS_CHANNEL = "sortie_events";
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
const MAX_PAYLOAD = 7900;

type Log = (msg: string, err?: unknown) => void;

/**
 * A dedicated connection (not from the pool: LISTEN and advisory locks belong to one session)
 * that reconnects after a blip, calling `onConnect` each time it is (re)established.
 */
function sessionClient(url: string, log: Log, onConnect: (client: pg.Client) => Promise<void>, onLost: () => void) {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;
  const connect = async (): Promise<void> => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: url });
    next.on("error", (err) => {
      log("cluster: session connection lost", err);
      lose(next);
    });
    next.on("end", () => lose(next));
    try {
      await next.connect();
      if (stopped) {
        await next.end();
        return;
      }
      client = next;
      await onConnect(next);
    } catch (err) {
      log("cluster: cannot open a session connection; retrying", err);
      lose(next);
    }
  };
  const lose = (which: pg.Client) => {
    if (client === which) {
      client = null;
      onLost();
    }
    void which.end().catch(() => undefined);
    if (!stopped && !retry) {
      retry = setTimeout(() => {
        retry = null;
        void connect();
      }, 500);
      retry.unref();
    }
  };
  return {
    start: connect,
    get client() {
      return client;
    },
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      const open = client;
      client = null;
      await open?.end().catch(() => undefined);
    },
  };
}

/**
 * Relays hub events between instances sharing one PostgreSQL: every event emitted here is sent
 * with NOTIFY (after the commit that caused it), and events from other instances are delivered
 * to local listeners only. So a long-poll on instance A wakes when a fire commits on B, an SSE
 * stream on A sees B's fires, and A's caches (missions, overlays, known fires) drop what B changed.
 */
export async function startEventRelay(deps: { url: string; pool: pg.Pool; hub: Hub; log?: Log }) {
  const { url, pool, hub } = deps;
  const log = deps.log ?? (() => undefined);
  const instance = randomBytes(6).toString("hex");
  const session = sessionClient(
    url,
    log,
    async (client) => {
      client.on("notification", (msg) => {
        if (msg.channel !== EVENTS_CHANNEL || !msg.payload) return;
        try {
          const { o, e, p } = JSON.parse(msg.payload) as { o: string; e: keyof HubEvents; p: never };
          if (o !== instance) hub.emitRelayed(e, p);
        } catch (err) {
          log("cluster: unreadable event", err);
        }
      });
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    },
    () => undefined,
  );
  await session.start();
  hub.setRelay((event, payload) => {
    const text = JSON.stringify({ o: instance, e: event, p: payload });
    if (Buffer.byteLength(text) > MAX_PAYLOAD) {
      log(`cluster: event ${event} too large to relay (${text.length} bytes)`);
      return;
    }
    pool.query("SELECT pg_notify($1, $2)", [EVENTS_CHANNEL, text]).catch((err) => log("cluster: NOTIFY failed", err));
  });
  return {
    instance,
    async stop() {
      hub.setRelay(null);
      await session.stop();
    },
  };
}

/** Advisory-lock keys of the singletons (any stable numbers unique to Sortie). */
export const LEADER_LOCK = 7_713_100;

/**
 * Runs `start` on one instance at a time: the one holding a session-level advisory lock. Others
 * try every `pollMs`; when the holder dies its session ends and PostgreSQL frees the lock, so a
 * survivor takes over within `pollMs` (plus the time the server takes to notice a dead socket:
 * immediate for a killed process, whose kernel closes the connection). If the holder loses its
 * own session (a blip), it stops the singletons (`stop`) until it holds the lock again.
 */
export async function startSingleton(deps: {
  url: string;
  key?: number;
  pollMs?: number;
  log?: Log;
  start: () => Promise<void>;
  stop: () => Promise<void>;
}) {
  const { url, start, stop } = deps;
  const key = deps.key ?? LEADER_LOCK;
  const pollMs = deps.pollMs ?? 2000;
  const log = deps.log ?? (() => undefined);
  let leader = false;
  let timer: NodeJS.Timeout | null = null;
  let trying = false;

  const session = sessionClient(
    url,
    log,
    async () => {
      await attempt();
    },
    () => {
      if (!leader) return;
      leader = false;
      log("cluster: lost the leader lock (database session ended); stopping singletons");
      void stop().catch((err) => log("cluster: stopping singletons failed", err));
    },
  );

  async function attempt(): Promise<void> {
    const client = session.client;
    if (leader || trying || !client) return;
    trying = true;
    try {
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [key]);
      if (rows[0]?.ok && !leader) {
        leader = true;
        log("cluster: this instance is the leader (bot consumer, sweeper, scheduled jobs)");
        await start();
      }
    } catch (err) {
      log("cluster: leader attempt failed", err);
    } finally {
      trying = false;
    }
  }

  await session.start();
  timer = setInterval(() => void attempt(), pollMs);
  timer.unref();
  return {
    get leader() {
      return leader;
    },
    async stop() {
      if (timer) clearInterval(timer);
      const was = leader;
      leader = false;
      if (was) await stop();
      await session.stop(); // ends the session: the lock is free for another instance at once
    },
  };
}
