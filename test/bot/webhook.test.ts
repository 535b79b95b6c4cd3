import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { privateCommandUpdate } from "../support/telegram-updates.ts";
import { type BotWorld, botWorld, TRADER_ID } from "./harness.ts";

describe("webhook mode", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  it("sets the webhook with a secret token and only accepts updates that carry it", async () => {
    world = await botWorld({
      env: { WEBHOOK_URL: "https://sortie.example/telegram/webhook", WEBHOOK_SECRET: "s3cret-token" },
      bot: { receive: undefined },
    });
    // start() ran before the harness reset the call log: start again to see setWebhook.
    await world.sortie.stop();
    await world.sortie.start();
    expect(world.telegram.callsOf("setWebhook").at(-1)?.payload).toMatchObject({
      url: "https://sortie.example/telegram/webhook",
      secret_token: "s3cret-token",
    });
    expect(world.telegram.callsOf("getUpdates")).toHaveLength(0);

    const webhook = world.sortie.webhook!;
    expect(webhook.path).toBe("/telegram/webhook");
    const app = Fastify();
    app.post(webhook.path, webhook.handler as never);
    const update = privateCommandUpdate(TRADER_ID, "Ana", "/help");
    const forged = await app.inject({ method: "POST", url: webhook.path, payload: update });
    expect(forged.statusCode).toBe(401);
    expect(world.sentTo(TRADER_ID)).toHaveLength(0);

    const genuine = await app.inject({
      method: "POST",
      url: webhook.path,
      payload: update,
      headers: { "x-telegram-bot-api-secret-token": "s3cret-token" },
    });
    expect(genuine.statusCode).toBe(200);
    expect(world.lastTo(TRADER_ID)).toContain("/risk 1.5");
    await app.close();
  });
});
