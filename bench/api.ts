import { addressOf, refreshTerminals, seedTraders, startProductionLikeHarness } from "./server.ts";
import { bareServer, runWrkBurst } from "./support.ts";
import { ensureWrk, runWrk, spread, type WrkRun } from "./wrk.ts";

const CLIENT = "wrk -t1 -c64, its own process; production-like server (limits at defaults, info logging to a file)";
type Harness = Awaited<ReturnType<typeof startProductionLikeHarness>>;

/**
 * `GET /api/missions/:id` throughput against a bare Fastify route, then a burst of 5,000 users × 3
 * taps on one signal against a bare `POST /api/fire`. The client is wrk in its own process; the
 * bare route runs in the same run with the same client and the same requests; rounds alternate
 * (bare, Sortie, bare, Sortie, …) and the median and spread of the ratios are reported.
 */
export async function benchApi(
  opts: { durationS?: number; rounds?: number; burstUsers?: number; burst?: boolean; missions?: boolean } = {},
) {
  ensureWrk();
  const durationS = opts.durationS ?? 3;
  const roundCount = opts.rounds ?? 5;
  const h = await startProductionLikeHarness();
  const bare = await bareServer();
  try {
    // `npm run bench -- burst`: the burst alone, without the missions rounds.
    if (opts.missions === false) return { client: CLIENT, burst: await runBurst(h, bare, opts.burstUsers) };
    const signal = await h.createSignal();
    // 8,000 Mini App users (linked traders), each from an address of its own: every request checks initData and
    // both rate limits (per user and per address) without reaching either (5 rounds at 30,000
    // req/s stay under 120 a minute each; fewer users would hit the limit and answer cheap 429s,
    // which wrk counts as errors). Within the initData cache's bound (10,000), as a busy hour is.
    const missionUsers = 8_000;
    // Traders as most Mini App users are: linked, with their terminal's balance (the mission lists
    // the terminal and sizes the position).
    await seedTraders(h, 200_000, missionUsers);
    const rotate = Array.from({ length: missionUsers }, (_, i) => `${h.tma(200_000 + i)}\t${addressOf(i)}`);
    const missionPath = `/api/missions/${signal.id}`;
    const wrkRun = (root: string, path: string, seconds: number) =>
      runWrk({ dir: h.dir, root, path, durationS: seconds, rotate });
    await wrkRun(h.url, missionPath, 4); // warm-up: every user created once (~4,000/s cold), caches and JIT warm
    await wrkRun(bare.root, "/bare", 1);
    const rounds: Array<{ bare: WrkRun; mission: WrkRun; ratio: number }> = [];
    for (let i = 0; i < roundCount; i++) {
      const bareRun = await wrkRun(bare.root, "/bare", durationS);
      const missionRun = await wrkRun(h.url, missionPath, durationS);
      rounds.push({ bare: bareRun, mission: missionRun, ratio: missionRun.rps / bareRun.rps });
    }
    const ratios = spread(rounds.map((r) => r.ratio));
    const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds.length / 2)]!;
    const missions = {
      rounds: rounds.map((r) => ({
        bare_rps: r.bare.rps,
        mission_rps: r.mission.rps,
        ratio: Math.round(r.ratio * 1000) / 1000,
        mission_p99_ms: r.mission.p99_ms,
        bare_p99_ms: r.bare.p99_ms,
        errors: r.mission.errors + r.bare.errors,
      })),
      ratio: ratios,
      median_round: { bare: median.bare, mission: median.mission },
      target_ratio: 0.6,
    };
    if (opts.burst === false) return { missions };

    return { client: CLIENT, missions, burst: await runBurst(h, bare, opts.burstUsers) };
  } finally {
    await bare.close();
    await h.close();
  }
}

/** The burst's traders are users BURST_FIRST_ID, BURST_FIRST_ID + 1, … */
const BURST_FIRST_ID = 100_000;

