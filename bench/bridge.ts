import { startHarness } from "../test/support/harness.ts";
import { bareServer, percentile, round } from "./support.ts";

/**
 * Fire accepted → command received by a terminal's waiting long-poll, on loopback, beside a bare
 * loopback HTTP round trip measured in the same run.
 */
export async function benchBridge(samples = 500) {
  const h = await startHarness({ listen: true, checkpointer: true });
  const bare = await bareServer();
  try {
    const userId = 42;
    const token = await h.linkBridge(userId);
    h.store.users.setTier(userId, "APEX", new Date().toISOString());
    await h.heartbeat(token);
    const signals = [];
    for (let i = 0; i < samples; i++) signals.push(await h.createSignal());
    const auth = h.tma(userId);

    const roundTrips: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      await (await fetch(bare.url)).arrayBuffer();
      roundTrips.push(performance.now() - t0);
    }

    const delivery: number[] = [];
    const fullTrip: number[] = [];
    // Accepted = the fire's transaction committed (the hub event fires right after the commit).
    let acceptedAt = 0;
    h.ctx.hub.on("fire.created", () => {
      acceptedAt = performance.now();
    });
    for (const signal of signals) {
      const poll = fetch(`${h.url}/bridge/v1/commands?wait=30`, { headers: { authorization: `Bearer ${token}` } }).then(
        async (r) => {
          const body = (await r.json()) as { commands: unknown[] };
          return { at: performance.now(), n: body.commands.length };
        },
      );
      await new Promise((r) => setTimeout(r, 5)); // the poll is parked before the fire
      const sent = performance.now();
      const fired = await fetch(`${h.url}/api/fire`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify({ signal_id: signal.id }),
      });
      if (fired.status !== 202) throw new Error(`fire answered ${fired.status}`);
      const got = await poll;
      if (got.n !== 1) throw new Error(`poll got ${got.n} commands`);
      delivery.push(got.at - acceptedAt);
      // Also from the moment the fire request is sent (includes the fire's own HTTP and commit).
      fullTrip.push(got.at - sent);
    }
    return {
      samples,
      bare_round_trip: { p50_ms: round(percentile(roundTrips, 50), 3), p99_ms: round(percentile(roundTrips, 99), 3) },
      fire_to_command: { p50_ms: round(percentile(delivery, 50), 3), p99_ms: round(percentile(delivery, 99), 3) },
      fire_sent_to_command: { p50_ms: round(percentile(fullTrip, 50), 3), p99_ms: round(percentile(fullTrip, 99), 3) },
      p99_ratio_to_round_trip: round(percentile(delivery, 99) / percentile(roundTrips, 99), 2),
      target_p99_ms: 5,
    };
  } finally {
    await bare.close();
    await h.close();
  }
}
