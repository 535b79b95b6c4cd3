import { beforeAll, describe, expect, it } from "vitest";
import { PROCESS_ADMIN_TOKEN, type ServerProcess } from "../hardening/support/server-process.ts";
import { demoAccount, signalBody } from "../support/bodies.ts";
import { signInitData, TEST_BOT_TOKEN } from "../support/harness.ts";
import { waitFor } from "../support/wait.ts";
import { useTwoInstances } from "./support/two-instances.ts";

/** Users in the round-robin burst; SORTIE_CLUSTER_USERS=5000 for the full-size run (BENCHMARKS.md). */
const BURST_USERS = Number(process.env.SORTIE_CLUSTER_USERS ?? 300);
const GROUP = -100111;

/**
 * Several real Sortie processes (`node server/main.ts`) on one PostgreSQL database, behind no
 * sticky sessions: every request may go to any instance. The Bot API is the local fake.
 */
describe("several instances on one PostgreSQL", () => {
  const cluster = useTwoInstances("sortie-cluster-", {
    DATABASE_POOL_SIZE: "8",
    ALERT_CHAT_IDS: String(GROUP),
    // Setting up hundreds of traders one by one takes longer than 30 s on a loaded machine.
    HEARTBEAT_STALE_S: "3600",
  });
  let nextUser = 700_000;

  const tma = (userId: number) => `tma ${signInitData({ id: userId }, TEST_BOT_TOKEN)}`;
  const admin = { authorization: `Bearer ${PROCESS_ADMIN_TOKEN}`, "content-type": "application/json" };
  const post = (base: ServerProcess, path: string, headers: Record<string, string>, body: unknown) =>
    fetch(`${base.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  async function createSignal(on: ServerProcess): Promise<string> {
    const res = await post(
      on,
      "/api/signals",
      admin,
      signalBody({ expires_at: new Date(Date.now() + 3600_000).toISOString() }),
    );
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }
  /** A trader linked through one instance and heard from through the other. */
  async function trader(linkOn: ServerProcess, beatOn: ServerProcess, tier: string | null = "APEX") {
    const userId = nextUser++;
    const res = await post(linkOn, "/api/me/bridge-token", { authorization: tma(userId) }, undefined);
    const { token } = (await res.json()) as { token: string };
    if (tier) {
      const set = await fetch(`${linkOn.url}/api/users/${userId}`, {
        method: "PATCH",
        headers: admin,
        body: JSON.stringify({ tier }),
      });
      expect(set.status).toBe(200);
    }
    const beat = await post(
      beatOn,
      "/bridge/v1/heartbeat",
      { authorization: `Bearer ${token}` },
      { account: demoAccount(userId) },
    );
    expect(beat.status).toBe(200);
    return { userId, token };
  }
  const fire = (on: ServerProcess, userId: number, signalId: string) =>
    post(on, "/api/fire", { authorization: tma(userId) }, { signal_id: signalId });
  const health = async (p: ServerProcess) =>
    (await (await fetch(`${p.url}/health`)).json()) as { db: { engine: string }; cluster: { leader: boolean } };

  beforeAll(async () => {
    // One of them takes the leader lock (bot consumer, sweeper) within a poll interval.
    await waitFor(
      async () => (await health(cluster.a)).cluster.leader !== (await health(cluster.b)).cluster.leader,
      15_000,
      "a leader",
    );
  });

  it("reports the engine and exactly one leader", async () => {
    const [ha, hb] = [await health(cluster.a), await health(cluster.b)];
    expect(ha.db.engine).toBe("postgres");
    expect(hb.db.engine).toBe("postgres");
    expect([ha.cluster.leader, hb.cluster.leader].filter(Boolean)).toHaveLength(1);
  });

  it("heartbeats alternating over A and B leave the latest price stored (A forgets what it knew when B wrote)", async () => {
    const t = await trader(cluster.a, cluster.a);
    const auth = { authorization: `Bearer ${t.token}` };
    const account = demoAccount(t.userId);
    const beat = async (on: ServerProcess, bid: number) => {
      const res = await post(on, "/bridge/v1/heartbeat", auth, {
        account,
        prices: [{ symbol: "EURUSD", bid, ask: bid + 0.0001 }],
      });
      expect(res.status).toBe(200);
    };
    const stored = async () =>
      (
        (
          await cluster.store.query("SELECT bid FROM terminal_prices WHERE user_id = ? AND name = 'EURUSD'", [t.userId])
        )[0] as {
          bid: number;
        }
      ).bid;
    await beat(cluster.a, 1.08);
    await beat(cluster.b, 1.09);
    expect(await stored()).toBe(1.09);
    // A barrier: once A's long-poll is woken by a fire committed on B, A has also had B's earlier
    // events (NOTIFY delivers in commit order), the heartbeat's among them.
    const poll = fetch(`${cluster.a.url}/bridge/v1/commands?wait=10`, { headers: auth }).then((res) => res.json());
    await new Promise((resolve) => setTimeout(resolve, 100)); // the poll is waiting on A
    expect((await fire(cluster.b, t.userId, await createSignal(cluster.b))).status).toBe(202);
    expect(((await poll) as { commands: unknown[] }).commands).toHaveLength(1);
    await beat(cluster.a, 1.08); // A last stored 1.08 itself: without forgetting, it would skip this write
    expect(await stored()).toBe(1.08);
  });

  it("a fire committed on B wakes a terminal's long-poll on A (NOTIFY, not the 1 s re-check)", async () => {
    const signalId = await createSignal(cluster.a);
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = await trader(cluster.b, cluster.a);
      const poll = fetch(`${cluster.a.url}/bridge/v1/commands?wait=10`, {
        headers: { authorization: `Bearer ${t.token}` },
      }).then(async (res) => ({ at: performance.now(), body: (await res.json()) as { commands: unknown[] } }));
      await new Promise((resolve) => setTimeout(resolve, 100)); // the poll is waiting on A
      const fired = await fire(cluster.b, t.userId, signalId);
      const committedAt = performance.now();
      expect(fired.status).toBe(202);
      const answered = await poll;
      expect(answered.body.commands).toHaveLength(1);
      latencies.push(Math.max(0, answered.at - committedAt));
    }
    latencies.sort((x, y) => x - y);
    console.log(
      `cluster: fire on B → long-poll on A answered, ms: p50 ${latencies[10]!.toFixed(1)} max ${latencies.at(-1)!.toFixed(1)}`,
    );
    // Without the relay a poll would wait for its 1 s re-check (uniform 0–1000 ms): the median says which.
    expect(latencies[10]!).toBeLessThan(300);
  });

  it("a Mini App streaming from A sees a fire made on B", async () => {
    const signalId = await createSignal(cluster.b);
    const watcher = nextUser++;
    const shooter = await trader(cluster.a, cluster.b);
    const controller = new AbortController();
    const res = await fetch(`${cluster.a.url}/api/events`, {
      headers: { authorization: tma(watcher) },
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let text = "";
    const seen = (async () => {
      const decoder = new TextDecoder();
      while (!text.includes(`"signal_id":"${signalId}","count":1`)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = await fetch(`${cluster.a.url}/api/signals/${signalId}/fire-count`, {
      headers: { authorization: tma(watcher) },
    });
    expect(((await before.json()) as { count: number }).count).toBe(0); // A now caches the signal with 0
    expect((await fire(cluster.b, shooter.userId, signalId)).status).toBe(202);
    await Promise.race([
      seen,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no event: ${text}`)), 10_000)),
    ]);
    expect(text).toContain("fire_count_update");
    controller.abort();
    // A's cached fire count moved too (its cache heard B's event).
    const count = await fetch(`${cluster.a.url}/api/signals/${signalId}/fire-count`, {
      headers: { authorization: tma(watcher) },
    });
    expect(((await count.json()) as { count: number }).count).toBe(1);
  });

  it("the daily limit holds across instances: a NIBBLER's 8 simultaneous fires split over A and B → 5 accepted", async () => {
    const t = await trader(cluster.a, cluster.b, null);
    const signals = [];
    for (let i = 0; i < 8; i++) signals.push(await createSignal(i % 2 ? cluster.a : cluster.b));
    const answers = await Promise.all(signals.map((s, i) => fire(i % 2 ? cluster.a : cluster.b, t.userId, s)));
    const codes = answers.map((r) => r.status).sort();
    expect(codes).toEqual([202, 202, 202, 202, 202, 403, 403, 403]);
    const [{ n }] = (await cluster.store.query("SELECT COUNT(*) AS n FROM fires WHERE user_id = ?", [t.userId])) as [
      { n: number },
    ];
    expect(n).toBe(5);
  });

  it(`${BURST_USERS} users × 3 taps round-robin over both instances → exactly ${BURST_USERS} fires and orders`, async () => {
    const signalId = await createSignal(cluster.a);
    const users: number[] = [];
    for (let i = 0; i < BURST_USERS; i++)
      users.push((await trader(i % 2 ? cluster.a : cluster.b, i % 2 ? cluster.b : cluster.a)).userId);
    const instances = [cluster.a, cluster.b];
    let turn = 0;
    const started = performance.now();
    // 256 requests in flight at a time, as the SQLite burst benchmark's client (wrk) keeps.
    const taps = users.flatMap((u) => [0, 1, 2].map(() => ({ u, on: instances[turn++ % 2]! })));
    const answers: Array<{ u: number; status: number; body: { fire: { id: string } } }> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 256 }, async () => {
        while (next < taps.length) {
          const { u, on } = taps[next++]!;
          const r = await fire(on, u, signalId);
          answers.push({ u, status: r.status, body: (await r.json()) as { fire: { id: string } } });
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`cluster: ${answers.length} taps over 2 instances in ${seconds.toFixed(2)} s`);
    const statuses = new Map<number, number>();
    for (const x of answers) statuses.set(x.status, (statuses.get(x.status) ?? 0) + 1);
    console.log(
      `cluster: answers by status ${JSON.stringify([...statuses])} ${JSON.stringify(answers.find((x) => x.status >= 300)?.body ?? null)}`,
    );
    expect(answers.filter((x) => x.status === 202)).toHaveLength(BURST_USERS);
    expect(answers.filter((x) => x.status === 200)).toHaveLength(2 * BURST_USERS);
    const byUser = new Map<number, Set<string>>();
    for (const x of answers) byUser.set(x.u, (byUser.get(x.u) ?? new Set()).add(x.body.fire.id));
    expect([...byUser.values()].every((ids) => ids.size === 1)).toBe(true);
    const count = async (sql: string) => ((await cluster.store.query(sql, [signalId])) as [{ n: number }])[0].n;
    expect(await count("SELECT COUNT(*) AS n FROM fires WHERE signal_id = ?")).toBe(BURST_USERS);
    expect(
      await count("SELECT COUNT(*) AS n FROM bridge_commands c JOIN fires f ON f.id = c.fire_id WHERE f.signal_id = ?"),
    ).toBe(BURST_USERS);
  }, 600_000);

  it("SIGKILL of the leader mid-burst: nothing lost or doubled, the survivor leads within 10 s, alerts posted once", async () => {
    const signalId = await createSignal(cluster.a);
    const users: number[] = [];
    for (let i = 0; i < 60; i++) users.push((await trader(cluster.a, cluster.b)).userId);
    const [leaderProcess, survivor] = (await health(cluster.a)).cluster.leader
      ? [cluster.a, cluster.b]
      : [cluster.b, cluster.a];
    const answers = users.map((u, i) =>
      fire(i % 2 ? leaderProcess : survivor, u, signalId)
        .then(async (r) => ({
          u,
          status: r.status,
          body: (await r.json().catch(() => null)) as { fire?: { id: string } } | null,
        }))
        .catch(() => ({ u, status: 0, body: null })),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const killedAt = Date.now();
    await leaderProcess.kill();
    const settled = await Promise.all(answers);
    await waitFor(async () => (await health(survivor)).cluster.leader, 30_000, "survivor leads");
    const takeoverMs = Date.now() - killedAt;
    console.log(`cluster: survivor took the leader lock ${takeoverMs} ms after the SIGKILL`);
    expect(takeoverMs).toBeLessThan(10_000);
    // Every accepted fire exists exactly once; taps the dead instance never answered are retried on the survivor.
    for (const x of settled.filter((s) => s.status !== 202 && s.status !== 200)) {
      const again = await fire(survivor, x.u, signalId);
      expect([200, 202]).toContain(again.status);
    }
    const rows = (await cluster.store.query(
      "SELECT user_id, COUNT(*) AS n FROM fires WHERE signal_id = ? GROUP BY user_id",
      [signalId],
    )) as Array<{ user_id: number; n: number }>;
    expect(rows).toHaveLength(users.length);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    for (const x of settled.filter((s) => s.status === 202)) {
      const [row] = (await cluster.store.query("SELECT id FROM fires WHERE signal_id = ? AND user_id = ?", [
        signalId,
        x.u,
      ])) as [{ id: string }];
      expect(row.id).toBe(x.body!.fire!.id);
    }
    // A signal created now is posted by the new leader's bot, once.
    cluster.telegram.reset();
    const late = await createSignal(survivor);
    await waitFor(
      () =>
        cluster.telegram
          .callsOf("sendMessage")
          .some((c) => Number(c.payload.chat_id) === GROUP && String(c.payload.text).includes("EURUSD")),
      15_000,
      "alert posted by the survivor",
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const posted = (await cluster.store.query(
      "SELECT COUNT(*) AS n FROM alerts WHERE signal_id = ? AND state = 'posted'",
      [late],
    )) as [{ n: number }];
    expect(posted[0].n).toBe(1);
    expect(cluster.telegram.callsOf("sendMessage").filter((c) => Number(c.payload.chat_id) === GROUP)).toHaveLength(1);
    if (leaderProcess === cluster.a) cluster.a = await cluster.start();
    else cluster.b = await cluster.start();
  }, 120_000);
});
