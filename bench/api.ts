import { startHarness } from "../test/support/harness.ts";
import { bareServer, cannon, pool, round } from "./support.ts";

/**
 * `GET /api/missions/:id` throughput and p99 against a bare Fastify route in the same process and
 * run; then a burst of 5,000 users × 3 taps on one signal over real HTTP.
 */
export async function benchApi(opts: { durationS?: number; burstUsers?: number } = {}) {
  const durationS = opts.durationS ?? 5;
  const h = await startHarness({ listen: true });
  const bare = await bareServer();
  try {
    const signal = await h.createSignal();
    const token = await h.linkBridge(1);
    await h.heartbeat(token);
    const headers = { authorization: h.tma(1) };
    await cannon(`${h.url}/api/missions/${signal.id}`, headers, 1); // warm-up
    await cannon(bare.url, {}, 1);
    const baseline = await cannon(bare.url, {}, durationS);
    const mission = await cannon(`${h.url}/api/missions/${signal.id}`, headers, durationS);

    // Burst: every user linked and online, then 3 taps each, 256 requests in flight.
    const users = opts.burstUsers ?? 5_000;
    const burstSignal = await h.createSignal();
    const ids = Array.from({ length: users }, (_, i) => 100_000 + i);
    for (const id of ids) {
      h.store.users.ensureUser({ id }, new Date().toISOString());
      h.store.users.setTier(id, "APEX", new Date().toISOString());
    }
    for (const id of ids) await h.heartbeat(await h.linkBridge(id));
    const auth = new Map(ids.map((id) => [id, h.tma(id)]));
    const taps = ids.flatMap((id) => [id, id, id]);
    const t0 = performance.now();
    const answers = await pool(
      taps.map((id) => async () => {
        const res = await fetch(`${h.url}/api/fire`, {
          method: "POST",
          headers: { authorization: auth.get(id)!, "content-type": "application/json" },
          body: JSON.stringify({ signal_id: burstSignal.id }),
        });
        await res.arrayBuffer();
        return res.status;
      }),
      256,
    );
    const burstMs = performance.now() - t0;
    const fires = (
      h.sqlite.prepare("SELECT COUNT(*) AS n FROM fires WHERE signal_id = ?").get(burstSignal.id) as { n: number }
    ).n;
    return {
      baseline,
      mission,
      rps_ratio: round(mission.rps / baseline.rps, 3),
      p99_ratio: round(baseline.p99_ms / Math.max(mission.p99_ms, 0.001), 3),
      burst: {
        users,
        taps: taps.length,
        answered: answers.length,
        accepted_202: answers.filter((s) => s === 202).length,
        duplicate_200: answers.filter((s) => s === 200).length,
        other: answers.filter((s) => s !== 200 && s !== 202).length,
        fires_stored: fires,
        duplicates_stored: fires - users,
        ms: Math.round(burstMs),
        target_ms: 2000,
      },
    };
  } finally {
    await bare.close();
    await h.close();
  }
}
