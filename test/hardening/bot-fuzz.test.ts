import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ID, type BotWorld, botWorld, GROUP_A, TRADER_ID } from "../bot/harness.ts";

const COMMANDS = [
  "/start",
  "/me",
  "/risk",
  "/link",
  "/trades",
  "/help",
  "/signal",
  "/signals",
  "/cancel_signal",
  "/stats",
  "/users",
  "/tier",
  "/bridges",
  "/cancel",
];

/** Text that a person (or a hostile client) might send: commands with odd arguments, unicode, huge. */
const text = fc.oneof(
  fc.tuple(fc.constantFrom(...COMMANDS), fc.string({ maxLength: 40 })).map(([c, a]) => `${c} ${a}`),
  fc
    .tuple(
      fc.constantFrom(...COMMANDS),
      fc.constantFrom("-1", "1e999", "NaN", "0.00001", "99999999999999999999", "APEX", "s_", "@", "@@nobody"),
    )
    .map(([c, a]) => `${c} ${a}`),
  fc.string({ maxLength: 200, unit: "grapheme" }),
  fc.constant("x".repeat(5000)),
);
const chatId = fc.constantFrom(TRADER_ID, ADMIN_ID, GROUP_A, -1, 0, 7_777_777);
const userId = fc.constantFrom(TRADER_ID, ADMIN_ID, 3, 0, -5);

/** Updates of every shape the Bot API can send, and some it never should. */
const update = fc.oneof(
  fc.record({ chat: chatId, from: userId, text }).map(({ chat, from, text: t }) => ({
    message: {
      message_id: 1,
      date: 0,
      chat: { id: chat, type: chat < 0 ? "supergroup" : "private" },
      from: { id: from, is_bot: false, first_name: "F" },
      text: t,
      ...(t.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: t.split(" ")[0]!.length }] } : {}),
    },
  })),
  fc
    .record({
      from: userId,
      data: fc.oneof(
        fc.string({ maxLength: 64 }),
        fc.constantFrom("cancel:s_nope", "wiz:confirm", "wiz:cancel", "cancel:", "::"),
      ),
    })
    .map(({ from, data }) => ({
      callback_query: {
        id: "cb",
        from: { id: from, is_bot: false, first_name: "F" },
        chat_instance: "ci",
        data,
        message: { message_id: 9, date: 0, chat: { id: from, type: "private" }, text: "…" },
      },
    })),
  fc.constantFrom(
    { edited_message: { message_id: 1, date: 0, chat: { id: TRADER_ID, type: "private" }, text: "/me" } },
    { channel_post: { message_id: 1, date: 0, chat: { id: -100, type: "channel" }, text: "/signal" } },
    { message: { message_id: 1, date: 0, chat: { id: TRADER_ID, type: "private" } } },
    { message: { message_id: 1, date: 0, chat: { id: TRADER_ID, type: "private" }, photo: [] } },
    {
      message: {
        message_id: 1,
        date: 0,
        chat: { id: GROUP_A, type: "supergroup" },
        new_chat_members: [{ id: 1, is_bot: false, first_name: "N" }],
      },
    },
    {
      my_chat_member: {
        chat: { id: GROUP_A, type: "supergroup" },
        from: { id: 1, is_bot: false, first_name: "A" },
        date: 0,
      },
    },
    { inline_query: { id: "q", from: { id: 1, is_bot: false, first_name: "A" }, query: "x", offset: "" } },
    { poll: { id: "p", question: "?", options: [] } },
    { callback_query: { id: "cb", from: { id: TRADER_ID, is_bot: false, first_name: "T" }, chat_instance: "ci" } },
    { unknown_kind: { whatever: true } },
    {},
  ),
);

describe("bot: malformed and unexpected updates", () => {
  let world: BotWorld;
  beforeAll(async () => {
    world = await botWorld();
  });
  afterAll(() => world.close());

  it("never stops the bot: 600 generated updates, then /help still answers", async () => {
    let id = 1_000_000;
    await fc.assert(
      fc.asyncProperty(update, async (u) => {
        // The error boundary logs a bad update; handleUpdate itself must not throw.
        await world.sortie.handleUpdate({ update_id: id++, ...u } as never);
      }),
      { numRuns: 600 },
    );
    const before = world.sentTo(TRADER_ID).length;
    await world.send(TRADER_ID, "/help");
    expect(world.sentTo(TRADER_ID).length).toBe(before + 1);
    expect(world.lastTo(TRADER_ID)).toMatch(/\/me|\/risk/);
    // Nothing leaked into the admin's world: no signal was created by a fuzzed update.
    expect(await world.store.signals.listSignals("all", Date.now(), 10)).toEqual([]);
  }, 120_000);
});
