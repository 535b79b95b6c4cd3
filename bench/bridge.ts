import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { startHarness } from "../test/support/harness.ts";
import { bareServer, percentile, round } from "./support.ts";

type TerminalMessage = { ready?: true; parked?: true; roundTripMs?: number; receivedAt?: number; commands?: number };

/** The next message from the terminal process that has `key`. */
function next(child: ChildProcess, key: keyof TerminalMessage): Promise<TerminalMessage> {
  return new Promise((resolve) => {
    const onMessage = (message: TerminalMessage) => {
      if (message[key] === undefined) return;
      child.off("message", onMessage);
      resolve(message);
    };
    child.on("message", onMessage);
  });
}

/**
 * Fire accepted → command received by a terminal's waiting long-poll, on loopback. The terminal
 * is its own process (bench/bridge-terminal.ts), as MT5 is: a client sharing the server's thread
 * measured mostly itself (its p99 was 2× the server's). Beside it, a bare loopback round trip
 * by the same terminal client in the same run.
 */
export async function benchBridge(samples = 500) {
  const h = await startHarness({ listen: true, checkpointer: true });
  const bare = await bareServer();
  const terminal = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "bridge-terminal.ts")], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    await next(terminal, "ready");
    const userId = 42;
    const token = await h.linkBridge(userId);
    await h.store.users.setTier(userId, "APEX", new Date().toISOString());
    await h.heartbeat(token);
    const signals = [];
    for (let i = 0; i < samples; i++) signals.push(await h.createSignal());
    const auth = h.tma(userId);

    const roundTrips: number[] = [];
    for (let i = 0; i < samples; i++) {
      const answer = next(terminal, "roundTripMs");
      terminal.send({ bare: { url: bare.url } });
      roundTrips.push((await answer).roundTripMs!);
    }

    const delivery: number[] = [];
    const fullTrip: number[] = [];
    const epochNow = () => performance.timeOrigin + performance.now();
    // Accepted = the fire's transaction committed (the hub event fires right after the commit).
    let acceptedAt = 0;
    h.ctx.hub.on("fire.created", () => {
      acceptedAt = epochNow();
    });
    for (const signal of signals) {
      const received = next(terminal, "receivedAt");
      const parked = next(terminal, "parked");
      terminal.send({ poll: { url: `${h.url}/bridge/v1/commands?wait=30`, token } });
      await parked;
      await new Promise((r) => setTimeout(r, 5)); // the poll is parked on the server before the fire
      const sent = epochNow();
      const fired = await fetch(`${h.url}/api/fire`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify({ signal_id: signal.id }),
      });
      if (fired.status !== 202) throw new Error(`fire answered ${fired.status}`);
      await fired.arrayBuffer();
      const got = await received;
      if (got.commands !== 1) throw new Error(`poll got ${got.commands} commands`);
      delivery.push(got.receivedAt! - acceptedAt);
      // Also from the moment the fire request is sent (includes the fire's own HTTP and commit).
      fullTrip.push(got.receivedAt! - sent);
    }
    return {
      samples,
      terminal: "separate process, node:http keep-alive",
      bare_round_trip: { p50_ms: round(percentile(roundTrips, 50), 3), p99_ms: round(percentile(roundTrips, 99), 3) },
      fire_to_command: { p50_ms: round(percentile(delivery, 50), 3), p99_ms: round(percentile(delivery, 99), 3) },
      fire_sent_to_command: { p50_ms: round(percentile(fullTrip, 50), 3), p99_ms: round(percentile(fullTrip, 99), 3) },
      p99_ratio_to_round_trip: round(percentile(delivery, 99) / percentile(roundTrips, 99), 2),
      target_p99_ms: 5,
    };
  } finally {
    terminal.kill();
    await once(terminal, "exit").catch(() => undefined);
    await bare.close();
    await h.close();
  }
}
