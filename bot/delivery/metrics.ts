import { Gauge, type Registry } from "prom-client";
import type { Delivery } from "./index.ts";

/**
 * The outbox on `/metrics` (read from the sender's counters at scrape time): queue depth by
 * priority, oldest waiting age, send rate, messages sent, Telegram's refusals by code, users who
 * blocked the bot. A bot built again on the same context replaces the previous one's gauges.
 */
export function registerDeliveryMetrics(registry: Registry, delivery: Delivery): void {
  const gauge = (name: string, help: string, labelNames: string[], read: (g: Gauge) => void) => {
    registry.removeSingleMetric(name);
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        read(this);
      },
    });
  };
  gauge("sortie_outbox_queued", "Messages waiting in the bot's outbox, by priority", ["priority"], (g) => {
    for (const [priority, n] of Object.entries(delivery.stats().queued)) g.set({ priority }, n);
  });
  gauge("sortie_outbox_oldest_age_seconds", "Age of the oldest message waiting in the outbox", [], (g) =>
    g.set(delivery.stats().oldest_age_s),
  );
  gauge("sortie_outbox_send_rate", "Telegram calls answered per second over the last minute", [], (g) =>
    g.set(delivery.stats().sent_per_s),
  );
  gauge("sortie_outbox_sent", "Messages sent since start (a merged DM counts each part)", [], (g) =>
    g.set(delivery.stats().sent_total),
  );
  gauge("sortie_outbox_telegram_errors", "Telegram refusals since start, by error code", ["code"], (g) => {
    for (const [code, n] of Object.entries(delivery.stats().telegram_errors)) g.set({ code }, n);
  });
  gauge("sortie_outbox_blocked_users", "Users found to have blocked the bot since start", [], (g) =>
    g.set(delivery.stats().blocked_users),
  );
}
