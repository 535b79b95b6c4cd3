import { describe, expect, it } from "vitest";
import { PROCESS_ADMIN_TOKEN, type ServerProcess } from "../hardening/support/server-process.ts";
import { demoAccount, signalBody } from "../support/bodies.ts";
import { signInitData, TEST_BOT_TOKEN } from "../support/harness.ts";
import { waitFor } from "../support/wait.ts";
import { useTwoInstances } from "./support/two-instances.ts";

const TRADER = 717_900;

/**
 * The track record's in-memory cache (one outcome per signal, one per trader) on two real Sortie
 * processes sharing one PostgreSQL: a trade filled and closed through instance A shows in the
 * record and the trader's performance that instance B had already cached (the hub events that
 * mark a signal dirty reach B through NOTIFY). Without the relay B would answer its stale copy.
 */
describe("track record cache across instances", () => {
  const cluster = useTwoInstances("sortie-cluster-tr-", { DATABASE_POOL_SIZE: "4", HEARTBEAT_STALE_S: "3600" });
  const tma = () => ({ authorization: `tma ${signInitData({ id: TRADER }, TEST_BOT_TOKEN)}` });
  const admin = { authorization: `Bearer ${PROCESS_ADMIN_TOKEN}` };
  async function call<T>(
    on: ServerProcess,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ) {
    const res = await fetch(`${on.url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return (await res.json()) as T;
  }

  it("a trade closed through A refreshes the record and the performance B had cached", async () => {
    const { token } = await call<{ token: string }>(cluster.a, "POST", "/api/me/bridge-token", tma());
    const terminal = { authorization: `Bearer ${token}` };
    await call(cluster.a, "PATCH", `/api/users/${TRADER}`, admin, { tier: "APEX" });
    await call(cluster.a, "POST", "/bridge/v1/heartbeat", terminal, {
      account: demoAccount(TRADER),
    });
    const signal = await call<{ id: string }>(
      cluster.a,
      "POST",
      "/api/signals",
      admin,
      signalBody({ expires_at: new Date(Date.now() + 3600_000).toISOString() }),
    );

    // B loads and caches both answers while nothing is closed.
    type Record = { signals: number; closed: number; total_r: number };
    const record = () => call<Record>(cluster.b, "GET", "/api/track-record", tma());
    const performance = () => call<Record>(cluster.b, "GET", `/api/users/${TRADER}/performance`, tma());
    await waitFor(async () => (await record()).signals === 1, 10_000, "B sees the signal");
    expect(await record()).toMatchObject({ signals: 1, closed: 0 });
    expect(await performance()).toMatchObject({ closed: 0 });

    // Fired, filled and closed at the target (+2 R), all through A.
    await call(cluster.a, "POST", "/api/fire", tma(), { signal_id: signal.id });
    const { commands } = await call<{ commands: Array<{ id: string; volume: number }> }>(
      cluster.a,
      "GET",
      "/bridge/v1/commands",
      terminal,
    );
    expect(commands).toHaveLength(1);
    const [command] = commands;
    await call(cluster.a, "POST", "/bridge/v1/results", terminal, {
      id: command!.id,
      status: "filled",
      retcode: 10009,
      price: 1.085,
      volume: command!.volume,
    });
    await call(cluster.a, "POST", "/bridge/v1/closed", terminal, {
      id: command!.id,
      close_price: 1.089,
      profit: 200,
      closed_at: new Date().toISOString(),
    });

    const fresh = await waitFor(
      async () => {
        const r = await record();
        return r.closed === 1 ? r : null;
      },
      10_000,
      "B's record to show the close made on A",
    );
    expect(fresh).toMatchObject({ signals: 1, closed: 1, total_r: 2 });
    await waitFor(async () => (await performance()).closed === 1, 10_000, "B's performance to show it");
    expect(await performance()).toMatchObject({ closed: 1, total_r: 2 });
  });
});
