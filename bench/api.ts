import { startHarness } from "../test/support/harness.ts";
import { bareServer, cannon, round, runBurstClient } from "./support.ts";

/**
 * `GET /api/missions/:id` throughput and p99 against a bare Fastify route in the same process and
 * run; then a burst of 5,000 users × 3 taps on one signal over real HTTP.
 */
export async function benchApi(opts: { durationS?: number; burstUsers?: number } = {}) {
  const durationS = opts.durationS ?? 3;
  const h = await startHarness({ listen: true, checkpointer: true });
  const bare = await bareServer();
  try {
    const signal = await h.createSignal();
    const token = await h.linkBridge(1);
    await h.heartbeat(token);
    const headers = { authorization: h.tma(1) };
    await cannon(`${h.url}/api/missions/${signal.id}`, headers, 1); // warm-up
    await cannon(bare.url, {}, 1);
    // Alternate bare and mission runs and take the median ratio: this machine's speed drifts.
    const rounds: Array<{ baseline: Awaited<ReturnType<typeof cannon>>; mission: Awaited<ReturnType<typeof cannon>> }> =
      [];
    for (let i = 0; i < 3; i++) {
      const baselineRun = await cannon(bare.url, {}, durationS);
      const missionRun = await cannon(`${h.url}/api/missions/${signal.id}`, headers, durationS);
      rounds.push({ baseline: baselineRun, mission: missionRun });
    }
    rounds.sort((a, b) => a.mission.rps / a.baseline.rps - b.mission.rps / b.baseline.rps);
    const { baseline, mission } = rounds[1]!;

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
    const auths = taps.map((id) => auth.get(id)!);
    const bareBurst = await runBurstClient(h.dir, bare.root, burstSignal.id, auths);
    const out = await runBurstClient(h.dir, h.url, burstSignal.id, auths);
    const burstMs = out.ms;
    const count = (code: number) => out.statuses[String(code)] ?? 0;
    const answered = Object.values(out.statuses).reduce((a, b) => a + b, 0);
    const fires = (
      h.sqlite.prepare("SELECT COUNT(*) AS n FROM fires WHERE signal_id = ?").get(burstSignal.id) as { n: number }
    ).n;
    return {
      baseline,
      mission,
      rps_ratio: round(mission.rps / baseline.rps, 3),
      rps_ratios_all_rounds: rounds.map((r) => round(r.mission.rps / r.baseline.rps, 3)),
      burst: {
        users,
        taps: taps.length,
        answered,
        accepted_202: count(202),
        duplicate_200: count(200),
        other: answered - count(202) - count(200),
        client_errors: out.errors,
        fires_stored: fires,
        duplicates_stored: fires - users,
        ms: Math.round(burstMs),
        bare_same_client_ms: Math.round(bareBurst.ms),
        ratio_to_bare: round(burstMs / bareBurst.ms, 2),
        target_ms: 2000,
      },
    };
  } finally {
    await bare.close();
    await h.close();
  }
}
