import { startHarness } from "../test/support/harness.ts";
import { bareServer, cannon, haveWrk, round, runBurstClient, runWrkBurst } from "./support.ts";

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

    // Burst: every user linked and online, then 3 taps each, 256 requests in flight. wrk is the
    // client when installed (Debian's package; a Node client costs the server's core more CPU),
    // else autocannon. Bare and Sortie alternate after a warm-up of each; the median run counts.
    const users = opts.burstUsers ?? 5_000;
    const ids = Array.from({ length: users }, (_, i) => 100_000 + i);
    for (const id of ids) {
      await h.store.users.ensureUser({ id }, new Date().toISOString());
      await h.store.users.setTier(id, "APEX", new Date().toISOString());
    }
    const tokens = new Map<number, string>();
    for (const id of ids) tokens.set(id, await h.linkBridge(id));
    const auth = new Map(ids.map((id) => [id, h.tma(id)]));
    const auths = ids.flatMap((id) => [id, id, id]).map((id) => auth.get(id)!);
    const client = haveWrk() ? "wrk" : "autocannon";
    const burst = async (target: "bare" | "sortie") => {
      const signalId = target === "bare" ? "s_bare" : (await h.createSignal()).id;
      if (target === "sortie") for (const id of ids) await h.heartbeat(tokens.get(id)!); // terminals fresh
      const [server, root] = target === "bare" ? [bare.server, bare.root] : [h.app.server, h.url];
      const run =
        client === "wrk"
          ? await runWrkBurst(h.dir, server, root, signalId, auths)
          : await runBurstClient(h.dir, root, signalId, auths);
      return { ...run, signalId };
    };
    await burst("bare");
    await burst("sortie"); // warm-up: a running server has seen requests before
    const runs: Array<{ bare: Awaited<ReturnType<typeof burst>>; sortie: Awaited<ReturnType<typeof burst>> }> = [];
    for (let i = 0; i < 3; i++) runs.push({ bare: await burst("bare"), sortie: await burst("sortie") });
    runs.sort((a, b) => a.sortie.ms - b.sortie.ms);
    const { bare: bareBurst, sortie: out } = runs[1]!;
    const burstMs = out.ms;
    const count = (code: number) => out.statuses[String(code)] ?? 0;
    const answered = Object.values(out.statuses).reduce((a, b) => a + b, 0);
    const fires = (
      (await h.store.query("SELECT COUNT(*) AS n FROM fires WHERE signal_id = ?", [out.signalId]))[0] as { n: number }
    ).n;
    return {
      baseline,
      mission,
      rps_ratio: round(mission.rps / baseline.rps, 3),
      rps_ratios_all_rounds: rounds.map((r) => round(r.mission.rps / r.baseline.rps, 3)),
      burst: {
        users,
        taps: auths.length,
        answered,
        accepted_202: count(202),
        duplicate_200: count(200),
        other: answered - count(202) - count(200),
        client_errors: out.errors,
        fires_stored: fires,
        duplicates_stored: fires - users,
        client,
        ms: Math.round(burstMs),
        all_runs_ms: runs.map((r) => Math.round(r.sortie.ms)),
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
