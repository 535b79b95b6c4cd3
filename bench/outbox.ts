import { PRIORITY } from "../bot/delivery/index.ts";
import { sendPayload } from "../bot/messenger.ts";
import { botWorld, GROUP_A, GROUP_B, signalInput } from "../test/bot/harness.ts";
import { percentile, round } from "./support.ts";

/**
 * The bot's outbox against the Bot API fake enforcing Telegram's limits (429 past them).
 *
 * 1. Throughput: `dms` DMs to as many traders queued at once; time from the first to the last
 *    reaching Telegram, against what the limits allow (`dms / perSecond`). Target: within 10 %,
 *    and no 429. The overall limit is BENCH_OUTBOX_PER_S (default 100/s, Telegram's is 30/s: the
 *    same ratio in a third of the time; per-chat limits are Telegram's own).
 * 2. Alert latency: while 5,000 DMs wait, new signals are created one by one; from the signal's
 *    creation to its alert reaching Telegram in each group chat.
 */
export async function benchOutbox(
  dms = Number(process.env.BENCH_OUTBOX_DMS ?? 3000),
  perSecond = Number(process.env.BENCH_OUTBOX_PER_S ?? 100),
) {
  const limits = { perSecond, privatePerSecond: 1, groupPerMinute: 20 };
  const env = {
    OUTBOX_PER_S: String(perSecond),
    OUTBOX_PRIVATE_PER_S: "1",
    OUTBOX_GROUP_PER_MIN: "20",
    HEARTBEAT_STALE_S: "3600",
  };

  // 1. Throughput.
  const throughput = await (async () => {
    const world = await botWorld({ env: { ...env, ALERT_CHAT_IDS: "" } });
    try {
      world.telegram.setLimits(limits);
      const { delivery } = world.sortie;
      const queuedAt = performance.now();
      for (let i = 0; i < dms; i++) {
        const chatId = 5_000_000 + i;
        const { done } = await delivery.enqueue({
          chatId,
          method: "sendMessage",
          payload: sendPayload(chatId, `✅ Filled — EURUSD BUY 0.10 lots (#${i})`),
          priority: PRIORITY.result,
        });
        done.catch(() => undefined); // DMs still queued when the bench stops the sender
      }
      const enqueueMs = performance.now() - queuedAt;
      await delivery.idle();
      const sent = world.telegram.callsOf("sendMessage");
      const spanS = (sent.at(-1)!.at - sent[0]!.at) / 1000;
      const allowedS = dms / perSecond;
      return {
        dms,
        limit_per_s: perSecond,
        enqueue_ms_total: round(enqueueMs, 0),
        seconds: round(spanS),
        allowed_seconds: round(allowedS),
        ratio_to_limits: round(spanS / allowedS, 3),
        rate_per_s: round(dms / spanS, 1),
        telegram_429s: world.telegram.limited.length,
        target: "ratio ≤ 1.10, 0 × 429",
      };
    } finally {
      await world.close();
    }
  })();

  // 2. Alert latency while 5,000 DMs wait.
  const latency = await (async () => {
    const waitingDms = 5000;
    const world = await botWorld({ env });
    try {
      world.telegram.setLimits(limits);
      const { delivery } = world.sortie;
      for (let i = 0; i < waitingDms; i++) {
        const chatId = 6_000_000 + i;
        const { done } = await delivery.enqueue({
          chatId,
          method: "sendMessage",
          payload: sendPayload(chatId, `DM ${i}`),
          priority: PRIORITY.result,
        });
        done.catch(() => undefined); // DMs still queued when the bench stops the sender
      }
      const latenciesMs: number[] = [];
      const waitingAtAlert: number[] = [];
      for (let k = 0; k < 5; k++) {
        await new Promise((r) => setTimeout(r, 2000));
        waitingAtAlert.push(delivery.stats().queued.result ?? 0);
        const symbol = ["GBPUSD", "USDJPY", "AUDUSD", "USDCAD", "NZDUSD"][k]!;
        const created = Date.now();
        await world.app.signals.create(signalInput({ symbol, entry: 1.27, stop_loss: 1.268, take_profit: [1.274] }), {
          source: "api",
          actor: "bench",
        });
        for (const group of [GROUP_A, GROUP_B]) {
          let call: { at: number } | undefined;
          while (!call) {
            call = world.telegram
              .callsOf("sendMessage")
              .find((c) => Number(c.payload.chat_id) === group && String(c.payload.text).includes(symbol));
            if (!call) await new Promise((r) => setTimeout(r, 2));
          }
          latenciesMs.push(call.at - created);
        }
      }
      return {
        dms_waiting_at_start: waitingDms,
        dms_waiting_at_each_alert: waitingAtAlert,
        alerts: latenciesMs.length,
        latency_ms_p50: round(percentile(latenciesMs, 50), 1),
        latency_ms_max: round(Math.max(...latenciesMs), 1),
        telegram_429s: world.telegram.limited.length,
      };
    } finally {
      await world.sortie.delivery.stop();
      await world.close();
    }
  })();

  return { throughput, alert_latency_while_dms_wait: latency };
}
