import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startExtras } from "../../../server/extras.ts";
import { DEMO_ADMIN, DEMO_BOT, DEMO_GROUP, DEMO_TRADERS } from "../../../server/local/demo.ts";
import type { ConsoleEvent } from "../../../server/local/telegram/index.ts";
import { startHarness } from "../../support/harness.ts";
import { startTelegramFake } from "../../support/telegram-fake.ts";
import { waitFor } from "../../support/wait.ts";
import { type LocalWorld, postJson, startLocalWorld } from "./support.ts";

const AVA = DEMO_TRADERS[0]!;

/** The console's endpoints and the local Bot API over real HTTP, without a browser. */
describe("local mode's console endpoints and Bot API", () => {
  let world: LocalWorld;
  const events: ConsoleEvent[] = [];
  let api = "";
  beforeAll(async () => {
    world = await startLocalWorld({ demo: false });
    world.local.telegram.subscribe((event) => events.push(event));
    // The token is private to the bot: read it the way the bot got it, from the start-up wiring.
    api = `${world.harness.url}/local/telegram/bot${world.local.botToken}`;
  });
  afterAll(() => world?.close());

  const send = (user_id: number, chat_id: number, text: string) =>
    postJson(`${world.harness.url}/local/console/messages`, { user_id, chat_id, text });
  const botMessages = (chatId: number) =>
    events.flatMap((e) =>
      e.type === "message" && e.message.chat.id === chatId && e.message.from?.is_bot ? [e.message] : [],
    );

  it("hands a typed command to the real bot and stores its answer as Telegram would (text + entities + keyboard)", async () => {
    expect((await send(AVA.id, AVA.id, "/start")).status).toBe(201);
    const reply = await waitFor(() =>
      botMessages(AVA.id).find((m) => m.text?.startsWith("👋 Welcome to Sortie, Ava!")),
    );
    expect(reply.from).toMatchObject({ id: DEMO_BOT.id, is_bot: true });
    expect(reply.entities?.some((e) => e.type === "bold")).toBe(true);
    expect(reply.text).not.toContain("<b>");
    expect(reply.reply_markup?.inline_keyboard[0]?.[0]).toMatchObject({
      text: "🚀 Open Sortie",
      url: expect.stringContaining("/app/"),
    });
  });

  it("refuses, naming the field, a person who does not exist, another person's chat, blank text", async () => {
    const unknown = await send(42, 42, "hi");
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ error: { code: "BAD_REQUEST", field: "user_id" } });
    const foreign = await send(AVA.id, DEMO_ADMIN.id, "hi");
    expect(foreign.status).toBe(400);
    expect(foreign.json).toMatchObject({ error: { code: "BAD_REQUEST", field: "chat_id" } });
    expect((await send(AVA.id, AVA.id, "   ")).json).toMatchObject({ error: { code: "BAD_REQUEST", field: "text" } });
    const noButton = await postJson(`${world.harness.url}/local/console/callbacks`, {
      user_id: AVA.id,
      chat_id: AVA.id,
      message_id: 1,
      data: "adm:nothing",
    });
    expect(noButton.status).toBe(404);
  });

  it("in the group: messages are shown to all, commands reach the bot, which answers there as each sender's role allows", async () => {
    const before = events.length;
    await send(AVA.id, DEMO_GROUP.id, "hello everyone");
    await send(AVA.id, DEMO_GROUP.id, "/signal");
    await waitFor(() =>
      botMessages(DEMO_GROUP.id).find((m) => m.text === "⛔ This command is for Sortie admins only."),
    );
    await send(DEMO_ADMIN.id, DEMO_GROUP.id, "/signal");
    const answer = await waitFor(() =>
      botMessages(DEMO_GROUP.id).find((m) => m.text === "Run /signal in a private chat with me."),
    );
    expect(answer.chat).toMatchObject({ id: DEMO_GROUP.id, type: "supergroup", title: DEMO_GROUP.title });
    const texts = events
      .slice(before)
      .flatMap((e) => (e.type === "message" && e.message.chat.id === DEMO_GROUP.id ? [e.message.text] : []));
    expect(texts.slice(0, 2)).toEqual(["hello everyone", "/signal"]);
  });

  it("answers the bot's Bot API calls with Telegram's rules and errors", async () => {
    const call = (method: string, body: unknown) => postJson(`${api}/${method}`, body);
    expect((await call("getMe", {})).json).toMatchObject({ ok: true, result: { id: DEMO_BOT.id, is_bot: true } });
    expect((await postJson(`${world.harness.url}/local/telegram/bot1:wrong/getMe`, {})).status).toBe(401);
    const sent = await call("sendMessage", { chat_id: AVA.id, text: "<b>Hi</b> <i>there</i>", parse_mode: "HTML" });
    expect(sent.json).toMatchObject({
      ok: true,
      result: {
        text: "Hi there",
        entities: [
          { type: "bold", offset: 0, length: 2 },
          { type: "italic", offset: 3, length: 5 },
        ],
      },
    });
    const id = (sent.json as { result: { message_id: number } }).result.message_id;
    const commands = await call("sendMessage", {
      chat_id: AVA.id,
      text: "Try /me, not <code>/risk 2</code>",
      parse_mode: "HTML",
    });
    expect((commands.json as { result: { entities: unknown[] } }).result.entities).toEqual([
      { type: "bot_command", offset: 4, length: 3 },
      { type: "code", offset: 13, length: 7 },
    ]);
    expect((await call("sendMessage", { chat_id: AVA.id, text: "<div>x</div>", parse_mode: "HTML" })).json).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "div" at byte offset 0',
    });
    expect((await call("sendMessage", { chat_id: 5, text: "x" })).json).toMatchObject({
      error_code: 400,
      description: "Bad Request: chat not found",
    });
    const same = await call("editMessageText", {
      chat_id: AVA.id,
      message_id: id,
      text: "<b>Hi</b> <i>there</i>",
      parse_mode: "HTML",
    });
    expect(same.status).toBe(400);
    expect((same.json as { description: string }).description).toMatch(/^Bad Request: message is not modified/);
    const edited = await call("editMessageText", { chat_id: AVA.id, message_id: id, text: "Hi again" });
    expect(edited.json).toMatchObject({
      ok: true,
      result: { message_id: id, text: "Hi again", edit_date: expect.any(Number) },
    });
    const group = await call("sendMessage", {
      chat_id: DEMO_GROUP.id,
      text: "x",
      reply_markup: { inline_keyboard: [[{ text: "app", web_app: { url: "https://e.example/" } }]] },
    });
    expect(group.json).toMatchObject({ error_code: 400, description: "Bad Request: BUTTON_TYPE_INVALID" });
    expect((await call("sendPhoto", { chat_id: AVA.id })).status).toBe(404);
  });

  it("opens a Mini App link of the bot's buttons as the chosen person (signed launch data), and only known people", async () => {
    const url = `${world.harness.config.publicUrl}/mission/s_ABC`;
    const res = await fetch(
      `${world.harness.url}/local/console/open?user_id=${AVA.id}&url=${encodeURIComponent(url)}`,
      {
        redirect: "manual",
      },
    );
    expect(res.status).toBe(302);
    const location = res.headers.get("location")!;
    expect(location).toMatch(/^\/app\/\?startapp=s_ABC#tgWebAppData=/);
    const initData = decodeURIComponent(location.split("#tgWebAppData=")[1]!.split("&tgWebAppVersion")[0]!);
    const me = await fetch(`${world.harness.url}/api/me`, { headers: { authorization: `tma ${initData}` } });
    expect(((await me.json()) as { user: { id: number } }).user.id).toBe(AVA.id);
    const stranger = await fetch(`${world.harness.url}/local/console/open?user_id=7&url=${encodeURIComponent(url)}`);
    expect(stranger.status).toBe(400);
  });

  it("streams the chats to the console: everything so far first, then each change", async () => {
    const controller = new AbortController();
    const res = await fetch(`${world.harness.url}/local/console/events`, { signal: controller.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    let received = "";
    const readUntil = async (needle: string) => {
      while (!received.includes(needle)) received += new TextDecoder().decode((await reader.read()).value);
    };
    await readUntil("\n\n");
    expect(received).toMatch(/^event: hello\ndata: /);
    const hello = JSON.parse(received.split("\n")[1]!.slice(6));
    expect(hello.people.map((p: { first_name: string }) => p.first_name)).toEqual(["Dana", "Ava", "Ben", "Cleo"]);
    expect(hello.menus[`${DEMO_ADMIN.id}:${DEMO_ADMIN.id}`].map((c: { command: string }) => c.command)).toContain(
      "signal",
    );
    expect(hello.menus[`${AVA.id}:${AVA.id}`].map((c: { command: string }) => c.command)).not.toContain("signal");
    await send(AVA.id, AVA.id, "/help");
    await readUntil("Sortie turns each signal");
    controller.abort();
  });
});

describe("the console without local mode", () => {
  it("does not exist when BOT_TOKEN is set: /local, its console and its Bot API answer 404", async () => {
    const telegram = await startTelegramFake();
    const harness = await startHarness({ env: { TELEGRAM_API_ROOT: telegram.apiRoot } });
    const extras = await startExtras(harness.ctx, () => undefined);
    const { buildApp } = await import("../../../server/app.ts");
    const app = await buildApp(harness.ctx, { plugins: extras.plugins });
    try {
      expect(harness.config.localMode).toBe(false);
      for (const url of [
        "/local",
        "/local/console/index.js",
        "/local/console/events",
        `/local/console/open?user_id=${AVA.id}&url=x`,
      ]) {
        expect((await app.inject({ method: "GET", url })).statusCode, url).toBe(404);
      }
      const post = await app.inject({
        method: "POST",
        url: "/local/console/messages",
        payload: { user_id: AVA.id, chat_id: AVA.id, text: "/start" },
      });
      expect(post.statusCode).toBe(404);
      expect((await app.inject({ method: "POST", url: "/local/telegram/bot1:x/getMe", payload: {} })).statusCode).toBe(
        404,
      );
    } finally {
      await app.close();
      await extras.stop();
      await harness.close();
      await telegram.close();
    }
  });
});

describe("/link as a demo trader in the console", () => {
  let world: LocalWorld;
  beforeAll(async () => {
    world = await startLocalWorld();
  });
  afterAll(() => world?.close());

  it("rotates the token, and the trader's paper terminal takes the new one (as a trader pastes it into the EA)", async () => {
    const { harness } = world;
    const me = async () => {
      const res = await fetch(`${harness.url}/api/me`, { headers: { authorization: harness.tma(AVA) } });
      return (await res.json()) as { bridge: { online: boolean; last_seen: string | null } };
    };
    await waitFor(async () => (await me()).bridge.online, 15_000, "Ava's paper terminal online");
    const tokenHash = () => harness.store.query("SELECT token_hash FROM bridge_tokens WHERE user_id = ?", [AVA.id]);
    const hashBefore = await tokenHash();
    expect(hashBefore).toHaveLength(1);
    const linkedAt = new Date().toISOString();
    expect(
      (await postJson(`${harness.url}/local/console/messages`, { user_id: AVA.id, chat_id: AVA.id, text: "/link" }))
        .status,
    ).toBe(201);
    await waitFor(
      () => world.logs.some((l) => l.includes("[paper Ava] linked again")),
      15_000,
      "terminal linked again",
    );
    expect(await tokenHash()).not.toEqual(hashBefore);
    // Only the new token authenticates now: a heartbeat after the rotation proves the terminal uses it.
    await waitFor(
      async () => ((await me()).bridge.last_seen ?? "") > linkedAt,
      15_000,
      "a heartbeat with the new token",
    );
  });
});

describe("local mode's Bot API and the per-address limit", () => {
  it("the in-process bot's own calls do not spend 127.0.0.1's RATE_LIMIT_IP_PER_MIN (was: 7 of 10 left at start, fewer after an alert)", async () => {
    const world = await startLocalWorld({ demo: false, env: { RATE_LIMIT_IP_PER_MIN: "10", RATE_LIMIT_PER_MIN: "0" } });
    try {
      const { harness } = world;
      const alerts: ConsoleEvent[] = [];
      world.local.telegram.subscribe((e) => {
        if (e.type === "message" && e.message.chat.id === DEMO_GROUP.id) alerts.push(e);
      });
      // A signal through the service (no HTTP of ours): the bot posts its alert over the local Bot API.
      await harness.ctx.signals.create(
        {
          symbol: "EURUSD",
          side: "BUY",
          entry: 1.085,
          stop_loss: 1.083,
          take_profit: [1.089],
          expires_in_min: 30,
        },
        { source: "api", actor: "test" },
      );
      await waitFor(() => alerts.length > 0, 10_000, "the group alert");
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await fetch(`${harness.url}/api/signals?status=active`)).status);
      expect(statuses).toEqual([...Array(10).fill(401), 429]);
      // A wrong bot token is still refused.
      const wrong = await postJson(`${harness.url}/local/telegram/bot1:wrong/getMe`, {});
      expect(wrong.status).toBe(401);
    } finally {
      await world.close();
    }
  });
});
