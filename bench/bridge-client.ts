import { sign } from "@telegram-apps/init-data-node";
import { keepAliveClient } from "./http-client.ts";

/**
 * The client of `npm run bench -- bridge` (issue #18's method), in its own process, `node:http`
 * with keep-alive. For each sample: a new trader is linked and its terminal heartbeats; the
 * terminal starts `GET /bridge/v1/commands?wait=10`; 30 ms later the trader `POST /api/fire`s the
 * shared signal; the sample is the time from sending the fire to receiving the long-poll's answer
 * with the command. After each sample, the trader's client times one `GET /health` round trip (the
 * issue's reference), then, after the same 30 ms of quiet as a fire, one more: in a VM an idle
 * process is woken slowly, and the fire always starts from idle (reported beside, not instead).
 * Input (argv[2], JSON): {root, adminToken, signingToken, samples, warmup, firstUserId}.
 * Output: one JSON line on stdout {fireToCommandMs, roundTripMs, coldRoundTripMs} (number[] each).
 */
const input = JSON.parse(process.argv[2] ?? "{}") as {
  root: string;
  adminToken: string;
  signingToken: string;
  samples: number;
  warmup: number;
  firstUserId: number;
};
const trader = keepAliveClient(input.root);
const terminal = keepAliveClient(input.root);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const expect = (what: string, got: { status: number; body: string }, status: number) => {
  if (got.status !== status) throw new Error(`${what}: HTTP ${got.status} ${got.body.slice(0, 300)}`);
  return JSON.parse(got.body) as Record<string, unknown>;
};

const created = expect(
  "create signal",
  await trader.send(
    "POST",
    "/api/signals",
    { authorization: `Bearer ${input.adminToken}` },
    {
      symbol: "EURUSD",
      side: "BUY",
      entry: 1.085,
      stop_loss: 1.083,
      take_profit: [1.089],
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      confidence: 80,
      shield_score: 8,
      shield_notes: "bench",
    },
  ),
  201,
);
const signalId = created.id as string;

const fireToCommandMs: number[] = [];
const roundTripMs: number[] = [];
const coldRoundTripMs: number[] = [];
/** One `GET /health` round trip by the trader's client, in ms. */
const healthRoundTrip = async () => {
  const t0 = performance.now();
  expect("health", await trader.send("GET", "/health"), 200);
  return performance.now() - t0;
};
for (let i = 0; i < input.warmup + input.samples; i++) {
  const userId = input.firstUserId + i;
  const tma = {
    authorization: `tma ${sign({ user: { id: userId, first_name: "Bench" }, query_id: `q${userId}` } as never, input.signingToken, new Date())}`,
  };
  const { token } = expect("link", await trader.send("POST", "/api/me/bridge-token", tma), 200) as { token: string };
  const bearer = { authorization: `Bearer ${token}` };
  expect(
    "heartbeat",
    await terminal.send("POST", "/bridge/v1/heartbeat", bearer, {
      account: {
        login: userId,
        server: "Bench",
        currency: "USD",
        balance: 10_000,
        equity: 10_000,
        trade_allowed: true,
      },
    }),
    200,
  );
  const poll = terminal.send("GET", "/bridge/v1/commands?wait=10", bearer);
  let answeredAt = 0;
  void poll.then(() => {
    answeredAt = performance.now();
  });
  await sleep(30);
  const sentAt = performance.now();
  const fired = await trader.send("POST", "/api/fire", tma, { signal_id: signalId });
  expect("fire", fired, 202);
  const commands = (expect("poll", await poll, 200).commands as unknown[]).length;
  if (commands < 1) throw new Error(`the long-poll answered without the command (sample ${i})`);
  const health = await healthRoundTrip();
  await sleep(30);
  const coldHealth = await healthRoundTrip();
  if (i >= input.warmup) {
    fireToCommandMs.push(answeredAt - sentAt);
    roundTripMs.push(health);
    coldRoundTripMs.push(coldHealth);
  }
}
process.stdout.write(`${JSON.stringify({ fireToCommandMs, roundTripMs, coldRoundTripMs })}\n`);
trader.close();
terminal.close();