/** Burst: 5,000 users each linked with a fresh terminal, then 3 taps each (wrk, 256 connections). */
async function runBurst(h: Harness, bare: Awaited<ReturnType<typeof bareServer>>, users = 5_000) {
  const firstId = BURST_FIRST_ID;
  await seedTraders(h, firstId, users);
  const auths = Array.from({ length: users }, (_, i) => `${h.tma(firstId + i)}\t${addressOf(10_000 + i)}`).flatMap(
    (line) => [line, line, line],
  );
  const burst = async (target: "bare" | "sortie") => {
    const signalId = target === "bare" ? "s_bare" : (await h.createSignal()).id;
    if (target === "sortie") await refreshTerminals(h, firstId, users);
    const [server, root] = target === "bare" ? [bare.server, bare.root] : [h.app.server, h.url];
    return { ...(await runWrkBurst(h.dir, server, root, signalId, auths)), signalId };
  };
  await burst("bare");
  await burst("sortie"); // warm-up: a running server has seen requests before
  const runs: Array<{ bare: Awaited<ReturnType<typeof burst>>; sortie: Awaited<ReturnType<typeof burst>> }> = [];
  for (let i = 0; i < 3; i++) runs.push({ bare: await burst("bare"), sortie: await burst("sortie") });
  const burstRatios = runs.map((r) => r.sortie.ms / r.bare.ms);
  const parts = await burstParts(h, bare, auths, runs);
  const medianRun = [...runs].sort((a, b) => a.sortie.ms / a.bare.ms - b.sortie.ms / b.bare.ms)[1]!;
  const out = medianRun.sortie;
  const count = (code: number) => out.statuses[String(code)] ?? 0;
  const answered = Object.values(out.statuses).reduce((a, b) => a + b, 0);
  const storedPerRun: number[] = [];
  for (const r of runs) {
    const rows = await h.store.query("SELECT COUNT(*) AS n FROM fires WHERE signal_id = ?", [r.sortie.signalId]);
    storedPerRun.push(Number((rows[0] as { n: number | string }).n));
  }
  return {
    users,
    taps: auths.length,
    answered,
    accepted_202: count(202),
    duplicate_200: count(200),
    other: answered - count(202) - count(200),
    client_errors: out.errors,
    fires_stored_per_run: storedPerRun,
    duplicates_stored: storedPerRun.reduce((a, n) => a + (n - users), 0),
    ms: Math.round(out.ms),
    bare_same_client_ms: Math.round(medianRun.bare.ms),
    ratio_to_bare: spread(burstRatios, 2),
    all_runs: runs.map((r) => ({ sortie_ms: Math.round(r.sortie.ms), bare_ms: Math.round(r.bare.ms) })),
    target_ratio: 1.5,
    parts,
  };
}

/**
 * Where the burst's time goes, in the same run: the 15,000 taps again on a signal every user has
 * already fired (every tap a repeat, answered from memory), against the bare burst; and 5,000
 * first taps alone (one per user, each reads the trader's data and commits a fire) against the
 * bare route's 5,000. Three alternating rounds each, median and spread of the ratios.
 */
async function burstParts(
  h: Harness,
  bare: Awaited<ReturnType<typeof bareServer>>,
  auths: string[],
  runs: Array<{ sortie: { signalId: string } }>,
) {
  const firstTaps = auths.filter((_, i) => i % 3 === 0);
  const repeats: Array<{ sortie_ms: number; bare_ms: number; statuses: Record<string, number> }> = [];
  const firsts: Array<{ sortie_ms: number; bare_ms: number; statuses: Record<string, number> }> = [];
  for (const run of runs) {
    const bareAll = await runWrkBurst(h.dir, bare.server, bare.root, "s_bare", auths);
    const again = await runWrkBurst(h.dir, h.app.server, h.url, run.sortie.signalId, auths);
    repeats.push({ sortie_ms: Math.round(again.ms), bare_ms: Math.round(bareAll.ms), statuses: again.statuses });
    const bareFirst = await runWrkBurst(h.dir, bare.server, bare.root, "s_bare", firstTaps);
    const signalId = (await h.createSignal()).id;
    await refreshTerminals(h, BURST_FIRST_ID, firstTaps.length);
    const first = await runWrkBurst(h.dir, h.app.server, h.url, signalId, firstTaps);
    firsts.push({ sortie_ms: Math.round(first.ms), bare_ms: Math.round(bareFirst.ms), statuses: first.statuses });
  }
  const ratios = (xs: typeof repeats) =>
    spread(
      xs.map((x) => x.sortie_ms / x.bare_ms),
      2,
    );
  return {
    repeats_only: { taps: auths.length, ratio_to_bare: ratios(repeats), runs: repeats },
    first_taps_only: { taps: firstTaps.length, ratio_to_bare: ratios(firsts), runs: firsts },
  };
}
