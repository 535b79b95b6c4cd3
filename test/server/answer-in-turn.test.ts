import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerWithTurn } from "../../server/answer-in-turn.ts";

describe("answerWithTurn (hot routes' onSend: answers leave together, after the turn)", () => {
  const app = Fastify({ logger: false });
  /** Whether each answer had been written by the end of its handler's turn (a nextTick after it). */
  const writtenInTurn: boolean[] = [];
  const warnings: string[] = [];

  beforeAll(async () => {
    app.addHook("onRequest", (req, _reply, done) => {
      // Fastify warns through the request's logger when a reply is sent twice.
      req.log.warn = ((...args: unknown[]) => warnings.push(JSON.stringify(args))) as never;
      done();
    });
    app.get("/sync", { onSend: answerWithTurn }, (_req, reply) => {
      process.nextTick(() => writtenInTurn.push(reply.raw.writableEnded));
      reply.status(201);
      return { answered: "sync" };
    });
    app.get("/async", { onSend: answerWithTurn }, (_req, reply) =>
      new Promise((resolve) => setTimeout(resolve, 5)).then(() => {
        reply.status(202);
        return { answered: "async" };
      }),
    );
    app.get("/fails", { onSend: answerWithTurn }, () => {
      throw Object.assign(new Error("nope"), { statusCode: 409 });
    });
    app.get("/plain", (_req, reply) => {
      process.nextTick(() => writtenInTurn.push(reply.raw.writableEnded));
      return { answered: "plain" };
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
  });
  afterAll(() => app.close());

  const get = async (path: string) => {
    const address = app.server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${address.port}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("writes a handler's answer after its turn of the loop, with the status and body the handler gave", async () => {
    expect(await get("/plain")).toEqual({ status: 200, body: { answered: "plain" } });
    expect(await get("/sync")).toEqual({ status: 201, body: { answered: "sync" } });
    // Without the hook the answer is already written when the turn ends; with it, not yet.
    expect(writtenInTurn).toEqual([true, false]);
  });

  it("answers a handler's promise once, and an error with its status", async () => {
    const answers = await Promise.all([get("/async"), get("/async"), get("/fails")]);
    expect(answers[0]).toEqual({ status: 202, body: { answered: "async" } });
    expect(answers[1]).toEqual({ status: 202, body: { answered: "async" } });
    expect(answers[2]).toMatchObject({ status: 409, body: { message: "nope" } });
    expect(warnings).toEqual([]);
  });
});
